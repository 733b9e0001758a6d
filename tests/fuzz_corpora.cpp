// The committed corpus of every fuzz target (tests/fuzz/corpus_<name>/), replayed through the
// target's own checks (tests/fuzz/<name>_harness.hpp) on every build, with or without clang:
// the properties the fuzzers check hold in the normal test run, and an input a fuzzer once
// failed on (committed beside the seeds) stays fixed.
// GCC 12 warns falsely (-Wrestrict) on `"#" + std::to_string(id)` in
// detail::id_units (diagnostic.hpp) once it is instantiated for int32 ids and inlined at -O2,
// as IdsHarness does; until the header appends the two pieces separately, this file tolerates it.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/classify_harness.hpp"
#include "fuzz/family_harness.hpp"
#include "fuzz/ids_harness.hpp"
#include "fuzz/records_harness.hpp"

namespace {

const std::filesystem::path fuzz_dir = std::filesystem::path(__FILE__).parent_path() / "fuzz";

/// Runs every file of corpus_<name>/ through a fresh harness (reused from file to file, as the
/// fuzz target reuses it from input to input); returns the number of files.
template <class Harness>
std::size_t replay(std::string_view name) {
  const auto dir = fuzz_dir / ("corpus_" + std::string(name));
  REQUIRE_MESSAGE(std::filesystem::is_directory(dir), dir.string());
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    files.push_back(entry.path());
  std::sort(files.begin(), files.end()); // the same order on every machine
  Harness harness;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    REQUIRE(in);
    const std::string input{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    harness.run(input, [&](const std::string& why) {
      FAIL_CHECK(name << "/" << file.filename().string() << ": " << why);
    });
  }
  return files.size();
}

} // namespace

TEST_CASE("fuzz corpora: classify (prompts, completions, cursor, classifier, renderers)") {
  CHECK(replay<searchtrace_fuzz::ClassifyHarness>("classify") >= 38);
}

TEST_CASE("fuzz corpora: family (spec parser, canonical specs, sampler draws)") {
  CHECK(replay<searchtrace_fuzz::FamilyHarness>("family") >= 39);
}

TEST_CASE("fuzz corpora: ids (token ids: parse, decode, encode, classify, diagnostics)") {
  CHECK(replay<searchtrace_fuzz::IdsHarness>("ids") >= 22);
}

TEST_CASE("fuzz corpora: records (the check/eval line reader against nlohmann/json)") {
  CHECK(replay<searchtrace_fuzz::RecordsHarness>("records") >= 20);
}

TEST_CASE("fuzz corpora: every fuzz target has a corpus replayed here") {
  // A target is tests/fuzz/fuzz_<name>.cpp (tests/fuzz/run.sh finds it by that name); its
  // corpus is replayed by one of the test cases above, which this list names.
  const std::set<std::string> replayed{"classify", "family", "ids", "records"};
  std::set<std::string> targets;
  for (const auto& entry : std::filesystem::directory_iterator(fuzz_dir)) {
    const std::string file = entry.path().filename().string();
    if (file.starts_with("fuzz_") && file.ends_with(".cpp"))
      targets.insert(file.substr(5, file.size() - 9));
  }
  CHECK(targets == replayed);
  for (const std::string& t : targets)
    CHECK_MESSAGE(std::filesystem::is_directory(fuzz_dir / ("corpus_" + t)), t);
}
