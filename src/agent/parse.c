/* parse.c — section, letter and tool-call parsers. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "agent/parse.h"
#include "core/json.h"
#include "core/common.h"

static char *trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return magi__strndup(s, n);
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Recognises a header line; returns the name (malloc'd, lower-case) or NULL. */
static char *header_name(const char *line, size_t n)
{
	while (n && (*line == ' ' || *line == '\t')) {
		line++;
		n--;
	}
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\r' || line[n - 1] == '\t'))
		n--;
	if (n >= 3 && line[0] == '#') {
		size_t a = 0;
		while (a < n && line[a] == '#')
			a++;
		size_t b = n;
		while (b > a && line[b - 1] == '#')
			b--;
		if (a > b)
			return NULL;
		char *name = trim_dup(line + a, b - a);
		if (name) {
			size_t l = strlen(name);
			if (l && name[l - 1] == ':')
				name[l - 1] = '\0';
			lower(name);
			if (!*name || strlen(name) > 40) {
				free(name);
				return NULL;
			}
		}
		return name;
	}
	if (n >= 5 && !strncmp(line, "**", 2)) {
		const char *end = memchr(line + 2, '*', n - 2);
		if (end && (size_t)(end - line) + 1 < n && end[1] == '*') {
			size_t tail = n - (size_t)(end + 2 - line);
			const char *rest = end + 2;
			/* only a bold line alone counts: "**Thought:**" or "**Thought**" */
			bool alone = true;
			for (size_t i = 0; i < tail; i++)
				if (rest[i] != ':' && rest[i] != ' ')
					alone = false;
			if (!alone)
				return NULL;
			char *name = trim_dup(line + 2, (size_t)(end - line) - 2);
			size_t l = strlen(name);
			if (l && name[l - 1] == ':')
				name[l - 1] = '\0';
			lower(name);
			return name;
		}
	}
	return NULL;
}

magi_status magi__parse_sections(const char *text, const char *const *required, json_t **out,
				 struct magi_error *err)
{
	*out = NULL;
	json_t *o = json_object();
	char *cur = NULL;
	const char *body = NULL;
	const char *p = text;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *h = header_name(p, n);
		if (h || !nl) {
			if (cur) {
				const char *end = h ? p : p + n;
				char *content = trim_dup(body, (size_t)(end - body));
				json_t *prev = json_object_get(o, cur);
				/* a repeated section keeps its first, usually intended, content */
				if (!prev || !*json_string_value(prev))
					json_object_set_new(o, cur, json_string(content ? content : ""));
				free(content);
				free(cur);
				cur = NULL;
			}
			if (h) {
				cur = h;
				body = nl ? nl + 1 : p + n;
			}
		}
		if (!nl) {
			if (cur) {
				json_object_set_new(o, cur, json_string(""));
				free(cur);
			}
			break;
		}
		p = nl + 1;
	}
	/* Fallback for required names written as "Name: value" lines. */
	for (const char *const *r = required; r && *r; r++) {
		if (json_object_get(o, *r))
			continue;
		size_t rl = strlen(*r);
		for (const char *q = text; q && *q; q = strchr(q, '\n') ? strchr(q, '\n') + 1 : NULL) {
			while (*q == ' ')
				q++;
			if (!strncasecmp(q, *r, rl) && q[rl] == ':') {
				const char *v = q + rl + 1;
				const char *e = v;
				/* the value runs to the next "Word:" line or the end */
				for (;;) {
					const char *nl = strchr(e, '\n');
					if (!nl) {
						e += strlen(e);
						break;
					}
					const char *nx = nl + 1;
					const char *c = nx;
					while (*c && (isalpha((unsigned char)*c) || *c == ' '))
						c++;
					if (*c == ':' && c - nx < 30 && c > nx) {
						e = nl;
						break;
					}
					e = nx;
				}
				char *content = trim_dup(v, (size_t)(e - v));
				json_object_set_new(o, *r, json_string(content ? content : ""));
				free(content);
				break;
			}
		}
	}
	for (const char *const *r = required; r && *r; r++) {
		const char *v = magi__json_str(o, *r, NULL);
		if (!v || !*v) {
			struct magi_buf names;
			magi_buf_init(&names, 1024);
			for (const char *const *q = required; *q; q++)
				magi_buf_printf(&names, "%s### %c%s ###", q == required ? "" : ", ",
						toupper((unsigned char)(*q)[0]), *q + 1);
			magi_status s = magi_error_set(err, MAGI_ERR_PARSE,
						       "the reply has no \"### %c%s ###\" section; write these sections: %s",
						       toupper((unsigned char)(*r)[0]), *r + 1, names.data);
			magi_buf_release(&names);
			json_decref(o);
			return s;
		}
	}
	*out = o;
	return MAGI_OK;
}

magi_status magi__parse_letter(const char *text, const char *allowed, char *out, struct magi_error *err)
{
	*out = 0;
	/* Prefer an explicit "Answer: X" / "Answer X"; then a lone letter token. */
	const char *a = strcasestr(text, "answer");
	while (a) {
		const char *q = a + 6;
		while (*q && (*q == ':' || *q == ' ' || *q == '*' || *q == '#' || *q == '\n' || *q == '(' || *q == '\r'))
			q++;
		if (*q && strchr(allowed, toupper((unsigned char)*q)) && !isalnum((unsigned char)q[1])) {
			*out = (char)toupper((unsigned char)*q);
			return MAGI_OK;
		}
		a = strcasestr(a + 6, "answer");
	}
	char found = 0;
	int count = 0;
	for (const char *q = text; *q; q++) {
		if (!isupper((unsigned char)*q) || !strchr(allowed, *q))
			continue;
		bool left = q == text || !isalnum((unsigned char)q[-1]);
		bool right = !isalnum((unsigned char)q[1]);
		/* "A" as the article at a sentence start is followed by a space and a word */
		if (left && right && !(q[1] == ' ' && isalpha((unsigned char)q[2]))) {
			if (found && found != *q)
				count++;
			found = *q;
			count += count == 0;
		}
	}
	if (found && count == 1) {
		*out = found;
		return MAGI_OK;
	}
	return magi_error_set(err, MAGI_ERR_PARSE, "answer with exactly one letter out of %s, e.g. \"### Answer ###\\n%c\"",
			      allowed, allowed[0]);
}

magi_status magi__parse_tool_call(const char *text, json_t **out, struct magi_error *err)
{
	*out = NULL;
	const char *a = strstr(text, "<tool_call>");
	if (!a)
		return magi_error_set(err, MAGI_ERR_PARSE, "the reply has no <tool_call>{...}</tool_call>");
	a += 11;
	const char *b = strstr(a, "</tool_call>");
	char *inner = magi__strndup(a, b ? (size_t)(b - a) : strlen(a));
	magi_status s = magi__json_extract_object(inner, out, err);
	free(inner);
	if (s)
		magi_error_set(err, MAGI_ERR_PARSE, "the <tool_call> does not hold a JSON object");
	return s;
}

/* An option letter named explicitly: "answer"/"option"/"choice", then "is", ':' '=' '-',
 * quotes, '*', '(' and spaces, then the letter standing alone. Returns where it is. */
static const char *explicit_letter(const char *text, const char *letters)
{
	static const char *const keys[] = {"answer", "option", "choice"};
	for (size_t k = 0; k < MAGI_ARRAY_LEN(keys); k++) {
		size_t kl = strlen(keys[k]);
		for (const char *a = strcasestr(text, keys[k]); a; a = strcasestr(a + kl, keys[k])) {
			const char *q = a + kl;
			if (a > text && isalpha((unsigned char)a[-1]))
				continue;
			for (;;) {
				while (*q && strchr(" \t\r\n:=-*\"'(#", *q))
					q++;
				if (!strncasecmp(q, "is ", 3))
					q += 3;
				else
					break;
			}
			if (*q && strchr(letters, toupper((unsigned char)*q)) && !isalnum((unsigned char)q[1]))
				return q;
		}
	}
	return NULL;
}

bool magi__parse_choice(const char *text, const char *letters, const char *const *choices, size_t n_choices,
			char *out)
{
	*out = 0;
	if (!text || !letters || !*letters)
		return false;
	const char *ex = explicit_letter(text, letters);
	char named[32] = "";
	size_t nn = 0;
	for (const char *q = text; *q; q++) {
		if (q == ex || !isupper((unsigned char)*q) || !strchr(letters, *q))
			continue;
		if ((q > text && isalnum((unsigned char)q[-1])) || isalnum((unsigned char)q[1]))
			continue;
		/* "A test card", "I think": the article and the pronoun, not options */
		if ((*q == 'A' || *q == 'I') && q[1] == ' ' && islower((unsigned char)q[2]))
			continue;
		if (!strchr(named, *q) && nn + 1 < sizeof named) {
			named[nn++] = *q;
			named[nn] = '\0';
		}
	}
	char pick = ex ? (char)toupper((unsigned char)*ex) : nn == 1 ? named[0] : 0;
	/* exactly one option named: any other lone letter makes the reply ambiguous */
	if (pick && (nn == 0 || (nn == 1 && named[0] == pick))) {
		*out = pick;
		return true;
	}
	if (nn || ex)
		return false;
	/* the text of one choice ("a test card"), as a model may give instead of its letter */
	size_t tl = strlen(text);
	while (tl && (isspace((unsigned char)text[tl - 1]) || text[tl - 1] == '.' || text[tl - 1] == '"'))
		tl--;
	const char *t = text;
	while (tl && (isspace((unsigned char)*t) || *t == '"')) {
		t++;
		tl--;
	}
	for (size_t i = 0; i < n_choices && i < strlen(letters); i++) {
		const char *c = choices[i];
		while (isspace((unsigned char)*c))
			c++;
		if (!*c || !c[1])
			continue;
		c += 2;
		while (isspace((unsigned char)*c))
			c++;
		size_t cl = strlen(c);
		while (cl && isspace((unsigned char)c[cl - 1]))
			cl--;
		if (cl && cl == tl && !strncasecmp(c, t, cl)) {
			*out = letters[i];
			return true;
		}
	}
	return false;
}
