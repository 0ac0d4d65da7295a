/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipwarden: process entry. Command line -> config -> EAL -> ports ->
 * workers, or, with --replay, the same fast path over a capture file.
 *
 * Exit status: 0 success, 1 runtime failure, 2 bad usage or bad config.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <urcu-qsbr.h>

#include "admission.h"
#include "config.h"
#include "control_plane.h"
#include "policy.h"
#include "port.h"
#include "state_persist.h"
#include "state_table.h"
#include "stats.h"
#include "worker.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
#define MAX_EAL_ARGS 128
#define REPLAY_POOL_SIZE 4095
/* replay frames may be jumbo: one segment holds any of them */
#define REPLAY_DATA_ROOM (16384 + RTE_PKTMBUF_HEADROOM)
#define LIVE_POOL_SIZE 16383

enum stats_format { STATS_NONE = 0, STATS_TABLE, STATS_JSON };

struct options {
	const char *config_path;
	const char *replay_in;
	const char *write_out;
	const char *replies_out;
	enum stats_format stats;
	bool check_only;
};

static volatile bool stop_requested;
static volatile bool reload_requested;
static volatile bool reopen_requested;

static void usage(FILE *out)
{
	fputs("usage: sipwarden -c FILE [--check]\n"
	      "       sipwarden -c FILE --replay IN.pcap [--write OUT.pcap]\n"
	      "                 [--replies REPLIES.pcap] [--stats table|json]\n"
	      "\n"
	      "  -c, --config FILE     configuration (YAML), required\n"
	      "      --check           validate the configuration and exit\n"
	      "      --replay IN.pcap  run the fast path over a capture; the\n"
	      "                        capture's timestamps are the clock\n"
	      "      --write OUT.pcap  replay: write forwarded frames here\n"
	      "      --replies R.pcap  replay: write generated SIP replies "
	      "here\n"
	      "      --stats FORMAT    counters at exit: table (default in "
	      "replay),\n"
	      "                        json, or none\n"
	      "  -h, --help            this text\n"
	      "  -V, --version         print the version\n"
	      "\n"
	      "Live mode runs on the ports the configuration names until "
	      "SIGINT/SIGTERM.\n"
	      "SIGHUP reloads the configuration; SIGUSR1 reopens the events "
	      "file.\n",
	      out);
}

static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_REPLAY = 256, OPT_WRITE, OPT_REPLIES, OPT_STATS, OPT_CHECK };
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"replay", required_argument, NULL, OPT_REPLAY},
		{"write", required_argument, NULL, OPT_WRITE},
		{"replies", required_argument, NULL, OPT_REPLIES},
		{"stats", required_argument, NULL, OPT_STATS},
		{"check", no_argument, NULL, OPT_CHECK},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->stats = STATS_TABLE;
	while ((c = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config_path = optarg;
			break;
		case OPT_REPLAY:
			o->replay_in = optarg;
			break;
		case OPT_WRITE:
			o->write_out = optarg;
			break;
		case OPT_REPLIES:
			o->replies_out = optarg;
			break;
		case OPT_STATS:
			if (strcmp(optarg, "table") == 0)
				o->stats = STATS_TABLE;
			else if (strcmp(optarg, "json") == 0)
				o->stats = STATS_JSON;
			else if (strcmp(optarg, "none") == 0)
				o->stats = STATS_NONE;
			else {
				fprintf(stderr,
					"sipwarden: --stats takes table, json "
					"or none, not '%s'\n",
					optarg);
				return -1;
			}
			break;
		case OPT_CHECK:
			o->check_only = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("sipwarden %s\n", SIPWARDEN_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sipwarden: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	if (o->config_path == NULL) {
		fprintf(stderr, "sipwarden: -c FILE is required\n");
		usage(stderr);
		return -1;
	}
	if ((o->write_out || o->replies_out) && o->replay_in == NULL) {
		fprintf(stderr,
			"sipwarden: --write and --replies need --replay\n");
		return -1;
	}
	return 0;
}

struct eal_args {
	int argc;
	char *argv[MAX_EAL_ARGS];
	char lcores[1024];
	char file_prefix[64];
};

static int eal_push(struct eal_args *e, const char *arg)
{
	if (e->argc >= MAX_EAL_ARGS - 1)
		return -1;
	e->argv[e->argc++] = (char *)arg;
	return 0;
}

static bool eal_has(const struct config *cfg, const char *const *names)
{
	for (size_t i = 0; i < cfg->eal_arg_count; i++)
		for (const char *const *n = names; *n; n++)
			if (strncmp(cfg->eal_args[i], *n, strlen(*n)) == 0)
				return true;
	return false;
}

/*
 * Replay needs no hugepages, no devices and no shared runtime files, so
 * any user can run it beside a live daemon.
 */
static int eal_args_replay(struct eal_args *e)
{
	static const char *const fixed[] = {
		"--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
		"-m", "512", "-l", "0", "--log-level", "*:warning",
		"--file-prefix",
	};

	for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++)
		eal_push(e, fixed[i]);
	/* concurrent replays must not share a runtime directory */
	snprintf(e->file_prefix, sizeof(e->file_prefix), "sipwarden-replay-%d",
		 (int)getpid());
	return eal_push(e, e->file_prefix);
}

/*
 * lcore 0 runs the control loop and lcores 1..workers the workers, on the
 * CPUs this process may use, in order. With fewer CPUs than lcores they
 * wrap around and share (said at start): running is better than refusing.
 */
static int default_lcores(unsigned int workers, char *buf, size_t len)
{
	cpu_set_t set;
	int cpus[CPU_SETSIZE], ncpu = 0;
	size_t used = 0;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return -1;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			cpus[ncpu++] = c;
	if (ncpu == 0)
		return -1;
	if ((unsigned int)ncpu < workers + 1)
		fprintf(stderr,
			"sipwarden: %u lcores on %d CPUs: some share a CPU "
			"(set 'eal: [--lcores, ...]' to choose)\n",
			workers + 1, ncpu);
	for (unsigned int l = 0; l <= workers; l++) {
		int n = snprintf(buf + used, len - used, "%s%u@%d",
				 l ? "," : "", l, cpus[l % (unsigned int)ncpu]);

		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
	}
	return 0;
}

static int eal_args_live(struct eal_args *e, const struct config *cfg)
{
	static const char *const lcore_opts[] = {"-l", "-c", "--lcores",
						 NULL};
	const struct config_port *ports[2] = {&cfg->outside, &cfg->inside};

	for (size_t i = 0; i < cfg->eal_arg_count; i++)
		if (eal_push(e, cfg->eal_args[i]) < 0)
			return -1;
	if (!eal_has(cfg, lcore_opts)) {
		if (default_lcores(cfg->workers, e->lcores,
				   sizeof(e->lcores)) < 0)
			return -1;
		eal_push(e, "--lcores");
		eal_push(e, e->lcores);
	}
	for (int i = 0; i < 2; i++) {
		if (eal_push(e, port_device_is_pci(ports[i]->device) ?
					"-a" :
					"--vdev") < 0 ||
		    eal_push(e, ports[i]->device) < 0)
			return -1;
	}
	return 0;
}

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	if (sig == SIGHUP) {
		reload_requested = true;
	} else if (sig == SIGUSR1) {
		reopen_requested = true;
	} else {
		stop_signal = sig;
		stop_requested = true;
	}
}

static const char *stop_reason(void)
{
	return stop_signal == SIGTERM ? "SIGTERM" :
	       stop_signal == SIGINT  ? "SIGINT" :
					"stop";
}

static void report(struct tenant_registry *registry,
		   const struct admission *adm,
		   struct stats_lcore *const *lcores, unsigned int n,
		   enum stats_format fmt)
{
	struct stats_view *v;

	if (fmt == STATS_NONE)
		return;
	v = stats_aggregate(lcores, n, registry);
	if (v == NULL) {
		fprintf(stderr, "sipwarden: out of memory for the report\n");
		return;
	}
	admission_gauges(adm, &v->gauges);
	if (fmt == STATS_JSON)
		stats_print_json(v, stdout);
	else
		stats_print_table(v, stdout);
	fflush(stdout);
	stats_view_free(v);
}

static int worker_init(struct worker *w, unsigned int index,
		       uint32_t tenants, struct admission *adm,
		       struct rte_mempool *frag_pool)
{
	memset(w, 0, sizeof(*w));
	w->index = index;
	w->admission = adm;
	w->stats = stats_lcore_create(tenants);
	if (w->stats == NULL)
		return -ENOMEM;
	return frag_init(&w->frag, frag_pool, 4096, (int)rte_socket_id());
}

static void worker_fini(struct worker *w)
{
	frag_fini(&w->frag);
	stats_lcore_free(w->stats);
}

static int run_replay(const struct options *o, struct policy *p,
		      struct admission *adm)
{
	char err[512];
	struct replay_source src;
	struct port_out forwarded, replies;
	struct rte_mempool *pool, *frag_pool;
	struct rte_mbuf *pkts[PORT_BURST];
	struct worker *w;
	int rc = EXIT_RUNTIME;
	uint16_t n;

	pool = rte_pktmbuf_pool_create("replay", REPLAY_POOL_SIZE, 0, 0,
				       REPLAY_DATA_ROOM, SOCKET_ID_ANY);
	frag_pool = rte_pktmbuf_pool_create("frag", REPLAY_POOL_SIZE, 0, 0,
					    REPLAY_DATA_ROOM, SOCKET_ID_ANY);
	w = rte_zmalloc("worker", sizeof(*w), 64);
	if (pool == NULL || frag_pool == NULL || w == NULL ||
	    port_timestamp_init() < 0) {
		fprintf(stderr, "sipwarden: replay buffers: %s\n",
			rte_strerror(rte_errno));
		return EXIT_RUNTIME;
	}
	if (worker_init(w, 0, p->registry->capacity, adm, frag_pool) < 0) {
		fprintf(stderr, "sipwarden: out of memory for the worker\n");
		return EXIT_RUNTIME;
	}
	if (replay_source_open(&src, o->replay_in, err, sizeof(err)) < 0) {
		fprintf(stderr, "sipwarden: %s\n", err);
		goto out_worker;
	}
	if (port_out_open_pcap(&forwarded, o->write_out, err, sizeof(err)) <
		    0 ||
	    port_out_open_pcap(&replies, o->replies_out, err, sizeof(err)) <
		    0) {
		fprintf(stderr, "sipwarden: %s\n", err);
		goto out_src;
	}
	w->replay = true;
	w->forward_to[SIDE_OUTSIDE] = w->forward_to[SIDE_INSIDE] = &forwarded;
	w->reply_to[SIDE_OUTSIDE] = w->reply_to[SIDE_INSIDE] = &replies;

	state_table_thread_init();
	while ((n = replay_source_read(&src, pool, pkts, PORT_BURST)) > 0) {
		worker_process_burst(w, SIDE_OUTSIDE, pkts, n, 0);
		worker_flush(w);
		rcu_quiescent_state();
	}
	w->stats->total[ST_OVERSIZE] += src.oversize;
	w->stats->total[ST_PACKETS] += src.oversize;
	report(p->registry, adm, &w->stats, 1, o->stats);
	state_table_thread_fini();
	rc = 0;
	port_out_close_pcap(&replies);
	port_out_close_pcap(&forwarded);
out_src:
	replay_source_close(&src);
out_worker:
	worker_fini(w);
	rte_free(w);
	return rc;
}

/* Rings of software dispatch: an inbox per worker, a TX ring per worker
 * and side. Single producer, single consumer each. */
static int dispatch_rings_create(unsigned int nw, struct rte_ring ***inboxes,
				 struct rte_ring ***tx_rings)
{
	char name[RTE_RING_NAMESIZE];

	*inboxes = calloc(nw, sizeof(**inboxes));
	*tx_rings = calloc((size_t)nw * SIDE_COUNT, sizeof(**tx_rings));
	if (*inboxes == NULL || *tx_rings == NULL)
		return -ENOMEM;
	for (unsigned int k = 1; k < nw; k++) {
		snprintf(name, sizeof(name), "sw_in%u", k);
		(*inboxes)[k] = rte_ring_create(name, 4096, SOCKET_ID_ANY,
						RING_F_SP_ENQ | RING_F_SC_DEQ);
		if ((*inboxes)[k] == NULL)
			return -ENOMEM;
		for (int s = 0; s < SIDE_COUNT; s++) {
			snprintf(name, sizeof(name), "sw_tx%u_%d", k, s);
			(*tx_rings)[k * SIDE_COUNT + s] = rte_ring_create(
				name, 4096, SOCKET_ID_ANY,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
			if ((*tx_rings)[k * SIDE_COUNT + s] == NULL)
				return -ENOMEM;
		}
	}
	return 0;
}

/* The fast path's clock (worker.c), for the state writer. */
static uint64_t mono_now_ns(void)
{
	return (uint64_t)((__uint128_t)rte_rdtsc() * 1000000000ULL /
			  rte_get_tsc_hz());
}

/*
 * Restore the state file (before any worker runs: it sets the keys'
 * secret and counts restored calls against the limits) and start its
 * writer. Never fatal: a missing or refused file means starting empty.
 */
static struct state_persist *state_start(const struct config *cfg,
					 struct control_plane *cp,
					 struct stats_lcore *const *lcores,
					 unsigned int nw)
{
	struct state_persist_target t = {
		.registry = cp->ops.registry,
		.admission = cp->ops.admission,
		.lcores = lcores,
		.lcore_count = nw,
		.baseline = cp->ops.baseline,
	};
	struct state_load_report rep;
	struct timespec ts;

	if (cfg->state.file[0] == '\0')
		return NULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	state_table_thread_init(); /* the load inserts into the tables */
	(void)state_persist_load(cfg->state.file, &t,
				 (uint64_t)ts.tv_sec * 1000000000ULL +
					 (uint64_t)ts.tv_nsec,
				 mono_now_ns(), &rep);
	state_table_thread_fini();
	state_load_report_print(&rep, stderr);
	control_plane_state_loaded(cp, &rep);
	return state_persist_start(cfg->state.file, cfg->state.interval, &t,
				   &rep, mono_now_ns);
}

static int run_live(const struct options *o, struct policy *p,
		    struct admission *adm)
{
	const struct config *cfg = p->cfg;
	unsigned int nw = cfg->workers;
	struct worker **workers = calloc(nw, sizeof(*workers));
	struct worker_loop_args *args = calloc(nw, sizeof(*args));
	struct stats_lcore **lcores = calloc(nw, sizeof(*lcores));
	struct port_out *outs = calloc((size_t)nw * SIDE_COUNT, sizeof(*outs));
	struct rte_mempool *pool, *frag_pool;
	uint16_t port_id[SIDE_COUNT], rss[SIDE_COUNT], queues;
	struct control_plane cp = {0};
	struct rte_ring **inboxes = NULL, **tx_rings = NULL;
	char err[512];
	unsigned int lcore, i = 0;
	int rc = EXIT_RUNTIME;

	if (workers == NULL || args == NULL || lcores == NULL ||
	    outs == NULL) {
		fprintf(stderr, "sipwarden: out of memory\n");
		goto out;
	}
	if (rte_lcore_count() < nw + 1) {
		fprintf(stderr,
			"sipwarden: %u workers need %u lcores, EAL has %u "
			"(check 'eal' in %s)\n",
			nw, nw + 1, rte_lcore_count(), cfg->path);
		goto out;
	}
	pool = rte_pktmbuf_pool_create("rx", LIVE_POOL_SIZE * nw, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	frag_pool = rte_pktmbuf_pool_create("frag", 4095 * nw, 256, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE,
					    (int)rte_socket_id());
	if (pool == NULL || frag_pool == NULL) {
		fprintf(stderr, "sipwarden: packet buffers: %s\n",
			rte_strerror(rte_errno));
		goto out;
	}
	if (port_ethdev_find(cfg->outside.device, &port_id[SIDE_OUTSIDE],
			     &rss[SIDE_OUTSIDE], err, sizeof(err)) < 0 ||
	    port_ethdev_find(cfg->inside.device, &port_id[SIDE_INSIDE],
			     &rss[SIDE_INSIDE], err, sizeof(err)) < 0) {
		fprintf(stderr, "sipwarden: %s\n", err);
		goto out;
	}
	/* one queue pair per worker where the ports spread by RSS, else one
	 * queue pair and worker 0 dispatching in software */
	queues = RTE_MIN(rss[SIDE_OUTSIDE], rss[SIDE_INSIDE]) >= nw ?
			 (uint16_t)nw :
			 1;
	if (port_ethdev_setup(port_id[SIDE_OUTSIDE], queues, pool, err,
			      sizeof(err)) < 0 ||
	    port_ethdev_setup(port_id[SIDE_INSIDE], queues, pool, err,
			      sizeof(err)) < 0) {
		fprintf(stderr, "sipwarden: %s\n", err);
		goto out;
	}
	if (nw > 1 && queues == 1 &&
	    dispatch_rings_create(nw, &inboxes, &tx_rings) < 0) {
		fprintf(stderr, "sipwarden: cannot create dispatch rings\n");
		goto out_ports;
	}
	for (unsigned int k = 0; k < nw; k++) {
		struct port_out *o_out = &outs[k * SIDE_COUNT + SIDE_OUTSIDE];
		struct port_out *o_in = &outs[k * SIDE_COUNT + SIDE_INSIDE];

		workers[k] = rte_zmalloc("worker", sizeof(struct worker), 64);
		if (workers[k] == NULL ||
		    worker_init(workers[k], k, p->registry->capacity, adm,
				frag_pool) < 0) {
			fprintf(stderr, "sipwarden: out of memory\n");
			goto out_ports;
		}
		*o_out = (struct port_out){.kind = PORT_OUT_ETHDEV,
					   .port_id = port_id[SIDE_OUTSIDE],
					   .queue_id = (uint16_t)k};
		*o_in = (struct port_out){.kind = PORT_OUT_ETHDEV,
					  .port_id = port_id[SIDE_INSIDE],
					  .queue_id = (uint16_t)k};
		workers[k]->rx_port[SIDE_OUTSIDE] = port_id[SIDE_OUTSIDE];
		workers[k]->rx_port[SIDE_INSIDE] = port_id[SIDE_INSIDE];
		workers[k]->rx_queue = (uint16_t)k;
		if (inboxes != NULL) {
			workers[k]->worker_count = nw;
			if (k == 0) {
				workers[k]->inboxes = inboxes;
				workers[k]->tx_rings = tx_rings;
			} else {
				/* the others reach the ports through
				 * worker 0 */
				workers[k]->inbox = inboxes[k];
				*o_out = (struct port_out){
					.kind = PORT_OUT_RING,
					.ring = tx_rings[k * SIDE_COUNT +
							 SIDE_OUTSIDE]};
				*o_in = (struct port_out){
					.kind = PORT_OUT_RING,
					.ring = tx_rings[k * SIDE_COUNT +
							 SIDE_INSIDE]};
			}
		}
		/* inline: each side's frames cross to the other side; replies
		 * leave through the port the request came in on */
		workers[k]->forward_to[SIDE_OUTSIDE] = o_in;
		workers[k]->forward_to[SIDE_INSIDE] = o_out;
		workers[k]->reply_to[SIDE_OUTSIDE] = o_out;
		workers[k]->reply_to[SIDE_INSIDE] = o_in;
		lcores[k] = workers[k]->stats;
		args[k] = (struct worker_loop_args){.w = workers[k],
						    .stop = &stop_requested};
	}
	/* the lcore each worker runs on (the launch below takes them in
	 * this order), for the per-lcore metrics */
	lcore = rte_get_next_lcore(-1, 1, 0);
	for (unsigned int k = 0; k < nw; k++) {
		lcores[k]->lcore_id = lcore;
		lcore = rte_get_next_lcore(lcore, 1, 0);
	}
	if (control_plane_start(&cp, cfg, p->registry, adm, lcores, nw,
				p->tag_key, err, sizeof(err)) < 0) {
		fprintf(stderr, "sipwarden: %s\n", err);
		goto out_control;
	}
	if (stop_requested) {
		rc = 0; /* asked to stop while starting */
		goto out_control;
	}
	cp.ops.persist = state_start(cfg, &cp, lcores, nw);
	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		if (i == nw)
			break;
		rte_eal_remote_launch(worker_loop, &args[i++], lcore);
	}
	fprintf(stderr,
		"sipwarden: %s mode, %u worker(s) (%s), outside %s, inside "
		"%s\n",
		cfg->mode == CONFIG_MODE_HOST ? "host" : "inline", nw,
		nw == 1	       ? "one queue pair" :
		inboxes != NULL ? "software dispatch: the ports have no RSS" :
				  "RSS",
		cfg->outside.device, cfg->inside.device);
	control_plane_run(&cp, &stop_requested, &reload_requested,
			  &reopen_requested);
	control_plane_announce_stop(&cp, stop_reason());
	rte_eal_mp_wait_lcore();
	/* the final write, with the workers stopped */
	state_persist_stop(cp.ops.persist);
	cp.ops.persist = NULL;
	report(cp.ops.registry, adm, lcores, nw, o->stats);
	rc = 0;
out_control:
	if (rc == 0)
		control_plane_announce_stop(&cp, stop_reason());
	control_plane_stop(&cp);
out_ports:
	port_ethdev_close(port_id[SIDE_OUTSIDE]);
	port_ethdev_close(port_id[SIDE_INSIDE]);
out:
	for (unsigned int k = 0; workers != NULL && k < nw; k++) {
		if (workers[k] != NULL) {
			worker_fini(workers[k]);
			rte_free(workers[k]);
		}
	}
	free(workers);
	free(args);
	free(lcores);
	free(outs);
	free(inboxes);
	free(tx_rings);
	return rc;
}

/*
 * Reply tags must be stable across retransmissions and, in replay,
 * across runs (so output captures compare byte for byte); live daemons
 * draw a fresh key.
 */
static void make_tag_key(bool replay, uint8_t *key)
{
	static const char replay_key[REPLY_TAG_KEY_LEN] = "sipwarden-replay";

	if (replay || getrandom(key, REPLY_TAG_KEY_LEN, 0) !=
			      REPLY_TAG_KEY_LEN)
		memcpy(key, replay_key, REPLY_TAG_KEY_LEN);
}

int main(int argc, char **argv)
{
	struct options o;
	struct eal_args eal = {0};
	struct config *cfg;
	struct policy *p;
	struct admission *adm;
	struct tenant_registry *registry;
	uint8_t key[REPLY_TAG_KEY_LEN];
	char err[8192];
	int rc;

	if (parse_options(argc, argv, &o) < 0)
		return EXIT_USAGE;
	cfg = config_load(o.config_path, err, sizeof(err));
	if (cfg == NULL) {
		fprintf(stderr, "%s", err);
		if (err[0] && err[strlen(err) - 1] != '\n')
			fputc('\n', stderr);
		fprintf(stderr, "sipwarden: configuration refused\n");
		return EXIT_USAGE;
	}
	if (o.check_only) {
		printf("%s: ok (%zu tenants)\n", o.config_path,
		       cfg->tenant_count);
		config_free(cfg);
		return 0;
	}
	if (o.replay_in == NULL &&
	    (cfg->outside.device[0] == '\0' || cfg->inside.device[0] == '\0')) {
		fprintf(stderr,
			"%s: live mode needs ports.outside and ports.inside "
			"(or run with --replay)\n",
			o.config_path);
		config_free(cfg);
		return EXIT_USAGE;
	}
	eal_push(&eal, argv[0]);
	if (o.replay_in != NULL)
		rc = eal_args_replay(&eal);
	else
		rc = eal_args_live(&eal, cfg);
	if (rc < 0) {
		fprintf(stderr, "sipwarden: too many EAL arguments\n");
		config_free(cfg);
		return EXIT_USAGE;
	}
	/* from here on a signal stops us cleanly, also while starting */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGUSR1, on_signal);
	if (rte_eal_init(eal.argc, eal.argv) < 0) {
		fprintf(stderr,
			"sipwarden: EAL init failed: %s (without hugepages, "
			"use 'eal: [--no-huge, -m, \"1024\", --no-shconf]')\n",
			rte_strerror(rte_errno));
		config_free(cfg);
		return EXIT_RUNTIME;
	}
	make_tag_key(o.replay_in != NULL, key);
	registry = tenant_registry_create(config_tenant_capacity(cfg));
	adm = admission_create(config_tenant_capacity(cfg), cfg->call_capacity,
			       cfg->reg_capacity);
	if (registry == NULL || adm == NULL) {
		fprintf(stderr,
			"sipwarden: cannot allocate tables for %u tenants, %u "
			"calls and %u registrations\n",
			config_tenant_capacity(cfg), cfg->call_capacity,
			cfg->reg_capacity);
		config_free(cfg);
		rte_eal_cleanup();
		return EXIT_RUNTIME;
	}
	p = policy_build(cfg, registry, key, err, sizeof(err));
	if (p == NULL) {
		fprintf(stderr, "sipwarden: %s\n", err);
		rte_eal_cleanup();
		return EXIT_RUNTIME;
	}
	policy_publish(p);
	rc = o.replay_in != NULL ? run_replay(&o, p, adm) :
				   run_live(&o, p, adm);
	policy_publish(NULL);
	rcu_barrier(); /* the last snapshot and tenant policies */
	admission_free(adm);
	tenant_registry_free(registry);
	rte_eal_cleanup();
	return rc;
}
