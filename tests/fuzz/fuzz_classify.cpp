// libFuzzer target over the prompt parser, the completion parser (text and token ids), the
// incremental cursor, the classifier (BFS and DFS, every policy) and the renderers of verdicts.
// Built and run by tests/fuzz/run.sh (clang, -fsanitize=fuzzer,address,undefined); the checks
// live in classify_harness.hpp, which tests/fuzz_corpora.cpp also runs over the committed corpus
// tests/fuzz/corpus_classify/.
#include "classify_harness.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // One harness for the whole run: its parsers and classifier reuse their buffers from input
  // to input, as they do in a real evaluation loop, so stale state would show up here.
  static searchtrace_fuzz::ClassifyHarness harness;
  harness.run(std::string_view(reinterpret_cast<const char*>(data), size),
              [](const std::string& why) {
                std::fprintf(stderr, "fuzz_classify: property violated: %s\n", why.c_str());
                std::abort();
              });
  return 0;
}
