/* trace_internal.h — jansson-level access to traces for the layers above (agent, eval). */
#ifndef MAGI_TRACE_INTERNAL_H
#define MAGI_TRACE_INTERNAL_H
#include <jansson.h>
#include "magi/trace.h"

/* Appends an event; steals nothing (ev keeps its reference). "type" must be set by the
 * caller or passed as type. */
magi_status magi__trace_event_json(struct magi_trace *t, const char *type, json_t *ev,
				   struct magi_error *err);
/* magi_trace_call with extra fields (step, attempt) merged in. */
magi_status magi__trace_call_json(struct magi_trace *t, const char *role, const char *model,
				  const struct magi_chat_result *r, json_t *extra, struct magi_error *err);
/* Loads every event of <dir>/trace.jsonl into a JSON array. A torn last line (the run was
 * killed mid-write) is skipped with a warning; any other bad line is an error naming it. */
magi_status magi__trace_load(const char *dir, json_t **events, struct magi_error *err);
#endif
