# shellcheck shell=bash disable=SC2034
# A source no tenant claims (198.18.11.2, in ns cli but outside acme's
# prefix) calls the SBC: sipwarden answers every INVITE itself with 403
# (Reason: unknown_source), absorbs the ACK, and forwards nothing.
E2E_DESC="unknown source: every INVITE answered 403 by sipwarden"
CALLS=10

scenario_run() {
	# no UAS: nothing may reach the SBC
	e2e_sipp uac "$NS_CLI" -sf "$E2E_DIR/scenarios/uac_expect_403.xml" \
		-i "$UNK4" -m "$CALLS" -r 10 -l 20 -trace_logs -log_file uac.log \
		"$(e2e_hostport "$SRV4")"
	e2e_wait uac $((SWE2E_SIPP_TIMEOUT + 20)) || e2e_stop uac
	e2e_sipp_report uac
}

scenario_check() {
	# the scenario expects the 403 with its Reason: each call that got
	# one is a successful call
	e2e_expect_sipp uac "$CALLS" 0
	e2e_expect_eq "403s with Reason unknown_source (uac.log)" "$CALLS" \
		"$(grep -c 'unknown_source' "$E2E_WORK/uac.log" 2>/dev/null)"
	e2e_expect_stat totals.messages.INVITE "$CALLS"
	e2e_expect_stat totals.messages.ACK "$CALLS"
	e2e_expect_stat totals.replies "$CALLS"
	# the ACKs to the 403s are dropped. (totals.absorbed_acks stays 0
	# here: only ACKs to refusals of a tenant's traffic are counted there;
	# see docs/TESTING.md, "End-to-end tests".)
	e2e_expect_stat totals.dropped_packets "$CALLS"
	# INVITE and ACK of each call refused, nothing forwarded
	e2e_expect_stat totals.verdicts.unknown_source $((2 * CALLS))
	e2e_expect_stat totals.verdicts.forwarded 0
	e2e_expect_stat totals.responses.4xx 0
	e2e_expect_stat tenants.acme.requests 0
}
