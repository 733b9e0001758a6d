#include <searchtrace/cursor.hpp>

#include <searchtrace/completion.hpp>
#include <searchtrace/render.hpp>
#include <searchtrace/tracer.hpp>

#include <doctest/doctest.h>

#include <bit>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "random_graphs.hpp"

#include "seed_prompt.hpp"

using searchtrace_test::seed_example;
using searchtrace_test::seed_prompt;

using namespace searchtrace;

namespace {

constexpr std::string_view seed_bfs = "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4";

std::vector<Token> tokens_of(const Trace& t) {
  std::vector<Token> out;
  completion_tokens(t, out);
  return out;
}

/// The one token a valid-mode cursor allows (it allows exactly one, or the end).
Token only_token(const NextTokens& n) {
  if (n.node)
    return node_token(*n.node);
  REQUIRE(std::popcount(n.punct) == 1);
  return punct_token(static_cast<TokenKind>(std::countr_zero(n.punct)));
}

/// Whether `p` is a prefix of some rendering of `tokens` (each optional space
/// independently present or not): the brute-force oracle of byte-level viability.
bool prefix_of_a_rendering(const std::vector<Token>& tokens, std::string_view p) {
  std::size_t at = 0;
  bool inside = false;
  for (const Token t : tokens) {
    if (at == p.size())
      return true;
    const bool space_before = t.kind == TokenKind::dash;
    if (space_before && p[at] == ' ')
      ++at;
    if (at == p.size())
      return true;
    const std::string literal = t.kind == TokenKind::node
                                    ? std::to_string(t.value)
                                    : std::string(1, punct_char[static_cast<std::size_t>(t.kind)]);
    for (const char c : literal) {
      if (at == p.size())
        return true;
      if (p[at++] != c)
        return false;
    }
    if (t.kind == TokenKind::lparen)
      inside = true;
    if (t.kind == TokenKind::rparen)
      inside = false;
    const bool space_after = t.kind == TokenKind::dash || (t.kind == TokenKind::comma && inside);
    if (space_after && at < p.size() && p[at] == ' ')
      ++at;
  }
  return at == p.size();
}

} // namespace

TEST_CASE("cursor: a correct completion stays viable byte by byte, in either spacing") {
  const Prompt p = seed_example();
  CompletionCursor c;
  for (const std::string_view text :
       {seed_bfs, std::string_view("<0,(1, 2),1,(2, 3),2,(4) - 4,2,0>=0,2,4"),
        std::string_view("<0,(1,2),1,(2, 3),2,(4)- 4,2,0>=0,2,4")}) {
    CAPTURE(text);
    c.reset(p);
    for (const char b : text) {
      CHECK(c.feed(b));
      CHECK_FALSE(c.complete()); // the last number is not a token before the end
    }
    CHECK(c.finish());
    CHECK(c.complete());
    CHECK(c.failed_at() == no_offset);
    CHECK(c.failure().empty());
    CHECK(c.position() == text.size());
  }
}

TEST_CASE("cursor: allowed_next names the one correct next token, then the end") {
  const Prompt p = seed_example();
  CompletionCursor c;
  c.reset(p);
  const auto expected = tokens_of(*trace(p));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const NextTokens n = c.allowed_next();
    CHECK(n.allows(expected[i]));
    CHECK(only_token(n) == expected[i]);
    CHECK_FALSE(n.end);
    CHECK_FALSE(n.any_node);
    CHECK_FALSE(c.complete());
    CHECK(c.feed(expected[i]));
  }
  CHECK(c.complete());
  CHECK(c.allowed_next().end);
  CHECK(c.allowed_next().punct == 0);
  CHECK_FALSE(c.allowed_next().node);
  CHECK(c.token_count() == expected.size());
  CHECK(c.finish());
}

TEST_CASE("cursor: a wrong token ends viability, at its position, with a reason") {
  const Prompt p = seed_example();
  CompletionCursor c;
  SUBCASE("the blog's neighbour error: the list of 1 must end after 3") {
    c.reset(p);
    CHECK_FALSE(c.feed(std::string_view("<0,(1, 2),1,(2, 3, 4)")));
    CHECK(c.failed_at() == 17);
    CHECK(c.failure() == "expected ')', found ','");
    CHECK(c.allowed_next().none());
    CHECK_FALSE(c.finish());
  }
  SUBCASE("tokens: after '<' only the source") {
    c.reset(p);
    CHECK(c.feed(punct_token(TokenKind::lt)));
    CHECK(c.allowed_next().node == Label{0});
    CHECK_FALSE(c.feed(node_token(1)));
    CHECK(c.failed_at() == 1);
    CHECK(c.failure() == "expected node 0, found node 1");
    CHECK_FALSE(c.feed(node_token(0))); // stays not viable
    CHECK(c.position() == 3);
  }
  SUBCASE("bytes: a number that cannot become the allowed node fails at its digit") {
    c.reset(p);
    CHECK_FALSE(c.feed(std::string_view("<0,(1,2),2")));
    CHECK(c.failed_at() == 9);
    CHECK(c.failure() == "expected node 1, found a number starting with 2");
  }
  SUBCASE("bytes: a longer number than the allowed node fails at the extra digit") {
    auto q = parse_prompt("1,3|12,4|1,12|0,1|0,12|3,4/0,4");
    REQUIRE(q.ok());
    c.reset(*q);
    CHECK(c.feed(std::string_view("<0,(1,1"))); // 1 could still become 12
    CHECK(c.feed('2'));
    CHECK_FALSE(c.feed('3'));
    CHECK(c.failed_at() == 8);
  }
  SUBCASE("bytes: the lexer's rules") {
    c.reset(p);
    CHECK_FALSE(c.feed(std::string_view("<00")));
    CHECK(c.failed_at() == 1);
    CHECK(c.failure() == "leading zero in a number");
    c.reset(p);
    CHECK_FALSE(c.feed(std::string_view("<0, ")));
    CHECK(c.failed_at() == 3);
    CHECK(c.failure() == "unexpected space");
    c.reset(p);
    CHECK_FALSE(c.feed(std::string_view("<0,(1,  ")));
    CHECK(c.failed_at() == 7);
    c.reset(p);
    CHECK_FALSE(c.feed(std::string_view("<0,(1,2)x")));
    CHECK(c.failure() == "unexpected character 'x'");
    c.reset(p);
    CHECK(c.feed(std::string_view(seed_bfs)));
    CHECK_FALSE(c.feed(' '));
    CHECK_FALSE(c.finish());
  }
  SUBCASE("finish: a prefix is not a completion") {
    c.reset(p);
    CHECK(c.feed(std::string_view("<0,(1,2)")));
    CHECK_FALSE(c.finish());
    CHECK(c.failed_at() == 8);
    CHECK(c.failure() == "the completion ends where ',' should be");
  }
}

TEST_CASE("cursor: no valid completion when the target cannot be reached") {
  auto p = parse_prompt("0,1|2,1/0,2", PromptOptions{true});
  REQUIRE(p.ok());
  CompletionCursor c;
  c.reset(*p);
  CHECK_FALSE(c.viable());
  CHECK(c.failed_at() == 0);
  CHECK(c.allowed_next().none());
  // The grammar alone has no opinion on reachability.
  c.reset(*p, {}, CursorMode::grammar);
  CHECK(c.viable());
}

TEST_CASE("cursor: feeding both bytes and tokens, or after finish, is a logic error") {
  const Prompt p = seed_example();
  CompletionCursor c;
  c.reset(p);
  c.feed('<');
  CHECK_THROWS_AS(c.feed(node_token(0)), std::logic_error);
  c.reset(p);
  c.feed(punct_token(TokenKind::lt));
  CHECK_THROWS_AS(c.feed('0'), std::logic_error);
  c.reset(p);
  c.feed(std::string_view(seed_bfs));
  CHECK(c.finish());
  CHECK_THROWS_AS(c.feed('0'), std::logic_error);
  c.reset(p);
  CHECK(c.feed('<'));
}

TEST_CASE("cursor: constrained greedy decoding reproduces the reference trace") {
  searchtrace_test::SampleMaker maker(41);
  searchtrace_test::RandomCase s;
  CompletionCursor c;
  std::vector<Token> decoded;
  int n = 0;
  for (const Algorithm a : {Algorithm::bfs, Algorithm::dfs})
    for (const NeighborOrder order : {NeighborOrder::ascending, NeighborOrder::prompt})
      for (const Listing l : {Listing::unexpanded, Listing::undiscovered})
        for (const StopRule r : {StopRule::on_list, StopRule::on_pop})
          for (int i = 0; i < 40; ++i, ++n) {
            SearchOptions o;
            o.algorithm = a;
            o.order = order;
            o.listing = l;
            o.stop = r;
            maker.draw(maker.any_shape(), o, s);
            c.reset(s.prompt, o);
            decoded.clear();
            while (!c.allowed_next().end) {
              CAPTURE(s.prompt_text);
              CAPTURE(c.failure());
              CAPTURE(int(o.algorithm));
              CAPTURE(int(o.order));
              CAPTURE(int(o.listing));
              CAPTURE(int(o.stop));
              REQUIRE(c.viable());
              REQUIRE(decoded.size() < 10000);
              const Token t = only_token(c.allowed_next());
              decoded.push_back(t);
              c.feed(t);
            }
            CAPTURE(s.prompt_text);
            CHECK(decoded == tokens_of(s.trace));
            CHECK(c.finish());
          }
  CHECK(n == 640);
}

TEST_CASE("cursor: byte viability is 'prefix of some rendering of the reference'") {
  searchtrace_test::SampleMaker maker(43);
  searchtrace_test::RandomCase s;
  CompletionCursor c;
  constexpr std::string_view alphabet = "0123456789,()-<>= ";
  for (int i = 0; i < 600; ++i) {
    SearchOptions o;
    o.algorithm = i % 2 ? Algorithm::dfs : Algorithm::bfs;
    maker.draw(maker.any_shape(), o, s);
    const auto reference = tokens_of(s.trace);
    std::string text = s.completion;
    if (i % 4 != 0) {
      const auto at = maker.rng().below(text.size());
      if (maker.rng().chance(0.5))
        text[at] = alphabet[maker.rng().below(alphabet.size())];
      else
        text.insert(at, 1, alphabet[maker.rng().below(alphabet.size())]);
    }
    CAPTURE(s.prompt_text);
    CAPTURE(text);
    c.reset(s.prompt, o);
    for (std::size_t k = 0; k < text.size(); ++k) {
      c.feed(text[k]);
      CAPTURE(k);
      REQUIRE(c.viable() ==
              prefix_of_a_rendering(reference, std::string_view(text).substr(0, k + 1)));
    }
    const bool whole = c.finish();
    ParsedCompletion pc = parse_completion(text);
    CHECK(whole == (pc.complete && pc.trace == s.trace));
  }
}

TEST_CASE("cursor: grammar mode accepts what the parser accepts") {
  searchtrace_test::SampleMaker maker(47);
  searchtrace_test::RandomCase s;
  CompletionCursor c;
  constexpr std::string_view alphabet = "0123456789,()-<>=| x";
  for (int i = 0; i < 1500; ++i) {
    SearchOptions o;
    o.algorithm = i % 2 ? Algorithm::dfs : Algorithm::bfs;
    maker.draw(maker.any_shape(), o, s);
    std::string text = s.completion;
    const auto edits = maker.rng().below(3);
    for (std::uint64_t e = 0; e < edits; ++e) {
      const auto at = maker.rng().below(text.size());
      if (maker.rng().chance(0.5))
        text[at] = alphabet[maker.rng().below(alphabet.size())];
      else
        text.insert(at, 1, alphabet[maker.rng().below(alphabet.size())]);
    }
    if (maker.rng().chance(0.05))
      text.insert(text.size() - 1, "99999999999");
    CAPTURE(text);
    c.reset_grammar();
    for (std::size_t k = 0; k < text.size(); ++k) {
      c.feed(text[k]);
      // A prefix that ends in a space may still be viable although the Lexer, which knows the
      // text ends there, rejects the space: compare the others.
      if (text[k] == ' ')
        continue;
      const ParsedCompletion pc = parse_completion(std::string_view(text).substr(0, k + 1));
      CAPTURE(k);
      REQUIRE(c.viable() == (!pc.error || pc.error->kind == ErrorKind::truncated));
    }
    const ParsedCompletion pc = parse_completion(text);
    CHECK(c.finish() == pc.complete);
    // Token by token, a parsed completion is a sentence of the grammar.
    if (pc.complete) {
      c.reset_grammar();
      for (const Token t : tokens_of(pc.trace)) {
        CHECK(c.allowed_next().allows(t));
        c.feed(t);
      }
      CHECK(c.complete());
      CHECK(c.allowed_next().end);
      CHECK(c.allowed_next().allows(TokenKind::comma)); // a path may go on
    }
  }
}

TEST_CASE("cursor: grammar mode allows any node where the grammar has one") {
  CompletionCursor c;
  c.reset_grammar();
  CHECK(c.allowed_next().allows(TokenKind::lt));
  CHECK_FALSE(c.allowed_next().allows(TokenKind::node));
  c.feed(punct_token(TokenKind::lt));
  CHECK(c.allowed_next().any_node);
  CHECK(c.allowed_next().allows(node_token(123456)));
  c.feed(node_token(7));
  c.feed(punct_token(TokenKind::comma));
  c.feed(punct_token(TokenKind::lparen));
  const NextTokens n = c.allowed_next();
  CHECK(n.any_node);
  CHECK(n.allows(TokenKind::rparen));
  CHECK_FALSE(n.allows(TokenKind::comma));
  CHECK_FALSE(n.end);
}
