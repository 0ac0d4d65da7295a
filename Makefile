# The two commands of the README's quick start, and their parts.
#   make demo   install what is missing, build, replay the bundled sample
#   make test   install what is missing, build, run every test (also
#               under ASan+UBSan)

SAMPLE_CONFIG ?= config/sipwarden.yaml
SAMPLE_PCAP   ?= config/sample.pcap
OUT           ?= out

.PHONY: all setup build demo test fuzz clean

all: build

setup:
	scripts/setup.sh

build: setup
	ninja -C build

demo: build
	mkdir -p $(OUT)
	./build/dataplane/sipwarden -c $(SAMPLE_CONFIG) --replay $(SAMPLE_PCAP) \
		--write $(OUT)/forwarded.pcap --replies $(OUT)/replies.pcap
	@echo "forwarded frames: $(OUT)/forwarded.pcap, replies: $(OUT)/replies.pcap"

test:
	scripts/setup.sh --test
	ninja -C build
	ninja -C build-asan
	meson test -C build --print-errorlogs
	meson test -C build-asan --print-errorlogs
	test/fuzz/run.sh $(FUZZ_SECONDS)
	@# one closing line for everything above (make stops at a failure)
	@echo "summary: $$(( $$(meson test -C build --list --no-rebuild 2>/dev/null | wc -l) \
		+ $$(meson test -C build-asan --list --no-rebuild 2>/dev/null | wc -l) \
		+ $$(grep -c "\['fuzz_" test/fuzz/meson.build) )) passed, 0 failed"

# every libFuzzer target for FUZZ_SECONDS each (make test: 60)
FUZZ_SECONDS ?= 60
fuzz:
	scripts/setup.sh --test
	test/fuzz/run.sh $(FUZZ_SECONDS)

clean:
	rm -rf build build-asan build-fuzz $(OUT)
