/* SPDX-License-Identifier: BSD-3-Clause */
#include "bench_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <rte_eal.h>

#include "config.h"

struct config *bench_tenant_config(const char *head, uint32_t tenants)
{
	size_t cap = strlen(head) + 64 + (size_t)tenants * 64, len;
	char *y = malloc(cap), err[4096];
	struct config *cfg;

	if (y == NULL)
		return NULL;
	len = (size_t)snprintf(y, cap, "%stenants:\n", head);
	for (uint32_t t = 0; t < tenants; t++) {
		uint32_t a = BENCH_TENANT_BASE + t * 8;

		len += (size_t)snprintf(y + len, cap - len,
					"  - {name: t%05u, prefixes: "
					"[%u.%u.%u.%u/29]}\n",
					t, a >> 24, (a >> 16) & 255,
					(a >> 8) & 255, a & 255);
	}
	cfg = config_load_string("bench", y, len, err, sizeof(err));
	if (cfg == NULL)
		fprintf(stderr, "bench: configuration refused:\n%s\n", err);
	free(y);
	return cfg;
}

int bench_eal_init(char *prog, const char *name)
{
	static char prefix[64];
	char *argv[] = {
		prog,
		"--no-huge",
		"--no-pci",
		"--no-shconf",
		"--no-telemetry",
		"-m",
		"512",
		"-l",
		"0",
		"--log-level",
		"*:warning",
		"--file-prefix",
		prefix,
		NULL,
	};

	snprintf(prefix, sizeof(prefix), "%s-%d", name, (int)getpid());
	return rte_eal_init((int)(sizeof(argv) / sizeof(*argv)) - 1, argv);
}
