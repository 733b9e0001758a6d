#include <searchtrace/grammar.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace searchtrace;

namespace {

struct KindRow {
  TokenKind kind;
  char bare;
  std::string_view name;
};

constexpr std::array<KindRow, 9> punctuation{{
    {TokenKind::bar, '|', "'|'"},
    {TokenKind::slash, '/', "'/'"},
    {TokenKind::comma, ',', "','"},
    {TokenKind::lt, '<', "'<'"},
    {TokenKind::gt, '>', "'>'"},
    {TokenKind::lparen, '(', "'('"},
    {TokenKind::rparen, ')', "')'"},
    {TokenKind::dash, '-', "'-'"},
    {TokenKind::eq, '=', "'='"},
}};

constexpr std::size_t at(TokenKind k) {
  return static_cast<std::size_t>(k);
}

} // namespace

TEST_CASE("every punctuation kind has one bare character and a name") {
  static_assert(token_kind_count == punctuation.size() + 1);
  CHECK(punct_char[at(TokenKind::node)] == '\0');
  CHECK(token_kind_name(TokenKind::node) == "node");
  for (const KindRow& row : punctuation) {
    CAPTURE(row.name);
    CHECK(punct_char[at(row.kind)] == row.bare);
    CHECK(token_kind_name(row.kind) == row.name);
  }
}

TEST_CASE("tokens compare by kind and value") {
  static_assert(node_token(7) == Token{TokenKind::node, 7});
  static_assert(punct_token(TokenKind::bar).value == 0);
  CHECK(node_token(3) == node_token(3));
  CHECK(node_token(3) != node_token(4));
  CHECK(punct_token(TokenKind::bar) != punct_token(TokenKind::slash));
  // A node labelled 0 is not a punctuation token, though both carry the value 0.
  CHECK(node_token(0) != punct_token(TokenKind::comma));
  CHECK(node_token(4294967295u).value == 4294967295u);
}

TEST_CASE("the compact dialect spells every token as its bare character") {
  const Dialect& d = dialect(Rendering::compact);
  CHECK(&d == &compact_dialect);
  CHECK(rendering_name(Rendering::compact) == "compact");
  for (const KindRow& row : punctuation) {
    CAPTURE(row.name);
    CHECK(d.spell(row.kind, Context::outside_list) == std::string(1, row.bare));
    CHECK(d.spell(row.kind, Context::inside_list) == std::string(1, row.bare));
  }
}

TEST_CASE("the pretty dialect differs from compact only in spacing") {
  const Dialect& d = dialect(Rendering::pretty);
  CHECK(&d == &pretty_dialect);
  CHECK(rendering_name(Rendering::pretty) == "pretty");
  SUBCASE("a comma inside a list is followed by one space, outside it is bare") {
    CHECK(d.spell(TokenKind::comma, Context::inside_list) == ", ");
    CHECK(d.spell(TokenKind::comma, Context::outside_list) == ",");
  }
  SUBCASE("the phase separator has one space on each side in both contexts") {
    CHECK(d.spell(TokenKind::dash, Context::outside_list) == " - ");
    CHECK(d.spell(TokenKind::dash, Context::inside_list) == " - ");
  }
  SUBCASE("every other token is its bare character") {
    for (const KindRow& row : punctuation) {
      if (row.kind == TokenKind::comma || row.kind == TokenKind::dash)
        continue;
      CAPTURE(row.name);
      CHECK(d.spell(row.kind, Context::outside_list) == std::string(1, row.bare));
      CHECK(d.spell(row.kind, Context::inside_list) == std::string(1, row.bare));
    }
  }
  SUBCASE("stripping the spaces gives the compact spelling") {
    for (const KindRow& row : punctuation)
      for (const Context c : {Context::outside_list, Context::inside_list}) {
        std::string s(d.spell(row.kind, c));
        std::erase(s, ' ');
        CHECK(s == compact_dialect.spell(row.kind, c));
      }
  }
}

TEST_CASE("accepted padding allows one space after a list comma and around the dash only") {
  // Spacing: the reader accepts, on each side independently, none or exactly this many spaces.
  using detail::accepted_padding;
  CHECK(accepted_padding.at(TokenKind::comma, Context::inside_list).before == 0);
  CHECK(accepted_padding.at(TokenKind::comma, Context::inside_list).after == 1);
  CHECK(accepted_padding.at(TokenKind::comma, Context::outside_list).before == 0);
  CHECK(accepted_padding.at(TokenKind::comma, Context::outside_list).after == 0);
  for (const Context c : {Context::outside_list, Context::inside_list}) {
    CHECK(accepted_padding.at(TokenKind::dash, c).before == 1);
    CHECK(accepted_padding.at(TokenKind::dash, c).after == 1);
  }
  for (const KindRow& row : punctuation) {
    if (row.kind == TokenKind::comma || row.kind == TokenKind::dash)
      continue;
    CAPTURE(row.name);
    for (const Context c : {Context::outside_list, Context::inside_list}) {
      CHECK(accepted_padding.at(row.kind, c).before == 0);
      CHECK(accepted_padding.at(row.kind, c).after == 0);
    }
  }
}

TEST_CASE("for_each_prompt_token walks the edges as written and then the query") {
  const std::vector<std::pair<Label, Label>> edges{{1, 3}, {2, 4}, {10, 0}};
  std::string text;
  std::vector<Token> tokens;
  bool all_outside = true;
  for_each_prompt_token(
      edges.size(), [&](std::size_t i) { return edges[i]; }, Label{0}, Label{4},
      [&](Token t, Context c) {
        tokens.push_back(t);
        all_outside = all_outside && c == Context::outside_list;
        text += t.kind == TokenKind::node ? std::to_string(t.value)
                                          : std::string(1, punct_char[at(t.kind)]);
      });
  CHECK(text == "1,3|2,4|10,0/0,4");
  // 3 tokens per edge, a bar between edges, then '/' and 3 query tokens.
  CHECK(tokens.size() == 3 * 3 + 2 + 4);
  CHECK(tokens[8] == node_token(10)); // one token whatever the number of digits
  CHECK(all_outside);

  SUBCASE("a single edge has no bar") {
    std::string one;
    for_each_prompt_token(
        1,
        [](std::size_t) {
          return std::pair<Label, Label>{5, 6};
        },
        Label{6}, Label{5},
        [&](Token t, Context) {
          one += t.kind == TokenKind::node ? std::to_string(t.value)
                                           : std::string(1, punct_char[at(t.kind)]);
        });
    CHECK(one == "5,6/6,5");
  }
}
