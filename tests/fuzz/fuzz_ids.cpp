// libFuzzer target over token ids: the completion parser, decoding, encoding, the classifier and
// the diagnostics on ids in the standard and numeral vocabularies. Built and run by
// tests/fuzz/run.sh; the checks live in ids_harness.hpp, which tests/fuzz_corpora.cpp also runs
// over the committed corpus tests/fuzz/corpus_ids/.
#include "ids_harness.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static searchtrace_fuzz::IdsHarness harness;
  harness.run(std::string_view(reinterpret_cast<const char*>(data), size),
              [](const std::string& why) {
                std::fprintf(stderr, "fuzz_ids: property violated: %s\n", why.c_str());
                std::abort();
              });
  return 0;
}
