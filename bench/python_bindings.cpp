// The C++ twin of bench/python_bindings.py: the same work as the Python calls it is compared
// with, done straight with the library, so that the binding's overhead shows.
//
//   python_bindings ids SAMPLES REPS          Generator::generate_ids of G15_2_4
//                                             samples 0..SAMPLES-1 (seed 0, the standard
//                                             vocabulary) into fresh ids (uint16) and offsets
//                                             (uint64) vectors, per repetition: what
//                                             Generator.arrays(0, SAMPLES) computes
//   python_bindings classify FILE REPS        PromptParser + Classifier::classify over the
//                                             `prompt<TAB>completion` lines of FILE (read
//                                             beforehand), keeping every Verdict: what
//                                             classify_batch(prompts, completions) computes
//
// Prints one line per repetition: `<what> <items> <thread CPU seconds>` (one thread, the
// calling thread's CPU clock, as every benchmark here). bench/python_bindings.py runs it and
// prints the rates beside its own.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "bench_support.hpp"
#include "searchtrace/classify.hpp"
#include "searchtrace/dataset.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/render.hpp"
#include "searchtrace/vocabulary.hpp"

using namespace searchtrace;

namespace {

int ids(std::uint64_t samples, int reps) {
  auto generator = Generator::create({});
  if (!generator) {
    std::fprintf(stderr, "%s\n", generator.error().message.c_str());
    return 2;
  }
  const Vocabulary v = Vocabulary::standard(generator->family().label_space());
  Sample sample;
  std::vector<std::uint16_t> ids;
  std::vector<std::uint64_t> offsets;
  for (int r = 0; r < reps; ++r) {
    const double t0 = bench::thread_cpu_seconds();
    ids.clear();
    offsets.clear();
    ids.reserve(samples * 100); // about 97 ids per G15_2_4 sample
    offsets.reserve(samples + 1);
    offsets.push_back(0);
    for (std::uint64_t i = 0; i < samples; ++i) {
      if (generator->generate_ids(i, sample, v, ids)) // <bos>, prompt, completion, <eos>
        return 2;
      offsets.push_back(ids.size());
    }
    const double t = bench::thread_cpu_seconds() - t0;
    std::printf("ids %llu %.6f\n", static_cast<unsigned long long>(samples), t);
    std::fflush(stdout);
    if (offsets.back() != ids.size())
      return 2;
  }
  return 0;
}

int classify_file(const char* path, int reps) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path);
    return 2;
  }
  std::vector<std::string> prompts, completions;
  for (std::string line; std::getline(in, line);) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos)
      return 2;
    prompts.push_back(line.substr(0, tab));
    completions.push_back(line.substr(tab + 1));
  }
  PromptParser parser;
  Prompt prompt;
  Classifier classifier;
  for (int r = 0; r < reps; ++r) {
    const double t0 = bench::thread_cpu_seconds();
    std::vector<Verdict> verdicts(prompts.size());
    for (std::size_t i = 0; i < prompts.size(); ++i) {
      if (parser.parse(prompts[i], prompt))
        return 2;
      verdicts[i] = classifier.classify(prompt, completions[i]);
    }
    const double t = bench::thread_cpu_seconds() - t0;
    std::size_t valid = 0;
    for (const Verdict& v : verdicts)
      valid += v.valid ? 1 : 0;
    std::printf("classify %zu %.6f %zu\n", prompts.size(), t, valid);
    std::fflush(stdout);
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  const std::string_view what = argc > 1 ? argv[1] : "";
  if (argc == 4 && what == "ids")
    return ids(std::strtoull(argv[2], nullptr, 10), std::atoi(argv[3]));
  if (argc == 4 && what == "classify")
    return classify_file(argv[2], std::atoi(argv[3]));
  std::fprintf(stderr, "usage: python_bindings ids SAMPLES REPS | classify FILE REPS\n");
  return 2;
}
