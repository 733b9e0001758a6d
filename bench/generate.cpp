// End-to-end generation speed: samples per second of Generator::generate (family sample ->
// graph + query -> BFS trace -> compact text, into reused buffers), on one thread and on every
// thread, with min/median/max over repetitions; and, on one thread, the cost of each stage.
//
//   generate [--samples N] [--reps R] [--threads T] [--tsv] [FAMILY...]
//
// Defaults: G15_2_4 and G20_5_6, 2,000,000 samples per repetition, 5 repetitions, threads 1 and
// all hardware threads. Each thread draws its own contiguous index range with its own Generator
// (as `searchtrace generate` does); the per-core figure is the total rate over the threads.
// Stage costs on one thread come from cumulative pipelines over the same indices: draw only
// (Sampler), + trace (trace_into), + text (Generator::generate, which also fills SampleInfo).
// --tsv prints one machine-readable line per measurement (bench/run_generate.sh reads them).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "searchtrace/dataset.hpp"
#include "searchtrace/family.hpp"
#include "searchtrace/tracer.hpp"

using namespace searchtrace;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Stats {
  double min = 0, median = 0, max = 0;
};

Stats stats_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  const double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return {v.front(), median, v.back()};
}

// Keeps the optimiser from dropping work whose result is otherwise unused.
volatile std::size_t sink = 0;

/// Samples/s of `threads` threads generating `samples` samples in total.
double generator_rate(const Generator& prototype, std::uint64_t samples, unsigned threads,
                      std::uint64_t first_index) {
  std::vector<std::thread> pool;
  std::vector<std::size_t> bytes(threads, 0);
  const auto t0 = Clock::now();
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
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
    });
  for (auto& th : pool)
    th.join();
  const double dt = seconds_since(t0);
  for (const std::size_t b : bytes)
    sink = sink + b;
  return static_cast<double>(samples) / dt;
}

/// ns per sample of the cumulative stages on one thread: draw, draw+trace, generate.
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
    SearchState state;
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
  ns.push_back(1e9 / generator_rate(prototype, samples, 1, 0));
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
    std::printf("%-10s %7s %10s %12s %12s %12s %14s\n", "family", "threads", "samples", "min/s",
                "median/s", "max/s", "median/s/core");
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
      std::vector<double> rates;
      for (int r = 0; r < reps; ++r)
        rates.push_back(generator_rate(prototype, samples, threads, 0));
      const Stats s = stats_of(rates);
      if (tsv)
        std::printf("generator\t%s\t%u\t%llu\t%.0f\t%.0f\t%.0f\n", spec.c_str(), threads,
                    static_cast<unsigned long long>(samples), s.min, s.median, s.max);
      else
        std::printf("%-10s %7u %10llu %12.0f %12.0f %12.0f %14.0f\n", spec.c_str(), threads,
                    static_cast<unsigned long long>(samples), s.min, s.median, s.max,
                    s.median / threads);
    }
    const auto ns = stage_costs(*family, prototype, std::min<std::uint64_t>(samples, 1'000'000));
    if (tsv)
      std::printf("stages\t%s\t%.1f\t%.1f\t%.1f\n", spec.c_str(), ns[0], ns[1] - ns[0],
                  ns[2] - ns[1]);
    else
      std::printf("%-10s one thread, ns/sample: draw %.0f, trace %.0f, text+info %.0f (total "
                  "%.0f)\n",
                  spec.c_str(), ns[0], ns[1] - ns[0], ns[2] - ns[1], ns[2]);
    std::fflush(stdout);
  }
  return 0;
}
