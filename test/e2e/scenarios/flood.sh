# shellcheck shell=bash disable=SC2034
# One tenant's flood does not hurt another. acme (cps: 5, burst: 5), from
# its own namespace, sends 400 INVITEs at 200 calls/s for 2 s, far over
# its limit, while a second tenant, globex (cps: 10), places 20 calls at
# 5 calls/s from its namespace (a host of its own on the same bridge,
# 198.18.13.2). globex must get at least 99.9% of its calls through,
# i.e. all 20; acme gets at most 5 + 5 x T + 2 (T: seconds from its first
# INVITE to its last, see cps_limit.sh), the rest refused 503 cps_limit;
# the counters of the two tenants agree with sipp.
E2E_DESC="acme floods 400 INVITEs at 200 cps over cps 5; globex's 20 calls all pass"
FLOOD=400
CALLS=20

scenario_config() { e2e_config_default "cps: 5, burst: 5" "cps: 10"; }

scenario_run() {
	e2e_sipp uas "$NS_SRV" -sn uas -i "$SRV4"
	e2e_wait_listening uas "$NS_SRV"
	e2e_sipp flood "$NS_ACME" -sf "$E2E_DIR/scenarios/uac_admit_or_refuse.xml" \
		-i "$ACME4" -m "$FLOOD" -r 200 -l "$FLOOD" -d 200 -trace_logs \
		-log_file flood.log "$(e2e_hostport "$SRV4")"
	e2e_sipp globex "$NS_GLOBEX" -sn uac -i "$GLOBEX4" -m "$CALLS" \
		-r 5 -l 20 -d 200 "$(e2e_hostport "$SRV4")"
	e2e_finish flood
	e2e_finish globex
	e2e_stop uas
}

scenario_check() {
	local answered refused span most
	answered=$(e2e_logged flood 'answered')
	refused=$(e2e_logged flood 'refused 503: cps_limit, Retry-After 1 ')
	span=$(e2e_invite_span flood)
	e2e_expect_sipp globex "$CALLS" 0
	e2e_expect_sipp flood "$FLOOD" 0
	e2e_expect_eq "acme answered + refused 503 cps_limit (flood.log)" \
		"$FLOOD" "$((answered + refused))"
	most=$(awk -v s="$span" 'BEGIN { printf "%d\n", 5 + 5 * s + 2 }')
	e2e_log "acme: $answered answered, $refused refused, INVITEs over $span s (at most $most)"
	if [ "$answered" -le "$most" ] 2>/dev/null; then
		e2e_expect_eq "acme admitted at most $most" yes yes
	else
		e2e_expect_eq "acme admitted at most $most" "$most" "$answered"
	fi
	e2e_expect_eq "calls the SBC saw (uas.msg)" $((answered + CALLS)) \
		"$(e2e_msgs uas 'INVITE ')"

	e2e_expect_stat tenants.globex.messages.INVITE "$CALLS"
	e2e_expect_stat tenants.globex.verdicts.cps_limit 0
	e2e_expect_stat tenants.globex.verdicts.forwarded $((6 * CALLS))
	e2e_expect_stat tenants.globex.calls_active 0
	e2e_expect_stat tenants.acme.messages.INVITE "$FLOOD"
	e2e_expect_stat tenants.acme.verdicts.cps_limit $((2 * refused))
	e2e_expect_stat tenants.acme.verdicts.forwarded $((6 * answered))
	e2e_expect_stat tenants.acme.calls_active 0
	e2e_expect_stat totals.replies "$refused"
	e2e_expect_stat totals.absorbed_acks "$refused"
	e2e_expect_stat totals.replies_suppressed 0
}
