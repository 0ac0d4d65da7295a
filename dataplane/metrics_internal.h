/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics_internal: what metrics.c shares with metrics_io.c (the per-lcore
 * and per-port families). Not an interface outside the metrics module.
 */
#ifndef SIPWARDEN_METRICS_INTERNAL_H
#define SIPWARDEN_METRICS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stats.h"

#define METRICS_PREFIX "sipwarden_"
#define METRICS_FAMILY_MAX 128

/* A Prometheus label: name="value" */
struct label {
	const char *name, *value;
};

/* # HELP (help, then help_tail, escaped) and # TYPE lines. */
void metrics_write_header(FILE *out, const char *family, const char *type,
			  const char *help, const char *help_tail);
/* One sample: family{l[0],...} value. */
void metrics_write_sample(FILE *out, const char *family, const struct label *l,
			  size_t n, uint64_t value);

/* metrics_io.c: the per-lcore, per-port and per-queue families. */
void metrics_write_io(const struct stats_view *v, FILE *out);

struct rte_tel_data;
/* /sipwarden/lcores, /sipwarden/ports and /sipwarden/port,ID */
int metrics_tel_lcores(const struct stats_view *v, const char *params,
		       struct rte_tel_data *d);
int metrics_tel_ports(const struct stats_view *v, const char *params,
		      struct rte_tel_data *d);
int metrics_tel_port(const struct stats_view *v, const char *params,
		     struct rte_tel_data *d);

#endif
