/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * control_plane: what the main lcore does while the workers run in live
 * mode: the control socket (sipwardenctl), the Prometheus endpoint and
 * DPDK telemetry, and the expiry of calls, registrations and drained
 * tenant slots.
 *
 * Contract:
 *  - control_plane_start() sets everything up on the main lcore (after
 *    rte_eal_init) and fails with a message when the socket or the
 *    metrics endpoint cannot be had; control_plane_run() returns when
 *    *stop becomes true (checked at least every 10 ms); then
 *    control_plane_stop() releases it all (joins the metrics thread,
 *    removes the socket file).
 *  - The main lcore is a registered QSBR reader while it runs; command
 *    handlers run on it. It never takes a lock the workers take.
 */
#ifndef SIPWARDEN_CONTROL_PLANE_H
#define SIPWARDEN_CONTROL_PLANE_H

#include <stdbool.h>

#include "control_ops.h"
#include "event_log.h"
#include "event_watch.h"
#include "metrics.h"

struct control_plane {
	struct control_ops ops;
	struct ctl_server *server;
	struct metrics_http *http;
	struct metrics_source metrics;
	bool telemetry;
	struct event_log *events;
	struct event_watch *watch;
	bool stop_announced;
	uint64_t state_failures; /* failed state writes already announced */
	bool state_alert;
};

int control_plane_start(struct control_plane *cp, const struct config *cfg,
			struct tenant_registry *registry,
			struct admission *admission,
			struct stats_lcore *const *lcores, unsigned int workers,
			const uint8_t *tag_key, char *err, size_t errlen);
/* *reload (SIGHUP) re-reads the configuration, as `sipwardenctl reload`
 * does, and logs the outcome on stderr; *reopen (SIGUSR1) only reopens the
 * events file, for log rotation. */
void control_plane_run(struct control_plane *cp, volatile bool *stop,
		       volatile bool *reload, volatile bool *reopen);
/* What the start restored from the state file: a `state_restored` event,
 * and an `alert` when the file was refused. */
void control_plane_state_loaded(struct control_plane *cp,
				const struct state_load_report *rep);
/* The `stopping` event, once (`why`: "SIGTERM", "SIGINT", "stop",
 * "error"): as soon as the daemon knows, before its final report. */
void control_plane_announce_stop(struct control_plane *cp, const char *why);
/* Announces the stop if nobody did ("error"), then releases it all. */
void control_plane_stop(struct control_plane *cp);

#endif
