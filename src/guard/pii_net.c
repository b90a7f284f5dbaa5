/* pii_net.c — network identifiers: IPv4 and IPv6 addresses, strictly and as OCR leaves
 * small text (look-alike glyphs, spaces, doubled or mixed separators); the hex look-alikes
 * the MAC scanner (pii_mac.c) shares. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "guard/pii_internal.h"
#include "core/common.h"

/* ---- IPv4, IPv6 ------------------------------------------------------------------------ */
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
		int oct[4], nds[4] = {0}, k = 0, commas = 0, spaces = 0, gaps = 0, dots = 0, after_sp = 0,
		    dashes = 0;
		bool ok = true, spaced = false, glued_port = false, big_first = false;
		/* a URL's host ("http://10.2.3.4/"): "//" right before it says address as a label
		 * does, whatever OCR made of the scheme ("Betp://172, 25, 225, 228:80/", session 10) */
		bool labelled = magi__pii_context_has(t, i, 24, ip_words) ||
				(i >= 2 && t[i - 1] == '/' && t[i - 2] == '/');
		for (; k < 4; k++) {
			int v = 0, nd = 0;
			size_t s = q;
			while (q < len && magi__is_digit((uc)t[q]) && nd < 4) {
				v = v * 10 + (t[q] - '0');
				q++;
				nd++;
			}
			/* session 10: the port's colon lost after the last octet ("172,26,76
			 * ,225222" for ...225:222), after an IP label only: the octet is its first
			 * three digits when they name one (else two), the rest 2-5 digits of port */
			if (k == 3 && nd == 4 && labelled) {
				size_t r = q;
				while (r < len && magi__is_digit((uc)t[r]))
					r++;
				int keep = (t[s] - '0') * 100 + (t[s + 1] - '0') * 10 + (t[s + 2] - '0') <= 255 ? 3 : 2;
				size_t port_len = r - s - (size_t)keep;
				if (t[s] != '0' && port_len >= 2 && port_len <= 5 &&
				    (r >= len || !magi__is_alnum((uc)t[r]))) {
					v = 0;
					for (int d = 0; d < keep; d++)
						v = v * 10 + (t[s + (size_t)d] - '0');
					nd = keep;
					q = r;
					glued_port = true;
				}
			}
			/* session 10: the first octet's first digit misread ("472.28.8.140:443" for
			 * 172...): with a port or in a URL only, below */
			if (k == 0 && nd == 3 && v > 255 && !big_first) {
				big_first = true;
				v = 1;
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
				dots += q < len && t[q] == '.';
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
					} else if (q + 1 < len && t[q] == '-' && magi__is_digit((uc)t[q + 1]) &&
						   !dashes && k > 0) {
						/* one inner dot read as a dash ("172.18 -141.159:80",
						 * session 10): with a label or a port only, below */
						dashes++;
					} else {
						ok = false;
						break;
					}
				}
				q++;
				/* OCR puts a space after a dot now and then: "192. 168.1.20"; some small
				 * fonts read every dot as ", " or ". " ("192,168, 86,74") */
				if (q + 1 < len && t[q] == ' ' && magi__is_digit((uc)t[q + 1])) {
					after_sp++;
					spaces += spaced || t[q - 1] == ',';
					spaced = true;
					q++;
				}
			}
		}
		/* commas only where no thousands grouping reads them ("1,200,250,100" is a
		 * number): some group after the first is not three digits long */
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
		/* session 11: such a quad with one octet of three digits ("78,1,51,198") when it
		 * holds 7+ digits and stands alone in its field (a line, a tab-separated cell or a
		 * label's value: a list of small numbers runs on in prose) */
		int ndig = nds[0] + nds[1] + nds[2] + nds[3];
		bool alone_before = i == 0 || (t[i - 1] && strchr("\n\t\r", t[i - 1])) ||
				    (t[i - 1] == ' ' && (i < 2 || strchr("\n\t :", t[i - 2])));
		bool alone_after = q >= len || (t[q] && strchr("\n\t\r", t[q])) ||
				   (q + 1 < len && t[q] == ' ' && t[q + 1] == ' ') || (q + 1 == len && t[q] == ' ');
		comma_quad |= ok && commas == 3 && !spaces && !gaps && !dots && !dashes && !labelled && !port &&
			      long_oct == 1 && ndig >= 7 && !in_list && alone_before && alone_after;
		/* session 11: every dot read as ", " and a CIDR prefix length or a port after it
		 * ("10, 54, 227, 139/27"): the suffix anchors it as a port does for the other
		 * forms; two octets or more three digits long */
		size_t pfx = prefix_len_end(t, len, q, 32);
		size_t pq = q + 1;
		while (pq < len && magi__is_digit((uc)t[pq]) && pq - q <= 6)
			pq++;
		bool suffix = pfx > q || (q < len && t[q] == ':' && pq - q >= 3 && pq - q <= 6 &&
					  (pq >= len || !magi__is_alnum((uc)t[pq])));
		comma_quad |= ok && commas == 3 && after_sp == 3 && spaces == 3 && !dots && !gaps && !dashes &&
			      suffix && long_oct >= 2 && !in_list;
		/* dots and commas mixed, each followed by a space or none (session 8: "192, 168,
		 * 97. 84"): a list of decimals spaces its commas only ("12.5, 100, 200"); with two
		 * octets or more three digits long, as above. `repaired` */
		bool mixed_quad = ok && commas && dots && !gaps && !labelled && !port && long_oct >= 2 &&
				  !in_list && (after_sp == 0 || after_sp == 3);
		comma_quad |= mixed_quad;
		/* more than one, or with spaces, only after an IP label: "1,0,0,1" and "10, 20,
		 * 30, 40" are lists */
		if ((commas > 1 || spaces || gaps) && !labelled && !port && !comma_quad)
			ok = false;
		/* a dash among the dots: with a label or a port, two octets or more three digits
		 * long and at least two dots ("10.12-11.30" is a range of decimals) */
		if (dashes && (!(labelled || port) || long_oct < 2 || dots < 2 || commas || gaps))
			ok = false;
		bool url = i >= 2 && t[i - 1] == '/' && t[i - 2] == '/';
		if (big_first && (!(port || url) || dashes || gaps || glued_port))
			ok = false;
		if (!ok) {
			while (i + 1 < len && magi__is_digit((uc)t[i + 1]))
				i++;
			continue;
		}
		if ((q < len && !glued_port && (magi__is_alnum((uc)t[q]) ||
				 ((t[q] == '.' || t[q] == '-') && q + 1 < len &&
				  magi__is_digit((uc)t[q + 1])))) ||
		    !ipv4_host(oct) || magi__pii_context_has(t, i, 16, version_words)) {
			i = q;
			continue;
		}
		if (!glued_port)
			q = prefix_len_end(t, len, q, 32);
		/* any separator read otherwise than a dot (a comma, a dash, a lost dot or colon)
		 * is a repair: the text as read is no address (session 10: labelled ones too) */
		bool repaired = comma_quad || commas || dashes || gaps || glued_port || big_first;
		magi_status st = magi__fvec_push(fv, MAGI_PII_IPV4, i, q,
						 repaired ? MAGI_PII_SCORE_REPAIRED : 1.0f, NULL);
		if (st)
			return st;
		fv->v[fv->n - 1].repaired = repaired;
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
char magi__pii_hexish(uc c)
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
size_t magi__pii_noisy_hex(const char *t, size_t len, size_t q, char *h)
{
	uc c = (uc)t[q];
	if (magi__is_hex(c)) {
		*h = (char)magi__lower(c);
		return 1;
	}
	char d = magi__pii_hexish(c);
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
magi_status magi__pii_push_noisy(struct magi__fvec *fv, enum magi_pii_type type, size_t i, size_t e,
			      bool repaired)
{
	return repaired ? magi__fvec_push_repaired(fv, type, i, e, MAGI_PII_SCORE_REPAIRED)
			: magi__fvec_push(fv, type, i, e, 0.85f, NULL);
}

/* Hex glyphs (as noisy_hex reads them) starting at t[q], up to max. */
static size_t hex_chunk(const char *t, size_t len, size_t q, size_t max)
{
	size_t n = 0;
	char h;
	size_t b;
	while (n <= max && q < len && (b = magi__pii_noisy_hex(t, len, q, &h)) != 0) {
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
		bool read_colon = false;
		while (q < len && (b = magi__pii_noisy_hex(t, len, q, &h)) != 0) {
			/* after a full group, a colon small type read 't' (" teb1d", "tbeac") */
			size_t tq = q + (t[q] == ' ');
			if (gl == 4 && tq + 1 < len && t[tq] == 't' && magi__is_hex((uc)t[tq + 1])) {
				read_colon = true;
				break;
			}
			faults += !magi__is_hex((uc)t[q]);
			q += b;
			if (++gl > 5)
				return 0;
		}
		if (!read_colon && gl == 4 && q + 2 < len && t[q] == ' ' && t[q + 1] == 't' &&
		    magi__is_hex((uc)t[q + 2]))
			read_colon = true;
		if (!gl || q >= len || (t[q] != ':' && !read_colon) || ++ng > 7)
			return 0;
		full += gl == 4;
		g5 += gl == 5;
		if (read_colon) {
			faults++;
			q += (t[q] == ' ') + 1;
			continue;
		}
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

/* true when an IPv6 finding of fv already overlaps [s, e). */
static bool ipv6_covered(const struct magi__fvec *fv, size_t s, size_t e)
{
	for (size_t k = 0; k < fv->n; k++)
		if (fv->v[k].type == MAGI_PII_IPV6 && fv->v[k].start < e && s < fv->v[k].end)
			return true;
	return false;
}

/* An IP-literal in a URL (RFC 3986 3.2.2: "scheme://[" IPv6address "]"): between the
 * brackets after "://" only an IPv6 address (or the unused IPvFuture) may stand, so what
 * small type left there is one however garbled ("http://(2001:db8:fbb:eb4::a2c81/",
 * "http://[fdaé :1997 :b044 :7°15:4808 :chb :d3c4:d0c4]/"): the opening bracket (or its
 * look-alike '(' '{' '|'), then up to the closing bracket, a '/' or the line's end, hex
 * glyphs (as noisy_hex reads them), colons (';' too) and spaces — three colons and eight
 * hex glyphs at least, two other glyphs at most. Always `repaired`; not where another
 * IPv6 finding already covers it. */
static magi_status ipv6_url_literals(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 0; i + 4 < len; i++) {
		/* "://", or with OCR's space after the colon ("http: //Lfd5b :38dc ...") */
		size_t sl = !memcmp(t + i, "://", 3) ? 3 : !memcmp(t + i, ": //", 4) ? 4 : 0;
		/* session 10: the scheme's colon read as another glyph before "//[" ("http?//[") */
		if (!sl && i + 4 < len && t[i] != '/' && !memcmp(t + i + 1, "//[", 3))
			sl = 3;
		if (!sl || i + sl >= len || !t[i + sl])
			continue;
		/* the bracket, or (session 8) a glyph OCR made of it ("LFe80: :1b89;...") or none:
		 * a host name holds no colon but its port's, so three colons say IPv6 anyway; the
		 * glyph counts among the other glyphs */
		size_t s = i + sl + (strchr("[({|", t[i + sl]) != NULL), q = s, e = s;
		int colons = 0, hex = 0, other = 0;
		char h;
		while (q < len && q - s < 64) {
			uc c = (uc)t[q];
			size_t b = magi__pii_noisy_hex(t, len, q, &h);
			/* session 10: a stray quote among them ("14F'1") */
			if (b || c == ':' || c == ';' || ((magi__is_alnum(c) || c == '.' || c == '\'') && other < 3)) {
				hex += b != 0;
				colons += c == ':' || c == ';';
				other += !b && c != ':' && c != ';';
				q += b ? b : 1;
				e = q;
			} else if (c == ' ') {
				q++;
			} else {
				break;
			}
		}
		bool closed = q >= len || strchr("])}/\n\t", t[q]);
		if (!closed || colons < 3 || hex < 8 || other > 2)
			continue;
		if (ipv6_covered(fv, s, e))
			continue;
		magi_status st = magi__pii_push_noisy(fv, MAGI_PII_IPV6, s, e, true);
		if (st)
			return st;
		i = e;
	}
	return MAGI_OK;
}

/* The body of an IPv6 address as small type garbles it, from t[s]: hex glyphs (as
 * noisy_hex reads them), colons (';' too), spaces (none after the last colon's group), and up to two
 * other glyphs inside it (a colon read 'z' or 'r', a stray '.' or quote: "e922zefe9").
 * Counts its colons, hex glyphs, others, and others no colon's look-alike (*odd); returns
 * its end (s when none). */
static size_t ipv6_garbled_body(const char *t, size_t len, size_t s, int *colons, int *hex, int *other,
				int *odd)
{
	size_t q = s, e = s;
	char h;
	*colons = *hex = *other = *odd = 0;
	while (q < len && q - s < 64) {
		uc c = (uc)t[q];
		size_t b = magi__pii_noisy_hex(t, len, q, &h);
		bool next_in = q + 1 < len && (magi__pii_noisy_hex(t, len, q + 1, &h) || t[q + 1] == ':' ||
						t[q + 1] == ';');
		if (b) {
			++*hex;
			q += b;
		} else if (c == ':' || c == ';') {
			++*colons;
			q++;
		} else if (c == ' ' && next_in) {
			q++;
			continue;
		} else if ((magi__is_alnum(c) || c == '.' || c == '\'' || c == ',') && *other < 2 && next_in &&
			   e > s) {
			++*other;
			*odd += !strchr("rizRIZ", c); /* the others than a colon's look-alikes */
			q++;
		} else {
			break;
		}
		e = q;
	}
	/* after the last colon a space ends it ("2001: 10:20:30 the" is no address with a
	 * group "30 the"); the counts again over what is left */
	size_t lc = e;
	while (lc > s && t[lc - 1] != ':' && t[lc - 1] != ';')
		lc--;
	for (size_t k = lc; lc > s && k < e; k++)
		if (t[k] == ' ' && k > lc) {
			int c2, h2, o2, d2;
			return ipv6_garbled_body(t, k, s, &c2, &h2, &o2, &d2) == k
				       ? (*colons = c2, *hex = h2, *other = o2, *odd = d2, k)
				       : s;
		}
	return e;
}

/* IPv6 addresses too garbled for the readers above, found by what stands around them
 * (session 10): an interface's zone id after them (RFC 4007 "%eth0", "%wlan0", "%en0" as
 * read: "FeG07:dd9c:d2al : Feab: Fa16%ethO"), the brackets and port of a URL's
 * authority (RFC 3986 "[...]:53", the bracket read ')' '}' or '|': "[feso: c94a:3981:
 * dd55:82f9) :53"), or a first group that is the link-local prefix fe80 (RFC 4291 2.5.6)
 * or 2001 (the IANA's global unicast block in use, 2001::/16, and the documentation prefix
 * 2001:db8::/32 of RFC 3849) — "fe80:19590:2590:5718:b9cc", "2001:db8:e922zefe9:4a87".
 * The body: three colons at least, eight hex glyphs at least (twelve after a prefix, with
 * one other glyph at most besides a colon's look-alikes r, i, z: "Fe80r:17FerbF7:F4c5:
 * 7007"), two other glyphs at most, not inside a word. `repaired`. */
static magi_status ipv6_anchored(const char *t, size_t len, struct magi__fvec *fv)
{
	char h;
	for (size_t i = 0; i + 8 < len; i++) {
		if (!magi__pii_noisy_hex(t, len, i, &h) ||
		    (i > 0 && (magi__is_alnum((uc)t[i - 1]) || t[i - 1] == ':' || t[i - 1] == '.' ||
			       t[i - 1] == '%' || (uc)t[i - 1] >= 0x80)))
			continue;
		int colons, hex, other, odd;
		size_t e = ipv6_garbled_body(t, len, i, &colons, &hex, &other, &odd);
		if (colons < 2 || hex < 8 || other > 2 ||
		    (e < len && magi__is_alnum((uc)t[e]) && !(t[e] == 's' && e + 1 < len && magi__is_lower((uc)t[e + 1]))))
			continue;
		/* a zone id or brackets: a letter among the hex glyphs ("[10:20:30:40]:80" is
		 * no address anyone writes; timestamps are digits) */
		bool letter = false;
		for (size_t r = i; r < e && !letter; r++)
			letter = magi__is_alpha((uc)t[r]) && magi__pii_noisy_hex(t, len, r, &h);
		size_t end = 0;
		/* session 10: the zone's '%' read 's' before an interface's name ("526aswlanOd") */
		static const char *const ifaces[] = {"eth", "wlan", "enp", "ens", "eno", "wlp", NULL};
		bool s_zone = false;
		for (size_t k = 0; ifaces[k] && e + 1 < len && t[e] == 's' && !s_zone; k++)
			s_zone = !strncmp(t + e + 1, ifaces[k], strlen(ifaces[k]));
		if (s_zone && letter && colons >= 3) {
			end = e + 1;
			while (end < len && magi__is_alnum((uc)t[end]) && end - e <= 16)
				end++;
		}
		if (!end && e < len && magi__is_alnum((uc)t[e]))
			continue; /* inside a word */
		/* a zone id: '%' and an interface's name or index */
		/* (two colons suffice with twelve hex glyphs: "fes0 67e:a83c :dbe0%enp3s0") */
		if (!end && letter && (colons >= 3 || hex >= 12) && e + 1 < len && t[e] == '%' && magi__is_alnum((uc)t[e + 1])) {
			end = e + 1;
			while (end < len && magi__is_alnum((uc)t[end]) && end - e <= 16)
				end++;
		}
		/* brackets and a port */
		size_t c = e + (e < len && t[e] == ' ');
		if (!end && letter && colons >= 3 && i > 0 && strchr("[({", t[i - 1]) && c < len && strchr("])}|", t[c]) && t[c]) {
			size_t p = c + 1 + (c + 1 < len && t[c + 1] == ' ');
			if (p + 1 < len && t[p] == ':' && magi__is_digit((uc)t[p + 1]))
				end = e;
		}
		/* the link-local or global unicast prefix as the first group */
		if (!end && colons >= 3 && hex >= 12 && odd <= 1 && i + 5 < len) {
			char g[5];
			size_t q = i;
			int n = 0;
			for (; n < 4; n++) {
				size_t b = magi__pii_noisy_hex(t, len, q, &h);
				if (!b)
					break;
				g[n] = h;
				q += b;
			}
			g[n] = '\0';
			if (n == 4 && q < len && t[q] && strchr(":;riz", t[q]) && (!strcmp(g, "fe80") || !strcmp(g, "2001")))
				end = e;
		}
		if (!end || ipv6_covered(fv, i, end))
			continue;
		magi_status st = magi__pii_push_noisy(fv, MAGI_PII_IPV6, i, end, true);
		if (st)
			return st;
		i = end;
	}
	return MAGI_OK;
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
		if (!magi__pii_noisy_hex(t, len, i, &h) || (i > 0 && (magi__is_alnum((uc)t[i - 1]) ||
							    t[i - 1] == ':' || t[i - 1] == '.')))
			continue;
		int gl[8] = {0}, ng = 1, repairs = 0, dbl = 0, odd = 0;
		size_t q = i, end = i;
		while (q < len) {
			uc c = (uc)t[q];
			size_t b = magi__pii_noisy_hex(t, len, q, &h);
			char h2;
			/* session 11: one colon read as a dot between two groups ("3de5.aa57"), or
			 * lost to a space where the groups on both sides make more than four glyphs
			 * ("c958:bdb5 fab9", "f7e cf8e"), once, after a colon read as one or a full
			 * first group; no IPv4 tail's dot; the address must come out whole below
			 * (eight groups, or "::" with three full ones) */
			/* and "::" read ".:" ("fe80.:e623:..."): the dot is its first colon */
			if (c == '.' && !odd && !dbl && gl[ng - 1] >= 1 && ng < 7 && q + 2 < len && t[q + 1] == ':' &&
			    magi__pii_noisy_hex(t, len, q + 2, &h2)) {
				odd++;
				dbl++;
				repairs++;
				ng += 2;
				q += 2;
				continue;
			}
			if (!b && !odd && (ng >= 2 || gl[0] == 4) && ng < 8 && gl[ng - 1] >= 1 &&
			    (c == '.' || gl[ng - 1] + hex_chunk(t, len, q + 1, 4) > 4) &&
			    (c == '.' || c == ' ') && hex_chunk(t, len, q + 1, 4) >= 1 &&
			    (q + 1 + hex_chunk(t, len, q + 1, 4) >= len ||
			     t[q + 1 + hex_chunk(t, len, q + 1, 4)] != '.')) {
				odd++;
				repairs++;
				ng++;
				q++;
				continue;
			}
			/* a fifth glyph after a full group that is a colon's look-alike in small
			 * type ("7ea32624b", "3c93zed24", "fe801:93df", "9575385ad"): the colon */
			if (gl[ng - 1] == 4 && ng < 8 && (c == '2' || c == 'z' || c == '1' || c == '3') &&
			    q + 1 < len &&
			    magi__pii_noisy_hex(t, len, q + 1, &h2)) {
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
				if (q + 1 < len && t[q] == '.' && magi__pii_noisy_hex(t, len, q + 1, &h2)) {
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
		/* a colon read otherwise (session 11): three full groups too (a MAC and a word
		 * after it are none) */
		ok = ok && (!odd || full >= 3);
		ok = ok && g5 <= 2 && repairs + g5 <= 4;
		if (ok && end < len && magi__is_alnum((uc)t[end]))
			ok = false;
		if (ok) {
			if (tail)
				end = prefix_len_end(t, len, end, 128);
			magi_status st = magi__pii_push_noisy(fv, MAGI_PII_IPV6, i, end, repairs > 0);
			if (st)
				return st;
			i = end;
		} else if ((end = ipv6_prefix_noisy(t, len, i)) != 0) {
			magi_status st = magi__pii_push_noisy(fv, MAGI_PII_IPV6, i, end, true);
			if (st)
				return st;
			i = end;
		}
	}
	magi_status st = ipv6_url_literals(t, len, fv);
	return st ? st : ipv6_anchored(t, len, fv);
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
			char h = magi__pii_hexish(d);
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
 * split by dots or, as small type reads them, by commas; with `spaced` also a space after
 * each: "203, 0, 113, 214"), or 0. */
static size_t host_quad(const char *t, size_t len, size_t i, bool spaced)
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
			if (spaced && q + 1 < len && t[q] == ' ' && magi__is_digit((uc)t[q + 1]))
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
		/* its octets split by ", " too ("ffPF:203, 0, 113, 214"): the run of f-like
		 * glyphs before it is the context that makes it an address */
		size_t e = host_quad(t, len, i, true);
		if (!e)
			continue;
		size_t p = i;
		if (strchr(":;12=", t[p - 1]))
			p--;
		while (p > 0 && t[p - 1] == ' ')
			p--;
		int fl = 0, other = 0;
		while (p > 0) {
			uc c = (uc)t[p - 1];
			if (p >= 2 && (uc)t[p - 2] == 0xC2 && c == 0xA3) {
				fl++;
				p -= 2;
			} else if (c && strchr("fFP{Tt", c)) { /* T, t: session 10 ("PTPPPF:192,...") */
				fl++;
				p--;
			} else if (c && strchr("ri:; ", c) && other < 4) {
				other += c != ' ';
				p--;
			} else {
				break;
			}
		}
		/* session 10: one glyph of the "::" read as a letter glued before the f run
		 * ("sfff:172.18.161.15"): the word's first glyph */
		if (fl >= 3 && p >= 1 && magi__is_alpha((uc)t[p - 1]) && !strchr("fFPTt", t[p - 1]) &&
		    (p == 1 || t[p - 2] == ' ' || t[p - 2] == '\t' || t[p - 2] == '\n'))
			p--;
		/* a label's colon before it is not the address's ("IPv6: rif FFF2..."), nor a
		 * label's last letters ("Server: ::ffFfF:..." eats the r): from the first place
		 * that opens a word, the f-like glyphs counted again */
		while (p < i && (t[p] == ' ' || t[p] == ':' || t[p] == ';' || !magi__pii_left_boundary(t, p)))
			p++;
		bool glued = p < i && magi__is_alpha((uc)t[p]) && !strchr("fFPTtri", t[p]);
		fl = 0;
		int tees = 0; /* T or t: a colon read so among f glyphs, never three f glyphs alone */
		for (size_t r = p + glued; r < i; r++) {
			fl += ((uc)t[r] == 0xC2 && r + 1 < i && (uc)t[r + 1] == 0xA3) || (t[r] && strchr("fFP{Tt", t[r]));
			tees += t[r] == 'T' || t[r] == 't';
		}
		if (tees && fl - tees < 3)
			continue;
		/* session 10: two f glyphs and the colon as read, the "::ff" before them lost
		 * ("ff:172.17.34.102" for ::ffff:172.17.34.102) */
		if (fl < 3 && i >= 3 && t[i - 1] == ':' && (t[i - 2] | 32) == 'f' && (t[i - 3] | 32) == 'f' &&
		    (i == 3 || (!magi__is_alnum((uc)t[i - 4]) && !strchr(":.;", t[i - 4])))) {
			p = i - 3;
			fl = 3;
		}
		if (fl < 3 || fl > 6 || !magi__pii_left_boundary(t, p) || (p > 0 && t[p - 1] == '.'))
			continue;
		magi_status st = magi__pii_push_noisy(fv, MAGI_PII_IPV6, p, e, true);
		if (st)
			return st;
		i = e;
	}
	return MAGI_OK;
}
