/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The YAML config loader: values and defaults from good files; for bad
 * ones, the exact LINE:COL and the gist of each message. Most bad cases are
 * one table row: a text that is right but for one mistake.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "config.h"
#include "yaml_schema.h"

#define DATA "test/data/config/"

static char err[16384];

static struct config *load(const char *text)
{
	return config_load_string("t.yaml", text, strlen(text), err,
				  sizeof(err));
}

/* Whether err holds a line "t.yaml:POS: ...MSG...". */
static bool has_error(const char *pos, const char *msg)
{
	char head[32];
	size_t hlen = (size_t)snprintf(head, sizeof(head), "t.yaml:%s: ", pos);

	for (const char *line = err; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *hit = strstr(line, msg);

		if (len >= hlen && memcmp(line, head, hlen) == 0 && hit &&
		    hit < line + len)
			return true;
		line += len + (end != NULL);
	}
	return false;
}

static size_t error_lines(void)
{
	size_t n = 0;

	for (const char *p = err; (p = strchr(p, '\n')); p++)
		n++;
	return n;
}

static void expect_error(const char *text, const char *pos, const char *msg)
{
	struct config *cfg = load(text);

	if (cfg || !has_error(pos, msg))
		fail_msg("--- yaml:\n%s--- wanted %s: ...%s...\n--- got:\n%s",
			 text, pos, msg, err);
	config_free(cfg);
}

static const uint8_t v6_20[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x20};

static void assert_prefix(const struct config_prefix *p, uint8_t family,
			  const uint8_t *addr, uint8_t depth)
{
	assert_int_equal(p->family, family);
	assert_int_equal(p->depth, depth);
	assert_memory_equal(p->addr, addr, family == 4 ? 4 : 16);
}

#define TENANT "tenants: [{name: a, prefixes: [10.0.0.0/8]}]\n"
#define TENANT_PAIR                                                            \
	"tenants: [{name: a, prefixes: [10.0.0.0/8]}, "                      \
	"{name: b, prefixes: [11.0.0.0/8]}]\n"

/* Limits: defaults, per-tenant overrides, bursts, capacities. */
static void test_limits_inherit_defaults(void **state)
{
	static const char text[] =
		"defaults: {max_calls: 7, cps: 3}\n"
		"max_tenants: 2\n"
		"tenants:\n"
		"  - {name: a, prefixes: [10.0.0.0/8]}\n"
		"  - name: b\n"
		"    prefixes: [11.0.0.0/8]\n"
		"    limits: {cps: 9, max_users: 4}\n"
		"    suspended: true\n";
	struct config *cfg;

	(void)state;
	cfg = config_load_string("l.yaml", text, strlen(text), err,
				 sizeof(err));
	if (!cfg)
		fail_msg("%s", err);
	assert_int_equal(cfg->tenants[0].limits.max_calls, 7);
	assert_int_equal(cfg->tenants[0].limits.cps, 3);
	assert_int_equal(cfg->tenants[0].limits.burst, 3);
	assert_false(cfg->tenants[0].suspended);
	assert_int_equal(cfg->tenants[1].limits.max_calls, 7);
	assert_int_equal(cfg->tenants[1].limits.cps, 9);
	assert_int_equal(cfg->tenants[1].limits.burst, 9);
	assert_int_equal(cfg->tenants[1].limits.max_users, 4);
	assert_int_equal(cfg->tenants[1].limits.unanswered_timeout, 180);
	assert_true(cfg->tenants[1].suspended);
	assert_int_equal(config_tenant_capacity(cfg), 2);
	assert_int_equal(cfg->emergency_count, 4); /* the built-in list */
	assert_string_equal(cfg->emergency[3], "urn:service:sos");
	config_free(cfg);

	cfg = config_load_string("m.yaml", "max_tenants: 1\n" TENANT_PAIR,
				 strlen("max_tenants: 1\n" TENANT_PAIR), err,
				 sizeof(err));
	assert_null(cfg);
	assert_non_null(strstr(err, "m.yaml:1:14: max_tenants is 1 but 2 "
				    "tenants are configured"));
}

/* Good files */

static void test_sample_loads(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = config_load("config/sipwarden.yaml", err, sizeof(err));
	if (!cfg)
		fail_msg("%s", err);
	assert_string_equal(err, "");
	assert_int_equal(cfg->mode, CONFIG_MODE_INLINE);
	assert_int_equal(cfg->eal_arg_count, 5);
	assert_string_equal(cfg->eal_args[0], "--no-pci");
	assert_string_equal(cfg->eal_args[1], "--no-huge");
	/* acme's limits over the defaults */
	assert_int_equal(cfg->tenants[0].limits.max_calls, 2);
	assert_int_equal(cfg->tenants[0].limits.cps, 5);
	assert_int_equal(cfg->tenants[0].limits.burst, 10);
	assert_int_equal(cfg->tenants[0].limits.max_call_duration, 14400);
	assert_int_equal(cfg->refusals[CONFIG_REFUSAL_CALL_LIMIT].code, 503);
	assert_int_equal(
		cfg->refusals[CONFIG_REFUSAL_CALL_LIMIT].retry_after, 5);
	assert_int_equal(cfg->inside_network_count, 2);
	assert_prefix(&cfg->inside_networks[0], 4,
		      (const uint8_t[]){198, 18, 0, 0}, 24);
	assert_int_equal(cfg->tenant_count, 3);
	assert_string_equal(cfg->tenants[0].name, "acme");
	assert_prefix(&cfg->tenants[0].prefixes[0], 4,
		      (const uint8_t[]){198, 18, 10, 0}, 24);
	assert_string_equal(cfg->tenants[1].name, "globex");
	assert_int_equal(cfg->tenants[1].prefix_count, 2);
	assert_prefix(&cfg->tenants[1].prefixes[1], 6, v6_20, 48);
	assert_string_equal(cfg->tenants[2].name, "initech");
	assert_int_equal(cfg->tenants[2].domain_count, 1);
	assert_string_equal(cfg->tenants[2].domains[0], "initech.example");
	config_free(cfg);
}

static void test_full_file(void **state)
{
	struct config *cfg;
	const struct config_tenant *t;

	(void)state;
	cfg = config_load(DATA "full.yaml", err, sizeof(err));
	if (!cfg)
		fail_msg("%s", err);
	assert_string_equal(cfg->path, DATA "full.yaml");
	assert_int_equal(cfg->mode, CONFIG_MODE_HOST);
	assert_int_equal(cfg->eal_arg_count, 4);
	assert_string_equal(cfg->eal_args[2], "-l");
	assert_string_equal(cfg->eal_args[3], "0-1");
	assert_string_equal(cfg->outside.device, "0000:3b:00.0");
	assert_string_equal(cfg->inside.device,
			    "net_tap0,iface=sw0,mac=02:00:00:00:00:01");
	assert_int_equal(cfg->workers, 4);
	assert_int_equal(cfg->sip_port_count, 3);
	assert_int_equal(cfg->sip_ports[0], 5060);
	assert_int_equal(cfg->sip_ports[2], 65535);
	assert_int_equal(cfg->tls_port_count, 0);
	assert_int_equal(cfg->refusals[CONFIG_REFUSAL_UNKNOWN_SOURCE].action, CONFIG_ACTION_DROP);
	assert_int_equal(cfg->refusals[CONFIG_REFUSAL_UNKNOWN_SOURCE].code, 603);
	assert_int_equal(cfg->malformed_action, CONFIG_ACTION_FORWARD);
	assert_int_equal(cfg->inside_network_count, 0);
	assert_int_equal(cfg->tenant_count, 3);

	t = &cfg->tenants[0];
	assert_string_equal(t->name, "Acme_Corp.eu-1");
	assert_int_equal(t->line, 21);
	assert_int_equal(t->prefix_count, 3);
	assert_prefix(&t->prefixes[0], 4, (const uint8_t[]){198, 18, 10, 0},
		      24);
	assert_int_equal(t->prefixes[0].line, 23);
	/* Unquoted IPv6 works where it neither starts nor ends with ':'. */
	assert_prefix(&t->prefixes[1], 6,
		      (const uint8_t[16]){0x20, 0x01, 0x0d, 0xb8, 0, 0x10}, 48);
	/* A bare address is a host route. */
	assert_prefix(&t->prefixes[2], 4, (const uint8_t[]){203, 0, 113, 7},
		      32);
	assert_int_equal(t->domain_count, 2);
	assert_string_equal(t->domains[0], "acme.example");
	assert_string_equal(t->domains[1], "sip.acme.example");

	t = &cfg->tenants[1];
	assert_string_equal(t->name, "no"); /* not a boolean: a name */
	assert_int_equal(t->prefix_count, 0);
	assert_int_equal(t->domain_count, 1);

	/* Overlapping prefixes of different lengths are fine. */
	t = &cfg->tenants[2];
	assert_prefix(&t->prefixes[0], 4, (const uint8_t[]){198, 18, 10, 128},
		      25);
	assert_prefix(&t->prefixes[1], 6, (const uint8_t[16]){0}, 0);
	assert_int_equal(t->limits.max_calls, 30);
	assert_int_equal(t->limits.max_outbound, 10);
	assert_int_equal(t->limits.other_burst, 60);
	assert_int_equal(t->limits.unanswered_timeout, 60);
	assert_true(t->suspended);
	/* the others take the defaults, written after them in the file */
	assert_int_equal(cfg->tenants[0].limits.max_calls, 7);
	assert_int_equal(cfg->tenants[0].limits.max_call_duration, 7200);
	assert_int_equal(cfg->max_tenants, 64);
	assert_int_equal(cfg->call_capacity, 4096);
	assert_int_equal(cfg->reg_capacity, 512);
	assert_int_equal(cfg->emergency_count, 3);
	assert_string_equal(cfg->emergency[1], "+49 112");
	assert_string_equal(cfg->control.socket, "/tmp/sw.sock");
	assert_string_equal(cfg->control.group, "sipwarden");
	assert_false(cfg->metrics.prometheus);
	assert_string_equal(cfg->metrics.listen, "::1");
	assert_int_equal(cfg->metrics.port, 9100);
	config_free(cfg);
}

static void test_minimal_defaults(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = config_load(DATA "minimal.yaml", err, sizeof(err));
	if (!cfg)
		fail_msg("%s", err);
	assert_int_equal(cfg->mode, CONFIG_MODE_INLINE);
	assert_int_equal(cfg->eal_arg_count, 0);
	assert_null(cfg->eal_args);
	assert_string_equal(cfg->outside.device, "");
	assert_string_equal(cfg->inside.device, "");
	assert_int_equal(cfg->workers, 1);
	assert_int_equal(cfg->sip_port_count, 1);
	assert_int_equal(cfg->sip_ports[0], 5060);
	assert_int_equal(cfg->tls_port_count, 1);
	assert_int_equal(cfg->tls_ports[0], 5061);
	assert_int_equal(cfg->inside_network_count, 0);
	assert_int_equal(cfg->refusals[CONFIG_REFUSAL_UNKNOWN_SOURCE].action, CONFIG_ACTION_REPLY);
	assert_int_equal(cfg->refusals[CONFIG_REFUSAL_UNKNOWN_SOURCE].code, 403);
	assert_int_equal(cfg->malformed_action, CONFIG_ACTION_DROP);
	assert_int_equal(cfg->tenant_count, 1);
	assert_int_equal(cfg->tenants[0].prefix_count, 1);
	assert_int_equal(cfg->tenants[0].domain_count, 0);
	config_free(cfg);
}

/* One mistake each */


#define TWO_TENANTS(a_prefix, b_prefix)                                        \
	"tenants:\n"                                                           \
	"  - name: a\n"                                                        \
	"    prefixes: [" a_prefix "]\n"                                       \
	"  - name: b\n"                                                        \
	"    prefixes: [" b_prefix "]\n"

struct bad_case {
	const char *yaml, *pos, *msg;
};

static const struct bad_case bad_cases[] = {
	/* keys */
	{"wokers: 2\n" TENANT, "1:1",
	 "unknown key 'wokers' at top level (did you mean 'workers'?)"},
	{"sip:\n  port: [5060]\n" TENANT, "2:3",
	 "unknown key 'port' in 'sip' (did you mean 'ports'?)"},
	{"tenants:\n  - name: acme\n    prefixes: [10.0.0.0/8]\n"
	 "    max_cals: 5\n",
	 "4:5", "unknown key 'max_cals' in tenant 'acme'"},
	{"ports:\n  outside: {device: a, speed: 10}\n  inside: {device: "
	 "b}\n" TENANT,
	 "2:24", "unknown key 'speed' in 'ports.outside'"},
	{"workers: 1\nworkers: 2\n" TENANT, "2:1",
	 "duplicate key 'workers' at top level (first at line 1)"},
	{"[a]: 1\n" TENANT, "1:1",
	 "expected a key name at top level, got a list"},
	{"workers: 1\n", "1:1", "missing required key 'tenants' at top level"},
	{"ports:\n  outside: {device: x}\n" TENANT, "2:3",
	 "missing required key 'inside' in 'ports'"},
	{"tenants: [{prefixes: [10.0.0.0/8]}]\n", "1:11",
	 "missing required key 'name' in tenant #1"},
	/* types and ranges */
	{"- a\n- b\n", "1:1", "expected a mapping at top level, got a list"},
	{"sip: [5060]\n" TENANT, "1:6",
	 "expected a mapping for 'sip', got a list"},
	{"ports:\n" TENANT, "1:7",
	 "expected a mapping for 'ports', got nothing"},
	{"eal: {a: b}\n" TENANT, "1:6",
	 "expected a list of eal, got a mapping"},
	{"eal: [--no-pci, {a: b}]\n" TENANT, "1:17",
	 "expected a non-empty string, got a mapping"},
	{"workers: many\n" TENANT, "1:10",
	 "expected an integer between 1 and 64, got 'many'"},
	{"workers: -1\n" TENANT, "1:10", "between 1 and 64, got '-1'"},
	{"workers: 0\n" TENANT, "1:10", "between 1 and 64, got '0'"},
	{"workers: 65\n" TENANT, "1:10", "between 1 and 64, got '65'"},
	{"workers: 99999999999999999999999\n" TENANT, "1:10",
	 "got '99999999999999999999999'"},
	{"workers: \"4\"\n" TENANT, "1:10",
	 "got \"4\" (write numbers without quotes)"},
	{"workers: 010\n" TENANT, "1:10", "got '010'"},
	{"workers: 0x10\n" TENANT, "1:10", "got '0x10'"},
	{"workers: 1.5\n" TENANT, "1:10", "got '1.5'"},
	{"workers: [1]\n" TENANT, "1:10", "got a list"},
	{"mode: replay\n" TENANT, "1:7",
	 "expected inline or host, got 'replay'"},
	{"mode: Inline\n" TENANT, "1:7", "got 'Inline'"},
	{"actions: {unknown_source: block}\n" TENANT, "1:27",
	 "expected drop, forward or reply, got 'block'"},
	{"actions: {malformed: reply}\n" TENANT, "1:22",
	 "expected drop or forward, got 'reply'"},
	{"actions: {unknown_source_code: 399}\n" TENANT, "1:32",
	 "expected an integer between 400 and 699, got '399'"},
	{"sip: {ports: [0]}\n" TENANT, "1:15", "between 1 and 65535, got '0'"},
	{"sip: {ports: [65536]}\n" TENANT, "1:15", "got '65536'"},
	{"sip: {ports: []}\n" TENANT, "1:14",
	 "the list of ports has 0 entries; at least 1 required"},
	{"sip: {ports: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]}\n" TENANT,
	 "1:14", "the list of ports has 17 entries; at most 16 allowed"},
	{"sip: {ports: [5060, 5080, 5060]}\n" TENANT, "1:27",
	 "5060 is listed twice"},
	{"sip: {ports: [5060], tls_ports: [5061, 5060]}\n" TENANT, "1:40",
	 "port 5060 is in both 'sip.ports' and 'sip.tls_ports'"},
	{"sip: {ports: [5061]}\n" TENANT, "1:15",
	 "port 5061 is in both 'sip.ports' and 'sip.tls_ports'"},
	{"ports: {outside: {device: \"\"}, inside: {device: b}}\n" TENANT,
	 "1:27", "expected a non-empty string, got \"\""},
	{"ports: {outside: {device: x}, inside: {device: x}}\n" TENANT, "1:48",
	 "the inside and outside ports are the same device"},
	/* admission keys */
	{"defaults: {max_cals: 3}\n" TENANT, "1:12", "unknown key 'max_cals'"},
	{"defaults: {cps: -1}\n" TENANT, "1:17", "got '-1'"},
	{"defaults: {max_call_duration: 0}\n" TENANT, "1:31",
	 "between 1 and 2592000, got '0'"},
	{"actions: {call_limit_code: 200}\n" TENANT, "1:28",
	 "between 400 and 699, got '200'"},
	{"actions: {cps_limit: block}\n" TENANT, "1:22",
	 "expected drop, forward or reply, got 'block'"},
	{"actions: {user_limit_retry_after: 86401}\n" TENANT, "1:35",
	 "got '86401'"},
	{"calls: {capacity: 0}\n" TENANT, "1:19", "got '0'"},
	{"emergency: {numbers: [\"11a\"]}\n" TENANT, "1:23",
	 "bad emergency number \"11a\""},
	{"max_tenants: 0\n" TENANT, "1:14", "got '0'"},
	/* prefixes */
	{"inside_networks: [198.18.0.0/33]\n" TENANT, "1:19",
	 "bad prefix '198.18.0.0/33': an IPv4 length is 0 to 32"},
	{"inside_networks: [\"2001:db8::/129\"]\n" TENANT, "1:19",
	 "bad prefix \"2001:db8::/129\": an IPv6 length is 0 to 128"},
	{"inside_networks: [not-an-ip]\n" TENANT, "1:19",
	 "bad prefix 'not-an-ip': not an IPv4 or IPv6 address"},
	{"inside_networks: [10.0.0.0/x]\n" TENANT, "1:19",
	 "bad prefix '10.0.0.0/x': the length after '/' is not a number"},
	{"inside_networks: [10.0.0.0/]\n" TENANT, "1:19", "bad prefix"},
	{"inside_networks: [10.0.0.0/08]\n" TENANT, "1:19", "bad prefix"},
	{"inside_networks: [256.0.0.0/8]\n" TENANT, "1:19", "bad prefix"},
	{"inside_networks: [\"fe80::1%eth0\"]\n" TENANT, "1:19", "bad prefix"},
	{"inside_networks: [10.0.0.0/8, 10.0.0.0/8]\n" TENANT, "1:31",
	 "duplicate prefix 10.0.0.0/8 in 'inside_networks' (first at line 1)"},
	{"inside_networks: 10.0.0.0/8\n" TENANT, "1:18",
	 "expected a list of prefixes, got '10.0.0.0/8'"},
	{TWO_TENANTS("198.18.0.0/24", "198.18.1.1/24"), "5:16",
	 "host bits set in 198.18.1.1/24; did you mean 198.18.1.0/24?"},
	{TWO_TENANTS("10.0.0.0/8", "\"2001:db8::1/64\""), "5:16",
	 "host bits set in 2001:db8::1/64; did you mean 2001:db8::/64?"},
	{TWO_TENANTS("198.18.1.0/24", "198.18.1.0/24"), "5:16",
	 "prefix 198.18.1.0/24 of tenant 'b' is also claimed by tenant 'a' "
	 "(line 3)"},
	{TWO_TENANTS("\"2001:DB8::/32\"", "\"2001:db8:0::/32\""), "5:16",
	 "prefix 2001:db8::/32 of tenant 'b' is also claimed by tenant 'a'"},
	{TWO_TENANTS("10.0.0.0/8, 10.0.0.0/8", "11.0.0.0/8"), "3:28",
	 "duplicate prefix 10.0.0.0/8 in tenant 'a' (first at line 3)"},
	/* An unquoted IPv6 address ending in ':' is a one-key mapping. */
	{"tenants:\n  - name: a\n    prefixes:\n      - 2001:db8::\n", "4:9",
	 "got a mapping (an IPv6 address ending in ':' must be quoted)"},
	/* ... and one starting with ':' a syntax error. */
	{"tenants: [{name: a, prefixes: [::1]}]\n", "1:32",
	 "quote IPv6 addresses"},
	/* Columns count characters, not bytes. */
	{"tenants: [{name: \"\xc3\xa9\", prefixes: [::1]}]\n", "1:34",
	 "quote IPv6 addresses"},
	/* tenants */
	{"tenants: []\n", "1:10",
	 "the list of tenants has 0 entries; at least 1 required"},
	{"tenants: [acme]\n", "1:11",
	 "expected a mapping for tenant #1, got 'acme'"},
	{"tenants:\n  - name: acme\n    prefixes: [10.0.0.0/8]\n"
	 "  - name: acme\n    prefixes: [11.0.0.0/8]\n",
	 "4:11", "duplicate tenant 'acme' (first defined at line 2)"},
	{"tenants: [{name: 'ac me', prefixes: [10.0.0.0/8]}]\n", "1:18",
	 "bad tenant name \"ac me\": use letters, digits, '_', '.' and '-'"},
	{"tenants: [{name: "
	 "a123456789012345678901234567890123456789012345678901234567890123,"
	 " prefixes: [10.0.0.0/8]}]\n",
	 "1:18", "longer than 63 characters"},
	{"tenants: [{name: a}]\n", "1:11",
	 "tenant 'a' has no prefixes and no domains"},
	{"tenants: [{name: a, prefixes: [], domains: []}]\n", "1:11",
	 "tenant 'a' has no prefixes and no domains"},
	/* domains */
	{"tenants:\n  - name: a\n    domains: [acme.example]\n"
	 "  - name: b\n    domains: [ACME.Example]\n",
	 "5:15",
	 "domain 'acme.example' of tenant 'b' is also claimed by tenant 'a' "
	 "(line 3)"},
	{"tenants: [{name: a, domains: [a.example, A.example]}]\n", "1:42",
	 "duplicate domain 'a.example' in tenant 'a' (first at line 1)"},
	{"tenants: [{name: a, domains: [-bad.example]}]\n", "1:31",
	 "bad domain '-bad.example': a label starts with '-'"},
	{"tenants: [{name: a, domains: [bad-.example]}]\n", "1:31",
	 "a label ends with '-'"},
	{"tenants: [{name: a, domains: [a..example]}]\n", "1:31",
	 "an empty label"},
	{"tenants: [{name: a, domains: [example.]}]\n", "1:31",
	 "an empty label"},
	{"tenants: [{name: a, domains: [a_b.example]}]\n", "1:31",
	 "only letters, digits, '-' and '.' are allowed"},
	{"tenants: [{name: a, domains: ['*.acme.example']}]\n", "1:31",
	 "only letters, digits"},
	{"tenants: [{name: a, domains: [192.0.2.1]}]\n", "1:31",
	 "an address is not a domain; put it in prefixes"},
	/* metrics */
	{"metrics: {port: 0}\n" TENANT, "1:17",
	 "expected an integer between 1 and 65535, got '0'"},
	{"metrics: {port: 65536}\n" TENANT, "1:17", "got '65536'"},
	{"metrics: {listen: localhost}\n" TENANT, "1:19",
	 "bad listen address 'localhost': not an IPv4 or IPv6 address"},
	{"metrics: {listen: \"10.0.0.0/8\"}\n" TENANT, "1:19",
	 "bad listen address \"10.0.0.0/8\""},
	/* events */
	{"events: {output: syslog}\n" TENANT, "1:18",
	 "expected none, stdout or file, got 'syslog'"},
	{"events: {output: file}\n" TENANT, "1:18",
	 "events.output is 'file' but events.file is not set"},
	{"events: {file: /tmp/e.jsonl}\n" TENANT, "1:16",
	 "events.file is set but events.output is not 'file'"},
	{"events: {limit_interval: 0}\n" TENANT, "1:26",
	 "expected an integer between 1 and 3600, got '0'"},
	{"events: {history: 100001}\n" TENANT, "1:19", "got '100001'"},
	{"events: {follow: true}\n" TENANT, "1:10", "unknown key 'follow'"},
	/* YAML itself */
	{"workers: 1\n  sip: x\n" TENANT, "2:6",
	 "mapping values are not allowed in this context"},
	{"sip:\n\tports: [5060]\n" TENANT, "2:1",
	 "found character that cannot start any token"},
	{"tenants: [{name: a, prefixes: [10.0.0.0/8]}\n", "2:1",
	 "did not find expected ',' or ']'"},
	{"workers: &w 2\n" TENANT, "1:10", "anchors (&w) are not supported"},
	{"tenants:\n  - &t {name: a, prefixes: [10.0.0.0/8]}\n  - *t\n", "2:5",
	 "anchors (&t) are not supported"},
	{"tenants: [*t]\n", "1:11", "aliases (*t) are not supported"},
	{"workers: !!int 2\n" TENANT, "1:10",
	 "tags (tag:yaml.org,2002:int) are not supported"},
	{TENANT "---\n" TENANT, "2:1", "a second YAML document"},
	{"", "1:1", "the configuration is empty"},
	{"# nothing here\n\n", "1:1", "the configuration is empty"},
	{"---\n", "1:1", "the configuration is empty"},
};

static void test_bad_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		expect_error(bad_cases[i].yaml, bad_cases[i].pos,
			     bad_cases[i].msg);
}

static void test_metrics_keys(void **state)
{
	struct config *cfg = load(TENANT);

	(void)state;
	assert_non_null(cfg);
	assert_true(cfg->metrics.prometheus);
	assert_string_equal(cfg->metrics.listen, "127.0.0.1");
	assert_int_equal(cfg->metrics.port, 9478);
	config_free(cfg);
	cfg = load("metrics: {prometheus: false, listen: \"::\", port: 1}\n"
		   TENANT);
	if (!cfg)
		fail_msg("%s", err);
	assert_false(cfg->metrics.prometheus);
	assert_string_equal(cfg->metrics.listen, "::");
	assert_int_equal(cfg->metrics.port, 1);
	config_free(cfg);
}

static void test_events_keys(void **state)
{
	struct config *cfg = load(TENANT);

	(void)state;
	assert_non_null(cfg);
	assert_int_equal(cfg->events.output, CONFIG_EVENTS_NONE);
	assert_string_equal(cfg->events.file, "");
	assert_int_equal(cfg->events.limit_interval, 1);
	assert_int_equal(cfg->events.history, 1000);
	config_free(cfg);
	cfg = load("events: {output: file, file: /var/log/sw.jsonl, "
		   "limit_interval: 60, history: 5}\n" TENANT);
	if (!cfg)
		fail_msg("%s", err);
	assert_int_equal(cfg->events.output, CONFIG_EVENTS_FILE);
	assert_string_equal(cfg->events.file, "/var/log/sw.jsonl");
	assert_int_equal(cfg->events.limit_interval, 60);
	assert_int_equal(cfg->events.history, 5);
	config_free(cfg);
	cfg = load("events: {output: stdout}\n" TENANT);
	assert_non_null(cfg);
	assert_int_equal(cfg->events.output, CONFIG_EVENTS_STDOUT);
	config_free(cfg);
}

static void test_state_keys(void **state)
{
	struct config *cfg = load(TENANT);

	(void)state;
	assert_non_null(cfg);
	assert_string_equal(cfg->state.file, ""); /* no persistence */
	assert_int_equal(cfg->state.interval, 10);
	config_free(cfg);
	cfg = load("state: {file: /var/lib/sipwarden/state, interval: 60}\n"
		   TENANT);
	if (!cfg)
		fail_msg("%s", err);
	assert_string_equal(cfg->state.file, "/var/lib/sipwarden/state");
	assert_int_equal(cfg->state.interval, 60);
	config_free(cfg);
	expect_error("state: {file: /x, interval: 0}\n" TENANT, "1:29",
		     "expected an integer between 1 and 86400");
	expect_error("state: {file: /x, every: 5}\n" TENANT, "1:19",
		     "unknown key 'every' in 'state'");
}

/* Many errors */

static void test_all_errors_reported(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = config_load(DATA "bad_many.yaml", err, sizeof(err));
	assert_null(cfg);
	/* Every line is FILE:LINE:COL, in the order of the file. */
	const char *want[] = {
		":3:1: unknown key 'colour' at top level",
		":4:10: expected an integer between 1 and 64, got 'many'",
		":6:19: expected drop, forward or reply, got 'maybe'",
		":7:34: bad prefix '198.18.0.0/33'",
		":11:5: unknown key 'max_cals' in tenant 'acme'",
		":13:16: host bits set in 198.18.1.1/24",
		":14:11: duplicate tenant 'acme' (first defined at line 9)",
		":15:16: prefix 198.18.10.0/24 of tenant 'acme' is also "
		"claimed by tenant 'acme' (line 10)",
		":16:5: missing required key 'name' in tenant #4",
	};
	const char *line = err;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *nl = strchr(line, '\n');

		assert_non_null(nl);
		if (strncmp(line, DATA "bad_many.yaml", strlen(DATA) + 13) ||
		    !strstr(line, want[i]) || strstr(line, want[i]) > nl)
			fail_msg("line %zu: wanted ...%s...\ngot:\n%s", i + 1,
				 want[i], err);
		line = nl + 1;
	}
	assert_int_equal(error_lines(), sizeof(want) / sizeof(want[0]));
}

static void test_small_error_buffer(void **state)
{
	const char *text = "a: 1\nb: 2\nc: 3\n" TENANT;
	char small[80];
	struct config *cfg;

	(void)state;
	/* Room for one line and the count of the rest. */
	memset(small, 'x', sizeof(small));
	cfg = config_load_string("t.yaml", text, strlen(text), small, 80);
	assert_null(cfg);
	assert_string_equal(small, "t.yaml:1:1: unknown key 'a' at top level\n"
				   "t.yaml: 2 more errors\n");
	/* Too small for even one line: a cut line, still terminated. */
	cfg = config_load_string("t.yaml", text, strlen(text), small, 12);
	assert_null(cfg);
	assert_string_equal(small, "t.yaml:1:1:");
	cfg = config_load_string("t.yaml", text, strlen(text), NULL, 0);
	assert_null(cfg);
}

/* Files */

static void test_empty_file(void **state)
{
	(void)state;
	assert_null(config_load(DATA "empty.yaml", err, sizeof(err)));
	assert_string_equal(err, DATA "empty.yaml:1:1: the configuration is "
				      "empty\n");
}

static void test_missing_file(void **state)
{
	(void)state;
	assert_null(config_load(DATA "no-such.yaml", err, sizeof(err)));
	assert_string_equal(err, DATA "no-such.yaml: cannot read: No such "
				      "file or directory\n");
	assert_null(config_load(DATA, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot read: Is a directory"));
}

static void test_syntax_error_file(void **state)
{
	(void)state;
	assert_null(config_load(DATA "syntax.yaml", err, sizeof(err)));
	assert_string_equal(
		err, DATA
		"syntax.yaml:5:3: did not find expected '-' "
		"indicator (while parsing a block collection at line 3)\n");
}

/*
 * Scale: 100,000 tenants, each with an IPv4 and an IPv6 prefix and a domain
 * (10 MB of YAML). On the 2-core dev host, debugoptimized, the load took
 * about 0.37 s (./build-config/test/unit/test_config prints it); under
 * ASan+UBSan about 1.1 s.
 */
static void test_100k_tenants(void **state)
{
	const unsigned int n = 100000;
	size_t cap = (size_t)n * 120 + 64, len = 0;
	char *text = malloc(cap);
	struct timespec t0, t1;
	struct config *cfg;
	double secs;

	(void)state;
	assert_non_null(text);
	len += snprintf(text + len, cap - len, "tenants:\n");
	for (unsigned int i = 0; i < n; i++)
		len += snprintf(text + len, cap - len,
				"  - name: t%u\n"
				"    prefixes: [%u.%u.%u.0/24, "
				"\"2001:db8:%x:%x::/64\"]\n"
				"    domains: [t%u.example]\n",
				i, 10 + (i >> 16), (i >> 8) & 0xff, i & 0xff,
				i >> 16, i & 0xffff, i);
	assert_true(len < cap);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cfg = config_load_string("big.yaml", text, len, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!cfg)
		fail_msg("%s", err);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("[   INFO   ] %u tenants (%zu bytes) loaded in %.3f s\n",
		      n, len, secs);
	assert_int_equal(cfg->tenant_count, n);
	assert_string_equal(cfg->tenants[n - 1].name, "t99999");
	assert_int_equal(cfg->tenants[n - 1].prefix_count, 2);
	assert_string_equal(cfg->tenants[n - 1].domains[0], "t99999.example");
	config_free(cfg);

	/* The same, but the last tenant repeats a prefix. */
	len += snprintf(text + len, cap - len,
			"  - name: last\n    prefixes: [10.0.1.0/24]\n");
	assert_null(
		config_load_string("big.yaml", text, len, err, sizeof(err)));
	assert_string_equal(err, "big.yaml:300003:16: prefix 10.0.1.0/24 of "
				 "tenant 'last' is also claimed by tenant "
				 "'t1' (line 6)\n");
	free(text);
}

/* The smaller API */

static void test_parse_prefix(void **state)
{
	struct config_prefix p;
	char buf[CONFIG_PREFIX_STR_MAX];

	(void)state;
	assert_true(config_parse_prefix("198.18.0.0/15", &p));
	assert_prefix(&p, 4, (const uint8_t[]){198, 18, 0, 0}, 15);
	assert_string_equal(config_prefix_format(&p, buf, sizeof(buf)),
			    "198.18.0.0/15");
	assert_true(config_parse_prefix("192.0.2.1", &p));
	assert_int_equal(p.depth, 32);
	assert_true(config_parse_prefix("0.0.0.0/0", &p));
	assert_int_equal(p.depth, 0);
	assert_true(config_parse_prefix("2001:db8:20::/48", &p));
	assert_prefix(&p, 6, v6_20, 48);
	assert_string_equal(config_prefix_format(&p, buf, sizeof(buf)),
			    "2001:db8:20::/48");
	assert_true(config_parse_prefix("::1", &p));
	assert_int_equal(p.depth, 128);
	assert_true(config_parse_prefix("2001:db8::8000:0/113", &p));

	assert_false(config_parse_prefix("198.18.1.1/24", &p)); /* host bits */
	assert_false(config_parse_prefix("2001:db8::8000:0/96", &p));
	assert_false(config_parse_prefix("198.18.0.0/33", &p));
	assert_false(config_parse_prefix("::/129", &p));
	assert_false(config_parse_prefix("", &p));
	assert_false(config_parse_prefix("/8", &p));
	assert_false(config_parse_prefix("10.0.0.0/-1", &p));
	assert_false(config_parse_prefix("10.0.0.0/8/8", &p));
	assert_false(config_parse_prefix("10.0.0/8", &p));
	assert_false(config_parse_prefix("1.2.3.4.5", &p));
	assert_false(config_parse_prefix(" 10.0.0.0/8", &p));
	assert_false(config_parse_prefix("2001:db8:::/48", &p));
}

static void test_action_names(void **state)
{
	(void)state;
	assert_string_equal(config_action_name(CONFIG_ACTION_DROP), "drop");
	assert_string_equal(config_action_name(CONFIG_ACTION_FORWARD),
			    "forward");
	assert_string_equal(config_action_name(CONFIG_ACTION_REPLY), "reply");
	assert_string_equal(config_action_name((enum config_action)42), "?");
}

/* The schema walker's boolean, which no config key uses yet. */
struct flags {
	bool on;
};

static const struct yschema_field flag_fields[] = {
	YSCHEMA_BOOL_FIELD("on", struct flags, on),
	YSCHEMA_END,
};

static bool walk_flags(const char *text, struct flags *out)
{
	struct ydoc_check c;
	struct ydoc *doc;
	bool ok;

	ydoc_check_init(&c, "f.yaml", NULL);
	doc = ydoc_parse(text, strlen(text), &c);
	assert_non_null(doc);
	yschema_walk_map(&c, ydoc_root(doc), flag_fields, out, "");
	ydoc_check_report(&c, err, sizeof(err));
	ok = ydoc_error_count(&c) == 0;
	ydoc_free(doc);
	ydoc_check_fini(&c);
	return ok;
}

static void test_schema_bool(void **state)
{
	struct flags f = {false};

	(void)state;
	assert_true(walk_flags("on: true\n", &f));
	assert_true(f.on);
	assert_true(walk_flags("on: false\n", &f));
	assert_false(f.on);
	/* YAML 1.1 booleans are not booleans here. */
	assert_false(walk_flags("on: yes\n", &f));
	assert_string_equal(err, "f.yaml:1:5: expected true or false, got "
				 "'yes'\n");
	assert_false(walk_flags("on: \"true\"\n", &f));
	assert_false(walk_flags("on: True\n", &f));
	assert_false(f.on);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_loads),
		cmocka_unit_test(test_limits_inherit_defaults),
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_bad_cases),
		cmocka_unit_test(test_metrics_keys),
		cmocka_unit_test(test_events_keys),
		cmocka_unit_test(test_state_keys),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_small_error_buffer),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_syntax_error_file),
		cmocka_unit_test(test_100k_tenants),
		cmocka_unit_test(test_parse_prefix),
		cmocka_unit_test(test_action_names),
		cmocka_unit_test(test_schema_bool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
