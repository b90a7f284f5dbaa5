/* parse.h — output parsers for model replies. Each returns MAGI_ERR_PARSE with a message
 * written for the model (it is shown to it by the repair retry). */
#ifndef MAGI_PARSE_H
#define MAGI_PARSE_H
#include <jansson.h>
#include "magi/core.h"

/* "### Name ###" sections into {"name": "content"} (names lower-cased, spaces kept).
 * `required` (NULL-terminated, may be NULL) must all be present and non-empty. Also
 * accepts "## Name", "**Name:**" and "Name:" at line start for required names, since
 * models drift from the exact markup. */
magi_status magi__parse_sections(const char *text, const char *const *required, json_t **out,
				 struct magi_error *err);
/* One letter out of `allowed` (e.g. "ABC"): a lone letter, "Answer: B", "(B)", "B." ... */
magi_status magi__parse_letter(const char *text, const char *allowed, char *out, struct magi_error *err);
/* Which one option a reply that is not the JSON asked for names: "Answer: C", "(C)",
 * "C. a test card", "The answer is C", or the text of one choice alone. false when it
 * names none or more than one (letters: "ABCD"; choices[i]: "A) text"). */
bool magi__parse_choice(const char *text, const char *letters, const char *const *choices, size_t n_choices,
			char *out);
/* The JSON object inside <tool_call>...</tool_call>. */
magi_status magi__parse_tool_call(const char *text, json_t **out, struct magi_error *err);
#endif
