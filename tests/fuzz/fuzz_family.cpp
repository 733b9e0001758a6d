// libFuzzer target over the family spec parser (parse_family) and, for small families, the
// sampler's draws. Built and run by tests/fuzz/run.sh; the checks live in family_harness.hpp,
// which tests/fuzz_corpora.cpp also runs over the committed corpus tests/fuzz/corpus_family/.
#include "family_harness.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static searchtrace_fuzz::FamilyHarness harness;
  harness.run(std::string_view(reinterpret_cast<const char*>(data), size),
              [](const std::string& why) {
                std::fprintf(stderr, "fuzz_family: property violated: %s\n", why.c_str());
                std::abort();
              });
  return 0;
}
