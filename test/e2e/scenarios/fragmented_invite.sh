# shellcheck shell=bash disable=SC2034
# INVITEs larger than the veth MTU (1500): uac_big_invite.xml sends about
# 3500 bytes (a long SDP), which the kernel of ns acme sends in 3 IP
# fragments, over IPv4 and IPv6. sipwarden forwards each fragment as it
# comes, reassembles the datagram to scan it, and the calls complete; the
# rest of each call (small messages) is not fragmented.
E2E_DESC="INVITEs of ~3500 bytes in IP fragments, IPv4 and IPv6: calls complete"
CALLS4=5
CALLS6=3

big_calls() { # NAME LOCAL REMOTE CALLS
	e2e_sipp "uas_$1" "$NS_SRV" -sn uas -i "$3" -m "$4"
	e2e_wait_listening "uas_$1" "$NS_SRV"
	e2e_sipp "$1" "$NS_ACME" -sf "$E2E_DIR/scenarios/uac_big_invite.xml" \
		-i "$2" -m "$4" -r 10 -l 10 -d 200 "$(e2e_hostport "$3")"
	e2e_finish "$1"
	e2e_wait "uas_$1" 10 || e2e_stop "uas_$1"
	e2e_sipp_report "uas_$1"
}

scenario_run() {
	big_calls uac4 "$ACME4" "$SRV4" "$CALLS4"
	big_calls uac6 "$ACME6" "$SRV6" "$CALLS6"
}

scenario_check() {
	local n=$((CALLS4 + CALLS6)) size
	size=$(grep -m1 -o 'UDP message sent ([0-9]* bytes)' "$E2E_WORK/uac4.msg")
	e2e_log "first INVITE: $size"
	e2e_expect_ge "INVITE size (bytes, uac4.msg)" 3000 \
		"$(echo "$size" | grep -o '[0-9][0-9]*')"
	e2e_expect_sipp uac4 "$CALLS4" 0
	e2e_expect_sipp uac6 "$CALLS6" 0
	e2e_expect_sipp uas_uac4 "$CALLS4" 0
	e2e_expect_sipp uas_uac6 "$CALLS6" 0
	# 3 fragments per INVITE, nothing else fragmented
	e2e_expect_stat totals.fragments $((3 * n))
	e2e_expect_stat totals.reassembled "$n"
	e2e_expect_stat totals.fragment_errors 0
	e2e_expect_stat tenants.acme.messages.INVITE "$n"
	e2e_expect_stat tenants.acme.messages.ACK "$n"
	e2e_expect_stat tenants.acme.messages.BYE "$n"
	e2e_expect_stat tenants.acme.verdicts.forwarded $((6 * n))
	e2e_expect_stat tenants.acme.calls_active 0
}
