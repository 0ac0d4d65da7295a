/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_eal: the small EAL the unit tests that need DPDK start: no
 * hugepages, no PCI, no shared config, lcore 0, a file prefix of the
 * test's own (name and PID) so that tests run side by side.
 */
#ifndef SIPWARDEN_TEST_EAL_H
#define SIPWARDEN_TEST_EAL_H

#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>

/* rte_eal_init()'s result. mem_mb: "-m"; telemetry: the socket on. */
static inline int test_eal_init(const char *name, const char *mem_mb,
				bool telemetry)
{
	char prefix[64];
	const char *argv[] = {name,
			      "--no-huge",
			      "-m",
			      mem_mb,
			      "--no-pci",
			      "--no-shconf",
			      "-l",
			      "0",
			      "--log-level",
			      "*:error",
			      "--file-prefix",
			      prefix,
			      telemetry ? NULL : "--no-telemetry",
			      NULL};
	int argc = (int)(sizeof(argv) / sizeof(*argv)) - (telemetry ? 2 : 1);

	snprintf(prefix, sizeof(prefix), "sw-%s-%d", name, (int)getpid());
	return rte_eal_init(argc, (char **)argv);
}

#endif
