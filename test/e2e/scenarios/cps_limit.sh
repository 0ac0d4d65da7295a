# shellcheck shell=bash disable=SC2034
# acme may start 5 calls a second with a burst of 5 (cps: 5, burst: 5; a
# token bucket). sipp places 30 short calls at 30 calls/s, so for about
# a second: the first 5 go through at once, then one every 200 ms. The
# number admitted must be 5 + floor(5 x T) within +-2, T being the seconds
# from the first INVITE sent to the last (from uac.msg; about 0.96 s, so
# 9): sipp paces its calls in ticks of a few ms and the bucket counts
# whole tokens, so a call more or less is within sipp's pacing. Every other call is
# refused by sipwarden with a 503 whose Reason names cps_limit (and
# Retry-After: 1); uac_admit_or_refuse.xml counts both outcomes as
# successful, so sipp's answered + refused == 30.
E2E_DESC="cps 5 burst 5, 30 calls at 30 cps: 5 + 5/s admitted, the rest 503 cps_limit"
CALLS=30
CPS=5
BURST=5
TOLERANCE=2

scenario_config() { e2e_config_default "cps: $CPS, burst: $BURST"; }

scenario_run() {
	e2e_sipp uas "$NS_SRV" -sn uas -i "$SRV4"
	e2e_wait_listening uas "$NS_SRV"
	e2e_sipp uac "$NS_ACME" -sf "$E2E_DIR/scenarios/uac_admit_or_refuse.xml" \
		-i "$ACME4" -m "$CALLS" -r 30 -l "$CALLS" -d 200 -trace_logs \
		-log_file uac.log "$(e2e_hostport "$SRV4")"
	e2e_finish uac
	# the UAS has no -m (how many get through is what is measured): its
	# last BYE was answered before the UAC ended; stop it
	e2e_stop uas
}

scenario_check() {
	local answered refused span expect lo hi
	answered=$(e2e_logged uac 'answered')
	refused=$(e2e_logged uac 'refused 503: cps_limit, Retry-After 1 ')
	span=$(e2e_invite_span uac)
	e2e_expect_sipp uac "$CALLS" 0
	e2e_expect_eq "answered + refused 503 cps_limit (uac.log)" "$CALLS" \
		"$((answered + refused))"
	if [[ "$span" =~ ^[0-9.]+$ ]]; then
		# the burst, then one call per whole token refilled, +-TOLERANCE
		expect=$(awk -v s="$span" -v b="$BURST" -v r="$CPS" \
			'BEGIN { printf "%d\n", b + int(r * s) }')
		lo=$((expect - TOLERANCE))
		hi=$((expect + TOLERANCE))
		e2e_log "INVITEs over $span s: expect $expect admitted (+-$TOLERANCE), got $answered"
		if [ "$answered" -ge "$lo" ] && [ "$answered" -le "$hi" ]; then
			e2e_expect_eq "admitted within $lo..$hi" yes yes
		else
			e2e_expect_eq "admitted within $lo..$hi ($span s)" "$expect" \
				"$answered"
		fi
	else
		e2e_expect_eq "INVITE span from uac.msg" seconds "$span"
	fi
	e2e_expect_eq "calls the SBC saw (uas.msg)" "$answered" \
		"$(e2e_msgs uas 'INVITE ')"

	e2e_expect_stat tenants.acme.messages.INVITE "$CALLS"
	# the refused INVITEs and the ACKs to their 503s
	e2e_expect_stat tenants.acme.verdicts.cps_limit $((2 * refused))
	e2e_expect_stat totals.replies "$refused"
	e2e_expect_stat totals.absorbed_acks "$refused"
	# INVITE, 180, 200, ACK, BYE, 200 of each admitted call
	e2e_expect_stat tenants.acme.verdicts.forwarded $((6 * answered))
	e2e_expect_stat tenants.acme.calls_active 0
}
