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
	cp->server = ctl_server_start(cfg->control.socket, CTL_DEFAULT_MODE,
				      gid, control_commands, &cp->ops, err,
				      errlen);
	if (cp->server == NULL)
		return -EIO;
	cp->metrics = (struct metrics_source){
		.snapshot = metrics_snapshot,
		.ctx = &cp->ops,
	};
	if (cfg->metrics.prometheus) {
		cp->http = metrics_http_start(cfg->metrics.listen,
					      cfg->metrics.port,
					      metrics_prometheus_fill,
					      &cp->metrics, err, errlen);
		if (cp->http == NULL)
			return -EIO;
	}
	cp->telemetry = metrics_telemetry_register(&cp->metrics) == 0;
	return 0;
}

/* The same command the socket would run, its answer logged. */
static void reload_on_signal(struct control_plane *cp)
{
	static const char request[] = "{\"cmd\": \"reload\"}";
	struct json_writer out;

	json_writer_init(&out, CTL_MAX_RESPONSE);
	ctl_server_handle_line(control_commands, &cp->ops, request,
			       sizeof(request) - 1, &out);
	fprintf(stderr, "sipwarden: SIGHUP reload: %s\n",
		json_writer_text(&out) ? json_writer_text(&out) : "?");
	json_writer_free(&out);
}

void control_plane_run(struct control_plane *cp, volatile bool *stop,
		       volatile bool *reload)
{
	uint64_t hz = rte_get_tsc_hz();

	state_table_thread_init();
	while (!*stop) {
		if (*reload) {
			*reload = false;
			reload_on_signal(cp);
		}
		uint64_t now = (uint64_t)((__uint128_t)rte_rdtsc() *
					  1000000000ULL / hz);

		admission_housekeeping(cp->ops.admission, now);
		control_ops_housekeeping(&cp->ops);
		rcu_quiescent_state();
		/* online while handlers run: they read the policy. A grace
		 * period waits at most one poll for us; nobody on the fast
		 * path ever waits for one */
		ctl_server_poll(cp->server, POLL_MS);
		rcu_quiescent_state();
	}
	state_table_thread_fini();
}

void control_plane_stop(struct control_plane *cp)
{
	if (cp->telemetry)
		metrics_telemetry_detach();
	metrics_http_stop(cp->http);
	ctl_server_stop(cp->server);
	control_ops_fini(&cp->ops);
	memset(cp, 0, sizeof(*cp));
}
