/* mobileuse.h — what the mobileuse recipe and its explorer (magi explore) share: the
 * operator turn that reads a Qwen-style <tool_call> action (with the core's reader,
 * magi_format_read_decision; take_note is the recipe's own). */
#ifndef MAGI_RECIPES_MOBILEUSE_H
#define MAGI_RECIPES_MOBILEUSE_H
#include "recipes/recipes.h"

/* One operator turn: what the reply was. */
struct magi__mu_turn {
	struct magi_run *r;
	struct magi_decision *d; /* the action, when it was one the environment runs */
	char *note;		 /* take_note: the text to keep (owned), else NULL */
	bool type_no_point;	 /* a type without a coordinate */
	bool have_lp;		 /* the server sent logprobs for the action-type tokens */
	double mean_lp;
	char *lp_tokens; /* those tokens, joined (owned) */
};
void magi__mu_turn_release(struct magi__mu_turn *t); /* frees note and lp_tokens */
/* The check of a role whose parser is MAGI_PARSER_TOOL_CALL (ud: the turn). */
magi_status magi__mu_check_operator(struct magi_call *c, const struct magi_json *reply, struct magi_error *err);
/* Asks role (with the screenshot, {{tools}} for this environment and {{knowledge}}) for
 * one action into t->d (or a note), with logprobs when asked. */
magi_status magi__mu_operator_turn(struct magi_run *r, const char *role, const char *knowledge, bool logprobs,
				   struct magi__mu_turn *t, struct magi_error *err);
char *magi__mu_dup(const char *s);
#endif
