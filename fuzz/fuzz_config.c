/* fuzz_config.c — YAML configuration text: the loader must report errors, never crash. */
#include <stdint.h>
#include "core/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = NULL;
	struct magi_error err;
	if (magi__yaml_parse((const char *)data, size, "fuzz.yaml", &j, &err) == MAGI_OK)
		json_decref(j);
	return 0;
}
