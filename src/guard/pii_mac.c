/* pii_mac.c — MAC addresses (IEEE 802 EUI-48), strictly and as OCR leaves small text
 * (look-alike glyphs, spaces, doubled or mixed separators, the dotted form's commas, what
 * is left after a label). Split from pii_net.c (session 7), whose hex look-alikes it uses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "guard/pii_internal.h"
#include "core/common.h"

/* The all-zero and broadcast addresses (IEEE 802: ff-ff-ff-ff-ff-ff) name no interface:
 * true when the hex glyphs of t[i..e) are all 0 or all f. */
static bool mac_special(const char *t, size_t i, size_t e)
{
	bool zero = true, ones = true;
	for (size_t k = i; k < e; k++) {
		char h = magi__pii_hexish((uc)t[k]);
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

/* A MAC label within 24 bytes before t[i] on its line: 2 for one of mac_words, 1 for one
 * as small type misreads it (session 10) — "HWaddr" with one of its first two letters misread ("Hiaddr",
 * "KWaddr"), "hardware address" or "physical address" with one letter misread, the first
 * right ("Harduare address"), "MAC address" with its first letter misread ("HAC"). */
static int mac_label(const char *t, size_t len, size_t i)
{
	if (magi__pii_context_has(t, i, 24, mac_words))
		return 2;
	size_t from = i > 24 ? i - 24 : 0;
	for (size_t at = i; at > from; at--) {
		size_t w = at - 1;
		if (t[w] == '\n')
			break;
		if (!magi__is_alpha((uc)t[w]) || (w > 0 && magi__is_alnum((uc)t[w - 1])))
			continue;
		if (w + 6 <= i && !strncasecmp(t + w + 2, "addr", 4) &&
		    (w + 6 == len || !magi__is_alnum((uc)t[w + 6])) &&
		    (magi__lower((uc)t[w]) == 'h' || magi__lower((uc)t[w]) == 'k' ||
		     magi__lower((uc)t[w + 1]) == 'w'))
			return 1;
		if (magi__pii_label_one_off(t, len, w, "hardware address") ||
		    magi__pii_label_one_off(t, len, w, "physical address"))
			return 1;
		/* "MAC address" with its M misread ("HAC address:") */
		if (w + 11 <= i && magi__is_upper((uc)t[w]) && !strncasecmp(t + w + 1, "ac address", 10))
			return 1;
	}
	return 0;
}

magi_status magi__pii_macs(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 0; i + 12 <= len; i++) {
		if (!magi__is_hex((uc)t[i]) || !magi__pii_left_boundary(t, i))
			continue;
		size_t e = 0;
		float score = 1.0f;
		char s = i + 2 < len ? t[i + 2] : 0;
		if ((s == ':' || s == '-') && i + 17 <= len) {
			bool ok = true;
			for (int g = 0; g < 6 && ok; g++) {
				size_t p = i + (size_t)g * 3;
				ok = magi__pii_hexish((uc)t[p]) && magi__pii_hexish((uc)t[p + 1]) &&
				     (g == 5 || t[p + 2] == s);
			}
			if (ok)
				e = i + 17;
		} else if (i + 14 <= len && t[i + 4] == '.') {
			bool ok = true;
			for (int g = 0; g < 3 && ok; g++) {
				size_t p = i + (size_t)g * 5;
				for (int k = 0; k < 4; k++)
					ok = ok && magi__pii_hexish((uc)t[p + (size_t)k]);
				ok = ok && (g == 2 || t[p + 4] == '.');
			}
			if (ok)
				e = i + 14, s = '.';
		} else {
			/* twelve hex digits in one block, after a MAC label ("HWaddr 001A2B3C4D5E") */
			size_t k = i;
			while (k < len && magi__is_hex((uc)t[k]) && k - i <= 12)
				k++;
			int label = k - i == 12 ? mac_label(t, len, i) : 0;
			if (label)
				e = k, s = 0;
			/* the block is a MAC by its label alone: a misread label, a lower score */
			if (label == 1)
				score = 0.85f;
		}
		/* six groups inside a longer chain ("...:98:BC:D9:04:C3:B2:..." of a
		 * certificate's fingerprint) are no MAC address */
		if (!e || (e < len && (magi__is_alnum((uc)t[e]) ||
				       (s && t[e] == s && e + 1 < len && magi__is_hex((uc)t[e + 1])))) ||
		    (s && i >= 2 && t[i - 1] == s && magi__is_hex((uc)t[i - 2])) || mac_special(t, i, e))
			continue;
		magi_status st = magi__fvec_push(fv, MAGI_PII_MAC, i, e, score, NULL);
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

/* The dotted form ("3068.608d.ae2a") with one dot read as a comma or doubled, or a look-alike inside:
 * three groups of four hex glyphs, at most two look-alikes; its end or 0. */
static size_t cisco_noisy(const char *t, size_t len, size_t i)
{
	size_t q = i;
	int repairs = 0, dots = 0, letters = 0, digit_groups = 0, doubled = 0;
	char h;
	for (int g = 0; g < 3; g++) {
		int digits = 0;
		for (int k = 0; k < 4; k++) {
			size_t b = q < len ? magi__pii_noisy_hex(t, len, q, &h) : 0;
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
			/* a dot doubled ("26aa.863e..ac63", session 10) */
			if (t[q - 1] == '.' && q + 1 < len && t[q] == '.' && magi__pii_noisy_hex(t, len, q + 1, &h)) {
				q++;
				repairs++;
				doubled++;
			}
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
	/* a doubled dot among digits only is a number's ("2024.1205..0001"): a hex letter */
	if (repairs > 2 || (!dots && !commas) || (doubled && !letters) || (q < len && magi__is_alnum((uc)t[q])) ||
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
	if (!mac_label(t, len, i))
		return 0;
	size_t q = i, end = 0;
	int groups = 0, glyphs = 0, repairs = 0, gl[8] = {0}, unknown = 0;
	char h;
	while (q < len && groups < 8) {
		size_t b = magi__pii_noisy_hex(t, len, q, &h);
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
		if (p == q || !gl[groups] || marks > 2 || p >= len || !magi__pii_noisy_hex(t, len, p, &h))
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
	/* a block holds no separator to anchor it, but the label does: up to five glyphs read
	 * otherwise in it (session 10: "ether DOO3FO22COFL", O for 0 four times) */
	if (!(pairs || quads || block) || repairs + unknown > (block ? 5 : 2) ||
	    (end < len && magi__is_alnum((uc)t[end])) || mac_special(t, i, end))
		return 0;
	return end;
}

/* A hex glyph of a MAC pair as read: noisy_hex's look-alikes, and (session 10) '(' for
 * a C opening a pair ("82-25-46-(3-68-60"). */
static size_t mac_hex(const char *t, size_t len, size_t q, char *h)
{
	if (q + 1 < len && t[q] == '(' && magi__is_hex((uc)t[q + 1]) && q > 0 && strchr(":-.", t[q - 1])) {
		*h = 'c';
		return 1;
	}
	return magi__pii_noisy_hex(t, len, q, h);
}

/* The EUI-48 layout itself (IEEE 802: six pairs, a separator after each but the last, 17
 * characters) when OCR read up to two of the separators as a glyph ("3azfe:d0:61:882e9":
 * ':' read 'z' and '2'): the pairs at their places, three separators or more the same ':' or
 * '-', the others one glyph each that small type makes of such a mark (a colon's "2 z ; i 1 r",
 * a dash's '_', a dot or comma for either),
 * at most three glyphs read otherwise in all, not inside a longer chain. Its end or 0. */
static size_t mac_layout(const char *t, size_t len, size_t i)
{
	if (i + 17 > len)
		return 0;
	int colon = 0, dash = 0, misread = 0, looks = 0, odd_colon = 0, odd_dash = 0;
	bool zero = true, ones = true; /* the all-zero and broadcast addresses, by the pairs */
	char h;
	for (int g = 0; g < 6; g++) {
		size_t p = i + (size_t)g * 3;
		for (int k = 0; k < 2; k++) {
			if (mac_hex(t, len, p + (size_t)k, &h) != 1)
				return 0;
			looks += !magi__is_hex((uc)t[p + (size_t)k]);
			zero &= h == '0';
			ones &= h == 'f';
		}
		if (g == 5)
			break;
		char c = t[p + 2];
		if (c == ':')
			colon++;
		else if (c == '-')
			dash++;
		else if (c && strchr("2z;i1r.,_", c))
			misread++, odd_colon += strchr("2z;i1r", c) != NULL, odd_dash += c == '_';
		else
			return 0;
	}
	size_t e = i + 17;
	bool chain = (e + 1 < len && strchr(":-", t[e]) && t[e] && magi__pii_noisy_hex(t, len, e + 1, &h)) ||
		     (i >= 2 && strchr(":-", t[i - 1]) && t[i - 1] && magi__pii_noisy_hex(t, len, i - 2, &h));
	/* a glyph shaped like the separators around it: a colon's ("2 z ; i 1 r") among colons,
	 * a dash's ('_') among dashes, a dot or comma among either */
	if (!misread || misread > 2 || (colon < 3 && dash < 3) || (colon && dash) || looks + misread > 3 ||
	    (colon && odd_dash) || (dash && odd_colon) ||
	    chain || (e < len && magi__is_alnum((uc)t[e])) || zero || ones)
		return 0;
	return e;
}

/* MAC addresses OCR garbled past the strict reading: look-alike glyphs, spaces and doubled
 * or mixed separators ("04:01:2F.8F.41:6B"). Six groups of exactly two hex glyphs, most
 * separators the same character, at most two look-alikes. */
magi_status magi__pii_macs_noisy(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 0; i < len; i++) {
		char h;
		if (!magi__pii_noisy_hex(t, len, i, &h) || !magi__pii_left_boundary(t, i))
			continue;
		size_t q = i, end = i;
		int groups = 0, repairs = 0, colon = 0, dash = 0, sep_read = 0;
		bool ok = true;
		while (ok && groups < 6) {
			for (int k = 0; k < 2 && ok; k++) {
				size_t b = q < len ? mac_hex(t, len, q, &h) : 0;
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
			    magi__pii_noisy_hex(t, len, q + 1, &h) && magi__pii_noisy_hex(t, len, q + 2, &h) &&
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
			if (!(end = mac_layout(t, len, i)) && !(end = cisco_noisy(t, len, i)) &&
			    !(end = mac_labelled_noisy(t, len, i)))
				continue;
		}
		magi_status st = magi__pii_push_noisy(fv, MAGI_PII_MAC, i, end, repairs > 0);
		if (st)
			return st;
		i = end;
	}
	return MAGI_OK;
}
