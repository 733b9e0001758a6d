#include <searchtrace/vocabulary.hpp>

#include <searchtrace/render.hpp>

#include "support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

using namespace searchtrace;

namespace {

TokenId id_of(const Vocabulary& v, TokenKind k) {
  return v.id(punct_token(k));
}

} // namespace

TEST_CASE("the standard vocabulary: specials, punctuation, then nodes") {
  const Vocabulary v = Vocabulary::standard();
  CHECK(v.name() == "standard");
  CHECK(v.label_space() == 50u);
  CHECK(v.size() == 3u + 9u + 50u);
  CHECK(v.pad() == TokenId{0});
  CHECK(v.bos() == TokenId{1});
  CHECK(v.eos() == TokenId{2});
  CHECK_FALSE(v.drops_commas());
  CHECK(id_of(v, TokenKind::bar) == 3u);
  CHECK(id_of(v, TokenKind::slash) == 4u);
  CHECK(id_of(v, TokenKind::comma) == 5u);
  CHECK(id_of(v, TokenKind::lt) == 6u);
  CHECK(id_of(v, TokenKind::gt) == 7u);
  CHECK(id_of(v, TokenKind::lparen) == 8u);
  CHECK(id_of(v, TokenKind::rparen) == 9u);
  CHECK(id_of(v, TokenKind::dash) == 10u);
  CHECK(id_of(v, TokenKind::eq) == 11u);
  CHECK(v.id(node_token(0)) == 12u);
  CHECK(v.id(node_token(49)) == 61u);
  CHECK(v.id(node_token(50)) == no_token_id);
  CHECK(v.spelling(0) == "<pad>");
  CHECK(v.spelling(1) == "<bos>");
  CHECK(v.spelling(2) == "<eos>");
  CHECK(v.spelling(5) == ",");
  CHECK(v.spelling(12) == "0");
  CHECK(v.spelling(61) == "49");
  CHECK(Vocabulary::standard(7).size() == 3u + 9u + 7u);
}

TEST_CASE("the numeral vocabulary follows the training code's layout") {
  SUBCASE("L = 50") {
    const Vocabulary v = Vocabulary::numeral(50);
    CHECK(v.name() == "numeral");
    CHECK(v.size() == 50u + 19u);
    CHECK(v.drops_commas());
    CHECK_FALSE(v.pad().has_value());
    CHECK_FALSE(v.bos().has_value());
    CHECK_FALSE(v.eos().has_value());
    for (Label l = 0; l < 50; ++l)
      CHECK(v.id(node_token(l)) == l);
    CHECK(id_of(v, TokenKind::bar) == 50u);
    CHECK(id_of(v, TokenKind::eq) == 51u);
    CHECK(id_of(v, TokenKind::slash) == 52u);
    CHECK(id_of(v, TokenKind::dash) == 57u);
    CHECK(id_of(v, TokenKind::gt) == 59u);
    CHECK(id_of(v, TokenKind::lt) == 60u);
    CHECK(id_of(v, TokenKind::lparen) == 63u);
    CHECK(id_of(v, TokenKind::rparen) == 64u);
    CHECK(id_of(v, TokenKind::comma) == no_token_id);
    // The whole layout, including the symbols this grammar does not use.
    const std::string_view layout = "|=/$?&*-+><[](){};.";
    for (std::size_t i = 0; i < layout.size(); ++i)
      CHECK(v.spelling(static_cast<TokenId>(50 + i)) == std::string(1, layout[i]));
  }
  SUBCASE("L = 100 shifts the punctuation") {
    const Vocabulary v = Vocabulary::numeral(100);
    CHECK(id_of(v, TokenKind::bar) == 100u);
    CHECK(id_of(v, TokenKind::lt) == 110u);
    CHECK(v.id(node_token(99)) == 99u);
    CHECK(v.size() == 119u);
  }
}

TEST_CASE("numeral-eot is the numeral layout with the training code's end-of-text token") {
  const Vocabulary v = Vocabulary::numeral_eot(50);
  const Vocabulary n = Vocabulary::numeral(50);
  CHECK(v.name() == "numeral-eot");
  CHECK(v.size() == 71u);
  CHECK(v.spelling(69) == "<unused>");
  CHECK(v.spelling(70) == "<|endoftext|>");
  CHECK(v.bos() == TokenId{70});
  CHECK(v.eos() == TokenId{70});
  CHECK(v.pad() == TokenId{70});
  CHECK_FALSE(v.token(69).has_value());
  CHECK_FALSE(v.token(70).has_value());
  // Every grammar token keeps its numeral id.
  for (TokenId id = 0; id < n.size(); ++id) {
    CAPTURE(id);
    CHECK(v.token(id) == n.token(id));
    CHECK(v.spelling(id) == n.spelling(id));
  }
  CHECK(v.drops_commas());
  CHECK(Vocabulary::numeral_eot(10).eos() == TokenId{30});
  CHECK(Vocabulary::preset("numeral-eot", 20)->name() == "numeral-eot");
}

TEST_CASE("presets by name") {
  CHECK(Vocabulary::preset("standard")->size() == Vocabulary::standard().size());
  CHECK(Vocabulary::preset("numeral", 20)->label_space() == 20u);
  CHECK(Vocabulary::preset("numeral", 20)->name() == "numeral");
  CHECK_FALSE(Vocabulary::preset("gpt2").has_value());
  CHECK_FALSE(Vocabulary::preset("").has_value());
}

TEST_CASE("id and token are inverse on the grammar's tokens") {
  for (const Vocabulary& v : {Vocabulary::standard(30), Vocabulary::numeral(30)}) {
    CAPTURE(v.name());
    std::size_t grammar_ids = 0;
    for (TokenId i = 0; i < v.size(); ++i) {
      const auto t = v.token(i);
      if (!t)
        continue;
      ++grammar_ids;
      CHECK(v.id(*t) == i);
      CHECK(v.spelling(i) == (t->kind == TokenKind::node
                                  ? std::to_string(t->value)
                                  : std::string(1, punct_char[static_cast<std::size_t>(t->kind)])));
    }
    CHECK(grammar_ids == 30u + (v.drops_commas() ? 8u : 9u));
    CHECK_FALSE(v.token(static_cast<TokenId>(v.size())).has_value());
    CHECK_THROWS_AS((void)v.spelling(static_cast<TokenId>(v.size())), std::out_of_range);
  }
  CHECK_FALSE(Vocabulary::standard().token(0).has_value()); // <pad>
  CHECK_FALSE(Vocabulary::numeral().token(53).has_value()); // '$'
}

TEST_CASE("encode appends ids and skips a dropped comma") {
  std::vector<int> out;
  const Vocabulary numeral = Vocabulary::numeral();
  numeral.encode(node_token(7), out);
  numeral.encode(punct_token(TokenKind::comma), out);
  numeral.encode(punct_token(TokenKind::lt), out);
  CHECK(out == std::vector<int>{7, 60});
  std::vector<std::uint16_t> small;
  Vocabulary::standard().encode(punct_token(TokenKind::comma), small);
  CHECK(small == std::vector<std::uint16_t>{5});
}

TEST_CASE("a label outside the label space is never encoded silently") {
  const Vocabulary v = Vocabulary::numeral(50);
  std::vector<TokenId> out;
  CHECK(v.id(node_token(50)) == no_token_id);
  CHECK_THROWS_WITH_AS(v.encode(node_token(50), out),
                       "searchtrace: node 50 is outside the vocabulary's label space 0..49",
                       std::out_of_range);
  CHECK_THROWS_AS(v.encode(node_token(4294967295u), out), std::out_of_range);
  CHECK(out.empty());
}

TEST_CASE("a vocabulary needs a label space of at least 1") {
  CHECK_THROWS_AS(Vocabulary::standard(0), std::invalid_argument);
  CHECK_THROWS_AS(Vocabulary::numeral(0), std::invalid_argument);
  CHECK(Vocabulary::numeral(1).size() == 20u);
}

TEST_CASE("to_json is valid JSON describing every id") {
  for (const Vocabulary& v :
       {Vocabulary::standard(), Vocabulary::numeral(), Vocabulary::numeral(3)}) {
    CAPTURE(v.name());
    const nlohmann::json j = nlohmann::json::parse(v.to_json()); // throws on invalid JSON
    CHECK(j.at("name") == std::string(v.name()));
    CHECK(j.at("label_space") == v.label_space());
    CHECK(j.at("size") == v.size());
    CHECK(j.at("drops_commas") == v.drops_commas());
    CHECK(j.at("node_offset") == v.id(node_token(0)));
    const auto& tokens = j.at("tokens");
    REQUIRE(tokens.is_array());
    REQUIRE(tokens.size() == v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
      CHECK(tokens[i] == std::string(v.spelling(static_cast<TokenId>(i))));
    const auto& special = j.at("special");
    REQUIRE(special.is_object());
    if (v.bos()) {
      CHECK(special.at("pad") == *v.pad());
      CHECK(special.at("bos") == *v.bos());
      CHECK(special.at("eos") == *v.eos());
    } else {
      CHECK(special.empty());
    }
  }
}

TEST_CASE("comma_between marks exactly where the grammar puts commas") {
  using K = TokenKind;
  CHECK(Vocabulary::comma_between(K::node, K::node));
  CHECK(Vocabulary::comma_between(K::node, K::lparen));
  CHECK(Vocabulary::comma_between(K::rparen, K::node));
  CHECK_FALSE(Vocabulary::comma_between(K::lparen, K::node));
  CHECK_FALSE(Vocabulary::comma_between(K::lparen, K::rparen));
  CHECK_FALSE(Vocabulary::comma_between(K::node, K::rparen));
  CHECK_FALSE(Vocabulary::comma_between(K::node, K::dash));
  CHECK_FALSE(Vocabulary::comma_between(K::dash, K::node));
  CHECK_FALSE(Vocabulary::comma_between(K::node, K::bar));
  CHECK_FALSE(Vocabulary::comma_between(K::slash, K::node));
  CHECK_FALSE(Vocabulary::comma_between(K::eq, K::node));
  CHECK_FALSE(Vocabulary::comma_between(K::node, K::lt));
}

TEST_CASE("the seed sample survives an encode and decode round trip") {
  constexpr std::string_view sample =
      "1,3|2,4|1,2|0,1|0,2|3,4/0,4<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4";
  const Prompt p = searchtrace_test::prompt("1,3|2,4|1,2|0,1|0,2|3,4/0,4");
  for (const Vocabulary& v : {Vocabulary::numeral(), Vocabulary::standard()}) {
    CAPTURE(v.name());
    std::vector<TokenId> ids;
    encode_prompt(p, v, ids);
    encode_completion(*trace_bfs(p), v, ids);
    // Commas are 18 of the sample's 62 tokens.
    CHECK(ids.size() == (v.drops_commas() ? 62u - 18u : 62u));
    std::vector<Token> tokens;
    REQUIRE(decode_tokens(std::span<const TokenId>(ids), v, tokens));
    std::string text;
    append_tokens(text, tokens);
    CHECK(text == sample);
  }
}
