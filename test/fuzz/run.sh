#!/usr/bin/env bash
# Run every libFuzzer target for SECONDS each (default 60) from its seed
# corpus, in a scratch copy so the repository is not modified.
#   test/fuzz/run.sh [SECONDS] [BUILD_DIR]
# A crash leaves its input in the scratch directory (printed) and fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
build=${2:-build-fuzz}
if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" -Dfuzz=true -Dtests=false -Db_lundef=false >/dev/null
fi
ninja -C "$build" test/fuzz/fuzz_sip_scan test/fuzz/fuzz_decode_reply \
	test/fuzz/fuzz_config test/fuzz/fuzz_ctl_json \
	test/fuzz/fuzz_state_file >"$build/fuzz-build.log" 2>&1 || {
	cat "$build/fuzz-build.log"
	echo "fuzz: the targets do not build"
	exit 1
}
work=$(mktemp -d /tmp/sipwarden-fuzz.XXXXXX)
declare -A seeds=(
	[fuzz_sip_scan]="test/data/sip/valid test/data/sip/invalid"
	[fuzz_decode_reply]="test/fuzz/seeds/decode_reply"
	[fuzz_config]="test/data/config config"
	[fuzz_ctl_json]="test/fuzz/seeds/ctl"
	[fuzz_state_file]="test/fuzz/seeds/state_file"
)
failed=0
passed=0
for t in fuzz_sip_scan fuzz_decode_reply fuzz_config fuzz_ctl_json \
	fuzz_state_file; do
	mkdir -p "$work/$t"
	for d in ${seeds[$t]}; do
		find "$d" -maxdepth 1 -type f ! -name '*.pcap' ! -name '*.md' \
			-exec cp {} "$work/$t/" \;
	done
	echo "fuzz: $t for ${secs}s"
	if "$build/test/fuzz/$t" -max_total_time="$secs" -max_len=16384 \
		-timeout=10 -artifact_prefix="$work/$t-" "$work/$t" \
		>"$work/$t.log" 2>&1; then
		passed=$((passed + 1))
		grep -E "^#[0-9]+.*DONE" "$work/$t.log" | tail -1 || true
	else
		failed=$((failed + 1))
		tail -30 "$work/$t.log"
		echo "fuzz: $t FAILED; inputs in $work"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && rm -rf "$work"
[ "$failed" -eq 0 ]
