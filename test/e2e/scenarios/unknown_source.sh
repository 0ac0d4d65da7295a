# shellcheck shell=bash disable=SC2034
# The attacker (ns atk: 198.18.11.2 and 2001:db8:11::2, prefixes no
# tenant claims) calls the SBC: sipwarden answers every INVITE itself
# with 403 (Reason: unknown_source), drops the ACK to it, and forwards
# nothing. The UAC scenario (uac_expect_403.xml) fails a call
# that gets anything but that 403.
E2E_DESC="unknown source, IPv4 and IPv6: every INVITE answered 403 by sipwarden"
CALLS4=10
CALLS6=5

uac_403() { # NAME LOCAL REMOTE CALLS
	e2e_sipp "$1" "$NS_ATK" -sf "$E2E_DIR/scenarios/uac_expect_403.xml" \
		-i "$2" -m "$4" -r 10 -l 20 -trace_logs -log_file "$1.log" \
		"$(e2e_hostport "$3")"
	e2e_finish "$1"
}

scenario_run() {
	# no UAS: nothing may reach the SBC
	uac_403 uac4 "$ATK4" "$SRV4" "$CALLS4"
	uac_403 uac6 "$ATK6" "$SRV6" "$CALLS6"
}

scenario_check() {
	local n=$((CALLS4 + CALLS6))
	e2e_expect_sipp uac4 "$CALLS4" 0
	e2e_expect_sipp uac6 "$CALLS6" 0
	e2e_expect_eq "403s with Reason unknown_source (uac4.log, uac6.log)" \
		"$n" "$(cat "$E2E_WORK"/uac[46].log 2>/dev/null | grep -c unknown_source)"
	e2e_expect_stat totals.messages.INVITE "$n"
	e2e_expect_stat totals.messages.ACK "$n"
	e2e_expect_stat totals.replies "$n"
	# the ACKs to the 403s are recognised by our To tag and absorbed
	e2e_expect_stat totals.absorbed_acks "$n"
	e2e_expect_stat totals.dropped_packets "$n"
	# INVITE and ACK of each call refused, nothing forwarded
	e2e_expect_stat totals.verdicts.unknown_source $((2 * n))
	e2e_expect_stat totals.verdicts.forwarded 0
	e2e_expect_stat totals.responses.4xx 0
	e2e_expect_stat tenants.acme.requests 0
}
