# shellcheck shell=bash disable=SC2034
# basic_calls over TCP (sipp -t t1): one connection, each SIP message in
# a segment of its own; sipwarden scans every one whole. A segment the
# kernel sends again (a busy machine delays an ACK past the
# retransmission timeout) is scanned again: sipwarden does not reassemble
# TCP streams (yet), so the message counters may exceed the calls' by
# the retransmissions the two kernels counted, and by no more.
E2E_DESC="tenant -> SBC, 10 IPv4 calls over TCP, all forwarded"
CALLS=10
E2E_TRANSPORT=t1

scenario_run() {
	e2e_calls "$NS_ACME" "$ACME4" "$NS_SRV" "$SRV4" "$CALLS"
	RETRANS=$(($(e2e_tcp_retrans "$NS_ACME") + $(e2e_tcp_retrans "$NS_SRV")))
	e2e_log "TCP segments retransmitted: $RETRANS"
}

scenario_check() {
	local r=${RETRANS:-0}
	e2e_expect_sipp uac "$CALLS" 0
	# every call reached the SBC. (Not "successful": the UAC closes the
	# connection as soon as its last call ends, while the UAS still waits
	# out its last call's closing pause, which sipp then counts as failed.)
	e2e_expect_eq "uas incoming calls" "$CALLS" \
		"$(e2e_sipp_stat uas 'IncomingCall(C)')"
	e2e_expect_stat_upto tenants.acme.messages.INVITE "$CALLS" "$r"
	e2e_expect_stat_upto tenants.acme.messages.ACK "$CALLS" "$r"
	e2e_expect_stat_upto tenants.acme.messages.BYE "$CALLS" "$r"
	e2e_expect_stat_upto tenants.acme.responses.2xx $((2 * CALLS)) "$r"
	e2e_expect_stat_upto tenants.acme.verdicts.forwarded $((6 * CALLS)) "$r"
	e2e_expect_stat_upto totals.sip_messages $((6 * CALLS)) "$r"
	e2e_expect_stat totals.tcp_partial 0
	e2e_expect_stat totals.malformed 0
	e2e_expect_stat tenants.acme.calls_active 0
}
