#!/usr/bin/env bash
# End-to-end tests: sipwarden on two af_xdp veth ports between the outside
# (a namespace per tenant and one for an attacker, on a bridge) and an SBC
# namespace, real SIP calls with sipp.
#
#   test/e2e/run.sh SIPWARDEN [SCENARIO...]
#
# SCENARIO: a name (basic_calls), a file name or a path; default: every
# test/e2e/scenarios/*.sh. Each runs in a process of its own with a fresh
# topology, bounded by SWE2E_TIMEOUT seconds (120). Prints PASS/FAIL/SKIP
# per scenario and "N passed, M failed"; exits 1 if any failed, 77 (skip)
# when it cannot run here (not root, no AF_XDP, missing tools).
#
# Environment: SWE2E_KEEP=1 keeps the namespaces and files of a failed
# scenario; SWE2E_OUT=DIR puts the logs there (default: a new /tmp dir,
# removed when everything passed). See docs/TESTING.md.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${SWE2E_TIMEOUT:=120}"
: "${SWE2E_KEEP:=0}"

usage() {
	echo "usage: $0 SIPWARDEN [SCENARIO...]" >&2
	exit 2
}

skip() {
	echo "SKIP: e2e: $*"
	exit 77
}

[ $# -ge 1 ] || usage
sw=$1
shift
if [ ! -f "$sw" ] || [ ! -x "$sw" ]; then
	echo "$0: $sw is not an executable" >&2
	exit 2
fi
sw=$(realpath "$sw")

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, af_xdp)"
for tool in ip ethtool sipp python3 timeout ss mountpoint; do
	command -v "$tool" >/dev/null ||
		skip "needs $tool (apt-get install iproute2 ethtool sip-tester python3)"
done
python3 "$here/e2e_tool.py" af-xdp >/dev/null ||
	skip "$(python3 "$here/e2e_tool.py" af-xdp): this kernel cannot run net_af_xdp"
ip netns list >/dev/null 2>&1 || skip "cannot use network namespaces"

# the scenario files
files=()
if [ $# -eq 0 ]; then
	for f in "$here"/scenarios/*.sh; do
		[ -f "$f" ] && files+=("$f")
	done
else
	for s in "$@"; do
		for f in "$s" "$here/scenarios/$s" "$here/scenarios/$s.sh"; do
			if [ -f "$f" ]; then
				files+=("$(realpath "$f")")
				continue 2
			fi
		done
		echo "$0: no scenario '$s' (see $here/scenarios/)" >&2
		exit 2
	done
fi
[ ${#files[@]} -gt 0 ] || {
	echo "$0: no scenarios" >&2
	exit 2
}

out=${SWE2E_OUT:-$(mktemp -d /tmp/swe2e-run.XXXXXX)}
mkdir -p "$out" || exit 1

# Namespaces of scenario ID, if its own teardown could not run (killed
# at the time bound): what is inside them was started by us.
sweep() { # ID
	local ns pid
	for ns in $(ip netns list | awk -v p="$1-" 'index($1, p) == 1 { print $1 }'); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null && echo "  (removed leftover $ns)"
	done
}

child=
current_id=
on_signal() {
	echo "interrupted"
	if [ -n "$child" ]; then
		kill -TERM "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	[ -n "$current_id" ] && sweep "$current_id"
	echo "logs in $out"
	exit 130
}
trap on_signal INT TERM HUP

passed=0
failed=0
idx=0
for f in "${files[@]}"; do
	idx=$((idx + 1))
	name=$(basename "$f" .sh)
	current_id=swe2e-$$-$idx
	work=$out/$name
	mkdir -p "$work"
	start=$SECONDS
	# timeout(1) puts the scenario in a process group of its own and
	# sends it SIGTERM at the bound; its trap tears the topology down
	E2E_ID=$current_id E2E_WORK=$work SWE2E_KEEP=$SWE2E_KEEP \
		timeout -k 15 "$SWE2E_TIMEOUT" \
		bash -c '. "$1" && e2e_run_one "$2" "$3"' bash \
		"$here/lib.sh" "$sw" "$f" >"$work/log" 2>&1 &
	child=$!
	wait "$child"
	rc=$?
	child=
	took=$((SECONDS - start))
	case $rc in
	0)
		echo "PASS $name (${took}s)"
		passed=$((passed + 1))
		;;
	77)
		echo "SKIP $name: $(tail -n 1 "$work/log")"
		;;
	*)
		why="exit status $rc"
		[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] &&
			why="timed out after ${SWE2E_TIMEOUT}s"
		echo "FAIL $name ($why, ${took}s); log: $work/log"
		if grep -q 'FAIL:' "$work/log"; then
			grep 'FAIL:' "$work/log" | head -n 40
		else
			grep -v 'elf: skipping' "$work/log" | tail -n 15
		fi | sed 's/^/  | /'
		failed=$((failed + 1))
		;;
	esac
	if [ "$rc" -eq 0 ] || [ "$SWE2E_KEEP" != 1 ]; then
		sweep "$current_id"
	fi
	current_id=
done

echo "$passed passed, $failed failed"
if [ "$failed" -eq 0 ] && [ -z "${SWE2E_OUT:-}" ] && [ "$SWE2E_KEEP" != 1 ]; then
	rm -rf "$out"
elif [ "$failed" -ne 0 ]; then
	echo "logs in $out"
fi
[ "$failed" -eq 0 ]
