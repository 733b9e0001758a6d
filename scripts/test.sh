#!/usr/bin/env bash
# The project's test command:   bash scripts/test.sh [STEP...]
#
# Steps (default: all, in this order):
#   format   clang-format --dry-run --Werror over the C++ files in include/ tests/ examples/ bench/
#   release  Release build with -Werror in build/release, then ctest
#   asan     ASan+UBSan build (Debug, -O1; clang++ when installed) with -Werror in build/asan,
#            benchmarks, consumer tests and the Python module off, then ctest (but the browser
#            test)
#   fuzz     hook: runs tests/fuzz/run.sh if it exists
# Build directories are kept between runs, so a second run only rebuilds what changed.
# Environment: JOBS (default 2); CXX picks the compiler at the first configure of a build dir
# (ASAN_CXX for build/asan, default clang++ when installed).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
JOBS="${JOBS:-2}"
start=$SECONDS

steps=("$@")
if [[ ${#steps[@]} -eq 0 ]]; then
  steps=(format release asan fuzz)
fi

banner() { printf '\n==> %s  [%ds]\n' "$*" "$((SECONDS - start))"; }

run_ctest() {
  local dir=$1
  shift
  ctest --test-dir "$dir" --output-on-failure -j"$JOBS" --no-tests=error --timeout 600 "$@"
}

step_format() {
  banner "format: clang-format --dry-run --Werror"
  local dirs=() d
  for d in include tests examples bench; do
    [[ -d $d ]] && dirs+=("$d")
  done
  local files=()
  if [[ ${#dirs[@]} -gt 0 ]]; then
    mapfile -t files < <(find "${dirs[@]}" -type f \( -name '*.hpp' -o -name '*.cpp' \
      -o -name '*.h' -o -name '*.cc' -o -name '*.ipp' \) | LC_ALL=C sort)
  fi
  if [[ ${#files[@]} -eq 0 ]]; then
    echo "no C++ files"
    return
  fi
  clang-format --dry-run --Werror "${files[@]}"
  echo "${#files[@]} files formatted correctly"
}

step_release() {
  banner "release: configure + build (build/release)"
  cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DSEARCHTRACE_WERROR=ON \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
  cmake --build build/release -j"$JOBS"
  banner "release: ctest"
  run_ctest build/release
}

step_asan() {
  banner "asan: configure + build (build/asan)"
  # Sanitizer runtimes must be configured before the build too: doctest_discover_tests runs
  # the test binary after linking it.
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:abort_on_error=0}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
  # clang++ when installed (ASAN_CXX overrides; like CXX, it counts at a build dir's first
  # configure): g++ 12 takes about six times as long to compile the sanitized tests (labels.cpp:
  # 214 s against 35 s), and the release step already builds with g++.
  local asan_cxx="${ASAN_CXX:-}"
  if [[ -z $asan_cxx ]] && command -v clang++ >/dev/null 2>&1; then
    asan_cxx=clang++
  fi
  CXX="${asan_cxx:-${CXX:-c++}}" \
  cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DSEARCHTRACE_WERROR=ON \
    -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -O1" \
    -DSEARCHTRACE_BUILD_BENCHMARKS=OFF -DSEARCHTRACE_CONSUMER_TESTS=OFF \
    -DSEARCHTRACE_BUILD_PYTHON=OFF
  cmake --build build/asan -j"$JOBS"
  banner "asan: ctest"
  # The headless-browser test drives the same CLI code paths as the cli.show/cli.eval tests
  # (run here); it runs in the release step. The Python module is not built here: an
  # uninstrumented interpreter cannot load an ASan module without preloading the runtime.
  run_ctest build/asan -LE browser
}

step_fuzz() {
  # ---- FUZZ HOOK ------------------------------------------------------------------------------
  # The fuzz targets (tests/fuzz/, driven by tests/fuzz/CMakeLists.txt) are not built here; their
  # own script builds and runs them briefly. Keep it short: this whole script should stay well
  # under 20 minutes on 2 cores.
  if [[ -f tests/fuzz/run.sh ]]; then
    banner "fuzz: tests/fuzz/run.sh"
    bash tests/fuzz/run.sh
  else
    banner "fuzz: no tests/fuzz/run.sh, skipped"
  fi
}

for s in "${steps[@]}"; do
  case "$s" in
    format | release | asan | fuzz) "step_$s" ;;
    *)
      echo "unknown step '$s' (expected: format release asan fuzz)" >&2
      exit 2
      ;;
  esac
done

banner "all passed (${steps[*]}) in $((SECONDS - start))s"
