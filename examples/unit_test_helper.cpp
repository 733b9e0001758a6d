// searchtrace/testing.hpp in a doctest suite: one macro checks a trace, and a wrong trace shows
// its caret diagnostic in doctest's own failure report.
//
// The third test case checks a deliberately wrong trace and is marked should_fail, so the
// program shows the report a user would see and still exits 0 (it runs as a test, its output
// compared with unit_test_helper.expected).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <searchtrace/testing.hpp> // after doctest: the macros use the framework it finds

#include <iostream>

namespace {

constexpr const char* seed_prompt = "1,3|2,4|1,2|0,1|0,2|3,4/0,4";

} // namespace

TEST_CASE("the seed's BFS trace") {
  SEARCHTRACE_CHECK_TRACE(seed_prompt, "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4");
  // Either spacing is fine: whitespace is rendering, not grammar.
  SEARCHTRACE_CHECK_TRACE(seed_prompt, "<0,(1, 2),1,(2, 3),2,(4) - 4,2,0>=0,2,4");
}

TEST_CASE("the seed's DFS trace") {
  searchtrace::SearchOptions dfs;
  dfs.algorithm = searchtrace::Algorithm::dfs;
  SEARCHTRACE_CHECK_TRACE_WITH(seed_prompt, "<0,(1,2),1,(2,3),2,(4)-4,2,1,0>=0,1,2,4", dfs);
}

TEST_CASE("a wrong trace fails with its caret diagnostic" * doctest::should_fail()) {
  // 2 is expanded while 1 is at the front of the queue.
  SEARCHTRACE_CHECK_TRACE(seed_prompt, "<0,(1,2),2,(1,4)-4,2,0>=0,2,4");
}

TEST_CASE("the function behind the macros works with any framework") {
  const auto r = searchtrace::testing::check_trace(seed_prompt, "<0,(1,2),1,(2,3),2,(4)-4,2,0>=");
  CHECK_FALSE(r.ok);
  REQUIRE(r.verdict.first_error() != nullptr);
  CHECK(r.verdict.first_error()->kind == searchtrace::ErrorKind::truncated);
  std::cout << "check_trace says:\n" << r.diagnostic;
}

int main(int argc, char** argv) {
  doctest::Context context;
  // Output that does not depend on the machine: no version banner, no paths, no colours.
  context.setOption("no-intro", true);
  context.setOption("no-path-filenames", true);
  context.setOption("no-colors", true);
  context.applyCommandLine(argc, argv);
  return context.run();
}
