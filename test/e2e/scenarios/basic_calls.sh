# shellcheck shell=bash disable=SC2034
# 20 calls from tenant acme (ns acme, 198.18.10.2) to the SBC (ns srv), IPv4,
# sipp's built-in uac/uas: every call completes, and sipwarden counts each
# message under tenant acme and forwards all of them.
E2E_DESC="tenant -> SBC, 20 IPv4 calls, all forwarded"
CALLS=20

scenario_run() {
	e2e_calls "$NS_ACME" "$ACME4" "$NS_SRV" "$SRV4" "$CALLS"
}

scenario_check() {
	e2e_expect_whole_calls acme "$CALLS"
	e2e_expect_stat totals.verdicts.forwarded $((6 * CALLS))
	e2e_expect_stat totals.sip_messages $((6 * CALLS))
	e2e_expect_stat totals.malformed 0
	e2e_expect_stat totals.replies 0
}
