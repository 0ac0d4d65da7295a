# shellcheck shell=bash disable=SC2034
# A limit raised at runtime applies to the next call. acme may hold 2
# calls (max_calls: 2); 4 long overlapping calls: 2 answered, 2 refused
# 503 (call_limit). With the first 2 still up, `sipwardenctl tenant set
# acme max_calls=4`; 2 more calls are both answered (4 active at once).
# uac_admit_or_refuse.xml logs each call's outcome.
E2E_DESC="max_calls 2 raised to 4 by sipwardenctl mid-run"
LIMIT=2
RAISED=4

scenario_config() {
	e2e_config_base
	cat <<CFG
inside_networks: [198.18.12.0/24, "2001:db8:12::/64"]
actions: { unknown_source: reply, malformed: drop }
tenants:
  - name: acme
    prefixes: [198.18.10.0/24, "2001:db8:10::/64"]
    limits: { max_calls: $LIMIT }
CFG
}

# sipwardenctl on the daemon's socket (a file in the work directory)
ctl() {
	"$(dirname "$SIPWARDEN")/../control/sipwardenctl" \
		-s "$E2E_WORK/ctl.sock" --timeout 5 "$@"
}

# one of acme's counters (dotted path), live, from sipwardenctl
acme_live() { # PATH
	ctl --json stats --tenant acme 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d.get("tenants", {}).get("acme", d)
for k in sys.argv[1].split("."):
    d = d.get(k, "none") if isinstance(d, dict) else "none"
print(d)' "$1" 2>/dev/null || echo none
}

# wait (bounded, 5 s) until acme's live PATH is VALUE
wait_acme() { # PATH VALUE
	local i v
	for ((i = 0; i < 50; i++)); do
		v=$(acme_live "$1")
		[ "$v" = "$2" ] && { e2e_log "ok: live acme.$1 == $2"; return 0; }
		sleep 0.1
	done
	e2e_expect_eq "live acme.$1" "$2" "$v"
	return 1
}

# sipp NAME: CALLS calls at 20 cps from acme to the SBC, held HOLD ms
# when answered, from local port PORT (two UACs run at once)
uac() { # NAME CALLS HOLD PORT
	e2e_sipp "$1" "$NS_CLI" \
		-sf "$E2E_DIR/scenarios/uac_admit_or_refuse.xml" -p "$4" \
		-i "$CLI4" -m "$2" -r 20 -l "$2" -d "$3" \
		-trace_logs -log_file "$1.log" "$(e2e_hostport "$SRV4")"
}

uac_done() { # NAME
	e2e_wait "$1" $((SWE2E_SIPP_TIMEOUT + 20)) || e2e_stop "$1"
	e2e_sipp_report "$1"
}

scenario_run() {
	local out
	# the SBC answers 2 calls before the change and 2 after
	e2e_sipp uas "$NS_SRV" -sn uas -i "$SRV4" -m $((LIMIT + 2))
	e2e_wait_listening uas "$NS_SRV"
	uac first 4 6000 5060
	wait_acme calls_active "$LIMIT"
	wait_acme verdicts.call_limit 4 # 2 INVITEs and their ACKs
	out=$(ctl tenant set acme "max_calls=$RAISED" 2>&1)
	e2e_expect_eq "sipwardenctl tenant set acme max_calls=$RAISED (status)" 0 "$?"
	e2e_log "tenant set: $out"
	e2e_expect_eq "max_calls after the change" "max_calls: $RAISED" \
		"$(ctl limits acme 2>&1 | grep '^max_calls:')"
	uac second 2 2000 5062
	wait_acme calls_active "$RAISED"
	e2e_alive first && FIRST_UP=yes
	uac_done second
	uac_done first
	e2e_wait uas 10 || e2e_stop uas
	e2e_sipp_report uas
}

outcome() { # NAME PATTERN
	grep -c "$2" "$E2E_WORK/$1.log" 2>/dev/null
}

scenario_check() {
	e2e_expect_sipp first 4 0
	e2e_expect_sipp second 2 0
	e2e_expect_eq "first calls still up at 4 active" yes "${FIRST_UP:-no}"
	e2e_expect_eq "first: answered" "$LIMIT" "$(outcome first '^.*answered')"
	e2e_expect_eq "first: 503 call_limit" 2 \
		"$(outcome first 'refused 503: call_limit, Retry-After 5')"
	e2e_expect_eq "second (after the change): answered" 2 \
		"$(outcome second '^.*answered')"
	e2e_expect_sipp uas 4 0
	e2e_expect_eq "calls the SBC saw" 4 "$(e2e_sipp_stat uas 'IncomingCall(C)')"

	e2e_expect_stat tenants.acme.messages.INVITE 6
	e2e_expect_stat tenants.acme.verdicts.call_limit 4
	e2e_expect_stat totals.replies 2
	e2e_expect_stat totals.absorbed_acks 2
	e2e_expect_stat tenants.acme.verdicts.forwarded $((6 * 4))
	e2e_expect_stat tenants.acme.calls_active 0
}
