/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"
#include "config_internal.h"
#include "yaml_schema.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct yschema_choice action_choices[] = {
	{"drop", CONFIG_ACTION_DROP},
	{"forward", CONFIG_ACTION_FORWARD},
	{"reply", CONFIG_ACTION_REPLY},
	{NULL, 0},
};

static const char *const refusal_names[CONFIG_REFUSAL_MAX] = {
	[CONFIG_REFUSAL_UNKNOWN_SOURCE] = "unknown_source",
	[CONFIG_REFUSAL_SUSPENDED] = "suspended",
	[CONFIG_REFUSAL_CALL_LIMIT] = "call_limit",
	[CONFIG_REFUSAL_CPS_LIMIT] = "cps_limit",
	[CONFIG_REFUSAL_USER_LIMIT] = "user_limit",
	[CONFIG_REFUSAL_TABLE_FULL] = "table_full",
};

const char *config_refusal_name(enum config_refusal r)
{
	return (unsigned int)r < CONFIG_REFUSAL_MAX ? refusal_names[r] : "?";
}

const char *config_action_name(enum config_action a)
{
	for (const struct yschema_choice *ch = action_choices; ch->name; ch++)
		if (ch->value == (int)a)
			return ch->name;
	return "?";
}

/*
 * Claims: who first wrote a tenant name, prefix or domain. Keys point into
 * the model being built, which never moves them.
 */
struct claim {
	const void *key;
	uint32_t len, hash;
	uint32_t line, owner;
};

struct claims {
	struct claim *slots;
	size_t cap, used; /* cap: a power of two, or 0 */
};

static uint32_t hash_bytes(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static bool claims_grow(struct claims *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	struct claim *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return false;
	for (size_t i = 0; i < s->cap; i++) {
		size_t j = s->slots[i].hash & (cap - 1);

		if (!s->slots[i].key)
			continue;
		while (slots[j].key)
			j = (j + 1) & (cap - 1);
		slots[j] = s->slots[i];
	}
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return true;
}

/*
 * Claim `key` for `owner`: returns the earlier claim on it, or NULL when
 * this one is the first (or memory ran out: *oom is set).
 */
static const struct claim *claim(struct claims *s, const void *key, size_t len,
				 uint32_t line, uint32_t owner, bool *oom)
{
	uint32_t h = hash_bytes(key, len);
	size_t i;

	if ((s->used + 1) * 2 > s->cap && !claims_grow(s)) {
		*oom = true;
		return NULL;
	}
	for (i = h & (s->cap - 1); s->slots[i].key; i = (i + 1) & (s->cap - 1))
		if (s->slots[i].hash == h && s->slots[i].len == len &&
		    memcmp(s->slots[i].key, key, len) == 0)
			return &s->slots[i];
	s->slots[i] = (struct claim){key, (uint32_t)len, h, line, owner};
	s->used++;
	return NULL;
}

/* The key of a prefix is its family, depth and address, in that order. */
_Static_assert(offsetof(struct config_prefix, depth) == 1 &&
		       offsetof(struct config_prefix, addr) == 2,
	       "prefix key layout");
#define PREFIX_KEY_LEN 18

/* Loading */

struct loader {
	struct config *cfg;
	const struct ydoc_node *root;
	struct claims names, prefixes, domains, inside;
	uint32_t tenant; /* the one being read */
	char label[96];	 /* and how messages name it */
	bool oom;
};

/* "tenant 'acme'", or "tenant #3" for the third entry when it has no
 * valid name. */
static const char *tenant_label(const char *name, size_t i, char *buf,
				size_t len)
{
	if (name[0])
		snprintf(buf, len, "tenant '%s'", name);
	else
		snprintf(buf, len, "tenant #%zu", i + 1);
	return buf;
}

/* `what` ("prefix 198.18.1.0/24") at `at` repeats an earlier claim. */
static void report_repeat(struct ydoc_check *c, const struct ydoc_node *at,
			  const char *what, const struct claim *prev,
			  uint32_t owner, const char *mine)
{
	struct loader *ld = c->user;
	char theirs[96];

	if (prev->owner == owner)
		ydoc_error(c, at, "duplicate %s in %s (first at line %u)", what,
			   mine, prev->line);
	else
		ydoc_error(c, at, "%s of %s is also claimed by %s (line %u)",
			   what, mine,
			   tenant_label(ld->cfg->tenants[prev->owner].name,
					prev->owner, theirs, sizeof(theirs)),
			   prev->line);
}

static bool read_prefix(struct ydoc_check *c, const struct ydoc_node *n,
			struct config_prefix *p)
{
	char what[YDOC_DESCRIBE_MAX], fixed[CONFIG_PREFIX_STR_MAX];
	const char *why;
	bool host_bits;

	if (n->kind != YDOC_SCALAR || ydoc_is_null(n)) {
		ydoc_error(c, n,
			   "expected a prefix such as 198.51.100.0/24, got "
			   "%s%s",
			   ydoc_describe(n, what, sizeof(what)),
			   n->kind == YDOC_MAPPING
				   ? " (an IPv6 address ending in ':' must "
				     "be quoted)"
				   : "");
		return false;
	}
	why = strlen(n->text) == n->len ? config_prefix_parse(n->text, p, &host_bits)
					: "a NUL character";
	if (why) {
		ydoc_error(c, n, "bad prefix %s: %s",
			   ydoc_describe(n, what, sizeof(what)), why);
		return false;
	}
	if (host_bits) {
		ydoc_error(c, n, "host bits set in %s; did you mean %s?",
			   n->text,
			   config_prefix_format(p, fixed, sizeof(fixed)));
		return false;
	}
	p->line = n->line;
	return true;
}

/* A list of prefixes, each claimed in `set` by `owner` (named `mine`). */
static void read_prefixes(struct ydoc_check *c, const struct ydoc_node *n,
			  struct config_prefix **out, size_t *count,
			  struct claims *set, uint32_t owner, const char *mine)
{
	struct loader *ld = c->user;

	if (!yschema_get_list(c, n, "prefixes", 0, SIZE_MAX) || n->count == 0)
		return;
	*out = calloc(n->count, sizeof(**out));
	if (!*out) {
		ld->oom = true;
		return;
	}
	for (size_t i = 0; i < n->count; i++) {
		struct config_prefix *p = &(*out)[*count];
		char what[16 + CONFIG_PREFIX_STR_MAX];
		const struct claim *prev;

		if (!read_prefix(c, n->items[i], p))
			continue;
		prev = claim(set, p, PREFIX_KEY_LEN, p->line, owner, &ld->oom);
		if (!prev) {
			(*count)++;
			continue;
		}
		memcpy(what, "prefix ", 7);
		config_prefix_format(p, what + 7, sizeof(what) - 7);
		report_repeat(c, n->items[i], what, prev, owner, mine);
	}
}

static void read_inside_networks(struct ydoc_check *c,
				 const struct yschema_field *f,
				 const struct ydoc_node *n, void *target)
{
	struct config *cfg = target;
	struct loader *ld = c->user;

	(void)f;
	read_prefixes(c, n, &cfg->inside_networks, &cfg->inside_network_count,
		      &ld->inside, 0, "'inside_networks'");
}

static void read_tenant_prefixes(struct ydoc_check *c,
				 const struct yschema_field *f,
				 const struct ydoc_node *n, void *target)
{
	struct config_tenant *t = target;
	struct loader *ld = c->user;

	(void)f;
	read_prefixes(c, n, &t->prefixes, &t->prefix_count, &ld->prefixes,
		      ld->tenant, ld->label);
}

static void read_tenant_name(struct ydoc_check *c,
			     const struct yschema_field *f,
			     const struct ydoc_node *n, void *target)
{
	struct config_tenant *t = target;
	struct loader *ld = c->user;
	char what[YDOC_DESCRIBE_MAX];
	const struct claim *prev;

	(void)f;
	if (!yschema_get_string(c, n, t->name, sizeof(t->name)))
		return;
	if (!config_tenant_name_valid_len(t->name, n->len)) {
		ydoc_error(c, n,
			   "bad tenant name %s: use letters, digits, '_', '.' "
			   "and '-'",
			   ydoc_describe(n, what, sizeof(what)));
		t->name[0] = '\0';
		return;
	}
	prev = claim(&ld->names, t->name, n->len, n->line, ld->tenant,
		     &ld->oom);
	if (prev)
		ydoc_error(c, n,
			   "duplicate tenant '%s' (first defined at line %u)",
			   t->name, prev->line);
}

static void read_tenant_domains(struct ydoc_check *c,
				const struct yschema_field *f,
				const struct ydoc_node *n, void *target)
{
	struct config_tenant *t = target;
	struct loader *ld = c->user;

	(void)f;
	if (!yschema_get_list(c, n, "domains", 0, SIZE_MAX) || n->count == 0)
		return;
	t->domains = calloc(n->count, sizeof(*t->domains));
	if (!t->domains) {
		ld->oom = true;
		return;
	}
	for (size_t i = 0; i < n->count; i++) {
		const struct ydoc_node *item = n->items[i];
		char host[254], what[YDOC_DESCRIBE_MAX + 8];
		const struct claim *prev;
		const char *why;
		char *d;

		if (!yschema_get_string(c, item, host, sizeof(host)))
			continue;
		for (char *p = host; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p += 'a' - 'A';
		why = config_domain_problem(host);
		if (why) {
			ydoc_error(c, item, "bad domain %s: %s",
				   ydoc_describe(item, what, sizeof(what)),
				   why);
			continue;
		}
		d = strdup(host);
		if (!d) {
			ld->oom = true;
			return;
		}
		prev = claim(&ld->domains, d, strlen(d), item->line, ld->tenant,
			     &ld->oom);
		if (!prev) {
			t->domains[t->domain_count++] = d;
			continue;
		}
		snprintf(what, sizeof(what), "domain '%s'", d);
		free(d);
		report_repeat(c, item, what, prev, ld->tenant, ld->label);
	}
}

static const struct yschema_field tenant_fields[] = {
	YSCHEMA_CUSTOM_FIELD("name", read_tenant_name, .required = true),
	YSCHEMA_CUSTOM_FIELD("prefixes", read_tenant_prefixes),
	YSCHEMA_CUSTOM_FIELD("domains", read_tenant_domains),
	YSCHEMA_MAP_FIELD("limits", struct config_tenant, limits,
			  config_limit_fields),
	YSCHEMA_BOOL_FIELD("suspended", struct config_tenant, suspended),
	YSCHEMA_END,
};

static void read_tenants(struct ydoc_check *c, const struct yschema_field *f,
			 const struct ydoc_node *n, void *target)
{
	struct config *cfg = target;
	struct loader *ld = c->user;

	(void)f;
	if (!yschema_get_list(c, n, "tenants", 1, UINT32_MAX))
		return;
	cfg->tenants = calloc(n->count, sizeof(*cfg->tenants));
	if (!cfg->tenants) {
		ld->oom = true;
		return;
	}
	/* Entries keep their index even when they are wrong, so that
	 * "tenant #N" means the Nth entry. */
	cfg->tenant_count = n->count;
	for (size_t i = 0; i < n->count; i++) {
		const struct ydoc_node *item = n->items[i];
		const struct ydoc_node *name = ydoc_map_get(item, "name");
		struct config_tenant *t = &cfg->tenants[i];
		size_t errors = ydoc_error_count(c);
		bool named = name && name->kind == YDOC_SCALAR &&
			     config_tenant_name_valid_len(name->text, name->len);

		ld->tenant = (uint32_t)i;
		tenant_label(named ? name->text : "", i, ld->label,
			     sizeof(ld->label));
		t->line = item->line;
		t->limits = cfg->default_limits;
		yschema_walk_map(c, item, tenant_fields, t, ld->label);
		config_settle_limits(&t->limits);
		if (ydoc_error_count(c) == errors && t->prefix_count == 0 &&
		    t->domain_count == 0)
			ydoc_error(c, item,
				   "%s has no prefixes and no domains: nothing "
				   "would ever match it",
				   ld->label);
	}
}

static const struct yschema_choice mode_choices[] = {
	{"inline", CONFIG_MODE_INLINE},
	{"host", CONFIG_MODE_HOST},
	{NULL, 0},
};

/* An unparseable message has nothing to build a reply from. */
static const struct yschema_choice malformed_choices[] = {
	{"drop", CONFIG_ACTION_DROP},
	{"forward", CONFIG_ACTION_FORWARD},
	{NULL, 0},
};

static const struct yschema_field port_fields[] = {
	YSCHEMA_STRING_FIELD("device", struct config_port, device,
			     .required = true),
	YSCHEMA_END,
};

static const struct yschema_field ports_fields[] = {
	YSCHEMA_MAP_FIELD("outside", struct config, outside, port_fields,
			  .required = true),
	YSCHEMA_MAP_FIELD("inside", struct config, inside, port_fields,
			  .required = true),
	YSCHEMA_END,
};

static const struct yschema_field sip_fields[] = {
	YSCHEMA_UINTS_FIELD("ports", struct config, sip_ports, sip_port_count,
			    1, 65535, .min_items = 1),
	YSCHEMA_UINTS_FIELD("tls_ports", struct config, tls_ports,
			    tls_port_count, 1, 65535),
	YSCHEMA_END,
};

/* actions.<reason>, actions.<reason>_code, actions.<reason>_retry_after */
#define REFUSAL_FIELDS(name, r)                                                \
	YSCHEMA_ENUM_FIELD(name, struct config, refusals[r].action,           \
			   action_choices),                                    \
		YSCHEMA_UINT_FIELD(name "_code", struct config,                \
				   refusals[r].code, 400, 699),                \
		YSCHEMA_UINT_FIELD(name "_retry_after", struct config,         \
				   refusals[r].retry_after, 0, 86400)

static const struct yschema_field action_fields[] = {
	REFUSAL_FIELDS("unknown_source", CONFIG_REFUSAL_UNKNOWN_SOURCE),
	REFUSAL_FIELDS("suspended", CONFIG_REFUSAL_SUSPENDED),
	REFUSAL_FIELDS("call_limit", CONFIG_REFUSAL_CALL_LIMIT),
	REFUSAL_FIELDS("cps_limit", CONFIG_REFUSAL_CPS_LIMIT),
	REFUSAL_FIELDS("user_limit", CONFIG_REFUSAL_USER_LIMIT),
	REFUSAL_FIELDS("table_full", CONFIG_REFUSAL_TABLE_FULL),
	YSCHEMA_ENUM_FIELD("malformed", struct config, malformed_action,
			   malformed_choices),
	YSCHEMA_UINT_FIELD("reply_rate", struct config, reply_rate, 0,
			   RATE_MAX),
	YSCHEMA_UINT_FIELD("reply_burst", struct config, reply_burst, 0,
			   RATE_MAX),
	YSCHEMA_END,
};

static const struct yschema_field calls_fields[] = {
	YSCHEMA_UINT_FIELD("capacity", struct config, call_capacity, 1,
			   1u << 26),
	YSCHEMA_END,
};

static const struct yschema_field registrations_fields[] = {
	YSCHEMA_UINT_FIELD("capacity", struct config, reg_capacity, 1,
			   1u << 26),
	YSCHEMA_END,
};

static void free_strings(char **list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(list[i]);
	free(list);
}

static void read_emergency_numbers(struct ydoc_check *c,
				   const struct yschema_field *f,
				   const struct ydoc_node *n, void *target)
{
	static const struct yschema_field strings = YSCHEMA_STRINGS_FIELD(
		"numbers", struct config, emergency, emergency_count,
		.max_items = 32);
	struct config *cfg = target;
	char what[YDOC_DESCRIBE_MAX];

	(void)f;
	/* the list written replaces the built-in one */
	free_strings(cfg->emergency, cfg->emergency_count);
	cfg->emergency = NULL;
	cfg->emergency_count = 0;
	yschema_read_field(c, &strings, n, target, "'emergency'");
	for (size_t i = 0; i < cfg->emergency_count && i < n->count; i++)
		if (!config_emergency_entry_valid(cfg->emergency[i]))
			ydoc_error(c, n->items[i],
				   "bad emergency number %s: digits (with an "
				   "optional '+' and '-', '.', '(', ')', ' ') "
				   "or a service URN (urn:service:sos)",
				   ydoc_describe(n->items[i], what,
						 sizeof(what)));
}

static const struct yschema_field emergency_fields[] = {
	YSCHEMA_CUSTOM_FIELD("numbers", read_emergency_numbers),
	YSCHEMA_END,
};

/* An address, not a host name: nothing to resolve at start. */
static void read_metrics_listen(struct ydoc_check *c,
				const struct yschema_field *f,
				const struct ydoc_node *n, void *target)
{
	struct config_metrics *m = target;
	char addr[sizeof(m->listen)], what[YDOC_DESCRIBE_MAX];
	uint8_t bin[16];

	(void)f;
	if (!yschema_get_string(c, n, addr, sizeof(addr)))
		return;
	if (inet_pton(AF_INET, addr, bin) != 1 &&
	    inet_pton(AF_INET6, addr, bin) != 1) {
		ydoc_error(c, n,
			   "bad listen address %s: not an IPv4 or IPv6 "
			   "address",
			   ydoc_describe(n, what, sizeof(what)));
		return;
	}
	memcpy(m->listen, addr, sizeof(addr));
}

static const struct yschema_field control_fields[] = {
	YSCHEMA_STRING_FIELD("socket", struct config_control, socket),
	YSCHEMA_STRING_FIELD("group", struct config_control, group),
	YSCHEMA_END,
};

static const struct yschema_choice events_output_choices[] = {
	{"none", CONFIG_EVENTS_NONE},
	{"stdout", CONFIG_EVENTS_STDOUT},
	{"file", CONFIG_EVENTS_FILE},
	{NULL, 0},
};

static const struct yschema_field events_fields[] = {
	YSCHEMA_ENUM_FIELD("output", struct config_events, output,
			   events_output_choices),
	YSCHEMA_STRING_FIELD("file", struct config_events, file),
	YSCHEMA_UINT_FIELD("limit_interval", struct config_events,
			   limit_interval, 1, 3600),
	YSCHEMA_UINT_FIELD("history", struct config_events, history, 1,
			   100000),
	YSCHEMA_END,
};

static const struct yschema_field state_fields[] = {
	YSCHEMA_STRING_FIELD("file", struct config_state, file),
	YSCHEMA_UINT_FIELD("interval", struct config_state, interval, 1, 86400),
	YSCHEMA_END,
};

static const struct yschema_field metrics_fields[] = {
	YSCHEMA_BOOL_FIELD("prometheus", struct config_metrics, prometheus),
	YSCHEMA_CUSTOM_FIELD("listen", read_metrics_listen),
	YSCHEMA_UINT_FIELD("port", struct config_metrics, port, 1, 65535),
	YSCHEMA_END,
};

/* The top level. Grouping keys (ports, sip, actions) fill struct config
 * itself. */
static const struct yschema_field config_fields[] = {
	YSCHEMA_ENUM_FIELD("mode", struct config, mode, mode_choices),
	YSCHEMA_STRINGS_FIELD("eal", struct config, eal_args, eal_arg_count,
			      .max_items = 64),
	YSCHEMA_GROUP_FIELD("ports", ports_fields),
	YSCHEMA_UINT_FIELD("workers", struct config, workers, 1, 64),
	YSCHEMA_GROUP_FIELD("sip", sip_fields),
	YSCHEMA_CUSTOM_FIELD("inside_networks", read_inside_networks),
	YSCHEMA_GROUP_FIELD("actions", action_fields),
	/* slots must fit the 21-bit next hop of DPDK's LPM6 */
	YSCHEMA_UINT_FIELD("max_tenants", struct config, max_tenants, 1,
			   CONFIG_MAX_TENANTS),
	YSCHEMA_GROUP_FIELD("calls", calls_fields),
	YSCHEMA_GROUP_FIELD("registrations", registrations_fields),
	YSCHEMA_GROUP_FIELD("emergency", emergency_fields),
	YSCHEMA_MAP_FIELD("metrics", struct config, metrics, metrics_fields),
	YSCHEMA_MAP_FIELD("control", struct config, control, control_fields),
	YSCHEMA_MAP_FIELD("events", struct config, events, events_fields),
	YSCHEMA_MAP_FIELD("state", struct config, state, state_fields),
	/* before tenants: each tenant's limits start from these */
	YSCHEMA_MAP_FIELD("defaults", struct config, default_limits,
			  config_limit_fields),
	YSCHEMA_CUSTOM_FIELD("tenants", read_tenants, .required = true),
	YSCHEMA_END,
};

/* The node of item i of `list` when every item was read, else `whole`. */
static const struct ydoc_node *item_at(const struct ydoc_node *list,
				       size_t read, size_t i,
				       const struct ydoc_node *whole)
{
	if (list && list->kind == YDOC_SEQUENCE && list->count == read)
		return list->items[i];
	return whole;
}

/* output: file needs a file, and a file needs output: file. */
static void check_events(struct ydoc_check *c, struct loader *ld)
{
	const struct ydoc_node *ev = ydoc_map_get(ld->root, "events");
	const struct config_events *e = &ld->cfg->events;

	if (e->output == CONFIG_EVENTS_FILE && !e->file[0])
		ydoc_error(c, ydoc_map_get(ev, "output"),
			   "events.output is 'file' but events.file is not "
			   "set");
	if (e->output != CONFIG_EVENTS_FILE && e->file[0])
		ydoc_error(c, ydoc_map_get(ev, "file"),
			   "events.file is set but events.output is not "
			   "'file'");
}

/* Rules that span keys, checked once every key has been read. */
static void check_across(struct ydoc_check *c, struct loader *ld)
{
	const struct ydoc_node *sip = ydoc_map_get(ld->root, "sip");
	const struct ydoc_node *ports = ydoc_map_get(ld->root, "ports");
	const struct ydoc_node *inside =
		ydoc_map_get(ydoc_map_get(ports, "inside"), "device");
	struct config *cfg = ld->cfg;

	for (size_t i = 0; i < cfg->tls_port_count; i++) {
		for (size_t j = 0; j < cfg->sip_port_count; j++) {
			const struct ydoc_node *at;

			if (cfg->tls_ports[i] != cfg->sip_ports[j])
				continue;
			/* Point at the list that was written. */
			at = item_at(ydoc_map_get(sip, "ports"),
				     cfg->sip_port_count, j, ld->root);
			at = item_at(ydoc_map_get(sip, "tls_ports"),
				     cfg->tls_port_count, i, at);
			ydoc_error(c, at,
				   "port %u is in both 'sip.ports' and "
				   "'sip.tls_ports'",
				   cfg->tls_ports[i]);
		}
	}
	if (cfg->max_tenants != 0 && cfg->max_tenants < cfg->tenant_count)
		ydoc_error(c, ydoc_map_get(ld->root, "max_tenants"),
			   "max_tenants is %u but %zu tenants are configured",
			   cfg->max_tenants, cfg->tenant_count);
	if (inside && cfg->inside.device[0] &&
	    strcmp(cfg->inside.device, cfg->outside.device) == 0)
		ydoc_error(c, inside,
			   "the inside and outside ports are the same device");
	check_events(c, ld);
}


uint32_t config_tenant_capacity(const struct config *cfg)
{
	uint64_t twice = 2 * (uint64_t)cfg->tenant_count;

	if (cfg->max_tenants != 0)
		return cfg->max_tenants;
	return twice > 1024 ? (uint32_t)(twice < CONFIG_MAX_TENANTS ?
						 twice :
						 CONFIG_MAX_TENANTS) :
			      1024;
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	free_strings(cfg->eal_args, cfg->eal_arg_count);
	free_strings(cfg->emergency, cfg->emergency_count);
	free(cfg->inside_networks);
	for (size_t i = 0; i < cfg->tenant_count; i++) {
		free(cfg->tenants[i].prefixes);
		free_strings(cfg->tenants[i].domains,
			     cfg->tenants[i].domain_count);
	}
	free(cfg->tenants);
	free(cfg);
}

/* The numbers every deployment starts from (docs/CONFIG.md). */
static void set_default_emergency(struct config *cfg)
{
	static const char *const defaults[] = {"112", "911", "999",
					       "urn:service:sos"};
	size_t n = sizeof(defaults) / sizeof(*defaults);

	cfg->emergency = calloc(n, sizeof(*cfg->emergency));
	for (size_t i = 0; cfg->emergency != NULL && i < n; i++) {
		cfg->emergency[i] = strdup(defaults[i]);
		if (cfg->emergency[i] != NULL)
			cfg->emergency_count++;
	}
}

static void set_defaults(struct config *cfg, const char *name)
{
	snprintf(cfg->path, sizeof(cfg->path), "%s", name);
	cfg->mode = CONFIG_MODE_INLINE;
	cfg->workers = 1;
	cfg->sip_ports[0] = 5060;
	cfg->sip_port_count = 1;
	cfg->tls_ports[0] = 5061;
	cfg->tls_port_count = 1;
	for (int r = 0; r < CONFIG_REFUSAL_MAX; r++)
		cfg->refusals[r] = (struct config_refusal_action){
			.action = CONFIG_ACTION_REPLY, .code = 403};
	/* "try again later": the limits that free up by themselves */
	cfg->refusals[CONFIG_REFUSAL_CALL_LIMIT].code = 503;
	cfg->refusals[CONFIG_REFUSAL_CALL_LIMIT].retry_after = 5;
	cfg->refusals[CONFIG_REFUSAL_CPS_LIMIT].code = 503;
	cfg->refusals[CONFIG_REFUSAL_CPS_LIMIT].retry_after = 1;
	cfg->refusals[CONFIG_REFUSAL_TABLE_FULL].code = 503;
	cfg->refusals[CONFIG_REFUSAL_TABLE_FULL].retry_after = 5;
	cfg->malformed_action = CONFIG_ACTION_DROP;
	cfg->reply_rate = 1000;
	cfg->default_limits.max_call_duration = 4 * 3600;
	cfg->default_limits.unanswered_timeout = 180;
	cfg->call_capacity = 1u << 20;
	cfg->reg_capacity = 1u << 18;
	cfg->metrics.prometheus = true;
	snprintf(cfg->metrics.listen, sizeof(cfg->metrics.listen), "127.0.0.1");
	cfg->metrics.port = 9478;
	snprintf(cfg->control.socket, sizeof(cfg->control.socket), "%s",
		 "/run/sipwarden/ctl.sock");
	cfg->events.limit_interval = 1;
	cfg->events.history = 1000;
	cfg->state.interval = 10;
	set_default_emergency(cfg);
}

struct config *config_load_string(const char *name, const char *text,
				  size_t len, char *err, size_t errlen)
{
	struct config *cfg = calloc(1, sizeof(*cfg));
	struct loader ld = {.cfg = cfg};
	struct ydoc *doc = NULL;
	struct ydoc_check c;

	ydoc_check_init(&c, name, &ld);
	if (cfg) {
		set_defaults(cfg, name);
		doc = ydoc_parse(text, len, &c);
	} else {
		ld.oom = true;
	}
	if (doc) {
		ld.root = ydoc_root(doc);
		if (!ld.root || ydoc_is_null(ld.root)) {
			ydoc_error_at(&c, 1, 1, "the configuration is empty");
		} else {
			yschema_walk_map(&c, ld.root, config_fields, cfg, "");
			check_across(&c, &ld);
			if (cfg->reply_burst == 0)
				cfg->reply_burst =
					cfg->reply_rate ? cfg->reply_rate : 1;
		}
	}
	if (ld.oom)
		ydoc_error_at(&c, 0, 0, "out of memory");
	if (errlen)
		err[0] = '\0';
	if (ydoc_error_count(&c)) {
		ydoc_check_report(&c, err, errlen);
		config_free(cfg);
		cfg = NULL;
	}
	free(ld.names.slots);
	free(ld.prefixes.slots);
	free(ld.domains.slots);
	free(ld.inside.slots);
	ydoc_free(doc);
	ydoc_check_fini(&c);
	return cfg;
}

/* Far beyond any real configuration; stops a wrong path such as a device
 * file from being read forever. */
#define CONFIG_FILE_MAX ((size_t)1 << 30)

/* 0, or an errno. */
static int read_file(FILE *f, char **text, size_t *len)
{
	size_t cap = 0, n;

	*text = NULL;
	*len = 0;
	do {
		if (*len == cap) {
			char *t;

			if (cap >= CONFIG_FILE_MAX)
				return EFBIG;
			cap = cap ? cap * 2 : 65536;
			t = realloc(*text, cap);
			if (!t)
				return ENOMEM;
			*text = t;
		}
		n = fread(*text + *len, 1, cap - *len, f);
		*len += n;
	} while (n > 0);
	return ferror(f) ? (errno ? errno : EIO) : 0;
}

struct config *config_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct config *cfg = NULL;
	char *text = NULL;
	size_t len = 0;
	int e = f ? read_file(f, &text, &len) : errno;

	if (e == 0)
		cfg = config_load_string(path, text ? text : "", len, err,
					 errlen);
	else if (errlen)
		snprintf(err, errlen, "%s: cannot read: %s\n", path,
			 strerror(e));
	free(text);
	if (f)
		fclose(f);
	return cfg;
}
