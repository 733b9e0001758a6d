#!/usr/bin/env bash
# Generation speed, side by side: the C++ library and CLI vs a straightforward Python + networkx
# generator (bench/networkx_generator.py), measured in the same run; plus the memory of a
# 10-million-sample run to a file.
#
#   bash bench/run_generate.sh [BUILD_DIR]        (default: build/release)
#
# Needs a Release build with the benchmarks and the CLI (scripts/test.sh release makes one).
# Environment: REPS (default 5), SAMPLES (C++ samples per repetition, default 2000000),
# PY_SAMPLES (Python samples per repetition, default 20000), RSS_SAMPLES (default 10000000;
# 0 skips the memory run), TMPDIR (where the memory run writes its file; deleted afterwards).
#
# What is measured (samples/s, min/median/max over REPS repetitions):
#   library  Generator::generate into a reused Sample: family sample (graph + query), BFS trace,
#            compact text (bench/generate.cpp), 1 thread and all hardware threads;
#   cli      `searchtrace generate` through its real writer (chunks, ordered output) to
#            /dev/null, 1 thread and all threads, whole process timed;
#   python   bench/networkx_generator.py, the same work in Python + networkx, 1 thread.
# Each both in wall-clock samples/s and in samples per CPU-second (per core: user + system time
# of the generating threads), which other processes on a shared machine disturb much less.
# The ratios are C++ medians over the Python median of the same family, clock for clock.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD="${1:-build/release}"
REPS="${REPS:-5}"
SAMPLES="${SAMPLES:-2000000}"
PY_SAMPLES="${PY_SAMPLES:-20000}"
RSS_SAMPLES="${RSS_SAMPLES:-10000000}"
BENCH="$BUILD/bench/generate"
CLI="$BUILD/examples/cli/searchtrace"
PY=bench/networkx_generator.py
FAMILIES=(G15_2_4 G20_5_6)
THREADS=$(nproc)

for f in "$BENCH" "$CLI"; do
  if [[ ! -x $f ]]; then
    echo "run_generate.sh: $f not found; build first (cmake --build $BUILD)" >&2
    exit 2
  fi
done

echo "== machine: $(nproc) hardware threads, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"

# The Python generator's traces must be the library's: its prompts through `searchtrace trace`
# must give its completions back, byte for byte.
check=$(mktemp)
trap 'rm -f "$check" "$check".*' EXIT
for fam in "${FAMILIES[@]}"; do
  python3 "$PY" --family "$fam" --count 500 --seed 1 --check >"$check"
  cut -f1 "$check" | "$CLI" trace >"$check.cpp"
  if ! cut -f2 "$check" | cmp -s - "$check.cpp"; then
    echo "run_generate.sh: the Python generator's $fam traces disagree with searchtrace trace" >&2
    exit 1
  fi
done
echo "== the Python generator's traces agree with 'searchtrace trace' (500 samples per family)"

declare -A wall cpu
stats() { # prints "min median max" of the numbers on stdin
  sort -g | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2;
                                 printf "%.0f %.0f %.0f\n", v[1], m, v[NR]}'
}
row() { # kind family threads samples wall-min wall-median wall-max cpu-min cpu-median cpu-max
  printf '%-8s %-8s %7s %9s | %9s %9s %9s | %9s %9s %9s\n' "$@"
}

echo
row "" "" "" "" "samples/s" "(wall" "clock)" "samples" "per CPU-s" "(per core)"
row kind family threads samples min median max min median max
for fam in "${FAMILIES[@]}"; do
  while IFS=$'\t' read -r kind f t n w1 w2 w3 c1 c2 c3; do
    [[ $kind == generator ]] || continue
    row library "$f" "$t" "$n" "$w1" "$w2" "$w3" "$c1" "$c2" "$c3"
    wall[library.$f.$t]=$w2
    cpu[library.$f.$t]=$c2
  done < <("$BENCH" --tsv --samples "$SAMPLES" --reps "$REPS" "$fam")

  # The CLI: the whole process, through the real writer, to /dev/null. CPU = user + system time
  # of all its threads.
  for t in 1 "$THREADS"; do
    wall_rates=()
    cpu_rates=()
    for ((r = 0; r < REPS; r++)); do
      start=$(date +%s.%N)
      /usr/bin/time -f '%U %S' -o "$check.time" \
        "$CLI" generate --family "$fam" --count "$SAMPLES" --seed "$r" --threads "$t" >/dev/null
      end=$(date +%s.%N)
      read -r user sys <"$check.time"
      wall_rates+=("$(awk -v n="$SAMPLES" -v a="$start" -v b="$end" 'BEGIN {printf "%.0f", n / (b - a)}')")
      cpu_rates+=("$(awk -v n="$SAMPLES" -v u="$user" -v s="$sys" 'BEGIN {printf "%.0f", n / (u + s)}')")
    done
    read -r w1 w2 w3 < <(printf '%s\n' "${wall_rates[@]}" | stats)
    read -r c1 c2 c3 < <(printf '%s\n' "${cpu_rates[@]}" | stats)
    row cli "$fam" "$t" "$SAMPLES" "$w1" "$w2" "$w3" "$c1" "$c2" "$c3"
    wall[cli.$fam.$t]=$w2
    cpu[cli.$fam.$t]=$c2
    [[ $THREADS -gt 1 ]] || break
  done

  IFS=$'\t' read -r _ f t n w1 w2 w3 c1 c2 c3 < <(python3 "$PY" --tsv --family "$fam" \
    --count "$PY_SAMPLES" --reps "$REPS" --output /dev/null)
  row python "$f" "$t" "$n" "$w1" "$w2" "$w3" "$c1" "$c2" "$c3"
  wall[python.$fam]=$w2
  cpu[python.$fam]=$c2
done

echo
echo "== ratios of medians, C++ over Python + networkx (same family, same run)"
printf '%-22s %26s %26s\n' "" "wall clock" "per CPU-second"
for fam in "${FAMILIES[@]}"; do
  for key in "library.$fam.1" "cli.$fam.1" "library.$fam.$THREADS" "cli.$fam.$THREADS"; do
    [[ -n ${wall[$key]:-} ]] || continue
    awk -v cw="${wall[$key]}" -v pw="${wall[python.$fam]}" -v cc="${cpu[$key]}" \
      -v pc="${cpu[python.$fam]}" -v k="$key" \
      'BEGIN {printf "%-22s %9.0f/%6.0f = %5.0fx %9.0f/%6.0f = %5.0fx\n", k, cw, pw, cw / pw,
              cc, pc, cc / pc}'
  done
done

if [[ $RSS_SAMPLES -gt 0 ]]; then
  echo
  dir="${TMPDIR:-/tmp}"
  need_kb=$((RSS_SAMPLES * 220 / 1024)) # G15_2_4: about 207 bytes per sample
  avail_kb=$(df -Pk "$dir" | awk 'NR == 2 {print $4}')
  if ((avail_kb < need_kb + 1048576)); then
    echo "== memory run skipped: $dir has ${avail_kb} KiB free, needs about ${need_kb} KiB"
  else
    out="$dir/searchtrace_rss_$$.txt"
    for t in 1 "$THREADS"; do
      /usr/bin/time -f '%M %e' -o "$check.time" \
        "$CLI" generate --family G15_2_4 --count "$RSS_SAMPLES" --threads "$t" -o "$out"
      read -r rss_kb secs <"$check.time"
      bytes=$(stat -c %s "$out")
      rm -f "$out"
      awk -v k="$rss_kb" -v s="$secs" -v b="$bytes" -v n="$RSS_SAMPLES" -v t="$t" 'BEGIN {
        printf "== %d samples of G15_2_4 to a file (%.2f GB), --threads %d: max RSS %.1f MiB, %.1f s\n",
               n, b / 1e9, t, k / 1024, s}'
      [[ $THREADS -gt 1 ]] || break
    done
  fi
fi
