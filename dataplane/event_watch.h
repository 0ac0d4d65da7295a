/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * event_watch: events about traffic, derived from the counters by the
 * control thread (docs/CONTROL.md, "Events"). The fast path only counts;
 * it never formats, queues or rate-limits an event.
 *
 * Contract:
 *  - event_watch_poll() runs on the control thread (which owns the tenant
 *    names), as often as it likes. Once every `interval` seconds it starts
 *    a pass that compares every refusal counter, per tenant and reason,
 *    summed over the lcores, with the previous pass, and emits one
 *    `limit_hit` event per tenant and reason that moved, with the count:
 *    at most one per tenant and reason per interval, however hard the
 *    flood. A pass looks at EVENT_WATCH_SLICE slots per call, so with many
 *    tenants it spans several calls (and an interval shorter than a pass
 *    stretches to it). Refusals of traffic of no tenant (unknown_source,
 *    malformed) come the same way with tenant null. At most max_hits such
 *    events per pass; the rest are summed into one `events_suppressed`
 *    alert.
 *  - Table fill: an `alert` when the call or registration table reaches
 *    90% of its capacity, `alert_cleared` when it is back under 80%.
 *  - The first pass only records where the counters stand, so restored
 *    or old counts never come out as a burst of events.
 */
#ifndef SIPWARDEN_EVENT_WATCH_H
#define SIPWARDEN_EVENT_WATCH_H

#include <stdint.h>

#include "admission.h"
#include "event_log.h"
#include "stats.h"
#include "tenant_registry.h"

#define EVENT_WATCH_MAX_HITS 10000
/* Slots looked at per poll: about 0.3 ms of the control thread (measured
 * with 100,000 tenants, 2 lcores), so a pass over 100,000 tenants is
 * spread over 12 polls rather than holding the control socket for 9 ms. */
#define EVENT_WATCH_SLICE 8192

struct event_watch;

/* NULL when out of memory. */
/* max_hits: limit_hit events per look (EVENT_WATCH_MAX_HITS). */
struct event_watch *event_watch_create(uint32_t tenant_slots,
				       uint32_t interval_s, uint32_t max_hits);
void event_watch_free(struct event_watch *w); /* w may be NULL */

void event_watch_poll(struct event_watch *w, struct event_log *log,
		      struct stats_lcore *const *lcores, unsigned int n,
		      const struct tenant_registry *r,
		      const struct admission *a, uint64_t now_ns);

#endif
