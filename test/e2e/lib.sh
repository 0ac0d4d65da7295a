# shellcheck shell=bash
# End-to-end testbed for sipwarden: network namespaces, veth pairs, sipwarden
# on two net_af_xdp ports in the middle, sipp on both ends. Sourced by
# run.sh; see docs/TESTING.md, "End-to-end tests".
#
#   ns ID-acme   (tenant acme)   swe2e-cli =veth= wan-acme   --+
#   ns ID-globex (tenant globex) swe2e-cli =veth= wan-globex --+ bridge
#   ns ID-atk    (attacker)      swe2e-cli =veth= wan-atk    --+ swe2e-br
#                                                 wan-out    --+ (ns ID-wan)
#                                                    ||veth
#   ns ID-mid  swe2e-out [sipwarden: outside | inside] swe2e-in
#                                                    ||veth
#   ns ID-srv  (the SBC, sipp)                       swe2e-srv
#
# Every outside namespace is a host of its own with its own IPv4 and IPv6
# address; the bridge in ns wan is the "internet" that joins them to
# sipwarden's outside port. Every name carries $E2E_ID (swe2e-PID by
# default): namespaces are created with it, and the veths are created
# directly inside them, so two runs never see each other's interfaces.
# Teardown (an EXIT trap) ends only the processes this run started, by
# PID, and deletes only its namespaces (which takes the veths and the
# bridge with them).
#
# Host mode (a scenario sets E2E_TOPOLOGY=host): no srv namespace. The
# inside port is a TAP that sipwarden's net_tap creates in ns mid, and the
# SBC is the kernel of ns mid on that TAP ($NS_SRV is $NS_MID):
#
#   ... wan-out =veth= swe2e-out [outside|inside] swe2e-tap (198.18.12.3, sipp)

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_TOOL=(python3 "$E2E_DIR/e2e_tool.py")

# --- addresses (198.18.0.0/15 and 2001:db8::/32 only) ---------------------
# One L2 segment through sipwarden; each side reaches the other's prefixes
# by a device (on-link) route.
ACME4=198.18.10.2      # ns acme, tenant acme: 198.18.10.0/24
ACME6=2001:db8:10::2   #                       2001:db8:10::/64
GLOBEX4=198.18.13.2    # ns globex, tenant globex: 198.18.13.0/24
GLOBEX6=2001:db8:13::2 #                           2001:db8:13::/64
ATK4=198.18.11.2       # ns atk, the attacker: claimed by no tenant
ATK6=2001:db8:11::2
SRV4=198.18.12.3       # the SBC: inside_networks 198.18.12.0/24
SRV6=2001:db8:12::3    #          and 2001:db8:12::/64
SIP_PORT=5060
# the outside hosts: ROLE (the namespace's suffix, lower case, at most 11
# characters: wan-ROLE names its bridge port), IPv4 in a /24, IPv6 in a
# /64 (one line each; a new one needs a line here and nothing else)
E2E_OUTSIDE_HOSTS=(
	"acme $ACME4 $ACME6"
	"globex $GLOBEX4 $GLOBEX6"
	"atk $ATK4 $ATK6"
)
# older names, kept for scenarios written before the per-tenant namespaces:
# CLI is acme's, UNK the attacker's ($NS_CLI is $NS_ACME)
# shellcheck disable=SC2034 # for the scenarios
{ CLI4=$ACME4 CLI6=$ACME6 UNK4=$ATK4 UNK6=$ATK6; }

IF_CLI=swe2e-cli       # an outside host's interface, in its namespace
IF_BR=swe2e-br         # the bridge in ns wan
IF_WAN=wan-out         # ns wan's end of the veth to sipwarden's outside
IF_OUT=swe2e-out
IF_IN=swe2e-in
IF_SRV=swe2e-srv
IF_TAP=swe2e-tap       # host mode: sipwarden's inside port, in ns mid

# --- knobs (environment) --------------------------------------------------
: "${SWE2E_KEEP:=0}"          # 1: keep namespaces and files on failure
: "${SWE2E_EAL_MEM:=1024}"    # MB of (non-huge) memory for EAL
: "${SWE2E_SIPP_TIMEOUT:=60}" # seconds a sipp may run at most
: "${SWE2E_READY_TIMEOUT:=30}" # seconds for sipwarden to pass traffic
: "${SWE2E_VETH_QUEUES:=1}"   # RX/TX queues of each veth (see e2e_veth)

declare -A E2E_PID=()   # name -> PID of what we started in the background
E2E_PID_ORDER=()
E2E_NAMESPACES=()
E2E_FAILURES=0

e2e_log() {
	printf '%s [%s] %s\n' "$(date +%T.%3N)" "${E2E_ID:-e2e}" "$*" >&2
}

# Stop now: the EXIT trap tears down.
e2e_fail() {
	e2e_log "FAIL: $*"
	E2E_FAILURES=$((E2E_FAILURES + 1))
	exit 1
}

# Record a failed expectation and go on, so one run reports all of them.
e2e_expect_eq() { # DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		e2e_log "ok: $1 == $2"
	else
		e2e_log "FAIL: $1: expected $2, got $3"
		E2E_FAILURES=$((E2E_FAILURES + 1))
	fi
}

e2e_expect_ge() { # DESCRIPTION MINIMUM ACTUAL
	if [[ "$3" =~ ^[0-9]+$ ]] && [ "$3" -ge "$2" ]; then
		e2e_log "ok: $1 == $3 (>= $2)"
	else
		e2e_log "FAIL: $1: expected at least $2, got $3"
		E2E_FAILURES=$((E2E_FAILURES + 1))
	fi
}

# --- sipwarden's counters ---------------------------------------------------

# The value at a dotted path of sipwarden's --stats json ("missing" if
# absent), e.g. e2e_stat tenants.acme.messages.INVITE. Read from
# stats.flat, which e2e_sipwarden_stop writes.
e2e_stat() {
	local v
	v=$(awk -v k="$1" '$1 == k { print $2; exit }' \
		"$E2E_WORK/stats.flat" 2>/dev/null)
	echo "${v:-missing}"
}

e2e_expect_stat() { # PATH EXPECTED
	e2e_expect_eq "sipwarden $1" "$2" "$(e2e_stat "$1")"
}

# sipwarden's PATH is EXPECTED, or at most SLACK more (e.g. what TCP
# segments the kernel sent twice add: they are scanned twice)
e2e_expect_stat_upto() { # PATH EXPECTED SLACK
	local v
	v=$(e2e_stat "$1")
	if [ "$3" -eq 0 ]; then
		e2e_expect_eq "sipwarden $1" "$2" "$v"
	elif [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge "$2" ] &&
		[ "$v" -le $(($2 + $3)) ]; then
		e2e_log "ok: sipwarden $1 == $v ($2..$(($2 + $3)))"
	else
		e2e_expect_eq "sipwarden $1 ($2..$(($2 + $3)))" "$2" "$v"
	fi
}

# What every scenario must satisfy: every frame accounted for once, nothing
# refused by a port, no call slot leaked or released twice.
e2e_expect_accounting() {
	local pk fw dr rp
	pk=$(e2e_stat totals.packets)
	fw=$(e2e_stat totals.forwarded_packets)
	dr=$(e2e_stat totals.dropped_packets)
	rp=$(e2e_stat totals.replies)
	if [[ "$pk$fw$dr$rp" =~ ^[0-9]+$ ]]; then
		e2e_expect_eq "packets = forwarded + dropped + replies" "$pk" \
			"$((fw + dr + rp))"
	else
		e2e_expect_eq "frame counters present" "numbers" \
			"$pk/$fw/$dr/$rp"
	fi
	e2e_expect_stat totals.tx_errors 0
	e2e_expect_stat tables.calls_active 0
	e2e_expect_stat tables.counter_underflows 0
}

# --- processes --------------------------------------------------------------

# Run CMD in namespace NS in the background, in the work directory, with
# stdout+stderr in $E2E_WORK/NAME.out; remember its PID as NAME.
e2e_bg() { # NAME NS CMD...
	local name=$1 ns=$2
	shift 2
	(cd "$E2E_WORK" && exec ip netns exec "$ns" "$@") \
		>"$E2E_WORK/$name.out" 2>&1 </dev/null &
	E2E_PID[$name]=$!
	E2E_PID_ORDER+=("$name")
	e2e_log "started $name (pid $!): $*"
}

e2e_alive() { # NAME
	local pid=${E2E_PID[$1]:-}
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# Wait at most SECONDS for NAME to end; its exit status is in E2E_RC[NAME].
declare -A E2E_RC=()
e2e_wait() { # NAME SECONDS
	local name=$1 i
	[ -n "${E2E_PID[$name]:-}" ] || return 0 # not started, or waited for
	for ((i = 0; i < $2 * 10; i++)); do
		e2e_alive "$name" || break
		sleep 0.1
	done
	if e2e_alive "$name"; then
		e2e_log "$name still running after $2 s"
		return 1
	fi
	wait "${E2E_PID[$name]}"
	E2E_RC[$name]=$?
	unset "E2E_PID[$name]"
	e2e_log "$name ended, status ${E2E_RC[$name]}"
	return 0
}

# End NAME: SIGTERM, then SIGKILL after SECONDS.
e2e_stop() { # NAME [SECONDS]
	local name=$1
	e2e_alive "$name" || { e2e_wait "$name" 1; return 0; }
	e2e_log "stopping $name (pid ${E2E_PID[$name]})"
	kill -TERM "${E2E_PID[$name]}" 2>/dev/null
	if ! e2e_wait "$name" "${2:-5}"; then
		kill -KILL "${E2E_PID[$name]}" 2>/dev/null
		e2e_wait "$name" 5
		return 1
	fi
	return 0
}

# --- topology ---------------------------------------------------------------

e2e_ns_add() { # NS
	ip netns add "$1" || e2e_fail "cannot create namespace $1"
	E2E_NAMESPACES+=("$1")
	ip -n "$1" link set lo up
}

e2e_sysctl() { # NS KEY=VALUE...
	local ns=$1
	shift
	ip netns exec "$ns" sysctl -qw "$@" >/dev/null ||
		e2e_fail "sysctl $* in $ns"
}

# A veth pair between two namespaces, one queue each way: the af_xdp port
# binds queue 0 only, and a veth made with one queue per CPU would let the
# kernel deliver on a queue nobody reads.
e2e_veth() { # NS_A IF_A NS_B IF_B
	local q=$SWE2E_VETH_QUEUES
	ip link add "$2" netns "$1" numtxqueues "$q" numrxqueues "$q" type veth \
		peer name "$4" netns "$3" numtxqueues "$q" numrxqueues "$q" ||
		e2e_fail "cannot create veth $2/$4"
	local end
	for end in "$1:$2" "$3:$4"; do
		# frames leave a namespace with partial checksums; once
		# userspace forwards the raw frame the receiver would drop it
		ip netns exec "${end%%:*}" ethtool -K "${end#*:}" tx off rx off \
			>/dev/null 2>&1 || e2e_fail "ethtool -K ${end#*:} tx off rx off"
		ip -n "${end%%:*}" link set "${end#*:}" up ||
			e2e_fail "cannot bring up ${end#*:}"
	done
}

# The /24 and /64 of an address (198.18.10.2 -> 198.18.10.0/24,
# 2001:db8:10::2 -> 2001:db8:10::/64): the testbed's prefixes are all
# of that shape.
e2e_prefix() { # ADDR
	case $1 in
	*:*) echo "${1%::*}::/64" ;;
	*) echo "${1%.*}.0/24" ;;
	esac
}

# The SBC's addresses on interface IF in NS, with on-link routes back to
# every outside host's prefixes: the srv veth end (inline) or the TAP
# (host).
e2e_sbc_address() { # NS IF
	local host role a4 a6
	ip -n "$1" addr add "$SRV4/24" dev "$2" &&
		ip -n "$1" addr add "$SRV6/64" dev "$2" nodad ||
		e2e_fail "cannot address $2 in $1"
	for host in "${E2E_OUTSIDE_HOSTS[@]}"; do
		read -r role a4 a6 <<<"$host"
		ip -n "$1" route add "$(e2e_prefix "$a4")" dev "$2" &&
			ip -n "$1" route add "$(e2e_prefix "$a6")" dev "$2" ||
			e2e_fail "cannot route to $role's prefixes from $1"
	done
}

e2e_host_mode() { [ "${E2E_TOPOLOGY:-inline}" = host ]; }

# An outside host: namespace ID-ROLE (its name in $NS_<ROLE>, e.g.
# $NS_ACME), its interface swe2e-cli with its addresses and on-link routes
# to the SBC's prefixes, a bridge port wan-ROLE in ns wan.
e2e_outside_host() { # ROLE ADDR4 ADDR6
	local ns=$E2E_ID-$1 var
	var=NS_$(echo "$1" | tr '[:lower:]' '[:upper:]')
	printf -v "$var" '%s' "$ns"
	e2e_ns_add "$ns"
	e2e_sysctl "$ns" net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
	e2e_veth "$ns" "$IF_CLI" "$NS_WAN" "wan-$1"
	ip -n "$NS_WAN" link set "wan-$1" master "$IF_BR" &&
		ip -n "$ns" addr add "$2/24" dev "$IF_CLI" &&
		ip -n "$ns" addr add "$3/64" dev "$IF_CLI" nodad &&
		ip -n "$ns" route add 198.18.12.0/24 dev "$IF_CLI" src "$2" &&
		ip -n "$ns" route add 2001:db8:12::/64 dev "$IF_CLI" src "$3" ||
		e2e_fail "cannot set up $1 in $ns"
}

e2e_topology_up() {
	local ns host
	NS_WAN=$E2E_ID-wan
	NS_MID=$E2E_ID-mid
	NS_SRV=$E2E_ID-srv
	e2e_host_mode && NS_SRV=$NS_MID
	e2e_ns_add "$NS_WAN"
	e2e_ns_add "$NS_MID"
	e2e_host_mode || e2e_ns_add "$NS_SRV"
	# ns wan and ns mid have no IPv6 at all, so their kernels send
	# nothing of their own (no router or multicast listener messages);
	# the bridge only switches, without STP (ports forward at once) and
	# without multicast snooping (neighbour solicitations reach
	# every host)
	for ns in "$NS_WAN" "$NS_MID"; do
		e2e_sysctl "$ns" net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	ip -n "$NS_WAN" link add "$IF_BR" type bridge stp_state 0 \
		forward_delay 0 mcast_snooping 0 &&
		ip -n "$NS_WAN" link set "$IF_BR" up ||
		e2e_fail "cannot create bridge $IF_BR in $NS_WAN"
	e2e_veth "$NS_WAN" "$IF_WAN" "$NS_MID" "$IF_OUT"
	ip -n "$NS_WAN" link set "$IF_WAN" master "$IF_BR" ||
		e2e_fail "cannot add $IF_WAN to $IF_BR"
	for host in "${E2E_OUTSIDE_HOSTS[@]}"; do
		# shellcheck disable=SC2086 # ROLE ADDR4 ADDR6
		e2e_outside_host $host
	done
	# shellcheck disable=SC2034 # for the scenarios
	NS_CLI=$NS_ACME
	if e2e_host_mode; then
		# the SBC side (the TAP) exists once sipwarden runs: e2e_tap_up
		e2e_log "topology up: ${E2E_NAMESPACES[*]}; $IF_OUT | $IF_TAP (host mode)"
		return 0
	fi
	e2e_sysctl "$NS_SRV" net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
	e2e_veth "$NS_MID" "$IF_IN" "$NS_SRV" "$IF_SRV"
	e2e_sbc_address "$NS_SRV" "$IF_SRV"
	e2e_log "topology up: ${E2E_NAMESPACES[*]}; $IF_OUT | $IF_IN"
}

# Host mode: wait (bounded) until sipwarden has started its ports (its
# start line) and the TAP its net_tap port creates in ns mid is there;
# only then (DPDK sets the TAP up while it starts the port, and a link
# going down takes routes with it) make the TAP the SBC's interface:
# offloads off (else the kernel hands sipwarden frames with partial
# checksums), IPv6 on for the TAP alone (ns mid has it off), up, the
# SBC's addresses.
e2e_tap_up() {
	local i
	for ((i = 0; i < SWE2E_READY_TIMEOUT * 10; i++)); do
		grep -q '^sipwarden: host mode' "$E2E_WORK/sipwarden.err" &&
			ip -n "$NS_MID" link show "$IF_TAP" >/dev/null 2>&1 &&
			break
		e2e_alive sipwarden || break
		sleep 0.1
	done
	grep -q '^sipwarden: host mode' "$E2E_WORK/sipwarden.err" &&
		ip -n "$NS_MID" link show "$IF_TAP" >/dev/null 2>&1 || {
		cat "$E2E_WORK/sipwarden.err" >&2
		e2e_fail "sipwarden did not start in host mode with $IF_TAP" \
			"in $NS_MID within ${SWE2E_READY_TIMEOUT} s"
	}
	ip netns exec "$NS_MID" ethtool -K "$IF_TAP" tx off rx off \
		>/dev/null 2>&1 || e2e_fail "ethtool -K $IF_TAP tx off rx off"
	e2e_sysctl "$NS_MID" "net.ipv6.conf.$IF_TAP.accept_dad=0" \
		"net.ipv6.conf.$IF_TAP.disable_ipv6=0"
	ip -n "$NS_MID" link set "$IF_TAP" up ||
		e2e_fail "cannot bring up $IF_TAP"
	e2e_sbc_address "$NS_MID" "$IF_TAP"
	e2e_log "$IF_TAP up in $NS_MID: the SBC's interface"
}

e2e_topology_dump() {
	local ns
	for ns in "${E2E_NAMESPACES[@]}"; do
		echo "--- $ns"
		ip -n "$ns" -s link 2>&1
		ip -n "$ns" -br addr 2>&1
		ip -n "$ns" neigh 2>&1
	done
}

# --- sipwarden --------------------------------------------------------------

# The part of the configuration every scenario shares: EAL without
# hugepages or shared files (plus $E2E_EAL_EXTRA, YAML list items), the
# two af_xdp ports (host mode: af_xdp outside, net_tap inside),
# $E2E_WORKERS workers (1), small tables.
e2e_config_base() {
	local inside="net_af_xdp1,iface=$IF_IN"
	e2e_host_mode && inside="net_tap0,iface=$IF_TAP"
	cat <<EOF
mode: ${E2E_TOPOLOGY:-inline}
eal: [--no-pci, --no-huge, -m, "$SWE2E_EAL_MEM", --no-shconf,
      --file-prefix, "$E2E_ID", --no-telemetry${E2E_EAL_EXTRA:+, $E2E_EAL_EXTRA}]
ports:
  outside: { device: "net_af_xdp0,iface=$IF_OUT" }
  inside:  { device: "$inside" }
workers: ${E2E_WORKERS:-1}
calls: { capacity: 4096 }
registrations: { capacity: 1024 }
# this run's own socket, no HTTP port: runs must not meet each other
control: { socket: "$E2E_WORK/ctl.sock" }
metrics: { prometheus: false }
EOF
}

# The default: the SBC's prefixes inside, tenant acme on ns acme's
# prefixes, tenant globex on ns globex's, nothing for the attacker's;
# refusals answered.
# shellcheck disable=SC2120 # the scenarios pass them
e2e_config_default() { # [ACME-LIMITS [GLOBEX-LIMITS]], e.g. "max_calls: 2"
	e2e_config_base
	cat <<EOF
inside_networks: [198.18.12.0/24, "2001:db8:12::/64"]
actions: { unknown_source: reply, malformed: drop${E2E_ACTIONS_EXTRA:+, $E2E_ACTIONS_EXTRA} }
tenants:
  - name: acme
    prefixes: [$(e2e_prefix "$ACME4"), "$(e2e_prefix "$ACME6")"]
EOF
	if [ -n "${1:-}" ]; then echo "    limits: { $1 }"; fi
	cat <<EOF
  - name: globex
    prefixes: [$(e2e_prefix "$GLOBEX4"), "$(e2e_prefix "$GLOBEX6")"]
EOF
	if [ -n "${2:-}" ]; then echo "    limits: { $2 }"; fi
}

# sipwardenctl on this run's control socket (a file in the work directory)
e2e_ctl() {
	"$(dirname "$SIPWARDEN")/../control/sipwardenctl" \
		-s "$E2E_WORK/ctl.sock" --timeout 5 "$@"
}

# TENANT's counters at dotted PATHs, live, from one `sipwardenctl stats`
# (one snapshot): their values on one line, "none" for each one missing
e2e_tenant_live() { # TENANT PATH...
	e2e_ctl --json stats --tenant "$1" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d.get("tenants", {}).get(sys.argv[1], d)
out = []
for path in sys.argv[2:]:
    v = d
    for k in path.split("."):
        v = v.get(k, "none") if isinstance(v, dict) else "none"
    out.append(str(v))
print(" ".join(out))' "$@" 2>/dev/null || echo none
}

e2e_acme_live() { e2e_tenant_live acme "$1"; } # PATH

# wait (bounded, SECONDS, default 5) until TENANT's live PATH is VALUE;
# with -ge, until it is VALUE or more
e2e_wait_tenant() { # TENANT PATH [-ge] VALUE [SECONDS]
	local t=$1 path=$2 op=-eq i v
	shift 2
	[ "$1" = -ge ] && { op=-ge; shift; }
	for ((i = 0; i < ${2:-5} * 10; i++)); do
		v=$(e2e_tenant_live "$t" "$path")
		if [ "$v" = "$1" ] ||
			{ [ "$op" = -ge ] && [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge "$1" ]; }; then
			e2e_log "live $t.$path == $v"
			return 0
		fi
		sleep 0.1
	done
	if [ "$op" = -ge ]; then
		e2e_expect_ge "live $t.$path" "$1" "$v"
	else
		e2e_expect_eq "live $t.$path" "$1" "$v"
	fi
	return 1
}

e2e_wait_acme() { e2e_wait_tenant acme "$@"; } # PATH VALUE

# sipp NAME: CALLS calls from acme to the SBC with uac_admit_or_refuse.xml
# (answered and held HOLD ms, or refused; each outcome logged in
# NAME.log), from local port PORT (UACs may run at once)
e2e_uac_admit() { # NAME CALLS HOLD PORT [SIPP-ARGS...]
	local name=$1 calls=$2 hold=$3 port=$4
	shift 4
	e2e_sipp "$name" "$NS_ACME" \
		-sf "$E2E_DIR/scenarios/uac_admit_or_refuse.xml" -p "$port" \
		-i "$ACME4" -m "$calls" -r 10 -l 10 -d "$hold" \
		-trace_logs -log_file "$name.log" "$@" "$(e2e_hostport "$SRV4")"
}

# A scenario may define scenario_config to print its own.
scenario_config() { e2e_config_default; }

e2e_sipwarden_start() {
	local cfg=$E2E_WORK/sipwarden.yaml out i
	# an ASan build: leave out a leak of the af_xdp PMD (see lsan.supp)
	local lsan="suppressions=$E2E_DIR/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
	scenario_config >"$cfg"
	out=$("$SIPWARDEN" -c "$cfg" --check 2>&1) ||
		e2e_fail "configuration refused: $out"
	# ip netns exec remounts /sys in a mount namespace of its own: bpffs
	# (wanted by libxdp) is mounted there, and goes away with it
	e2e_bg sipwarden "$NS_MID" env "LSAN_OPTIONS=$lsan" sh -c \
		'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || exit 1
		 exec "$@" 2>sipwarden.err' sh \
		"$SIPWARDEN" -c "$cfg" --stats json
	e2e_host_mode && e2e_tap_up
	# ready when frames cross both ways: UDP echo (port 7, not SIP) from
	# every outside host to the SBC, IPv4 and IPv6
	e2e_bg echo "$NS_SRV" timeout 120 "${E2E_TOOL[@]}" echo-serve 110 \
		"$SRV4" "$SRV6"
	local pending=("${E2E_OUTSIDE_HOSTS[@]}") left host
	for ((i = 0; i < SWE2E_READY_TIMEOUT / 2; i++)); do
		e2e_alive sipwarden || {
			cat "$E2E_WORK/sipwarden.err" >&2
			e2e_fail "sipwarden ended at start"
		}
		left=()
		for host in "${pending[@]}"; do
			ip netns exec "$E2E_ID-${host%% *}" "${E2E_TOOL[@]}" \
				probe 4 "$SRV4" "$SRV6" >&2 || left+=("$host")
		done
		pending=("${left[@]}")
		if [ ${#pending[@]} -eq 0 ]; then
			e2e_log "sipwarden is forwarding"
			e2e_stop echo
			return 0
		fi
	done
	cat "$E2E_WORK/sipwarden.err" >&2
	e2e_fail "no traffic through sipwarden from ${pending[*]%% *}" \
		"after ${SWE2E_READY_TIMEOUT} s"
}

# SIGTERM; sipwarden prints its counters (JSON) on stdout as it exits.
e2e_sipwarden_stop() {
	e2e_stop sipwarden 15 || e2e_fail "sipwarden did not end on SIGTERM"
	e2e_expect_eq "sipwarden exit status" 0 "${E2E_RC[sipwarden]}"
	grep -v 'elf: skipping unrecognized data section' \
		"$E2E_WORK/sipwarden.err" >&2
	"${E2E_TOOL[@]}" flatten "$E2E_WORK/sipwarden.out" \
		>"$E2E_WORK/stats.flat" ||
		e2e_fail "no JSON counters on sipwarden's stdout"
	e2e_log "counters: $(head -c 4000 "$E2E_WORK/sipwarden.out")"
}

# --- sipp -------------------------------------------------------------------

e2e_hostport() { # ADDR -> ADDR:5060 or [ADDR]:5060
	case $1 in
	*:*) echo "[$1]:$SIP_PORT" ;;
	*) echo "$1:$SIP_PORT" ;;
	esac
}

# sipp NAME in NS with its statistics (NAME.csv), errors (NAME.err),
# final screen (NAME.screen) and messages (NAME.msg) in the work
# directory. Bounded by sipp's own -timeout and by timeout(1).
e2e_sipp() { # NAME NS SIPP-ARGS...
	local name=$1 ns=$2
	shift 2
	e2e_bg "$name" "$ns" timeout -k 5 $((SWE2E_SIPP_TIMEOUT + 10)) \
		sipp -nostdin -p "$SIP_PORT" \
		-timeout "${SWE2E_SIPP_TIMEOUT}s" -timeout_error \
		-trace_stat -stf "$name.csv" -fd 1 \
		-trace_err -error_file "$name.err" \
		-trace_screen -screen_file "$name.screen" \
		-trace_msg -message_file "$name.msg" "$@"
}

# Wait (bounded) until a UAS listens on the SIP port in NS (UDP, or TCP
# when $E2E_TRANSPORT is t1).
e2e_wait_listening() { # NAME NS
	local i proto=-lun
	[ "${E2E_TRANSPORT:-u1}" = t1 ] && proto=-ltn
	for ((i = 0; i < 50; i++)); do
		[ -n "$(ip netns exec "$2" ss -H "$proto" "sport = :$SIP_PORT")" ] &&
			return 0
		e2e_alive "$1" || break
		sleep 0.1
	done
	cat "$E2E_WORK/$1.out" >&2
	e2e_fail "$1 is not listening on port $SIP_PORT in $2"
}

# A column of the last statistics row of sipp NAME: SuccessfulCall(C),
# FailedCall(C), OutgoingCall(C), IncomingCall(C), ...
e2e_sipp_stat() { # NAME COLUMN
	"${E2E_TOOL[@]}" sipp-stat "$E2E_WORK/$1.csv" "$2" 2>/dev/null ||
		echo "no-stats"
}

e2e_sipp_report() { # NAME
	local f
	e2e_log "$1: status ${E2E_RC[$1]:-?}," \
		"successful $(e2e_sipp_stat "$1" 'SuccessfulCall(C)')," \
		"failed $(e2e_sipp_stat "$1" 'FailedCall(C)')"
	[ "${E2E_RC[$1]:-1}" = 0 ] && return 0
	for f in "$E2E_WORK/$1.err" "$E2E_WORK/$1.out"; do
		[ -s "$f" ] && { echo "--- $f (tail)"; tail -n 25 "$f"; } >&2
	done
	return 0
}

# CALLS calls with sipp's built-in scenarios: a UAS at CALLEE in namespace
# CALLEE_NS, a UAC at CALLER in CALLER_NS. Names: uas, uac. Both end by
# themselves (-m); the wait is bounded. A scenario may set E2E_TRANSPORT
# (sipp -t: u1, the default, or t1 for TCP), E2E_RATE (calls per second,
# 10) and E2E_CALL_MS (call length, 200 ms).
# Let each sipp NAME end (bounded by SWE2E_SIPP_TIMEOUT + 20 s, else it is
# stopped) and log its report.
e2e_finish() { # NAME...
	local name
	for name in "$@"; do
		e2e_wait "$name" $((SWE2E_SIPP_TIMEOUT + 20)) || e2e_stop "$name"
		e2e_sipp_report "$name"
	done
}

e2e_calls() { # CALLER_NS CALLER CALLEE_NS CALLEE CALLS [UAC-ARGS...]
	local caller_ns=$1 caller=$2 callee_ns=$3 callee=$4 calls=$5
	local t=${E2E_TRANSPORT:-u1}
	shift 5
	e2e_sipp uas "$callee_ns" -sn uas -t "$t" -i "$callee" -m "$calls"
	e2e_wait_listening uas "$callee_ns"
	e2e_sipp uac "$caller_ns" -sn uac -t "$t" -i "$caller" -m "$calls" \
		-r "${E2E_RATE:-10}" -d "${E2E_CALL_MS:-200}" -l 20 "$@" \
		"$(e2e_hostport "$callee")"
	e2e_finish uac
	e2e_wait uas 10 || e2e_stop uas
	e2e_sipp_report uas
}

# TCP segments the kernel of NS has retransmitted so far (RetransSegs of
# its /proc/net/snmp)
e2e_tcp_retrans() { # NS
	ip netns exec "$1" awk '/^Tcp:/ { if (!n++) { for (i = 1; i <= NF; i++)
		if ($i == "RetransSegs") c = i; next } print $c }' /proc/net/snmp
}

# How many lines of sipp NAME's log (-trace_logs -log_file NAME.log, the
# <log> actions of its scenario) match PATTERN (grep).
e2e_logged() { # NAME PATTERN
	grep -c "$2" "$E2E_WORK/$1.log" 2>/dev/null
}

# How many SIP messages sipp NAME sent or received (-trace_msg, NAME.msg)
# begin with START, e.g. "INVITE " or "BYE ".
e2e_msgs() { # NAME START
	grep -c "^$2" "$E2E_WORK/$1.msg" 2>/dev/null
}

# Seconds (3 decimals) from the first INVITE sipp NAME sent to its last,
# from its NAME.msg: the T of a rate limit's "burst + rate x T".
e2e_invite_span() { # NAME
	awk '/^-+ [0-9-]+ [0-9:.]+$/ { split($3, t, ":");
		ts = t[1] * 3600 + t[2] * 60 + t[3]; next }
	     /^INVITE / { if (first == "") first = ts; last = ts }
	     END { if (first == "") print "none";
		   else printf "%.3f\n", last - first }' "$E2E_WORK/$1.msg"
}

# sipp's verdict on NAME: exit status 0 and the given successful/failed
# counts.
e2e_expect_sipp() { # NAME SUCCESSFUL FAILED
	e2e_expect_eq "$1 exit status" 0 "${E2E_RC[$1]:-not-run}"
	e2e_expect_eq "$1 successful calls" "$2" \
		"$(e2e_sipp_stat "$1" 'SuccessfulCall(C)')"
	e2e_expect_eq "$1 failed calls" "$3" \
		"$(e2e_sipp_stat "$1" 'FailedCall(C)')"
}

# N whole calls (INVITE, 180, 200, ACK, BYE, 200) of TENANT, in either
# direction: sipp's uac and uas both saw N successful calls, and sipwarden
# counted every message under the tenant, forwarded all six of each call
# and holds none of them any more.
e2e_expect_whole_calls() { # TENANT CALLS
	local t=$1 n=$2

	e2e_expect_sipp uac "$n" 0
	e2e_expect_sipp uas "$n" 0
	e2e_expect_stat "tenants.$t.messages.INVITE" "$n"
	e2e_expect_stat "tenants.$t.messages.ACK" "$n"
	e2e_expect_stat "tenants.$t.messages.BYE" "$n"
	# 180 Ringing per call; 200 to the INVITE and 200 to the BYE
	e2e_expect_stat "tenants.$t.responses.1xx" "$n"
	e2e_expect_stat "tenants.$t.responses.2xx" $((2 * n))
	e2e_expect_stat "tenants.$t.verdicts.forwarded" $((6 * n))
	e2e_expect_stat "tenants.$t.calls_active" 0
}

# --- teardown -----------------------------------------------------------------

e2e_teardown() {
	local rc=$? name ns pid i
	trap - EXIT INT TERM HUP
	[ "$E2E_FAILURES" -gt 0 ] && [ "$rc" -eq 0 ] && rc=1
	# what we started, newest first: SIGTERM, a bounded wait, SIGKILL
	for ((i = ${#E2E_PID_ORDER[@]} - 1; i >= 0; i--)); do
		name=${E2E_PID_ORDER[i]}
		e2e_alive "$name" && e2e_stop "$name" 5
	done
	if [ "$rc" -ne 0 ]; then
		e2e_topology_dump >&2
	fi
	if [ "$rc" -ne 0 ] && [ "$SWE2E_KEEP" = 1 ]; then
		e2e_log "SWE2E_KEEP=1: kept namespaces ${E2E_NAMESPACES[*]} and $E2E_WORK"
		e2e_log "sipwarden again: ip netns exec $NS_MID sh -c" \
			"'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf;" \
			"$SIPWARDEN -c $E2E_WORK/sipwarden.yaml --stats json'"
		e2e_log "a shell on a tenant's host: ip netns exec $NS_ACME bash"
		e2e_log "remove with: for n in ${E2E_NAMESPACES[*]}; do ip netns del \$n; done"
		exit "$rc"
	fi
	for ns in "${E2E_NAMESPACES[@]}"; do
		# anything still in our namespace was started by this run
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			e2e_log "killing leftover pid $pid in $ns"
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	exit "$rc"
}

# --- one scenario ---------------------------------------------------------------

# Run scenario FILE against sipwarden binary SW in a fresh topology. The
# scenario file defines scenario_run and scenario_check (and may define
# scenario_config). Exit status: 0 pass, 1 fail, 77 skip.
e2e_run_one() { # SW FILE
	SIPWARDEN=$1
	E2E_ID=${E2E_ID:-swe2e-$$}
	E2E_WORK=${E2E_WORK:-$(mktemp -d "/tmp/$E2E_ID.XXXXXX")}
	mkdir -p "$E2E_WORK" || exit 1
	trap e2e_teardown EXIT
	trap 'e2e_log "interrupted"; exit 130' INT TERM HUP
	# shellcheck source=/dev/null
	. "$2" || e2e_fail "cannot load $2"
	declare -F scenario_run >/dev/null && declare -F scenario_check >/dev/null ||
		e2e_fail "$2 must define scenario_run and scenario_check"
	e2e_log "scenario $(basename "$2" .sh): ${E2E_DESC:-}; files in $E2E_WORK"
	e2e_topology_up
	e2e_sipwarden_start
	scenario_run
	e2e_sipwarden_stop
	scenario_check
	e2e_expect_accounting
	if [ "$E2E_FAILURES" -gt 0 ]; then
		e2e_log "$E2E_FAILURES expectation(s) failed"
		exit 1
	fi
	exit 0
}
