/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipwardenctl: the command line for the daemon's control socket
 * (docs/CONTROL.md, "sipwardenctl").
 *
 * Each subcommand is one row of `subcmds`: its words, its arguments and the
 * protocol command it sends; usage and help are generated from the row.
 * Arguments are checked before connecting. Output is generic: a result
 * object prints as `key: value` lines (nested objects as dotted keys), an
 * array of objects as an aligned table, so a new daemon command needs no
 * change here. Exit codes: 0 ok, 1 the daemon refused, 2 usage error,
 * 3 cannot connect, timeout or protocol error.
 */
#include <errno.h>
#include <stdarg.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ctl_client.h"
#include "ctl_output.h"
#include "ctl_server.h"
#include "json.h"

#define DEFAULT_TIMEOUT_MS 10000
#define MAX_LIST_ARGS 64 /* --prefix and --domain, each */

/* What a subcommand takes besides the global options. */
enum {
	OPT_TENANT = 1 << 0,	 /* [--tenant T] -> "tenant" */
	OPT_TENANT_REQ = 1 << 1, /* --tenant T -> "tenant" */
	OPT_PREFIX = 1 << 2,	 /* --prefix P... -> "prefixes": [...] */
	OPT_DOMAIN = 1 << 3,	 /* --domain D... -> "domains": [...] */
	OPT_FOLLOW = 1 << 4,	 /* -f -> "follow": true, then keep reading */
	LIMITS_OPT = 1 << 5,	 /* [LIMIT=VALUE...] -> "limits": {...} */
	LIMITS_REQ = 1 << 6,	 /* LIMIT=VALUE... (at least one) */
	NEED_ADDRESS = 1 << 7,	 /* at least one --prefix or --domain */
	RAW = 1 << 8,		 /* raw CMD [ARGS-JSON] */
	AS_LINES = 1 << 9, /* people's output: the `show` array's items, one
			      JSON line each (as -f prints what follows) */
};

struct subcmd {
	const char *words;	/* what the user types */
	const char *cmd;	/* the protocol command */
	const char *cmd_limits; /* sent instead when limits are given */
	const char *pos[2];	/* positional arguments: their JSON keys */
	unsigned int flags;
	const char *show; /* human output: only this member of the result */
	const char *summary;
};

static const struct subcmd subcmds[] = {
	{"status", "status", .summary = "the daemon's state"},
	{"tenant list", "tenant.list", .summary = "list the tenants"},
	{"tenant show", "tenant.show", .pos = {"name"},
	 .summary = "one tenant: prefixes, domains, limits, state"},
	{"tenant add", "tenant.add", .pos = {"name"},
	 .flags = OPT_PREFIX | OPT_DOMAIN | LIMITS_OPT | NEED_ADDRESS,
	 .summary = "add a tenant (at least one --prefix or --domain)"},
	{"tenant set", "tenant.set", .pos = {"name"}, .flags = LIMITS_REQ,
	 .summary = "change some of a tenant's limits"},
	{"tenant del", "tenant.del", .pos = {"name"},
	 .summary = "remove a tenant"},
	{"tenant suspend", "tenant.suspend", .pos = {"name"},
	 .summary = "refuse the tenant's new calls, registrations and "
		    "requests"},
	{"tenant resume", "tenant.resume", .pos = {"name"},
	 .summary = "end a suspension"},
	{"limits", "tenant.show", "tenant.set", .pos = {"name"},
	 .flags = LIMITS_OPT, .show = "limits",
	 .summary = "show a tenant's limits, or set those given"},
	{"prefix list", "prefix.list", .pos = {"list"},
	 .summary = "the entries of a list (emergency)"},
	{"prefix add", "prefix.add", .pos = {"list", "value"},
	 .summary = "add an entry to a list"},
	{"prefix del", "prefix.del", .pos = {"list", "value"},
	 .summary = "remove an entry from a list"},
	{"calls", "calls.list", .flags = OPT_TENANT,
	 .summary = "calls in progress"},
	{"regs", "regs.list", .flags = OPT_TENANT,
	 .summary = "live registrations"},
	{"stats", "stats", .flags = OPT_TENANT, .summary = "counters"},
	{"stats reset", "stats.reset", .flags = OPT_TENANT_REQ,
	 .summary = "zero a tenant's counters"},
	{"reload", "reload", .summary = "reload the configuration file"},
	{"events", "events", .flags = OPT_FOLLOW | AS_LINES, .show = "events",
	 .summary = "recent events; -f: then follow new ones"},
	{"help", "help", .summary = "the commands the daemon knows"},
	{"raw", NULL, .flags = RAW,
	 .summary = "send any command: raw CMD [ARGS], ARGS a JSON object"},
};
#define SUBCMD_COUNT (sizeof(subcmds) / sizeof(subcmds[0]))

/* The per-tenant limits are the configuration's (control/config.c); the
 * daemon checks their ranges. */
#define LIMIT_COUNT CONFIG_LIMIT_MAX

struct opts {
	const char *socket;
	bool json;
	int timeout_ms;
	/* the subcommand's arguments */
	const struct subcmd *sc;
	const char *pos[2];
	size_t npos;
	const char *tenant;
	const char *prefixes[MAX_LIST_ARGS], *domains[MAX_LIST_ARGS];
	size_t nprefixes, ndomains;
	bool follow;
	size_t limit_idx[LIMIT_COUNT];
	uint64_t limit_val[LIMIT_COUNT];
	size_t nlimits;
	const char *raw_cmd;
	struct json_doc *raw_args;
};

/* Usage and help */

static void print_usage_line(FILE *f, const struct subcmd *sc)
{
	fprintf(f, "%s [OPTIONS] %s", PROG, sc->words);
	for (size_t i = 0; i < 2 && sc->pos[i]; i++) {
		fputc(' ', f);
		for (const char *p = sc->pos[i]; *p; p++)
			fputc(*p - 'a' + 'A', f);
	}
	if (sc->flags & RAW)
		fputs(" CMD [ARGS]", f);
	if (sc->flags & OPT_PREFIX)
		fputs(" [--prefix P]...", f);
	if (sc->flags & OPT_DOMAIN)
		fputs(" [--domain D]...", f);
	if (sc->flags & OPT_TENANT)
		fputs(" [--tenant T]", f);
	if (sc->flags & OPT_TENANT_REQ)
		fputs(" --tenant T", f);
	if (sc->flags & OPT_FOLLOW)
		fputs(" [-f]", f);
	if (sc->flags & LIMITS_OPT)
		fputs(" [LIMIT=VALUE]...", f);
	if (sc->flags & LIMITS_REQ)
		fputs(" LIMIT=VALUE...", f);
	fputc('\n', f);
}

static void print_limit_names(FILE *f)
{
	fputs("limits:", f);
	for (size_t i = 0; config_limit_name(i) != NULL; i++)
		fprintf(f, "%s %s", i ? "," : "", config_limit_name(i));
	fputs("\n  (non-negative integers; 0 = no limit; see "
	      "docs/CONFIG.md)\n",
	      f);
}

static void subcmd_help(const struct subcmd *sc)
{
	fputs("usage: ", stdout);
	print_usage_line(stdout, sc);
	printf("\n%s.\n", sc->summary);
	if (sc->cmd_limits)
		printf("Sends '%s', or '%s' when limits are given.\n", sc->cmd,
		       sc->cmd_limits);
	else if (sc->cmd)
		printf("Sends '%s'.\n", sc->cmd);
	if (sc->flags & (OPT_PREFIX | OPT_DOMAIN))
		puts("  --prefix P   a source prefix (a.b.c.d/n, x:y::/n); "
		     "repeat for more\n"
		     "  --domain D   a domain; repeat for more");
	if (sc->flags & (OPT_TENANT | OPT_TENANT_REQ))
		puts("  --tenant T   only this tenant");
	if (sc->flags & OPT_FOLLOW)
		puts("  -f, --follow keep printing events as they come, until "
		     "interrupted");
	if (sc->flags & (LIMITS_OPT | LIMITS_REQ))
		print_limit_names(stdout);
	puts("Global options (-s, --json, --timeout): see " PROG " --help.");
}

static void top_help(FILE *f, const char *group)
{
	fprintf(f,
		"usage: %s [-s SOCKET] [--json] [--timeout SEC] COMMAND "
		"[ARGS...]\n\n",
		PROG);
	fputs("commands:\n", f);
	for (size_t i = 0; i < SUBCMD_COUNT; i++) {
		size_t glen = group ? strlen(group) : 0;

		if (group && (strncmp(subcmds[i].words, group, glen) != 0 ||
			      subcmds[i].words[glen] != ' '))
			continue;
		fprintf(f, "  %-16s %s\n", subcmds[i].words,
			subcmds[i].summary);
	}
	fprintf(f,
		"\noptions (before or after the command):\n"
		"  -s, --socket PATH  the control socket (default: "
		"$SIPWARDEN_CTL, "
		"else %s)\n"
		"  -j, --json         print the result as one JSON line\n"
		"  -t, --timeout SEC  give up after SEC seconds (default %d)\n"
		"  -h, --help         this text (COMMAND --help: that "
		"command's)\n"
		"\nexit status: 0 ok, 1 the daemon refused, 2 usage error, "
		"3 cannot connect, timeout or protocol error\n",
		CTL_DEFAULT_PATH, DEFAULT_TIMEOUT_MS / 1000);
}

static int usage_error(const struct subcmd *sc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const struct subcmd *sc, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (sc) {
		fputs("usage: ", stderr);
		print_usage_line(stderr, sc);
		fprintf(stderr, "(%s %s --help for more)\n", PROG, sc->words);
	} else {
		fprintf(stderr, "(%s --help for more)\n", PROG);
	}
	return EXIT_USAGE;
}

/* Arguments */

static int parse_limit(struct opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t nlen = (size_t)(eq - arg), idx = LIMIT_COUNT;
	uint64_t v = 0;
	const char *p;

	for (size_t i = 0; config_limit_name(i) != NULL; i++)
		if (strlen(config_limit_name(i)) == nlen &&
		    strncmp(config_limit_name(i), arg, nlen) == 0)
			idx = i;
	if (idx == LIMIT_COUNT) {
		usage_error(o->sc, "unknown limit in '%s'", arg);
		print_limit_names(stderr);
		return EXIT_USAGE;
	}
	for (p = eq + 1; *p >= '0' && *p <= '9' && v <= UINT32_MAX; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	if (p == eq + 1 || *p || v > UINT32_MAX)
		return usage_error(o->sc,
				   "'%s': the value must be an integer from 0 "
				   "to 4294967295",
				   arg);
	for (size_t i = 0; i < o->nlimits; i++)
		if (o->limit_idx[i] == idx)
			return usage_error(o->sc, "limit given twice: '%s'",
					   arg);
	o->limit_idx[o->nlimits] = idx;
	o->limit_val[o->nlimits++] = v;
	return EXIT_OK;
}

/* The value of option `name` (long) or `shrt` at argv[*i]: "--name V",
 * "--name=V", "-s V". NULL if argv[*i] is not that option; "" and *bad
 * when the value is missing. */
static const char *option_value(int argc, char **argv, int *i, const char *name,
				char shrt, bool *bad)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (a[0] == '-' && a[1] == '-' && strncmp(a + 2, name, n) == 0) {
		if (a[2 + n] == '=')
			return a + 3 + n;
		if (a[2 + n] != '\0')
			return NULL;
	} else if (!(shrt && a[0] == '-' && a[1] == shrt && a[2] == '\0')) {
		return NULL;
	}
	if (*i + 1 >= argc) {
		*bad = true;
		return "";
	}
	return argv[++*i];
}

static int add_to_list(struct opts *o, const char **list, size_t *n,
		       const char *v, const char *what)
{
	if (*n == MAX_LIST_ARGS)
		return usage_error(o->sc, "too many %s options", what);
	list[(*n)++] = v;
	return EXIT_OK;
}

/*
 * One option at argv[*i]: the global ones, and the subcommand's when sc is
 * set. EXIT_OK, EXIT_USAGE, or -1 when argv[*i] is not a known option.
 */
static int parse_option(struct opts *o, int argc, char **argv, int *i)
{
	unsigned int fl = o->sc ? o->sc->flags : 0;
	const char *a = argv[*i], *v;
	bool bad = false;

	if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
		o->json = true;
		return EXIT_OK;
	}
	if ((fl & OPT_FOLLOW) && (!strcmp(a, "-f") || !strcmp(a, "--follow"))) {
		o->follow = true;
		return EXIT_OK;
	}
	if ((v = option_value(argc, argv, i, "socket", 's', &bad))) {
		o->socket = v;
	} else if ((v = option_value(argc, argv, i, "timeout", 't', &bad))) {
		char *end;
		double sec = strtod(v, &end);

		if (!bad && (end == v || *end || !(sec > 0 && sec <= 86400)))
			return usage_error(o->sc,
					   "--timeout '%s': expected seconds, "
					   "more than 0",
					   v);
		o->timeout_ms = (int)(sec * 1000 + 0.5);
		if (o->timeout_ms < 1)
			o->timeout_ms = 1;
	} else if ((fl & (OPT_TENANT | OPT_TENANT_REQ)) &&
		   (v = option_value(argc, argv, i, "tenant", 0, &bad))) {
		if (o->tenant && !bad)
			return usage_error(o->sc, "--tenant given twice");
		o->tenant = v;
	} else if ((fl & OPT_PREFIX) &&
		   (v = option_value(argc, argv, i, "prefix", 0, &bad))) {
		if (!bad &&
		    add_to_list(o, o->prefixes, &o->nprefixes, v, "--prefix"))
			return EXIT_USAGE;
	} else if ((fl & OPT_DOMAIN) &&
		   (v = option_value(argc, argv, i, "domain", 0, &bad))) {
		if (!bad &&
		    add_to_list(o, o->domains, &o->ndomains, v, "--domain"))
			return EXIT_USAGE;
	} else {
		return -1;
	}
	if (bad || !*v)
		return usage_error(o->sc, "option '%s' needs a value", a);
	return EXIT_OK;
}

static bool is_help(const char *a)
{
	return !strcmp(a, "-h") || !strcmp(a, "--help");
}

/* The subcommand whose words start args (the longest match); *used words. */
static const struct subcmd *match_subcmd(int argc, char **argv, int *used)
{
	const struct subcmd *best = NULL;
	int best_words = 0;

	for (size_t i = 0; i < SUBCMD_COUNT; i++) {
		const char *w = subcmds[i].words;
		int k = 0;

		while (*w && k < argc) {
			size_t n = strcspn(w, " ");

			if (strlen(argv[k]) != n || strncmp(argv[k], w, n))
				break;
			w += n + (w[n] == ' ');
			k++;
		}
		if (!*w && k > best_words) {
			best = &subcmds[i];
			best_words = k;
		}
	}
	*used = best_words;
	return best;
}

/* Whether `word` is the first word of some subcommands (a group). */
static bool is_group(const char *word)
{
	size_t n = strlen(word);

	for (size_t i = 0; i < SUBCMD_COUNT; i++)
		if (!strncmp(subcmds[i].words, word, n) &&
		    subcmds[i].words[n] == ' ')
			return true;
	return false;
}

static int raw_args(struct opts *o, const char *a)
{
	char err[256];

	o->raw_args = json_parse(a, strlen(a), NULL, err, sizeof(err));
	if (!o->raw_args)
		return usage_error(o->sc, "ARGS is not valid JSON: %s", err);
	if (json_root(o->raw_args)->type != JSON_OBJECT)
		return usage_error(o->sc, "ARGS must be a JSON object");
	return EXIT_OK;
}

/* A non-option argument: NAME and the like, LIMIT=VALUE, raw's CMD ARGS. */
static int positional(struct opts *o, const char *a)
{
	unsigned int fl = o->sc->flags;

	if ((fl & RAW) && !o->raw_cmd) {
		o->raw_cmd = a;
		return EXIT_OK;
	}
	if ((fl & RAW) && !o->raw_args)
		return raw_args(o, a);
	if (o->npos < 2 && o->sc->pos[o->npos]) {
		o->pos[o->npos++] = a;
		return EXIT_OK;
	}
	if ((fl & (LIMITS_OPT | LIMITS_REQ)) && strchr(a, '='))
		return parse_limit(o, a);
	return usage_error(o->sc, "unexpected argument '%s'", a);
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	bool only_pos = false;
	size_t npos_want;
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		int rc;

		if (only_pos || a[0] != '-' || !a[1]) {
			if (positional(o, a))
				return EXIT_USAGE;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = true;
			continue;
		}
		rc = parse_option(o, argc, argv, &i);
		if (rc < 0)
			return usage_error(o->sc, "unknown option '%s'", a);
		if (rc)
			return rc;
	}
	npos_want = (o->sc->pos[0] != NULL) + (o->sc->pos[1] != NULL);
	if (o->npos < npos_want)
		return usage_error(o->sc, "missing %s", o->sc->pos[o->npos]);
	if ((o->sc->flags & RAW) && !o->raw_cmd)
		return usage_error(o->sc, "missing CMD");
	if ((o->sc->flags & LIMITS_REQ) && !o->nlimits)
		return usage_error(o->sc, "give at least one LIMIT=VALUE");
	if ((o->sc->flags & OPT_TENANT_REQ) && !o->tenant)
		return usage_error(o->sc, "--tenant is required");
	if ((o->sc->flags & NEED_ADDRESS) && !o->nprefixes && !o->ndomains)
		return usage_error(o->sc,
				   "give at least one --prefix or --domain");
	return EXIT_OK;
}

/* Request */

static void write_strings(struct json_writer *w, const char *key,
			  const char *const *list, size_t n)
{
	if (!n)
		return;
	json_writer_key(w, key);
	json_writer_begin_array(w);
	for (size_t i = 0; i < n; i++)
		json_writer_string(w, list[i]);
	json_writer_end_array(w);
}

static void build_request(const struct opts *o, struct json_writer *w)
{
	const struct subcmd *sc = o->sc;

	json_writer_begin_object(w);
	json_writer_key(w, "cmd");
	json_writer_string(w, o->raw_cmd		     ? o->raw_cmd
			      : o->nlimits && sc->cmd_limits ? sc->cmd_limits
							     : sc->cmd);
	json_writer_key(w, "args");
	if (o->raw_args) {
		json_writer_value(w, json_root(o->raw_args));
	} else {
		json_writer_begin_object(w);
		for (size_t i = 0; i < o->npos; i++) {
			json_writer_key(w, sc->pos[i]);
			json_writer_string(w, o->pos[i]);
		}
		if (o->tenant) {
			json_writer_key(w, "tenant");
			json_writer_string(w, o->tenant);
		}
		write_strings(w, "prefixes", o->prefixes, o->nprefixes);
		write_strings(w, "domains", o->domains, o->ndomains);
		if (o->nlimits) {
			json_writer_key(w, "limits");
			json_writer_begin_object(w);
			for (size_t i = 0; i < o->nlimits; i++) {
				json_writer_key(
					w, config_limit_name(o->limit_idx[i]));
				json_writer_uint(w, o->limit_val[i]);
			}
			json_writer_end_object(w);
		}
		if (o->follow) {
			json_writer_key(w, "follow");
			json_writer_bool(w, true);
		}
		json_writer_end_object(w);
	}
	json_writer_key(w, "id");
	json_writer_int(w, 1);
	json_writer_end_object(w);
}

static int protocol_error(const char *what)
{
	fprintf(stderr, "%s: protocol error: %s\n", PROG, what);
	return EXIT_FAILED;
}

/* Check and print one response line. */
static int print_response(const struct opts *o, const char *line, size_t len)
{
	const struct json_limits limits = {
		.max_size = CTL_MAX_RESPONSE + 4096,
		.max_depth = JSON_DEPTH_MAX,
		.max_values = CTL_MAX_RESPONSE,
	};
	const struct json_value *root, *ok, *result, *id, *shown;
	char err[256];
	struct json_doc *doc = json_parse(line, len, &limits, err, sizeof(err));
	int rc = EXIT_OK;

	if (!doc) {
		fprintf(stderr, "%s: protocol error: bad response: %s\n", PROG,
			err);
		return EXIT_FAILED;
	}
	root = json_root(doc);
	ok = json_get(root, "ok");
	id = json_get(root, "id");
	result = json_get(root, "result");
	if (!ok || ok->type != JSON_BOOL)
		rc = protocol_error("a response without \"ok\"");
	else if (id && (id->type != JSON_INT || id->u.integer != 1))
		rc = protocol_error("a response to another request");
	else if (!ok->u.boolean) {
		const char *msg =
			json_get_string(root, "error", "(no error message)");

		/* several lines (a reload's config errors) stay lines */
		fprintf(stderr, "%s: ", PROG);
		for (const char *nl; (nl = strchr(msg, '\n')); msg = nl + 1) {
			put_safe(stderr, msg, (size_t)(nl - msg));
			fputc('\n', stderr);
		}
		if (*msg) {
			put_safe(stderr, msg, strlen(msg));
			fputc('\n', stderr);
		}
		rc = EXIT_REFUSED;
	} else if (result && result->type != JSON_OBJECT) {
		rc = protocol_error("\"result\" is not an object");
	} else if (o->json) {
		static const struct json_value empty = {.type = JSON_OBJECT};

		put_compact(stdout, result ? result : &empty);
		fputc('\n', stdout);
	} else if (result) {
		shown = o->sc->show ? json_get(result, o->sc->show) : NULL;
		if ((o->sc->flags & AS_LINES) && shown &&
		    shown->type == JSON_ARRAY) {
			for (size_t k = 0; k < shown->len; k++) {
				put_compact(stdout, &shown->u.items[k]);
				fputc('\n', stdout);
			}
		} else {
			print_human(shown && shown->type == JSON_OBJECT
					    ? shown
					    : result);
		}
	}
	json_free(doc);
	return rc;
}

static int run(struct opts *o)
{
	struct conn c = {.fd = -1, .path = o->socket};
	int64_t deadline = ctl_now_ms() + o->timeout_ms;
	struct json_writer req;
	char *line;
	size_t len;
	int rc;

	json_writer_init(&req, 0);
	build_request(o, &req);
	if (!json_writer_complete(&req)) {
		fprintf(stderr, "%s: cannot build the request: %s\n", PROG,
			json_writer_error_name(req.error));
		json_writer_free(&req);
		return EXIT_FAILED;
	}
	rc = conn_open(&c, deadline, o->timeout_ms);
	if (!rc) {
		req.buf[req.len] = '\n'; /* over the NUL the writer keeps */
		rc = conn_send(&c, req.buf, req.len + 1, deadline,
			       o->timeout_ms);
	}
	if (!rc)
		rc = conn_line(&c, deadline, o->timeout_ms, &line, &len);
	if (!rc && !line)
		rc = protocol_error("the daemon closed the connection without "
				    "answering");
	if (!rc)
		rc = print_response(o, line, len);
	/* -f: every further line is an event, printed as it comes */
	while (!rc && o->follow) {
		fflush(stdout);
		rc = conn_line(&c, -1, o->timeout_ms, &line, &len);
		if (rc || !line)
			break;
		put_safe(stdout, line, len);
		fputc('\n', stdout);
	}
	if (c.fd >= 0)
		close(c.fd);
	free(c.buf);
	json_writer_free(&req);
	if (fflush(stdout) != 0 && !rc) {
		fprintf(stderr, "%s: cannot write the output: %s\n", PROG,
			strerror(errno));
		rc = EXIT_FAILED;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = {.timeout_ms = DEFAULT_TIMEOUT_MS};
	int i, used, rc;

	o.socket = getenv("SIPWARDEN_CTL");
	if (!o.socket || !*o.socket)
		o.socket = CTL_DEFAULT_PATH;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (is_help(argv[i])) {
			top_help(stdout, NULL);
			return EXIT_OK;
		}
		rc = parse_option(&o, argc, argv, &i);
		if (rc < 0)
			return usage_error(NULL, "unknown option '%s'",
					   argv[i]);
		if (rc)
			return rc;
	}
	if (i == argc)
		return usage_error(NULL, "no command given");
	o.sc = match_subcmd(argc - i, argv + i, &used);
	if (!o.sc && is_group(argv[i])) {
		/* "tenant", "tenant --help": the group's commands */
		if (i + 1 < argc && is_help(argv[i + 1])) {
			top_help(stdout, argv[i]);
			return EXIT_OK;
		}
		if (i + 1 == argc) {
			fprintf(stderr, "%s: '%s' needs a subcommand\n", PROG,
				argv[i]);
			top_help(stderr, argv[i]);
			return EXIT_USAGE;
		}
		return usage_error(NULL, "unknown command '%s %s'", argv[i],
				   argv[i + 1]);
	}
	if (!o.sc)
		return usage_error(NULL, "unknown command '%s'", argv[i]);
	for (int k = i + used; k < argc; k++) {
		if (!strcmp(argv[k], "--"))
			break;
		if (is_help(argv[k])) {
			subcmd_help(o.sc);
			return EXIT_OK;
		}
	}
	rc = parse_args(&o, argc - i - used, argv + i + used);
	if (!rc)
		rc = run(&o);
	json_free(o.raw_args);
	return rc;
}
