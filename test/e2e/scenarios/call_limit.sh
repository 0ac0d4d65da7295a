# shellcheck shell=bash disable=SC2034
# acme may hold 10 calls (max_calls: 10). sipp places 20 long calls (3 s)
# at 20 calls/s, so all 20 overlap: exactly 10 are answered by the SBC and
# 10 refused by sipwarden itself with 503 (Reason call_limit, Retry-After),
# whose ACKs it absorbs. sipp's own numbers and sipwarden's agree, and
# every slot is returned when the calls end.
E2E_DESC="max_calls 10, 20 overlapping calls: 10 through, 10 refused 503"
CALLS=20
LIMIT=10

scenario_config() { e2e_config_default "max_calls: $LIMIT"; }

scenario_run() {
	e2e_sipp uas "$NS_SRV" -sn uas -i "$SRV4" -m "$LIMIT"
	e2e_wait_listening uas "$NS_SRV"
	e2e_sipp uac "$NS_ACME" -sf "$E2E_DIR/scenarios/uac_call_limit.xml" \
		-i "$ACME4" -m "$CALLS" -r 20 -l "$CALLS" -trace_logs \
		-log_file uac.log "$(e2e_hostport "$SRV4")"
	e2e_finish uac
	e2e_wait uas 10 || e2e_stop uas
	e2e_sipp_report uas
}

scenario_check() {
	local refused=$((CALLS - LIMIT))
	e2e_expect_sipp uac "$CALLS" 0
	e2e_expect_sipp uas "$LIMIT" 0
	e2e_expect_eq "calls the SBC saw" "$LIMIT" \
		"$(e2e_sipp_stat uas 'IncomingCall(C)')"
	e2e_expect_eq "calls answered (uac.log)" "$LIMIT" \
		"$(e2e_logged uac '^.*answered')"
	e2e_expect_eq "503s naming call_limit with Retry-After (uac.log)" \
		"$refused" \
		"$(e2e_logged uac 'refused: call_limit, Retry-After 5')"
	e2e_expect_stat tenants.acme.messages.INVITE "$CALLS"
	e2e_expect_stat totals.replies "$refused"
	e2e_expect_stat totals.absorbed_acks "$refused"
	# the refused INVITEs and the ACKs to their 503s
	e2e_expect_stat tenants.acme.verdicts.call_limit $((2 * refused))
	# INVITE, 180, 200, ACK, BYE, 200 of each admitted call
	e2e_expect_stat tenants.acme.verdicts.forwarded $((6 * LIMIT))
	e2e_expect_stat tenants.acme.calls_active 0
	e2e_expect_stat tables.calls_active 0
	e2e_expect_stat tables.counter_underflows 0
}
