/* pii_net.c — network identifiers: IPv4, IPv6 and MAC addresses, strictly and as OCR
 * leaves small text (look-alike glyphs, spaces, doubled or mixed separators). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "guard/pii_internal.h"
#include "core/common.h"

/* ---- IPv4, IPv6, MAC ------------------------------------------------------------------- */
/* An address that can name one host (RFC 1122, RFC 5771, RFC 919): not "this network"
 * 0.0.0.0/8, loopback 127.0.0.0/8, multicast 224.0.0.0/4, the limited broadcast or a
 * netmask (255 and contiguous ones: "255.255.255.0"). */
static bool ipv4_host(const int *oct)
{
	if (oct[0] == 0 || oct[0] == 127 || (oct[0] >= 224 && oct[0] <= 239))
		return false;
	if (oct[0] != 255)
		return true;
	uint32_t v = ((uint32_t)oct[0] << 24) | ((uint32_t)oct[1] << 16) | ((uint32_t)oct[2] << 8) | (uint32_t)oct[3];
	uint32_t inv = ~v;
	return (inv & (inv + 1)) != 0; /* not ones followed by zeros */
}

static const char *const version_words[] = {"version", "ver", "build", "release", "v", "rev",
					    "v8", "update", "upgrade", "updated", "upgraded", "bump",
					    "firmware", "section", "sections", "chapter", "clause",
					    "paragraph", "figure", "table", "step", "oid", NULL};

/* The end of a CIDR prefix length ("/24", RFC 4632; "/64", RFC 4291) at t[q] of at most
 * max, or q when there is none. */
static size_t prefix_len_end(const char *t, size_t len, size_t q, int max)
{
	if (q + 1 >= len || t[q] != '/' || !magi__is_digit((uc)t[q + 1]))
		return q;
	size_t k = q + 1;
	int v = 0;
	while (k < len && magi__is_digit((uc)t[k]) && k - q <= 3)
		v = v * 10 + (t[k++] - '0');
	if (v > max || (k < len && magi__is_alnum((uc)t[k])))
		return q;
	return k;
}

static const char *const ip_words[] = {"ip", "ipv4", "inet", "addr", "address", "host", "http", "https",
				       "server", "gateway", "dns", "remote", "peer", "connected",
				       "listening", "nameserver", "client", NULL};

magi_status magi__pii_ipv4(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 0; i < len; i++) {
		if (!magi__is_digit((uc)t[i]) || !magi__pii_left_boundary(t, i) ||
		    (i > 0 && (t[i - 1] == '.' || t[i - 1] == '-')))
			continue;
		size_t q = i;
		int oct[4], nds[4], k = 0, commas = 0, spaces = 0, gaps = 0;
		bool ok = true, spaced = false;
		for (; k < 4; k++) {
			int v = 0, nd = 0;
			size_t s = q;
			while (q < len && magi__is_digit((uc)t[q]) && nd < 4) {
				v = v * 10 + (t[q] - '0');
				q++;
				nd++;
			}
			if (nd == 0 || nd > 3 || v > 255 || (nd > 1 && t[s] == '0')) {
				ok = false;
				break;
			}
			oct[k] = v;
			nds[k] = nd;
			if (k < 3) {
				/* a space before the dot ("10.87.64 .53") or its comma ("192,168,177
				 * ,119"): after an IP label */
				if (q + 2 < len && t[q] == ' ' && (t[q + 1] == '.' || t[q + 1] == ',') &&
				    magi__is_digit((uc)t[q + 2])) {
					spaces++;
					q++;
				}
				if (q >= len || t[q] != '.') {
					/* OCR reads a dot as ",." or ',' now and then ("10,.183.183.44",
					 * "178.183.140,53") */
					if (q + 1 < len && t[q] == ',' && t[q + 1] == '.' && !spaced) {
						spaced = true;
						q++;
					} else if (q + 2 < len && t[q] == ',' &&
						   (magi__is_digit((uc)t[q + 1]) ||
						    (t[q + 1] == ' ' && magi__is_digit((uc)t[q + 2])))) {
						commas++;
					} else if (q + 1 < len && t[q] == ' ' && magi__is_digit((uc)t[q + 1]) && !gaps &&
						   k > 0) {
						gaps++; /* one dot lost ("10.164 224.143") */
					} else {
						ok = false;
						break;
					}
				}
				q++;
				/* OCR puts a space after a dot now and then: "192. 168.1.20"; some small
				 * fonts read every dot as ", " or ". " ("192,168, 86,74") */
				if (q + 1 < len && t[q] == ' ' && magi__is_digit((uc)t[q + 1])) {
					spaces += spaced || t[q - 1] == ',';
					spaced = true;
					q++;
				}
			}
		}
		/* commas only where no thousands grouping reads them ("1,200,250,100" is a
		 * number): some group after the first is not three digits long */
		bool labelled = magi__pii_context_has(t, i, 24, ip_words);
		/* a port or a prefix length glued to it ("198,181,253,24:8443", "10,54,143,93/9",
		 * "192. 168.44. 172:8443") says address as a label does */
		bool port = q + 1 < len && (t[q] == ':' || t[q] == '/') && magi__is_digit((uc)t[q + 1]) &&
			    spaces <= 2 && !gaps;
		if (ok && commas && nds[1] == 3 && nds[2] == 3 && nds[3] == 3 && !labelled && !port)
			ok = false;
		/* every dot read as a comma without a label or port (small type: "172,26,198,237"):
		 * only when no thousands grouping reads it (above), two octets or more are three
		 * digits long (a list of small numbers is none: "1,0,0,1") and it is no part of a
		 * longer comma list; `repaired` */
		int long_oct = (nds[0] == 3) + (nds[1] == 3) + (nds[2] == 3) + (nds[3] == 3);
		bool in_list = (i > 0 && t[i - 1] == ',') || (i > 1 && t[i - 1] == ' ' && t[i - 2] == ',') ||
			       (q + 1 < len && t[q] == ',' &&
				(magi__is_digit((uc)t[q + 1]) ||
				 (t[q + 1] == ' ' && q + 2 < len && magi__is_digit((uc)t[q + 2]))));
		bool comma_quad = ok && commas == 3 && !spaces && !gaps && !labelled && !port &&
				  long_oct >= 2 && !in_list;
		/* more than one, or with spaces, only after an IP label: "1,0,0,1" and "10, 20,
		 * 30, 40" are lists */
		if ((commas > 1 || spaces || gaps) && !labelled && !port && !comma_quad)
			ok = false;
		if (!ok) {
			while (i + 1 < len && magi__is_digit((uc)t[i + 1]))
				i++;
			continue;
		}
		if ((q < len && (magi__is_alnum((uc)t[q]) ||
				 ((t[q] == '.' || t[q] == '-') && q + 1 < len &&
				  magi__is_digit((uc)t[q + 1])))) ||
		    !ipv4_host(oct) || magi__pii_context_has(t, i, 16, version_words)) {
			i = q;
			continue;
		}
		q = prefix_len_end(t, len, q, 32);
		magi_status st = magi__fvec_push(fv, MAGI_PII_IPV4, i, q,
						 comma_quad ? MAGI_PII_SCORE_REPAIRED : 1.0f, NULL);
		if (st)
			return st;
		fv->v[fv->n - 1].repaired = comma_quad;
		i = q;
	}
	return MAGI_OK;
}

/* One "::" at most; groups of 1-4 hex digits; 8 groups without "::", fewer with it; a
 * dotted IPv4 tail counts as two groups. */
static bool ipv6_valid(const char *s, size_t n)
{
	int groups = 0, dbl = 0, colons = 0;
	size_t p = 0;
	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		dbl = 1;
		colons = 2;
		p = 2;
	} else if (n && s[0] == ':') {
		return false;
	}
	while (p < n) {
		size_t g = p;
		bool dot = false;
		while (p < n && s[p] != ':') {
			dot |= s[p] == '.';
			p++;
		}
		size_t gl = p - g;
		if (gl == 0)
			return false;
		if (dot) {
			if (p != n)
				return false;
			int oct = 0, v = -1;
			for (size_t k = g; k <= p; k++) {
				if (k == p || s[k] == '.') {
					if (v < 0 || v > 255)
						return false;
					oct++;
					v = -1;
				} else if (magi__is_digit((uc)s[k])) {
					v = (v < 0 ? 0 : v * 10) + (s[k] - '0');
					if (v > 999)
						return false;
				} else {
					return false;
				}
			}
			if (oct != 4)
				return false;
			groups += 2;
		} else {
			if (gl > 4)
				return false;
			groups++;
		}
		if (p < n) { /* at ':' */
			colons++;
			p++;
			if (p < n && s[p] == ':') {
				if (++dbl > 1)
					return false;
				colons++;
				p++;
			} else if (p == n) {
				return false;
			}
		}
	}
	/* "::" with a single group ("b::", "::1") is an option's spelling or loopback, not
	 * an interface's address */
	if (colons < 2 || groups < 1 || (dbl && groups < 2))
		return false;
	return dbl ? groups <= 7 : groups == 8;
}

/* An address that can name one interface (RFC 4291): not multicast ff00::/8 (a first
 * group "ffXX"), which also keeps out masks of all ones ("ffff:ffff:..."). norm: the
 * address as read. */
static bool ipv6_host(const char *norm, size_t n)
{
	size_t g = 0;
	while (g < n && norm[g] != ':')
		g++;
	return !(g == 4 && magi__lower((uc)norm[0]) == 'f' && magi__lower((uc)norm[1]) == 'f');
}

/* Hex digit, or a letter OCR wrote for one (l/I for 1, O/o for 0). */
static char hexish(uc c)
{
	if (magi__is_hex(c))
		return (char)c;
	if (c == 'l' || c == 'I')
		return '1';
	if (c == 'O' || c == 'o')
		return '0';
	return 0;
}

/* A hex digit as OCR may have read it at t[q]: the digit (any case), or a glyph small
 * screen text turns one into — S for 5, O/o/Q for 0, l/I/| for 1, G for 6, t { # for f,
 * and the UTF-8 £ and ° for f, ¢ for c, é for 6, € for e. Sets *h and returns the bytes read; 0 when
 * t[q] is none of these. */
static size_t noisy_hex(const char *t, size_t len, size_t q, char *h)
{
	uc c = (uc)t[q];
	if (magi__is_hex(c)) {
		*h = (char)magi__lower(c);
		return 1;
	}
	char d = hexish(c);
	if (d || c == 'S' || c == '|') {
		*h = d ? d : c == 'S' ? '5' : '1';
		return 1;
	}
	if (q + 1 < len && c == 0xC2 && ((uc)t[q + 1] == 0xA3 || (uc)t[q + 1] == 0xA2)) {
		*h = (uc)t[q + 1] == 0xA3 ? 'f' : 'c';
		return 2;
	}
	if (q + 1 < len && c == 0xC3 && (uc)t[q + 1] == 0xA9) {
		*h = '6';
		return 2;
	}
	if (c == '#') { /* "#e80:", "9a:#7" for fe80, f7 */
		*h = 'f';
		return 1;
	}
	if (c == 'Q') { /* "SAQASA3FF14F" for 5A0A5A... */
		*h = '0';
		return 1;
	}
	if (c == 'G') { /* "AG:06" for A6 */
		*h = '6';
		return 1;
	}
	if (q + 1 < len && c == 0xC2 && (uc)t[q + 1] == 0xB0) { /* "57:°9" for f9 */
		*h = 'f';
		return 2;
	}
	if (c == '{' || c == 't') {
		*h = 'f';
		return 1;
	}
	if (q + 2 < len && c == 0xE2 && (uc)t[q + 1] == 0x82 && (uc)t[q + 2] == 0xAC) {
		*h = 'e';
		return 3;
	}
	return 0;
}

/* A finding of the noisy readers: a look-alike read as another glyph makes it `repaired`
 * (score MAGI_PII_SCORE_REPAIRED); spaces or doubled separators alone score 0.85. */
static magi_status push_noisy(struct magi__fvec *fv, enum magi_pii_type type, size_t i, size_t e,
			      bool repaired)
{
	magi_status st = magi__fvec_push(fv, type, i, e, repaired ? MAGI_PII_SCORE_REPAIRED : 0.85f, NULL);
	if (!st)
		fv->v[fv->n - 1].repaired = repaired;
	return st;
}

/* Hex glyphs (as noisy_hex reads them) starting at t[q], up to max. */
static size_t hex_chunk(const char *t, size_t len, size_t q, size_t max)
{
	size_t n = 0;
	char h;
	size_t b;
	while (n <= max && q < len && (b = noisy_hex(t, len, q, &h)) != 0) {
		q += b;
		n++;
	}
	return n;
}

/* A network prefix in CIDR notation (RFC 4291 2.3, "2001:db8:ab::/48") as small type reads
 * it: 3-7 groups of hex glyphs (look-alikes as noisy_hex reads them), then ':' or '::' (or
 * ": :") and a prefix length of at most 128 — the "::/N" ending anchors it, so two full
 * groups suffice and one group may carry a glyph too many ("fce8a:ce82:38ac:9ee::/32"),
 * and a lost colon of the "::" is read back ("{082:736:13fd:a773:/64"). Only readings
 * the strict reader cannot take (some fault read through); the end or 0. */
static size_t ipv6_prefix_noisy(const char *t, size_t len, size_t i)
{
	size_t q = i;
	int ng = 0, full = 0, g5 = 0, faults = 0, dbl = 0;
	char h;
	for (;;) {
		int gl = 0;
		size_t b;
		while (q < len && (b = noisy_hex(t, len, q, &h)) != 0) {
			faults += !magi__is_hex((uc)t[q]);
			q += b;
			if (++gl > 5)
				return 0;
		}
		if (!gl || q >= len || t[q] != ':' || ++ng > 7)
			return 0;
		full += gl == 4;
		g5 += gl == 5;
		q++;
		bool two = q < len && t[q] == ':';
		if (!two && q + 1 < len && t[q] == ' ' && t[q + 1] == ':')
			two = true, q++;
		if (two) {
			if (dbl++)
				return 0;
			q++;
		}
		if (q < len && t[q] == '/') {
			faults += !two; /* "a773:/64": one colon of the "::" lost */
			break;
		}
	}
	size_t e = prefix_len_end(t, len, q, 128);
	if (e == q || ng < 3 || full < 2 || g5 > 1 || !(faults + g5) || faults + g5 > 3)
		return 0;
	return e;
}

/* IPv6 addresses as small text comes out of OCR, where the strict reading failed: look-
 * alike glyphs ("4c£6", "bSdc", "1¢32"), spaces inside a group or next to a colon
 * ("b6 1b", "7cae: £425"), ';' or 'i' for a colon ("8afaie825"), and up to two groups
 * with one glyph too many ("dce4f"). Taken are the full eight-group form, whose shape
 * alone (seven colons between hex groups) is rare outside addresses (MAC addresses have
 * six groups), and the compressed form with "::" when it has five or more groups, three
 * of them four glyphs long. Tested on the generated screenshots (scripts/gen-pii-shots). */
magi_status magi__pii_ipv6_noisy(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 0; i < len; i++) {
		char h;
		if (!noisy_hex(t, len, i, &h) || (i > 0 && (magi__is_alnum((uc)t[i - 1]) ||
							    t[i - 1] == ':' || t[i - 1] == '.')))
			continue;
		int gl[8] = {0}, ng = 1, repairs = 0, dbl = 0;
		size_t q = i, end = i;
		while (q < len) {
			uc c = (uc)t[q];
			size_t b = noisy_hex(t, len, q, &h);
			char h2;
			/* a fifth glyph after a full group that is a colon's look-alike in small
			 * type ("7ea32624b", "3c93zed24", "fe801:93df", "9575385ad"): the colon */
			if (gl[ng - 1] == 4 && ng < 8 && (c == '2' || c == 'z' || c == '1' || c == '3') &&
			    q + 1 < len &&
			    noisy_hex(t, len, q + 1, &h2)) {
				repairs++;
				ng++;
				q++;
				continue;
			}
			if (b) {
				if (gl[ng - 1] >= 6)
					break;
				repairs += !magi__is_hex(c);
				gl[ng - 1]++;
				q += b;
				end = q;
			} else if (c == ':' || c == ';' ||
				   (c == 'i' && gl[ng - 1] >= 1 && hex_chunk(t, len, q + 1, 4) >= 1 &&
				    gl[ng - 1] + hex_chunk(t, len, q + 1, 4) > 4)) {
				/* one "::" (an empty group) at most, also read ": :" */
				size_t pc = q;
				while (pc > i && t[pc - 1] == ' ')
					pc--;
				if ((gl[ng - 1] == 0 && (dbl || ng == 1 || t[pc - 1] != ':')) || ng == 8)
					break;
				dbl += gl[ng - 1] == 0;
				repairs += c != ':';
				ng++;
				q++;
				/* a colon read doubled with a dot (":.cc4a", small type's stray dot) */
				if (q + 1 < len && t[q] == '.' && noisy_hex(t, len, q + 1, &h2)) {
					repairs++;
					q++;
				}
			} else if (c == ' ' && q + 1 < len) {
				/* a space next to a colon, or inside a group that stays <= 4 */
				uc n1 = (uc)t[q + 1];
				bool colon_next = n1 == ':' || n1 == ';';
				if (!(gl[ng - 1] == 0 || colon_next ||
				      (gl[ng - 1] + hex_chunk(t, len, q + 1, 4) <= 4 &&
				       hex_chunk(t, len, q + 1, 4) >= 1)))
					break;
				q++;
			} else {
				break;
			}
		}
		/* a prefix ending in "::" ("311c:2b40:8a34:a071::/56"): the empty last group
		 * is the "::" itself */
		bool tail = dbl && ng >= 2 && gl[ng - 1] == 0 && gl[ng - 2] == 0;
		if (tail) {
			size_t pc = q;
			while (pc > i && t[pc - 1] == ' ')
				pc--;
			end = pc;
		}
		int g5 = 0, full = 0;
		bool ok = (gl[ng - 1] >= 1 || tail) && (dbl ? ng >= 5 : ng == 8);
		for (int k = 0; k < ng && ok; k++) {
			ok = gl[k] <= 5 && (gl[k] >= 1 || dbl);
			g5 += gl[k] == 5;
			full += gl[k] == 4;
		}
		/* the compressed form ("2001:db8:f174:d5a3::5tb1") is shorter: it must carry
		 * at least three full groups */
		ok = ok && (!dbl || full >= 3);
		ok = ok && g5 <= 2 && repairs + g5 <= 4;
		if (ok && end < len && magi__is_alnum((uc)t[end]))
			ok = false;
		if (ok) {
			if (tail)
				end = prefix_len_end(t, len, end, 128);
			magi_status st = push_noisy(fv, MAGI_PII_IPV6, i, end, repairs > 0);
			if (st)
				return st;
			i = end;
		} else if ((end = ipv6_prefix_noisy(t, len, i)) != 0) {
			magi_status st = push_noisy(fv, MAGI_PII_IPV6, i, end, true);
			if (st)
				return st;
			i = end;
		}
	}
	return MAGI_OK;
}

magi_status magi__pii_ipv6(const char *t, size_t len, struct magi__fvec *fv)
{
	char norm[80];
	for (size_t i = 0; i < len; i++) {
		uc c = (uc)t[i];
		/* a colon starts an address only as "::" (a label's colon does not) */
		if (!(magi__is_hex(c) || (c == ':' && i + 1 < len && t[i + 1] == ':')) ||
		    (i > 0 && (magi__is_alnum((uc)t[i - 1]) || t[i - 1] == ':' || t[i - 1] == '.' ||
			       t[i - 1] == '-')))
			continue;
		/* read hex, ':' and '.', mapping look-alikes and skipping spaces next to a ':'
		 * ("2001:db8: 76bf :926c") */
		size_t q = i, n = 0, end_at[80];
		while (q < len && n < sizeof norm - 1) {
			uc d = (uc)t[q];
			char h = hexish(d);
			if (d == ':' || d == '.' || h) {
				norm[n] = d == ':' || d == '.' ? (char)d : h;
				end_at[n++] = q + 1;
				q++;
			} else if (d == ' ' && n && q + 1 < len &&
				   (norm[n - 1] == ':' || t[q + 1] == ':')) {
				q++;
			} else {
				break;
			}
		}
		norm[n] = '\0';
		size_t m = n;
		while (m > 0 && norm[m - 1] == '.')
			m--;
		/* a sentence may end right after the address: "at fe80::1:" */
		if (m > 1 && norm[m - 1] == ':' && norm[m - 2] != ':')
			m--;
		bool glued = q < len && magi__is_alnum((uc)t[q]);
		if (!glued && m >= 3 && ipv6_valid(norm, m) && ipv6_host(norm, m)) {
			size_t e = end_at[m - 1];
			/* a zone id (RFC 4007 "fe80::1%eth0"; "%25eth0" in a URI, RFC 6874) or a
			 * prefix length belongs to the address */
			if (e + 1 < len && t[e] == '%' && magi__is_alnum((uc)t[e + 1])) {
				e++;
				while (e < len && (magi__is_alnum((uc)t[e]) || t[e] == '-' || t[e] == '_' ||
						   t[e] == '.' || t[e] == '~'))
					e++;
				while (e > 0 && t[e - 1] == '.')
					e--;
			}
			e = prefix_len_end(t, len, e, 128);
			magi_status st = magi__fvec_push(fv, MAGI_PII_IPV6, i, e, 1.0f, NULL);
			if (st)
				return st;
			i = e;
		} else {
			i = q > i ? q - 1 : i;
		}
	}
	return MAGI_OK;
}

/* The end of a dotted quad naming a host at t[i] (octets 0-255 without leading zeros,
 * split by dots or, as small type reads them, by commas), or 0. */
static size_t host_quad(const char *t, size_t len, size_t i)
{
	int oct[4];
	size_t q = i;
	for (int k = 0; k < 4; k++) {
		int v = 0, nd = 0;
		size_t s = q;
		while (q < len && magi__is_digit((uc)t[q]) && nd < 4)
			v = v * 10 + (t[q++] - '0'), nd++;
		if (nd == 0 || nd > 3 || v > 255 || (nd > 1 && t[s] == '0'))
			return 0;
		oct[k] = v;
		if (k < 3) {
			/* dots, or small type's commas (also one among dots: "10.70,36.223") */
			if (q >= len || (t[q] != '.' && t[q] != ','))
				return 0;
			q++;
		}
	}
	if ((q < len && (magi__is_alnum((uc)t[q]) || ((t[q] == '.' || t[q] == ',') && q + 1 < len &&
						      magi__is_digit((uc)t[q + 1])))) ||
	    !ipv4_host(oct))
		return 0;
	return q;
}

/* The IPv4-mapped form (RFC 4291 2.5.5.2, "::ffff:192.0.2.1") as small type reads its
 * "::ffff:" ("rif FFF210.198.220.127", "FPPF 1192.168.216.102", "riPfPf :101.27.218.3"):
 * a dotted quad naming a host right after a run of f-like glyphs (f F P { £) and the
 * colons' look-alikes (r i : ;) holding three to five f-like ones, with at most one glyph
 * for the last colon (':' ';' or a glued 1 or 2) and spaces between. `repaired`. */
magi_status magi__pii_ipv6_mapped_noisy(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 1; i + 7 <= len; i++) {
		if (!magi__is_digit((uc)t[i]) || (magi__is_digit((uc)t[i - 1]) && i >= 2 &&
						    magi__is_digit((uc)t[i - 2])))
			continue;
		size_t e = host_quad(t, len, i);
		if (!e)
			continue;
		size_t p = i;
		if (strchr(":;12", t[p - 1]))
			p--;
		while (p > 0 && t[p - 1] == ' ')
			p--;
		int fl = 0, other = 0;
		while (p > 0) {
			uc c = (uc)t[p - 1];
			if (p >= 2 && (uc)t[p - 2] == 0xC2 && c == 0xA3) {
				fl++;
				p -= 2;
			} else if (c && strchr("fFP{", c)) {
				fl++;
				p--;
			} else if (c && strchr("ri:; ", c) && other < 4) {
				other += c != ' ';
				p--;
			} else {
				break;
			}
		}
		/* a label's colon before it is not the address's ("IPv6: rif FFF2...") */
		while (p < i && (t[p] == ' ' || t[p] == ':' || t[p] == ';'))
			p++;
		if (fl < 3 || fl > 5 || !magi__pii_left_boundary(t, p) || (p > 0 && t[p - 1] == '.'))
			continue;
		magi_status st = push_noisy(fv, MAGI_PII_IPV6, p, e, true);
		if (st)
			return st;
		i = e;
	}
	return MAGI_OK;
}

/* The all-zero and broadcast addresses (IEEE 802: ff-ff-ff-ff-ff-ff) name no interface:
 * true when the hex glyphs of t[i..e) are all 0 or all f. */
static bool mac_special(const char *t, size_t i, size_t e)
{
	bool zero = true, ones = true;
	for (size_t k = i; k < e; k++) {
		char h = hexish((uc)t[k]);
		if (!h)
			continue;
		zero &= h == '0';
		ones &= magi__lower((uc)h) == 'f';
	}
	return zero || ones;
}

static const char *const mac_words[] = {"mac", "hwaddr", "hhaddr" /* small type's HWaddr */, "ether", "link/ether", "bssid",
					"hardware address", "physical address", "mac address",
					"wi-fi address", "ethernet address", "adresse mac", NULL};

magi_status magi__pii_macs(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 0; i + 12 <= len; i++) {
		if (!magi__is_hex((uc)t[i]) || !magi__pii_left_boundary(t, i))
			continue;
		size_t e = 0;
		char s = i + 2 < len ? t[i + 2] : 0;
		if ((s == ':' || s == '-') && i + 17 <= len) {
			bool ok = true;
			for (int g = 0; g < 6 && ok; g++) {
				size_t p = i + (size_t)g * 3;
				ok = hexish((uc)t[p]) && hexish((uc)t[p + 1]) &&
				     (g == 5 || t[p + 2] == s);
			}
			if (ok)
				e = i + 17;
		} else if (i + 14 <= len && t[i + 4] == '.') {
			bool ok = true;
			for (int g = 0; g < 3 && ok; g++) {
				size_t p = i + (size_t)g * 5;
				for (int k = 0; k < 4; k++)
					ok = ok && hexish((uc)t[p + (size_t)k]);
				ok = ok && (g == 2 || t[p + 4] == '.');
			}
			if (ok)
				e = i + 14, s = '.';
		} else {
			/* twelve hex digits in one block, after a MAC label ("HWaddr 001A2B3C4D5E") */
			size_t k = i;
			while (k < len && magi__is_hex((uc)t[k]) && k - i <= 12)
				k++;
			if (k - i == 12 && magi__pii_context_has(t, i, 24, mac_words))
				e = k, s = 0;
		}
		/* six groups inside a longer chain ("...:98:BC:D9:04:C3:B2:..." of a
		 * certificate's fingerprint) are no MAC address */
		if (!e || (e < len && (magi__is_alnum((uc)t[e]) ||
				       (s && t[e] == s && e + 1 < len && magi__is_hex((uc)t[e + 1])))) ||
		    (s && i >= 2 && t[i - 1] == s && magi__is_hex((uc)t[i - 2])) || mac_special(t, i, e))
			continue;
		magi_status st = magi__fvec_push(fv, MAGI_PII_MAC, i, e, 1.0f, NULL);
		if (st)
			return st;
		i = e;
	}
	return MAGI_OK;
}

/* Separator bytes between two MAC groups as OCR leaves them: ':', '-', '.', ';' or an
 * en/em dash, one or two of them, with spaces around ("BA: 28", "E4—-E9", "95- 10").
 * Returns the bytes and sets *kind to the first separator char (or '-' for a dash); 0 when
 * there is no separator char at all. */
static size_t mac_sep(const char *t, size_t len, size_t q, char *kind)
{
	size_t p = q, marks = 0;
	*kind = 0;
	while (p < len && p - q < 8) {
		size_t d = magi__pii_utf8_dash(t, len, p);
		char c = t[p];
		/* '~' is OCR's '-' in some fonts ("EC-FF-B4~71") */
		if (d || c == ':' || c == '-' || c == '.' || c == ';' || c == '~') {
			if (++marks > 2)
				return 0;
			if (!*kind)
				*kind = d || c == '~' ? '-' : c == ';' ? ':' : c;
			p += d ? d : 1;
		} else if (c == ' ') {
			p++;
		} else {
			break;
		}
	}
	return marks ? p - q : 0;
}

/* The dotted form ("3068.608d.ae2a") with one dot read as a comma or a look-alike inside:
 * three groups of four hex glyphs, at most two look-alikes; its end or 0. */
static size_t cisco_noisy(const char *t, size_t len, size_t i)
{
	size_t q = i;
	int repairs = 0, dots = 0, letters = 0, digit_groups = 0;
	char h;
	for (int g = 0; g < 3; g++) {
		int digits = 0;
		for (int k = 0; k < 4; k++) {
			size_t b = q < len ? noisy_hex(t, len, q, &h) : 0;
			if (!b)
				return 0;
			repairs += !magi__is_hex((uc)t[q]);
			digits += magi__is_digit((uc)t[q]);
			letters += magi__is_hex((uc)t[q]) && !magi__is_digit((uc)t[q]);
			q += b;
		}
		digit_groups += digits > 0;
		if (g < 2) {
			if (q >= len || (t[q] != '.' && t[q] != ','))
				return 0;
			dots += t[q++] == '.';
			/* small type's ", " or ". " ("8c71, Fc62, bd2F", "Beac. 4602,799e") */
			if (q + 1 < len && t[q] == ' ' && magi__is_alnum((uc)t[q + 1]))
				q++;
		}
	}
	/* every dot read as a comma (Cisco's form in small type: "c622,53bc,34Fb"): no look-
	 * alike, a hex letter and digits in two groups or more (words and years are none),
	 * not inside a longer comma list */
	bool commas = !dots && !repairs && letters && digit_groups >= 2 &&
		      !(i > 0 && (t[i - 1] == ',' || (i > 1 && t[i - 1] == ' ' && t[i - 2] == ','))) &&
		      !(q + 1 < len && t[q] == ',' && (magi__is_alnum((uc)t[q + 1]) || t[q + 1] == ' '));
	if (repairs > 2 || (!dots && !commas) || (q < len && magi__is_alnum((uc)t[q])) ||
	    mac_special(t, i, q))
		return 0;
	return q;
}

/* After a MAC label (HWaddr, link/ether, BSSID, ...), what small type leaves of an
 * address: hex groups of one or two glyphs split by colons, dashes, dots, commas or gaps
 * (a tab where OCR cut the line: "18:7;<tab>6:D4:01:57"), 9-12 hex glyphs in 5-6 groups
 * ("a0: ac:60:0f :5b", a group lost) or three groups of four ("2200 ,047d effa"), or one
 * block of 12 glyphs with one unreadable after its first ("COS683AC5R66", "4R0F277576F7"); two look-alikes at most (three
 * with the unreadable one in a block).
 * Returns the end or 0. */
static size_t mac_labelled_noisy(const char *t, size_t len, size_t i)
{
	if (!magi__pii_context_has(t, i, 24, mac_words))
		return 0;
	size_t q = i, end = 0;
	int groups = 0, glyphs = 0, repairs = 0, gl[8] = {0}, unknown = 0;
	char h;
	while (q < len && groups < 8) {
		size_t b = noisy_hex(t, len, q, &h);
		if (b) {
			repairs += !magi__is_hex((uc)t[q]);
			gl[groups]++;
			glyphs++;
			q += b;
			end = q;
			continue;
		}
		if (magi__is_alnum((uc)t[q]) && !unknown && gl[groups] >= 1) {
			unknown++; /* one glyph of a block read as no hex at all */
			gl[groups]++;
			glyphs++;
			q++;
			end = q;
			continue;
		}
		/* a separator: marks and gaps */
		size_t p = q;
		int marks = 0;
		while (p < len && p - q < 6 && strchr(":-.,; \t", t[p]) && t[p]) {
			marks += t[p] != ' ' && t[p] != '\t';
			p++;
		}
		if (p == q || !gl[groups] || marks > 2 || p >= len || !noisy_hex(t, len, p, &h))
			break;
		groups++;
		q = p;
	}
	if (!end)
		return 0;
	int ng = groups + 1;
	bool pairs = ng >= 5 && ng <= 6 && glyphs >= 9 && glyphs <= 12 && !unknown;
	for (int k = 0; k < ng && pairs; k++)
		pairs = gl[k] <= 2;
	bool quads = ng == 3 && gl[0] == 4 && gl[1] == 4 && gl[2] == 4 && !unknown;
	bool block = ng == 1 && gl[0] == 12;
	if (!(pairs || quads || block) || repairs + unknown > (block ? 3 : 2) ||
	    (end < len && magi__is_alnum((uc)t[end])) || mac_special(t, i, end))
		return 0;
	return end;
}

/* MAC addresses OCR garbled past the strict reading: look-alike glyphs, spaces and doubled
 * or mixed separators ("04:01:2F.8F.41:6B"). Six groups of exactly two hex glyphs, most
 * separators the same character, at most two look-alikes. */
magi_status magi__pii_macs_noisy(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 0; i < len; i++) {
		char h;
		if (!noisy_hex(t, len, i, &h) || !magi__pii_left_boundary(t, i))
			continue;
		size_t q = i, end = i;
		int groups = 0, repairs = 0, colon = 0, dash = 0, sep_read = 0;
		bool ok = true;
		while (ok && groups < 6) {
			for (int k = 0; k < 2 && ok; k++) {
				size_t b = q < len ? noisy_hex(t, len, q, &h) : 0;
				ok = b != 0;
				repairs += ok && !magi__is_hex((uc)t[q]);
				q += b;
			}
			if (!ok)
				break;
			groups++;
			end = q;
			if (groups == 6)
				break;
			char kind;
			size_t sl = mac_sep(t, len, q, &kind);
			/* one colon read as '2' or 'z' between two pairs ("1a2c6" for 1a:c6) */
			if (!sl && !sep_read && q + 2 < len && (t[q] == '2' || t[q] == 'z') &&
			    noisy_hex(t, len, q + 1, &h) && noisy_hex(t, len, q + 2, &h) &&
			    !(q + 3 < len && magi__is_alnum((uc)t[q + 3]))) {
				sl = 1, kind = 0, sep_read = 1;
				repairs++;
			}
			ok = sl != 0;
			colon += kind == ':';
			dash += kind == '-';
			q += sl;
		}
		/* a colon read as a glyph only among colons: four others at least */
		ok = ok && groups == 6 && repairs <= 2 && (colon >= 3 + sep_read || dash >= 3) &&
		     !(sep_read && !colon) &&
		     !(end < len && magi__is_alnum((uc)t[end])) && !mac_special(t, i, end);
		if (!ok) {
			repairs = 1;
			if (!(end = cisco_noisy(t, len, i)) && !(end = mac_labelled_noisy(t, len, i)))
				continue;
		}
		magi_status st = push_noisy(fv, MAGI_PII_MAC, i, end, repairs > 0);
		if (st)
			return st;
		i = end;
	}
	return MAGI_OK;
}
