/* risk_policy.c — risk tiers and categories by name, and the policy that maps each
 * category to allow / ask / deny (with --yes), parsed from flags or JSON config. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/json.h"
#include "guard/guard_internal.h"
#include "core/common.h"

static const char *const tier_names[] = {"allow", "ask", "deny"};

static const char *const cat_names[] = {
#define MAGI__X(n, s, t) s,
	MAGI_RISK_CATEGORIES(MAGI__X)
#undef MAGI__X
};

static const enum magi_risk_tier cat_defaults[] = {
#define MAGI__X(n, s, t) t,
	MAGI_RISK_CATEGORIES(MAGI__X)
#undef MAGI__X
};

const char *magi_risk_tier_name(enum magi_risk_tier t)
{
	return (unsigned)t <= MAGI_RISK_DENY ? tier_names[t] : "unknown";
}

magi_status magi_risk_tier_parse(const char *s, enum magi_risk_tier *out)
{
	if (!s || !out)
		return MAGI_ERR_INVALID;
	for (unsigned i = 0; i < 3; i++)
		if (!strcasecmp(s, tier_names[i])) {
			*out = (enum magi_risk_tier)i;
			return MAGI_OK;
		}
	/* the words people use for the middle tier */
	if (!strcasecmp(s, "confirm") || !strcasecmp(s, "prompt")) {
		*out = MAGI_RISK_ASK;
		return MAGI_OK;
	}
	return MAGI_ERR_INVALID;
}

const char *magi_risk_category_name(enum magi_risk_category c)
{
	return (unsigned)c < MAGI_RISK_CAT__COUNT ? cat_names[c] : "unknown";
}

magi_status magi_risk_category_parse(const char *s, enum magi_risk_category *out)
{
	if (!s || !out)
		return MAGI_ERR_INVALID;
	for (unsigned i = 0; i < MAGI_RISK_CAT__COUNT; i++)
		if (!strcasecmp(s, cat_names[i])) {
			*out = (enum magi_risk_category)i;
			return MAGI_OK;
		}
	return MAGI_ERR_INVALID;
}

struct magi_risk_policy magi_risk_policy_default(void)
{
	struct magi_risk_policy p;
	memset(&p, 0, sizeof p);
	for (unsigned i = 0; i < MAGI_RISK_CAT__COUNT; i++)
		p.tier[i] = cat_defaults[i];
	p.yes = false;
	return p;
}

static void list_categories(char *buf, size_t cap)
{
	size_t at = 0;
	buf[0] = '\0';
	for (unsigned i = 1; i < MAGI_RISK_CAT__COUNT; i++) {
		size_t l = strlen(cat_names[i]);
		if (at + l + 3 >= cap)
			break;
		if (at) {
			memcpy(buf + at, ", ", 2);
			at += 2;
		}
		memcpy(buf + at, cat_names[i], l + 1);
		at += l;
	}
}

magi_status magi_risk_policy_set(struct magi_risk_policy *p, const char *category,
				 const char *tier, struct magi_error *err)
{
	if (!p || !category || !tier)
		return magi_error_set(err, MAGI_ERR_INVALID, "risk policy: missing category or tier");
	enum magi_risk_category c;
	enum magi_risk_tier t;
	if (magi_risk_category_parse(category, &c) || c == MAGI_RISK_CAT_NONE) {
		char names[512];
		list_categories(names, sizeof names);
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "risk policy: unknown category '%.64s' (known: %s)", category,
				      names);
	}
	if (magi_risk_tier_parse(tier, &t))
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "risk policy: unknown tier '%.64s' for %s (use allow, ask or deny)",
				      tier, cat_names[c]);
	p->tier[c] = t;
	return MAGI_OK;
}

static magi_status apply_tiers(struct magi_risk_policy *p, json_t *obj, bool flat,
			       struct magi_error *err)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		if (flat && !strcmp(key, "yes"))
			continue;
		if (flat && !strcmp(key, "tiers"))
			continue;
		if (!json_is_string(v))
			return magi_error_set(err, MAGI_ERR_CONFIG,
					      "risk policy: '%.64s' must be a string (allow, ask or deny)",
					      key);
		if (magi_risk_policy_set(p, key, json_string_value(v), err)) {
			err->status = MAGI_ERR_CONFIG;
			return MAGI_ERR_CONFIG;
		}
	}
	return MAGI_OK;
}

magi_status magi_risk_policy_parse_json(const char *json, size_t n, struct magi_risk_policy *p,
					struct magi_error *err)
{
	struct magi_error local;
	if (!err)
		err = &local;
	if (!json || !p)
		return magi_error_set(err, MAGI_ERR_INVALID, "risk policy: no input");
	json_t *root = NULL;
	if (magi__json_parse(json, n, "risk policy", &root, err)) {
		err->status = MAGI_ERR_CONFIG;
		return MAGI_ERR_CONFIG;
	}
	struct magi_risk_policy tmp = *p;
	magi_status st = MAGI_OK;
	if (!json_is_object(root)) {
		st = magi_error_set(err, MAGI_ERR_CONFIG, "risk policy: expected a JSON object");
		goto out;
	}
	json_t *yes = json_object_get(root, "yes");
	if (yes) {
		if (!json_is_boolean(yes)) {
			st = magi_error_set(err, MAGI_ERR_CONFIG, "risk policy: 'yes' must be true or false");
			goto out;
		}
		tmp.yes = json_is_true(yes);
	}
	json_t *tiers = json_object_get(root, "tiers");
	if (tiers) {
		if (!json_is_object(tiers)) {
			st = magi_error_set(err, MAGI_ERR_CONFIG,
					    "risk policy: 'tiers' must be an object of category: tier");
			goto out;
		}
		if ((st = apply_tiers(&tmp, tiers, false, err)))
			goto out;
	}
	if ((st = apply_tiers(&tmp, root, true, err)))
		goto out;
	*p = tmp;
out:
	json_decref(root);
	return st;
}
