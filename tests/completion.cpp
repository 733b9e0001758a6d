#include <searchtrace/completion.hpp>

#include <searchtrace/lexer.hpp>
#include <searchtrace/render.hpp>
#include <searchtrace/tracer.hpp>
#include <searchtrace/vocabulary.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "random_graphs.hpp"
#include "support.hpp"

using namespace searchtrace;

namespace {

std::string error_of(std::string_view text) {
  const ParsedCompletion pc = parse_completion(text);
  if (!pc.error)
    return "none";
  return std::string(error_kind_name(pc.error->kind)) + '@' + std::to_string(pc.error->offset) +
         '/' + std::to_string(pc.error->expansion) + ": " + pc.error->message;
}

} // namespace

TEST_CASE("completion: the seed's completion in both spellings, with every position") {
  for (const std::string_view text :
       {"<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4", "<0,(1, 2),1,(2, 3),2,(4) - 4,2,0>=0,2,4"}) {
    const ParsedCompletion pc = parse_completion(text);
    CAPTURE(text);
    CHECK(pc.complete);
    CHECK_FALSE(pc.error);
    CHECK(pc.trace == searchtrace_test::seed_bfs_trace());
    CHECK(pc.length == text.size());
    CHECK(pc.lt_at == 0);
    CHECK(pc.expanded_at.size() == 3);
    for (std::size_t i = 0; i < pc.expanded_at.size(); ++i)
      CHECK(text[pc.expanded_at[i]] == '0' + static_cast<char>(pc.trace.expanded[i]));
    for (std::size_t i = 0; i < pc.listed_at.size(); ++i)
      CHECK(text[pc.listed_at[i]] == '0' + static_cast<char>(pc.trace.listed[i]));
    for (const std::size_t o : pc.list_close_at)
      CHECK(text[o] == ')');
    CHECK(text[pc.dash_at] == '-');
    CHECK(text[pc.gt_at] == '>');
    CHECK(text[pc.eq_at] == '=');
    CHECK(pc.path_at[0] == pc.eq_at + 1);
  }
  const ParsedCompletion pc = parse_completion("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4");
  CHECK(pc.expanded_at == std::vector<std::size_t>{1, 9, 17});
  CHECK(pc.listed_at == std::vector<std::size_t>{4, 6, 12, 14, 20});
  CHECK(pc.list_close_at == std::vector<std::size_t>{7, 15, 21});
  CHECK(pc.dash_at == 22);
  CHECK(pc.backtrack_at == std::vector<std::size_t>{23, 25, 27});
  CHECK(pc.gt_at == 28);
  CHECK(pc.eq_at == 29);
  CHECK(pc.path_at == std::vector<std::size_t>{30, 32, 34});
}

TEST_CASE("completion: spacing: each optional space independently, nothing else") {
  // Every combination of the optional spaces: after each comma inside a list, before and after
  // the '-'.
  for (unsigned mask = 0; mask < 16; ++mask) {
    std::string t = "<0,(1,";
    t += (mask & 1) ? " " : "";
    t += "2),1,(2,";
    t += (mask & 2) ? " " : "";
    t += "3),2,(4)";
    t += (mask & 4) ? " " : "";
    t += "-";
    t += (mask & 8) ? " " : "";
    t += "4,2,0>=0,2,4";
    CAPTURE(t);
    const ParsedCompletion pc = parse_completion(t);
    CHECK(pc.complete);
    CHECK(pc.trace == searchtrace_test::seed_bfs_trace());
  }
  CHECK(error_of("<0,(1,  2)") == "syntax@7/0: unexpected space");
  CHECK(error_of("<0, (1,2)") == "syntax@3/0: unexpected space");
  CHECK(error_of("< 0,(1,2)") == "syntax@1/0: unexpected space");
  CHECK(error_of(" <0,(1,2)") == "syntax@0/0: unexpected space");
  CHECK(error_of("<0,(1 ,2)") == "syntax@5/0: unexpected space");
  CHECK(error_of("<0,( 1,2)") == "syntax@4/0: unexpected space");
  CHECK(error_of("<0,(1,2) ,1") == "syntax@8/1: unexpected space");
  CHECK(error_of("<0,(1,2)  -4") == "syntax@9/1: unexpected space");
  CHECK(error_of("<0,(1,2)-  4") == "syntax@10/1: unexpected space");
  CHECK(error_of("<0,(1,2)-4, 2") == "syntax@11/1: unexpected space");
  CHECK(error_of("<0,(1,2)-4,2,0>= 0") == "syntax@16/1: unexpected space");
  CHECK(error_of("<0,(1,\t2)") == "syntax@6/0: unexpected byte 0x09");
  CHECK(error_of("<0,(1,\n2)") == "syntax@6/0: unexpected byte 0x0a");
}

TEST_CASE("completion: end of text") {
  CHECK(error_of("") == "truncated@0/0: the completion ends where '<' should be");
  CHECK(error_of("<") ==
        "truncated@1/0: the completion ends where the first expanded node should be");
  CHECK(error_of("<0") == "truncated@2/0: the completion ends where ',' should be");
  CHECK(error_of("<0,(1") == "truncated@5/0: the completion ends where ',' or ')' should be");
  CHECK(error_of("<0,(1,2)") == "truncated@8/1: the completion ends where ',' or '-' should be");
  CHECK(error_of("<0,(1,2),") ==
        "truncated@9/1: the completion ends where the next expanded node should be");
  CHECK(error_of("<0,(1,2) - ") ==
        "truncated@11/1: the completion ends where the first node of the backtrack should be");
  CHECK(error_of("<0,(1,2)-4,2,0>") == "truncated@15/1: the completion ends where '=' should be");
  CHECK(error_of("<0,(1,2)-4,2,0>=0,2,") ==
        "truncated@20/1: the completion ends where a node should be");
  SUBCASE("a well-formed path ends the completion, wherever it ends") {
    const ParsedCompletion pc = parse_completion("<0,(1,2)-4,2,0>=0");
    CHECK(pc.complete);
    CHECK(pc.trace.path == std::vector<Label>{0});
  }
  SUBCASE("bytes after the path's last node are syntax") {
    CHECK(error_of("<0,(1,2)-4,2,0>=0,2,4x") == "syntax@21/1: unexpected character 'x'");
    CHECK(error_of("<0,(1,2)-4,2,0>=0,2,4 ") == "syntax@21/1: unexpected space");
    CHECK(error_of("<0,(1,2)-4,2,0>=0,2,4)") == "syntax@21/1: expected ',' or the end, found ')'");
    CHECK(error_of("<0,(1,2)-4,2,0>=0,2,4\n") == "syntax@21/1: unexpected byte 0x0a");
  }
  SUBCASE("a leading zero is syntax at the number's first byte") {
    CHECK(error_of("<00,(1,2)") == "syntax@1/0: leading zero in a number");
    CHECK(error_of("<0,(1,02)") == "syntax@6/0: leading zero in a number");
    CHECK(error_of("<0,(1,2)-4,2,0>=0,2,04") == "syntax@20/1: leading zero in a number");
    CHECK(parse_completion("<0,(10,20)-20,0>=0,20").complete);
  }
  SUBCASE("the exploration has at least one expansion") {
    CHECK(error_of("<-4>=4") == "syntax@1/0: expected the first expanded node, found '-'");
  }
  SUBCASE("wrong tokens name what was expected") {
    CHECK(error_of("0") == "syntax@0/0: expected '<', found node 0");
    CHECK(error_of("<0(") == "syntax@2/0: expected ',', found '('");
    CHECK(error_of("<0,1") == "syntax@3/0: expected '(', found node 1");
    CHECK(error_of("<0,(,") == "syntax@4/0: expected a node or ')', found ','");
    CHECK(error_of("<0,(1,)") == "syntax@6/0: expected a node, found ')'");
    CHECK(error_of("<0,(1)(") == "syntax@6/1: expected ',' or '-', found '('");
    CHECK(error_of("<0,(1),(") == "syntax@7/1: expected the next expanded node, found '('");
    CHECK(error_of("<0,(1)->") ==
          "syntax@7/1: expected the first node of the backtrack, found '>'");
    CHECK(error_of("<0,(1)-1=") == "syntax@8/1: expected ',' or '>', found '='");
    CHECK(error_of("<0,(1)-1>0") == "syntax@9/1: expected '=', found node 0");
    CHECK(error_of("<0,(1)-1>=>") == "syntax@10/1: expected the first node of the path, found '>'");
    CHECK(error_of("<0,(1)-1|") == "syntax@8/1: expected ',' or '>', found '|'");
    CHECK(error_of("<0,(1)-1>=0,1/") == "syntax@13/1: expected ',' or the end, found '/'");
    const ParsedCompletion pc = parse_completion("<0,(1)(");
    REQUIRE(pc.error);
    CHECK(pc.error->expected == "',' or '-'");
  }
}

TEST_CASE("completion: numbers beyond 2^32-1 are well-formed, flagged too_large") {
  const ParsedCompletion pc =
      parse_completion("<0,(1,99999999999),4294967295,(4294967296)-4,0>=0,4");
  CHECK(pc.complete);
  CHECK(pc.trace.listed == std::vector<Label>{1, 4294967295u, 4294967295u});
  CHECK(pc.trace.expanded == std::vector<Label>{0, 4294967295u});
  CHECK(pc.too_large_at == std::vector<std::size_t>{6, 31});
  CHECK(pc.too_large(6));
  CHECK_FALSE(pc.too_large(19)); // 4294967295 itself is in range
  CHECK(error_of("<0,(99999999999") ==
        "truncated@15/0: the completion ends where ',' or ')' should be");
  CHECK(error_of("99999999999") == "syntax@0/0: expected '<', found a number beyond 4294967295");
}

TEST_CASE("completion: what came before a syntax error is kept") {
  const ParsedCompletion pc = parse_completion("<0,(1,2),1,(2,3x");
  REQUIRE(pc.error);
  CHECK(pc.error->kind == ErrorKind::syntax);
  CHECK(pc.error->offset == 15);
  CHECK(pc.error->expansion == 1);
  CHECK_FALSE(pc.complete);
  CHECK(pc.trace.expanded == std::vector<Label>{0, 1});
  CHECK(pc.trace.listed == std::vector<Label>{1, 2, 2, 3});
  CHECK(pc.list_close_at.size() == 1); // the second list was never closed
  CHECK(pc.dash_at == no_offset);
  CHECK(pc.length == 16);
}

TEST_CASE("completion: a reused parser and ParsedCompletion forget the last completion") {
  CompletionParser parser;
  ParsedCompletion pc;
  parser.parse("<0,(1,2)-4", pc);
  REQUIRE(pc.error);
  CHECK(pc.error->kind == ErrorKind::truncated);
  parser.parse("<0,(1,2)-2,0>=0,2", pc);
  CHECK_FALSE(pc.error);
  CHECK(pc.complete);
  CHECK(pc == parse_completion("<0,(1,2)-2,0>=0,2"));
  parser.parse("<x", pc);
  CHECK(pc == parse_completion("<x"));
  CHECK(pc.error->message == "unexpected character 'x'");
}

TEST_CASE("completion: the direct scan and the Lexer path agree on every text") {
  // The fast path must accept exactly what the lexer accepts, and record the same thing; on
  // anything else the Lexer path says what is wrong.
  searchtrace_test::SampleMaker maker(23);
  searchtrace_test::RandomCase s;
  CompletionParser parser;
  ParsedCompletion fast, slow;
  constexpr std::string_view alphabet = "0123456789,()-<>=| x\t";
  std::size_t accepted = 0;
  for (int i = 0; i < 4000; ++i) {
    SearchOptions o;
    o.algorithm = i % 2 ? Algorithm::dfs : Algorithm::bfs;
    maker.draw(maker.any_shape(), o, s);
    std::string text = s.completion;
    // Some untouched, some with spaces moved about, some damaged.
    const auto kind = maker.rng().below(4);
    for (std::uint64_t e = 0; kind > 0 && e < 1 + maker.rng().below(3) && !text.empty(); ++e) {
      const auto at = maker.rng().below(text.size() + 1);
      if (kind == 1)
        text.insert(at, " ");
      else if (kind == 2 && at < text.size())
        text.erase(at, 1);
      else if (at < text.size())
        text[at] = alphabet[maker.rng().below(alphabet.size())];
    }
    const bool long_number = maker.rng().chance(0.05);
    if (long_number)
      text += "123456789012"; // long numbers go to the Lexer
    CAPTURE(text);
    parser.parse(text, fast);
    parser.parse_slowly(text, slow);
    CHECK(fast == slow);
    accepted += fast.complete;
    if (kind == 0 && !long_number) {
      CHECK(fast.complete);
      CHECK(fast.trace == s.trace);
    }
  }
  CHECK(accepted > 1000);
}

TEST_CASE("completion: every rendering of random traces reads back") {
  searchtrace_test::SampleMaker maker(29);
  searchtrace_test::RandomCase s;
  CompletionParser parser;
  ParsedCompletion pc;
  for (int i = 0; i < 1000; ++i) {
    SearchOptions o;
    o.algorithm = i % 2 ? Algorithm::dfs : Algorithm::bfs;
    maker.draw(maker.any_shape(), o, s);
    for (const Rendering r : {Rendering::compact, Rendering::pretty}) {
      parser.parse(render_completion(s.trace, r), pc);
      CHECK(pc.complete);
      CHECK(pc.trace == s.trace);
    }
  }
}

TEST_CASE("completion: token ids in both vocabularies; positions are token indices") {
  const Trace t = searchtrace_test::seed_bfs_trace();
  SUBCASE("standard: commas are tokens") {
    const Vocabulary v = Vocabulary::standard();
    std::vector<std::uint16_t> ids;
    encode_completion(t, v, ids);
    const ParsedCompletion pc = parse_completion_ids(ids, v);
    CHECK(pc.complete);
    CHECK(pc.trace == t);
    CHECK(pc.length == ids.size());
    // Token indices: < 0 , ( 1 , 2 ) , 1 ...
    CHECK(pc.expanded_at == std::vector<std::size_t>{1, 9, 17});
    CHECK(pc.listed_at == std::vector<std::size_t>{4, 6, 12, 14, 20});
    CHECK(pc.path_at.back() == ids.size() - 1);
    // A special id is a syntax error at its index.
    ids.insert(ids.begin() + 3, static_cast<std::uint16_t>(*v.eos()));
    const ParsedCompletion bad = parse_completion_ids(ids, v);
    REQUIRE(bad.error);
    CHECK(bad.error->kind == ErrorKind::syntax);
    CHECK(bad.error->offset == 3);
    CHECK(bad.error->message ==
          "id 2 (<eos>) is not a token of the completion grammar; expected '('");
  }
  SUBCASE("numeral: commas are dropped and restored, at the index of the id after them") {
    const Vocabulary v = Vocabulary::numeral();
    std::vector<int> ids;
    encode_completion(t, v, ids);
    const ParsedCompletion pc = parse_completion_ids(ids, v);
    CHECK(pc.complete);
    CHECK(pc.trace == t);
    ParsedCompletion again;
    parse_completion_ids(ids, v, again);
    CHECK(again == pc);
    // Token indices: < 0 ( 1 2 ) 1 ( 2 3 ) 2 ( 4 ) - 4 2 0 > = 0 2 4
    CHECK(pc.expanded_at == std::vector<std::size_t>{1, 6, 11});
    CHECK(pc.listed_at == std::vector<std::size_t>{3, 4, 8, 9, 13});
    CHECK(pc.list_close_at == std::vector<std::size_t>{5, 10, 14});
    CHECK(pc.dash_at == 15);
    CHECK(pc.gt_at == 19);
    CHECK(pc.eq_at == 20);
    CHECK(pc.path_at == std::vector<std::size_t>{21, 22, 23});
    // Truncated at the number of ids.
    ids.resize(10);
    const ParsedCompletion cut = parse_completion_ids(ids, v);
    REQUIRE(cut.error);
    CHECK(cut.error->kind == ErrorKind::truncated);
    CHECK(cut.error->offset == 10);
    CHECK(cut.error->expansion == 1);
  }
  SUBCASE("ids outside the vocabulary, negative ids, unused layout symbols") {
    const Vocabulary v = Vocabulary::numeral();
    const int lt = static_cast<int>(v.id(punct_token(TokenKind::lt)));
    const ParsedCompletion a = parse_completion_ids(std::vector<int>{lt, -3}, v);
    REQUIRE(a.error);
    CHECK(a.error->offset == 1);
    CHECK(a.error->message ==
          "id -3 is not a token of the completion grammar; expected the first expanded node");
    const ParsedCompletion b = parse_completion_ids(std::vector<std::uint32_t>{1000}, v);
    REQUIRE(b.error);
    CHECK(b.error->message == "id 1000 is not a token of the completion grammar; expected '<'");
    // '$' is in the numeral layout (id L+3) but not in the grammar.
    const ParsedCompletion c = parse_completion_ids(std::vector<std::uint32_t>{53}, v);
    REQUIRE(c.error);
    CHECK(c.error->message == "id 53 ($) is not a token of the completion grammar; expected '<'");
  }
  SUBCASE("ids and text agree on random traces") {
    searchtrace_test::SampleMaker maker(31);
    searchtrace_test::RandomCase s;
    CompletionParser parser;
    ParsedCompletion pc;
    for (int i = 0; i < 300; ++i) {
      SearchOptions o;
      o.algorithm = i % 2 ? Algorithm::dfs : Algorithm::bfs;
      maker.draw(maker.any_shape(), o, s);
      for (const Vocabulary& v : {Vocabulary::standard(1000), Vocabulary::numeral(1000)}) {
        std::vector<std::uint32_t> ids;
        encode_completion(s.trace, v, ids);
        parser.parse_ids(ids, v, pc);
        CHECK(pc.complete);
        CHECK(pc.trace == s.trace);
      }
    }
  }
}
