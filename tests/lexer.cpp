#include <searchtrace/lexer.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

using namespace searchtrace;
using namespace std::string_view_literals;

namespace {

struct Lexed {
  std::vector<Lexeme> lexemes;
  LexStatus last = LexStatus::end;
  LexError error;

  // The token stream in compact form: how two spellings are compared.
  std::string compact() const {
    std::string s;
    for (const Lexeme& l : lexemes)
      s += l.token.kind == TokenKind::node
               ? std::to_string(l.token.value)
               : std::string(1, punct_char[static_cast<std::size_t>(l.token.kind)]);
    return s;
  }
};

Lexed lex(std::string_view text) {
  Lexed out;
  Lexer lexer(text);
  Lexeme l;
  for (;;) {
    out.last = lexer.next(l);
    if (out.last != LexStatus::token)
      break;
    out.lexemes.push_back(l);
  }
  if (out.last == LexStatus::error)
    out.error = lexer.error();
  return out;
}

// The offset of the first lexing error, or the text's size when it lexes completely.
std::size_t error_offset(std::string_view text) {
  const Lexed l = lex(text);
  return l.last == LexStatus::error ? l.error.offset : text.size() + 1000;
}

constexpr std::string_view seed_compact = "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4";
constexpr std::string_view seed_pretty = "<0,(1, 2),1,(2, 3),2,(4) - 4,2,0>=0,2,4";

} // namespace

TEST_CASE("lexing the seed prompt gives every token with its offset and length") {
  const Lexed l = lex("1,3|2,4|1,2|0,1|0,2|3,4/0,4");
  REQUIRE(l.last == LexStatus::end);
  CHECK(l.compact() == "1,3|2,4|1,2|0,1|0,2|3,4/0,4");
  REQUIRE(l.lexemes.size() == 27u);
  for (std::size_t i = 0; i < l.lexemes.size(); ++i) {
    CAPTURE(i);
    CHECK(l.lexemes[i].offset == i); // every token is one byte here
    CHECK(l.lexemes[i].length == 1u);
    CHECK_FALSE(l.lexemes[i].too_large);
  }
  CHECK(l.lexemes[0].token == node_token(1));
  CHECK(l.lexemes[3].token == punct_token(TokenKind::bar));
  CHECK(l.lexemes[23].token == punct_token(TokenKind::slash));
}

TEST_CASE("a node is one token whatever its number of digits") {
  const Lexed l = lex("10,123|4294967295,0");
  REQUIRE(l.last == LexStatus::end);
  REQUIRE(l.lexemes.size() == 7u);
  CHECK(l.lexemes[0].token == node_token(10));
  CHECK(l.lexemes[0].offset == 0u);
  CHECK(l.lexemes[0].length == 2u);
  CHECK(l.lexemes[2].token == node_token(123));
  CHECK(l.lexemes[2].offset == 3u);
  CHECK(l.lexemes[2].length == 3u);
  CHECK(l.lexemes[4].token == node_token(4294967295u));
  CHECK(l.lexemes[4].offset == 7u);
  CHECK(l.lexemes[4].length == 10u);
  CHECK_FALSE(l.lexemes[4].too_large);
  CHECK(l.lexemes[6].token == node_token(0));
  CHECK(l.lexemes[6].offset == 18u);
}

TEST_CASE("numbers beyond 2^32-1 are flagged too_large and saturate") {
  for (const std::string_view digits :
       {"4294967296"sv, "18446744073709551615"sv, "18446744073709551617"sv,
        "99999999999999999999999999999999999999"sv}) {
    CAPTURE(digits);
    const std::string text = "1," + std::string(digits) + ",2";
    const Lexed l = lex(text);
    REQUIRE(l.last == LexStatus::end); // lexing goes on: the parser decides what it means
    REQUIRE(l.lexemes.size() == 5u);
    CHECK(l.lexemes[2].too_large);
    CHECK(l.lexemes[2].token == node_token(4294967295u));
    CHECK(l.lexemes[2].offset == 2u);
    CHECK(l.lexemes[2].length == digits.size());
    CHECK(l.lexemes[4].token == node_token(2));
    CHECK_FALSE(l.lexemes[4].too_large);
  }
}

TEST_CASE("a leading zero is a syntax error at the number's first byte") {
  SUBCASE("zero itself and numbers containing zeros are fine") {
    CHECK(lex("0,10,100,0").last == LexStatus::end);
    CHECK(lex("0").lexemes.at(0).token == node_token(0));
  }
  SUBCASE("at the start") {
    const Lexed l = lex("01,2");
    REQUIRE(l.last == LexStatus::error);
    CHECK(l.error.offset == 0u);
    CHECK(l.error.message.find("leading zero") != std::string::npos);
  }
  SUBCASE("after other tokens") {
    CHECK(error_offset("1,05") == 2u);
    CHECK(error_offset("<0,(1,007)") == 6u);
    CHECK(error_offset("1,00") == 2u);
  }
}

TEST_CASE("both spellings of the separators lex to the same tokens") {
  const std::string expected(seed_compact);
  SUBCASE("compact") {
    CHECK(lex(seed_compact).compact() == expected);
  }
  SUBCASE("pretty") {
    const Lexed l = lex(seed_pretty);
    REQUIRE(l.last == LexStatus::end);
    CHECK(l.compact() == expected);
  }
  SUBCASE("only the spaces after list commas") {
    CHECK(lex("<0,(1, 2),1,(2, 3),2,(4)-4,2,0>=0,2,4").compact() == expected);
  }
  SUBCASE("only some list commas spaced") {
    CHECK(lex("<0,(1, 2),1,(2,3),2,(4)-4,2,0>=0,2,4").compact() == expected);
  }
  SUBCASE("only the space before the dash") {
    CHECK(lex("<0,(1,2),1,(2,3),2,(4) -4,2,0>=0,2,4").compact() == expected);
  }
  SUBCASE("only the space after the dash") {
    CHECK(lex("<0,(1,2),1,(2,3),2,(4)- 4,2,0>=0,2,4").compact() == expected);
  }
  SUBCASE("both dash spaces but no list spaces") {
    CHECK(lex("<0,(1,2),1,(2,3),2,(4) - 4,2,0>=0,2,4").compact() == expected);
  }
  SUBCASE("offsets point at the token, not at its padding") {
    const Lexed l = lex(seed_pretty);
    // "<0,(1, 2)": the node 2 stands after the comma and its space.
    CHECK(l.lexemes[6].token == node_token(2));
    CHECK(l.lexemes[6].offset == 7u);
    // "(4) - 4": the dash stands after one space.
    const std::size_t dash = seed_pretty.find('-');
    bool found = false;
    for (const Lexeme& x : l.lexemes)
      if (x.token.kind == TokenKind::dash) {
        CHECK(x.offset == dash);
        CHECK(x.length == 1u);
        found = true;
      }
    CHECK(found);
  }
}

TEST_CASE("any other whitespace is a syntax error at its byte") {
  SUBCASE("two spaces after a list comma: the second one") {
    CHECK(error_offset("<0,(1,  2)") == 7u);
  }
  SUBCASE("two spaces before the dash: the second one") {
    CHECK(error_offset("<0,(4)  - 4") == 7u);
  }
  SUBCASE("two spaces after the dash: the second one") {
    CHECK(error_offset("<0,(4) -  4") == 9u);
  }
  SUBCASE("three spaces after the dash: the second one") {
    CHECK(error_offset("<0,(4)-   4") == 8u);
  }
  SUBCASE("a space after a comma outside parentheses") {
    CHECK(error_offset("<0, (1)") == 3u);
    CHECK(error_offset("-4, 2,0>") == 3u);
    CHECK(error_offset("0, 1/0,1") == 2u);
  }
  SUBCASE("a space before a comma, after '(' or before ')'") {
    CHECK(error_offset("<0,(1 ,2)") == 5u);
    CHECK(error_offset("<0,( 1)") == 4u);
    CHECK(error_offset("<0,(1 )") == 5u);
  }
  SUBCASE("spaces around the prompt's separators") {
    CHECK(error_offset("0,1 |1,2/0,2") == 3u);
    CHECK(error_offset("0,1| 1,2/0,2") == 4u);
    CHECK(error_offset("0,1|1,2 /0,2") == 7u);
    CHECK(error_offset("0 ,1") == 1u);
  }
  SUBCASE("spaces around the completion's other tokens") {
    CHECK(error_offset("< 0") == 1u);
    CHECK(error_offset("-4,0 >=0") == 4u);
    CHECK(error_offset("-4,0> =0") == 5u);
    CHECK(error_offset("-4,0>= 0") == 6u);
  }
  SUBCASE("leading and trailing spaces") {
    CHECK(error_offset(" <0") == 0u);
    CHECK(error_offset("0,1/0,1 ") == 7u);
  }
  SUBCASE("a newline, a carriage return, a tab") {
    CHECK(error_offset("<0,(1)\n-") == 6u);
    CHECK(error_offset("<0,(1)\r\n-") == 6u);
    CHECK(error_offset("<0,(1,\t2)") == 6u);
    const Lexed l = lex("0,1\n");
    CHECK(l.error.message == "unexpected byte 0x0a");
  }
}

TEST_CASE("bytes outside the grammar are errors at their offset") {
  SUBCASE("a printable character is quoted") {
    const Lexed l = lex("0,1|x,2");
    REQUIRE(l.last == LexStatus::error);
    CHECK(l.error.offset == 4u);
    CHECK(l.error.message == "unexpected character 'x'");
    CHECK(l.lexemes.size() == 4u); // the tokens before it were read
  }
  SUBCASE("a NUL byte is shown in hex") {
    const Lexed l = lex("0,1\0,2"sv);
    REQUIRE(l.last == LexStatus::error);
    CHECK(l.error.offset == 3u);
    CHECK(l.error.message == "unexpected byte 0x00");
  }
  SUBCASE("a non-ASCII byte is shown in hex") {
    const Lexed l = lex("0,\xc3\xa9");
    REQUIRE(l.last == LexStatus::error);
    CHECK(l.error.offset == 2u);
    CHECK(l.error.message == "unexpected byte 0xc3");
  }
  SUBCASE("symbols of other layouts are not grammar tokens") {
    for (const char c : std::string_view("$?&*+[]{};.:#")) {
      CAPTURE(c);
      CHECK(error_offset(std::string("1,") + c) == 2u);
    }
  }
  SUBCASE("a sign is not part of a number") {
    CHECK(error_offset("1,+2") == 2u);
  }
}

TEST_CASE("the lexer reports its end repeatedly and tracks where it is") {
  Lexer lexer("<0,(1)");
  CHECK(lexer.text() == "<0,(1)");
  Lexeme l;
  CHECK(lexer.position() == 0u);
  CHECK_FALSE(lexer.inside_list());
  REQUIRE(lexer.next(l) == LexStatus::token); // <
  REQUIRE(lexer.next(l) == LexStatus::token); // 0
  REQUIRE(lexer.next(l) == LexStatus::token); // ,
  CHECK(lexer.position() == 3u);
  REQUIRE(lexer.next(l) == LexStatus::token); // (
  CHECK(lexer.inside_list());
  REQUIRE(lexer.next(l) == LexStatus::token); // 1
  CHECK(lexer.inside_list());
  REQUIRE(lexer.next(l) == LexStatus::token); // )
  CHECK_FALSE(lexer.inside_list());
  CHECK(lexer.next(l) == LexStatus::end);
  CHECK(lexer.next(l) == LexStatus::end);
  CHECK(lexer.position() == 6u);

  SUBCASE("an empty text is at its end at once") {
    Lexer empty("");
    CHECK(empty.next(l) == LexStatus::end);
  }
  SUBCASE("a text of spaces only") {
    CHECK(error_offset("  ") == 0u);
  }
}
