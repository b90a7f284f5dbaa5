/* pii_label.c — values known by their label (issue 16, session 12). Where a label names a
 * network identifier ("HWaddr", "link/ether", "BSSID", "MAC address", "inet6", "IPv6",
 * "Link-local", or a host/server/address label before a colon-grouped hex value) and the
 * value after it is a hex-and-digit garble of about that type's length that no detector
 * could read (small type: "ether ea67 ,08d4 ,caZ6", "inet6 2073 CAG: FDOF 0:c30F 8D"), the
 * value is reported as that type, `repaired`, at a low score, its span the value alone. The
 * place of the PII is known from the label even when its glyphs are not; the guard covers
 * it. Precision rests on the value's shape: mostly hex glyphs (look-alikes counted), digits
 * among them, the type's length give or take a lost group, separators of the type, no
 * words — "MAC: enabled", "Address: see below", "Host: db-01.example.com", a 32-digit
 * HMAC after "MAC:" are none. Runs after every other detector and skips a value that
 * overlaps a finding already made. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "guard/pii_internal.h"
#include "core/common.h"

/* Labels naming a MAC address (IEEE 802 EUI-48): ifconfig's "HWaddr" and "ether", ip's
 * "link/ether" and "lladdr", iw's and nmcli's "BSSID", Windows' "Physical Address", and the
 * plain names; lower case, compared as words. */
static const char *const mac_labels[] = {
	"mac", "mac address", "mac addr", "hwaddr", "ether", "link/ether", "lladdr", "bssid",
	"hardware address", "physical address", "ethernet address", "wi-fi address",
	"wifi address", "adresse mac", "mac-adresse", "dirección mac", "indirizzo mac", NULL};
/* Labels naming an IPv6 address (RFC 4291): ip's and ifconfig's "inet6", "IPv6", a
 * link-local address. */
static const char *const ipv6_labels[] = {
	"inet6", "ipv6", "ipv6 address", "ipv6 addr", "link-local", "link-local address",
	"link-local ipv6 address", "global ipv6", "ipv6-adresse", "adresse ipv6", NULL};
/* Labels that name a network address of either version (a host, a server, a peer); an IPv6
 * value after them must show its colon groups (two colons or more). */
static const char *const host_labels[] = {
	"address", "host", "server", "ip", "ip address", "ip addr", "peer", "remote", "gateway",
	"nameserver", "dns", "dns server", "listening on", "listen", "client", "source",
	"destination", "endpoint", "remote address", "local address", NULL};

/* Labels of an IPv4 address alone (ifconfig's "inet", "inet addr"). */
static const char *const ipv4_labels[] = {"inet", "inet addr", "ipv4", "ipv4 address", "addr", NULL};

/* What the value after a label holds: counts over its glyphs. */
struct label_value {
	size_t s, e;       /* the value: its first and past its last glyph */
	int hex, digits;   /* hex digits as read, of them decimal digits */
	int hex_letters;   /* a-f, A-F */
	int looks;         /* look-alikes magi__pii_noisy_hex reads as a hex digit */
	int other;         /* glyphs that are neither (letters, marks) */
	int colons, dots, dashes; /* ':' or ';', '.' or ',', '-' */
	int tokens;
	bool zero, ones; /* every hex digit 0, every one f: the all-zero and broadcast MACs */
};

static bool sep_char(uc c)
{
	return c == ':' || c == ';' || c == '.' || c == ',' || c == '-' || c == '[' || c == ']' ||
	       c == '(' || c == ')' || c == '{' || c == '}' || c == '/' || c == '%';
}

/* Reads the value after a label ending at t[q]: one ':', '=' or ';' mark and spaces or a tab
 * first, then the tokens (split by spaces and tabs) while each is mostly hex glyphs — at
 * least half of its glyphs that are no separator read as hex digits — up to max glyphs.
 * false when no token is taken. */
static bool read_tokens(const char *t, size_t len, size_t p, int max, struct label_value *v);
static bool read_value(const char *t, size_t len, size_t q, int max, struct label_value *v)
{
	memset(v, 0, sizeof *v);
	size_t p = q;
	int marks = 0;
	while (p < len && (t[p] == ' ' || t[p] == '\t' || t[p] == ':' || t[p] == '=')) {
		marks += t[p] != ' ' && t[p] != '\t';
		p++;
	}
	/* the label right before its value: a space, a tab or one mark between them */
	if (p == q || marks > 1 || (q < len && magi__is_alnum((uc)t[q])))
		return false;
	return read_tokens(t, len, p, max, v);
}

/* The tokens of a value from t[p] (read_value's second half). */
static bool read_tokens(const char *t, size_t len, size_t p, int max, struct label_value *v)
{
	v->s = p;
	v->zero = v->ones = true;
	int glyphs = 0;
	while (p < len && t[p] != '\n') {
		while (p < len && (t[p] == ' ' || t[p] == '\t'))
			p++;
		if (p >= len || t[p] == '\n')
			break;
		size_t a = p;
		struct label_value tk = {0};
		int n = 0, run = 0, longest = 0;
		while (p < len && t[p] != ' ' && t[p] != '\t' && t[p] != '\n') {
			char h;
			uc c = (uc)t[p];
			size_t b;
			if (sep_char(c)) {
				tk.colons += c == ':' || c == ';';
				tk.dots += c == '.' || c == ',';
				tk.dashes += c == '-';
				run = 0;
				p++;
				continue;
			}
			n++;
			if (magi__is_hex(c)) {
				tk.hex++;
				tk.digits += magi__is_digit(c);
				tk.hex_letters += !magi__is_digit(c);
				run = 0;
				p++;
			} else if ((b = magi__pii_noisy_hex(t, len, p, &h)) != 0) {
				tk.looks++;
				run = 0;
				p += b;
			} else {
				tk.other++;
				/* letters that are no hex digit in a row: a word's */
				run = magi__is_alpha(c) ? run + 1 : 0;
				longest = run > longest ? run : longest;
				p += ((c & 0xC0) == 0xC0) ? 2 : 1;
				while (p < len && ((uc)t[p] & 0xC0) == 0x80)
					p++;
			}
		}
		/* a token of separators alone (" : ") goes with the value; a word ends it, and so
		 * does a token of letters with one that is no hex glyph unless a separator joins
		 * it to the value ("25: idf", not "1b5 brd") */
		bool joined = sep_char((uc)t[a]) || (a > v->s && sep_char((uc)t[v->e - 1]));
		if ((n && 2 * (tk.hex + tk.looks) < n) || longest >= 3 || glyphs + n > max ||
		    (v->tokens && tk.other && !tk.digits && !joined))
			break;
		glyphs += n;
		v->hex += tk.hex, v->digits += tk.digits, v->hex_letters += tk.hex_letters;
		v->looks += tk.looks, v->other += tk.other;
		v->colons += tk.colons, v->dots += tk.dots, v->dashes += tk.dashes;
		v->tokens++;
		v->e = p;
		for (size_t k = a; k < p; k++)
			if (magi__is_hex((uc)t[k])) {
				v->zero &= t[k] == '0';
				v->ones &= magi__lower((uc)t[k]) == 'f';
			}
	}
	/* trailing marks are no part of the value ("fb&d." at a sentence's end) */
	while (v->e > v->s && (t[v->e - 1] == '.' || t[v->e - 1] == ',' || t[v->e - 1] == ';'))
		v->e--;
	return v->tokens > 0 && v->e > v->s;
}

/* A MAC address's twelve hex digits as small type leaves them: 9-14 glyphs, 8+ of them hex
 * or look-alikes with 6+ true hex digits and 2+ decimal ones, at most two other glyphs, and
 * the groups' separators (':', '-', '.' or ',') or one block ("SECEBCBD3555"). */
static bool mac_value(const struct label_value *v)
{
	int glyphs = v->hex + v->looks + v->other, seps = v->colons + v->dots + v->dashes;
	return !v->zero && !v->ones && glyphs >= 9 && glyphs <= 14 && v->hex + v->looks >= 8 && v->hex >= 6 && v->digits >= 2 &&
	       v->other <= 2 && (seps >= 1 || glyphs >= 11) &&
	       !(!v->hex_letters && v->dots >= 2); /* a dotted quad of decimals is an IPv4's */
}

/* An IPv6 address (RFC 4291 text form: up to eight groups of 1-4 hex digits, ':' between,
 * "::" once) as small type leaves it: 8-40 glyphs, 8+ hex with a hex letter among them (a
 * time or a date has none), colons (at least `colons`), at most a quarter other glyphs, no
 * dash (dates, MACs) and fewer dots than colons (IPv4, versions). */
static bool ipv6_value(const struct label_value *v, int colons)
{
	int glyphs = v->hex + v->looks + v->other;
	return glyphs >= 8 && glyphs <= 40 && v->hex >= 8 && v->hex_letters >= 1 && v->digits >= 2 &&
	       v->colons >= colons && 4 * v->other <= glyphs && !v->dashes && v->dots < v->colons;
}

/* A dotted quad (RFC 791) after a network label whose octets OCR changed past a host's
 * range or whose dots it read as commas ("Host: 472.29.232.155", "IP: 172,29,47 ,70"): one
 * mark and spaces, "http://" or "https://" may open it, four groups of 1-3 digits split by
 * '.' or ',' (a space after), 7+ digits, no fifth group; a port (':' and digits) or a
 * prefix length ('/' and digits) may follow. Sets *s to its start; its end, or 0. */
static size_t ipv4_value(const char *t, size_t len, size_t q, size_t *s)
{
	size_t p = q;
	int marks = 0;
	while (p < len && (t[p] == ' ' || t[p] == '\t' || t[p] == ':' || t[p] == '=')) {
		marks += t[p] != ' ' && t[p] != '\t';
		p++;
	}
	if (p == q || marks > 1)
		return 0;
	if (!strncmp(t + p, "http://", 7) || !strncmp(t + p, "https://", 8))
		p += t[p + 4] == 's' ? 8 : 7;
	*s = p;
	int digits = 0;
	for (int g = 0; g < 4; g++) {
		size_t a = p;
		while (p < len && magi__is_digit((uc)t[p]) && p - a < 4)
			p++;
		if (p == a || p - a > 3)
			return 0;
		digits += (int)(p - a);
		if (g == 3)
			break;
		if (p < len && t[p] == ' ')
			p++;
		if (p >= len || (t[p] != '.' && t[p] != ','))
			return 0;
		p++;
		if (p < len && t[p] == ' ')
			p++;
	}
	if (digits < 7 || (p + 1 < len && (t[p] == '.' || t[p] == ',') && magi__is_digit((uc)t[p + 1])) ||
	    (p < len && magi__is_alpha((uc)t[p])))
		return 0;
	if (p + 1 < len && (t[p] == ':' || t[p] == '/') && magi__is_digit((uc)t[p + 1]))
		for (p++; p < len && magi__is_digit((uc)t[p]);)
			p++;
	return p;
}

/* The end of one of the labels at t[at] (a word, case ignored), or 0. */
static size_t label_at(const char *t, size_t len, size_t at, const char *const *labels)
{
	size_t best = 0;
	for (size_t k = 0; labels[k]; k++)
		if (magi__lower((uc)t[at]) == (uc)labels[k][0] && magi__word_at(t, len, at, labels[k])) {
			size_t e = at + strlen(labels[k]);
			best = e > best ? e : best;
		}
	return best;
}

/* One of the one-word labels as small type misreads it: one letter read as another (the
 * first one only in labels under five letters, and read as a capital: "HAC" for MAC), or a
 * stray glyph glued before a label of five letters or more ("jether", "Servel" for Server);
 * and words ending in "addr" of 5-8 letters when mac (ifconfig's HWaddr, ip's lladdr:
 * "Hiladdr"). Its end, or 0. */
static size_t label_fuzzy(const char *t, size_t len, size_t at, const char *const *labels, bool mac)
{
	size_t we = at;
	while (we < len && (magi__is_alpha((uc)t[we]) || t[we] == '/'))
		we++;
	size_t n = we - at;
	if (n < 3 || (we < len && magi__is_digit((uc)t[we])))
		return 0;
	if (mac && n >= 5 && n <= 8 && !strncasecmp(t + we - 4, "addr", 4))
		return we;
	/* the colon after a MAC label read as a glyph glued to it ("Macs S4F1...") */
	if (mac && n == 4 && !strncasecmp(t + at, "mac", 3) && strchr("sil", t[at + 3]) && we < len && t[we] == ' ')
		return we;
	for (size_t k = 0; labels[k]; k++) {
		size_t ll = strlen(labels[k]);
		if (strchr(labels[k], ' '))
			continue;
		if (n == ll + 1 && ll >= 5 && !strncasecmp(t + at + 1, labels[k], ll))
			return we;
		if (n != ll)
			continue;
		int off = 0;
		size_t where = 0;
		for (size_t j = 0; j < n; j++)
			if (magi__lower((uc)t[at + j]) != (uc)labels[k][j])
				off++, where = j;
		if (off == 1 && (ll >= 5 ? where > 0 : where == 0 && magi__is_upper((uc)t[at])))
			return we;
	}
	return 0;
}

/* A finding in fv over [s, e) other than a phone number's (an IBAN's digit groups read as
 * one: "IBAN (SEPA): CY¥28 9859 5326 ..." gives "28 9859 5326"; the IBAN is the stronger type). */
static bool overlaps(const struct magi__fvec *fv, size_t s, size_t e, enum magi_pii_type type)
{
	for (size_t k = 0; k < fv->n; k++)
		if (fv->v[k].start < e && s < fv->v[k].end &&
		    !(type == MAGI_PII_IBAN && fv->v[k].type == MAGI_PII_PHONE))
			return true;
	return false;
}

/* The link-local prefix (RFC 4291 2.5.6, fe80::/10) as its own label: "fe80" as small type
 * reads it (f as F, £ or #; 8 as B, R, S or s; 0 as O, o or Q; the e and two of the four
 * glyphs as they are: "FERO", "#e80", "£e80"), then ':', '.' or ';' and the rest of an
 * address, read as read_value reads a labelled one: 8+ hex glyphs (6+ true ones) after the
 * prefix, a colon among them, at most a quarter other glyphs ("FE80.<tab>F7D : DBD2
 * D99E", "FERO: : 150F 1E79F F402"). Its end, or 0. */
static size_t fe80_noisy(const char *t, size_t len, size_t i, struct label_value *v)
{
	size_t q = i, b;
	char h;
	int exact = 0;
	if (!(b = magi__pii_noisy_hex(t, len, q, &h)) || h != 'f')
		return 0;
	exact += magi__lower((uc)t[q]) == 'f';
	q += b;
	if (q + 3 >= len || magi__lower((uc)t[q]) != 'e' || !strchr("8BRSs", t[q + 1]) || !t[q + 1])
		return 0;
	exact += 1 + (t[q + 1] == '8');
	q += 2;
	if (!(b = magi__pii_noisy_hex(t, len, q, &h)) || h != '0')
		return 0;
	exact += t[q] == '0';
	q += b;
	/* the prefix's colon lost to a gap (a tab or a space) only with three glyphs exact */
	bool gap = exact >= 3 && q < len && (t[q] == ' ' || t[q] == '\t');
	if (exact < 2 || q >= len || (t[q] != ':' && t[q] != '.' && t[q] != ';' && !gap))
		return 0;
	int colons = t[q] != '.' && !gap;
	q++;
	for (size_t k = 0; k < 3 && q < len && (t[q] == ' ' || t[q] == '\t' || t[q] == ':'); k++)
		colons += t[q++] == ':';
	memset(v, 0, sizeof *v);
	v->zero = v->ones = true;
	if (q >= len || !read_tokens(t, len, q, 32, v))
		return 0;
	int glyphs = v->hex + v->looks + v->other;
	if (v->hex < 6 || v->hex + v->looks < 8 || v->colons + colons < 1 || 4 * v->other > glyphs || v->dashes ||
	    v->dots > v->colons + colons)
		return 0;
	v->s = i;
	return v->e;
}

/* Labels of an account held as an IBAN (ISO 13616) in the IBAN countries' languages; any
 * word holding "IBAN" ("(IBAN)", "HIBAN", "CIBAN)" as small type reads the parenthesis) is
 * one too. After these the value must open with a capital (the country code). */
static const char *const account_labels[] = {
	"account", "bank account", "account number", "kontonummer", "konto", "compte", "cuenta",
	"conto", "conta", "rekening", "rekeningnummer", "numéro de compte", "número de cuenta", NULL};
/* The value after an IBAN or account label ending at t[q]: marks and spaces (a closing
 * parenthesis, a colon), then tokens of letters, digits and the signs small type makes of
 * capitals ("¥", "$"), up to the line's end or a word in lower case: 14-36 glyphs (an IBAN
 * is 15-34 characters), 6+ digits, at most four lower-case letters, at most nine tokens,
 * none longer than 34. With `cc`, its first glyph is a capital. Sets *s; its end or 0. */
static size_t iban_value(const char *t, size_t len, size_t q, bool cc, size_t *s)
{
	size_t p = q;
	int marks = 0;
	while (p < len && p - q < 5 && (t[p] == ' ' || t[p] == '\t' || t[p] == ':' || t[p] == ')' || t[p] == '(')) {
		marks += t[p] != ' ' && t[p] != '\t';
		p++;
	}
	/* a word in parentheses goes with the label ("IBAN (SEPA):") */
	if (p < len && t[p - 1] == '(') {
		size_t c = p;
		while (c < len && c - p < 8 && magi__is_alpha((uc)t[c]))
			c++;
		if (c < len && c > p && t[c] == ')') {
			p = c + 1;
			while (p < len && p - c < 4 && (t[p] == ' ' || t[p] == '\t' || t[p] == ':'))
				p++;
		}
	}
	if (p == q || marks > 2 || p >= len || (cc && !magi__is_upper((uc)t[p])))
		return 0;
	*s = p;
	size_t e = p;
	int glyphs = 0, digits = 0, lower = 0, tokens = 0;
	while (p < len && t[p] != '\n') {
		while (p < len && (t[p] == ' ' || t[p] == '\t'))
			p++;
		size_t a = p;
		int g = 0, d = 0, lo = 0, run = 0, longest = 0;
		while (p < len && t[p] != ' ' && t[p] != '\t' && t[p] != '\n') {
			uc c = (uc)t[p];
			if (c != '-') {
				g++;
				d += magi__is_digit(c);
				lo += magi__is_lower(c);
				run = magi__is_lower(c) ? run + 1 : 0;
				longest = run > longest ? run : longest;
			}
			p++;
			if (c >= 0xC0)
				while (p < len && ((uc)t[p] & 0xC0) == 0x80)
					p++;
		}
		if (p == a || longest >= 3 || g > 34 || glyphs + g > 36)
			break;
		glyphs += g, digits += d, lower += lo;
		tokens++;
		e = p;
	}
	while (e > *s && (t[e - 1] == '.' || t[e - 1] == ',' || t[e - 1] == ':' || t[e - 1] == ';'))
		e--, glyphs--;
	if (glyphs < 14 || digits < 6 || lower > 4 || tokens > 9)
		return 0;
	return e;
}

/* A word at t[at] holding "IBAN" (4-7 glyphs: "(IBAN)", "HIBAN", "CIBAN)"): its end, or 0. */
static size_t iban_word(const char *t, size_t len, size_t at)
{
	size_t we = at;
	while (we < len && we - at < 8 && t[we] != ' ' && t[we] != '\t' && t[we] != '\n' && t[we] != ':')
		we++;
	if (we - at < 4 || we - at > 7)
		return 0;
	for (size_t k = at; k + 4 <= we; k++)
		if (!strncasecmp(t + k, "iban", 4) && !(k > at && magi__is_lower((uc)t[k - 1])))
			return we;
	return 0;
}

/* The score of a value known by its label alone: below every rule that reads the value. */
#define LABEL_SCORE 0.45f

magi_status magi__pii_labelled_values(const char *t, size_t len, uint32_t types, struct magi__fvec *fv)
{
	bool mac = types & MAGI_PII_BIT(MAGI_PII_MAC), ipv6 = types & MAGI_PII_BIT(MAGI_PII_IPV6),
	     ipv4 = types & MAGI_PII_BIT(MAGI_PII_IPV4);
	for (size_t at = 0; at < len; at++) {
		if (!magi__pii_left_boundary(t, at))
			continue;
		struct label_value v;
		enum magi_pii_type type = MAGI_PII__COUNT;
		size_t q;
		bool label = magi__is_alpha((uc)t[at]) && magi__pii_label_start(t, at);
		if (!label)
			;
		else if (mac && ((q = label_at(t, len, at, mac_labels)) || (q = label_fuzzy(t, len, at, mac_labels, true))) &&
			 read_value(t, len, q, 14, &v) && mac_value(&v))
			type = MAGI_PII_MAC;
		else if (ipv6 && (q = label_at(t, len, at, ipv6_labels)) && read_value(t, len, q, 40, &v) &&
			 ipv6_value(&v, 1))
			type = MAGI_PII_IPV6;
		else if (ipv6 &&
			 ((q = label_at(t, len, at, host_labels)) || (q = label_fuzzy(t, len, at, host_labels, false))) &&
			 read_value(t, len, q, 40, &v) && ipv6_value(&v, 2))
			type = MAGI_PII_IPV6;
		else if (ipv4 && ((q = label_at(t, len, at, host_labels)) || (q = label_at(t, len, at, ipv4_labels))) &&
			 (v.e = ipv4_value(t, len, q, &v.s)) != 0)
			type = MAGI_PII_IPV4;
		size_t ib = 0;
		/* "IBAN" is a label wherever it stands ("Kontonummer (IBAN):") */
		if (type == MAGI_PII__COUNT && (label || iban_word(t, len, at)) && (types & MAGI_PII_BIT(MAGI_PII_IBAN)) &&
		    (((q = iban_word(t, len, at)) && (ib = iban_value(t, len, q, false, &v.s))) ||
		     ((q = label_at(t, len, at, account_labels)) && (ib = iban_value(t, len, q, true, &v.s)) &&
		      magi__find_ci(t, ib, v.s, "iban") == SIZE_MAX))) {
			v.e = ib;
			type = MAGI_PII_IBAN;
		}
		if (type == MAGI_PII__COUNT && ipv6 && (t[at] == 'f' || t[at] == 'F' || t[at] == '#' || (uc)t[at] == 0xC2) &&
		    fe80_noisy(t, len, at, &v))
			type = MAGI_PII_IPV6;
		if (type == MAGI_PII__COUNT || overlaps(fv, v.s, v.e, type))
			continue;
		/* the IBAN takes the place of phone numbers read inside it (the first claim wins) */
		size_t w = 0;
		for (size_t k = 0; k < fv->n; k++) {
			const struct magi_pii_finding *f = &fv->v[k];
			if (type == MAGI_PII_IBAN && f->type == MAGI_PII_PHONE && f->start < v.e && v.s < f->end) {
				free(f->name);
				free(f->text);
				continue;
			}
			fv->v[w++] = *f;
		}
		fv->n = w;
		magi_status st = magi__fvec_push_repaired(fv, type, v.s, v.e, LABEL_SCORE);
		if (st)
			return st;
		at = v.e;
	}
	return MAGI_OK;
}
