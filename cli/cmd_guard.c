/* cmd_guard.c — `magi guard scan IMAGE` and `magi guard redact IN OUT`. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static const char help[] =
	"usage: magi guard scan [--secret NAME=VALUE]... [--config FILE] [--reread N] [--json] [-v] IMAGE\n"
	"       magi guard redact [--secret NAME=VALUE]... [--config FILE] [--reread N] [--pad N] [-v] IN OUT\n\n"
	"scan    OCRs a screenshot and prints the PII found (type, text, box) and any text that\n"
	"        reads as instructions to an AI agent (prompt injection).\n"
	"redact  writes OUT (.png or .jpg) with every PII finding covered by a solid box, as\n"
	"        magi does before a screenshot leaves for a remote model or enters a trace.\n"
	"--config FILE  take secrets from its guards: section too (default: $MAGI_CONFIG or\n"
	"        ./magi.yaml when present); a --secret of the same name wins\n"
	"--reread N  how much small number-heavy text is OCR'd a second time, in units of a\n"
	"        line's width over its height (a card number is ~12, ~0.7 ms each; default: all\n"
	"        such lines; a run spends 12 per new screen; 0: none)\n"
	"-v      also print the OCR libraries' own messages (Leptonica's) to stderr\n"
	"exit status: scan 0 when nothing was found, 1 when something was; redact 0 on success;\n"
	"        3 for a bad image, configuration or an OUT that cannot be written (full disk).\n";

int cmd_guard(int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	bool scan = !strcmp(argv[1], "scan"), redact = !strcmp(argv[1], "redact");
	if (!scan && !redact) {
		cli_error("guard: unknown action '%s' (scan or redact)", argv[1]);
		return EXIT_USAGE;
	}
	struct magi_secret_list secrets;
	magi_secret_list_init(&secrets);
	struct magi_error err;
	magi_error_clear(&err);
	const char *files[2] = {0};
	int nf = 0, pad = 4, rc = EXIT_OK, reread = -1;
	const char *config = NULL;
	bool json = false;
	for (int i = 2; i < argc; i++) {
		const char *v;
		int r;
		if (cli_is_help(argv[i])) {
			fputs(help, stdout);
			magi_secret_list_release(&secrets);
			return EXIT_OK;
		}
		if ((r = cli_flag_value(argc, argv, &i, "--secret", &v))) {
			if (r < 0 || magi_secret_list_add(&secrets, v, &err)) {
				if (r > 0)
					cli_error("--secret: %s", magi_error_text(&err));
				rc = EXIT_USAGE;
				goto out;
			}
		} else if ((r = cli_flag_value(argc, argv, &i, "--pad", &v))) {
			char *end;
			long p = r > 0 ? strtol(v, &end, 10) : -1;
			if (r < 0 || *end || p < 0 || p > 64) {
				cli_error("--pad wants pixels 0..64");
				rc = EXIT_USAGE;
				goto out;
			}
			pad = (int)p;
		} else if ((r = cli_flag_value(argc, argv, &i, "--config", &v))) {
			if (r < 0) {
				rc = EXIT_USAGE;
				goto out;
			}
			config = v;
		} else if ((r = cli_flag_value(argc, argv, &i, "--reread", &v))) {
			char *end;
			long p = r > 0 ? strtol(v, &end, 10) : -1;
			if (r < 0 || *end || p < 0 || p > 100000) {
				cli_error("--reread wants a budget 0..100000");
				rc = EXIT_USAGE;
				goto out;
			}
			reread = (int)p;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			if (magi_log_get_level() > MAGI_LOG_INFO)
				magi_log_set_level(MAGI_LOG_INFO);
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_error("guard: unknown option '%s'", argv[i]);
			rc = EXIT_USAGE;
			goto out;
		} else if (nf < 2) {
			files[nf++] = argv[i];
		} else {
			cli_error("guard: too many arguments");
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (nf != (scan ? 1 : 2)) {
		cli_error(scan ? "guard scan: which image?" : "guard redact: give IN and OUT");
		rc = EXIT_USAGE;
		goto out;
	}
	/* the config file's secrets (guards: secrets:), after the flags' */
	if (config || getenv("MAGI_CONFIG") || access("magi.yaml", F_OK) == 0) {
		struct magi_config *cfg = NULL;
		struct magi_guard_config gc;
		magi_guard_config_init(&gc);
		if (cli_config_load(config, &cfg)) {
			rc = EXIT_CONFIG;
		} else {
			rc = cli_guard_config(cfg, &secrets, &gc);
		}
		magi_guard_config_release(&gc);
		magi_config_free(cfg);
		if (rc)
			goto out;
	}
	struct magi_image *img = NULL;
	struct magi_ocr *ocr = NULL;
	if (magi_image_load(files[0], &img, &err) || magi_ocr_run(img, NULL, 0, &ocr, &err)) {
		cli_error("%s", magi_error_text(&err));
		magi_image_free(img);
		rc = EXIT_CONFIG;
		goto out;
	}
	struct magi_pii_params pp = magi_pii_params_default();
	pp.secrets = &secrets;
	pp.reread_budget = reread;
	struct magi_pii_finding *f = NULL;
	size_t n = 0;
	struct magi_injection_region *inj = NULL;
	size_t ni = 0;
	magi_pii_scan_image(img, ocr, &pp, &f, &n);
	magi_injection_scan(ocr, NULL, &inj, &ni);
	if (scan) {
		for (size_t i = 0; i < n; i++) {
			/* a user secret's value is never printed, only its name */
			bool secret = f[i].type == MAGI_PII_SECRET;
			if (json) {
				struct magi_buf b;
				magi_buf_init(&b, 0);
				magi_buf_printf(&b, "{\"type\":\"%s\",\"text\":", magi_pii_type_name(f[i].type));
				magi_json_quote(secret ? f[i].name : f[i].text, &b);
				magi_buf_printf(&b, ",\"box\":[%d,%d,%d,%d],\"score\":%.2f}", f[i].x, f[i].y, f[i].w, f[i].h,
						f[i].score);
				puts(b.data);
				magi_buf_release(&b);
			} else {
				printf("%-10s %-40s at %d,%d %dx%d\n", magi_pii_type_name(f[i].type),
				       secret ? f[i].name : f[i].text, f[i].x, f[i].y, f[i].w, f[i].h);
			}
		}
		for (size_t i = 0; i < ni; i++) {
			if (json) {
				struct magi_buf b;
				magi_buf_init(&b, 0);
				magi_buf_puts(&b, "{\"type\":\"injection\",\"text\":");
				magi_json_quote(inj[i].text, &b);
				magi_buf_puts(&b, ",\"reason\":");
				magi_json_quote(inj[i].reason, &b);
				magi_buf_printf(&b, ",\"box\":[%d,%d,%d,%d],\"score\":%.2f}", inj[i].x, inj[i].y, inj[i].w,
						inj[i].h, inj[i].score);
				puts(b.data);
				magi_buf_release(&b);
			} else {
				printf("injection  %s (%s) at %d,%d %dx%d\n", inj[i].text, inj[i].reason, inj[i].x, inj[i].y,
				       inj[i].w, inj[i].h);
			}
		}
		if (!json)
			fprintf(stderr, "%zu PII finding%s, %zu injection region%s (OCR %.0f ms)\n", n, n == 1 ? "" : "s",
				ni, ni == 1 ? "" : "s", ocr->ms);
		rc = n || ni ? EXIT_FAIL : EXIT_OK;
	} else {
		size_t boxes = magi_guard_redact_image(img, f, n, pad);
		if (magi_image_save(img, files[1], &err)) {
			cli_error("%s", magi_error_text(&err));
			rc = EXIT_CONFIG;
		} else {
			fprintf(stderr, "%s: %zu region%s covered\n", files[1], boxes, boxes == 1 ? "" : "s");
		}
	}
	magi_pii_findings_free(f, n);
	magi_injection_regions_free(inj, ni);
	magi_ocr_free(ocr);
	magi_image_free(img);
out:
	magi_secret_list_release(&secrets);
	return rc;
}
