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

# The main job: samples/registrar.cfg (a registrar and stateful proxy) compiled into a
# native binary with `kamc -o`, its location table in an SQLite file under the build
# directory, started in the foreground on 127.0.0.1:5060, logging to stderr.
run: build
	$(BUILD)/tools/kamc/kamc -o $(BUILD)/kamc-registrar samples/registrar.cfg \
	    -A 'DB_URL="sqlite:///$(abspath $(BUILD))/location.db"'
	$(BUILD)/kamc-registrar -D -E

# ctest's summary line is the last thing printed.
test: build
	cd $(BUILD) && ctest -j $(JOBS) --output-on-failure --timeout 900

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
