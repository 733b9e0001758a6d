#!/usr/bin/env bash
# Builds the libFuzzer target tests/fuzz/fuzz_classify.cpp with clang++ and
# -fsanitize=fuzzer,address,undefined, then fuzzes for a bounded time starting from the committed
# seed corpus tests/fuzz/corpus/ (which stays untouched: new inputs go to build/fuzz/corpus/).
# A crash, a sanitizer report, a leak, a timeout, an out-of-memory or a violated property of
# fuzz_harness.hpp fails the run (exit 1) and leaves the input in build/fuzz/artifacts/.
#
#   bash tests/fuzz/run.sh                 # 60 s
#   FUZZ_SECONDS=600 bash tests/fuzz/run.sh
#   build/fuzz/fuzz_classify build/fuzz/artifacts/crash-...   # reproduce one input
#
# Environment: FUZZ_SECONDS (default 60), FUZZ_CXX (default clang++), FUZZ_RSS_MB (default 2048).
# Called by scripts/test.sh (step "fuzz"). If clang or its libFuzzer runtime is missing the run
# is skipped with a message (.ci/run installs both: clang and libclang-rt-14-dev).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds="${FUZZ_SECONDS:-60}"
cxx="${FUZZ_CXX:-clang++}"
rss_mb="${FUZZ_RSS_MB:-2048}"
out=build/fuzz
mkdir -p "$out/corpus" "$out/artifacts"

if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "fuzz: $cxx not found, skipped (install clang and libclang-rt-14-dev)"
  exit 0
fi
probe="$out/probe.cpp"
printf '%s\n' '#include <cstddef>' '#include <cstdint>' \
  'extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }' \
  >"$probe"
if ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe" -o "$out/probe" >/dev/null 2>&1; then
  echo "fuzz: $cxx cannot link -fsanitize=fuzzer (libFuzzer runtime missing), skipped"
  exit 0
fi

flags=(-std=c++20 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
  -fno-sanitize-recover=all -Iinclude -Itests/fuzz)
echo "fuzz: building $out/fuzz_classify"
start=$SECONDS
"$cxx" "${flags[@]}" tests/fuzz/fuzz_classify.cpp -o "$out/fuzz_classify"
echo "fuzz: built in $((SECONDS - start)) s; fuzzing for ${seconds} s"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
"$out/fuzz_classify" -max_total_time="$seconds" -rss_limit_mb="$rss_mb" -timeout=10 \
  -max_len=4096 -dict=tests/fuzz/completion.dict -print_final_stats=1 \
  -artifact_prefix="$out/artifacts/" "$out/corpus" tests/fuzz/corpus || status=$?
if [[ $status -ne 0 ]]; then
  echo "fuzz: FAILED (exit $status); inputs in $out/artifacts/:" >&2
  ls -l "$out/artifacts/" >&2 || true
  exit 1
fi
echo "fuzz: passed ($((SECONDS - start)) s in all)"
