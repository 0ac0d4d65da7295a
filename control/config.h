/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config: the YAML configuration file -> a validated, immutable policy model.
 *
 * Contract:
 *  - config_load() parses the whole file strictly: an unknown key, a wrong
 *    type, an out-of-range number, a bad prefix, a duplicate tenant name or
 *    prefix is an error. Every error is reported as "FILE:LINE:COL: message"
 *    into the caller's error buffer (all errors found, one per line, up to
 *    the buffer's size) and the function returns NULL.
 *  - On success the returned model is self-contained (no pointers into the
 *    parser) and freed with config_free().
 *  - The model knows nothing of DPDK: the dataplane builds its lookup
 *    structures (LPM, hashes) from it.
 */
#ifndef SIPWARDEN_CONFIG_H
#define SIPWARDEN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_NAME_MAX 64
#define CONFIG_MAX_TENANTS 2097150 /* tenant slots (dataplane: 21 bits) */
#define CONFIG_DEVICE_MAX 256
#define CONFIG_MAX_PORTS_LIST 16

enum config_mode { CONFIG_MODE_INLINE = 0, CONFIG_MODE_HOST };

/* What to do with a message given a verdict that refuses it. */
enum config_action {
	CONFIG_ACTION_DROP = 0,
	CONFIG_ACTION_FORWARD, /* forward and count */
	CONFIG_ACTION_REPLY,   /* stateless SIP reply (requests over UDP) */
};

struct config_prefix {
	uint8_t family;	  /* 4 or 6 */
	uint8_t depth;	  /* 0..32 or 0..128 */
	uint8_t addr[16]; /* network byte order; v4 in the first 4 bytes,
			     host bits zero */
	uint32_t line;	  /* where it was written, for messages */
};

/*
 * Admission limits. 0 means "no limit" for every count and rate; times are
 * in seconds. The same set is read for `defaults` and for each tenant's
 * `limits` (which start from the defaults).
 */
struct config_limits {
	uint32_t max_calls;	/* concurrent calls, both directions */
	uint32_t max_inbound;	/* of which from the tenant into the SBC */
	uint32_t max_outbound;	/* of which from the SBC to the tenant */
	uint32_t cps, burst;	/* initial INVITEs per second; burst >= 1 */
	uint32_t caller_cps, caller_burst; /* the same per calling party */
	uint32_t register_rate, register_burst;
	uint32_t other_rate, other_burst; /* other out-of-dialog requests */
	uint32_t max_users;	     /* distinct registered AORs */
	uint32_t max_call_duration;  /* answered calls end after this */
	uint32_t unanswered_timeout; /* calls never answered end after this */
};

/* How a refusal is carried out. */
enum config_refusal {
	CONFIG_REFUSAL_UNKNOWN_SOURCE = 0,
	CONFIG_REFUSAL_SUSPENDED,
	CONFIG_REFUSAL_CALL_LIMIT,
	CONFIG_REFUSAL_CPS_LIMIT,
	CONFIG_REFUSAL_USER_LIMIT,
	CONFIG_REFUSAL_TABLE_FULL,
	CONFIG_REFUSAL_MAX
};

struct config_refusal_action {
	enum config_action action; /* reply, drop, or forward (monitor) */
	uint16_t code;		   /* reply status, 400..699 */
	uint32_t retry_after;	   /* seconds; 0 = no Retry-After */
};

struct config_tenant {
	char name[CONFIG_NAME_MAX]; /* [A-Za-z0-9_.-]+ */
	struct config_limits limits;
	bool suspended;
	struct config_prefix *prefixes;
	size_t prefix_count;
	char **domains; /* lower-cased */
	size_t domain_count;
	uint32_t line; /* where its entry starts, for messages */
};

struct config_port {
	char device[CONFIG_DEVICE_MAX]; /* EAL device string: a PCI address
					   or a vdev ("net_af_xdp0,iface=x") */
};

/* metrics: the Prometheus endpoint (docs/METRICS.md). */
#define CONFIG_ADDR_MAX 46 /* INET6_ADDRSTRLEN */
struct config_metrics {
	bool prometheus;	      /* serve GET /metrics; default true */
	char listen[CONFIG_ADDR_MAX]; /* an IPv4 or IPv6 address; default
					 127.0.0.1 */
	uint16_t port;		      /* default 9478 */
};

/* control: the socket sipwardenctl talks to (docs/CONTROL.md). */
struct config_control {
	char socket[108]; /* sun_path; default /run/sipwarden/ctl.sock */
	char group[32];	  /* a group allowed besides root; "" = none */
};

/* events: where the event stream goes besides `sipwardenctl events`
 * (docs/CONTROL.md, "Events"). */
enum config_events_output {
	CONFIG_EVENTS_NONE = 0, /* only the control socket */
	CONFIG_EVENTS_STDOUT,
	CONFIG_EVENTS_FILE,
};

struct config_events {
	enum config_events_output output; /* default none */
	char file[256];			  /* with output: file (appended) */
	uint32_t limit_interval;	  /* s between two limit_hit events of
					     one tenant and reason; default 1 */
	uint32_t history;		  /* recent events kept; default 1000 */
};

/* state: the state file kept across restarts (docs/RUNNING.md). */
struct config_state {
	char file[512];	   /* "" (default) = no persistence */
	uint32_t interval; /* seconds between writes; default 10 */
};

struct config {
	char path[512];
	enum config_mode mode;
	char **eal_args; /* extra EAL arguments, in order */
	size_t eal_arg_count;
	struct config_port outside, inside; /* devices "" without `ports`
					       (replay needs none) */
	unsigned int workers;		    /* worker lcores, >= 1 */

	uint16_t sip_ports[CONFIG_MAX_PORTS_LIST]; /* UDP/TCP SIP ports */
	size_t sip_port_count;			   /* default: 5060 */
	uint16_t tls_ports[CONFIG_MAX_PORTS_LIST]; /* source-only classified */
	size_t tls_port_count;			   /* default: 5061 */

	struct config_prefix *inside_networks; /* the SBC side */
	size_t inside_network_count;

	/* actions.<reason>, <reason>_code, <reason>_retry_after */
	struct config_refusal_action refusals[CONFIG_REFUSAL_MAX];
	enum config_action malformed_action; /* DROP or FORWARD;
						default DROP */
	uint32_t reply_rate, reply_burst; /* replies per second per worker */

	struct config_limits default_limits;
	uint32_t max_tenants;	 /* tenant slots; 0 = max(1024, 2 x tenants) */
	uint32_t call_capacity;	 /* calls tracked at once */
	uint32_t reg_capacity;	 /* registered AORs tracked at once */
	char **emergency;	 /* numbers and service URNs; default
				    112, 911, 999, urn:service:sos */
	size_t emergency_count;

	struct config_tenant *tenants;
	size_t tenant_count;

	struct config_metrics metrics;
	struct config_control control;
	struct config_events events;
	struct config_state state;
};

/*
 * Load and validate `path`. On failure returns NULL and writes the errors,
 * one per line, to err (always NUL-terminated when errlen > 0).
 */
struct config *config_load(const char *path, char *err, size_t errlen);

/* Same, from a YAML text in memory (`name` is used in messages). */
struct config *config_load_string(const char *name, const char *text,
				  size_t len, char *err, size_t errlen);

void config_free(struct config *cfg);

/* The loader's rules, for runtime edits: a tenant name; a dialled number
 * (digits, a leading '+', visual separators) or a service URN. */
bool config_tenant_name_valid(const char *name);
bool config_emergency_entry_valid(const char *entry);
/* NULL for a valid lower-case host name, else why it is not one. */
const char *config_domain_problem(const char *domain);

/* Limits by their configuration names (max_calls, cps, ...), for runtime
 * changes and listings; the same names and ranges as the file. */
int config_set_limit(struct config_limits *l, const char *name,
		     uint64_t value, char *err, size_t errlen);
void config_limits_foreach(const struct config_limits *l,
			   void (*fn)(const char *name, uint64_t value,
				      void *arg),
			   void *arg);
/* The i-th limit's name, or NULL past the last (< CONFIG_LIMIT_MAX). */
#define CONFIG_LIMIT_MAX 32
const char *config_limit_name(size_t i);
/* A burst left at 0 becomes its rate (at least 1), as when loading. */
void config_settle_limits(struct config_limits *l);

/* The tenant slots to allocate: max_tenants, or its default. */
uint32_t config_tenant_capacity(const struct config *cfg);

/*
 * Parse "a.b.c.d/n" or "x:y::/n" (a bare address means a host route).
 * False on anything else, host bits set past the length included.
 */
bool config_parse_prefix(const char *text, struct config_prefix *out);

/* "198.18.0.0/24", "2001:db8::/48". Returns buf. */
#define CONFIG_PREFIX_STR_MAX 64
const char *config_prefix_format(const struct config_prefix *p, char *buf,
				 size_t len);

const char *config_action_name(enum config_action a);

/* "unknown_source", "call_limit", ...: the verdict reason it answers. */
const char *config_refusal_name(enum config_refusal r);

#endif
