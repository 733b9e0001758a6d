// libFuzzer target over the check/eval input reader (RecordReader: TSV and JSON lines), with
// nlohmann/json as the oracle. Built and run by tests/fuzz/run.sh; the checks live in
// records_harness.hpp, which tests/fuzz_corpora.cpp also runs over tests/fuzz/corpus_records/.
#include "records_harness.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static searchtrace_fuzz::RecordsHarness harness;
  harness.run(std::string_view(reinterpret_cast<const char*>(data), size),
              [](const std::string& why) {
                std::fprintf(stderr, "fuzz_records: property violated: %s\n", why.c_str());
                std::abort();
              });
  return 0;
}
