# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
TSAN_DIR ?= build-tsan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build run test unit integration bench asan tsan clean

all: build

deps:
	@./scripts/deps.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/apps/periscope/periscope demo --data-dir ./periscope-data

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L unit
	cd ui && npx vitest run

integration: build
	./tests/integration/run.sh $(BUILD_DIR)/apps/periscope/periscope

test: unit integration

bench: build
	./bench/run.sh $(BUILD_DIR)

asan: deps
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPERISCOPE_SANITIZE=ON
	cmake --build $(ASAN_DIR) -j $(JOBS)
	cd $(ASAN_DIR) && ctest --output-on-failure -j $(JOBS) -L unit

# ThreadSanitizer over the concurrent code: the RPC framework and the tracing SDK.
tsan: deps
	cmake -S . -B $(TSAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPERISCOPE_TSAN=ON
	cmake --build $(TSAN_DIR) -j $(JOBS) --target periscope_rpc_test periscope_sdk_test
	TSAN_OPTIONS=suppressions=$(CURDIR)/cmake/tsan.supp $(TSAN_DIR)/src/periscope_rpc_test
	TSAN_OPTIONS=suppressions=$(CURDIR)/cmake/tsan.supp $(TSAN_DIR)/src/periscope_sdk_test

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR)
