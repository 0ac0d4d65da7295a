# shellcheck shell=bash disable=SC2034
# A flood from the attacker does not make sipwarden an amplifier nor hurt
# a tenant. sipwarden answers at most 50 refusals a second (reply_rate:
# 50, reply_burst: 10). The attacker (ns atk, a source no tenant claims)
# sends 600 INVITEs at 300 calls/s for 2 s, each once (-nr), with
# uac_flood.xml, while acme places 20 calls at 10 calls/s from its own
# namespace. Every INVITE of the attacker is refused (unknown_source);
# 10 + 50 x T (T: seconds from its first INVITE to its last, about 2;
# within +-3) get their 403, whose ACKs are absorbed, and the rest get
# nothing (replies_suppressed); acme's calls all complete (>= 99.9%).
E2E_DESC="attacker floods 600 INVITEs at 300 cps, replies capped at 50/s; acme's 20 calls all pass"
FLOOD=600
CALLS=20
REPLY_RATE=50
REPLY_BURST=10
TOLERANCE=3
E2E_ACTIONS_EXTRA="reply_rate: $REPLY_RATE, reply_burst: $REPLY_BURST"

scenario_run() {
	e2e_sipp uas "$NS_SRV" -sn uas -i "$SRV4" -m "$CALLS"
	e2e_wait_listening uas "$NS_SRV"
	e2e_sipp flood "$NS_ATK" -sf "$E2E_DIR/scenarios/uac_flood.xml" -nr \
		-i "$ATK4" -m "$FLOOD" -r 300 -l "$FLOOD" -trace_logs \
		-log_file flood.log "$(e2e_hostport "$SRV4")"
	e2e_sipp uac "$NS_ACME" -sn uac -i "$ACME4" -m "$CALLS" \
		-r 10 -l 20 -d 200 "$(e2e_hostport "$SRV4")"
	e2e_finish flood
	e2e_finish uac
	e2e_wait uas 10 || e2e_stop uas
	e2e_sipp_report uas
}

scenario_check() {
	local refused unanswered span expect
	refused=$(e2e_logged flood 'refused 403: unknown_source ')
	unanswered=$(e2e_logged flood 'unanswered')
	span=$(e2e_invite_span flood)
	expect=$(awk -v s="$span" -v b="$REPLY_BURST" -v r="$REPLY_RATE" \
		'BEGIN { printf "%d\n", b + int(r * s) }')
	e2e_log "attacker: $refused answered 403, $unanswered unanswered," \
		"INVITEs over $span s (expect $expect +-$TOLERANCE answered)"
	e2e_expect_sipp uac "$CALLS" 0
	e2e_expect_sipp uas "$CALLS" 0
	e2e_expect_sipp flood "$FLOOD" 0
	e2e_expect_eq "attacker: 403 unknown_source + unanswered (flood.log)" \
		"$FLOOD" "$((refused + unanswered))"
	if [[ "$expect" =~ ^[0-9]+$ ]] &&
		[ "$refused" -ge $((expect - TOLERANCE)) ] &&
		[ "$refused" -le $((expect + TOLERANCE)) ]; then
		e2e_expect_eq "403s within $expect +-$TOLERANCE" yes yes
	else
		e2e_expect_eq "403s within +-$TOLERANCE ($span s)" "$expect" "$refused"
	fi
	e2e_expect_eq "calls the SBC saw (uas)" "$CALLS" \
		"$(e2e_sipp_stat uas 'IncomingCall(C)')"

	e2e_expect_stat totals.replies "$refused"
	e2e_expect_stat totals.replies_suppressed "$unanswered"
	e2e_expect_stat totals.absorbed_acks "$refused"
	e2e_expect_stat totals.messages.INVITE $((FLOOD + CALLS))
	# the attacker's INVITEs and the ACKs to the 403s it got
	e2e_expect_stat totals.verdicts.unknown_source $((FLOOD + refused))
	e2e_expect_stat tenants.acme.messages.INVITE "$CALLS"
	e2e_expect_stat tenants.acme.verdicts.forwarded $((6 * CALLS))
	e2e_expect_stat totals.verdicts.forwarded $((6 * CALLS))
	e2e_expect_stat tenants.acme.calls_active 0
}
