#include <searchtrace/render.hpp>

#include "support.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "seed_prompt.hpp"

using searchtrace_test::seed_prompt;

using namespace searchtrace;
using searchtrace_test::prompt;

namespace {

constexpr std::string_view seed_bfs = "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4";
constexpr std::string_view seed_bfs_pretty = "<0,(1, 2),1,(2, 3),2,(4) - 4,2,0>=0,2,4";

Trace traced(std::string_view text, const SearchOptions& o = {}) {
  auto t = trace(prompt(text), o);
  REQUIRE(t.ok());
  return std::move(t).value();
}

std::string text_of(std::span<const Token> tokens, Rendering r = Rendering::compact) {
  std::string s;
  append_tokens(s, tokens, r);
  return s;
}

} // namespace

TEST_CASE("the seed completion in both renderings") {
  const Trace t = traced(seed_prompt);
  CHECK(render_completion(t) == seed_bfs);
  CHECK(render_completion(t, Rendering::compact) == seed_bfs);
  CHECK(render_completion(t, Rendering::pretty) == seed_bfs_pretty);
  SearchOptions dfs;
  dfs.algorithm = Algorithm::dfs;
  CHECK(render_completion(traced(seed_prompt, dfs), Rendering::pretty) ==
        "<0,(1, 2),1,(2, 3),2,(4) - 4,2,1,0>=0,1,2,4");
}

TEST_CASE("append_completion and append_prompt append to what is there") {
  const Prompt p = prompt(seed_prompt);
  std::string s = "sample: ";
  append_prompt(s, p);
  append_completion(s, traced(seed_prompt));
  CHECK(s == "sample: 1,3|2,4|1,2|0,1|0,2|3,4/0,4<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4");
  append_completion(s, traced(seed_prompt), Rendering::pretty);
  CHECK(s.ends_with(std::string(">=0,2,4") + std::string(seed_bfs_pretty)));
}

TEST_CASE("an empty list and long labels render in both renderings") {
  const Trace t = traced("10,123|123,4294967295|10,7/10,4294967295");
  CHECK(render_completion(t) ==
        "<10,(7,123),7,(),123,(4294967295)-4294967295,123,10>=10,123,4294967295");
  CHECK(render_completion(t, Rendering::pretty) ==
        "<10,(7, 123),7,(),123,(4294967295) - 4294967295,123,10>=10,123,4294967295");
}

TEST_CASE("render_prompt writes the edges as written and then the query") {
  for (const std::string_view text :
       {seed_prompt, std::string_view("0,1/1,0"), std::string_view("3,0|0,1|2,0|1,4|3,4/0,4"),
        std::string_view("4294967295,0/0,4294967295")}) {
    CAPTURE(text);
    CHECK(render_prompt(prompt(text)) == text);
  }
  // The renderer writes the graph it is given: a Prompt built through the Graph API.
  Prompt p;
  const std::vector<Label> labels{2, 30, 400};
  const std::vector<Edge> edges{{2, 0}, {1, 2}};
  REQUIRE(p.graph.assign(labels, edges));
  p.query = {1, 0};
  CHECK(render_prompt(p) == "400,2|30,400/30,2");
}

TEST_CASE("completion_tokens and prompt_tokens list every token, commas included") {
  std::vector<Token> c;
  completion_tokens(traced(seed_prompt), c);
  CHECK(c.size() == seed_bfs.size()); // one byte per token in this sample
  CHECK(c.front() == punct_token(TokenKind::lt));
  CHECK(c[1] == node_token(0));
  CHECK(c[2] == punct_token(TokenKind::comma));
  CHECK(c.back() == node_token(4));
  CHECK(text_of(c) == seed_bfs);

  std::vector<Token> p;
  prompt_tokens(prompt("10,123|123,7/7,10"), p);
  CHECK(p.size() == 11u);
  CHECK(p[0] == node_token(10));
  CHECK(p[3] == punct_token(TokenKind::bar));
  CHECK(p[7] == punct_token(TokenKind::slash));
  CHECK(text_of(p) == "10,123|123,7/7,10");

  SUBCASE("tokens are appended") {
    completion_tokens(traced(seed_prompt), p);
    CHECK(p.size() == 11u + c.size());
  }
}

TEST_CASE("append_tokens spaces commas by their list context") {
  std::vector<Token> c;
  completion_tokens(traced(seed_prompt), c);
  CHECK(text_of(c, Rendering::pretty) == seed_bfs_pretty);
  std::string s = ">";
  append_tokens(s, c);
  CHECK(s == ">" + std::string(seed_bfs));
}

TEST_CASE("encode with the standard vocabulary keeps the commas") {
  const Vocabulary v = Vocabulary::standard();
  const Prompt p = prompt("0,1/0,1");
  std::vector<TokenId> ids;
  encode_prompt(p, v, ids);
  // | / , < > ( ) - = are 3..11 after the specials, nodes start at 12.
  CHECK(ids == std::vector<TokenId>{12, 5, 13, 4, 12, 5, 13});
  ids.clear();
  encode_completion(traced("0,1/0,1"), v, ids);
  CHECK(ids == std::vector<TokenId>{6, 12, 5, 8, 13, 9, 10, 13, 5, 12, 7, 11, 12, 5, 13});
}

TEST_CASE("encode with the numeral vocabulary drops the commas") {
  const Vocabulary v = Vocabulary::numeral();
  std::vector<std::uint16_t> ids; // a memory-mapped dataset's element type
  encode_prompt(prompt("0,1/0,1"), v, ids);
  CHECK(ids == std::vector<std::uint16_t>{0, 1, 52, 0, 1});
  encode_completion(traced("0,1/0,1"), v, ids);
  CHECK(ids ==
        std::vector<std::uint16_t>{0, 1, 52, 0, 1, 60, 0, 63, 1, 64, 57, 1, 0, 59, 51, 0, 1});
}

TEST_CASE("encoding a label outside the vocabulary's label space throws") {
  const Vocabulary v = Vocabulary::standard(5);
  std::vector<TokenId> ids;
  CHECK_NOTHROW(encode_prompt(prompt("0,4/4,0"), v, ids));
  CHECK_THROWS_WITH_AS(encode_prompt(prompt("0,5/5,0"), v, ids),
                       "searchtrace: node 5 is outside the vocabulary's label space 0..4",
                       std::out_of_range);
  CHECK_THROWS_AS(encode_completion(traced("0,1|1,50/0,50"), v, ids), std::out_of_range);
  CHECK_THROWS_AS(encode_prompt(prompt("0,4294967295/0,4294967295"), Vocabulary::numeral(), ids),
                  std::out_of_range);
}

TEST_CASE("decode_tokens restores dropped commas") {
  for (const Vocabulary& v : {Vocabulary::standard(), Vocabulary::numeral()}) {
    CAPTURE(v.name());
    std::vector<std::uint16_t> ids;
    encode_prompt(prompt(seed_prompt), v, ids);
    encode_completion(traced(seed_prompt), v, ids);
    std::vector<Token> tokens;
    REQUIRE(decode_tokens(std::span<const std::uint16_t>(ids), v, tokens));
    CHECK(text_of(tokens) == std::string(seed_prompt) + std::string(seed_bfs));
    CHECK(text_of(tokens, Rendering::pretty) ==
          std::string(seed_prompt) + std::string(seed_bfs_pretty));
  }
  SUBCASE("an empty list gets no comma inside") {
    const Vocabulary v = Vocabulary::numeral();
    std::vector<TokenId> ids;
    encode_completion(traced("0,1|0,2|2,3/0,3"), v, ids);
    std::vector<Token> tokens;
    REQUIRE(decode_tokens(std::span<const TokenId>(ids), v, tokens));
    CHECK(text_of(tokens) == "<0,(1,2),1,(),2,(3)-3,2,0>=0,2,3");
  }
}

TEST_CASE("decode_tokens stops at an id that is not a grammar token") {
  std::vector<Token> tokens;
  std::size_t bad = 99;
  SUBCASE("a special of the standard vocabulary") {
    const Vocabulary v = Vocabulary::standard();
    const std::vector<TokenId> ids{*v.bos(), 12, 5, 13};
    CHECK_FALSE(decode_tokens(std::span<const TokenId>(ids), v, tokens, &bad));
    CHECK(bad == 0u);
    CHECK(tokens.empty());
  }
  SUBCASE("an unused symbol of the numeral layout") {
    const Vocabulary v = Vocabulary::numeral();
    const std::vector<TokenId> ids{0, 1, 53}; // '$'
    CHECK_FALSE(decode_tokens(std::span<const TokenId>(ids), v, tokens, &bad));
    CHECK(bad == 2u);
    CHECK(tokens.size() == 3u); // 0 , 1 were decoded before it
  }
  SUBCASE("an id beyond the vocabulary, without asking where") {
    const Vocabulary v = Vocabulary::numeral();
    const std::vector<TokenId> ids{0, 1000};
    CHECK_FALSE(decode_tokens(std::span<const TokenId>(ids), v, tokens));
  }
}

TEST_CASE("the word-wise prompt writer agrees with the token walker") {
  // append_prompt writes prompts of up to 64 nodes with labels below 10^7 two words per edge;
  // the rest, and append_tokens over prompt_tokens always, go token by token. Random graphs
  // across both limits and every label width must come out the same both ways.
  std::uint64_t state = 99;
  const auto below = [&](std::uint64_t bound) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (state >> 20) % bound;
  };
  const std::uint64_t label_limits[] = {10, 100, 1000, 10'000'000, 10'000'001, 4294967296ull};
  std::size_t word_wise = 0, token_wise = 0;
  std::vector<Token> tokens;
  for (int round = 0; round < 3000; ++round) {
    const auto n = static_cast<std::size_t>(2 + below(70)); // 2..71 nodes
    const std::uint64_t limit = label_limits[below(6)];
    if (limit < n)
      continue;
    std::vector<Label> labels;
    for (std::size_t i = 0; i < n; ++i) {
      // Ascending labels below the limit, the last one near it.
      const std::uint64_t room = limit - (n - i) - (labels.empty() ? 0 : labels.back() + 1);
      const std::uint64_t step = below(room / (n - i) + 1);
      labels.push_back(static_cast<Label>((labels.empty() ? 0 : labels.back() + 1) + step));
    }
    if (below(2) == 0)
      labels.back() = static_cast<Label>(limit - 1);
    std::vector<Edge> edges;
    for (NodeId v = 1; v < n; ++v) // a random tree: every node appears
      edges.push_back({static_cast<NodeId>(below(v)), v});
    for (Edge& e : edges)
      if (below(2) == 0)
        std::swap(e.u, e.v);
    Prompt p;
    REQUIRE(p.graph.assign(labels, edges, round % 5 == 0));
    p.query = {static_cast<NodeId>(below(n)), static_cast<NodeId>(below(n))};
    std::string fast = "x"; // appends to what is there
    append_prompt(fast, p);
    tokens.clear();
    prompt_tokens(p, tokens);
    std::string slow = "x";
    append_tokens(slow, tokens);
    REQUIRE(fast == slow);
    ++(n <= 64 && labels.back() < 10'000'000 ? word_wise : token_wise);
  }
  CHECK(word_wise > 1000u);
  CHECK(token_wise > 500u);
}
