/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer: the configuration loader on arbitrary text. */
#include <stdint.h>
#include <stdlib.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[4096];
	struct config *cfg =
		config_load_string("fuzz.yaml", (const char *)data, size, err,
				   sizeof(err));

	if (cfg == NULL && err[0] == '\0')
		abort(); /* a refusal always says why */
	config_free(cfg);
	return 0;
}
