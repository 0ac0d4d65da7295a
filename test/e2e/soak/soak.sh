# shellcheck shell=bash disable=SC2034
# Bounded soak, run on demand (not in the default suite: it lives outside
# scenarios/). For SOAK_SECONDS (600) acme sends, at once:
#  (a) calls of random length (uac_random.xml: held 0.5-5 s, uniform) at
#      SOAK_CPS (5) calls/s to the SBC (sipp's built-in uas, 198.18.12.3);
#  (b) calls that lose their BYE (uac_nobye.xml / uas_nobye.xml on a second
#      SBC address, 198.18.12.4) at one every SOAK_NOBYE_EVERY ms (2000):
#      answered, ACKed, never ended; sipwarden must expire them after
#      max_call_duration (20 s);
#  (c) REGISTERs (uac_register.xml, registrar uas_register.xml on
#      198.18.12.5) at 1/s alternating between SOAK_KEEP (5) AORs bound for
#      3600 s and refreshed over and over, and fresh AORs bound for 8 s and
#      left to lapse.
# sipwarden's RSS is sampled every 10 s (rss.log). When the traffic is
# over it waits (bounded) max_call_duration + 15 s for the lost-BYE calls
# and lapsed bindings to expire, then checks that every counter is back to
# what the surviving dialogs justify and that memory stayed flat.
#
#   SWE2E_TIMEOUT=900 SOAK_SECONDS=600 \
#     test/e2e/run.sh build/dataplane/sipwarden test/e2e/soak/soak.sh
E2E_DESC="soak: random-length calls, lost BYEs, registrations that lapse; counters return, RSS flat"

: "${SOAK_SECONDS:=600}"
: "${SOAK_CPS:=5}"
: "${SOAK_NOBYE_EVERY:=2000}" # ms between two calls that lose their BYE
: "${SOAK_KEEP:=5}"           # AORs registered for good (refreshed)
: "${SOAK_RSS_SLACK_KB:=8192}" # memory is flat: end <= base + max(10 %, this)
MAX_CALLS=50
MAX_DURATION=20
UNANSWERED=10
LAPSE_EXPIRES=8
SBC_NOBYE=198.18.12.4
SBC_REG=198.18.12.5

[[ "$SOAK_SECONDS" =~ ^[0-9]+$ ]] && [ "$SOAK_SECONDS" -ge 20 ] ||
	e2e_fail "SOAK_SECONDS must be a number >= 20 (got $SOAK_SECONDS)"
# run.sh kills a scenario after SWE2E_TIMEOUT (120) s: say so at once
((${SWE2E_TIMEOUT:-120} >= SOAK_SECONDS + 60)) ||
	e2e_fail "SWE2E_TIMEOUT=${SWE2E_TIMEOUT:-120} is too short for" \
		"SOAK_SECONDS=$SOAK_SECONDS: set it to $((SOAK_SECONDS + 150)) or more"
# every sipp runs for the whole soak (sipp -timeout, timeout(1))
SWE2E_SIPP_TIMEOUT=$((SOAK_SECONDS + 60))
CALLS=$((SOAK_CPS * SOAK_SECONDS))
NOBYE=$((SOAK_SECONDS * 1000 / SOAK_NOBYE_EVERY))
REGS=$SOAK_SECONDS             # one REGISTER a second
LAPSE=$((REGS / 2))            # every other line is a fresh AOR
# the RSS after the first minute (or half the run, if shorter) is the base
RSS_BASE_AT=$((SOAK_SECONDS / 2 < 60 ? SOAK_SECONDS / 2 : 60))

scenario_config() {
	e2e_config_default "max_calls: $MAX_CALLS, max_call_duration: $MAX_DURATION, unanswered_timeout: $UNANSWERED"
}

# the daemon's PID: E2E_PID[sipwarden] is it (ip netns exec, env and sh
# all exec), unless something in between forked
soak_daemon_pid() {
	local pid=${E2E_PID[sipwarden]:-} c i
	for ((i = 0; i < 4; i++)); do
		[ -n "$pid" ] || break
		case $(cat "/proc/$pid/comm" 2>/dev/null) in
		sipwarden* | lcore* | rte*) echo "$pid"; return 0 ;;
		esac
		c=$(cat /proc/"$pid"/task/*/children 2>/dev/null | awk '{print $1; exit}')
		pid=$c
	done
	echo "${E2E_PID[sipwarden]:-}"
}

soak_rss() { ps -o rss= -p "$SW_PID" 2>/dev/null | tr -d ' '; }

soak_sample() { # LABEL
	local r
	r=$(soak_rss)
	echo "$((SECONDS - T0)) ${r:-gone} $1" >>"$E2E_WORK/rss.log"
	echo "${r:-}"
}

soak_uacs_alive() { e2e_alive uac || e2e_alive nobye || e2e_alive regc; }

scenario_run() {
	local i t last=-10 r
	SW_PID=$(soak_daemon_pid)
	e2e_log "sipwarden daemon pid $SW_PID ($(cat "/proc/$SW_PID/comm" 2>/dev/null))"
	ip -n "$NS_SRV" addr add "$SBC_NOBYE/24" dev "$IF_SRV" &&
		ip -n "$NS_SRV" addr add "$SBC_REG/24" dev "$IF_SRV" ||
		e2e_fail "cannot add $SBC_NOBYE, $SBC_REG in $NS_SRV"

	# the AORs: keepN (3600 s, refreshed every 2 * SOAK_KEEP s) and
	# lapseN (LAPSE_EXPIRES s, once)
	{
		echo SEQUENTIAL
		for ((i = 0; i < REGS; i++)); do
			if ((i % 2 == 0)); then
				echo "keep$(((i / 2) % SOAK_KEEP));3600"
			else
				echo "lapse$i;$LAPSE_EXPIRES"
			fi
		done
	} >"$E2E_WORK/aors.csv"

	e2e_sipp uas "$NS_SRV" -sn uas -i "$SRV4" -m "$CALLS"
	e2e_sipp nobye_uas "$NS_SRV" -sf "$E2E_DIR/soak/uas_nobye.xml" \
		-i "$SBC_NOBYE" -m "$NOBYE"
	e2e_sipp reg "$NS_SRV" -sf "$E2E_DIR/soak/uas_register.xml" \
		-i "$SBC_REG" -m "$REGS"
	e2e_wait_listening uas "$NS_SRV"

	T0=$SECONDS
	: >"$E2E_WORK/rss.log"
	soak_sample start >/dev/null
	e2e_sipp uac "$NS_ACME" -sf "$E2E_DIR/soak/uac_random.xml" -p 5061 \
		-i "$ACME4" -m "$CALLS" -r "$SOAK_CPS" -l $((MAX_CALLS / 2)) \
		"$(e2e_hostport "$SRV4")"
	e2e_sipp nobye "$NS_ACME" -sf "$E2E_DIR/soak/uac_nobye.xml" -p 5062 \
		-i "$ACME4" -m "$NOBYE" -r 1 -rp "$SOAK_NOBYE_EVERY" \
		"$(e2e_hostport "$SBC_NOBYE")"
	e2e_sipp regc "$NS_ACME" -sf "$E2E_DIR/soak/uac_register.xml" -p 5063 \
		-inf "$E2E_WORK/aors.csv" -i "$ACME4" -m "$REGS" -r 1 -l 5 \
		"$(e2e_hostport "$SBC_REG")"

	# the traffic: bounded by sipp's -m and -timeout; sample every 10 s
	for ((t = 0; t < SWE2E_SIPP_TIMEOUT + 20; t++)); do
		soak_uacs_alive || break
		if ((SECONDS - T0 - last >= 10)); then
			last=$((SECONDS - T0))
			r=$(soak_sample traffic)
			[ -z "${RSS_BASE:-}" ] && ((last >= RSS_BASE_AT)) && [ -n "$r" ] &&
				RSS_BASE=$r
			e2e_log "t=${last}s rss ${r:-?} KiB, acme calls_active" \
				"$(e2e_acme_live calls_active), users $(e2e_acme_live users)"
		fi
		e2e_alive sipwarden || e2e_fail "sipwarden ended during the soak"
		sleep 1
	done
	for i in uac nobye regc; do
		e2e_wait "$i" 5 || e2e_stop "$i"
	done
	for i in uas nobye_uas reg; do
		e2e_wait "$i" 10 || e2e_stop "$i"
	done
	for i in uac uas nobye nobye_uas regc reg; do
		e2e_sipp_report "$i"
	done
	[ -n "${RSS_BASE:-}" ] || RSS_BASE=$(soak_sample base)

	# the lost-BYE calls expire after MAX_DURATION, the lapsed bindings
	# after LAPSE_EXPIRES: wait (bounded) for acme to come back to
	# 0 calls and SOAK_KEEP users
	for ((t = 0; t < MAX_DURATION + 15; t++)); do
		[ "$(e2e_acme_live calls_active)" = 0 ] &&
			[ "$(e2e_acme_live users)" = "$SOAK_KEEP" ] && break
		sleep 1
	done
	e2e_log "drained after ${t}s: $(e2e_ctl --json stats --tenant acme 2>&1 | head -c 600)"
	LIVE_CALLS=$(e2e_acme_live calls_active)
	LIVE_USERS=$(e2e_acme_live users)
	# a few seconds idle, then the last sample
	sleep 2
	RSS_END=$(soak_sample end)
	RSS_MAX=$(awk '$2 ~ /^[0-9]+$/ && $2 > m { m = $2 } END { print m + 0 }' \
		"$E2E_WORK/rss.log")
	e2e_log "rss (KiB): base $RSS_BASE (t=${RSS_BASE_AT}s), end $RSS_END, max $RSS_MAX; samples in rss.log"
}

scenario_check() {
	local nobye_ok nobye_out slack bound
	e2e_expect_sipp uac "$CALLS" 0
	e2e_expect_sipp uas "$CALLS" 0
	e2e_expect_sipp nobye "$NOBYE" 0
	e2e_expect_sipp nobye_uas "$NOBYE" 0
	e2e_expect_sipp regc "$REGS" 0
	e2e_expect_sipp reg "$REGS" 0

	# nothing refused: the limits are far above the load
	e2e_expect_stat totals.replies 0
	e2e_expect_eq "acme call_limit refusals" 0 \
		"$(v=$(e2e_stat tenants.acme.verdicts.call_limit); echo "${v/missing/0}")"

	# calls: every dialog ended or expired
	e2e_expect_eq "live acme.calls_active after the drain" 0 "${LIVE_CALLS:-none}"
	e2e_expect_stat tenants.acme.calls_active 0
	e2e_expect_stat tables.calls_active 0
	e2e_expect_stat tables.counter_underflows 0
	nobye_ok=$(e2e_sipp_stat nobye 'SuccessfulCall(C)')
	nobye_out=$(e2e_sipp_stat nobye 'OutgoingCall(C)')
	e2e_expect_ge "tables.calls_expired (>= the calls that lost their BYE)" \
		"$nobye_ok" "$(e2e_stat tables.calls_expired)"
	# and no more: a call that got its BYE never expires
	e2e_expect_ge "calls that lost their BYE placed (>= tables.calls_expired)" \
		"$(e2e_stat tables.calls_expired)" "$nobye_out"

	# registrations: the SOAK_KEEP refreshed AORs survive, the rest lapsed
	e2e_expect_eq "live acme.users after the drain" "$SOAK_KEEP" "${LIVE_USERS:-none}"
	e2e_expect_stat tenants.acme.users "$SOAK_KEEP"
	e2e_expect_stat tables.registrations_active "$SOAK_KEEP"
	e2e_expect_stat tables.registrations_expired "$LAPSE"
	e2e_expect_stat tenants.acme.messages.REGISTER "$REGS"

	# memory is flat: the RSS at the end within max(10 %, SOAK_RSS_SLACK_KB)
	# of the RSS after the first minute
	if [[ "${RSS_BASE:-}${RSS_END:-}" =~ ^[0-9]+$ ]]; then
		slack=$((RSS_BASE / 10))
		((slack < SOAK_RSS_SLACK_KB)) && slack=$SOAK_RSS_SLACK_KB
		bound=$((RSS_BASE + slack))
		e2e_expect_ge "RSS bound base $RSS_BASE + $slack KiB (>= RSS at the end)" \
			"$RSS_END" "$bound"
	else
		e2e_expect_eq "RSS samples" "numbers" "base ${RSS_BASE:-}/end ${RSS_END:-}"
	fi
}
