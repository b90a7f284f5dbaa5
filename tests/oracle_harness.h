/* oracle_harness.h — starts and stops tests/oracle/oracle.py (the stand-in model server)
 * from C tests, and reads its request log. Header-only; include once per test. */
#ifndef MAGI_ORACLE_HARNESS_H
#define MAGI_ORACLE_HARNESS_H
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>
#include "magi/core.h"
#include "core/proc.h"

struct oracle {
	pid_t pid;
	int port;
	char dir[256];
	char base_url[128];
	char log[300];
};

static const char *oracle_src_dir(void)
{
	const char *d = getenv("MAGI_SRC_DIR");
#ifdef MAGI_SRC_DIR
	if (!d)
		d = MAGI_SRC_DIR;
#endif
	return d ? d : ".";
}

/* Writes `script` (JSONL text; may be NULL) and starts the server with extra args
 * (NULL-terminated, may be NULL). Returns 0 on success. */
static int oracle_start(struct oracle *o, const char *script, const char *const *extra)
{
	memset(o, 0, sizeof *o);
	snprintf(o->dir, sizeof o->dir, "/tmp/magi-oracle-XXXXXX");
	if (!mkdtemp(o->dir))
		return -1;
	char script_path[300], port_file[300], oracle_py[512];
	snprintf(script_path, sizeof script_path, "%s/script.jsonl", o->dir);
	snprintf(port_file, sizeof port_file, "%s/port", o->dir);
	snprintf(o->log, sizeof o->log, "%s/log.jsonl", o->dir);
	snprintf(oracle_py, sizeof oracle_py, "%s/tests/oracle/oracle.py", oracle_src_dir());
	if (access(oracle_py, R_OK) != 0)
		return -1;
	const char *argv[40];
	int n = 0;
	argv[n++] = "python3";
	argv[n++] = oracle_py;
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "--port-file";
	argv[n++] = port_file;
	argv[n++] = "--log";
	argv[n++] = o->log;
	if (script) {
		FILE *f = fopen(script_path, "w");
		if (!f)
			return -1;
		fputs(script, f);
		fclose(f);
		argv[n++] = "--script";
		argv[n++] = script_path;
	}
	for (int i = 0; extra && extra[i] && n < 38; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	struct magi_error err;
	if (magi__proc_spawn((char *const *)argv, &o->pid, &err))
		return -1;
	/* up to 30 s: python's start can take seconds on a loaded machine (benchmarks at
	 * real-time priority starve it); a failed start stops the child it spawned, else its
	 * open stdout keeps ctest waiting for the test's output until the test's timeout */
	for (int i = 0; i < 3000; i++) {
		FILE *f = fopen(port_file, "r");
		if (f) {
			int port = 0;
			if (fscanf(f, "%d", &port) == 1 && port > 0) {
				fclose(f);
				o->port = port;
				snprintf(o->base_url, sizeof o->base_url, "http://127.0.0.1:%d/v1", port);
				return 0;
			}
			fclose(f);
		}
		magi_sleep_ms(10);
	}
	magi__proc_kill(o->pid, 2000);
	o->pid = 0;
	return -1;
}

static void oracle_stop(struct oracle *o)
{
	if (o->pid > 0)
		magi__proc_kill(o->pid, 2000);
	o->pid = 0;
}

/* Loads the request log as a JSON array (empty array when none). */
static json_t *oracle_log(const struct oracle *o)
{
	json_t *arr = json_array();
	FILE *f = fopen(o->log, "r");
	if (!f)
		return arr;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		json_t *j = json_loads(line, 0, NULL);
		if (j)
			json_array_append_new(arr, j);
	}
	free(line);
	fclose(f);
	return arr;
}

static void oracle_cleanup(struct oracle *o)
{
	oracle_stop(o);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", o->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", o->dir);
}
#endif
