#include <searchtrace/verdict.hpp>

#include <doctest/doctest.h>

#include <string_view>

using namespace searchtrace;

TEST_CASE("verdict: the twenty error kinds, in table order, with their categories") {
  constexpr std::string_view table[][2] = {
      {"format", "syntax"},
      {"format", "truncated"},
      {"format", "unknown_node"},
      {"neighbors", "non_edge"},
      {"neighbors", "missing_neighbor"},
      {"neighbors", "listed_expanded"},
      {"neighbors", "duplicate_neighbor"},
      {"neighbors", "neighbor_order"},
      {"queue", "wrong_start"},
      {"queue", "not_in_frontier"},
      {"queue", "frontier_order"},
      {"revisit", "reexpanded"},
      {"termination", "missed_target"},
      {"termination", "early_stop"},
      {"traceback", "traceback_start"},
      {"traceback", "traceback_parent"},
      {"traceback", "traceback_end"},
      {"answer", "answer_mismatch"},
      {"answer", "answer_invalid"},
      {"answer", "answer_not_shortest"},
  };
  static_assert(std::size(table) == error_kind_count);
  for (std::size_t i = 0; i < error_kind_count; ++i) {
    const auto k = static_cast<ErrorKind>(i);
    CHECK(error_kind_name(k) == table[i][1]);
    CHECK(error_category_name(category_of(k)) == table[i][0]);
    CHECK(parse_error_kind(table[i][1]) == k);
    CHECK(parse_error_category(table[i][0]) == category_of(k));
  }
  CHECK_FALSE(parse_error_kind("frontier"));
  CHECK_FALSE(parse_error_category("Queue"));
  static_assert(error_kind_name(ErrorKind::frontier_order) == "frontier_order");
  static_assert(category_of(ErrorKind::reexpanded) == ErrorCategory::revisit);
  for (std::size_t c = 0; c < error_category_count; ++c)
    CHECK(parse_error_category(error_category_name(static_cast<ErrorCategory>(c))) ==
          static_cast<ErrorCategory>(c));
}

TEST_CASE("verdict: first_error and has") {
  Verdict v;
  CHECK(v.first_error() == nullptr);
  CHECK_FALSE(v.has(ErrorKind::syntax));
  v.errors.push_back({ErrorKind::non_edge, 19, 1, "listed 4, which is not a neighbour of 1"});
  v.errors.push_back({ErrorKind::truncated, 21, 2, "the completion ends"});
  REQUIRE(v.first_error() != nullptr);
  CHECK(v.first_error()->kind == ErrorKind::non_edge);
  CHECK(v.first_error()->category() == ErrorCategory::neighbors);
  CHECK(v.has(ErrorKind::truncated));
  CHECK_FALSE(v.has(ErrorKind::early_stop));
  Verdict w = v;
  CHECK(w == v);
  w.errors[1].offset = 22;
  CHECK_FALSE(w == v);
}
