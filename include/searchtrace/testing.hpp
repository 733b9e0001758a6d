// Opt-in helper for users' unit tests: check a trace in one call and, when it is wrong, see the
// caret diagnostic in the test framework's own failure output.
//
//   prompt + completion → parse_prompt → Classifier → Verdict → diagnostic → CHECK / EXPECT
//
//   #include <doctest/doctest.h>          // or <gtest/gtest.h>: include the framework FIRST
//   #include <searchtrace/testing.hpp>
//
//   TEST_CASE("my tracer on the seed graph") {
//     SEARCHTRACE_CHECK_TRACE("1,3|2,4|1,2|0,1|0,2|3,4/0,4", my_tracer_output);
//   }
//
// prints, when the trace is wrong, after the framework's own header:
//
//     logged: searchtrace: the completion is not the bfs trace of the prompt
//     prompt:     1,3|2,4|1,2|0,1|0,2|3,4/0,4
//     completion: <0,(1,2),2,(1,4)-4,2,0>=0,2,4
//   error[queue/frontier_order]: expanded 2 while 1 is at the front of the queue
//     <0,(1,2),2,(1,4)-4,2,0>=0,2,4
//              ^
//   1 error (first: frontier_order at 9), not exact, answer correct
//
// SEARCHTRACE_CHECK_TRACE(prompt, completion) is non-fatal (doctest CHECK, GoogleTest
// EXPECT_TRUE), SEARCHTRACE_REQUIRE_TRACE fatal (REQUIRE, ASSERT_TRUE); their _WITH forms take a
// SearchOptions. With neither framework included first, using a macro is a compile error that
// says so; any framework can call `searchtrace::testing::check_trace` instead. A check passes iff
// the prompt parses and the completion is valid; at most `max_shown_errors` caret diagnostics
// are shown, so a long garbage completion cannot flood a test log.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "searchtrace/classify.hpp"
#include "searchtrace/diagnostic.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/verdict.hpp"

namespace searchtrace::testing {

inline constexpr std::size_t max_shown_errors = 5;

struct TraceCheck {
  bool ok = false;
  /// Empty when ok; otherwise lines ending with '\n': prompt, completion, options, carets.
  std::string diagnostic;
  /// No errors and valid == false when the prompt did not parse.
  Verdict verdict;

  explicit operator bool() const noexcept { return ok; }
};

namespace detail {

inline std::string describe_options(const SearchOptions& o) {
  std::string s(algorithm_name(o.algorithm));
  if (o.order != NeighborOrder::ascending)
    s += ", neighbours in prompt order";
  if (o.listing != Listing::unexpanded)
    s += ", listing undiscovered only";
  if (o.stop != StopRule::on_list)
    s += ", stop on pop";
  return s;
}

} // namespace detail

inline TraceCheck check_trace(std::string_view prompt, std::string_view completion,
                              const SearchOptions& options = {},
                              const PromptOptions& prompt_options = {}) {
  TraceCheck r;
  PromptParser parser;
  Prompt p;
  const std::string opts = detail::describe_options(options);
  if (auto e = parser.parse(prompt, p, prompt_options)) {
    // The completion's caret line, pointed into the prompt, under the prompt error's header.
    Deviation d;
    d.offset = e->offset;
    std::string caret = render_diagnostic(d, prompt);
    caret.erase(0, caret.find('\n') + 1);
    r.diagnostic = "searchtrace: the prompt does not parse\n  prompt:     " + std::string(prompt) +
                   "\nerror[prompt/" + std::string(prompt_error_kind_name(e->kind)) +
                   "]: " + e->message + "\n" + caret;
    return r;
  }
  Classifier classifier;
  r.verdict = classifier.classify(p, completion, options);
  r.ok = r.verdict.valid;
  if (r.ok)
    return r;
  r.diagnostic = "searchtrace: the completion is not the " + opts +
                 " trace of the prompt\n  prompt:     " + std::string(prompt) +
                 "\n  completion: " + std::string(completion) + "\n";
  const std::size_t shown =
      r.verdict.errors.size() < max_shown_errors ? r.verdict.errors.size() : max_shown_errors;
  for (std::size_t i = 0; i < shown; ++i)
    r.diagnostic += render_diagnostic(r.verdict.errors[i], completion);
  if (r.verdict.errors.size() > shown)
    r.diagnostic +=
        "(" + std::to_string(r.verdict.errors.size() - shown) + " more errors not shown)\n";
  r.diagnostic += summarize(r.verdict);
  r.diagnostic += '\n';
  return r;
}

} // namespace searchtrace::testing

// Each macro is one statement; `trace_check` is the name the framework's failure output shows.
#define SEARCHTRACE_DETAIL_TRACE_ASSERT(assertion, prompt, completion, options)                    \
  do {                                                                                             \
    const ::searchtrace::testing::TraceCheck trace_check =                                         \
        ::searchtrace::testing::check_trace((prompt), (completion), (options));                    \
    SEARCHTRACE_DETAIL_##assertion(trace_check.ok, trace_check.diagnostic);                        \
  } while (false)

#if defined(DOCTEST_LIBRARY_INCLUDED)
#define SEARCHTRACE_DETAIL_CHECK(ok, diagnostic) DOCTEST_CHECK_MESSAGE(ok, diagnostic)
#define SEARCHTRACE_DETAIL_REQUIRE(ok, diagnostic) DOCTEST_REQUIRE_MESSAGE(ok, diagnostic)
#elif defined(GOOGLETEST_INCLUDE_GTEST_GTEST_H_) || defined(GTEST_INCLUDE_GTEST_GTEST_H_)
#define SEARCHTRACE_DETAIL_CHECK(ok, diagnostic) EXPECT_TRUE(ok) << diagnostic
#define SEARCHTRACE_DETAIL_REQUIRE(ok, diagnostic) ASSERT_TRUE(ok) << diagnostic
#else
#define SEARCHTRACE_DETAIL_NO_FRAMEWORK                                                            \
  static_assert(false, "searchtrace/testing.hpp: include <doctest/doctest.h> or <gtest/gtest.h> "  \
                       "before it to use SEARCHTRACE_CHECK_TRACE, or call "                        \
                       "searchtrace::testing::check_trace")
#define SEARCHTRACE_DETAIL_CHECK(ok, diagnostic) SEARCHTRACE_DETAIL_NO_FRAMEWORK
#define SEARCHTRACE_DETAIL_REQUIRE(ok, diagnostic) SEARCHTRACE_DETAIL_NO_FRAMEWORK
#endif

#define SEARCHTRACE_CHECK_TRACE_WITH(prompt, completion, options)                                  \
  SEARCHTRACE_DETAIL_TRACE_ASSERT(CHECK, prompt, completion, options)
#define SEARCHTRACE_REQUIRE_TRACE_WITH(prompt, completion, options)                                \
  SEARCHTRACE_DETAIL_TRACE_ASSERT(REQUIRE, prompt, completion, options)
#define SEARCHTRACE_CHECK_TRACE(prompt, completion)                                                \
  SEARCHTRACE_CHECK_TRACE_WITH(prompt, completion, ::searchtrace::SearchOptions{})
#define SEARCHTRACE_REQUIRE_TRACE(prompt, completion)                                              \
  SEARCHTRACE_REQUIRE_TRACE_WITH(prompt, completion, ::searchtrace::SearchOptions{})
