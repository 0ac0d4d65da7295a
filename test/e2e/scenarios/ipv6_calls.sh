# shellcheck shell=bash disable=SC2034
# basic_calls over IPv6: tenant acme's 2001:db8:10::/64 calls the SBC at
# 2001:db8:12::3.
E2E_DESC="tenant -> SBC, 10 IPv6 calls, all forwarded"
CALLS=10

scenario_run() {
	e2e_calls "$NS_ACME" "$ACME6" "$NS_SRV" "$SRV6" "$CALLS"
}

scenario_check() {
	e2e_expect_whole_calls acme "$CALLS"
	e2e_expect_stat totals.verdicts.forwarded $((6 * CALLS))
	e2e_expect_stat totals.malformed 0
	e2e_expect_stat totals.replies 0
}
