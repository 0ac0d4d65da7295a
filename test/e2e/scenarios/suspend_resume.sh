# shellcheck shell=bash disable=SC2034
# A tenant suspended and resumed through sipwardenctl in the middle of a
# run. acme places 50 calls at 10 calls/s, each held 1 s (about 10 up at
# any time), with uac_admit_or_refuse.xml; globex places 20 calls at
# 5 calls/s meanwhile. Once 10 of acme's INVITEs have passed, `tenant
# suspend acme`: new calls are refused by sipwarden with the configured
# code (suspended_code: 503, suspended_retry_after: 60, not the default
# 403), while the calls in progress go on and end normally: their BYEs
# pass and acme's live calls_active comes back to 0 while it is still
# suspended. Then `tenant resume acme`: the rest of the calls are answered
# again. In call order (the order sipp sent the INVITEs in, which is the
# order sipwarden saw them in) the outcomes are answered..., refused...,
# answered...; globex, never suspended, completes all of its calls.
E2E_DESC="acme suspended mid-run (503 suspended, calls up end normally), then resumed"
CALLS=50
HOLD_MS=1000
GLOBEX_CALLS=20
SUSPEND_AFTER=10 # acme INVITEs seen before the suspension
E2E_ACTIONS_EXTRA="suspended_code: 503, suspended_retry_after: 60"

# "true"/"false": acme's suspension as `sipwardenctl tenant show` says
suspended() {
	e2e_ctl --json tenant show acme 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d.get("tenant", d)
print(str(d.get("suspended", "none")).lower())' 2>/dev/null || echo none
}

scenario_run() {
	local out
	# no -m: how many calls the SBC gets is what is measured
	e2e_sipp uas "$NS_SRV" -sn uas -i "$SRV4"
	e2e_wait_listening uas "$NS_SRV"
	e2e_sipp uac "$NS_ACME" -sf "$E2E_DIR/scenarios/uac_admit_or_refuse.xml" \
		-i "$ACME4" -m "$CALLS" -r 10 -l 30 -d "$HOLD_MS" -trace_logs \
		-log_file uac.log "$(e2e_hostport "$SRV4")"
	e2e_sipp globex "$NS_GLOBEX" -sn uac -i "$GLOBEX4" -m "$GLOBEX_CALLS" \
		-r 5 -l 20 -d 200 "$(e2e_hostport "$SRV4")"

	e2e_wait_acme messages.INVITE -ge "$SUSPEND_AFTER" 15
	out=$(e2e_ctl tenant suspend acme 2>&1)
	e2e_expect_eq "sipwardenctl tenant suspend acme (status)" 0 "$?"
	e2e_log "tenant suspend acme: $out"
	# admitted before the suspension and still up: this can only fall
	read -r ACTIVE_AT_SUSPEND BYES_AT_SUSPEND <<<"$(e2e_tenant_live acme \
		calls_active messages.BYE)"
	SUSPENDED_SHOWN=$(suspended)
	e2e_log "suspended with $ACTIVE_AT_SUSPEND calls up, $BYES_AT_SUSPEND BYEs so far"
	# the calls in progress end while acme is suspended, and refusals
	# have been seen
	e2e_wait_acme calls_active 0 && DRAINED=yes
	BYES_DRAINED=$(e2e_acme_live messages.BYE)
	e2e_wait_acme verdicts.suspended -ge 2 5
	out=$(e2e_ctl tenant resume acme 2>&1)
	e2e_expect_eq "sipwardenctl tenant resume acme (status)" 0 "$?"
	e2e_log "tenant resume acme: $out"
	RESUMED_SHOWN=$(suspended)

	e2e_finish uac
	e2e_finish globex
	# the last BYE was answered before the UACs ended
	e2e_stop uas
}

scenario_check() {
	local answered refused order before
	answered=$(e2e_logged uac 'answered')
	refused=$(e2e_logged uac 'refused 503: suspended, Retry-After 60 ')
	# each outcome in call order ("call N ..."), runs collapsed
	order=$(sort -k2,2n "$E2E_WORK/uac.log" 2>/dev/null |
		grep -o 'answered\|refused' | uniq | paste -sd ' ')
	# the calls answered before the first one refused
	before=$(sort -k2,2n "$E2E_WORK/uac.log" 2>/dev/null |
		awk '/refused/ { exit } /answered/ { n++ } END { print n + 0 }')
	e2e_log "acme: $answered answered ($before before the suspension)," \
		"$refused refused; in call order: $order"
	e2e_expect_sipp uac "$CALLS" 0
	e2e_expect_sipp globex "$GLOBEX_CALLS" 0
	e2e_expect_eq "answered + refused 503 suspended Retry-After 60 (uac.log)" \
		"$CALLS" "$((answered + refused))"
	e2e_expect_eq "outcomes in call order" "answered refused answered" "$order"
	e2e_expect_ge "acme calls up when suspended" 1 "${ACTIVE_AT_SUSPEND:-none}"
	e2e_expect_eq "tenant show while suspended" true "$SUSPENDED_SHOWN"
	e2e_expect_eq "calls up at the suspension ended while suspended" yes \
		"${DRAINED:-no}"
	# by then every call answered before the suspension had ended: its
	# BYE passed (a BYE's 200 ends the call, so the BYEs of the calls
	# just ending may already count in BYES_AT_SUSPEND)
	e2e_expect_ge "BYEs passed while suspended" 1 \
		"$((${BYES_DRAINED:-0} - ${BYES_AT_SUSPEND:-0}))"
	e2e_expect_ge "BYEs when acme's calls were all down" "$before" \
		"${BYES_DRAINED:-none}"
	e2e_expect_eq "tenant show after the resume" false "$RESUMED_SHOWN"
	e2e_expect_eq "calls the SBC saw (uas.msg)" $((answered + GLOBEX_CALLS)) \
		"$(e2e_msgs uas 'INVITE ')"
	e2e_expect_eq "calls the SBC ended (uas.msg)" $((answered + GLOBEX_CALLS)) \
		"$(e2e_msgs uas 'BYE ')"

	e2e_expect_stat tenants.acme.messages.INVITE "$CALLS"
	# the refused INVITEs and the ACKs to their 503s
	e2e_expect_stat tenants.acme.verdicts.suspended $((2 * refused))
	# INVITE, 180, 200, ACK, BYE, 200 of each admitted call
	e2e_expect_stat tenants.acme.verdicts.forwarded $((6 * answered))
	e2e_expect_stat tenants.acme.calls_active 0
	e2e_expect_stat totals.replies "$refused"
	e2e_expect_stat totals.absorbed_acks "$refused"
	e2e_expect_stat tenants.globex.messages.INVITE "$GLOBEX_CALLS"
	e2e_expect_stat tenants.globex.verdicts.suspended 0
	e2e_expect_stat tenants.globex.verdicts.forwarded $((6 * GLOBEX_CALLS))
	e2e_expect_stat tenants.globex.calls_active 0
}
