# shellcheck shell=bash disable=SC2034
# A limit raised at runtime applies to the next call. acme may hold 2
# calls (max_calls: 2); 4 long overlapping calls: 2 answered, 2 refused
# 503 (call_limit). With the first 2 still up, `sipwardenctl tenant set
# acme max_calls=4`; 2 more calls are both answered (4 active at once).
# uac_admit_or_refuse.xml logs each call's outcome.
E2E_DESC="max_calls 2 raised to 4 by sipwardenctl mid-run"
LIMIT=2
RAISED=4

scenario_config() { e2e_config_default "max_calls: $LIMIT"; }

scenario_run() {
	local out
	# the SBC answers 2 calls before the change and 2 after
	e2e_sipp uas "$NS_SRV" -sn uas -i "$SRV4" -m $((LIMIT + 2))
	e2e_wait_listening uas "$NS_SRV"
	e2e_uac_admit first 4 6000 5060
	e2e_wait_acme calls_active "$LIMIT"
	e2e_wait_acme verdicts.call_limit 4 # 2 INVITEs and their ACKs
	out=$(e2e_ctl tenant set acme "max_calls=$RAISED" 2>&1)
	e2e_expect_eq "sipwardenctl tenant set acme max_calls=$RAISED (status)" 0 "$?"
	e2e_log "tenant set: $out"
	e2e_expect_eq "max_calls after the change" "max_calls: $RAISED" \
		"$(e2e_ctl limits acme 2>&1 | grep '^max_calls:')"
	e2e_uac_admit second 2 2000 5062
	e2e_wait_acme calls_active "$RAISED"
	e2e_alive first && FIRST_UP=yes
	e2e_finish second
	e2e_finish first
	e2e_wait uas 10 || e2e_stop uas
	e2e_sipp_report uas
}

scenario_check() {
	e2e_expect_sipp first 4 0
	e2e_expect_sipp second 2 0
	e2e_expect_eq "first calls still up at 4 active" yes "${FIRST_UP:-no}"
	e2e_expect_eq "first: answered" "$LIMIT" "$(e2e_logged first '^.*answered')"
	e2e_expect_eq "first: 503 call_limit" 2 \
		"$(e2e_logged first 'refused 503: call_limit, Retry-After 5')"
	e2e_expect_eq "second (after the change): answered" 2 \
		"$(e2e_logged second '^.*answered')"
	e2e_expect_sipp uas 4 0
	e2e_expect_eq "calls the SBC saw" 4 "$(e2e_sipp_stat uas 'IncomingCall(C)')"

	e2e_expect_stat tenants.acme.messages.INVITE 6
	e2e_expect_stat tenants.acme.verdicts.call_limit 4
	e2e_expect_stat totals.replies 2
	e2e_expect_stat totals.absorbed_acks 2
	e2e_expect_stat tenants.acme.verdicts.forwarded $((6 * 4))
	e2e_expect_stat tenants.acme.calls_active 0
}
