#include <searchtrace/state.hpp>

#include <searchtrace/cursor.hpp>
#include <searchtrace/render.hpp>
#include <searchtrace/tracer.hpp>

#include <doctest/doctest.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "random_graphs.hpp"
#include "support.hpp"

#include "seed_prompt.hpp"

using searchtrace_test::seed_prompt;

using namespace searchtrace;

namespace {

// The labels of the frontier in rank order, at row t.
std::vector<int> frontier_at(const SampleState& s, Eigen::Index t) {
  std::vector<int> out(static_cast<std::size_t>(s.frontier_rank.row(t).maxCoeff() + 1), -1);
  for (Eigen::Index v = 0; v < s.frontier_rank.cols(); ++v)
    if (s.frontier_rank(t, v) >= 0)
      out[static_cast<std::size_t>(s.frontier_rank(t, v))] = static_cast<int>(v);
  return out;
}

} // namespace

TEST_CASE("state: the seed's sample as Eigen matrices, aligned with its ids in both vocabularies") {
  const Prompt p = searchtrace_test::prompt(seed_prompt);
  for (const Vocabulary& v : {Vocabulary::standard(), Vocabulary::numeral()}) {
    CAPTURE(v.name());
    const SampleState s = sample_state(p, {}, v);
    std::vector<TokenId> ids;
    if (v.bos())
      ids.push_back(*v.bos());
    encode_prompt(p, v, ids);
    encode_completion(trace(p).value(), v, ids);
    if (v.eos())
      ids.push_back(*v.eos());
    CHECK(s.ids == ids);
    const auto n = static_cast<Eigen::Index>(ids.size());
    CHECK(s.in_frontier.rows() == n);
    CHECK(s.in_frontier.cols() == 50);
    CHECK(s.parent.rows() == n);
    CHECK(s.phase.size() == n);
    CHECK(s.next_tokens.rows() == n);
    CHECK(s.next_tokens.cols() == static_cast<Eigen::Index>(v.size()));
    CHECK(v.spelling(ids[s.completion_start]) == "<");
    // The queue at each ')' is the blog's: 1,2 then 2,3 then 3,4.
    std::vector<std::vector<int>> queues;
    for (Eigen::Index t = 0; t < n; ++t)
      if (v.spelling(ids[static_cast<std::size_t>(t)]) == ")")
        queues.push_back(frontier_at(s, t));
    CHECK(queues == std::vector<std::vector<int>>{{1, 2}, {2, 3}, {3, 4}});
    // Parents by the end: 1 and 2 by 0, 3 by 1, 4 by 2.
    const Eigen::Index last = n - 1;
    CHECK(s.parent(last, 1) == 0);
    CHECK(s.parent(last, 2) == 0);
    CHECK(s.parent(last, 3) == 1);
    CHECK(s.parent(last, 4) == 2);
    CHECK(s.parent(last, 0) == -1);
    CHECK(s.expanded.row(last).sum() == 3);
    // Every row's next token is the id after it; none after the last.
    for (Eigen::Index t = 0; t + 1 < n; ++t) {
      CHECK(s.next_tokens.row(t).sum() == 1);
      CHECK(s.next_tokens(t, ids[static_cast<std::size_t>(t + 1)]) == 1);
    }
    CHECK(s.next_tokens.row(last).sum() == 0);
    // The graph, by label.
    CHECK(s.adjacency.rows() == 50);
    CHECK(s.adjacency(1, 3) == 1);
    CHECK(s.adjacency(3, 1) == 1);
    CHECK(s.adjacency(0, 4) == 0);
    CHECK(s.adjacency.sum() == 12);
    CHECK(s.distance_from_source(4) == 2);
    CHECK(s.distance_from_source(3) == 2);
    CHECK(s.distance_to_target(0) == 2);
    CHECK(s.distance_to_target(3) == 1);
    CHECK(s.distance_from_source(5) == -1); // no such node
  }
}

TEST_CASE("state: next tokens are the valid cursor's one allowed token") {
  searchtrace_test::SampleMaker maker(21);
  searchtrace_test::RandomCase s;
  CompletionCursor cursor;
  const Vocabulary standard = Vocabulary::standard(1000), numeral = Vocabulary::numeral(1000);
  for (int i = 0; i < 300; ++i) {
    const SearchOptions o = searchtrace_test::all_options()[static_cast<std::size_t>(i) % 16];
    maker.draw(maker.any_shape(), o, s);
    // Standard ids: a row per grammar token, so the cursor fed the tokens so far allows exactly
    // the row's next token (or the end: <eos>).
    const SampleState st = sample_state(s.prompt, o, standard);
    cursor.reset(s.prompt, o);
    std::vector<Token> tokens;
    completion_tokens(s.trace, tokens);
    for (std::size_t k = 0; k < tokens.size(); ++k) {
      REQUIRE(cursor.feed(tokens[k]));
      const NextTokens next = cursor.allowed_next();
      const auto r = static_cast<Eigen::Index>(st.completion_start + k);
      CHECK(st.next_tokens.row(r).sum() == 1);
      if (next.end) {
        CHECK(st.next_tokens(r, *standard.eos()) == 1);
      } else {
        const Token want = next.node
                               ? node_token(*next.node)
                               : punct_token(static_cast<TokenKind>(std::countr_zero(next.punct)));
        CHECK(st.next_tokens(r, standard.id(want)) == 1);
      }
    }
    // Numeral ids drop the commas: the next token is the next id of the sample.
    const SampleState sn = sample_state(s.prompt, o, numeral);
    for (std::size_t k = 0; k + 1 < sn.ids.size(); ++k)
      CHECK(sn.next_tokens(static_cast<Eigen::Index>(k), sn.ids[k + 1]) == 1);
  }
}

TEST_CASE("state: a model's completion follows the reference until it deviates") {
  const Prompt p = searchtrace_test::prompt(seed_prompt);
  const Vocabulary v = Vocabulary::standard();
  Verdict verdict;
  // Expands 2 before 1 (frontier_order at byte 9): the state is the one the text implies.
  const SampleState s = completion_state(p, "<0,(1,2),2,(1,4)-4,2,0>=0,2,4", {}, v, &verdict);
  REQUIRE(verdict.first_error() != nullptr);
  CHECK(verdict.first_error()->kind == ErrorKind::frontier_order);
  const auto n = static_cast<Eigen::Index>(s.ids.size());
  CHECK(n == static_cast<Eigen::Index>(1 + 27 + 29 + 1)); // bos, prompt, completion, eos
  // After "2" of the second expansion: 0 and 2 expanded, 1 still waits (rank 0).
  Eigen::Index second = -1;
  for (Eigen::Index t = s.completion_start; t < n; ++t)
    if (v.spelling(s.ids[static_cast<std::size_t>(t)]) == "2" && second < 0 &&
        s.expanded(t, 2) == 1)
      second = t;
  REQUIRE(second > 0);
  CHECK(s.expanded(second, 0) == 1);
  CHECK(s.frontier_rank(second, 1) == 0);
  CHECK(s.current(second) == 2);
  // The next tokens follow the reference up to the deviation (the ',' before 2), none after.
  CHECK(s.next_tokens.row(second - 2).sum() == 1);
  CHECK(s.next_tokens.row(second).sum() == 0);
  CHECK(s.next_tokens.bottomRows(n - second).sum() == 0);
}
