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

scenario_config() { e2e_config_default "max_calls: $LIMIT"; }

scenario_run() {
	[ -x "$(dirname "$SIPWARDEN")/../control/sipwardenctl" ] ||
		e2e_fail "no sipwardenctl next to $SIPWARDEN"
	[ -S "$E2E_WORK/ctl.sock" ] || e2e_fail "no control socket $E2E_WORK/ctl.sock"
	# the SBC answers the 2 long calls and the 2 emergency calls
	e2e_sipp uas "$NS_SRV" -sn uas -i "$SRV4" -m 4
	e2e_wait_listening uas "$NS_SRV"
	e2e_uac_admit hold "$LIMIT" "$HOLD_MS" 5060
	e2e_wait_acme calls_active "$LIMIT"
	# at the limit: a normal call is refused, 112 goes through
	e2e_uac_admit over 1 200 5062
	e2e_finish over
	e2e_uac_admit sos1 1 200 5062 -s 112
	e2e_finish sos1
	e2e_alive hold && HELD_DURING_SOS1=yes
	e2e_log "live acme: $(e2e_ctl --json stats --tenant acme 2>&1 | head -c 600)"
	out=$(e2e_ctl tenant suspend acme 2>&1)
	e2e_expect_eq "sipwardenctl tenant suspend acme (status)" 0 "$?"
	e2e_log "tenant suspend acme: $out"
	e2e_uac_admit susp 1 200 5062
	e2e_finish susp
	e2e_uac_admit sos2 1 200 5062 -s 112
	e2e_finish sos2
	e2e_finish hold
	e2e_wait uas 10 || e2e_stop uas
	e2e_sipp_report uas
	e2e_log "live acme at the end: $(e2e_ctl --json stats --tenant acme 2>&1 | head -c 600)"
}

scenario_check() {
	local n
	for n in hold over sos1 susp sos2; do
		e2e_expect_sipp "$n" "$([ "$n" = hold ] && echo "$LIMIT" || echo 1)" 0
	done
	e2e_expect_eq "long calls still up while 112 was called" yes \
		"${HELD_DURING_SOS1:-no}"
	e2e_expect_eq "long calls answered" "$LIMIT" "$(e2e_logged hold '^.*answered')"
	e2e_expect_eq "normal call at the limit: 503 call_limit" 1 \
		"$(e2e_logged over 'refused 503: call_limit, Retry-After 5')"
	e2e_expect_eq "112 at the limit answered" 1 "$(e2e_logged sos1 answered)"
	e2e_expect_eq "normal call while suspended: 403 suspended" 1 \
		"$(e2e_logged susp 'refused 403: suspended ')"
	e2e_expect_eq "112 while suspended answered" 1 "$(e2e_logged sos2 answered)"
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
