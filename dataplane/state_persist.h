/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * state_persist: the daemon's side of the state file (state_file.h): what
 * is saved (calls, registrations, per-tenant counters and totals), a
 * writer thread that saves it every interval and once more at shutdown,
 * and the restore at start.
 *
 * Contract:
 *  - state_persist_load() runs on the main lcore once the tables, the
 *    registry and the control plane exist and before any worker starts.
 *    It takes over the file's key secret (so saved keys still find their
 *    calls), re-creates calls and registrations, counted against their
 *    tenants' limits, and adds the saved counters to lcores[0] (worker
 *    0's, which goes on from them) and the saved baselines of "stats
 *    reset". Tenants are matched by name. What ended while the daemon was
 *    down (a registration past its expiry, a call past its deadline) is
 *    not re-created; entries of tenants no longer configured are dropped;
 *    both counted in the report. A file that does not check is renamed
 *    FILE.corrupt.<unix time> and the daemon starts empty: never fatal.
 *  - Keys are made from the tenant's key id (a hash of its name), never
 *    its slot, so restored calls and registrations are found by their
 *    BYEs and refreshes even where the tenant's slot changed.
 *  - The writer thread, not the control thread, does the periodic and
 *    final writes: the control socket never waits for one. It is a
 *    liburcu QSBR reader, online only while it walks the tables, with a
 *    quiescent state every 65,536 entries, so a walk holds up grace
 *    periods for a few milliseconds at a time. It takes no lock a worker
 *    takes. A write that fails is reported (stderr, status) and tried
 *    again the next period.
 *  - Times: the tables hold the daemon's monotonic ns, the file wall-clock
 *    ns, converted with the offset between the two clocks taken when the
 *    file is written and when it is read.
 */
#ifndef SIPWARDEN_STATE_PERSIST_H
#define SIPWARDEN_STATE_PERSIST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "admission.h"
#include "json.h"
#include "state_file.h"
#include "stats.h"
#include "tenant_registry.h"

/* What the state is read from and written into. */
struct state_persist_target {
	struct tenant_registry *registry;
	struct admission *admission;
	struct stats_lcore *const *lcores; /* the workers' counters */
	unsigned int lcore_count;
	struct stats_sip_counts *baseline; /* [registry->capacity] */
};

struct state_load_report {
	bool found;	/* there was a file */
	bool set_aside; /* it did not check and was renamed */
	char set_aside_to[600];
	char error[256];
	uint64_t written_at_ns;		      /* wall clock */
	uint32_t calls, regs, counters;	      /* restored */
	uint32_t calls_expired, regs_expired; /* ended while down */
	uint32_t calls_dropped, regs_dropped,
		counters_dropped; /* tenant gone */
	uint32_t not_restored;	  /* tables full, or the key twice */
};

/*
 * Restore from `path` at now_wall_ns (CLOCK_REALTIME) = now_mono_ns (the
 * daemon's clock). Fills *rep; returns 0 unless the file was there and
 * refused (-EINVAL) or unreadable (-errno): the daemon goes on either way.
 */
int state_persist_load(const char *path, const struct state_persist_target *t,
		       uint64_t now_wall_ns, uint64_t now_mono_ns,
		       struct state_load_report *rep);
/* One line on what the load did. */
void state_load_report_print(const struct state_load_report *rep, FILE *out);
/* The report as a JSON object (status.state.loaded), or only its members
 * into an object the caller has open (an event). */
void state_load_report_json(const struct state_load_report *rep,
			    struct json_writer *w);
void state_load_report_members(const struct state_load_report *rep,
			       struct json_writer *w);

/*
 * Build the file's bytes from the live state (the caller is a QSBR
 * reader, online; it passes quiescent states meanwhile, so it must hold
 * no entry pointer). *entries: calls and registrations written.
 */
int state_persist_collect(const struct state_persist_target *t,
			  uint64_t now_wall_ns, uint64_t now_mono_ns,
			  struct state_file_buf *b, uint64_t *entries);

struct state_persist;

/*
 * The writer thread: a write every interval_s seconds of mono_ns (the
 * daemon's clock) until state_persist_stop(). NULL when the thread
 * cannot be had (said on stderr).
 */
struct state_persist *
state_persist_start(const char *path, uint32_t interval_s,
		    const struct state_persist_target *t,
		    const struct state_load_report *loaded,
		    uint64_t (*mono_ns)(void));
/* The final write (call it once the workers stopped), then the end. */
void state_persist_stop(struct state_persist *sp);

/* The "state" object of `sipwardenctl status` (docs/CONTROL.md). */
void state_persist_status_json(struct state_persist *sp, struct json_writer *w);
/* Failed writes so far, and the last one's message ("" once a write
 * succeeded again). */
uint64_t state_persist_failures(struct state_persist *sp, char *last_error,
				size_t len);

#endif
