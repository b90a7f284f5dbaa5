/* risk_internal.h — the risk gate's state while it judges one action, shared by the files
 * of its rules (risk.c, risk_shell.c). */
#ifndef MAGI_RISK_INTERNAL_H
#define MAGI_RISK_INTERNAL_H
#include "guard/guard_internal.h"
#include "core/common.h"

struct magi__risk_hit {
	enum magi_risk_category cat;
	char reason[256];
};

struct magi__gate {
	const struct magi_action *a;
	const struct magi_risk_context *c;
	const struct magi_risk_policy *pol;
	struct magi__risk_hit hits[16];
	size_t nh;
	char element[128];
	uint32_t element_flags; /* MAGI_ELEM_* of the page element acted on (0: none known) */
};

/* Records that a rule of category cat fired (the first reason per category is kept). */
void magi__risk_fire(struct magi__gate *g, enum magi_risk_category cat, const char *fmt, ...) MAGI_PRINTF(3, 4);
/* The shell rules on typed text (shown: how the text may appear in a reason). */
void magi__risk_rule_shell(struct magi__gate *g, const char *text, const char *shown);
#endif
