// End-to-end generation speed: samples per second of Generator::generate (family sample ->
// graph + query -> BFS trace -> compact text, into reused buffers), on one thread and on every
// thread, with min/median/max over repetitions; and, on one thread, the cost of each stage.
//
//   generate [--samples N] [--reps R] [--threads T] [--tsv] [FAMILY...]
//
// Defaults: G15_2_4 and G20_5_6, 2,000,000 samples per repetition, 5 repetitions, threads 1 and
// all hardware threads. Each thread draws its own contiguous index range with its own Generator
// (as `searchtrace generate` does); the per-core figure is the total rate over the threads.
// Stage costs on one thread, over the same indices: the draw alone (Sampler), and what
// Generator::generate adds to it (trace, text and SampleInfo: for compact BFS on small graphs
// the completion is written while tracing, so the two are one stage); for comparison, the
// draw followed by trace_into alone.
// --tsv prints one machine-readable line per measurement (bench/run_generate.sh reads them).
//
// Two clocks: wall-clock samples/s (what a user waits for), and samples per CPU-second of the
// generating threads (CLOCK_THREAD_CPUTIME_ID), the per-core rate, which other processes on a
// shared machine disturb much less (they still share caches and, with SMT, cores).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <time.h>

#include "bench_support.hpp"
#include "searchtrace/dataset.hpp"
#include "searchtrace/family.hpp"
#include "searchtrace/sampler.hpp"
#include "searchtrace/tracer.hpp"

using namespace searchtrace;

namespace {

/// Issue 3's target for G15_2_4 (compact text, BFS), samples per second on one core.
constexpr double g15_2_4_target = 2'000'000;

using bench::Stats;
using bench::stats_of;
using bench::thread_cpu_seconds;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Keeps the optimiser from dropping work whose result is otherwise unused.
volatile std::size_t sink = 0;

struct Rate {
  double wall = 0; // samples per wall-clock second, all threads together
  double cpu = 0;  // samples per CPU-second of the generating threads: per core
};

/// The rates of `threads` threads generating `samples` samples in total.
Rate generator_rate(const Generator& prototype, std::uint64_t samples, unsigned threads,
                    std::uint64_t first_index) {
  std::vector<std::thread> pool;
  std::vector<std::size_t> bytes(threads, 0);
  std::vector<double> cpu(threads, 0);
  const auto t0 = Clock::now();
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      const double c0 = thread_cpu_seconds();
      Generator g = prototype;
      Sample s;
      const std::uint64_t begin = first_index + samples * t / threads;
      const std::uint64_t end = first_index + samples * (t + 1) / threads;
      std::size_t total = 0;
      for (std::uint64_t i = begin; i < end; ++i) {
        if (g.generate(i, s))
          std::abort();
        total += s.text.size();
      }
      bytes[t] = total;
      cpu[t] = thread_cpu_seconds() - c0;
    });
  for (auto& th : pool)
    th.join();
  const double dt = seconds_since(t0);
  double cpu_total = 0;
  for (unsigned t = 0; t < threads; ++t) {
    sink = sink + bytes[t];
    cpu_total += cpu[t];
  }
  return {static_cast<double>(samples) / dt, static_cast<double>(samples) / cpu_total};
}

/// ns per sample on one thread: draw, draw + trace_into, generate.
std::vector<double> stage_costs(const Family& family, const Generator& prototype,
                                std::uint64_t samples) {
  std::vector<double> ns;
  {
    Sampler sampler(family);
    Prompt p;
    std::size_t total = 0;
    const auto t0 = Clock::now();
    for (std::uint64_t i = 0; i < samples; ++i) {
      if (sampler.draw(0, i, p))
        std::abort();
      total += p.graph.edge_count();
    }
    ns.push_back(seconds_since(t0) * 1e9 / static_cast<double>(samples));
    sink = sink + total;
  }
  {
    Sampler sampler(family);
    Prompt p;
    Trace tr;
    SearchScratch state;
    std::size_t total = 0;
    const auto t0 = Clock::now();
    for (std::uint64_t i = 0; i < samples; ++i) {
      if (sampler.draw(0, i, p))
        std::abort();
      if (trace_into(tr, state, p.graph, p.query) != SearchStatus::found)
        std::abort();
      total += tr.path.size();
    }
    ns.push_back(seconds_since(t0) * 1e9 / static_cast<double>(samples));
    sink = sink + total;
  }
  ns.push_back(1e9 / generator_rate(prototype, samples, 1, 0).wall);
  return ns;
}

[[noreturn]] void usage() {
  std::fputs("usage: generate [--samples N] [--reps R] [--threads T] [--tsv] [FAMILY...]\n",
             stderr);
  std::exit(2);
}

} // namespace

int main(int argc, char** argv) {
  std::uint64_t samples = 2'000'000;
  int reps = 5;
  unsigned all = std::max(1u, std::thread::hardware_concurrency());
  bool tsv = false;
  std::vector<std::string> families;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const auto value = [&] {
      if (i + 1 >= argc)
        usage();
      return std::strtoull(argv[++i], nullptr, 10);
    };
    if (a == "--samples")
      samples = value();
    else if (a == "--reps")
      reps = static_cast<int>(value());
    else if (a == "--threads")
      all = static_cast<unsigned>(value());
    else if (a == "--tsv")
      tsv = true;
    else if (!a.empty() && a[0] == '-')
      usage();
    else
      families.emplace_back(a);
  }
  if (families.empty())
    families = {"G15_2_4", "G20_5_6"};
  if (samples == 0 || reps < 1 || all == 0)
    usage();

  std::vector<unsigned> thread_counts{1};
  if (all > 1)
    thread_counts.push_back(all);

  if (!tsv)
    std::printf("%-8s %7s %9s | %-29s | %-29s\n%-8s %7s %9s | %9s %9s %9s | %9s %9s %9s\n",
                "family", "threads", "samples", "samples/s (wall clock)",
                "samples/CPU-s (per core)", "", "", "", "min", "median", "max", "min", "median",
                "max");
  for (const std::string& spec : families) {
    auto family = parse_family(spec);
    if (!family) {
      std::fprintf(stderr, "bad family %s: %s\n", spec.c_str(), family.error().message.c_str());
      return 2;
    }
    DatasetOptions options;
    options.family_spec = family->spec();
    const Generator prototype(*family, options);
    generator_rate(prototype, std::min<std::uint64_t>(samples, 100'000), 1, 0); // warm up
    for (const unsigned threads : thread_counts) {
      std::vector<double> wall, cpu;
      for (int r = 0; r < reps; ++r) {
        const Rate rate = generator_rate(prototype, samples, threads, 0);
        wall.push_back(rate.wall);
        cpu.push_back(rate.cpu);
      }
      const Stats w = stats_of(wall), c = stats_of(cpu);
      if (tsv)
        std::printf("generator\t%s\t%u\t%llu\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\n", spec.c_str(),
                    threads, static_cast<unsigned long long>(samples), w.min, w.median, w.max,
                    c.min, c.median, c.max);
      else
        std::printf("%-8s %7u %9llu | %9.0f %9.0f %9.0f | %9.0f %9.0f %9.0f\n", spec.c_str(),
                    threads, static_cast<unsigned long long>(samples), w.min, w.median, w.max,
                    c.min, c.median, c.max);
      if (!tsv && threads == 1 && family->spec() == "G15_2_4")
        std::printf("%-10s one core: %.0f samples per CPU-second (median; min %.0f), %.2fx the "
                    "target of %.0f\n",
                    spec.c_str(), c.median, c.min, c.median / g15_2_4_target, g15_2_4_target);
    }
    const auto ns = stage_costs(*family, prototype, std::min<std::uint64_t>(samples, 1'000'000));
    if (tsv)
      std::printf("stages\t%s\t%.1f\t%.1f\t%.1f\n", spec.c_str(), ns[0], ns[2] - ns[0],
                  ns[1] - ns[0]);
    else
      std::printf("%-10s one thread, ns/sample: draw %.0f, trace+text+info %.0f (total %.0f); "
                  "trace_into alone %.0f\n",
                  spec.c_str(), ns[0], ns[2] - ns[0], ns[2], ns[1] - ns[0]);
    std::fflush(stdout);
  }
  return 0;
}
