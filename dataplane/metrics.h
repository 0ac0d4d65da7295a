/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics: the counters of a stats_view for monitoring systems, as
 * Prometheus text (format 0.0.4) over a small HTTP server, and as DPDK
 * telemetry commands under /sipwarden/.
 *
 * Contract:
 *  - This module renders and serves; it never gathers. Where the numbers
 *    come from is the caller's: a metrics_source hands out a fresh
 *    stats_view on each request and takes it back when it is rendered.
 *  - Tenant slots whose name is NULL (no tenant) are left out.
 *  - Metric names, types and labels are an interface, listed in
 *    docs/METRICS.md; they derive from the counter names of stats.c
 *    (docs/COUNTERS.md), never from a second list.
 *  - The HTTP server answers on its own thread (libmicrohttpd's internal
 *    polling thread), one request at a time; telemetry commands run on
 *    DPDK's telemetry threads, possibly several at once. So `fill` and
 *    `snapshot` must be safe to call from any thread, concurrently with
 *    the workers and with each other (reading per-lcore counters and
 *    atomic gauges is).
 *  - metrics_http_stop() and metrics_telemetry_detach() return only when
 *    no callback is running or will run again: after them the caller may
 *    free what its callbacks read.
 */
#ifndef SIPWARDEN_METRICS_H
#define SIPWARDEN_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stats.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Every counter and gauge of `v` in the Prometheus text format 0.0.4. */
void metrics_write_prometheus(const struct stats_view *v, FILE *out);

/*
 * Where the numbers come from. Between snapshot and release the view (and
 * the tenant names it points to) is only read: a caller whose names can
 * change (a reload) may hold a lock from snapshot to release.
 */
struct metrics_source {
	/* A fresh view (stats_aggregate plus gauges), or NULL when out of
	 * memory. Thread-safe, see above. */
	struct stats_view *(*snapshot)(void *ctx);
	/* Done with v (never NULL); NULL here means stats_view_free. */
	void (*release)(void *ctx, struct stats_view *v);
	void *ctx;
};

/* Writes the body of GET /metrics into `out`: 0, or -1 when it could not
 * (the request is then answered 500). Thread-safe, see above. */
typedef int metrics_fill_fn(void *ctx, FILE *out);

/* A metrics_fill_fn over a `struct metrics_source *` (the ctx): snapshot,
 * metrics_write_prometheus, release. */
int metrics_prometheus_fill(void *source, FILE *out);

struct metrics_http;

/*
 * Serve GET (and HEAD) /metrics on addr:port, `addr` an IPv4 or IPv6
 * address; port 0 takes a free port (see metrics_http_port). Other paths
 * get 404, other methods on /metrics 405. The server thread starts with
 * all signals blocked and the CPU affinity of the caller. NULL on failure,
 * with the reason in err ("cannot listen on 127.0.0.1:9478: Address
 * already in use").
 */
struct metrics_http *metrics_http_start(const char *addr, uint16_t port,
					metrics_fill_fn *fill, void *ctx,
					char *err, size_t errlen);

/* The port listened on. */
uint16_t metrics_http_port(const struct metrics_http *h);

/* Close the listener, end the thread, free h. NULL is a no-op. */
void metrics_http_stop(struct metrics_http *h);

/*
 * Register the telemetry commands (once per process: DPDK cannot
 * unregister them) and answer them from `src` (copied) until
 * metrics_telemetry_detach(); a later call only changes the source.
 * 0, or a negative errno. Works before or after rte_eal_init(); the
 * commands are reachable once EAL runs with telemetry on.
 *
 *   /sipwarden/totals          every total, messages, responses, verdicts,
 *                              malformed_reasons (all traffic)
 *   /sipwarden/tables          call and registration table gauges
 *   /sipwarden/tenants[,START] {"count", "start", "names": [...]} (paged)
 *   /sipwarden/tenant,NAME     one tenant, as in the JSON report
 *   /sipwarden/lcores          RX/TX counters of each worker lcore
 *   /sipwarden/ports           counters of each ethdev
 *   /sipwarden/port,ID         one ethdev, with its queues
 */
int metrics_telemetry_register(const struct metrics_source *src);

/* From here on the commands answer an error and never call the source. */
void metrics_telemetry_detach(void);

#endif
