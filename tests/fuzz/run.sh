#!/usr/bin/env bash
# Builds every libFuzzer target tests/fuzz/fuzz_<name>.cpp with clang++ and
# -fsanitize=fuzzer,address,undefined, then fuzzes each for a bounded time, one after the other,
# starting from its committed seed corpus tests/fuzz/corpus_<name>/ (which stays untouched: new
# inputs go to build/fuzz/corpus_<name>/) with the dictionary tests/fuzz/<name>.dict if there is
# one. A target is a file: adding fuzz_<name>.cpp and corpus_<name>/ adds it here (and
# tests/fuzz_corpora.cpp asks for its replay there).
#
# A crash, a sanitizer report, a leak, a timeout, an out-of-memory or a violated property of a
# harness fails the run (exit 1, after the other targets have run) and leaves the input in
# build/fuzz/artifacts/<name>/. Each target's libFuzzer output goes to build/fuzz/<name>.log;
# the run prints a summary line per target (executions, exec/s, cov, ft, corpus) and the end of
# the log of a target that failed.
#
#   bash tests/fuzz/run.sh                                  # every target, 60 s each
#   FUZZ_TARGETS="family ids" FUZZ_SECONDS=600 bash tests/fuzz/run.sh
#   build/fuzz/fuzz_family build/fuzz/artifacts/family/crash-...   # reproduce one input
#
# Environment: FUZZ_SECONDS per target (default 60), FUZZ_TARGETS (names, default all),
# FUZZ_CXX (default clang++), FUZZ_CXXFLAGS (extra flags, before the others: e.g. -I of a
# patched include tree), FUZZ_RSS_MB (default 2048), FUZZ_JOBS (targets built and fuzzed side by
# side; default $JOBS or 2).
# Called by scripts/test.sh (step "fuzz"). If clang or its libFuzzer runtime is missing the run
# is skipped with a message (.ci/run installs both: clang and libclang-rt-14-dev).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds="${FUZZ_SECONDS:-60}"
cxx="${FUZZ_CXX:-clang++}"
rss_mb="${FUZZ_RSS_MB:-2048}"
jobs="${FUZZ_JOBS:-${JOBS:-2}}"
read -r -a extra_flags <<<"${FUZZ_CXXFLAGS:-}"
out=build/fuzz
mkdir -p "$out"

all_targets=()
for src in tests/fuzz/fuzz_*.cpp; do
  name="${src#tests/fuzz/fuzz_}"
  all_targets+=("${name%.cpp}")
done
targets=()
if [[ -n "${FUZZ_TARGETS:-}" ]]; then
  for t in ${FUZZ_TARGETS}; do
    t="${t#fuzz_}"
    if [[ ! -f tests/fuzz/fuzz_$t.cpp ]]; then
      echo "fuzz: no target '$t' (targets: ${all_targets[*]})" >&2
      exit 2
    fi
    targets+=("$t")
  done
else
  targets=("${all_targets[@]}")
fi
for t in "${targets[@]}"; do
  if [[ ! -d tests/fuzz/corpus_$t ]]; then
    echo "fuzz: target '$t' has no seed corpus tests/fuzz/corpus_$t/" >&2
    exit 2
  fi
done

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

flags=("${extra_flags[@]}" -std=c++20 -g -O1 -fno-omit-frame-pointer
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Iinclude -Itests/fuzz)

# Where the targets' sources and headers are (with any -I of FUZZ_CXXFLAGS).
source_dirs=(include tests/fuzz)
for f in "${extra_flags[@]}"; do
  [[ $f == -I?* && -d ${f#-I} ]] && source_dirs+=("${f#-I}")
done

# Rebuilds a target when its source, a header it may include or the flags changed.
build() {
  local name=$1 bin="$out/fuzz_$1" stamp="$out/fuzz_$1.flags"
  local want
  want="$cxx ${flags[*]}"
  if [[ -x $bin && -f $stamp && "$(cat "$stamp")" == "$want" ]] &&
    [[ -z "$(find "${source_dirs[@]}" -newer "$bin" \( -name '*.hpp' -o -name '*.cpp' \) -print -quit)" ]]; then
    echo "fuzz: $bin is up to date"
    return
  fi
  echo "fuzz: building $bin"
  local start=$SECONDS
  "$cxx" "${flags[@]}" "tests/fuzz/fuzz_$name.cpp" -o "$bin"
  printf '%s' "$want" >"$stamp"
  echo "fuzz: built in $((SECONDS - start)) s"
}

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# Builds and fuzzes one target; its summary line goes to $out/<name>.summary, and the status
# (0 = ok) is the function's.
fuzz_one() {
  local t=$1
  build "$t"
  mkdir -p "$out/corpus_$t" "$out/artifacts/$t"
  local dict=()
  [[ -f tests/fuzz/$t.dict ]] && dict=(-dict="tests/fuzz/$t.dict")
  local log="$out/$t.log"
  echo "fuzz: fuzzing $t for $seconds s (log: $log)"
  local status=0
  "$out/fuzz_$t" -max_total_time="$seconds" -rss_limit_mb="$rss_mb" -timeout=10 -max_len=4096 \
    "${dict[@]}" -print_final_stats=1 -artifact_prefix="$out/artifacts/$t/" \
    "$out/corpus_$t" "tests/fuzz/corpus_$t" >"$log" 2>&1 || status=$?
  # The last status line ("#N DONE cov: ... ft: ... corp: ... exec/s: ...") and the totals.
  local last runs rate cov ft corp line
  last=$(grep -E '^#[0-9]+[[:space:]]' "$log" | tail -n 1 || true)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<<"$last")
  line=$(printf '%-10s %-6s executions %-10s exec/s %-7s cov %-6s ft %-7s corpus %s' "$t" \
    "$([[ $status -eq 0 ]] && echo ok || echo FAILED)" "${runs:-?}" "${rate:-?}" "${cov:-?}" \
    "${ft:-?}" "${corp:-?}")
  printf '%s\n' "$line" >"$out/$t.summary"
  echo "fuzz: $line"
  if [[ $status -ne 0 ]]; then
    {
      echo "fuzz: $t FAILED (exit $status); the end of $log:"
      tail -n 60 "$log"
      echo "fuzz: inputs in $out/artifacts/$t/:"
      ls -l "$out/artifacts/$t/" || true
    } >&2
  fi
  return "$status"
}

# The targets run side by side, $jobs at a time: libFuzzer is single-threaded, so on a 2-core CI
# machine two targets take the wall time of one.
start=$SECONDS
failed=()
summary=()
declare -A pid_of=()
for t in "${targets[@]}"; do
  while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do
    wait -n || true
  done
  rm -f "$out/$t.summary"
  fuzz_one "$t" &
  pid_of[$t]=$!
done
for t in "${targets[@]}"; do
  if ! wait "${pid_of[$t]}"; then
    failed+=("$t")
  fi
  if [[ -f $out/$t.summary ]]; then
    summary+=("$(cat "$out/$t.summary")")
  else
    summary+=("$t: did not finish (see above)")
  fi
done

echo "fuzz: summary ($((SECONDS - start)) s in all, $jobs at a time)"
printf '  %s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: passed"
