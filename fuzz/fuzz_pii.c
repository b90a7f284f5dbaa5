/* fuzz_pii.c — PII scanning, text redaction, injection marking and wrapping over arbitrary
 * bytes: nothing may crash, leak or read out of bounds, and every span must lie inside the
 * input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "magi/guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	size_t len = strlen(text);

	/* a secret taken from the input itself, so the secret matcher is exercised too */
	struct magi_secret_list l;
	magi_secret_list_init(&l);
	if (len > 8) {
		char spec[16];
		size_t at = len / 3, n = len - at < 12 ? len - at : 12;
		memcpy(spec, "S=", 2);
		memcpy(spec + 2, text + at, n);
		spec[2 + n] = '\0';
		magi_secret_list_add(&l, spec, NULL);
	}
	struct magi_pii_params p = magi_pii_params_default();
	p.secrets = &l;
	struct magi_pii_finding *f = NULL;
	size_t nf = 0;
	if (magi_pii_scan_text(text, &p, &f, &nf) == MAGI_OK) {
		for (size_t i = 0; i < nf; i++)
			if (f[i].start >= f[i].end || f[i].end > len || !f[i].text)
				abort();
		char *red = NULL;
		if (magi_guard_redact_text(text, f, nf, &red) != MAGI_OK)
			abort();
		free(red);
	}
	magi_pii_findings_free(f, nf);
	magi_secret_list_release(&l);

	struct magi_injection_region *r = NULL;
	size_t nr = 0;
	if (magi_injection_scan_text(text, NULL, &r, &nr) == MAGI_OK) {
		struct magi_buf b;
		magi_buf_init(&b, 0);
		if (magi_injection_wrap_text(text, r, nr, &b) != MAGI_OK)
			abort();
		magi_buf_release(&b);
	}
	magi_injection_regions_free(r, nr);

	/* the same bytes as a URL and as typed text for the gate */
	(void)magi_guard_endpoint_is_local(text);
	struct magi_action a;
	memset(&a, 0, sizeof a);
	a.kind = MAGI_ACT_TYPE;
	a.text = text;
	struct magi_risk_decision d;
	magi_risk_check(&a, NULL, &d);
	free(text);
	return 0;
}
