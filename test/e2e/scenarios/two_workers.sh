# shellcheck shell=bash disable=SC2034
# basic_calls with two workers. The af_xdp ports have one queue each, so
# worker 0 reads both ports and hands frames to worker 1 in software.
# Three lcores on two CPUs: --lcores maps the two workers onto CPU 1.
E2E_DESC="tenant -> SBC, 20 IPv4 calls, 2 workers (software dispatch)"
CALLS=20

E2E_WORKERS=2
E2E_EAL_EXTRA='--lcores, "0@0,1@1,2@1"'

scenario_run() {
	e2e_calls "$NS_ACME" "$ACME4" "$NS_SRV" "$SRV4" "$CALLS"
}

scenario_check() {
	e2e_expect_sipp uac "$CALLS" 0
	e2e_expect_sipp uas "$CALLS" 0
	e2e_expect_stat tenants.acme.messages.INVITE "$CALLS"
	e2e_expect_stat tenants.acme.messages.ACK "$CALLS"
	e2e_expect_stat tenants.acme.messages.BYE "$CALLS"
	e2e_expect_stat tenants.acme.responses.2xx $((2 * CALLS))
	e2e_expect_stat tenants.acme.verdicts.forwarded $((6 * CALLS))
	e2e_expect_stat totals.malformed 0
	e2e_expect_stat tenants.acme.calls_active 0
}
