# shellcheck shell=bash disable=SC2034
# acme may have 3 registered users (max_users: 3). A registrar on the SBC
# side (uas_register.xml) grants every binding for 3600 s. sipp REGISTERs
# 5 distinct AORs (register_aors.csv) one after the other: the first 3
# are forwarded and bound, the other 2 are refused by sipwarden itself
# with a 403 whose Reason names user_limit (REGISTER has no ACK, so
# nothing is absorbed). Then a refresh of the first AOR
# (register_refresh.csv) passes: a known AOR is not a new user.
E2E_DESC="max_users 3: 5 AORs register, 3 bound, 2 refused 403; a refresh passes"
AORS=5
LIMIT=3

scenario_config() { e2e_config_default "max_users: $LIMIT"; }

scenario_run() {
	e2e_sipp reg "$NS_SRV" -sf "$E2E_DIR/scenarios/uas_register.xml" \
		-i "$SRV4" -m $((LIMIT + 1))
	e2e_wait_listening reg "$NS_SRV"
	# one at a time (-l 1): the order, and so which AORs get in, is fixed
	e2e_sipp uac "$NS_ACME" -sf "$E2E_DIR/scenarios/uac_register.xml" \
		-inf "$E2E_DIR/scenarios/register_aors.csv" \
		-i "$ACME4" -m "$AORS" -r 10 -l 1 -trace_logs -log_file uac.log \
		"$(e2e_hostport "$SRV4")"
	e2e_finish uac
	USERS_LIVE=$(e2e_acme_live users)
	e2e_sipp refresh "$NS_ACME" -sf "$E2E_DIR/scenarios/uac_register.xml" \
		-inf "$E2E_DIR/scenarios/register_refresh.csv" \
		-i "$ACME4" -m 1 -trace_logs -log_file refresh.log \
		"$(e2e_hostport "$SRV4")"
	e2e_finish refresh
	e2e_wait reg 10 || e2e_stop reg
	e2e_sipp_report reg
	e2e_log "live acme at the end: $(e2e_ctl --json stats --tenant acme 2>&1 | head -c 600)"
}

scenario_check() {
	local refused=$((AORS - LIMIT)) a
	e2e_expect_sipp uac "$AORS" 0
	e2e_expect_sipp refresh 1 0
	e2e_expect_sipp reg $((LIMIT + 1)) 0
	e2e_expect_eq "REGISTERs the registrar saw" $((LIMIT + 1)) \
		"$(e2e_sipp_stat reg 'IncomingCall(C)')"
	for a in alice bob carol; do
		e2e_expect_eq "$a registered (uac.log)" 1 "$(e2e_logged uac "registered $a\$")"
	done
	for a in dave eve; do
		e2e_expect_eq "$a refused 403 user_limit (uac.log)" 1 \
			"$(e2e_logged uac "refused 403: user_limit $a (")"
	done
	e2e_expect_eq "refresh of alice registered (refresh.log)" 1 \
		"$(e2e_logged refresh 'registered alice$')"
	e2e_expect_eq "live acme.users after the 5 REGISTERs" "$LIMIT" "${USERS_LIVE:-none}"

	e2e_expect_stat tenants.acme.messages.REGISTER $((AORS + 1))
	e2e_expect_stat tenants.acme.verdicts.user_limit "$refused"
	e2e_expect_stat totals.replies "$refused"
	e2e_expect_stat totals.absorbed_acks 0
	# the admitted REGISTERs (3 new, 1 refresh) and their 200s
	e2e_expect_stat tenants.acme.verdicts.forwarded $((2 * (LIMIT + 1)))
	e2e_expect_stat tenants.acme.users "$LIMIT"
	e2e_expect_stat tables.registrations_active "$LIMIT"
	e2e_expect_stat tables.registrations_expired 0
}
