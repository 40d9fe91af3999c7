#!/usr/bin/env bash
# tools/sanitize.sh [asan|tsan|all] [CTEST_ARGS...]: sanitizer builds beside the normal one.
#   asan: build-asan/, AddressSanitizer + UndefinedBehaviorSanitizer, the whole CTest suite.
#   tsan: build-tsan/, ThreadSanitizer, the tests of the threaded parts (store writer, session
#         layer and its search thread, runs model, the distance cache's concurrent writers, two
#         data-parallel ranks as threads),
#         with tools/tsan.supp for the uninstrumented libraries.
# Extra arguments go to ctest (e.g. -R test_loaders); TARGETS="a b" builds only those targets
# (a full ASan build is long on two cores). CI keeps the normal build (tools/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
[ $# -gt 0 ] && shift
case "$mode" in asan|tsan|all) ;; *) echo "usage: $0 [asan|tsan|all] [ctest args]" >&2; exit 2 ;; esac

configure() { # dir flags
  cmake -S . -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS="$2 -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS="$2" -DCMAKE_SHARED_LINKER_FLAGS="$2" >/dev/null
}

status=0
if [ "$mode" = asan ] || [ "$mode" = all ]; then
  configure build-asan "-fsanitize=address,undefined -fno-sanitize-recover=undefined"
  # shellcheck disable=SC2086 # TARGETS is a list of target names
  nice -n 10 cmake --build build-asan -j2 ${TARGETS:+--target $TARGETS}
  # detect_leaks=0: LibTorch, OpenMP and Qt keep process-lifetime allocations in uninstrumented
  # code that LeakSanitizer reports at exit; memory errors and UB still abort the test.
  # new_delete_type_mismatch=0: LibTorch (built without ASan) frees some objects through a
  # base class with a different size.
  ASAN_OPTIONS=detect_leaks=0:new_delete_type_mismatch=0:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure "$@" || status=1
fi
if [ "$mode" = tsan ] || [ "$mode" = all ]; then
  # shellcheck disable=SC2206 # TARGETS is a list of target names
  threaded=(${TARGETS:-test_store_writer test_distance_cache test_search_session test_runs_model
            test_termination_signals test_data_parallel})
  configure build-tsan "-fsanitize=thread"
  nice -n 10 cmake --build build-tsan -j2 --target "${threaded[@]}"
  TSAN_OPTIONS="suppressions=$PWD/tools/tsan.supp halt_on_error=1 second_deadlock_stack=1" \
    ctest --test-dir build-tsan --output-on-failure -R "^($(IFS='|'; echo "${threaded[*]}"))\$" \
    "$@" || status=1
fi
exit $status
