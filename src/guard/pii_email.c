/* pii_email.c — e-mail addresses (RFC 5321/5322; RFC 6531 UTF-8 local parts; IDNA 2008
 * domains in Unicode or Punycode), strictly and as OCR leaves small text: spaces beside
 * '@' or a dot, a dot read as a comma, an '@' read as '8' or 'B' after a label. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "guard/pii_internal.h"
#include "core/common.h"

/* ---- e-mail ---------------------------------------------------------------------------- */
static bool email_local_char(uc c)
{
	return magi__is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' ||
	       c == '\'';
}

static const char *const common_tlds[] = {
	"com", "org", "net", "edu", "gov", "io", "co", "uk", "de", "fr", "es", "it", "nl", "ch",
	"at", "be", "info", "biz", "me", "us", "ca", "au", "jp", "ru", "cn", "pl", "se", "no", "dk",
	"fi", "eu", "app", "dev", "ai", "in", "br", NULL};

/* Generic TLDs of the root zone (IANA's list, the 2012 round's new gTLDs) of four letters or
 * more that addresses use: small type reads the dot before them as ", " or a space, and
 * only a word of the root zone's list is taken for a TLD there (session 11). */
static const char *const long_tlds[] = {
	"academy", "agency", "audio", "bank", "berlin", "bike", "blog", "build", "business", "cafe",
	"camera", "capital", "care", "center", "clinic", "cloud", "club", "codes", "coffee",
	"company", "computer", "consulting", "construction", "design", "dental", "digital",
	"directory", "education", "email", "energy", "engineering", "enterprises", "equipment",
	"events", "expert", "exposed", "family", "farm", "finance", "fitness", "foundation",
	"gallery", "garden", "global", "graphics", "group", "guru", "health", "holdings", "house",
	"industries", "institute", "insure", "international", "kitchen", "land", "legal", "lighting",
	"limited", "live", "london", "management", "marketing", "media", "museum", "network",
	"ninja", "online", "partners", "photo", "photography", "photos", "pictures", "plumbing",
	"press", "productions", "properties", "recipes", "rocks", "school", "services", "shop",
	"site", "social", "software", "solutions", "space", "store", "studio", "support",
	"systems", "team", "tech", "technology", "tips", "tools", "training", "travel",
	"university", "ventures", "website", "wiki", "works", "world", "xyz", "zone", NULL};

/* Length of a TLD of list standing as a whole word at t[i] (end, space, punctuation or a
 * further '.' after it), else 0. */
static size_t tld_of_list_at(const char *const *list, const char *t, size_t len, size_t i)
{
	for (size_t k = 0; list[k]; k++) {
		size_t tl = strlen(list[k]);
		if (i + tl <= len && !memcmp(t + i, list[k], tl) && (i + tl == len || !magi__is_alnum((uc)t[i + tl])))
			return tl;
	}
	return 0;
}

/* The length of a long gTLD (above) at t[i], of a common TLD (known_tld_at), or 0. */
static size_t long_tld_at(const char *t, size_t len, size_t i)
{
	return tld_of_list_at(long_tlds, t, len, i);
}

static size_t known_tld_at(const char *t, size_t len, size_t i)
{
	return tld_of_list_at(common_tlds, t, len, i);
}

/* true when the address ends its field at t[e]: the end, a line break, a tab, a closing
 * bracket or quote, or a sentence's period or semicolon at the end of its line. */
static bool tld_ends_field(const char *t, size_t len, size_t e)
{
	if (e < len && (t[e] == '.' || t[e] == ';'))
		e++;
	return e >= len || t[e] == '\n' || t[e] == '\t' || t[e] == '\r' || t[e] == '>' || t[e] == ')' ||
	       t[e] == ']' || t[e] == '"' || (t[e] == ' ' && e + 1 < len && t[e + 1] == ' ');
}

/* true when t[s..e) is a Punycode label ("xn--p1ai"; OCR's "xn—-plai" with a dash read
 * as an em or en dash). */
static bool punycode_label(const char *t, size_t e, size_t s)
{
	if (e < s + 5 || t[s] != 'x' || t[s + 1] != 'n')
		return false;
	size_t q = s + 2;
	for (int k = 0; k < 2; k++) {
		size_t d = t[q] == '-' ? 1 : magi__pii_utf8_dash(t, e, q);
		if (!d)
			return false;
		q += d;
	}
	return q < e;
}

/* A domain at t[d]: labels of letters, digits and dashes joined by dots, the last one (the
 * TLD) 2+ letters. OCR noise tolerated, measured on small screenshot text: "—" for '-', a
 * space after a dot when a common TLD follows ("outlook. com"), a dot read as a space
 * before a common TLD ("free fr"), and one space inside a label that a dotted common TLD
 * follows ("out look. com"). Returns the end, or 0. */
static size_t parse_domain(const char *t, size_t len, size_t d)
{
	size_t q = d, labels = 0, lab_start = d, end = 0;
	bool glued = false;
	for (;;) {
		lab_start = q;
		/* IDNA 2008 (RFC 5890): a label may be Unicode letters ("müller", "пример") or
		 * its Punycode form ("xn--mller-kva", RFC 3492) */
		size_t ul = 0;
		while (q < len && (magi__is_alnum((uc)t[q]) || t[q] == '-' ||
				   (ul = magi__pii_utf8_dash(t, len, q)) != 0 ||
				   (ul = magi__pii_utf8_letter(t, len, q, NULL)) != 0))
			q += magi__is_alnum((uc)t[q]) || t[q] == '-' ? 1 : ul;
		if (q == lab_start || t[lab_start] == '-' || t[q - 1] == '-')
			break;
		labels++;
		/* the TLD: 2+ letters, or a Punycode label ("xn--p1ai") */
		bool tld = q - lab_start >= 2;
		for (size_t r = lab_start; r < q && tld; r++)
			tld = magi__is_alpha((uc)t[r]) || (uc)t[r] >= 0x80;
		tld = tld || punycode_label(t, q, lab_start);
		if (labels >= 2 && tld)
			end = q;
		if (q + 1 < len && t[q] == '.' &&
		    (magi__is_alnum((uc)t[q + 1]) || magi__pii_utf8_letter(t, len, q + 1, NULL))) {
			q++;
			continue;
		}
		/* a dot OCR doubled ("orange..fr", session 10; the caller says `repaired`) */
		if (q + 2 < len && t[q] == '.' && t[q + 1] == '.' && magi__is_alpha((uc)t[q + 2])) {
			q += 2;
			continue;
		}
		/* "outlook. com", "company .co.uk", "company . co.uk", "free,fr": the dot
		 * spaced or read as a comma, before a common TLD */
		size_t gap = 0;
		if (q + 2 < len && ((t[q] == '.' && t[q + 1] == ' ') || (t[q] == ' ' && t[q + 1] == '.')))
			gap = q + 3 < len && t[q] == ' ' && t[q + 2] == ' ' ? 3 : 2;
		else if (q + 1 < len && t[q] == ',' && magi__is_alpha((uc)t[q + 1]))
			gap = 1;
		else if (q + 2 < len && t[q] == ' ' && t[q + 1] == ',' && magi__is_alpha((uc)t[q + 2]))
			gap = 2; /* the comma's stray space before it ("studio ,technology"): session 8 */
		else if (q + 2 < len && t[q] == ',' && t[q + 1] == ' ' && magi__is_alpha((uc)t[q + 2]) &&
			 q - lab_start >= 3)
			gap = 2; /* small fonts read every dot as ", " ("outlook, com", not "a@b, fr") */
		if (gap) {
			bool known = false;
			for (size_t k = 0; common_tlds[k] && !known; k++) {
				size_t tl = strlen(common_tlds[k]);
				known = q + gap + tl <= len && !memcmp(t + q + gap, common_tlds[k], tl) &&
					(q + gap + tl == len || !magi__is_alnum((uc)t[q + gap + tl]) ||
					 t[q + gap + tl] == '.');
			}
			if (known) {
				q += gap;
				continue;
			}
			/* "firm. photography": any lower-case TLD when it ends the address */
			size_t w = q + gap;
			while (w < len && magi__is_lower((uc)t[w]) && w - q - gap <= 18)
				w++;
			if (gap == 2 && (t[q] == '.' || t[q + 1] == ',') && w - q - gap >= 2 && w - q - gap <= 18 &&
			    (w == len || (!magi__is_alnum((uc)t[w]) && t[w] != '.' && t[w] != '-')))
				return w;
			/* "firm, photography": the dot read as ", " before a long gTLD of the root
			 * zone's list ending the address (session 11; the caller says `repaired`) */
			if (gap == 2 && t[q] == ',' && labels >= 1 && long_tld_at(t, len, q + 2) &&
			    tld_ends_field(t, len, q + 2 + long_tld_at(t, len, q + 2)))
				return q + 2 + long_tld_at(t, len, q + 2);
		}
		if (q + 1 < len && t[q] == ' ' && labels >= 1 && !glued) {
			/* "tree fr": the dot before a common TLD read as a space */
			size_t tl = known_tld_at(t, len, q + 1);
			if (tl && (q + 1 + tl == len || t[q + 1 + tl] != '.'))
				return q + 1 + tl;
			/* "firm photography": a long gTLD, only where the address ends its field
			 * (session 11) */
			tl = long_tld_at(t, len, q + 1);
			if (tl && tld_ends_field(t, len, q + 1 + tl))
				return q + 1 + tl;
			/* "out look. com": a label split by a space, a dotted common TLD after it */
			size_t r = q + 1;
			while (r < len && magi__is_alnum((uc)t[r]))
				r++;
			if (r > q + 1 && r < len && t[r] == '.') {
				size_t u = r + 1 + (r + 1 < len && t[r + 1] == ' ');
				if (known_tld_at(t, len, u)) {
					glued = true;
					q++;
					labels--; /* the two halves are one label */
					continue;
				}
			}
		}
		break;
	}
	return end;
}

/* A one-label domain whose dot before a com/net/org TLD OCR lost ("corp-mailnet"): the
 * label must keep 3+ characters before the TLD and end the word. Returns the end or 0. */
static size_t glued_tld_domain(const char *t, size_t len, size_t d)
{
	static const char *const tlds[] = {"com", "net", "org", NULL};
	size_t q = d;
	while (q < len && (magi__is_alnum((uc)t[q]) || t[q] == '-'))
		q++;
	if (q - d < 6 || t[d] == '-' || (q < len && t[q] == '@'))
		return 0;
	for (size_t k = 0; tlds[k]; k++)
		if (!memcmp(t + q - 3, tlds[k], 3) && t[q - 4] != '-')
			return q;
	return 0;
}

static const char *const email_words[] = {"email", "e-mail", "mail", "from", "to", "cc",
					  "reply-to", "contact", "courriel", "correo",
					  /* small type's m read n (session 10: "Enail:") */
					  "enail", "e-nail",
					  /* and its M read H ("Hail: nagorzatatneusBstartup.io") */
					  "hail", NULL};
/* Labels that name an e-mail address and nothing else (no From/To: "From: Booking.com"). */
static const char *const email_only_words[] = {"email", "e-mail", "mail", "courriel", "correo",
					       "enail", "e-nail", "e-post", "epost", NULL};
/* First labels of a host name, not a local part ("Mail: smtp.example.com"). */
static const char *const host_words[] = {"www", "smtp", "imap", "pop", "pop3", "mail", "mx", "ftp",
					 "http", "https", NULL};

/* Addresses whose '@' small fonts read as '8', 'B' or '2' ("jlee8corp-mail.net"): a token with
 * no '@' that splits at such a glyph into a local part and a domain with a known TLD,
 * taken only after an e-mail label on its line or inside "<...>" (a display name's
 * address). `repaired` (session 8; was 0.7 without the flag). */
static magi_status emails_lost_at(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 0; i < len; i++) {
		if (!email_local_char((uc)t[i]) || (i > 0 && (email_local_char((uc)t[i - 1]) || t[i - 1] == '@')))
			continue;
		size_t e = i;
		bool at = false;
		while (e < len && (email_local_char((uc)t[e]) || t[e] == '@'))
			at |= t[e++] == '@';
		if (at || e - i < 8) {
			i = e;
			continue;
		}
		bool bracket = i > 0 && t[i - 1] == '<';
		if (!bracket && !magi__pii_context_has(t, i, 24, email_words)) {
			i = e;
			continue;
		}
		for (size_t k = i + 2; k + 4 < e; k++) {
			/* session 10: 'G' and 'Q' too ("rtakahashiGorange.fr") */
			if (!strchr("8B2GQ", t[k]) || !t[k])
				continue;
			size_t d = parse_domain(t, len, k + 1);
			/* the domain must end with the token and hold a dot before a letter TLD */
			if (d != e || !memchr(t + k + 1, '.', e - k - 1))
				continue;
			size_t dot = e;
			while (dot > k && t[dot - 1] != '.')
				dot--;
			if (!known_tld_at(t, len, dot))
				continue;
			magi_status st = magi__fvec_push_repaired(fv, MAGI_PII_EMAIL, i, e, MAGI_PII_SCORE_REPAIRED);
			if (st)
				return st;
			break;
		}
		i = e;
	}
	return MAGI_OK;
}

/* Addresses whose '@' small type read as '2', '8', 'B', 'G' or 'Q' with no label before
 * them (session 11: "jrme698firm.photography", "mlopezGweb.de"): a token of an address's
 * characters in lower case but for that glyph, no '@', not in a URL ("//", "www." or a
 * path after it), that splits at the glyph into a local part of 3+ characters holding 2+
 * letters and not ending in a dot, and a domain of 2+ labels whose first has 3+ characters
 * and whose last is a known TLD (the dot before it maybe read ", " or a space before a long
 * gTLD). A host or file name rarely splits so: the glyph must stand right after a letter or
 * digit and right before a letter. `repaired`. */
static magi_status emails_glyph_at(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 0; i < len; i++) {
		if (!magi__is_alnum((uc)t[i]) || (i > 0 && (email_local_char((uc)t[i - 1]) || t[i - 1] == '@' ||
							    t[i - 1] == '/' || (uc)t[i - 1] >= 0x80)))
			continue;
		size_t e = i;
		bool bad = false;
		while (e < len && (email_local_char((uc)t[e]) || t[e] == '@'))
			bad |= t[e] == '@', e++;
		while (e > i && (t[e - 1] == '.' || t[e - 1] == '-'))
			e--;
		size_t at_end = e;
		while (at_end < len && t[at_end] == '.')
			at_end++;
		if (bad || e - i < 9 || (at_end < len && (t[at_end] == '/' || t[at_end] == '@' || (uc)t[at_end] >= 0x80)) ||
		    (e - i >= 4 && !strncasecmp(t + i, "www.", 4))) {
			i = e;
			continue;
		}
		size_t found = 0;
		for (size_t k = i + 3; k + 3 < e && !found; k++) {
			if (!strchr("28BGQ", t[k]) || !t[k] || !magi__is_alnum((uc)t[k - 1]) ||
			    !magi__is_lower((uc)t[k + 1]))
				continue;
			int letters = 0;
			bool upper = false;
			for (size_t r = i; r < k; r++)
				letters += magi__is_alpha((uc)t[r]), upper |= magi__is_upper((uc)t[r]);
			for (size_t r = k + 1; r < e; r++)
				upper |= magi__is_upper((uc)t[r]);
			if (letters < 2 || upper)
				continue;
			size_t d = parse_domain(t, len, k + 1);
			size_t lab = k + 1;
			while (lab < e && (magi__is_alnum((uc)t[lab]) || t[lab] == '-'))
				lab++;
			if (d < e || lab - (k + 1) < 3 || lab >= d)
				continue;
			size_t dot = d;
			while (dot > k && magi__is_alpha((uc)t[dot - 1]))
				dot--;
			if (dot == d || !(known_tld_at(t, len, dot) == d - dot || long_tld_at(t, len, dot) == d - dot))
				continue;
			/* the TLD's dot as read, or ", " before a long gTLD: a space alone for the
			 * dot is prose ("patternBase be") */
			if (!(t[dot - 1] == '.' || (t[dot - 1] == ' ' && t[dot - 2] == ',' &&
						    (long_tld_at(t, len, dot) || tld_ends_field(t, len, d)))))
				continue;
			if (d < len && (t[d] == '/' || t[d] == '@' || magi__is_alnum((uc)t[d])))
				continue;
			found = d;
		}
		/* only where no other e-mail rule took the token */
		for (size_t g = 0; g < fv->n && found; g++)
			if (fv->v[g].type == MAGI_PII_EMAIL && fv->v[g].start < found && i < fv->v[g].end)
				found = 0;
		if (found) {
			magi_status st = magi__fvec_push_repaired(fv, MAGI_PII_EMAIL, i, found, MAGI_PII_SCORE_REPAIRED);
			if (st)
				return st;
			e = found;
		}
		i = e;
	}
	return MAGI_OK;
}

/* The value of an e-mail-only label (Email, Mail, Courriel, ... opening its field, a colon
 * or tab after it) that reads as an address whose '@' OCR made a letter or lost
 * ("Email: layladorange.fr", "mlewandouskaueb, de" for mlewandowska@web.de, session 10):
 * one token of lower-case letters, digits and . _ + - that is a domain ending in a known
 * TLD (its dot maybe read ", "), no '@', 8+ characters before the TLD, not a host name's
 * first label (www, smtp, ...). Where the '@' stood is unknown, so the whole token is
 * covered. `repaired`. */
static magi_status emails_label_value(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 0; i < len; i++) {
		if (!magi__is_alpha((uc)t[i]) || !magi__pii_field_start(t, i))
			continue;
		size_t w = i;
		while (w < len && (magi__is_alpha((uc)t[w]) || t[w] == '-'))
			w++;
		bool label = false;
		for (size_t k = 0; email_only_words[k] && !label; k++)
			label = w - i == strlen(email_only_words[k]) &&
				!strncasecmp(t + i, email_only_words[k], w - i);
		size_t v = w;
		if (!label || v >= len || (t[v] != ':' && t[v] != '\t'))
			continue;
		v++;
		while (v < len && (t[v] == ' ' || t[v] == '\t'))
			v++;
		size_t e = v;
		bool upper = false, at = false;
		while (e < len && (email_local_char((uc)t[e]) || t[e] == '@' || t[e] == ',' ||
				   (t[e] == ' ' && e + 1 < len && e > v && t[e - 1] == ',')))
			upper |= magi__is_upper((uc)t[e]), at |= t[e++] == '@';
		while (e > v && !magi__is_alnum((uc)t[e - 1]))
			e--;
		size_t k = e > v ? parse_domain(t, len, v) : 0;
		size_t first = v;
		while (first < e && magi__is_alnum((uc)t[first]))
			first++;
		size_t dot = k;
		while (dot > v && magi__is_alpha((uc)t[dot - 1]))
			dot--;
		bool dup = false;
		for (size_t f = 0; f < fv->n && !dup; f++)
			dup = fv->v[f].type == MAGI_PII_EMAIL && fv->v[f].start < e && v < fv->v[f].end;
		if (at || upper || dup || k != e || dot < v + 9 || !known_tld_at(t, len, dot) ||
		    magi__pii_in_list(t + v, first - v, host_words)) {
			i = w;
			continue;
		}
		magi_status st = magi__pii_push_noisy(fv, MAGI_PII_EMAIL, v, e, true);
		if (st)
			return st;
		i = e;
	}
	return MAGI_OK;
}

/* A display form's address ("Name <local@domain>", RFC 5322 angle-addr) whose domain
 * small type read with commas for its dots ("<yeketerina, volkov@nail,example,museun>"):
 * labels of letters, digits and dashes split by '.' or ',' (a comma at least once), the
 * last 2+ letters, right up to the closing '>'. The caller checks the '<' before the local
 * part. Returns the end (at the '>') or 0. */
static size_t bracketed_comma_domain(const char *t, size_t len, size_t d)
{
	size_t q = d, lab = d;
	int commas = 0, labels = 0;
	for (; q < len && q - d < 253; q++) {
		uc c = (uc)t[q];
		if (magi__is_alnum(c) || c == '-')
			continue;
		if ((c != '.' && c != ',' && c != '>') || q == lab)
			return 0;
		labels++;
		if (c == '>')
			break;
		commas += c == ',';
		lab = q + 1;
	}
	if (q >= len || t[q] != '>' || !commas || labels < 2 || q - lab < 2)
		return 0;
	for (size_t r = lab; r < q; r++)
		if (!magi__is_alpha((uc)t[r]))
			return 0;
	return q;
}

/* Addresses whose '@' OCR read as a registered, copyright or (session 11) cent sign alone
 * ("name®shop.com", "name¢shop.com";
 * the sign never stands inside an address): a local part right before it, a domain right
 * after it with a dot (or ", ") and a known TLD or a long gTLD. `repaired`. */
static magi_status emails_sign_at(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t a = 1; a + 2 < len; a++) {
		if ((uc)t[a] != 0xC2 || ((uc)t[a + 1] != 0xAE && (uc)t[a + 1] != 0xA9 && (uc)t[a + 1] != 0xA2) ||
		    !email_local_char((uc)t[a - 1]) || t[a + 2] == '@')
			continue;
		size_t j = a;
		while (j > 0 && email_local_char((uc)t[j - 1]) && a - j < 64)
			j--;
		while (j < a && !magi__is_alnum((uc)t[j]))
			j++;
		size_t d = a + 2, k = parse_domain(t, len, d);
		/* the TLD's dot as read or as ", " (session 11: "kimj©startup, io") */
		if (j == a || !k || (!memchr(t + d, '.', k - d) && !memchr(t + d, ',', k - d)))
			continue;
		size_t dot = k;
		while (dot > d && t[dot - 1] != '.' && t[dot - 1] != ' ')
			dot--;
		if (!known_tld_at(t, len, dot) && long_tld_at(t, len, dot) != k - dot)
			continue;
		magi_status st = magi__fvec_push_repaired(fv, MAGI_PII_EMAIL, j, k, MAGI_PII_SCORE_REPAIRED);
		if (st)
			return st;
		a = k;
	}
	return MAGI_OK;
}

/* A domain whose TLD OCR read with a 1 for its l ("xn--bcher-kva. p1" for .pl): TLDs are
 * letters only (RFC 1123 2.1, the root zone's rule), so in a short word after a dot a 1 or
 * '|' is an l (a 0 stays a digit: "name@host.c0m" is no address). The domain read so must
 * end in a known TLD. Returns the end in t (the same bytes), or 0. */
static size_t tld_lookalike_domain(const char *t, size_t len, size_t d)
{
	char b[256];
	size_t n = MAGI_MIN(len - d, sizeof b - 1);
	memcpy(b, t + d, n);
	b[n] = '\0';
	bool mapped = false;
	for (size_t x = 1; x < n; x++) {
		if (b[x - 1] != '.' && !(b[x - 1] == ' ' && x >= 2 && b[x - 2] == '.'))
			continue;
		size_t w = x, look = 0;
		while (w < n && (magi__is_alpha((uc)b[w]) || strchr("1|", b[w])) && b[w])
			look += !magi__is_alpha((uc)b[w++]);
		if (!look || w - x < 2 || w - x > 4 || (w < n && (magi__is_alnum((uc)b[w]) || b[w] == '-')))
			continue;
		for (size_t y = x; y < w; y++)
			if (!magi__is_alpha((uc)b[y]))
				b[y] = 'l';
		mapped = true;
	}
	if (!mapped)
		return 0;
	size_t k = parse_domain(b, n, 0);
	size_t dot = k;
	while (dot > 0 && b[dot - 1] != '.' && b[dot - 1] != ' ')
		dot--;
	if (!k || !known_tld_at(b, n, dot) || !memcmp(b, t + d, k))
		return 0;
	return d + k;
}

/* An angle-addr's domain whose last dot OCR lost ("<deepika patel@orangefr>", session
 * 10): letters, digits and dashes right up to the closing '>', no dot, ending in a known
 * TLD with 3+ characters before it. Returns the end (at the '>') or 0. */
static size_t bracketed_glued_domain(const char *t, size_t len, size_t d)
{
	size_t q = d;
	while (q < len && (magi__is_alnum((uc)t[q]) || t[q] == '-') && q - d < 64)
		q++;
	if (q >= len || t[q] != '>' || q - d < 5)
		return 0;
	for (size_t k = 0; common_tlds[k]; k++) {
		size_t tl = strlen(common_tlds[k]);
		if (q - d >= tl + 3 && !memcmp(t + q - tl, common_tlds[k], tl) && t[q - tl - 1] != '-')
			return q;
	}
	return 0;
}

magi_status magi__pii_emails(const char *t, size_t len, struct magi__fvec *fv)
{
	size_t next = 0; /* do not start inside the previous address */
	for (size_t a = 0; a < len; a++) {
		if (t[a] != '@' || a == 0 || a < next)
			continue;
		/* OCR often puts a space on one side of the '@' */
		size_t le = a;
		if (le >= 2 && t[le - 1] == ' ' && email_local_char((uc)t[le - 2]))
			le--;
		/* "pedro7@@host": the first '@' is a misread 0 */
		if (le >= 2 && t[le - 1] == '@' && email_local_char((uc)t[le - 2]))
			le--;
		/* "nrossi®@company.co.uk": OCR doubles the '@' as a UTF-8 ® or © */
		if (le >= 3 && (uc)t[le - 2] == 0xC2 && ((uc)t[le - 1] == 0xAE || (uc)t[le - 1] == 0xA9) &&
		    email_local_char((uc)t[le - 3]))
			le -= 2;
		size_t j = le;
		/* '|' inside a local part is OCR's l, i or j ("sophie|@gmail.com"); a local part
		 * may hold UTF-8 letters (RFC 6531: "jörg@müller.de") */
		for (;;) {
			if (j <= next || le - j >= 64)
				break;
			if (email_local_char((uc)t[j - 1]) ||
			    (t[j - 1] == '|' && j >= 2 && magi__is_alnum((uc)t[j - 2]))) {
				j--;
				continue;
			}
			size_t s0 = j - 1;
			while (s0 > next && ((uc)t[s0] & 0xC0) == 0x80)
				s0--;
			if (magi__pii_utf8_letter(t, len, s0, NULL) == j - s0) {
				j = s0;
				continue;
			}
			break;
		}
		while (j < le && (t[j] == '.' || t[j] == '\'' || t[j] == '-'))
			j++;
		if (j == le)
			continue;
		/* small fonts read the local part's dots as ", " too ("sergei, petrova, 1977@"):
		 * up to two lower-case pieces before it join */
		for (int piece = 0; piece < 2 && j >= 3 && t[j - 1] == ' ' && t[j - 2] == ',' &&
				    (magi__is_lower((uc)t[j - 3]) || magi__is_digit((uc)t[j - 3]));
		     piece++) {
			size_t b = j - 2;
			while (b > next && (magi__is_lower((uc)t[b - 1]) || magi__is_digit((uc)t[b - 1])) && j - b < 40)
				b--;
			if (b > 0 && !magi__is_space((uc)t[b - 1]) && t[b - 1] != ':' && t[b - 1] != '<')
				break;
			j = b;
		}
		size_t d = a + 1;
		if (d + 1 < len && t[d] == ' ' && magi__is_alnum((uc)t[d + 1]))
			d++;
		size_t k = parse_domain(t, len, d);
		if (!k)
			k = glued_tld_domain(t, len, d);
		bool fixed = false; /* a comma for a dot, a digit for a TLD's letter */
		if (!k && j > 0 && t[j - 1] == '<')
			fixed = (k = bracketed_comma_domain(t, len, d)) != 0;
		if (!k)
			fixed = (k = tld_lookalike_domain(t, len, d)) != 0;
		if (!k)
			fixed = (k = bracketed_glued_domain(t, len, d)) != 0;
		/* a dot read as a comma with a stray space before it (session 8) */
		for (size_t x = d; k && x + 1 < k && !fixed; x++)
			fixed = (t[x] == ' ' && t[x + 1] == ',') || (t[x] == '.' && t[x + 1] == '.');
		/* a long gTLD after ", " or a space (session 11) */
		for (size_t x = d; k && x + 2 < k && !fixed; x++)
			fixed = (t[x] == ',' || (t[x] == ' ' && t[x - 1] != '.')) && long_tld_at(t, len, x + 1 + (t[x + 1] == ' ')) ==
									k - (x + 1 + (t[x + 1] == ' '));
		/* spaces on both sides of the '@' and no dot in the domain are prose ("of @ unit
		 * in"), not an address with three faults */
		if (k && le < a && d > a + 1 && !memchr(t + d, '.', k - d))
			k = 0;
		if (!k)
			continue;
		magi_status st = magi__fvec_push(fv, MAGI_PII_EMAIL, j, k,
						 fixed ? MAGI_PII_SCORE_REPAIRED : 1.0f, NULL);
		if (st)
			return st;
		fv->v[fv->n - 1].repaired = fixed;
		next = k;
		a = k;
	}
	magi_status st = emails_lost_at(t, len, fv);
	if (!st)
		st = emails_sign_at(t, len, fv);
	if (!st)
		st = emails_glyph_at(t, len, fv);
	return st ? st : emails_label_value(t, len, fv);
}
