// Parse + classify speed: completions per second on one core, for samples of a family (default
// G15_2_4, the seed's training family), with min/median/max over repetitions.
//
//   classify [--samples N] [--rounds K] [--reps R] [--algo bfs|dfs] [--workload W] [--stage S]
//            [FAMILY]
//
// --workload and --stage run one workload / one measurement only (for a profiler).
//
// A pool of N samples (default 10,000: sample 0..N-1 of seed 0) is drawn once; its prompts are
// parsed once, as an evaluation does before it judges many outputs. A repetition judges every
// completion of a workload K times (default 100: 1,000,000 completions), one after the other
// with one reused Classifier (the documented way: a classification allocates nothing once
// warm). The pool must be large. For parse alone the branch predictor learns small pools (6.4M/s
// on 100 samples, 3.5M/s on 10,000, the same with all texts in one contiguous buffer). For
// parse+classify it is the cache: each classification meets its prompt's graph cold (about a
// kilobyte per prompt, in several heap blocks), so the rate depends on what else uses the
// shared last-level cache. On the 2-core development machine the same binary measured 5.9M/s
// on 1,000 samples, and on 10,000 from 1.7M/s (a memory-hungry process on the other core) to
// 3.4M/s (that core idle). Compare builds by instruction counts (valgrind --tool=callgrind with
// --workload and --stage to isolate one measurement) and confirm with this program, the builds run
// alternately. Instructions per completion, G15_2_4 BFS: correct 1,230, pretty 1,240 (both
// take Classifier's fast path), mixed 4,660 on average (half fast, half a failed match, a parse
// and a replay), DFS correct 2,350; parse alone 2,130. Workloads:
//   correct  the reference completions, compact spacing
//   pretty   the same in pretty spacing (", " in lists, " - ")
//   mixed    half reference, half mutated: a list out of order, a node left out, two
//            expansions swapped, a node replaced by another label, a wrong backtrack step, an
//            extra or a missing last expansion, the text cut at a random byte (one each, in turn)
// and three measurements per workload:
//   parse                 CompletionParser::parse alone
//   parse+classify        Classifier::classify(prompt, text): the headline figure (a correct
//                         text is matched against the reference as the search runs, and never
//                         parsed: Classifier's fast path; any other text is parsed and replayed)
//   prompt+parse+classify the prompt text parsed too (PromptParser into a reused Prompt)
// Two clocks, as in bench/generate.cpp: wall-clock completions/s, and completions per CPU-second
// of the thread (CLOCK_THREAD_CPUTIME_ID), which other processes on a shared machine disturb
// less. Every repetition also checks its verdicts (all reference completions valid and exact,
// every mutated one counted), so the figure is of work that was really done.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <time.h>

#include "bench_support.hpp"
#include "searchtrace/classify.hpp"
#include "searchtrace/completion.hpp"
#include "searchtrace/dataset.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/random.hpp"
#include "searchtrace/render.hpp"

using namespace searchtrace;

namespace {

using bench::Stats;
using bench::stats_of;
using bench::thread_cpu_seconds;

constexpr double target_per_second = 2'000'000;

using Clock = std::chrono::steady_clock;

struct Item {
  std::size_t prompt = 0; // index into the pool
  std::string completion;
  bool reference = false;
};

struct Pool {
  std::vector<std::string> prompt_texts;
  std::vector<Prompt> prompts;
  std::vector<Trace> traces;
};

// One mutation of a reference trace; returns false when it does not apply to this trace.
bool mutate(std::size_t kind, const Trace& ref, Rng& rng, std::string& out) {
  Trace t = ref;
  const std::size_t e = t.expansion_count();
  switch (kind) {
  case 0: { // two listed nodes out of order
    std::vector<std::size_t> lists;
    for (std::size_t i = 0; i < e; ++i)
      if (t.list(i).size() >= 2)
        lists.push_back(i);
    if (lists.empty())
      return false;
    const std::size_t i = lists[rng.below(lists.size())];
    const std::size_t b = i == 0 ? 0 : t.list_end[i - 1];
    std::swap(t.listed[b], t.listed[b + 1]);
    break;
  }
  case 1: { // a listed node left out
    if (t.listed.empty())
      return false;
    t.remove_listed(rng.below(t.listed.size()));
    break;
  }
  case 2: { // two expansions swapped (with their lists)
    if (e < 3)
      return false;
    Trace s = t;
    s.expanded.clear();
    s.list_end.clear();
    s.listed.clear();
    const std::size_t i = 1 + rng.below(e - 2);
    for (std::size_t k = 0; k < e; ++k) {
      const std::size_t from = k == i ? i + 1 : k == i + 1 ? i : k;
      s.begin_expansion(t.expanded[from]);
      for (const Label v : t.list(from))
        s.list_node(v);
    }
    t = s;
    break;
  }
  case 3: { // a node replaced by another label (a hallucination)
    if (t.listed.empty())
      return false;
    t.listed[rng.below(t.listed.size())] = static_cast<Label>(rng.below(50));
    break;
  }
  case 4: { // a wrong backtrack step (the path follows it)
    if (t.backtrack.size() < 3)
      return false;
    const std::size_t j = 1 + rng.below(t.backtrack.size() - 2);
    t.backtrack[j] = static_cast<Label>(rng.below(50));
    t.path.assign(t.backtrack.rbegin(), t.backtrack.rend());
    break;
  }
  case 5: // the exploration goes on: the last expansion repeated
    t.begin_expansion(t.expanded.back());
    break;
  case 6: // the exploration stops one expansion early
    if (e < 2)
      return false;
    t.expanded.pop_back();
    t.listed.resize(t.list_end[e - 2]);
    t.list_end.pop_back();
    break;
  default: { // the text cut at a random byte
    out.clear();
    append_completion(out, t);
    out.resize(rng.below(out.size()));
    return true;
  }
  }
  out.clear();
  append_completion(out, t);
  return true;
}

std::vector<Item> workload(const Pool& pool, std::string_view name) {
  std::vector<Item> items;
  Rng rng(12345);
  std::size_t kind = 0;
  for (std::size_t i = 0; i < pool.traces.size(); ++i) {
    Item it;
    it.prompt = i;
    it.reference = true;
    if (name == "pretty") {
      append_completion(it.completion, pool.traces[i], Rendering::pretty);
    } else if (name == "mixed" && i % 2 == 1) {
      for (std::size_t tries = 0; tries < 8; ++tries, ++kind)
        if (mutate(kind % 8, pool.traces[i], rng, it.completion)) {
          it.reference = false;
          ++kind;
          break;
        }
      if (it.reference)
        append_completion(it.completion, pool.traces[i]);
    } else {
      append_completion(it.completion, pool.traces[i]);
    }
    items.push_back(std::move(it));
  }
  return items;
}

volatile std::size_t sink_value = 0;

struct Measure {
  std::vector<double> wall, cpu;
};

enum class Stage { parse, classify, end_to_end };

// One repetition: every item `rounds` times. Returns the number of invalid verdicts (or, for
// parse, of incomplete parses) per round, for the correctness check.
std::size_t run_once(Stage stage, const Pool& pool, const std::vector<Item>& items,
                     std::size_t rounds, const SearchOptions& o, Classifier& classifier,
                     CompletionParser& parser, ParsedCompletion& parsed,
                     PromptParser& prompt_parser, Prompt& scratch) {
  std::size_t bad = 0;
  for (std::size_t r = 0; r < rounds; ++r) {
    bad = 0;
    for (const Item& it : items) {
      switch (stage) {
      case Stage::parse:
        parser.parse(it.completion, parsed);
        bad += parsed.complete ? 0 : 1;
        break;
      case Stage::classify: {
        const Verdict& v = classifier.classify(pool.prompts[it.prompt], it.completion, o);
        bad += v.valid ? 0 : 1;
        if (it.reference && !(v.valid && v.exact)) {
          std::fprintf(stderr, "a reference completion was judged invalid: %s\n",
                       it.completion.c_str());
          std::exit(1);
        }
        break;
      }
      case Stage::end_to_end: {
        if (prompt_parser.parse(pool.prompt_texts[it.prompt], scratch)) {
          std::fprintf(stderr, "a generated prompt does not parse\n");
          std::exit(1);
        }
        bad += classifier.classify(scratch, it.completion, o).valid ? 0 : 1;
        break;
      }
      }
    }
  }
  return bad;
}

void usage() {
  std::fprintf(stderr,
               "usage: classify [--samples N] [--rounds K] [--reps R] [--algo bfs|dfs]\n"
               "                [--workload correct|pretty|mixed] [--stage parse|classify|all]\n"
               "                [FAMILY]\n");
  std::exit(2);
}

} // namespace

int main(int argc, char** argv) {
  std::size_t samples = 10000, rounds = 100, reps = 5;
  std::string family = "G15_2_4";
  std::string only_workload, only_stage;
  SearchOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const auto number = [&] {
      if (i + 1 >= argc)
        usage();
      return static_cast<std::size_t>(std::strtoull(argv[++i], nullptr, 10));
    };
    if (a == "--samples")
      samples = number();
    else if (a == "--rounds")
      rounds = number();
    else if (a == "--reps")
      reps = number();
    else if (a == "--algo" && i + 1 < argc) {
      const auto alg = parse_algorithm(argv[++i]);
      if (!alg)
        usage();
      options.algorithm = *alg;
    } else if (a == "--workload" && i + 1 < argc) {
      only_workload = argv[++i];
    } else if (a == "--stage" && i + 1 < argc) {
      only_stage = argv[++i];
    } else if (!a.empty() && a[0] != '-')
      family = a;
    else
      usage();
  }
  if (samples == 0 || rounds == 0 || reps == 0)
    usage();

  DatasetOptions dataset;
  dataset.family_spec = family;
  dataset.search = options;
  auto generator = Generator::create(dataset);
  if (!generator) {
    std::fprintf(stderr, "classify: %s\n", generator.error().message.c_str());
    return 2;
  }
  Pool pool;
  Sample sample;
  double bytes = 0;
  for (std::size_t i = 0; i < samples; ++i) {
    if (auto e = generator->generate(i, sample)) {
      std::fprintf(stderr, "classify: %s\n", e->message.c_str());
      return 2;
    }
    pool.prompt_texts.emplace_back(sample.prompt_text());
    pool.prompts.push_back(sample.prompt);
    pool.traces.push_back(sample.trace);
    bytes += static_cast<double>(sample.completion_text().size());
  }
  std::printf("searchtrace classify benchmark: %s, %s, %zu distinct samples (mean completion "
              "%.1f bytes), %zu x %zu completions per repetition, %zu repetitions, one thread\n\n",
              family.c_str(), std::string(algorithm_name(options.algorithm)).c_str(), samples,
              bytes / static_cast<double>(samples), samples, rounds, reps);
  std::printf("completions per second: wall clock (min/median/max) | per CPU-second of the thread "
              "(min/median/max)\n");
  std::printf("%-8s %-22s %9s %9s %9s | %9s %9s %9s %8s\n", "workload", "stage", "min", "median",
              "max", "min", "median", "max", "invalid");

  Classifier classifier;
  CompletionParser parser;
  ParsedCompletion parsed;
  PromptParser prompt_parser;
  Prompt scratch;
  double headline = 0;
  for (const std::string_view name : {"correct", "pretty", "mixed"}) {
    if (!only_workload.empty() && only_workload != name)
      continue;
    const std::vector<Item> items = workload(pool, name);
    for (const Stage stage : {Stage::parse, Stage::classify, Stage::end_to_end}) {
      const char* stage_name = stage == Stage::parse      ? "parse"
                               : stage == Stage::classify ? "classify"
                                                          : "all";
      if (!only_stage.empty() && only_stage != stage_name)
        continue;
      // Warm-up: buffers grow to their final size, caches fill.
      run_once(stage, pool, items, 1, options, classifier, parser, parsed, prompt_parser, scratch);
      Measure m;
      std::size_t bad = 0;
      for (std::size_t r = 0; r < reps; ++r) {
        const auto t0 = Clock::now();
        const double c0 = thread_cpu_seconds();
        bad = run_once(stage, pool, items, rounds, options, classifier, parser, parsed,
                       prompt_parser, scratch);
        const double cpu = thread_cpu_seconds() - c0;
        const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
        const double n = static_cast<double>(items.size() * rounds);
        m.wall.push_back(n / wall);
        m.cpu.push_back(n / cpu);
        sink_value = sink_value + bad;
      }
      const Stats w = stats_of(m.wall), c = stats_of(m.cpu);
      const char* shown = stage == Stage::parse      ? "parse"
                          : stage == Stage::classify ? "parse+classify"
                                                     : "prompt+parse+classify";
      std::printf("%-8s %-22s %9.0f %9.0f %9.0f | %9.0f %9.0f %9.0f %7.1f%%\n",
                  std::string(name).c_str(), shown, w.min, w.median, w.max, c.min, c.median, c.max,
                  100.0 * static_cast<double>(bad) / static_cast<double>(items.size()));
      if (name == "correct" && stage == Stage::classify)
        headline = c.median;
    }
  }
  if (headline == 0)
    return 0;
  std::printf("\nparse+classify, correct %s completions: %.0f per CPU-second (median), %.2fx the "
              "target of %.0f/s\n",
              family.c_str(), headline, headline / target_per_second, target_per_second);
  return 0;
}
