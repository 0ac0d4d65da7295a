# shellcheck shell=bash disable=SC2034
# The SBC calls the tenant: uac in ns srv, uas in ns acme. The INVITEs go
# inside -> outside and are attributed to acme by their destination; the
# responses coming back by their source.
E2E_DESC="SBC -> tenant, 20 IPv4 calls, counted under the tenant"
CALLS=20

scenario_run() {
	e2e_calls "$NS_SRV" "$SRV4" "$NS_ACME" "$ACME4" "$CALLS"
}

scenario_check() {
	e2e_expect_whole_calls acme "$CALLS"
	e2e_expect_stat totals.verdicts.forwarded $((6 * CALLS))
	e2e_expect_stat totals.outbound_unknown_tenant 0
	e2e_expect_stat totals.malformed 0
	e2e_expect_stat totals.replies 0
}
