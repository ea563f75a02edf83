# The two set-up commands of README.md live here: `make run` and `make test`.
# Both install the system packages first (idempotent), then configure and build.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

FUZZ_SECONDS ?= 300
# Seconds after which one input counts as a hang in the instrumented build (ASan,
# UBSan and coverage make it several times slower than the tools; docs/reliability.md).
FUZZ_INPUT_TIMEOUT ?= 5

.PHONY: deps configure build fuzz-build run test fuzz bench clean

deps:
	bash .ci/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The main job: samples/registrar.cfg (a registrar and stateful proxy) compiled into a
# native binary with `kamc -o`, its location table in an SQLite file under the build
# directory, started in the foreground on 127.0.0.1:5060, logging to stderr.
run: build
	$(BUILD)/tools/kamc/kamc -o $(BUILD)/kamc-registrar samples/registrar.cfg \
	    -A 'DB_URL="sqlite:///$(abspath $(BUILD))/location.db"'
	$(BUILD)/kamc-registrar -D -E

# The clang + ASan/UBSan build of the libFuzzer targets (tests/fuzz), after the main
# build so that the two do not compete for the cores.
fuzz-build: build
	cmake --build $(BUILD) --target kamc_fuzz_build -j $(JOBS)

# ctest's summary line is the last thing printed.
test: build fuzz-build
	cd $(BUILD) && ctest -j $(JOBS) --output-on-failure --timeout 900

# Longer fuzzing than CI's: each target FUZZ_SECONDS, one after the other, resuming from
# the corpus the last run grew under $(BUILD)/fuzz-work (figures in its runs.jsonl).
fuzz: fuzz-build
	for target in fuzz_preprocess fuzz_parse fuzz_cfgcheck fuzz_codegen fuzz_sip_message fuzz_sip_uri \
	    fuzz_lsp_jsonrpc; do \
	  python3 tests/fuzz/run_fuzz.py $(BUILD)/fuzz/tests/fuzz/$$target --seconds $(FUZZ_SECONDS) \
	      --input-timeout $(FUZZ_INPUT_TIMEOUT) \
	      --corpus ../shared/corpus --work $(BUILD)/fuzz-work/$$target || exit 1; \
	done

bench: build
	bash bench/preprocess-vs-kamailio.sh $(BUILD)/tools/kamc/kamc
	bash bench/parse-vs-kamailio.sh $(BUILD)
	bash bench/codegen-vs-kamailio.sh $(BUILD)
	bash bench/relay-vs-kamailio.sh $(BUILD)
	bash bench/register-vs-kamailio.sh $(BUILD)
	python3 bench/auth-register-vs-kamailio.py --build $(BUILD) --rate 1000 --calls 5000
	python3 bench/lsp-didchange.py $(BUILD)

clean:
	rm -rf $(BUILD)
