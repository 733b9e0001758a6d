// searchtrace/testing.hpp: check_trace and the doctest flavour of its macros.
#include <doctest/doctest.h> // before testing.hpp: the macros pick the framework it finds

#include "searchtrace/testing.hpp"

#include <string>

#include "seed_prompt.hpp"

namespace {

using searchtrace_test::seed_prompt;
constexpr const char* seed_bfs = "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4";

} // namespace

TEST_CASE("check_trace accepts the reference in either spacing, under the given options") {
  using searchtrace::testing::check_trace;
  const auto r = check_trace(seed_prompt, seed_bfs);
  CHECK(r.ok);
  CHECK(static_cast<bool>(r));
  CHECK(r.diagnostic.empty());
  CHECK(r.verdict.valid);
  CHECK(check_trace(seed_prompt, "<0,(1, 2),1,(2, 3),2,(4) - 4,2,0>=0,2,4").ok);

  searchtrace::SearchOptions dfs;
  dfs.algorithm = searchtrace::Algorithm::dfs;
  CHECK(check_trace(seed_prompt, "<0,(1,2),1,(2,3),2,(4)-4,2,1,0>=0,1,2,4", dfs).ok);
  CHECK_FALSE(check_trace(seed_prompt, seed_bfs, dfs).ok); // the BFS trace is not the DFS one

  // A directed prompt: 0->1->2 only.
  CHECK(check_trace("0,1|1,2/0,2", "<0,(1),1,(2)-2,1,0>=0,1,2", {}, {true}).ok);
  CHECK_FALSE(check_trace("0,1|1,2/2,0", "<2,(1),1,(0)-0,1,2>=2,1,0", {}, {true}).ok);
}

TEST_CASE("check_trace explains a wrong trace with the caret diagnostic") {
  const auto r = searchtrace::testing::check_trace(seed_prompt, "<0,(1,2),2,(1,4)-4,2,0>=0,2,4");
  CHECK_FALSE(r.ok);
  REQUIRE(r.verdict.first_error() != nullptr);
  CHECK(r.verdict.first_error()->kind == searchtrace::ErrorKind::frontier_order);
  CHECK(r.diagnostic == "searchtrace: the completion is not the bfs trace of the prompt\n"
                        "  prompt:     1,3|2,4|1,2|0,1|0,2|3,4/0,4\n"
                        "  completion: <0,(1,2),2,(1,4)-4,2,0>=0,2,4\n"
                        "error[queue/frontier_order]: expanded 2 while 1 is at the front of the "
                        "queue\n"
                        "  <0,(1,2),2,(1,4)-4,2,0>=0,2,4\n"
                        "           ^\n"
                        "1 error (first: frontier_order at 9), not exact, answer correct\n");
}

TEST_CASE("check_trace names the options and shows at most max_shown_errors carets") {
  searchtrace::SearchOptions o;
  o.algorithm = searchtrace::Algorithm::dfs;
  o.order = searchtrace::NeighborOrder::prompt;
  o.stop = searchtrace::StopRule::on_pop;
  // Every expansion re-expands 0: many errors.
  std::string completion = "<0,(1,2)";
  for (int i = 0; i < 10; ++i)
    completion += ",0,()";
  completion += "-4,2,0>=0,2,4";
  const auto r = searchtrace::testing::check_trace(seed_prompt, completion, o);
  CHECK_FALSE(r.ok);
  CHECK(r.diagnostic.rfind("searchtrace: the completion is not the dfs, neighbours in prompt "
                           "order, stop on pop trace of the prompt\n",
                           0) == 0);
  REQUIRE(r.verdict.errors.size() > searchtrace::testing::max_shown_errors);
  std::size_t carets = 0;
  for (std::size_t at = r.diagnostic.find("\nerror["); at != std::string::npos;
       at = r.diagnostic.find("\nerror[", at + 1))
    ++carets;
  CHECK(carets == searchtrace::testing::max_shown_errors);
  CHECK(r.diagnostic.find("more errors not shown)\n") != std::string::npos);
}

TEST_CASE("check_trace reports a prompt that does not parse, with a caret into the prompt") {
  const auto r = searchtrace::testing::check_trace("1,3|1,3/1,3", "<1,(3)-3,1>=1,3");
  CHECK_FALSE(r.ok);
  CHECK_FALSE(r.verdict.valid);
  CHECK(r.verdict.errors.empty());
  CHECK(r.diagnostic == "searchtrace: the prompt does not parse\n"
                        "  prompt:     1,3|1,3/1,3\n"
                        "error[prompt/duplicate_edge]: duplicate edge 1,3\n"
                        "  1,3|1,3/1,3\n"
                        "      ^\n");
}

TEST_CASE("SEARCHTRACE_CHECK_TRACE passes on the reference under doctest") {
  SEARCHTRACE_CHECK_TRACE(seed_prompt, seed_bfs);
  SEARCHTRACE_REQUIRE_TRACE(seed_prompt, std::string(seed_bfs));
  searchtrace::SearchOptions dfs;
  dfs.algorithm = searchtrace::Algorithm::dfs;
  SEARCHTRACE_CHECK_TRACE_WITH(seed_prompt, "<0,(1,2),1,(2,3),2,(4)-4,2,1,0>=0,1,2,4", dfs);
}

TEST_CASE("SEARCHTRACE_CHECK_TRACE fails on a wrong trace" * doctest::should_fail()) {
  SEARCHTRACE_CHECK_TRACE(seed_prompt, "<0,(1,2),2,(1,4)-4,2,0>=0,2,4");
}
