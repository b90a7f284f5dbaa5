/* test_headers.c — the public headers compile as plain C11 on their own, with no outside
 * types leaking in, and the status list round-trips. (llama.cpp's test-c.c habit.) */
#include "magi/magi.h"
#include "check.h"

int main(void)
{
	for (int s = 0; s < MAGI__STATUS_COUNT; s++) {
		CHECK(magi_strerror((magi_status)s)[0] != '\0');
		CHECK(magi_status_name((magi_status)s)[0] != '\0');
	}
	struct magi_model_params p = magi_model_params_default();
	CHECK(p.max_attempts == 3 && p.backoff_base_ms == 500 && p.backoff_max_ms == 8000);
	struct magi_run_params rp = magi_run_params_default();
	CHECK(rp.guards && rp.max_steps == 20);
	CHECK(magi_recipe_describe("mobile-agent-v2") != NULL);
	CHECK(magi_recipe_describe("nonesuch") == NULL);
	return check_done();
}
