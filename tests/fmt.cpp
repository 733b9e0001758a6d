#include <searchtrace/fmt.hpp>

#include <searchtrace/classify.hpp>
#include <searchtrace/tracer.hpp>

#include <doctest/doctest.h>

#include <string>

#include "seed_prompt.hpp"

using searchtrace_test::seed_example;
using searchtrace_test::seed_prompt;

using namespace searchtrace;

namespace {} // namespace

TEST_CASE("fmt: error kinds and categories format as their documented names, with string specs") {
  CHECK(fmt::format("{}", ErrorKind::frontier_order) == "frontier_order");
  CHECK(fmt::format("{}", ErrorKind::answer_not_shortest) == "answer_not_shortest");
  CHECK(fmt::format("{:>10}|{:<6}|", ErrorKind::syntax, ErrorCategory::queue) ==
        "    syntax|queue |");
  CHECK(fmt::format("{}", ErrorCategory::termination) == "termination");
}

TEST_CASE("fmt: a deviation and a verdict") {
  const Verdict v = classify(seed_example(), "<0,(1,2),2,(1,4)-4,2,0>=0,2,4");
  REQUIRE(v.first_error() != nullptr);
  CHECK(fmt::format("{}", *v.first_error()) ==
        "queue/frontier_order at 9 (expansion 1): expanded 2 while 1 is at the front of the queue");
  CHECK(fmt::format("{}", v) == "1 error (first: frontier_order at 9), not exact, answer correct");
  CHECK(fmt::format("{}", classify(seed_example(), "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4")) ==
        "valid, exact, answer correct");
  CHECK_THROWS_AS((void)fmt::format(fmt::runtime("{:x}"), v), fmt::format_error);
}

TEST_CASE("fmt: a trace in either rendering") {
  const Trace t = *trace(seed_example());
  CHECK(fmt::format("{}", t) == "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4");
  CHECK(fmt::format("{:c}", t) == "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4");
  CHECK(fmt::format("{:p}", t) == "<0,(1, 2),1,(2, 3),2,(4) - 4,2,0>=0,2,4");
  CHECK_THROWS_AS((void)fmt::format(fmt::runtime("{:q}"), t), fmt::format_error);
}
