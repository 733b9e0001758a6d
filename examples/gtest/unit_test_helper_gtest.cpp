// searchtrace/testing.hpp under GoogleTest: SEARCHTRACE_CHECK_TRACE is EXPECT_TRUE with the caret
// diagnostic streamed into the failure message. Built and run as the test
// example.unit_test_helper_gtest only where GoogleTest is installed (examples/CMakeLists.txt).
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <searchtrace/testing.hpp> // after gtest: the macros use the framework it finds

namespace {

constexpr const char* seed_prompt = "1,3|2,4|1,2|0,1|0,2|3,4/0,4";

} // namespace

TEST(SearchtraceTesting, SeedBfsTracePasses) {
  SEARCHTRACE_CHECK_TRACE(seed_prompt, "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4");
  SEARCHTRACE_REQUIRE_TRACE(seed_prompt, "<0,(1, 2),1,(2, 3),2,(4) - 4,2,0>=0,2,4");
}

TEST(SearchtraceTesting, SeedDfsTracePasses) {
  searchtrace::SearchOptions dfs;
  dfs.algorithm = searchtrace::Algorithm::dfs;
  SEARCHTRACE_CHECK_TRACE_WITH(seed_prompt, "<0,(1,2),1,(2,3),2,(4)-4,2,1,0>=0,1,2,4", dfs);
}

// A wrong trace fails, and the failure message carries the caret diagnostic: the header, the
// completion, and the caret under byte 9.
TEST(SearchtraceTesting, WrongTraceFailsWithCaretDiagnostic) {
  EXPECT_NONFATAL_FAILURE(
      SEARCHTRACE_CHECK_TRACE("1,3|2,4|1,2|0,1|0,2|3,4/0,4", "<0,(1,2),2,(1,4)-4,2,0>=0,2,4"),
      "error[queue/frontier_order]: expanded 2 while 1 is at the front of the queue\n"
      "  <0,(1,2),2,(1,4)-4,2,0>=0,2,4\n"
      "           ^\n");
  EXPECT_FATAL_FAILURE(
      SEARCHTRACE_REQUIRE_TRACE("1,3|2,4|1,2|0,1|0,2|3,4/0,4", "<0,(1,2),1,(2,3),2,(4)-4,2,0>="),
      "error[format/truncated]");
}

TEST(SearchtraceTesting, BadPromptFails) {
  EXPECT_NONFATAL_FAILURE(SEARCHTRACE_CHECK_TRACE("1,3|1,3/1,3", "<1,(3)-3,1>=1,3"),
                          "error[prompt/duplicate_edge]: duplicate edge 1,3");
}
