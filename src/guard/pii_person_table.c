/* pii_person_table.c — person names in a table's name column (session 7): a header row
 * whose cells (split by tabs, which the OCR input puts between far-apart words, or by '|')
 * name a person's column, and the rows under it whose cell in that column is only a name
 * ("Name<tab>Email<tab>Role" / "Linh Dao<tab>...<tab>Viewer"). A header that can name
 * other things (Name, Owner, Author, Contact, Member, User) counts only when the header
 * also has a column of personal data (e-mail, phone, address, role, department, ...): a file
 * manager's "Name Size Modified" lists files. */
#include <string.h>
#include "guard/pii_internal.h"
#include "core/common.h"

#define TABLE_MAX_CELLS 16
#define TABLE_MAX_ROWS 40

/* Headers of a column of people: min words a cell needs, whether it needs a personal
 * column beside it. */
static const struct {
	const char *h;
	unsigned char min;
	bool generic;
} name_headers[] = {
	{"name", 2, true},	     {"owner", 2, true},	   {"author", 2, true},
	{"contact", 2, true},	     {"member", 2, true},	   {"user", 2, true},
	{"full name", 2, false},     {"first name", 1, false},	   {"last name", 1, false},
	{"given name", 1, false},    {"surname", 1, false},	   {"family name", 1, false},
	{"customer", 2, false},	     {"customer name", 2, false}, {"client", 2, false},
	{"client name", 2, false},   {"employee", 2, false},	   {"employee name", 2, false},
	{"contact name", 2, false},  {"assignee", 2, false},	   {"assigned to", 2, false},
	{"reporter", 2, false},	     {"requester", 2, false},	   {"reviewer", 2, false},
	{"student", 2, false},	     {"patient", 2, false},	   {"attendee", 2, false},
	{"participant", 2, false},   {"guest", 2, false},	   {"passenger", 2, false},
	{"recipient", 2, false},     {"sender", 2, false},	   {"account holder", 2, false},
	{"cardholder", 2, false},    {"applicant", 2, false},	   {"tenant", 2, false},
	{"vorname", 1, false},	     {"nachname", 1, false},	   {"prénom", 1, false},
	{"nom", 2, true},	     {"nombre", 2, true},	   {"apellido", 1, false},
	{"nome", 2, true},	     {"cognome", 1, false},	   {"naam", 2, true},
};

/* Personal-data columns that make a generic header a column of people. */
static const char *const personal_headers[] = {
	"email", "e-mail", "mail", "phone", "telephone", "tel", "mobile", "address", "birthday",
	"date of birth", "dob", "department", "dept", "job title", "title", "role", "position",
	"salary", "city", "country", "team", "manager", "joined", "ssn", NULL};

struct cell {
	size_t s, e; /* trimmed */
};

/* The cells of the line [ls, le), split by tabs and '|'. */
static int cells_of(const char *t, size_t ls, size_t le, struct cell *c)
{
	int n = 0;
	size_t s = ls;
	for (size_t q = ls; q <= le && n < TABLE_MAX_CELLS; q++) {
		if (q < le && t[q] != '\t' && t[q] != '|')
			continue;
		size_t a = s, b = q;
		while (a < b && t[a] == ' ')
			a++;
		while (b > a && t[b - 1] == ' ')
			b--;
		if (b > a || q < le) /* an empty cell between separators keeps its place */
			c[n].s = a, c[n].e = b, n++;
		s = q + 1;
	}
	/* a leading '|' makes an empty first cell */
	if (n > 0 && c[0].s == c[0].e) {
		memmove(c, c + 1, (size_t)(n - 1) * sizeof *c);
		n--;
	}
	return n;
}

static bool cell_is(const char *t, const struct cell *c, const char *word)
{
	size_t n = strlen(word), w = c->e - c->s;
	/* a header may carry a sort mark or a colon after it ("Name ▲", "Email:") */
	if (w < n || !magi__word_at(t, c->e, c->s, word))
		return false;
	for (size_t q = c->s + n; q < c->e; q++)
		if (magi__is_alnum((uc)t[q]))
			return false;
	return true;
}

magi_status magi__pii_persons_table(const char *t, size_t len, struct magi__fvec *fv)
{
	size_t ls = 0;
	while (ls < len) {
		size_t le = ls;
		while (le < len && t[le] != '\n')
			le++;
		struct cell hc[TABLE_MAX_CELLS];
		int nh = memchr(t + ls, '\t', le - ls) || memchr(t + ls, '|', le - ls) ? cells_of(t, ls, le, hc) : 0;
		int col = -1, min = 2;
		bool generic = false, personal = false;
		for (int k = 0; k < nh; k++) {
			for (size_t h = 0; col < 0 && h < MAGI_ARRAY_LEN(name_headers); h++)
				if (cell_is(t, &hc[k], name_headers[h].h)) {
					col = k, min = name_headers[h].min, generic = name_headers[h].generic;
					break;
				}
			for (size_t h = 0; personal_headers[h]; h++)
				personal |= cell_is(t, &hc[k], personal_headers[h]);
		}
		size_t next = le + 1;
		if (nh >= 2 && col >= 0 && (!generic || personal)) {
			size_t rs = le + 1;
			for (int row = 0; row < TABLE_MAX_ROWS && rs < len; row++) {
				size_t re = rs;
				while (re < len && t[re] != '\n')
					re++;
				struct cell rc[TABLE_MAX_CELLS];
				int nr = cells_of(t, rs, re, rc);
				if (nr < 2)
					break;
				size_t e;
				if (col < nr && rc[col].e > rc[col].s &&
				    magi__pii_name_run(t, len, rc[col].s, &e, false) >= min && e == rc[col].e) {
					magi_status st = magi__fvec_push(fv, MAGI_PII_PERSON, rc[col].s, e, 0.6f, NULL);
					if (st)
						return st;
				}
				rs = re + 1;
				next = rs;
			}
		}
		ls = next;
	}
	return MAGI_OK;
}
