/* test_guard_config.c — the guards: section of magi.yaml (magi_guard_config_parse): secrets
 * given literally or from the environment, the domain allowlist, risk tiers and the
 * second-reading budget; every mistake a message naming the file and the setting. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "magi/guard.h"

static magi_status parse(const char *json, struct magi_guard_config *c, struct magi_error *err)
{
	magi_guard_config_release(c);
	magi_guard_config_init(c);
	return magi_guard_config_parse(json, "site.yaml", c, err);
}

int main(void)
{
	struct magi_guard_config c;
	struct magi_error err;
	magi_guard_config_init(&c);

	/* no section: the defaults */
	CHECK(magi_guard_config_parse(NULL, "site.yaml", &c, &err) == MAGI_OK);
	CHECK(c.secrets.n == 0 && c.n_allow == 0);
	CHECK(c.reread == MAGI_PII_REREAD_BUDGET);
	struct magi_risk_policy def = magi_risk_policy_default();
	CHECK(!memcmp(&c.risk, &def, sizeof def));

	/* everything at once */
	setenv("MAGI_TEST_DB_PASSWORD", "Zq7-hunter2-Vx", 1);
	REQUIRE(parse("{\"secrets\":{\"DBPASS\":{\"env\":\"MAGI_TEST_DB_PASSWORD\"},\"PIN\":\"4921\"},"
		      "\"allow_domains\":[\"example.com\",\"github.com\"],"
		      "\"risk\":{\"send\":\"deny\",\"payment\":\"allow\"},\"reread\":-1}",
		      &c, &err) == MAGI_OK);
	CHECK(c.secrets.n == 2);
	const struct magi_secret *db = magi_secret_list_find(&c.secrets, "DBPASS");
	CHECK(db && !strcmp(db->value, "Zq7-hunter2-Vx"));
	const struct magi_secret *pin = magi_secret_list_find(&c.secrets, "PIN");
	CHECK(pin && !strcmp(pin->value, "4921"));
	CHECK(c.n_allow == 2 && !strcmp(c.allow[0], "example.com") && !strcmp(c.allow[1], "github.com"));
	enum magi_risk_category send, pay, del;
	REQUIRE(magi_risk_category_parse("send", &send) == MAGI_OK);
	REQUIRE(magi_risk_category_parse("payment", &pay) == MAGI_OK);
	REQUIRE(magi_risk_category_parse("delete", &del) == MAGI_OK);
	CHECK(c.risk.tier[send] == MAGI_RISK_DENY);
	CHECK(c.risk.tier[pay] == MAGI_RISK_ALLOW);
	CHECK(c.risk.tier[del] == def.tier[del]); /* untouched */
	CHECK(c.reread == -1);
	/* one domain may be given as a string */
	REQUIRE(parse("{\"allow_domains\":\"intranet.local\"}", &c, &err) == MAGI_OK);
	CHECK(c.n_allow == 1 && !strcmp(c.allow[0], "intranet.local"));

	/* mistakes: the file, the setting, what is wrong */
	static const struct {
		const char *json, *want;
	} bad[] = {
		{"{\"secret\":{}}", "site.yaml: guards has an unknown setting 'secret'"},
		{"{\"secrets\":[\"A=b\"]}", "guards.secrets must map names to values"},
		{"{\"secrets\":{\"X\":{\"env\":\"MAGI_TEST_UNSET_VARIABLE\"}}}",
		 "guards.secrets.X: the environment variable MAGI_TEST_UNSET_VARIABLE is not set"},
		{"{\"secrets\":{\"X\":42}}", "guards.secrets.X must be a string or {env: VARIABLE}"},
		{"{\"secrets\":{\"bad name\":\"v\"}}", "site.yaml: guards.secrets.bad name:"},
		{"{\"secrets\":{\"X\":\"\"}}", "site.yaml: guards.secrets.X:"},
		{"{\"allow_domains\":[\"ok.com\", 3]}", "guards.allow_domains must list domain names"},
		{"{\"risk\":{\"send\":\"maybe\"}}", "site.yaml: guards.risk policy"},
		{"{\"risk\":{\"sending\":\"deny\"}}", "sending"},
		{"{\"reread\":\"lots\"}", "guards.reread must be a whole number -1..100000"},
		{"{\"reread\":-5}", "guards.reread must be a whole number"},
		{"[1,2]", "site.yaml: guards must be a mapping"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		magi_status s = parse(bad[i].json, &c, &err);
		CHECK_MSG(s == MAGI_ERR_CONFIG, "%s: status %d", bad[i].json, (int)s);
		CHECK_CONTAINS(err.msg, bad[i].want);
	}
	magi_guard_config_release(&c);
	magi_guard_config_release(NULL);
	return check_done();
}
