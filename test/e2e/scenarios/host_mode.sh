# shellcheck shell=bash disable=SC2034
# Host mode: sipwarden's inside port is a TAP (net_tap) it creates in its
# own namespace, and the SBC is a sipp UAS on that TAP's kernel address
# (ns mid, 198.18.12.3), no srv namespace. Tenant calls (ns acme) cross
# bridge -> veth -> af_xdp outside -> classify -> TAP -> local kernel ->
# sipp and back; the attacker (ns atk, a source no tenant claims) gets its
# 403 from sipwarden through the outside port, and nothing of it reaches
# the TAP.
E2E_DESC="host mode (af_xdp outside, TAP inside, SBC on the local kernel): 10 calls + 5 refused 403"
E2E_TOPOLOGY=host
CALLS=10
CALLS_UNK=5

# Frames the TAP has handed to the local kernel (read while it exists:
# it goes away with sipwarden).
tap_rx() {
	ip netns exec "$NS_MID" cat "/sys/class/net/$IF_TAP/statistics/rx_packets" \
		2>/dev/null || echo none
}

scenario_run() {
	e2e_calls "$NS_ACME" "$ACME4" "$NS_SRV" "$SRV4" "$CALLS"
	TAP_RX=$(tap_rx)
	ip -n "$NS_MID" -s link show "$IF_TAP" >&2
	# the UAS has ended: a refused INVITE let through would time out
	e2e_sipp unk "$NS_ATK" -sf "$E2E_DIR/scenarios/uac_expect_403.xml" \
		-i "$ATK4" -m "$CALLS_UNK" -r 10 -l 20 -trace_logs \
		-log_file unk.log "$(e2e_hostport "$SRV4")"
	e2e_finish unk
}

scenario_check() {
	e2e_expect_whole_calls acme "$CALLS"
	e2e_expect_eq "calls the local SBC saw" "$CALLS" \
		"$(e2e_sipp_stat uas 'IncomingCall(C)')"
	# INVITE, ACK and BYE of each call entered the kernel by the TAP
	e2e_expect_ge "frames the TAP delivered to the kernel" \
		$((3 * CALLS)) "$TAP_RX"
	e2e_expect_sipp unk "$CALLS_UNK" 0
	e2e_expect_eq "403s with Reason unknown_source (unk.log)" \
		"$CALLS_UNK" "$(e2e_logged unk unknown_source)"

	e2e_expect_stat totals.verdicts.forwarded $((6 * CALLS))
	e2e_expect_stat totals.messages.INVITE $((CALLS + CALLS_UNK))
	e2e_expect_stat totals.replies "$CALLS_UNK"
	e2e_expect_stat totals.absorbed_acks "$CALLS_UNK"
	e2e_expect_stat totals.verdicts.unknown_source $((2 * CALLS_UNK))
	e2e_expect_stat totals.malformed 0
}
