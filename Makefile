# The two set-up commands of README.md live here: `make run` and `make test`.
# Both install the system packages first (idempotent), then configure and build.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: deps configure build run test bench clean

deps:
	bash .ci/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The main job. Until the compiler lands, this is the preprocessor on the sample.
run: build
	$(BUILD)/tools/kamc/kamc -E samples/proxy.cfg

# ctest's summary line is the last thing printed.
test: build
	cd $(BUILD) && ctest -j $(JOBS) --output-on-failure --timeout 900

bench: build
	bash bench/preprocess-vs-kamailio.sh $(BUILD)/tools/kamc/kamc
	bash bench/parse-vs-kamailio.sh $(BUILD)

clean:
	rm -rf $(BUILD)
