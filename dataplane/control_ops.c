/* SPDX-License-Identifier: BSD-3-Clause */
#include "control_ops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calls.h"
#include "config_edit.h"
#include "control_ops_internal.h"
#include "json.h"
#include "regs.h"


static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int control_ops_init(struct control_ops *c, struct tenant_registry *r,
		     struct admission *a, struct stats_lcore *const *lcores,
		     unsigned int lcore_count, const char *config_path,
		     const char *mode, const uint8_t *tag_key)
{
	memset(c, 0, sizeof(*c));
	c->registry = r;
	c->admission = a;
	c->lcores = lcores;
	c->lcore_count = lcore_count;
	snprintf(c->config_path, sizeof(c->config_path), "%s", config_path);
	c->mode = mode;
	memcpy(c->tag_key, tag_key, REPLY_TAG_KEY_LEN);
	c->started_ns = wall_ns();
	c->baseline = calloc(r->capacity ? r->capacity : 1,
			     sizeof(*c->baseline));
	return c->baseline == NULL ? -ENOMEM : 0;
}

void control_ops_fini(struct control_ops *c)
{
	free(c->baseline);
	c->baseline = NULL;
}

static void counts_sub(struct stats_sip_counts *dst,
		       const struct stats_sip_counts *base)
{
	uint64_t *d = (uint64_t *)dst;
	const uint64_t *b = (const uint64_t *)base;

	for (size_t i = 0; i < sizeof(*dst) / sizeof(uint64_t); i++)
		d[i] = d[i] >= b[i] ? d[i] - b[i] : 0;
}

struct stats_view *control_ops_view(const struct control_ops *c)
{
	struct stats_view *v =
		stats_aggregate(c->lcores, c->lcore_count, c->registry);

	if (v == NULL)
		return NULL;
	admission_gauges(c->admission, &v->gauges);
	for (uint32_t t = 0; t < v->sum.tenant_count; t++)
		counts_sub(&v->sum.tenants[t], &c->baseline[t]);
	return v;
}

/* From now on reports of `slot` start from zero. */
void control_ops_rebase(struct control_ops *c, uint32_t slot)
{
	struct stats_view *v =
		stats_aggregate(c->lcores, c->lcore_count, c->registry);

	if (v == NULL)
		return;
	c->baseline[slot] = v->sum.tenants[slot];
	stats_view_free(v);
}

static bool slot_idle(void *ctx, uint32_t slot)
{
	const struct admission *a = ctx;
	const struct tenant_usage *u = &a->usage[slot];

	return __atomic_load_n(&u->calls, __ATOMIC_RELAXED) == 0 &&
	       __atomic_load_n(&u->users, __ATOMIC_RELAXED) == 0 &&
	       __atomic_load_n(&u->emergency_calls, __ATOMIC_RELAXED) == 0;
}

void control_ops_housekeeping(struct control_ops *c)
{
	tenant_registry_reap(c->registry, slot_idle, c->admission);
}

/* --- helpers ------------------------------------------------------------ */

static int need_string(const struct json_value *args, const char *key,
		       const char **out, char *err, size_t errlen)
{
	int rc = json_take_string(args, key, out, err, errlen);

	if (rc == 0)
		snprintf(err, errlen, "'%s' is required", key);
	return rc == 1 ? 0 : -1;
}

/* The slot of args.name, or -1 with a message. */
static int64_t named_slot(struct control_ops *c, const struct json_value *args,
			  char *err, size_t errlen)
{
	const char *name;
	int64_t slot;

	if (need_string(args, "name", &name, err, errlen) < 0)
		return -1;
	slot = tenant_registry_find(c->registry, name);
	if (slot < 0)
		snprintf(err, errlen, "no tenant '%s'", name);
	return slot;
}

static void write_limit(const char *name, uint64_t value, void *arg)
{
	json_writer_key(arg, name);
	json_writer_uint(arg, value);
}

static void write_tenant_row(struct control_ops *c, struct json_writer *w,
			     uint32_t slot, const struct tenant_policy *tp)
{
	const struct tenant_usage *u = &c->admission->usage[slot];
	uint64_t calls = __atomic_load_n(&u->calls, __ATOMIC_RELAXED);

	json_writer_key(w, "name");
	json_writer_string(w, tp->name);
	json_writer_key(w, "slot");
	json_writer_uint(w, slot);
	json_writer_key(w, "suspended");
	json_writer_bool(w, tp->suspended);
	json_writer_key(w, "max_calls");
	json_writer_uint(w, tp->max_calls);
	json_writer_key(w, "calls_active");
	json_writer_uint(w, (uint32_t)calls + (uint32_t)(calls >> 32));
	json_writer_key(w, "max_users");
	json_writer_uint(w, tp->max_users);
	json_writer_key(w, "users");
	json_writer_uint(w, __atomic_load_n(&u->users, __ATOMIC_RELAXED));
}

/* The running configuration with the runtime limit changes folded in, so
 * that a rebuild from it keeps them. */
static struct config *running_config(struct control_ops *c)
{
	struct config *cfg = config_clone(policy_current()->cfg);

	for (size_t i = 0; cfg != NULL && i < cfg->tenant_count; i++) {
		int64_t slot = tenant_registry_find(c->registry,
						    cfg->tenants[i].name);
		const struct tenant_policy *tp =
			slot < 0 ? NULL :
				   tenant_registry_get(c->registry,
						       (uint32_t)slot);

		if (tp != NULL) {
			cfg->tenants[i].limits = tp->limits;
			cfg->tenants[i].suspended = tp->suspended;
		}
	}
	return cfg;
}

/* Build and publish a snapshot of cfg (consumed). */
static int install(struct control_ops *c, struct config *cfg, char *err,
		   size_t errlen)
{
	struct policy *p;

	/* snapshots retired earlier must be gone first: each holds a 64 MB
	 * IPv4 table, so a burst of changes would otherwise pile them up.
	 * Offline while waiting: we hold no RCU pointer here */
	rcu_thread_offline();
	rcu_barrier();
	rcu_thread_online();
	p = policy_build(cfg, c->registry, c->tag_key, err, errlen);

	if (p == NULL)
		return -1;
	policy_publish(p);
	return 0;
}

/* --- commands ----------------------------------------------------------- */

static int cmd_status(void *ctx, const struct json_value *args,
		      struct json_writer *w, char *err, size_t errlen)
{
	struct control_ops *c = ctx;
	const struct admission *a = c->admission;

	(void)args;
	(void)err;
	(void)errlen;
	json_writer_key(w, "version");
	json_writer_string(w, SIPWARDEN_VERSION);
	json_writer_key(w, "mode");
	json_writer_string(w, c->mode);
	json_writer_key(w, "config");
	json_writer_string(w, c->config_path);
	json_writer_key(w, "workers");
	json_writer_uint(w, c->lcore_count);
	json_writer_key(w, "uptime_s");
	json_writer_uint(w, (wall_ns() - c->started_ns) / 1000000000ULL);
	json_writer_key(w, "tenants");
	json_writer_uint(w, tenant_registry_count(c->registry));
	json_writer_key(w, "max_tenants");
	json_writer_uint(w, c->registry->capacity);
	json_writer_key(w, "calls_active");
	json_writer_uint(w, call_table_count(a->calls));
	json_writer_key(w, "call_capacity");
	json_writer_uint(w, call_table_capacity(a->calls));
	json_writer_key(w, "registrations_active");
	json_writer_uint(w, reg_table_count(a->regs));
	json_writer_key(w, "registration_capacity");
	json_writer_uint(w, reg_table_capacity(a->regs));
	json_writer_key(w, "state");
	state_persist_status_json(c->persist, w);
	return 0;
}

static int cmd_tenant_list(void *ctx, const struct json_value *args,
			   struct json_writer *w, char *err, size_t errlen)
{
	struct control_ops *c = ctx;

	(void)args;
	(void)err;
	(void)errlen;
	json_writer_key(w, "tenants");
	json_writer_begin_array(w);
	for (uint32_t slot = 0; slot < c->registry->capacity; slot++) {
		const struct tenant_policy *tp =
			tenant_registry_get(c->registry, slot);

		if (tp == NULL)
			continue;
		json_writer_begin_object(w);
		write_tenant_row(c, w, slot, tp);
		json_writer_end_object(w);
	}
	json_writer_end_array(w);
	return 0;
}

static int cmd_tenant_show(void *ctx, const struct json_value *args,
			   struct json_writer *w, char *err, size_t errlen)
{
	struct control_ops *c = ctx;
	int64_t slot = named_slot(c, args, err, errlen);
	const struct tenant_policy *tp;
	const struct config *cfg = policy_current()->cfg;
	long i;

	if (slot < 0)
		return -1;
	tp = tenant_registry_get(c->registry, (uint32_t)slot);
	write_tenant_row(c, w, (uint32_t)slot, tp);
	json_writer_key(w, "limits");
	json_writer_begin_object(w);
	config_limits_foreach(&tp->limits, write_limit, w);
	json_writer_end_object(w);
	i = config_find_tenant(cfg, tp->name);
	json_writer_key(w, "prefixes");
	json_writer_begin_array(w);
	for (size_t k = 0; i >= 0 && k < cfg->tenants[i].prefix_count; k++) {
		char buf[CONFIG_PREFIX_STR_MAX];

		json_writer_string(w, config_prefix_format(
					      &cfg->tenants[i].prefixes[k], buf,
					      sizeof(buf)));
	}
	json_writer_end_array(w);
	json_writer_key(w, "domains");
	json_writer_begin_array(w);
	for (size_t k = 0; i >= 0 && k < cfg->tenants[i].domain_count; k++)
		json_writer_string(w, cfg->tenants[i].domains[k]);
	json_writer_end_array(w);
	return 0;
}

/* Apply args.limits ({"max_calls": 10, ...}) to l. */
static int take_limits(const struct json_value *args,
		       struct config_limits *l, char *err, size_t errlen)
{
	const struct json_value *lim = json_get(args, "limits");

	if (lim == NULL || lim->type == JSON_NULL)
		return 0;
	if (lim->type != JSON_OBJECT) {
		snprintf(err, errlen, "'limits' must be an object");
		return -1;
	}
	for (size_t i = 0; i < lim->len; i++) {
		const struct json_member *m = &lim->u.members[i];

		if (m->value.type != JSON_INT || m->value.u.integer < 0) {
			snprintf(err, errlen,
				 "limit '%s' must be a non-negative integer",
				 m->key);
			return -1;
		}
		if (config_set_limit(l, m->key, (uint64_t)m->value.u.integer,
				     err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* tenant.set, suspend, resume: a new policy object for one tenant. */
static int change_tenant(struct control_ops *c, const struct json_value *args,
			 int suspend, struct json_writer *w, char *err,
			 size_t errlen)
{
	int64_t slot = named_slot(c, args, err, errlen);
	const struct tenant_policy *cur;
	struct config_limits limits;
	struct tenant_policy tp;
	bool suspended;

	if (slot < 0)
		return -1;
	cur = tenant_registry_get(c->registry, (uint32_t)slot);
	limits = cur->limits;
	suspended = suspend >= 0 ? suspend : cur->suspended;
	if (take_limits(args, &limits, err, errlen) < 0)
		return -1;
	tenant_policy_init(&tp, cur->name, &limits, suspended);
	if (tenant_registry_publish(c->registry, &tp) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	write_tenant_row(c, w, (uint32_t)slot, &tp);
	return 0;
}

static int cmd_tenant_set(void *ctx, const struct json_value *args,
			  struct json_writer *w, char *err, size_t errlen)
{
	return change_tenant(ctx, args, -1, w, err, errlen);
}

static int cmd_tenant_suspend(void *ctx, const struct json_value *args,
			      struct json_writer *w, char *err, size_t errlen)
{
	return change_tenant(ctx, args, 1, w, err, errlen);
}

static int cmd_tenant_resume(void *ctx, const struct json_value *args,
			     struct json_writer *w, char *err, size_t errlen)
{
	return change_tenant(ctx, args, 0, w, err, errlen);
}

/* args[key] as an array of strings (absent: none), at most max. */
static int take_strings(const struct json_value *args, const char *key,
			const char **out, size_t max, size_t *n, char *err,
			size_t errlen)
{
	const struct json_value *a = json_get(args, key);

	*n = 0;
	if (a == NULL || a->type == JSON_NULL)
		return 0;
	if (a->type != JSON_ARRAY || a->len > max) {
		snprintf(err, errlen, "'%s' must be a list of at most %zu "
				      "strings",
			 key, max);
		return -1;
	}
	for (size_t i = 0; i < a->len; i++) {
		if (a->u.items[i].type != JSON_STRING) {
			snprintf(err, errlen, "'%s' must hold strings", key);
			return -1;
		}
		out[(*n)++] = a->u.items[i].u.string;
	}
	return 0;
}

#define TENANT_ADD_MAX_ITEMS 256

static int cmd_tenant_add(void *ctx, const struct json_value *args,
			  struct json_writer *w, char *err, size_t errlen)
{
	struct control_ops *c = ctx;
	const char *prefixes[TENANT_ADD_MAX_ITEMS], *domains[TENANT_ADD_MAX_ITEMS];
	size_t np, nd;
	const char *name;
	struct config *cfg;
	struct config_limits limits;
	int64_t slot;
	bool fresh;

	if (need_string(args, "name", &name, err, errlen) < 0 ||
	    take_strings(args, "prefixes", prefixes, TENANT_ADD_MAX_ITEMS, &np,
			 err, errlen) < 0 ||
	    take_strings(args, "domains", domains, TENANT_ADD_MAX_ITEMS, &nd,
			 err, errlen) < 0)
		return -1;
	cfg = running_config(c);
	if (cfg == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	limits = cfg->default_limits;
	if (take_limits(args, &limits, err, errlen) < 0 ||
	    config_add_tenant(cfg, name, prefixes, np, domains, nd, &limits,
			      err, errlen) < 0) {
		config_free(cfg);
		return -1;
	}
	config_settle_limits(&cfg->tenants[cfg->tenant_count - 1].limits);
	/* a slot it did not hold before starts its counts from zero */
	fresh = tenant_registry_find(c->registry, name) < 0;
	if (install(c, cfg, err, errlen) < 0) {
		/* policy_build may have published it before failing */
		slot = tenant_registry_find(c->registry, name);
		if (fresh && slot >= 0)
			tenant_registry_remove(c->registry, (uint32_t)slot);
		return -1;
	}
	slot = tenant_registry_find(c->registry, name);
	if (slot < 0) {
		snprintf(err, errlen, "tenant '%s' was not published", name);
		return -1;
	}
	if (fresh)
		control_ops_rebase(c, (uint32_t)slot);
	write_tenant_row(c, w, (uint32_t)slot,
			 tenant_registry_get(c->registry, (uint32_t)slot));
	return 0;
}

static int cmd_tenant_del(void *ctx, const struct json_value *args,
			  struct json_writer *w, char *err, size_t errlen)
{
	struct control_ops *c = ctx;
	int64_t slot = named_slot(c, args, err, errlen);
	struct config *cfg;
	const char *name;

	if (slot < 0)
		return -1;
	name = tenant_registry_get(c->registry, (uint32_t)slot)->name;
	cfg = running_config(c);
	if (cfg == NULL || config_del_tenant(cfg, name, err, errlen) < 0) {
		config_free(cfg);
		return -1;
	}
	json_writer_key(w, "removed");
	json_writer_string(w, name);
	/* the tables forget it first, then the registry: its calls go on
	 * and drain its slot */
	if (install(c, cfg, err, errlen) < 0)
		return -1;
	tenant_registry_remove(c->registry, (uint32_t)slot);
	return 0;
}

/* prefix.* acts on the emergency list (destination lists will join it). */
static int prefix_list_arg(const struct json_value *args, char *err,
			   size_t errlen)
{
	const char *list;

	if (need_string(args, "list", &list, err, errlen) < 0)
		return -1;
	if (strcmp(list, "emergency") != 0) {
		snprintf(err, errlen, "no prefix list '%s' (have: emergency)",
			 list);
		return -1;
	}
	return 0;
}

static void write_emergency(struct json_writer *w, const struct config *cfg)
{
	json_writer_key(w, "list");
	json_writer_string(w, "emergency");
	json_writer_key(w, "entries");
	json_writer_begin_array(w);
	for (size_t i = 0; i < cfg->emergency_count; i++)
		json_writer_string(w, cfg->emergency[i]);
	json_writer_end_array(w);
}

static int cmd_prefix_list(void *ctx, const struct json_value *args,
			   struct json_writer *w, char *err, size_t errlen)
{
	(void)ctx;
	if (prefix_list_arg(args, err, errlen) < 0)
		return -1;
	write_emergency(w, policy_current()->cfg);
	return 0;
}

static int edit_emergency(struct control_ops *c, const struct json_value *args,
			  bool add, struct json_writer *w, char *err,
			  size_t errlen)
{
	struct config *cfg;
	const char *value;
	int rc;

	if (prefix_list_arg(args, err, errlen) < 0 ||
	    need_string(args, "value", &value, err, errlen) < 0)
		return -1;
	cfg = running_config(c);
	if (cfg == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = add ? config_add_emergency(cfg, value, err, errlen) :
		   config_del_emergency(cfg, value, err, errlen);
	if (rc < 0) {
		config_free(cfg);
		return -1;
	}
	if (install(c, cfg, err, errlen) < 0)
		return -1;
	write_emergency(w, policy_current()->cfg);
	return 0;
}

static int cmd_prefix_add(void *ctx, const struct json_value *args,
			  struct json_writer *w, char *err, size_t errlen)
{
	return edit_emergency(ctx, args, true, w, err, errlen);
}

static int cmd_prefix_del(void *ctx, const struct json_value *args,
			  struct json_writer *w, char *err, size_t errlen)
{
	return edit_emergency(ctx, args, false, w, err, errlen);
}

static bool same_tenant(const struct config_tenant *a,
			const struct config_tenant *b)
{
	if (memcmp(&a->limits, &b->limits, sizeof(a->limits)) != 0 ||
	    a->suspended != b->suspended ||
	    a->prefix_count != b->prefix_count ||
	    a->domain_count != b->domain_count)
		return false;
	for (size_t i = 0; i < a->prefix_count; i++)
		if (memcmp(&a->prefixes[i].addr, &b->prefixes[i].addr,
			   sizeof(a->prefixes[i].addr)) != 0 ||
		    a->prefixes[i].depth != b->prefixes[i].depth)
			return false;
	for (size_t i = 0; i < a->domain_count; i++)
		if (strcmp(a->domains[i], b->domains[i]) != 0)
			return false;
	return true;
}

/* A configuration's tenants sorted by name, for lookups in O(log n): a
 * reload of 100,000 tenants must not compare every pair. */
static int by_name(const void *a, const void *b)
{
	return strcmp((*(const struct config_tenant *const *)a)->name,
		      (*(const struct config_tenant *const *)b)->name);
}

static const struct config_tenant **sort_tenants(const struct config *c)
{
	const struct config_tenant **v =
		malloc((c->tenant_count + 1) * sizeof(*v));

	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < c->tenant_count; i++)
		v[i] = &c->tenants[i];
	qsort(v, c->tenant_count, sizeof(*v), by_name);
	return v;
}

static const struct config_tenant *
find_sorted(const struct config_tenant **sorted, size_t n, const char *name)
{
	struct config_tenant key;
	const struct config_tenant *k = &key, **hit;

	snprintf(key.name, sizeof(key.name), "%s", name);
	hit = bsearch(&k, sorted, n, sizeof(*sorted), by_name);
	return hit != NULL ? *hit : NULL;
}

/* Tenants of `a` not in `b` (or, when changed, in both but different);
 * b_sorted: b's tenants by name. */
static void write_tenant_diff(struct json_writer *w, const char *key,
			      const struct config *a, const struct config *b,
			      const struct config_tenant **b_sorted,
			      bool changed)
{
	json_writer_key(w, key);
	json_writer_begin_array(w);
	for (size_t i = 0; i < a->tenant_count; i++) {
		const struct config_tenant *t = find_sorted(
			b_sorted, b->tenant_count, a->tenants[i].name);

		if (changed ? t != NULL && !same_tenant(&a->tenants[i], t) :
			      t == NULL)
			json_writer_string(w, a->tenants[i].name);
	}
	json_writer_end_array(w);
}

static int cmd_reload(void *ctx, const struct json_value *args,
		      struct json_writer *w, char *err, size_t errlen)
{
	struct control_ops *c = ctx;
	struct config *running, *cfg;
	char *errors = malloc(CTL_ERROR_MAX);
	const struct config_tenant **new_sorted, **old_sorted;
	uint32_t *gone;
	size_t ngone = 0;

	(void)args;
	if (errors == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cfg = config_load(c->config_path, errors, CTL_ERROR_MAX);
	if (cfg == NULL) {
		snprintf(err, errlen, "%s refused, the running policy stays: %s",
			 c->config_path, errors);
		free(errors);
		return -1;
	}
	free(errors);
	running = running_config(c);
	new_sorted = running != NULL ? sort_tenants(cfg) : NULL;
	old_sorted = running != NULL ? sort_tenants(running) : NULL;
	gone = running != NULL ? calloc(running->tenant_count + 1,
					sizeof(*gone)) :
				 NULL;
	if (new_sorted == NULL || old_sorted == NULL || gone == NULL) {
		free(new_sorted);
		free(old_sorted);
		free(gone);
		config_free(cfg);
		config_free(running);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	write_tenant_diff(w, "added", cfg, running, old_sorted, false);
	write_tenant_diff(w, "removed", running, cfg, new_sorted, false);
	write_tenant_diff(w, "changed", cfg, running, old_sorted, true);
	json_writer_key(w, "emergency_changed");
	json_writer_bool(w, cfg->emergency_count != running->emergency_count);
	for (size_t i = 0; i < running->tenant_count; i++) {
		const char *name = running->tenants[i].name;
		int64_t slot = tenant_registry_find(c->registry, name);

		if (find_sorted(new_sorted, cfg->tenant_count, name) == NULL &&
		    slot >= 0)
			gone[ngone++] = (uint32_t)slot;
	}
	free(new_sorted);
	free(old_sorted);
	config_free(running);
	if (install(c, cfg, err, errlen) < 0) {
		free(gone);
		return -1;
	}
	/* tenants the file no longer has drain out of their slots */
	for (size_t i = 0; i < ngone; i++)
		tenant_registry_remove(c->registry, gone[i]);
	free(gone);
	return 0;
}

/* The commands that change something announce it (control_events.c). */
#define CHANGES .after = control_ops_announce

const struct ctl_command control_commands[] = {
	{"status", cmd_status, "version, mode, uptime, tenants, table fill"},
	{"tenant.list", cmd_tenant_list, "every tenant with its main limits"},
	{"tenant.show", cmd_tenant_show,
	 "one tenant: limits, prefixes, domains, usage {name}"},
	{"tenant.add", cmd_tenant_add,
	 "add a tenant {name, prefixes[], domains[], limits{}}", CHANGES},
	{"tenant.set", cmd_tenant_set, "change limits {name, limits{}}",
	 CHANGES},
	{"tenant.del", cmd_tenant_del, "remove a tenant {name}", CHANGES},
	{"tenant.suspend", cmd_tenant_suspend, "suspend a tenant {name}",
	 CHANGES},
	{"tenant.resume", cmd_tenant_resume, "resume a tenant {name}",
	 CHANGES},
	{"prefix.list", cmd_prefix_list, "a prefix list {list: emergency}"},
	{"prefix.add", cmd_prefix_add, "add to a list {list, value}", CHANGES},
	{"prefix.del", cmd_prefix_del, "remove from a list {list, value}",
	 CHANGES},
	{"calls.list", cmd_calls_list, "calls in progress {tenant?}"},
	{"regs.list", cmd_regs_list, "registrations {tenant?}"},
	{"stats", cmd_stats, "counters (docs/COUNTERS.md) {tenant?}"},
	{"stats.reset", cmd_stats_reset,
	 "start a tenant's counters from zero {tenant}", CHANGES},
	{"reload", cmd_reload, "re-read the configuration file", CHANGES},
	{"events", cmd_events,
	 "recent events {last?}; {follow: true}: then every new one"},
	{NULL, NULL, NULL, NULL},
};
