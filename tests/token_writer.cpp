#include <searchtrace/token_writer.hpp>

#include <searchtrace/render.hpp>
#include <searchtrace/search.hpp>
#include <searchtrace/tracer.hpp>
#include <searchtrace/vocabulary.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "random_graphs.hpp"
#include "support.hpp"

using namespace searchtrace;

namespace {

// An emitter of labels that spells every token with its context: what the writer decides, and
// nothing of the renderers.
struct Spelled {
  std::string* out;
  void node(Label v, Context c) { add(std::to_string(v), c); }
  void punct(TokenKind k, Context c) { add(std::string(1, punct_char[static_cast<int>(k)]), c); }
  void add(const std::string& s, Context c) {
    *out += c == Context::inside_list ? "[" + s + "]" : s;
  }
};

// An emitter of node ids that stops after a number of tokens (as a matcher stops at its first
// difference).
struct StopAfter {
  std::size_t left;
  std::size_t* written;
  bool ok() const { return left > 0; }
  void node_id(NodeId, Context) { step(); }
  void punct(TokenKind, Context) { step(); }
  void step() {
    if (left > 0) {
      --left;
      ++*written;
    }
  }
};

} // namespace

TEST_CASE("token writer: the seed's completion, token by token, with each token's context") {
  const Trace t = trace(searchtrace_test::prompt("1,3|2,4|1,2|0,1|0,2|3,4/0,4")).value();
  std::string s;
  TokenWriter<Spelled> w({&s});
  write_trace(w, t);
  CHECK(s == "<0,([1][,][2][)],1,([2][,][3][)],2,([4][)]-4,2,0>=0,2,4");
}

TEST_CASE("token writer: every step of an unusual trace keeps its separators") {
  std::string s;
  TokenWriter<Spelled> w({&s});
  w.start();
  w.expand(Label{7});
  w.close(); // an empty list
  w.expand(Label{8});
  w.list(Label{9});
  w.close();
  w.stop();
  w.answer(); // no backtrack, no path: what a parser may read back from a model
  CHECK(s == "<7,([)],8,([9][)]->=");
}

TEST_CASE("token writer: as a search sink it writes what rendering the finished trace writes") {
  searchtrace_test::SampleMaker maker(3);
  searchtrace_test::RandomCase sample;
  SearchScratch scratch;
  for (int i = 0; i < 600; ++i) {
    const SearchOptions o = searchtrace_test::all_options()[static_cast<std::size_t>(i) % 16];
    maker.draw(maker.any_shape(), o, sample);
    CAPTURE(sample.prompt_text);
    for (const Rendering r : {Rendering::compact, Rendering::pretty}) {
      std::string text(4096, '\0');
      TokenWriter<detail::TextEmitter> w({text.data(), &dialect(r)});
      REQUIRE(search(scratch, sample.prompt.graph, sample.prompt.query, o, w) ==
              SearchStatus::found);
      text.resize(static_cast<std::size_t>(w.emitter().p - text.data()));
      CHECK(text == render_completion(sample.trace, r));
      CHECK(w.emitter().tokens == completion_token_count(sample.trace));
    }
    std::vector<TokenId> ids, from_trace;
    const Vocabulary v = Vocabulary::numeral(1000);
    TokenWriter<detail::IdEmitter<std::vector<TokenId>>> w({&ids, &v});
    REQUIRE(search(scratch, sample.prompt.graph, sample.prompt.query, o, w) == SearchStatus::found);
    encode_completion(sample.trace, v, from_trace);
    CHECK(ids == from_trace);
  }
}

TEST_CASE("token writer: an emitter that says stop stops the search") {
  const Prompt p = searchtrace_test::prompt("1,3|2,4|1,2|0,1|0,2|3,4/0,4");
  SearchScratch scratch;
  for (std::size_t budget : {1u, 5u, 9u, 20u}) {
    CAPTURE(budget);
    std::size_t written = 0;
    TokenWriter<StopAfter> w({budget, &written});
    CHECK(search(scratch, p.graph, p.query, SearchOptions{}, w) == SearchStatus::stopped);
    // The hooks answer at expansions, list ends and the answer, and the search stops there:
    // never the whole completion (35 tokens).
    CHECK(written == budget);
  }
  std::size_t written = 0;
  TokenWriter<StopAfter> w({1000, &written});
  CHECK(search(scratch, p.graph, p.query, SearchOptions{}, w) == SearchStatus::found);
  CHECK(written == 35);
}

TEST_CASE("token writer: the training code's other layouts, pause and path") {
  const Prompt p = searchtrace_test::prompt("1,3|2,4|1,2|0,1|0,2|3,4/0,4");
  const Trace t = trace(p).value();
  CHECK(render_completion(t, Rendering::compact, CompletionLayout::trace) ==
        "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4");
  // pause: each expansion u($), as the training code writes its "pause" objective (no comma
  // between u and '('); path: the answer alone, after '=' ("teacher forcing").
  CHECK(render_completion(t, Rendering::compact, CompletionLayout::pause) ==
        "<0($),1($),2($)-4,2,0>=0,2,4");
  CHECK(render_completion(t, Rendering::pretty, CompletionLayout::pause) ==
        "<0($),1($),2($) - 4,2,0>=0,2,4");
  CHECK(render_completion(t, Rendering::compact, CompletionLayout::path) == "=0,2,4");
  CHECK(completion_token_count(t, CompletionLayout::pause) == 28u);
  CHECK(completion_token_count(t, CompletionLayout::path) == 6u);
  // Ids: '$' is a symbol of the numeral layouts, not of the standard one.
  const Vocabulary numeral = Vocabulary::numeral();
  std::vector<TokenId> ids;
  encode_completion(t, numeral, ids, CompletionLayout::pause);
  std::string spelled;
  for (const TokenId id : ids)
    spelled += std::string(numeral.spelling(id)) + " ";
  CHECK(spelled == "< 0 ( $ ) 1 ( $ ) 2 ( $ ) - 4 2 0 > = 0 2 4 ");
  ids.clear();
  CHECK_THROWS_AS(encode_completion(t, Vocabulary::standard(), ids, CompletionLayout::pause),
                  std::out_of_range);
  ids.clear();
  encode_completion(t, numeral, ids, CompletionLayout::path);
  CHECK(ids == std::vector<TokenId>{51, 0, 2, 4});
}
