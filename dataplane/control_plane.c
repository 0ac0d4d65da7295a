/* SPDX-License-Identifier: BSD-3-Clause */
#include "control_plane.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_cycles.h>

#include "json.h"
#include "port.h"
#include "state_table.h"

#define POLL_MS 10

/* Prometheus and telemetry read raw counters: they must only grow. */
static struct stats_view *metrics_snapshot(void *ctx)
{
	struct control_ops *ops = ctx;
	struct stats_view *v =
		stats_aggregate(ops->lcores, ops->lcore_count, ops->registry);

	int ports;

	if (v == NULL)
		return NULL;
	admission_gauges(ops->admission, &v->gauges);
	/* after the lcores: a port has counted at least what they have */
	ports = port_ethdev_stats(&v->ports);
	if (ports < 0) {
		stats_view_free(v);
		return NULL;
	}
	v->port_count = (unsigned int)ports;
	return v;
}

/* mkdir -p of the socket's directory, so /run/sipwarden just works. */
static int make_parent_dir(const char *path)
{
	char dir[sizeof(((struct config_control *)0)->socket)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int start_events(struct control_plane *cp, const struct config *cfg,
			char *err, size_t errlen)
{
	struct json_writer *j;

	cp->events = event_log_open(&cfg->events, err, errlen);
	if (cp->events == NULL)
		return -EIO;
	cp->watch = event_watch_create(cp->ops.registry->capacity,
				       cfg->events.limit_interval,
				       EVENT_WATCH_MAX_HITS);
	if (cp->watch == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	event_log_set_server(cp->events, cp->server);
	cp->ops.events = cp->events;
	cp->ops.server = cp->server;
	j = event_begin(cp->events, "started");
	json_writer_key(j, "version");
	json_writer_string(j, SIPWARDEN_VERSION);
	json_writer_key(j, "mode");
	json_writer_string(j, cp->ops.mode);
	json_writer_key(j, "config");
	json_writer_string(j, cp->ops.config_path);
	json_writer_key(j, "workers");
	json_writer_uint(j, cp->ops.lcore_count);
	json_writer_key(j, "tenants");
	json_writer_uint(j, tenant_registry_count(cp->ops.registry));
	event_end(cp->events);
	return 0;
}

int control_plane_start(struct control_plane *cp, const struct config *cfg,
			struct tenant_registry *registry,
			struct admission *admission,
			struct stats_lcore *const *lcores, unsigned int workers,
			const uint8_t *tag_key, char *err, size_t errlen)
{
	long gid = -1;

	memset(cp, 0, sizeof(*cp));
	if (control_ops_init(&cp->ops, registry, admission, lcores, workers,
			     cfg->path,
			     cfg->mode == CONFIG_MODE_HOST ? "host" : "inline",
			     tag_key) < 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (cfg->control.group[0] != '\0') {
		struct group *g = getgrnam(cfg->control.group);

		if (g == NULL) {
			snprintf(err, errlen,
				 "control.group: no group '%s' on this host",
				 cfg->control.group);
			return -ENOENT;
		}
		gid = g->gr_gid;
	}
	if (make_parent_dir(cfg->control.socket) < 0) {
		snprintf(err, errlen, "cannot create the directory of %s: %s",
			 cfg->control.socket, strerror(errno));
		return -EIO;
	}
	cp->server =
		ctl_server_start(cfg->control.socket, CTL_DEFAULT_MODE, gid,
				 control_commands, &cp->ops, err, errlen);
	if (cp->server == NULL)
		return -EIO;
	cp->metrics = (struct metrics_source){
		.snapshot = metrics_snapshot,
		.ctx = &cp->ops,
	};
	if (cfg->metrics.prometheus) {
		cp->http = metrics_http_start(
			cfg->metrics.listen, cfg->metrics.port,
			metrics_prometheus_fill, &cp->metrics, err, errlen);
		if (cp->http == NULL)
			return -EIO;
	}
	cp->telemetry = metrics_telemetry_register(&cp->metrics) == 0;
	return start_events(cp, cfg, err, errlen);
}

void control_plane_state_loaded(struct control_plane *cp,
				const struct state_load_report *rep)
{
	struct json_writer *j;

	if (cp->events == NULL || !rep->found)
		return;
	if (rep->error[0] != '\0') {
		j = event_begin(cp->events, "alert");
		json_writer_key(j, "alert");
		json_writer_string(j, "state_file_refused");
		state_load_report_members(rep, j);
		event_end(cp->events);
		return;
	}
	j = event_begin(cp->events, "state_restored");
	state_load_report_members(rep, j);
	event_end(cp->events);
}

/* A state write failed (the writer retries every interval): say so once,
 * and once more when a write succeeds again. */
static void watch_state_writes(struct control_plane *cp)
{
	char error[256];
	uint64_t failures;
	struct json_writer *j;

	if (cp->ops.persist == NULL || cp->events == NULL)
		return;
	failures = state_persist_failures(cp->ops.persist, error,
					  sizeof(error));
	if (failures != cp->state_failures && !cp->state_alert) {
		cp->state_alert = true;
		j = event_begin(cp->events, "alert");
	} else if (cp->state_alert && error[0] == '\0') {
		cp->state_alert = false;
		j = event_begin(cp->events, "alert_cleared");
	} else {
		return;
	}
	cp->state_failures = failures;
	json_writer_key(j, "alert");
	json_writer_string(j, "state_write_failed");
	json_writer_key(j, "failures");
	json_writer_uint(j, failures);
	json_writer_key(j, "error");
	json_writer_string(j, error);
	event_end(cp->events);
}

/* After log rotation: write to the file of that name again. */
static void reopen_events(struct control_plane *cp)
{
	int rc = event_log_reopen(cp->events);

	if (rc < 0)
		fprintf(stderr, "sipwarden: events: cannot reopen: %s\n",
			strerror(-rc));
}

/* The same command the socket would run, its answer logged. */
static void reload_on_signal(struct control_plane *cp)
{
	static const char request[] = "{\"cmd\": \"reload\"}";
	struct json_writer out;

	json_writer_init(&out, CTL_MAX_RESPONSE);
	cp->ops.change_source = "sighup";
	ctl_server_handle_line(control_commands, &cp->ops, request,
			       sizeof(request) - 1, &out);
	cp->ops.change_source = NULL;
	reopen_events(cp);
	fprintf(stderr, "sipwarden: SIGHUP reload: %s\n",
		json_writer_text(&out) ? json_writer_text(&out) : "?");
	json_writer_free(&out);
}

void control_plane_run(struct control_plane *cp, volatile bool *stop,
		       volatile bool *reload, volatile bool *reopen)
{
	uint64_t hz = rte_get_tsc_hz();

	state_table_thread_init();
	while (!*stop) {
		if (*reload) {
			*reload = false;
			reload_on_signal(cp);
		}
		if (*reopen) {
			*reopen = false;
			reopen_events(cp);
		}
		uint64_t now = (uint64_t)((__uint128_t)rte_rdtsc() *
					  1000000000ULL / hz);

		admission_housekeeping(cp->ops.admission, now);
		control_ops_housekeeping(&cp->ops);
		event_watch_poll(cp->watch, cp->events, cp->ops.lcores,
				 cp->ops.lcore_count, cp->ops.registry,
				 cp->ops.admission, now);
		watch_state_writes(cp);
		rcu_quiescent_state();
		/* online while handlers run: they read the policy. A grace
		 * period waits at most one poll for us; nobody on the fast
		 * path ever waits for one */
		ctl_server_poll(cp->server, POLL_MS);
		rcu_quiescent_state();
	}
	state_table_thread_fini();
}

void control_plane_announce_stop(struct control_plane *cp, const char *why)
{
	struct json_writer *j;

	if (cp->events == NULL || cp->stop_announced)
		return;
	cp->stop_announced = true;
	j = event_begin(cp->events, "stopping");
	json_writer_key(j, "reason");
	json_writer_string(j, why);
	event_end(cp->events);
}

void control_plane_stop(struct control_plane *cp)
{
	control_plane_announce_stop(cp, "error");
	event_watch_free(cp->watch);
	event_log_close(cp->events);
	if (cp->telemetry)
		metrics_telemetry_detach();
	metrics_http_stop(cp->http);
	ctl_server_stop(cp->server);
	control_ops_fini(&cp->ops);
	memset(cp, 0, sizeof(*cp));
}
