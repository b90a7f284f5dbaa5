/* pii_address.c — postal addresses, by the shapes the postal systems give them (UPU S42
 * address templates and the national rules: USPS Publication 28, Royal Mail's PAF,
 * Deutsche Post and DIN 5008, La Poste, Poste Italiane, Correos, PostNL, Canada Post,
 * Australia Post, Correios, Japan Post, India Post, An Post's Eircode):
 *   - a street line: a house number and a street whose name carries a street type, the
 *     number first ("1600 Amphitheatre Parkway", "12 rue de Rivoli", "221B Baker Street")
 *     or after the name ("Hauptstraße 5", "Via Roma 10", "ul. Długa 7/3", "Keizersgracht
 *     123"), or a Japanese block number ("1-2-3 Jingumae, Shibuya-ku");
 *   - a postcode-and-town line: the country's postcode pattern with the town ("10115
 *     Berlin", "SW1A 2AA", "Springfield, IL 62704", "1015 CJ Amsterdam", "00-590 Warszawa",
 *     "Toronto ON M5V 2T6", "São Paulo - SP, 01304-000", ...);
 *   - the rest of a line after an address label ("Address:", "Anschrift:", "Dirección:"),
 *     when it holds a word and a number.
 * A street line is an address; a postcode-and-town line is one after a street line or an
 * address label, or alone when its postcode pattern is specific (UK, Canada, the Netherlands,
 * a US state and ZIP, Brazil's CEP, Ireland's Eircode). One finding covers the street and
 * the town when they are on the same or consecutive lines. Words from these street-type
 * lists are facts of the postal standards; no list of places is consulted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "guard/pii_internal.h"
#include "core/common.h"

/* Street types written after the name (USPS Pub. 28 suffixes, Royal Mail, Canada Post,
 * Australia Post, India), compared without case; a trailing '.' is allowed. */
static const char *const suffix_types[] = {
	"street", "st", "avenue", "ave", "av", "road", "rd", "boulevard", "blvd", "drive", "dr",
	"lane", "ln", "way", "court", "ct", "place", "pl", "parkway", "pkwy", "highway", "hwy",
	"terrace", "ter", "tce", "circle", "cir", "square", "sq", "trail", "trl", "close",
	"crescent", "cres", "gardens", "grove", "parade", "pde", "row", "mews", "walk", "hill",
	"marg", "nagar", "expressway", "freeway", "turnpike", "pike", "alley", "plaza", "quay",
	"wharf", "broadway", "green", "park", "rise", NULL};
/* Street types written before the name (France, Belgium, Italy, Spain, Portugal, Brazil,
 * Poland, ...). */
static const char *const prefix_types[] = {
	"rue", "avenue", "boulevard", "bd", "place", "chemin", "allée", "impasse", "quai",
	"cours", "route", "chaussée", "via", "viale", "piazza", "piazzale", "corso", "largo",
	"vicolo", "calle", "c/", "avenida", "avda.", "av.", "plaza", "paseo", "carrer", "camino",
	"rua", "travessa", "alameda", "praça", "estrada", "ul.", "al.", "pl.", "ulica", "aleja",
	NULL};
/* Endings of one-word street names (German, Dutch, Nordic compounds: "Hauptstraße",
 * "Keizersgracht", "Drottninggatan"); the word must be longer than the ending by 3+.
 * ("strabe": the ß read B by the English model, "HauptstraBe", session 8.) */
static const char *const compound_types[] = {
	"straße", "strasse", "strabe", "str.", "weg", "gasse", "platz", "allee", "damm", "ufer",
	"chaussee", "steig", "pfad", "gracht", "straat", "laan", "plein", "kade", "singel",
	"dijk", "gatan", "vägen", "vagen", "gränd", "gade", "vej", "veien", "gata", "torget",
	"-daero", "-ro", "-gil", NULL};
/* German street names that open with a preposition ("Am Markt 5", "Unter den Linden 77"). */
static const char *const prep_streets[] = {"am", "an der", "an den", "auf der", "im", "in der",
					   "unter den", "zum", "zur", "hinter der", NULL};
static const char *const address_labels[] = {
	"address", "postal address", "mailing address", "shipping address", "billing address",
	"home address", "street address", "delivery address", "ship to", "bill to", "adresse",
	"anschrift", "lieferadresse", "rechnungsadresse", "dirección", "direccion", "indirizzo",
	"adres", "endereço", "adresa", "domicilio", "adresse postale", "deliver to", "send to",
	"residence", "lieferanschrift",
	/* session 10: "Address" with a doubled glyph read once ("Addres:<tab>418 Hill street") */
	"addres", NULL};
/* Post office boxes (USPS, Australia Post, NZ Post, Deutsche Post, La Poste, Correos,
 * Poste Italiane, Correios, PostNL, Poczta Polska), then the box number. */
static const char *const box_words[] = {
	"p.o. box", "p. o. box", "po box", "post office box", "gpo box", "locked bag",
	"private bag", "pmb", "postfach", "b.p.", "boîte postale", "apartado de correos",
	"apartado", "casella postale", "caixa postal", "postbus", "skrytka pocztowa", NULL};
/* Secondary units (USPS Pub. 28 C2, Royal Mail, Australia Post): a line of their own above
 * the street, or before the house number ("Flat 3, 12 High St"). */
static const char *const unit_words[] = {"suite", "ste", "apt", "apt.", "apartment", "unit", "flat",
					 "floor", "fl", "room", "rm", "building", "bldg", NULL};
/* US states and territories (USPS two-letter codes), Canada's provinces, Australia's states. */
static const char *const us_states =
	"AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
	"NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP ";
static const char *const ca_provinces = "AB BC MB NB NL NS NT NU ON PE QC SK YT ";
static const char *const au_states = "NSW VIC QLD WA SA TAS ACT NT ";

static bool word_in(const char *t, size_t len, size_t i, size_t *end, const char *const *list)
{
	if (i >= len)
		return false;
	uc first = magi__lower((uc)t[i]);
	for (size_t k = 0; list[k]; k++)
		if ((uc)list[k][0] == first && magi__word_at(t, len, i, list[k])) {
			*end = i + strlen(list[k]);
			return true;
		}
	return false;
}

/* An upper-case code of n letters at t[i] listed in `codes` ("IL ", "NSW "). */
static bool code_in(const char *t, size_t len, size_t i, size_t n, const char *codes)
{
	if (i + n > len || (i + n < len && magi__is_alnum((uc)t[i + n])))
		return false;
	for (const char *c = codes; *c; c += strcspn(c, " ") + 1)
		if (strcspn(c, " ") == n && !memcmp(c, t + i, n))
			return true;
	return false;
}

/* A word of letters (ASCII or UTF-8, with inner '-' or '\'') at t[i]; its end, or 0. */
static size_t word_end(const char *t, size_t len, size_t i, bool *cap)
{
	size_t q = i, n;
	bool up = false;
	*cap = false;
	while (q < len) {
		if (magi__is_alpha((uc)t[q]))
			n = 1, up = magi__is_upper((uc)t[q]);
		else
			n = magi__pii_utf8_letter(t, len, q, &up);
		if (!n) {
			if ((t[q] == '-' || t[q] == '\'') && q > i && q + 1 < len && magi__is_alpha((uc)t[q + 1])) {
				q++;
				continue;
			}
			break;
		}
		if (q == i)
			*cap = up;
		q += n;
	}
	return q > i ? q : 0;
}

static bool ends_with(const char *t, size_t s, size_t e, const char *suffix)
{
	size_t n = strlen(suffix);
	return e - s > n && magi__find_ci(t, e, e - n, suffix) == e - n;
}

/* A house number at t[i]: 1-5 digits, a letter or "bis"/"ter" after it, "/12", "-14",
 * " m. 5"; its end, or 0. */
static size_t house_number(const char *t, size_t len, size_t i)
{
	size_t q = i;
	while (q < len && magi__is_digit((uc)t[q]) && q - i < 5)
		q++;
	if (q == i || (q < len && magi__is_digit((uc)t[q])) || (i > 0 && magi__is_alnum((uc)t[i - 1])))
		return 0;
	if (q < len && magi__is_alpha((uc)t[q]) && !(q + 1 < len && magi__is_alpha((uc)t[q + 1])))
		q++;
	if (q + 1 < len && (t[q] == '/' || t[q] == '-') && magi__is_digit((uc)t[q + 1])) {
		q++;
		while (q < len && magi__is_digit((uc)t[q]))
			q++;
	}
	if (q + 2 < len && t[q] == ' ' && (magi__word_at(t, len, q + 1, "bis") || magi__word_at(t, len, q + 1, "ter")))
		q += 4;
	return q;
}

/* A street line starting at t[i]: its end on the line, or 0. */
static size_t street_at(const char *t, size_t len, size_t i)
{
	size_t q, e;
	bool cap;
	/* "Flat 3, ", "Unit 2, ", "Apt. 4B, ", "Flat 3 12 ...", "Flat 3/12 ..." before the number */
	if (word_in(t, len, i, &q, unit_words)) {
		while (q < len && t[q] == ' ')
			q++;
		size_t h = house_number(t, len, q);
		if (h && h + 2 < len && t[h] == ',' && t[h + 1] == ' ')
			i = h + 2;
		else if (h && h + 1 < len && t[h] == ' ' && magi__is_digit((uc)t[h + 1]))
			i = h + 1;
		else if (h && memchr(t + q, '/', h - q))
			i = q;
	}
	/* number first: "221B Baker Street", "12, rue de Rivoli", "12 MG Road" */
	size_t h = house_number(t, len, i);
	if (h) {
		q = h;
		if (q < len && t[q] == ',')
			q++;
		if (q < len && t[q] == ' ')
			q++;
		/* French order: the type right after the number */
		if (word_in(t, len, q, &e, prefix_types)) {
			size_t w = e;
			int names = 0;
			while (w + 1 < len && t[w] == ' ' && (e = word_end(t, len, w + 1, &cap)) != 0 && names < 5) {
				w = e;
				names++;
			}
			return names ? w : 0;
		}
		/* Japanese block numbers "1-2-3 Jingumae, Shibuya-ku" */
		if (magi__is_digit((uc)t[i]) && memchr(t + i, '-', h - i) && (e = word_end(t, len, q, &cap)) && cap &&
		    e + 2 < len && t[e] == ',' && t[e + 1] == ' ') {
			size_t w = word_end(t, len, e + 2, &cap);
			if (w > e + 5 && (!memcmp(t + w - 3, "-ku", 3) || !memcmp(t + w - 4, "-shi", 4) ||
					  !memcmp(t + w - 4, "-cho", 4)))
				return w;
		}
		/* English order: capitalised words, the last a street type */
		size_t w = q;
		int words = 0;
		while (words < 5 && (e = word_end(t, len, w, &cap)) != 0 && cap) {
			size_t te;
			words++;
			if (words >= 2 && word_in(t, len, w, &te, suffix_types)) {
				if (te < len && t[te] == '.')
					te++;
				return te;
			}
			/* Korea's road names (2014): "209 Sejong-daero", "12 Teheran-ro" */
			if (words == 1 && (ends_with(t, w, e, "-daero") || ends_with(t, w, e, "-ro") ||
					   ends_with(t, w, e, "-gil")) && e - w >= 6)
				return e;
			if (e < len && t[e] == ' ')
				w = e + 1;
			else
				break;
		}
		return 0;
	}
	/* the type first: "Via Roma 10", "Calle Mayor, 5", "ul. Długa 7/3", "Rua Augusta, 100";
	 * or a German compound or prepositional street: "Hauptstraße 5", "Am Markt 3" */
	bool prefix = word_in(t, len, i, &q, prefix_types) || word_in(t, len, i, &q, prep_streets);
	if (!prefix) {
		e = word_end(t, len, i, &cap);
		if (!e || !cap)
			return 0;
		bool compound = false;
		for (size_t k = 0; compound_types[k] && !compound; k++) {
			size_t tl = strlen(compound_types[k]);
			size_t we = e < len && t[e] == '.' ? e + 1 : e;
			compound = we - i >= tl + 3 && magi__find_ci(t, we, we - tl, compound_types[k]) == we - tl;
			if (compound)
				e = we;
		}
		if (!compound)
			return 0;
		q = e;
	}
	/* name words (any case: "de Alcalá", "della Repubblica"), then the number */
	size_t w = q;
	for (int k = 0; k < 5; k++) {
		size_t s = w;
		if (s < len && t[s] == ',')
			s++;
		if (s < len && t[s] == ' ')
			s++;
		if ((h = house_number(t, len, s)) != 0 && (h == len || !magi__is_alpha((uc)t[h]) || t[h - 1] != ' ')) {
			if (!prefix && k > 0)
				return 0; /* "Hauptstraße Nord 5" is rare; "Offspring Way 2" is not German */
			return h;
		}
		if ((e = word_end(t, len, s, &cap)) == 0)
			return 0;
		w = e;
	}
	return 0;
}

/* A postcode-and-town at t[i] (to the end of the line or the next comma-free stop); its
 * end, or 0. *specific: the postcode pattern alone says "address". */
static size_t town_at(const char *t, size_t len, size_t i, bool *specific)
{
	size_t q = i, e, w;
	bool cap;
	*specific = false;
	/* postcode first: "10115 Berlin", "1015 CJ Amsterdam", "00-590 Warszawa", "111 51 Stockholm" */
	size_t d = 0;
	while (q + d < len && magi__is_digit((uc)t[q + d]))
		d++;
	if (d && !(q > 0 && magi__is_alnum((uc)t[q - 1]))) {
		size_t p = q + d;
		if (d == 2 && p + 4 < len && t[p] == '-' && magi__is_digit((uc)t[p + 1]) &&
		    magi__is_digit((uc)t[p + 2]) && magi__is_digit((uc)t[p + 3]))
			p += 4; /* Poland */
		else if (d == 3 && p + 3 < len && t[p] == ' ' && magi__is_digit((uc)t[p + 1]) &&
			 magi__is_digit((uc)t[p + 2]) && !magi__is_digit((uc)t[p + 3]))
			p += 3; /* Sweden */
		else if (d == 4 && p + 3 < len && t[p] == ' ' && magi__is_upper((uc)t[p + 1]) &&
			 magi__is_upper((uc)t[p + 2]) && t[p + 3] == ' ') {
			p += 3; /* the Netherlands */
			*specific = true;
		} else if (d != 4 && d != 5)
			return 0;
		if (p >= len || t[p] != ' ')
			return 0;
		if (!(e = word_end(t, len, p + 1, &cap)) || !cap)
			return 0;
		w = e;
		/* more words of the town, a CEDEX, a province "(MI)" or "RM" */
		while (w + 1 < len && t[w] == ' ' && (e = word_end(t, len, w + 1, &cap)) != 0 && cap)
			w = e;
		/* a province "(MI)", a district number ("CEDEX 8", "Dublin 2") */
		if (w + 4 < len && t[w] == ' ' && t[w + 1] == '(' && magi__is_upper((uc)t[w + 2]) &&
		    magi__is_upper((uc)t[w + 3]) && t[w + 4] == ')')
			w += 5;
		else if (w + 1 < len && t[w] == ' ' && magi__is_digit((uc)t[w + 1])) {
			size_t z = w + 1;
			while (z < len && magi__is_digit((uc)t[z]) && z - w <= 2)
				z++;
			if (z - w <= 3 && !(z < len && magi__is_alnum((uc)t[z])))
				w = z;
		}
		return w;
	}
	/* the town first: "Springfield, IL 62704", "Toronto ON M5V 2T6", "Sydney NSW 2000",
	 * "London SW1A 2AA", "São Paulo - SP, 01304-000", "Shibuya-ku, Tokyo 150-0002" */
	if (!(e = word_end(t, len, q, &cap)) || !cap)
		return 0;
	w = e;
	bool comma = false;
	for (int k = 0; k < 4 && w < len; k++) {
		comma |= t[w] == ',';
		size_t s = w + (t[w] == ',');
		if (s < len && t[s] == ' ')
			s++;
		if (s + 1 < len && t[s] == '-' && t[s + 1] == ' ')
			s += 2;
		/* state codes and postcodes */
		if (code_in(t, len, s, 2, us_states) && s + 8 <= len && t[s + 2] == ' ') {
			size_t z = s + 3, n = 0;
			while (z + n < len && magi__is_digit((uc)t[z + n]))
				n++;
			if (n == 5 && !(z + 5 < len && magi__is_alnum((uc)t[z + 5]))) {
				*specific = true;
				z += 5;
				if (z + 5 < len && t[z] == '-' && magi__is_digit((uc)t[z + 1]))
					z += 5;
				return z;
			}
		}
		size_t pe = 0;
		if ((code_in(t, len, s, 2, ca_provinces) || code_in(t, len, s, 3, au_states) ||
		     code_in(t, len, s, 2, au_states)) && s + 4 < len) {
			size_t c = s + (t[s + 2] == ' ' ? 3 : 4);
			/* Canada: A1A 1A1; Australia: 4 digits */
			if (c + 7 <= len && magi__is_upper((uc)t[c]) && magi__is_digit((uc)t[c + 1]) &&
			    magi__is_upper((uc)t[c + 2]) && t[c + 3] == ' ' && magi__is_digit((uc)t[c + 4]) &&
			    magi__is_upper((uc)t[c + 5]) && magi__is_digit((uc)t[c + 6]))
				pe = c + 7;
			else if (c + 4 <= len && magi__is_digit((uc)t[c]) && magi__is_digit((uc)t[c + 3]) &&
				 !(c + 4 < len && magi__is_alnum((uc)t[c + 4])))
				pe = c + 4;
			if (pe) {
				*specific = true;
				return pe;
			}
		}
		/* UK postcode: A9 9AA, A9A 9AA, A99 9AA, AA9 9AA, AA9A 9AA, AA99 9AA */
		size_t u = s, letters = 0;
		while (u < len && magi__is_upper((uc)t[u]) && letters < 2)
			u++, letters++;
		if (letters && u < len && magi__is_digit((uc)t[u])) {
			u++;
			if (u < len && (magi__is_digit((uc)t[u]) || magi__is_upper((uc)t[u])))
				u++;
			if (u + 4 <= len && t[u] == ' ' && magi__is_digit((uc)t[u + 1]) && magi__is_upper((uc)t[u + 2]) &&
			    magi__is_upper((uc)t[u + 3]) && !(u + 4 < len && magi__is_alnum((uc)t[u + 4]))) {
				*specific = true;
				return u + 4;
			}
			/* Ireland's Eircode: a routing key (letter, 2 digits or D6W) and 4 characters */
			if (letters == 1 && u + 5 <= len && t[u] == ' ' && magi__is_alnum((uc)t[u + 1]) &&
			    magi__is_alnum((uc)t[u + 4]) && !(u + 5 < len && magi__is_alnum((uc)t[u + 5])) && u - s == 3) {
				*specific = true;
				return u + 5;
			}
		}
		/* Brazil's CEP 01304-000, Japan's 150-0002, India's PIN 560001 after a state */
		size_t n = 0;
		while (s + n < len && magi__is_digit((uc)t[s + n]))
			n++;
		if (n && !(s + n < len && magi__is_alpha((uc)t[s + n]))) {
			if ((n == 5 || n == 3) && s + n + 1 < len && t[s + n] == '-') {
				size_t m = 0;
				while (s + n + 1 + m < len && magi__is_digit((uc)t[s + n + 1 + m]))
					m++;
				if ((n == 5 && m == 3) || (n == 3 && m == 4)) {
					*specific = true;
					return s + n + 1 + m;
				}
			}
			if (n == 6 && k > 0 && comma) {
				*specific = true;
				return s + n;
			}
			/* Korea: a district (-gu, -si, -gun), the city and a 5-digit postcode */
			size_t de = i;
			while (de < len && t[de] != ',' && t[de] != '\n')
				de++;
			if (n == 5 && k > 0 && comma &&
			    (ends_with(t, i, de, "-gu") || ends_with(t, i, de, "-si") || ends_with(t, i, de, "-gun"))) {
				*specific = true;
				return s + n;
			}
			return 0;
		}
		/* another word of the town or the state ("Tamil Nadu", "Rio de Janeiro") */
		if (!(e = word_end(t, len, s, &cap)) || (!cap && e - s > 3))
			return 0;
		w = e;
	}
	return 0;
}

static size_t line_end(const char *t, size_t len, size_t i)
{
	while (i < len && t[i] != '\n')
		i++;
	return i;
}

/* A post office box at t[i]: the box word and its number (digit groups split by single
 * spaces: "Postfach 10 12 34"); its end, or 0. "BP" (boîte postale) only in capitals. */
static size_t pobox_at(const char *t, size_t len, size_t i)
{
	size_t q;
	if (!word_in(t, len, i, &q, box_words) && !(i + 3 < len && !memcmp(t + i, "BP ", 3) && (q = i + 2)))
		return 0;
	if (q < len && t[q] == '.')
		q++;
	if (q < len && t[q] == ' ')
		q++;
	if (q < len && t[q] == '#')
		q++;
	if (q >= len || !magi__is_digit((uc)t[q]))
		return 0;
	size_t e = q;
	while (e < len && magi__is_digit((uc)t[e]))
		e++;
	while (e + 1 < len && t[e] == ' ' && magi__is_digit((uc)t[e + 1]) && e + 3 <= len &&
	       !(e + 3 < len && magi__is_digit((uc)t[e + 3]) && e + 4 < len && magi__is_digit((uc)t[e + 4]) &&
		 magi__is_digit((uc)t[e + 5])))
		for (e++; e < len && magi__is_digit((uc)t[e]);)
			e++;
	return e < len && magi__is_alpha((uc)t[e]) ? 0 : e;
}

/* German streets named "...ring" ("Goethering 25", "Kirchring 138"): a capitalised word
 * 3+ letters longer than "ring", then the house number; its end, or 0. Taken only with a
 * postcode and town after it: "Monitoring 2", "Offspring 2" have the same shape. */
static size_t ring_street_at(const char *t, size_t len, size_t i)
{
	bool cap;
	size_t e = word_end(t, len, i, &cap), h;
	if (!e || !cap || e - i < 7 || magi__find_ci(t, e, e - 4, "ring") != e - 4 || e + 1 >= len || t[e] != ' ' ||
	    !(h = house_number(t, len, e + 1)))
		return 0;
	return h;
}

/* A street named without its number at t[i] ("Baker Street", "Hauptstraße", "rue de
 * Rivoli", "Via Roma"): its end, or 0. English order needs 2+ capitalised words, the last a
 * street type; the type first needs 1-4 name words after it. */
static size_t street_name_at(const char *t, size_t len, size_t i)
{
	size_t e, q, te;
	bool cap;
	if (word_in(t, len, i, &q, prefix_types)) {
		size_t w = q;
		int names = 0;
		while (names < 4 && w + 1 < len && t[w] == ' ' && (e = word_end(t, len, w + 1, &cap)) != 0) {
			w = e;
			names++;
		}
		return names && (cap || names > 1) ? w : 0;
	}
	if (!(e = word_end(t, len, i, &cap)) || !cap)
		return 0;
	for (size_t k = 0; compound_types[k]; k++) {
		size_t tl = strlen(compound_types[k]);
		if (compound_types[k][0] != '-' && e - i >= tl + 3 && magi__find_ci(t, e, e - tl, compound_types[k]) == e - tl)
			return e;
	}
	size_t w = i;
	for (int words = 0; words < 4 && (e = word_end(t, len, w, &cap)) != 0 && cap;) {
		words++;
		if (words >= 2 && word_in(t, len, w, &te, suffix_types))
			return te < len && t[te] == '.' ? te + 1 : te;
		if (e + 1 < len && t[e] == ' ')
			w = e + 1;
		else
			break;
	}
	return 0;
}

/* A street without a number, then ", " and a town of 1-3 capitalised words ending the line
 * (or a comma and more): "Baker Street, London". Its end, or 0. */
static size_t street_town_at(const char *t, size_t len, size_t i)
{
	size_t e = street_name_at(t, len, i), w, n;
	bool cap;
	if (!e || e + 2 >= len || t[e] != ',' || t[e + 1] != ' ')
		return 0;
	w = e + 2;
	for (int k = 0; k < 3 && (n = word_end(t, len, w, &cap)) != 0 && cap; k++) {
		if (n >= len || t[n] == '\n' || t[n] == ',' || (t[n] == '.' && (n + 1 >= len || t[n + 1] == '\n')))
			return n;
		if (t[n] != ' ')
			return 0;
		w = n + 1;
	}
	return 0;
}

/* A secondary-unit line alone above the street ("Suite 400"): its start, or s. */
static size_t unit_line_before(const char *t, size_t len, size_t s)
{
	if (s < 2 || t[s - 1] != '\n')
		return s;
	size_t a = s - 1;
	while (a > 0 && t[a - 1] != '\n')
		a--;
	while (a < s - 1 && t[a] == ' ')
		a++;
	size_t q;
	if (!word_in(t, len, a, &q, unit_words))
		return s;
	while (q < s - 1 && (t[q] == ' ' || t[q] == '#'))
		q++;
	size_t e = q;
	while (e < s - 1 && magi__is_alnum((uc)t[e]) && e - q < 6)
		e++;
	while (e < s - 1 && t[e] == ' ')
		e++;
	return e > q && e == s - 1 ? a : s;
}

/* Japan in Japanese order, romanised: a prefecture (-to, -fu, -ken, -do), a ward or city
 * (-ku, -shi, -cho), a district and the block number ("Tokyo-to Shibuya-ku, Jingumae
 * 1-2-3"); its end, or 0. */
static size_t jp_order_at(const char *t, size_t len, size_t i)
{
	bool cap;
	size_t e = word_end(t, len, i, &cap);
	if (!e || !cap || !(ends_with(t, i, e, "-to") || ends_with(t, i, e, "-fu") || ends_with(t, i, e, "-ken") ||
			    ends_with(t, i, e, "-do")) || e + 1 >= len || t[e] != ' ')
		return 0;
	size_t w = word_end(t, len, e + 1, &cap);
	if (!w || !(ends_with(t, e + 1, w, "-ku") || ends_with(t, e + 1, w, "-shi") || ends_with(t, e + 1, w, "-cho")))
		return 0;
	size_t q = w + (w < len && t[w] == ',');
	if (q < len && t[q] == ' ')
		q++;
	size_t d = word_end(t, len, q, &cap);
	if (!d || d + 1 >= len || t[d] != ' ' || !magi__is_digit((uc)t[d + 1]))
		return 0;
	size_t h = d + 1, dashes = 0;
	while (h < len && (magi__is_digit((uc)t[h]) || (t[h] == '-' && h + 1 < len && magi__is_digit((uc)t[h + 1]))))
		dashes += t[h++] == '-';
	return dashes >= 1 ? h : 0;
}

/* After a street ending at e: a town on the same line (", 10115 Berlin") or opening the
 * next; the end of the address. */
static size_t with_town(const char *t, size_t len, size_t e)
{
	bool spec;
	size_t le = line_end(t, len, e);
	/* the postcode right after the number, where OCR joined two lines ("Kirchring 138
	 * 47476 Berlin") */
	if (e + 1 < le && t[e] == ' ' && magi__is_digit((uc)t[e - 1]) && magi__is_digit((uc)t[e + 1])) {
		size_t te = town_at(t, len, e + 1, &spec);
		if (te)
			return te;
	}
	/* ", Apt 5", " Suite 300", ", 3º B" may stand between */
	for (size_t k = e; k < le; k++)
		if (t[k] == ',' || (t[k] == ' ' && k + 1 < le && t[k + 1] == '-')) {
			size_t s = k + 1;
			while (s < le && (t[s] == ' ' || t[s] == '-'))
				s++;
			size_t te = town_at(t, len, s, &spec);
			if (te)
				return te;
		}
	/* a floor and door between, with no comma before the postcode (Correos: "Calle del
	 * Prado, 7, 2.º izq. 30474 Madrid"; session 12): a postcode opening a word within 24
	 * bytes of the street's end */
	for (size_t k = e; k < le && k < e + 24; k++)
		if (t[k] == ' ' && k + 1 < le && magi__is_digit((uc)t[k + 1])) {
			size_t te = town_at(t, len, k + 1, &spec);
			if (te)
				return te;
		}
	if (le + 1 < len) {
		size_t s = le + 1;
		while (s < len && t[s] == ' ')
			s++;
		size_t te = town_at(t, len, s, &spec);
		if (te && line_end(t, len, s) == line_end(t, len, te))
			return te;
	}
	return e;
}

/* Phrases of prose that a residence or a place of business follows (session 7), lower case. */
static const char *const place_cues[] = {
	"lives on", "lives at", "live on", "live at", "living on", "living at", "lived on",
	"lived at", "located on", "located at", "moved to", "moving to", "house on", "flat on",
	"apartment on", "office on", "shop on", "store on", "corner of", "stays at", "staying at",
	NULL};

/* A street named without its number in running prose, right after a place cue ("He lives
 * on Maple Street", "The store on Via Roma closed"): its end, or 0. */
static size_t street_after_place_cue(const char *t, size_t len, size_t i)
{
	if (i < 4 || t[i - 1] != ' ')
		return 0;
	for (size_t k = 0; place_cues[k]; k++) {
		size_t n = strlen(place_cues[k]);
		if (n + 1 > i || (i - 1 - n > 0 && magi__is_alpha((uc)t[i - 2 - n])))
			continue;
		size_t a = i - 1 - n, j = 0;
		while (j < n && magi__lower((uc)t[a + j]) == (uc)place_cues[k][j])
			j++;
		if (j != n)
			continue;
		/* in prose the name ends with its last capitalised word ("Via Roma closed") */
		size_t e = street_name_at(t, len, i), last = 0;
		for (size_t w = i; w < e; w++)
			if ((w == i || t[w - 1] == ' ') && magi__is_upper((uc)t[w])) {
				last = w;
				while (last < e && t[last] != ' ')
					last++;
			}
		return last;
	}
	return 0;
}

/* Bytes of the character at t[i] (UTF-8 lead byte), at least 1. */
static size_t char_len(const char *t, size_t len, size_t i)
{
	size_t n = 1;
	while (i + n < len && ((uc)t[i + n] & 0xC0) == 0x80)
		n++;
	return n;
}

/* A label of 8+ bytes at t[at] with one character misread (small type's "Direccién" for
 * "Dirección", session 7), the first one right: the end of it in t, or 0. */
size_t magi__pii_label_one_off(const char *t, size_t len, size_t at, const char *label)
{
	size_t ll = strlen(label), q = at, k = 0;
	int off = 0;
	if (ll < 8)
		return 0;
	while (k < ll && q < len) {
		if (magi__lower((uc)t[q]) == (uc)label[k]) {
			q++, k++;
			continue;
		}
		if (++off > 1 || k == 0 || t[q] == ' ' || t[q] == '\n' || label[k] == ' ')
			return 0;
		q += char_len(t, len, q);
		k += char_len(label, ll, k);
	}
	if (k < ll || (q < len && (magi__is_alnum((uc)t[q]) || ((uc)t[q] & 0x80))))
		return 0;
	return q;
}

/* Small type's faults inside a street line (session 12), undone on a copy of the line and
 * the next (at most 255 bytes) so that the street rules above read it: one stray lower-case
 * glyph glued before the line's first word ("fAm Markt 199", "lul. Floriańska 83"); the
 * period of a prefix type's abbreviation read as a comma ("ul, Piotrkowska 133": Poland's
 * ul., al., pl., Spain's av., avda.); a street type after the name read in lower case
 * ("3519 Yonge street"); a one-word street split by a space inside its type ("Goether ing
 * 60/17" for Goethering: a capitalised word, a space, 1-4 lower-case letters that join it
 * into a compound street type or a "...ring", then a house number). A street the copy
 * gives, with a town after it for the split and glued forms, is reported over the original
 * text, `repaired`, when no address finding covers that line already. */
#define ADDR_LINE_MAX 256
static magi_status addresses_repaired(const char *t, size_t len, size_t ls, struct magi__fvec *fv)
{
	size_t le = line_end(t, len, ls), ne = le < len ? line_end(t, len, le + 1) : le;
	if (ne - ls >= ADDR_LINE_MAX)
		ne = le;
	if (le - ls < 8 || ne - ls >= ADDR_LINE_MAX)
		return MAGI_OK;
	for (size_t k = 0; k < fv->n; k++)
		if (fv->v[k].type == MAGI_PII_ADDRESS && fv->v[k].start < le && ls < fv->v[k].end)
			return MAGI_OK;
	char b[ADDR_LINE_MAX];
	size_t n = ne - ls, cut = SIZE_MAX, at = 0, e;
	memcpy(b, t + ls, n);
	while (at < le - ls && b[at] == ' ')
		at++;
	bool fixed = false, need_town = false, cap;
	/* a stray glyph before the first word: a lower-case letter, then a capital or a
	 * prefix type ("ul.") */
	if (at + 3 < le - ls && magi__is_lower((uc)b[at]) && magi__is_alpha((uc)b[at + 1])) {
		char c = b[at];
		b[at] = ' ';
		if (magi__is_upper((uc)b[at + 1]) || word_in(b, n, at + 1, &e, prefix_types)) {
			at++;
			fixed = need_town = true;
		} else {
			b[at] = c;
		}
	}
	/* the abbreviation's period read as a comma */
	static const char *const abbrev[] = {"ul", "al", "pl", "av", "avda", NULL};
	if (word_in(b, n, at, &e, abbrev) && e + 2 < le - ls && b[e] == ',' && b[e + 1] == ' ' &&
	    magi__is_upper((uc)b[e + 2])) {
		b[e] = '.';
		fixed = true;
	}
	/* a street type read in lower case after a capitalised name, the number first */
	size_t h = house_number(b, n, at);
	if (h && h + 1 < le - ls && b[h] == ' ' && (e = word_end(b, n, h + 1, &cap)) && cap && e + 1 < le - ls &&
	    b[e] == ' ' && magi__is_lower((uc)b[e + 1]) && word_in(b, n, e + 1, &e, suffix_types) && e - h >= 6) {
		size_t w = e;
		while (w > h + 1 && b[w - 1] != ' ')
			w--;
		b[w] = (char)(b[w] - 'a' + 'A');
		fixed = true;
	}
	/* a one-word street split by a space inside its type */
	size_t w1 = word_end(b, n, at, &cap);
	if (!fixed && w1 && cap && w1 + 2 < le - ls && b[w1] == ' ' && magi__is_lower((uc)b[w1 + 1])) {
		size_t w2 = w1 + 1;
		while (w2 < le - ls && magi__is_lower((uc)b[w2]))
			w2++;
		char j[64];
		size_t jl = w2 - at - 1;
		if (w2 - w1 - 1 <= 4 && jl < sizeof j && w2 + 1 < le - ls && b[w2] == ' ' && magi__is_digit((uc)b[w2 + 1])) {
			memcpy(j, b + at, w1 - at);
			memcpy(j + (w1 - at), b + w1 + 1, w2 - w1 - 1);
			bool type = jl >= 8 && magi__find_ci(j, jl, jl - 4, "ring") == jl - 4;
			for (size_t k = 0; compound_types[k] && !type; k++) {
				size_t tl = strlen(compound_types[k]);
				type = compound_types[k][0] != '-' && jl >= tl + 3 && w1 - at < jl - 1 &&
				       magi__find_ci(j, jl, jl - tl, compound_types[k]) == jl - tl &&
				       jl - tl < w1 - at + 1;
			}
			if (type) {
				memmove(b + w1, b + w1 + 1, n - w1 - 1);
				n--;
				cut = w1;
				fixed = need_town = true;
			}
		}
	}
	if (!fixed)
		return MAGI_OK;
	size_t ble = le - ls - (cut != SIZE_MAX);
	if (!(e = street_at(b, n, at)) && !(e = ring_street_at(b, n, at)))
		return MAGI_OK;
	size_t end = with_town(b, n, e);
	if ((need_town && end == e) || e > ble)
		return MAGI_OK;
	/* back to the original text's offsets */
	size_t s0 = ls + at, e0 = ls + end + (cut != SIZE_MAX && end > cut);
	return magi__fvec_push_repaired(fv, MAGI_PII_ADDRESS, s0, e0, 0.55f);
}

magi_status magi__pii_addresses(const char *t, size_t len, struct magi__fvec *fv)
{
	size_t next = 0;
	for (size_t i = 0; i < len; i++) {
		/* a street line holds its house number, a town line its postcode: a line without
		 * a digit starts no address */
		if (i == 0 || t[i - 1] == '\n') {
			size_t le = line_end(t, len, i), q = i;
			while (q < le && !magi__is_digit((uc)t[q]))
				q++;
			if (q == le) {
				i = le;
				continue;
			}
		}
		/* a tab is a form field's edge ("Value<tab>Lindenstrasse 7, ...", session 7); a
		 * colon after a digit is a time's ("09:14, Dohyun Park wrote:") */
		if (i < next || (i > 0 && t[i - 1] != ' ' && t[i - 1] != '\n' && t[i - 1] != ',' &&
				 t[i - 1] != ':' && t[i - 1] != '|' && t[i - 1] != '(' && t[i - 1] != '\t') ||
		    (i > 1 && t[i - 1] == ':' && magi__is_digit((uc)t[i - 2])))
			continue;
		size_t e = street_at(t, len, i), end = 0, start = i;
		float score = 0.7f;
		bool spec = false;
		if (e) {
			end = with_town(t, len, e);
			score = end > e ? 0.8f : 0.7f;
			start = unit_line_before(t, len, i);
		} else if ((e = pobox_at(t, len, i)) != 0 || (e = jp_order_at(t, len, i)) != 0) {
			end = with_town(t, len, e);
		} else if ((e = ring_street_at(t, len, i)) != 0 && (end = with_town(t, len, e)) == e) {
			end = 0; /* "...ring 5" without a town is "Monitoring 2" as often as a street */
		} else if ((e = town_at(t, len, i, &spec)) != 0 && spec) {
			end = e;
			score = 0.6f;
		}
		if (!end)
			continue;
		magi_status st = magi__fvec_push(fv, MAGI_PII_ADDRESS, start, end, score, NULL);
		if (st)
			return st;
		next = end;
	}
	/* a street and a town without number or postcode, opening a field: "Baker Street, London";
	 * a street named after a place cue in prose (session 7) */
	for (size_t i = 0; i < len; i++) {
		size_t e;
		if (!magi__is_alpha((uc)t[i]) ||
		    !((magi__pii_field_start(t, i) && (e = street_town_at(t, len, i)) != 0) ||
		      (e = street_after_place_cue(t, len, i)) != 0))
			continue;
		magi_status st = magi__fvec_push(fv, MAGI_PII_ADDRESS, i, e, 0.6f, NULL);
		if (st)
			return st;
		i = e;
	}
	/* after an address label: the rest of the line, and the next line when it is a town */
	for (size_t at = 0; at < len; at++) {
		if (!magi__is_alpha((uc)t[at]) || !magi__pii_label_start(t, at))
			continue;
		for (size_t k = 0; address_labels[k]; k++) {
			size_t q = at + strlen(address_labels[k]);
			if (magi__lower((uc)t[at]) != (uc)address_labels[k][0])
				continue;
			if (!magi__word_at(t, len, at, address_labels[k]) &&
			    !(q = magi__pii_label_one_off(t, len, at, address_labels[k])))
				continue;
			while (q < len && t[q] == ' ')
				q++;
			if (q >= len || (t[q] != ':' && t[q] != ';' && t[q] != '\t' &&
					 !(t[q] == '-' && q + 1 < len && t[q + 1] == ' ')))
				continue;
			q++;
			while (q < len && t[q] == ' ')
				q++;
			size_t le = line_end(t, len, q);
			bool word = false, digit = false, cap;
			for (size_t s = q; s < le; s++) {
				size_t we = word_end(t, len, s, &cap);
				word |= we >= s + 3;
				digit |= magi__is_digit((uc)t[s]);
				if (we)
					s = we;
			}
			/* a word and a number, or a street named without its number */
			if (!(word && digit) && !street_name_at(t, len, q))
				continue;
			bool spec;
			size_t end = le;
			if (le + 1 < len) {
				size_t s = le + 1;
				while (s < len && t[s] == ' ')
					s++;
				size_t te = town_at(t, len, s, &spec);
				if (te && line_end(t, len, te) == line_end(t, len, s))
					end = te;
			}
			while (end > q && (t[end - 1] == ' ' || t[end - 1] == '.'))
				end--;
			magi_status st = magi__fvec_push(fv, MAGI_PII_ADDRESS, q, end, 0.7f, NULL);
			if (st)
				return st;
		}
	}
	/* street lines with one of small type's faults undone */
	for (size_t ls = 0; ls < len; ls = line_end(t, len, ls) + 1) {
		magi_status st = addresses_repaired(t, len, ls, fv);
		if (st)
			return st;
	}
	return MAGI_OK;
}
