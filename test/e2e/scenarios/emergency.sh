# shellcheck shell=bash disable=SC2034
# Emergency calls pass whatever the limits or a suspension. acme may hold
# 2 calls (max_calls: 2); two long calls (6 s) hold both slots. While they
# last, a third normal call is refused 503 (call_limit) and a call to 112
# is admitted and completes. Then `sipwardenctl tenant suspend acme`: a
# normal call is refused 403 (suspended), a call to 112 still completes.
# uac_admit_or_refuse.xml logs each call's outcome.
E2E_DESC="max_calls 2 reached, then suspended: normal calls refused, 112 admitted"
LIMIT=2
HOLD_MS=6000

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

# one of acme's counters, live, from `sipwardenctl --json stats`
acme_live() { # KEY
	ctl --json stats --tenant acme 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d.get("tenants", {}).get("acme", d)
print(d.get(sys.argv[1], "none"))' "$1" 2>/dev/null || echo none
}

# wait (bounded, 5 s) until acme's live KEY is VALUE
wait_acme() { # KEY VALUE
	local i v
	for ((i = 0; i < 50; i++)); do
		v=$(acme_live "$1")
		[ "$v" = "$2" ] && { e2e_log "live acme.$1 == $2"; return 0; }
		sleep 0.1
	done
	e2e_expect_eq "live acme.$1" "$2" "$v"
	return 1
}

# sipp NAME: CALLS calls from acme to the SBC, held HOLD ms when answered,
# from local port PORT (two UACs run at once), more sipp args after
uac() { # NAME CALLS HOLD PORT [SIPP-ARGS...]
	local name=$1 calls=$2 hold=$3 port=$4
	shift 4
	e2e_sipp "$name" "$NS_CLI" \
		-sf "$E2E_DIR/scenarios/uac_admit_or_refuse.xml" -p "$port" \
		-i "$CLI4" -m "$calls" -r 10 -l 10 -d "$hold" \
		-trace_logs -log_file "$name.log" "$@" "$(e2e_hostport "$SRV4")"
}

uac_done() { # NAME
	e2e_wait "$1" $((SWE2E_SIPP_TIMEOUT + 20)) || e2e_stop "$1"
	e2e_sipp_report "$1"
}

scenario_run() {
	[ -x "$(dirname "$SIPWARDEN")/../control/sipwardenctl" ] ||
		e2e_fail "no sipwardenctl next to $SIPWARDEN"
	[ -S "$E2E_WORK/ctl.sock" ] || e2e_fail "no control socket $E2E_WORK/ctl.sock"
	# the SBC answers the 2 long calls and the 2 emergency calls
	e2e_sipp uas "$NS_SRV" -sn uas -i "$SRV4" -m 4
	e2e_wait_listening uas "$NS_SRV"
	uac hold "$LIMIT" "$HOLD_MS" 5060
	wait_acme calls_active "$LIMIT"
	# at the limit: a normal call is refused, 112 goes through
	uac over 1 200 5062
	uac_done over
	uac sos1 1 200 5062 -s 112
	e2e_wait sos1 $((SWE2E_SIPP_TIMEOUT + 20)) || e2e_stop sos1
	e2e_alive hold && HELD_DURING_SOS1=yes
	e2e_sipp_report sos1
	e2e_log "live acme: $(ctl --json stats --tenant acme 2>&1 | head -c 600)"
	out=$(ctl tenant suspend acme 2>&1)
	e2e_expect_eq "sipwardenctl tenant suspend acme (status)" 0 "$?"
	e2e_log "tenant suspend acme: $out"
	uac susp 1 200 5062
	uac_done susp
	uac sos2 1 200 5062 -s 112
	uac_done sos2
	uac_done hold
	e2e_wait uas 10 || e2e_stop uas
	e2e_sipp_report uas
	e2e_log "live acme at the end: $(ctl --json stats --tenant acme 2>&1 | head -c 600)"
}

outcome() { # NAME PATTERN
	grep -c "$2" "$E2E_WORK/$1.log" 2>/dev/null
}

scenario_check() {
	local n
	for n in hold over sos1 susp sos2; do
		e2e_expect_sipp "$n" "$([ "$n" = hold ] && echo "$LIMIT" || echo 1)" 0
	done
	e2e_expect_eq "long calls still up while 112 was called" yes \
		"${HELD_DURING_SOS1:-no}"
	e2e_expect_eq "long calls answered" "$LIMIT" "$(outcome hold '^.*answered')"
	e2e_expect_eq "normal call at the limit: 503 call_limit" 1 \
		"$(outcome over 'refused 503: call_limit, Retry-After 5')"
	e2e_expect_eq "112 at the limit answered" 1 "$(outcome sos1 answered)"
	e2e_expect_eq "normal call while suspended: 403 suspended" 1 \
		"$(outcome susp 'refused 403: suspended ')"
	e2e_expect_eq "112 while suspended answered" 1 "$(outcome sos2 answered)"
	e2e_expect_sipp uas 4 0
	e2e_expect_eq "calls the SBC saw" 4 "$(e2e_sipp_stat uas 'IncomingCall(C)')"

	e2e_expect_stat tenants.acme.messages.INVITE 6
	e2e_expect_stat tenants.acme.verdicts.emergency 2
	# the refused INVITE and the ACK to its reply
	e2e_expect_stat tenants.acme.verdicts.call_limit 2
	e2e_expect_stat tenants.acme.verdicts.suspended 2
	e2e_expect_stat totals.replies 2
	e2e_expect_stat totals.absorbed_acks 2
	# 6 messages per long call; the emergency calls' INVITEs are counted
	# as emergency, their 5 other messages forwarded
	e2e_expect_stat tenants.acme.verdicts.forwarded $((6 * LIMIT + 2 * 5))
	e2e_expect_stat tenants.acme.calls_active 0
	e2e_expect_stat tenants.acme.emergency_calls_active 0
}
