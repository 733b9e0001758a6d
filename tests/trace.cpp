#include <searchtrace/trace.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "support.hpp"

using namespace searchtrace;

namespace {

std::vector<Label> labels(std::span<const Label> s) {
  return {s.begin(), s.end()};
}

struct Written {
  std::string text; // compact, with '_' marking a comma inside a list
  std::size_t tokens = 0;
};

Written write(const Trace& t) {
  Written w;
  for_each_completion_token(t, [&](Token tok, Context c) {
    ++w.tokens;
    if (tok.kind == TokenKind::node)
      w.text += std::to_string(tok.value);
    else if (tok.kind == TokenKind::comma && c == Context::inside_list)
      w.text += '_';
    else
      w.text += punct_char[static_cast<std::size_t>(tok.kind)];
  });
  return w;
}

} // namespace

TEST_CASE("a trace records expansions and the list of each") {
  const Trace t = searchtrace_test::seed_bfs_trace();
  CHECK(t.expansion_count() == 3u);
  CHECK(t.expanded == std::vector<Label>{0, 1, 2});
  CHECK(t.list_end == std::vector<std::uint32_t>{2, 4, 5});
  CHECK(t.listed == std::vector<Label>{1, 2, 2, 3, 4});
  CHECK(labels(t.list(0)) == std::vector<Label>{1, 2});
  CHECK(labels(t.list(1)) == std::vector<Label>{2, 3});
  CHECK(labels(t.list(2)) == std::vector<Label>{4});

  SUBCASE("an expansion may list nothing") {
    Trace e;
    e.begin_expansion(10);
    e.list_node(7);
    e.begin_expansion(7);
    e.begin_expansion(123);
    e.list_node(4294967295u);
    CHECK(e.expansion_count() == 3u);
    CHECK(labels(e.list(0)) == std::vector<Label>{7});
    CHECK(e.list(1).empty());
    CHECK(labels(e.list(2)) == std::vector<Label>{4294967295u});
  }
}

TEST_CASE("remove_listed takes one node out of its list and keeps the others in place") {
  Trace t = searchtrace_test::seed_bfs_trace(); // lists (1,2) (2,3) (4)
  t.remove_listed(2);                           // the first 2 of (2,3)
  CHECK(t.listed == std::vector<Label>{1, 2, 3, 4});
  CHECK(t.list_end == std::vector<std::uint32_t>{2, 3, 4});
  t.remove_listed(3); // the 4: the last list becomes empty
  CHECK(labels(t.list(0)) == std::vector<Label>{1, 2});
  CHECK(labels(t.list(1)) == std::vector<Label>{3});
  CHECK(t.list(2).empty());
  t.remove_listed(0);
  CHECK(labels(t.list(0)) == std::vector<Label>{2});
  CHECK(t.list_end == std::vector<std::uint32_t>{1, 2, 2});
}

TEST_CASE("clear empties every part of a trace for reuse") {
  Trace t = searchtrace_test::seed_bfs_trace();
  t.clear();
  CHECK(t.expansion_count() == 0u);
  CHECK(t.list_end.empty());
  CHECK(t.listed.empty());
  CHECK(t.backtrack.empty());
  CHECK(t.path.empty());
  CHECK(t == Trace{});
  t.begin_expansion(5);
  t.list_node(6);
  CHECK(labels(t.list(0)) == std::vector<Label>{6});
}

TEST_CASE("traces compare member by member") {
  const Trace a = searchtrace_test::seed_bfs_trace();
  Trace b = searchtrace_test::seed_bfs_trace();
  CHECK(a == b);
  b.path.back() = 3;
  CHECK(a != b);
  b = searchtrace_test::seed_bfs_trace();
  b.list_end[0] = 1; // the same nodes split differently is another trace
  b.list_end[1] = 4;
  CHECK(a != b);
}

TEST_CASE("for_each_completion_token walks the completion grammar") {
  SUBCASE("the seed's trace") {
    const Written w = write(searchtrace_test::seed_bfs_trace());
    CHECK(w.text == "<0,(1_2),1,(2_3),2,(4)-4,2,0>=0,2,4");
    CHECK(w.tokens == 35u);
  }
  SUBCASE("an empty list gives adjacent parentheses") {
    Trace t;
    t.begin_expansion(10);
    t.list_node(7);
    t.list_node(123);
    t.begin_expansion(7);
    t.begin_expansion(123);
    t.list_node(9);
    t.backtrack = {9, 123, 10};
    t.path = {10, 123, 9};
    CHECK(write(t).text == "<10,(7_123),7,(),123,(9)-9,123,10>=10,123,9");
  }
  SUBCASE("a trace without expansions still has every separator") {
    // Not a correct trace, but the walker writes what it is given (the classifier needs it).
    Trace t;
    t.backtrack = {4};
    CHECK(write(t).text == "<-4>=");
  }
}
