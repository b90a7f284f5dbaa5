# magi — top-level convenience targets around CMake.
#   make          build (build/)
#   make check    install missing Debian packages (as root), build, run every test
#   make asan     build with -fsanitize=address,undefined (build-asan/) and run every test
#   make bench    build and run the benchmarks in bench/
#   make demo     run the demo (stand-in model; see README)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build

.PHONY: all build check asan bench demo deps clean example examples
all: build

deps:
	@if [ "$$(id -u)" = 0 ]; then scripts/install-deps; else scripts/install-deps || true; fi

build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

check: deps build
	$(MAKE) --no-print-directory example BUILD=$(BUILD)
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# examples/*.c built the way an embedder would: against the installed library, through
# pkg-config (example-recipe is then run by tests/x11/test_example_recipe.sh).
EXAMPLES = chat recipe
example: build
	$(MAKE) --no-print-directory examples BUILD=$(BUILD)
# (examples: for a tree $(BUILD) already built; `make asan` builds them with the sanitizers)
examples:
	@rm -rf $(BUILD)/prefix && cmake --install $(BUILD) --prefix $(CURDIR)/$(BUILD)/prefix >/dev/null
	for e in $(EXAMPLES); do \
	  cc -std=c11 -Wall -Wextra -Werror $(EXAMPLE_CFLAGS) -o $(BUILD)/example-$$e examples/$$e.c \
	    $$(PKG_CONFIG_PATH=$(CURDIR)/$(BUILD)/prefix/lib/pkgconfig pkg-config --cflags --libs magi) \
	    -Wl,-rpath,$(CURDIR)/$(BUILD)/prefix/lib && $(BUILD)/example-$$e --help >/dev/null || exit 1; \
	done

asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMAGI_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j$(JOBS)
	$(MAKE) --no-print-directory examples BUILD=build-asan EXAMPLE_CFLAGS="-fsanitize=address,undefined"
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j$(JOBS)

bench: build
	bench/run $(BUILD)

demo: deps build
	scripts/demo $(BUILD)

clean:
	rm -rf build build-asan
