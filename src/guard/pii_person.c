/* pii_person.c — person names, only where the text itself says a name stands: after a label
 * ("Name:", "Account holder:", "From:", "Vorname:", ...), after a salutation ("Dear ...,"),
 * on the line under a letter's closing ("Best regards," / "Jane Doe"), and as an e-mail's
 * display name ("Jane Doe <jane@example.com>"). No list of names is consulted: a name is a
 * run of capitalised words (with initials, particles such as van/de/al, hyphens and
 * apostrophes, any Latin, Greek or Cyrillic capitals), and a stop list keeps the ordinary
 * words of interfaces ("Sales Team", "New Folder") out, because covering those ruins the
 * agent's view of the screen. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "guard/pii_internal.h"
#include "core/common.h"

#define NAME_MAX_WORDS 4

/* Lower-case particles that stand between the parts of a name. */
static const char *const particles[] = {"van", "von", "der", "den", "de", "del", "della", "di",
					"da", "du", "la", "le", "bin", "binti", "ibn", "al", "el",
					"ter", "ten", "y", "dos", "das", "zu", "af", "bint", NULL};

/* Capitalised words that are not names where labels put them (interface, business and
 * salutation words), compared in lower case. */
static const char *const not_names[] = {
	"team", "support", "sales", "service", "services", "customer", "customers", "client",
	"department", "dept", "office", "admin", "administrator", "manager", "management", "staff",
	"group", "inc", "ltd", "llc", "gmbh", "ag", "corp", "corporation", "company", "co", "bank",
	"university", "school", "hospital", "new", "untitled", "document", "documents", "file",
	"files", "folder", "project", "settings", "default", "none", "unknown", "all", "everyone",
	"home", "server", "production", "staging", "test", "user", "users", "guest", "sir",
	"madam", "madame", "colleagues", "colleague", "friends", "friend", "world", "there",
	"valued", "member", "members", "partner", "partners", "subscriber", "hello", "dear",
	"thanks", "thank", "regards", "best", "kind", "the", "this", "that", "your", "our", "my",
	"mr", "mrs", "ms", "dr", "prof", "inbox", "sent", "drafts", "outbox", "spam", "trash",
	"subject", "date", "re", "fwd", "fw", "noreply", "no-reply", "info", "contact", "name",
	"first", "last", "full", "required", "optional", "edit", "save", "cancel", "submit",
	"account", "holder", "card", "number", "address", "email", "phone", "mobile", "street",
	"city", "country", "state", "zip", "code", "note", "notes", "description", "type",
	"status", "active", "inactive", "yes", "no", "ok", "okay", "error", "warning", "system",
	"security", "privacy", "google", "microsoft", "apple", "amazon", "github", "linux",
	"windows", "debian", "ubuntu", "mozilla", "firefox", "chrome", "chromium", "calendar",
	"notifications", "newsletter", "updates", "billing", "payments", "orders", "shop",
	"store", "online", "digital", "global", "international", "national", "general",
	"public", "private", "internal", "external", "monday", "tuesday", "wednesday",
	"thursday", "friday", "saturday", "sunday", "january", "february", "march", "april",
	"june", "july", "august", "september", "october", "november", "december", "today",
	"tomorrow", "yesterday", "committee", "board", "council", "foundation", "association",
	"society", "institute", "ministry", "agency", "authority", "government", "city",
	"kunde", "kundin", "herr", "frau", "damen", "herren", "monsieur", "mesdames",
	"messieurs", "señor", "señora", "signore", "signora", NULL};

/* A letter at t[i] (ASCII or UTF-8): its byte length, whether it is a capital. */
static size_t letter_at(const char *t, size_t len, size_t i, bool *upper)
{
	if (i >= len)
		return 0;
	uc c = (uc)t[i];
	if (magi__is_alpha(c)) {
		*upper = magi__is_upper(c);
		return 1;
	}
	return magi__pii_utf8_letter(t, len, i, upper);
}

enum { W_NONE, W_NAME, W_INITIAL, W_CAPS };

/* A name word at t[i]: a capital and lower-case letters ("Anna", "Łukasz", "O'Brien",
 * "Smith-Jones", "McDonald"), an initial ("J."), or a word in capitals ("WANG"). Sets
 * *end; returns its kind (W_NONE when it is none, or ends glued to a digit). */
static int name_word_ocr(const char *t, size_t len, size_t i, size_t *end, bool l_for_i);

static int name_word(const char *t, size_t len, size_t i, size_t *end)
{
	return name_word_ocr(t, len, i, end, false);
}

/* Small type's 'l' for a name's capital I ("Sergel lvanov"): an 'l' then a consonant no
 * word starts with after an 'l' (not l, y), 4+ letters. */
static bool l_for_capital_i(const char *t, size_t len, size_t i)
{
	if (i + 3 >= len || t[i] != 'l' || !magi__is_lower((uc)t[i + 1]) || strchr("aeioul", t[i + 1]) ||
	    !magi__is_lower((uc)t[i + 2]) || !magi__is_lower((uc)t[i + 3]))
		return false;
	if (t[i + 1] != 'y')
		return true;
	/* "ly..." opens English words (lyric, lying): only a listed family name read so
	 * ("Rahul lyer" for Iyer, session 7) */
	char w[32];
	size_t n = 0;
	while (i + n < len && magi__is_lower((uc)t[i + n]) && n + 1 < sizeof w)
		w[n] = t[i + n], n++;
	w[0] = 'I';
	return magi__pii_family_name(w, n);
}

static int name_word_ocr(const char *t, size_t len, size_t i, size_t *end, bool l_for_i)
{
	bool up;
	size_t n = letter_at(t, len, i, &up);
	if (n && !up && l_for_i && l_for_capital_i(t, len, i))
		up = true;
	/* not inside a word; U+2000-U+206F (quotes, dashes: "‘Omar", session 10) is no letter */
	bool punct = i >= 3 && (uc)t[i - 3] == 0xE2 && ((uc)t[i - 2] == 0x80 || (uc)t[i - 2] == 0x81);
	if (!n || !up || (i > 0 && (magi__is_alnum((uc)t[i - 1]) || (((uc)t[i - 1] & 0x80) && !punct))))
		return W_NONE;
	size_t q = i + n;
	int lower = 0, upper = 1, letters = 1;
	while (q < len) {
		size_t m = letter_at(t, len, q, &up);
		if (m) {
			/* a capital inside a word only after Mc/Mac, an apostrophe or a hyphen */
			if (up && lower && !(q >= 2 && (t[q - 1] == '\'' || t[q - 1] == '-')) &&
			    !(q - i == 2 && t[i] == 'M' && t[i + 1] == 'c') &&
			    !(q - i == 3 && !memcmp(t + i, "Mac", 3)))
				return W_NONE;
			lower += !up;
			upper += up;
			letters++;
			q += m;
			continue;
		}
		if ((t[q] == '\'' || t[q] == '-') && q + 1 < len && letter_at(t, len, q + 1, &up)) {
			q++;
			continue;
		}
		break;
	}
	if (q < len && (magi__is_digit((uc)t[q]) || t[q] == '@' || t[q] == '_'))
		return W_NONE;
	if (letters == 1) {
		/* an initial; OCR reads its dot as a comma now and then ("Bram G, van") */
		if (q + 1 < len && (t[q] == '.' || (t[q] == ',' && t[q + 1] == ' '))) {
			*end = q + 1;
			return W_INITIAL;
		}
		return W_NONE;
	}
	*end = q;
	if (!lower)
		return letters >= 2 ? W_CAPS : W_NONE;
	return W_NAME;
}

/* The name starting at t[i]: up to NAME_MAX_WORDS words (particles between them free),
 * on one line. Returns the number of name words (initials count half: "J. Smith" is a
 * name, "J." is not) and sets *end, or 0. A word from the stop list ends it. */
/* Small type's capitals read in lower case where the two share a shape (session 7): the
 * first word's c o s v w x z ("sergei Ivanov" under a closing), and a later word's "bl"
 * for W before a vowel ("Yui blatanabe"). A lower-case word of 3+ letters at t[q]: its end,
 * or 0. */
static const char *const slack_not_names[] = {
	"see", "so", "some", "set", "sort", "show", "save", "select", "send", "sent", "source",
	"start", "stop", "still", "such", "same", "should", "size", "system", "service", "view",
	"very", "version", "value", "was", "we", "with", "will", "would", "who", "what", "when",
	"where", "which", "while", "why", "write", "work", "over", "our", "or", "on", "of", "one",
	"only", "other", "open", "output", "option", "options", "code", "can", "could", "click",
	"copy", "create", "close", "check", "call", "change", "config", "command", "contact",
	"zoom", "zero", NULL};

static size_t case_slack_word(const char *t, size_t len, size_t q, bool first)
{
	if (q > 0 && t[q - 1] != ' ' && t[q - 1] != '\n' && t[q - 1] != '\t')
		return 0;
	if (first ? !strchr("coswvz", t[q]) || t[q] == 0
		  : !(q + 2 < len && t[q] == 'b' && t[q + 1] == 'l' && strchr("aeiou", t[q + 2])))
		return 0;
	size_t e = q;
	while (e < len && magi__is_lower((uc)t[e]))
		e++;
	if (e - q < (first ? 3u : 5u) || (e < len && (magi__is_alnum((uc)t[e]) || ((uc)t[e] & 0x80))))
		return 0;
	return e;
}

static int name_run_mode(const char *t, size_t len, size_t i, size_t *end, bool prose)
{
	int words = 0, real = 0;
	size_t q = i, last = i;
	bool slack = false;
	while (q < len && words < NAME_MAX_WORDS) {
		size_t we;
		int k = name_word_ocr(t, len, q, &we, !prose);
		if (k == W_NONE && !prose && (we = case_slack_word(t, len, q, words == 0)) != 0 &&
		    !magi__pii_in_list(t + q, we - q, not_names) &&
		    !magi__pii_in_list(t + q, we - q, slack_not_names) &&
		    !magi__pii_in_list(t + q, we - q, particles)) {
			k = W_NAME;
			slack = true;
		}
		if (k == W_NONE) {
			/* a particle followed by a name word ("van den Berg", "de la Cruz") */
			size_t p = q;
			while (p < len && magi__is_lower((uc)t[p]))
				p++;
			if (!words || p == q || !magi__pii_in_list(t + q, p - q, particles) || p >= len || t[p] != ' ')
				break;
			q = p + 1;
			continue;
		}
		if (k != W_INITIAL && magi__pii_in_list(t + q, we - q, not_names))
			break;
		/* in prose a word in capitals is an acronym ("POSIX", "GNU"), not a family name */
		if (prose && k == W_CAPS)
			break;
		words++;
		real += k != W_INITIAL;
		last = we;
		q = we;
		/* in prose a possessive ends the name ("Michael Kay's Saxon") */
		if (prose && we >= 2 && t[we - 2] == '\'' && t[we - 1] == 's')
			break;
		if (q + 1 < len && t[q] == ' ' && t[q + 1] != ' ')
			q++;
		else
			break;
	}
	if (!real || (words >= 2 && real < 1) || (slack && real < 2))
		return 0;
	*end = last;
	return words;
}

static int name_run(const char *t, size_t len, size_t i, size_t *end)
{
	return name_run_mode(t, len, i, end, false);
}

int magi__pii_name_run(const char *t, size_t len, size_t i, size_t *end, bool prose)
{
	return name_run_mode(t, len, i, end, prose);
}

int magi__pii_name_word_kind(const char *t, size_t len, size_t i, size_t *end)
{
	int k = name_word(t, len, i, end);
	return k == W_NAME ? 1 : k == W_CAPS ? 2 : k == W_INITIAL ? 3 : 0;
}

bool magi__pii_not_name(const char *w, size_t n)
{
	return magi__pii_in_list(w, n, not_names);
}

/* Particles opening a family name after a label of one part of a name ("Surname: van
 * Dijk", "Nachname: de la Fontaine"): their end, or i. */
size_t magi__pii_skip_particles(const char *t, size_t len, size_t i)
{
	size_t q = i;
	for (;;) {
		size_t p = q;
		while (p < len && magi__is_lower((uc)t[p]))
			p++;
		if (p == q || p >= len || t[p] != ' ' || !magi__pii_in_list(t + q, p - q, particles))
			return q;
		q = p + 1;
	}
}

/* Labels that name a person. min: the words a name needs after it (1 for labels of one
 * part of a name: "Last name"); colon: on the same line only with ':' after it — "Name
 * Related Errors" is a heading and "To" a preposition without one. Any label alone on its
 * line may have the name on the next (a form's field, as OCR reads it). */
static const struct {
	const char *label;
	uint8_t min;
	bool colon;
} name_labels[] = {
	{"first name", 1, false}, {"given name", 1, false}, {"forename", 1, false},
	{"last name", 1, false}, {"surname", 1, false}, {"family name", 1, false},
	{"middle name", 1, false}, {"maiden name", 1, false}, {"vorname", 1, false},
	{"nachname", 1, false}, {"familienname", 1, false}, {"prénom", 1, false},
	{"nom de famille", 1, false}, {"apellido", 1, false}, {"apellidos", 1, false},
	{"cognome", 1, false}, {"voornaam", 1, false}, {"achternaam", 1, false},
	{"imię", 1, false}, {"nazwisko", 1, false},
	{"name des kontoinhabers", 2, false}, {"full name", 2, false}, {"your name", 2, false},
	{"customer name", 2, false}, {"contact name", 2, false}, {"account name", 2, true},
	{"account holder", 2, false}, {"cardholder name", 2, false}, {"cardholder", 2, false},
	{"card holder", 2, false}, {"name on card", 2, false}, {"beneficiary", 2, true},
	{"payee", 2, true}, {"recipient", 2, true}, {"sender", 2, true},
	{"customer", 2, true}, {"client", 2, true}, {"patient", 2, true},
	{"employee", 2, true}, {"passenger", 2, true}, {"guest", 2, true},
	{"contact person", 2, false}, {"contact", 2, true}, {"attn", 2, true},
	{"attention", 2, true}, {"signed", 2, true}, {"signature", 2, true}, {"owner", 2, true},
	{"assignee", 2, true}, {"assigned to", 2, false}, {"approved by", 2, false},
	{"created by", 2, false}, {"shared by", 2, false}, {"requested by", 2, false},
	{"submitted by", 2, false}, {"signed by", 2, false}, {"sent by", 2, false},
	{"prepared by", 2, false}, {"tenant", 2, true}, {"applicant", 2, true},
	{"policyholder", 2, false}, {"insured", 2, true}, {"emergency contact", 2, false},
	{"name", 2, true}, {"nom", 2, true}, {"nom complet", 2, false}, {"titulaire", 2, false},
	{"nombre", 2, true}, {"nombre completo", 2, false}, {"titular", 2, true},
	{"nome", 2, true}, {"nome completo", 2, false}, {"intestatario", 2, false},
	{"naam", 2, true}, {"rekeninghouder", 2, false}, {"kontoinhaber", 2, false},
	{"inhaber", 2, true}, {"empfänger", 2, true}, {"absender", 2, true},
	{"bénéficiaire", 2, true}, {"destinatario", 2, true}, {"remitente", 2, true},
	{"from", 2, true}, {"to", 2, true}, {"cc", 2, true}, {"bcc", 2, true}, {"ce", 2, true},
	{"reply-to", 2, true}, {"von", 2, true}, {"an", 2, true}, {"de", 2, true},
	{"para", 2, true},
	/* session 10: "Cc:" with its colon read r ("Cer Elif Gztiirk", "cer Pawel Kamiriski") */
	{"cer", 2, false},
};

/* Salutations a name follows ("Dear Ms. Rossi,", "Hallo Jan,"). */
static const char *const salutations[] = {
	"dear", "hi", "hello", "hey", "liebe", "lieber", "hallo", "sehr geehrte",
	"sehr geehrter", "cher", "chère", "bonjour", "querido", "querida", "estimado",
	"estimada", "hola", "caro", "cara", "gentile", "beste", "geachte", "drogi", "droga",
	"szanowny", "szanowna", "good morning", "good afternoon", "good evening", NULL};
/* Titles between a salutation or label and the name. */
static const char *const titles[] = {"mr.", "mrs.", "ms.", "mx.", "dr.", "prof.", "mr", "mrs",
				     "ms", "dr", "herr", "frau", "m.", "mme", "mlle", "sr.",
				     "sra.", "sig.", "dott.", "pan", "pani", "meneer", "mevrouw",
				     "madame", "monsieur", "señor", "señora", "hr.", "hr", NULL};
/* A letter's closing, alone on its line, with the sender's name on the next. */
static const char *const closings[] = {
	"best regards", "kind regards", "warm regards", "regards", "best wishes", "sincerely",
	"yours sincerely", "yours faithfully", "yours truly", "thanks", "thank you", "cheers",
	"best", "all the best", "respectfully", "mit freundlichen grüßen", "freundliche grüße",
	"viele grüße", "beste grüße", "liebe grüße", "cordialement", "bien cordialement",
	"bien à vous", "salutations", "un saludo", "saludos", "atentamente", "cordiali saluti",
	"distinti saluti", "saluti", "met vriendelijke groet", "groeten", "pozdrawiam",
	"z poważaniem", "atenciosamente", "abraços", NULL};

/* Skips spaces and one title at t[q]. */
static size_t skip_title(const char *t, size_t len, size_t q)
{
	while (q < len && (t[q] == ' ' || t[q] == '\t'))
		q++;
	for (size_t k = 0; titles[k]; k++)
		if (magi__word_at(t, len, q, titles[k])) {
			q += strlen(titles[k]);
			/* OCR reads the title's dot as a comma ("Dr, Sneha Nair") */
			if (q < len && t[q] == ',' && titles[k][strlen(titles[k]) - 1] != '.')
				q++;
			while (q < len && t[q] == ' ')
				q++;
			break;
		}
	return q;
}

static magi_status push_name(struct magi__fvec *fv, size_t s, size_t e, float score)
{
	return magi__fvec_push(fv, MAGI_PII_PERSON, s, e, score, NULL);
}

/* The end of the line at i, skipping trailing spaces: i when only spaces follow. */
static size_t line_end_of(const char *t, size_t len, size_t i)
{
	size_t q = i;
	while (q < len && t[q] == ' ')
		q++;
	return q >= len || t[q] == '\n' ? i : q;
}

/* label (lower case) at t[at], any case, the end not checked; small type's 'n' or 'w'
 * for an 'm' ("Nane:", "Nowbre:") is taken. Its end in t, or 0. */
static size_t label_at(const char *t, size_t len, size_t at, const char *label)
{
	if (at > 0 && magi__is_alnum((uc)t[at - 1]))
		return 0;
	size_t k = 0;
	/* a label of two words and 9+ letters ("given name") may have one letter misread
	 * ("Biven name:", session 6) */
	int slack = strlen(label) >= 9 && strchr(label, ' ') ? 1 : 0;
	size_t d = 0; /* bytes of a stray mark in the text ("Contact. person:", session 7) */
	for (; label[k]; k++) {
		if (label[k] == ' ' && slack && at + k + d + 1 < len && (t[at + k + d] == '.' || t[at + k + d] == ',') &&
		    t[at + k + d + 1] == ' ') {
			slack--;
			d++;
		}
		if (at + k + d >= len)
			return 0;
		uc c = magi__lower((uc)t[at + k + d]);
		if (c != (uc)label[k] && !(label[k] == 'm' && k > 0 && (c == 'n' || c == 'w'))) {
			if (!slack-- || !magi__is_alpha(c) || !magi__is_alpha((uc)label[k]))
				return 0;
		}
	}
	return at + k + d;
}

bool magi__pii_label_start(const char *t, size_t at)
{
	if (magi__pii_field_start(t, at))
		return true;
	/* one stray glyph OCR put before a label at the line's start ("t Address:") */
	if (at < 2 || t[at - 1] != ' ' || t[at - 2] == ' ' || magi__is_digit((uc)t[at - 2]))
		return false;
	size_t b = at - 2;
	return b == 0 || t[b - 1] == '\n';
}

/* The end of name label li at t[at] as read (label_at), else with one letter misread or
 * lost (session 8), which sets *fuzzy; 0 when neither. */
static size_t name_label_end(const char *t, size_t len, size_t at, size_t li, bool *fuzzy)
{
	const char *label = name_labels[li].label;
	size_t q = magi__lower((uc)t[at]) == (uc)label[0] || (strlen(label) >= 9 && strchr(label, ' '))
			   ? label_at(t, len, at, label)
			   : 0;
	*fuzzy = !q && (q = magi__pii_label_fuzzy(t, len, at, label)) != 0;
	return q;
}

/* Names after labels. */
static magi_status names_after_labels(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t at = 0; at < len; at++) {
		if (!magi__is_alpha((uc)t[at]) || !magi__pii_label_start(t, at))
			continue;
		for (size_t li = 0; li < MAGI_ARRAY_LEN(name_labels); li++) {
			const char *label = name_labels[li].label;
			/* a label of 7+ letters with one letter misread or lost ("Burname:",
			 * "Family nam<tab>", session 8): only before a colon, a tab or the line's end,
			 * unless it has words and 12+ bytes ("Nom de fanile Thu") */
			bool fuzzy;
			size_t q = name_label_end(t, len, at, li, &fuzzy);
			if (!q)
				continue;
			fuzzy = fuzzy && !(strchr(label, ' ') && strlen(label) >= 12);
			/* small type's 'z' for a colon glued to the label ("Full namez Chinedu") */
			bool zcolon = q + 1 < len && t[q] == 'z' && t[q + 1] == ' ';
			if (!zcolon && q < len && magi__is_alnum((uc)t[q]))
				continue;
			while (q < len && t[q] == ' ')
				q++;
			/* a colon, OCR's '?' or ';' for one, or a tab (a form field's edge) */
			bool colon = q < len && (t[q] == ':' || t[q] == '=' || t[q] == '\t' || zcolon ||
						 ((t[q] == '?' || t[q] == ';') && q + 1 < len && t[q + 1] == ' '));
			if (colon)
				q++;
			else if (q + 1 < len && t[q] == '-' && t[q + 1] == ' ')
				q++;
			while (q < len && t[q] == ' ')
				q++;
			/* a label alone on its line: a form's field, the name on the next line,
			 * alone there */
			bool next_line = q < len && t[q] == '\n';
			if (next_line) {
				q++;
				while (q < len && t[q] == ' ')
					q++;
			} else if ((name_labels[li].colon || fuzzy) && !colon) {
				continue;
			}
			q = skip_title(t, len, q);
			size_t e;
			int words = name_run(t, len, q, &e);
			if (!words && name_labels[li].min == 1 && magi__pii_skip_particles(t, len, q) > q)
				words = name_run(t, len, magi__pii_skip_particles(t, len, q), &e);
			if (words < name_labels[li].min)
				continue;
			if (next_line && line_end_of(t, len, e) != e)
				continue;
			/* the name ends its field: end of line, a comma, '<' (an address), '(' */
			size_t a = e;
			while (a < len && t[a] == ' ')
				a++;
			/* (OCR's stray quote mark at the end: "Mehnet Demir’") */
			if (a + 3 <= len && !memcmp(t + a, "\xE2\x80\x99", 3))
				a += 3;
			else if (a < len && (t[a] == '\'' || t[a] == '`'))
				a++;
			if (a < len && !strchr("\n,;<(|/", t[a]) && !(t[a] == '.' && (a + 1 == len || t[a + 1] == '\n')))
				continue;
			magi_status st = push_name(fv, q, e, 0.7f);
			if (st)
				return st;
		}
	}
	return MAGI_OK;
}

/* Names after salutations: "Dear John," "Sehr geehrter Herr Müller,". */
static magi_status names_after_salutations(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t at = 0; at < len; at++) {
		if (!magi__is_alpha((uc)t[at]) || !magi__pii_field_start(t, at))
			continue;
		for (size_t k = 0; salutations[k]; k++) {
			if (magi__lower((uc)t[at]) != (uc)salutations[k][0] ||
			    !magi__word_at(t, len, at, salutations[k]))
				continue;
			size_t q = skip_title(t, len, at + strlen(salutations[k]));
			size_t e;
			if (!name_run(t, len, q, &e))
				continue;
			/* the salutation's name ends in a comma, '!' or the line (OCR's '.' for the
			 * comma at the line's end: "Hi Dr. Carmen Rodriguez.") */
			if (e < len && t[e] != ',' && t[e] != '!' && t[e] != '\n' &&
			    !(t[e] == '.' && (e + 1 == len || t[e + 1] == '\n')))
				continue;
			magi_status st = push_name(fv, q, e, 0.6f);
			if (st)
				return st;
		}
	}
	return MAGI_OK;
}

/* The bounds of the line holding i. */
static void line_of(const char *t, size_t len, size_t i, size_t *s, size_t *e)
{
	size_t a = i, b = i;
	while (a > 0 && t[a - 1] != '\n')
		a--;
	while (b < len && t[b] != '\n')
		b++;
	*s = a, *e = b;
}

/* A signature: a closing alone on its line, the next non-empty line only a name. */
static magi_status names_in_signatures(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t at = 0; at < len; at++) {
		if (!magi__is_alpha((uc)t[at]) || !magi__pii_field_start(t, at))
			continue;
		for (size_t k = 0; closings[k]; k++) {
			size_t b = at + strlen(closings[k]);
			/* (a closing of 8+ letters with one misread: "Best regardz", session 7) */
			if (magi__lower((uc)t[at]) != (uc)closings[k][0] ||
			    (!magi__word_at(t, len, at, closings[k]) &&
			     !(b = magi__pii_label_one_off(t, len, at, closings[k]))))
				continue;
			size_t ls, le;
			line_of(t, len, at, &ls, &le);
			size_t a = ls;
			while (a < at && t[a] == ' ')
				a++;
			while (b < le && (t[b] == ',' || t[b] == '!' || t[b] == ' ' || t[b] == '.'))
				b++;
			if (a != at || b != le || le >= len)
				continue;
			size_t q = le + 1;
			while (q < len && (t[q] == ' ' || t[q] == '\n'))
				q++;
			size_t ns, ne, e;
			line_of(t, len, q, &ns, &ne);
			q = skip_title(t, len, q);
			if (name_run(t, len, q, &e) < 2)
				continue;
			size_t z = e;
			/* (OCR's stray '.' after the name: "Hojciech Kowalski.") */
			while (z < ne && (t[z] == ' ' || (t[z] == '.' && z == e)))
				z++;
			if (z != ne)
				continue;
			magi_status st = push_name(fv, q, e, 0.6f);
			if (st)
				return st;
		}
	}
	return MAGI_OK;
}

/* E-mail display names: "Jane Doe <jane@example.com>", "\"Jane Doe\" <...>". */
static magi_status names_before_addresses(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 1; i < len; i++) {
		if (t[i] != '<')
			continue;
		/* an address inside: an '@', or (small fonts read '@' as '8' or 'B') a dotted
		 * token closed by '>' */
		size_t k = i + 1;
		int spaces = 0;
		bool dot = false, link = false;
		while (k < len && t[k] != '>' && t[k] != '\n' && t[k] != '@' && spaces < 2 && k - i < 80) {
			spaces += t[k] == ' ';
			dot |= t[k] == '.';
			link |= t[k] == '/' || t[k] == ':'; /* "<https://www.kernel.org/...>" */
			k++;
		}
		if (k >= len || (t[k] != '@' && !(t[k] == '>' && dot && !link)))
			continue;
		size_t e = i;
		while (e > 0 && t[e - 1] == ' ')
			e--;
		if (e > 0 && t[e - 1] == '"')
			e--;
		/* walk back to the start of the line's last run of name words */
		size_t ls, le;
		line_of(t, len, i, &ls, &le);
		for (size_t s = ls; s < e; s++) {
			/* a quote glyph before the name too (session 10: "‘Omar Rahman <...>") */
			bool quote = s > ls && (t[s - 1] == '\'' || t[s - 1] == '`' ||
						(s >= ls + 3 && (uc)t[s - 3] == 0xE2 && (uc)t[s - 2] == 0x80 &&
						 (uc)t[s - 1] >= 0x98 && (uc)t[s - 1] <= 0x9D));
			if (s > ls && t[s - 1] != ' ' && t[s - 1] != '"' && t[s - 1] != ':' && !quote)
				continue;
			size_t ne;
			if (name_run(t, len, s, &ne) >= 2 && ne == e) {
				magi_status st = push_name(fv, s, ne, 0.7f);
				if (st)
					return st;
				break;
			}
		}
	}
	return MAGI_OK;
}

/* The name run at t[s] fills its field: only spaces, then the line's end, a tab, ',', ';',
 * '|', '<' or '(' after it. */
static bool fills_field(const char *t, size_t len, size_t e)
{
	while (e < len && t[e] == ' ')
		e++;
	return e >= len || strchr("\n\t,;|<(", t[e]);
}

/* Role and list mailboxes, whose local part names no person ("support", "debian-boot"). */
static const char *const role_locals[] = {
	"info", "support", "admin", "noreply", "no-reply", "sales", "contact", "help", "team",
	"press", "office", "security", "webmaster", "postmaster", "hostmaster", "root", "abuse",
	"list", "bug", "devel", "announce", "owner", "request", "user", "hello", "billing", NULL};

/* Some word of the name [s, e) (its ASCII letters, lower case, 4+ of them) is spelt in the
 * local part loc (lower case). */
static bool name_in_local(const char *t, size_t s, size_t e, const char *loc)
{
	size_t q = s;
	while (q < e) {
		char w[40];
		size_t n = 0;
		while (q < e && t[q] != ' ') {
			if (magi__is_alpha((uc)t[q]) && n + 1 < sizeof w)
				w[n++] = (char)magi__lower((uc)t[q]);
			q++;
		}
		w[n] = 0;
		if (n >= 4 && strstr(loc, w))
			return true;
		while (q < e && t[q] == ' ')
			q++;
	}
	return false;
}

/* A name whose e-mail address spells it (session 7): a run of 2-4 name words alone in its
 * field — a line of a signature or contact card, a table's cell — on the address's line or
 * one of the 3 lines above it, a word of it (4+ letters) inside the address's local part
 * ("Linh Dao<tab>linh.dao@...", "Bao Lam\nProject Manager\nbao.lam@..."). Role and list
 * mailboxes do not count. */
static magi_status names_spelt_in_addresses(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t a = 1; a < len; a++) {
		if (t[a] != '@')
			continue;
		size_t b = a;
		while (b > 0 && (magi__is_alnum((uc)t[b - 1]) || strchr("._%+-'", t[b - 1])))
			b--;
		char loc[65];
		size_t n = 0;
		for (size_t q = b; q < a && n + 1 < sizeof loc; q++)
			loc[n++] = (char)magi__lower((uc)t[q]);
		loc[n] = 0;
		bool role = n < 4;
		for (size_t k = 0; !role && role_locals[k]; k++)
			role = strstr(loc, role_locals[k]) != NULL;
		if (role)
			continue;
		size_t from = b, le = a;
		for (int lines = 0; from > 0 && lines <= 3; from--)
			lines += t[from - 1] == '\n';
		while (le < len && t[le] != '\n')
			le++;
		for (size_t s = from; s < b; s++) {
			size_t e;
			if (!magi__is_upper((uc)t[s]) || !magi__pii_field_start(t, s) ||
			    name_run(t, len, s, &e) < 2 || !fills_field(t, len, e) || !name_in_local(t, s, e, loc))
				continue;
			magi_status st = push_name(fv, s, e, 0.6f);
			if (st)
				return st;
			s = e;
		}
		a = le;
	}
	return MAGI_OK;
}

/* A signature after the RFC 3676 delimiter ("-- " alone on its line, OCR's "--", an en or
 * em dash): the next line only a name (session 7). */
static magi_status names_after_sig_dashes(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 0; i + 2 < len; i++) {
		if (i > 0 && t[i - 1] != '\n')
			continue;
		size_t q = i;
		if (t[q] == '-' && t[q + 1] == '-')
			q += 2;
		else if (magi__pii_utf8_dash(t, len, q))
			q += magi__pii_utf8_dash(t, len, q);
		else
			continue;
		while (q < len && t[q] == ' ')
			q++;
		if (q >= len || t[q] != '\n')
			continue;
		size_t s = q + 1, e, ls, le;
		line_of(t, len, s, &ls, &le);
		if (name_run(t, len, s, &e) < 2 || line_end_of(t, len, e) != e || e != le)
			continue;
		magi_status st = push_name(fv, s, e, 0.6f);
		if (st)
			return st;
	}
	return MAGI_OK;
}

int magi__pii_person_cue(const char *t, size_t len)
{
	size_t a = 0;
	while (a < len && (t[a] == ' ' || t[a] == '\t'))
		a++;
	for (size_t k = 0; closings[k]; k++)
		if (magi__word_at(t, len, a, closings[k])) {
			size_t b = a + strlen(closings[k]);
			while (b < len && strchr(",!. ", t[b]))
				b++;
			if (b == len)
				return 2;
		}
	for (size_t k = 0; salutations[k]; k++)
		if (magi__word_at(t, len, a, salutations[k]) && a + strlen(salutations[k]) + 1 < len)
			return 1;
	for (size_t at = 0; at < len; at++) {
		if (!magi__is_alpha((uc)t[at]) || !magi__pii_label_start(t, at))
			continue;
		for (size_t li = 0; li < MAGI_ARRAY_LEN(name_labels); li++) {
			bool fuzzy;
			size_t q = name_label_end(t, len, at, li, &fuzzy);
			if (!q || (q < len && magi__is_alnum((uc)t[q])))
				continue;
			while (q < len && t[q] == ' ')
				q++;
			bool colon = q < len && strchr(":;=\t", t[q]);
			size_t r = q + colon;
			while (r < len && (t[r] == ' ' || t[r] == '\t'))
				r++;
			if (r == len)
				return 2;
			if (colon || (!name_labels[li].colon && strchr(name_labels[li].label, ' ')))
				return 1;
		}
	}
	return 0;
}

static magi_status persons_as_read(const char *t, size_t len, struct magi__fvec *fv)
{
	magi_status st = names_after_labels(t, len, fv);
	if (!st)
		st = names_before_addresses(t, len, fv);
	if (!st)
		st = names_after_salutations(t, len, fv);
	if (!st)
		st = names_in_signatures(t, len, fv);
	if (!st)
		st = names_spelt_in_addresses(t, len, fv);
	if (!st)
		st = names_after_sig_dashes(t, len, fv);
	if (!st)
		st = magi__pii_persons_table(t, len, fv);
	if (!st)
		st = magi__pii_persons_prose(t, len, fv);
	return st;
}

magi_status magi__pii_persons(const char *t, size_t len, struct magi__fvec *fv)
{
	size_t from = fv->n;
	magi_status st = persons_as_read(t, len, fv);
	/* and once more with name words' look-alikes read as letters (session 8) */
	return st ? st : magi__pii_persons_misread(t, len, fv, from, persons_as_read);
}
