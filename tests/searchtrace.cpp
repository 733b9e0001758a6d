#include <searchtrace/searchtrace.hpp>

#include <doctest/doctest.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

// The umbrella header alone gives the whole core: this file includes nothing else of the library.
using namespace searchtrace;

TEST_CASE("the umbrella header gives the seed workflow end to end") {
  constexpr std::string_view text = "1,3|2,4|1,2|0,1|0,2|3,4/0,4";
  const Result<Prompt, PromptError> parsed = parse_prompt(text);
  REQUIRE(parsed.ok());
  const Prompt& p = *parsed;

  SUBCASE("the documented sample in both renderings") {
    std::string sample = render_prompt(p);
    append_completion(sample, *trace_bfs(p));
    CHECK(sample == "1,3|2,4|1,2|0,1|0,2|3,4/0,4<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4");
    CHECK(render_completion(*trace_bfs(p), Rendering::pretty) ==
          "<0,(1, 2),1,(2, 3),2,(4) - 4,2,0>=0,2,4");
    CHECK(render_completion(*trace_dfs(p)) == "<0,(1,2),1,(2,3),2,(4)-4,2,1,0>=0,1,2,4");
  }
  SUBCASE("the allocation-free path gives the same") {
    PromptParser parser;
    Prompt reused;
    Trace t;
    SearchScratch scratch;
    REQUIRE_FALSE(parser.parse(text, reused).has_value());
    REQUIRE(trace_into(t, scratch, reused.graph, reused.query) == SearchStatus::found);
    CHECK(t == *trace_bfs(p));
  }
  SUBCASE("token ids and back") {
    const Vocabulary v = *Vocabulary::preset("numeral");
    std::vector<TokenId> ids;
    encode_prompt(p, v, ids);
    encode_completion(*trace_bfs(p), v, ids);
    std::vector<Token> tokens;
    REQUIRE(decode_tokens(std::span<const TokenId>(ids), v, tokens));
    std::string back;
    append_tokens(back, tokens, Rendering::pretty);
    CHECK(back == "1,3|2,4|1,2|0,1|0,2|3,4/0,4<0,(1, 2),1,(2, 3),2,(4) - 4,2,0>=0,2,4");
  }
  SUBCASE("the lexer reads what the renderer writes") {
    const std::string pretty = render_completion(*trace_bfs(p), Rendering::pretty);
    Lexer lexer(pretty);
    Lexeme l;
    std::vector<Token> read;
    while (lexer.next(l) == LexStatus::token)
      read.push_back(l.token);
    std::vector<Token> written;
    completion_tokens(*trace_bfs(p), written);
    CHECK(read == written);
  }
}
