#include <searchtrace/dataset.hpp>

#include <searchtrace/fingerprint.hpp>
#include <searchtrace/prompt.hpp>
#include <searchtrace/render.hpp>
#include <searchtrace/tracer.hpp>
#include <searchtrace/vocabulary.hpp>

#include <doctest/doctest.h>

#include "support.hpp"

#include <algorithm>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using namespace searchtrace;
using searchtrace_test::RuntimeSearchState;
using searchtrace_test::search;

namespace {

Generator generator(DatasetOptions o) {
  auto g = Generator::create(o);
  if (!g.ok())
    FAIL("generator rejected: " << o.family_spec << " : " << g.error().message);
  return std::move(g).value();
}

DatasetOptions options(const std::string& spec, std::uint64_t seed = 1,
                       SplitKind split = SplitKind::all) {
  DatasetOptions o;
  o.family_spec = spec;
  o.seed = seed;
  o.split.kind = split;
  return o;
}

std::vector<std::string> texts(Generator g, std::uint64_t first, std::uint64_t count) {
  Sample s;
  std::vector<std::string> out;
  for (std::uint64_t i = first; i < first + count; ++i) {
    REQUIRE(!g.generate(i, s));
    out.push_back(s.text);
  }
  return out;
}

std::set<Fingerprint> prints(Generator g, std::uint64_t count, bool relabel = false) {
  Sample s;
  Fingerprinter fp;
  std::set<Fingerprint> out;
  for (std::uint64_t i = 0; i < count; ++i) {
    REQUIRE(!g.generate(i, s));
    out.insert(fp(s.prompt, relabel));
  }
  return out;
}

std::size_t shared(const std::set<Fingerprint>& a, const std::set<Fingerprint>& b) {
  std::size_t n = 0;
  for (const Fingerprint& f : a)
    n += b.count(f);
  return n;
}

} // namespace

TEST_CASE("a sample is its prompt, then its completion, with consistent metadata") {
  for (const char* spec : {"G15_2_4", "G20_5_6", "er(n=15,p=0.25,directed=true)",
                           "pathstar(degree=3,length=4)", "G15_2_4(L=1000)"}) {
    for (const Algorithm algo : {Algorithm::bfs, Algorithm::dfs}) {
      const std::string name = spec;
      CAPTURE(name);
      DatasetOptions o = options(spec);
      o.search.algorithm = algo;
      o.rendering = algo == Algorithm::dfs ? Rendering::pretty : Rendering::compact;
      Generator g = generator(o);
      Sample s;
      for (std::uint64_t i = 0; i < 300; ++i) {
        REQUIRE(!g.generate(i, s));
        const SampleInfo& info = s.info;
        CHECK(info.index == i);
        CHECK(s.prompt_text() == render_prompt(s.prompt));
        CHECK(s.completion_text() == render_completion(s.trace, o.rendering));
        CHECK(s.text == std::string(s.prompt_text()) + std::string(s.completion_text()));
        // The text alone gives the sample back: parse the prompt, trace it again.
        const auto parsed = parse_prompt(s.prompt_text(), PromptOptions{g.family().directed()});
        REQUIRE(parsed.ok());
        const auto again = trace(*parsed, o.search);
        REQUIRE(again.ok());
        CHECK(*again == s.trace);
        CHECK(info.nodes == s.prompt.graph.node_count());
        CHECK(info.edges == s.prompt.graph.edge_count());
        CHECK(info.expansions == s.trace.expansion_count());
        std::vector<Token> tokens;
        prompt_tokens(s.prompt, tokens);
        CHECK(info.prompt_tokens == tokens.size());
        tokens.clear();
        completion_tokens(s.trace, tokens);
        CHECK(info.completion_tokens == tokens.size());
        CHECK(info.completion_tokens == completion_token_count(s.trace));
        if (algo == Algorithm::bfs) // a BFS answer is a shortest path
          CHECK(info.distance + 1 == s.trace.path.size());
        CHECK(info.candidates == 1);
        CHECK(info.fingerprint == Fingerprint{}); // not asked for
      }
    }
  }
}

TEST_CASE("text written while tracing is the rendered prompt and trace, under every BFS option") {
  // Compact BFS on small graphs writes the completion as the tracer lists; every other case
  // renders the finished trace. Both must give render_prompt + render_completion of a trace
  // made independently (driving SearchState), whatever the options, label widths and sizes.
  RuntimeSearchState state;
  Trace want;
  for (const char* spec :
       {"G15_2_4", "G20_5_6", "G15_2_4(L=1048576)", "tree(n=64,L=100)", "connected(n=64,m=70,L=64)",
        "er(n=15,p=0.25,directed=true)", "grid(w=5,h=4,holes=3)", "pathstar(degree=3,length=4)"}) {
    for (int combo = 0; combo < 8; ++combo) {
      const std::string name = spec;
      CAPTURE(name);
      CAPTURE(combo);
      DatasetOptions o = options(spec, 7);
      o.search.listing = (combo & 1) ? Listing::undiscovered : Listing::unexpanded;
      o.search.stop = (combo & 2) ? StopRule::on_pop : StopRule::on_list;
      o.search.order = (combo & 4) ? NeighborOrder::prompt : NeighborOrder::ascending;
      Generator g = generator(o);
      Sample s;
      for (std::uint64_t i = 0; i < 150; ++i) {
        REQUIRE(!g.generate(i, s));
        TraceRecorder rec(want);
        want.clear();
        REQUIRE(search(state, s.prompt.graph, s.prompt.query, o.search, rec) ==
                SearchStatus::found);
        want.path.assign(want.backtrack.rbegin(), want.backtrack.rend());
        REQUIRE(s.trace == want);
        REQUIRE(s.prompt_text() == render_prompt(s.prompt));
        REQUIRE(s.completion_text() == render_completion(want));
        CHECK(s.info.completion_tokens == completion_token_count(want));
      }
    }
  }
}

TEST_CASE("the same options give the same bytes, in any order, from any generator") {
  const auto forward = texts(generator(options("G15_2_4", 42)), 0, 500);
  std::vector<std::string> backward;
  Generator g = generator(options("G15_2_4", 42));
  Sample s;
  for (std::uint64_t i = 500; i-- > 0;) {
    REQUIRE(!g.generate(i, s));
    backward.insert(backward.begin(), s.text);
  }
  CHECK(forward == backward);
  CHECK(texts(generator(options("G15_2_4", 42)), 200, 50) ==
        std::vector<std::string>(forward.begin() + 200, forward.begin() + 250));
  // A copy of a generator continues identically.
  Generator copy = g;
  CHECK(texts(copy, 7, 3) == texts(g, 7, 3));
  // Another seed, other bytes.
  const auto other = texts(generator(options("G15_2_4", 43)), 0, 500);
  int same = 0;
  for (std::size_t i = 0; i < other.size(); ++i)
    same += other[i] == forward[i];
  CHECK(same == 0);
  // The Generator's prompt is the Sampler's.
  Sampler sampler(parse_family("G15_2_4").value());
  Prompt p;
  REQUIRE(!sampler.draw(42, 3, p));
  CHECK(forward[3].rfind(render_prompt(p), 0) == 0);
}

TEST_CASE("train and test splits share no fingerprint, by construction") {
  DatasetOptions train = options("G15_2_4", 1, SplitKind::train);
  DatasetOptions test = options("G15_2_4", 2, SplitKind::test);
  train.split.test_fraction = test.split.test_fraction = 0.2;
  Generator gtrain = generator(train), gtest = generator(test);
  Sample s;
  std::set<Fingerprint> a, b;
  int candidates = 0;
  for (std::uint64_t i = 0; i < 3000; ++i) {
    REQUIRE(!gtrain.generate(i, s));
    CHECK_FALSE(in_test_split(s.info.fingerprint, train.split));
    CHECK(s.info.fingerprint == fingerprint(s.prompt));
    a.insert(s.info.fingerprint);
    REQUIRE(!gtest.generate(i, s));
    CHECK(in_test_split(s.info.fingerprint, test.split));
    b.insert(s.info.fingerprint);
    candidates += static_cast<int>(s.info.candidates);
  }
  CHECK(shared(a, b) == 0);
  // A test sample takes about 1/0.2 = 5 candidates.
  CHECK(candidates > 3000 * 4);
  CHECK(candidates < 3000 * 6);
  // The all set is the family: about 20% of it lands in the test bucket.
  Generator all = generator(options("G15_2_4", 1));
  int in_test = 0;
  for (std::uint64_t i = 0; i < 3000; ++i) {
    REQUIRE(!all.generate(i, s));
    in_test += in_test_split(fingerprint(s.prompt), test.split);
  }
  CHECK(in_test > 450);
  CHECK(in_test < 750);
  // The train sample i is the first candidate of sample i that is not a test pair.
  REQUIRE(!gtrain.generate(11, s));
  const std::string train11 = s.text;
  REQUIRE(!all.generate(11, s));
  if (!in_test_split(fingerprint(s.prompt), train.split))
    CHECK(train11 == s.text);
}

TEST_CASE("an out-of-distribution test set shares nothing with the training set either") {
  // tree(n=4) and connected(n=4,m=3) are the same distribution: without splits, their sets
  // overlap heavily; with splits, not at all.
  const auto all_a = prints(generator(options("tree(n=4,L=5)", 1)), 2000);
  const auto all_b = prints(generator(options("connected(n=4,m=3,L=5)", 2)), 2000);
  CHECK(shared(all_a, all_b) > 50);
  const auto train = prints(generator(options("tree(n=4,L=5)", 1, SplitKind::train)), 2000);
  const auto test = prints(generator(options("connected(n=4,m=3,L=5)", 2, SplitKind::test)), 2000);
  CHECK(shared(train, test) == 0);
  // The seed's setting: train on G15_2_4, test on the OOD families, all with split=test.
  const auto g15 = prints(generator(options("G15_2_4", 1, SplitKind::train)), 1000);
  for (const char* ood : {"G17_2_4", "G15_5_6", "G20_5_6"}) {
    const auto t = prints(generator(options(ood, 1, SplitKind::test)), 300);
    CHECK(shared(g15, t) == 0);
  }
}

TEST_CASE("a relabelling-invariant split keeps relabelled copies out of the test set") {
  DatasetOptions train = options("tree(n=5,L=20)", 1, SplitKind::train);
  DatasetOptions test = options("tree(n=5,L=20)", 2, SplitKind::test);
  train.split.test_fraction = test.split.test_fraction = 0.5;
  // With labels, the two sets share no pair but plenty of shapes...
  const auto plain_train = prints(generator(train), 500, true);
  const auto plain_test = prints(generator(test), 500, true);
  CHECK(shared(plain_train, plain_test) > 0);
  // ...up to relabelling, they share none.
  train.relabel_invariant_split = test.relabel_invariant_split = true;
  Generator gtrain = generator(train), gtest = generator(test);
  const auto shape_train = prints(gtrain, 500, true);
  const auto shape_test = prints(gtest, 500, true);
  CHECK(shared(shape_train, shape_test) == 0);
  Sample s;
  REQUIRE(!gtest.generate(0, s));
  CHECK(s.info.fingerprint == fingerprint(s.prompt, true));
}

TEST_CASE("fingerprints on request, for deduplication within a set") {
  DatasetOptions o = options("tree(n=3,L=3)");
  o.fingerprints = true;
  Generator g = generator(o);
  Sample s;
  FingerprintSet seen;
  int kept = 0;
  for (std::uint64_t i = 0; i < 200; ++i) {
    REQUIRE(!g.generate(i, s));
    CHECK(s.info.fingerprint == fingerprint(s.prompt));
    kept += seen.insert(s.info.fingerprint);
  }
  // 3 labels on a path of 3 nodes, queries between distinct nodes: few distinct pairs.
  CHECK(kept < 40);
  CHECK(kept > 5);
}

TEST_CASE("a split no sample can fall in is an error naming the split, not a hang") {
  DatasetOptions o = options("G15_2_4", 1, SplitKind::test);
  o.split.test_fraction = 0.0;
  Generator g = generator(o);
  Sample s;
  const auto e = g.generate(0, s);
  REQUIRE(e.has_value());
  CHECK(e->constraint == "split");
  CHECK(e->attempts == Generator::max_split_attempts);
  CHECK(e->message ==
        "no sample of G15_2_4 fell in the test split (test fraction 0) after 1000 candidates");
  // The family's own constraints are still named as such.
  Generator h = generator(options("tree(n=30,dist=29)", 1, SplitKind::train));
  const auto f = h.generate(0, s);
  REQUIRE(f.has_value());
  CHECK(f->constraint == "dist");
}

TEST_CASE("bad options are rejected when the generator is made") {
  const auto bad_spec = Generator::create(options("G15_2_4(x=1)"));
  REQUIRE_FALSE(bad_spec.ok());
  CHECK(bad_spec.error().offset == 8);
  CHECK(bad_spec.error().message.find("unknown key 'x'") != std::string::npos);
  DatasetOptions o = options("G15_2_4", 1, SplitKind::train);
  o.split.test_fraction = 1.5;
  const auto bad_fraction = Generator::create(o);
  REQUIRE_FALSE(bad_fraction.ok());
  CHECK(bad_fraction.error().message == "test fraction must be in [0, 1], got 1.5");
  // The options keep the canonical spec.
  const Generator g = generator(options("connected(n=15,dist=2..4)"));
  CHECK(g.options().family_spec == "G15_2_4");
  CHECK(parse_split_kind("train") == SplitKind::train);
  CHECK_FALSE(parse_split_kind("valid").has_value());
  CHECK(split_kind_name(SplitKind::test) == "test");
}

TEST_CASE("generate_ids: the ids of encode_prompt and encode_completion and the same sample, "
          "for every vocabulary, layout and split") {
  for (const CompletionLayout layout :
       {CompletionLayout::trace, CompletionLayout::pause, CompletionLayout::path}) {
    for (const char* vocabulary : {"standard", "numeral", "numeral-eot"}) {
      for (const char* spec : {"G15_2_4", "G40_2_4(L=1000)", "tree(n=30, L=64)"}) {
        for (const SplitKind split : {SplitKind::all, SplitKind::test}) {
          DatasetOptions o = options(spec, 3, split);
          o.layout = layout;
          Generator texts = generator(o), ids = generator(o);
          const Vocabulary v = *Vocabulary::preset(vocabulary, texts.family().label_space());
          if (layout == CompletionLayout::pause && !v.drops_commas())
            continue; // only the numeral vocabularies have its '$'
          CAPTURE(spec);
          CAPTURE(vocabulary);
          CAPTURE(completion_layout_name(layout));
          Sample a, b;
          std::vector<std::uint16_t> expected, got{7}; // appended after what is there
          for (std::uint64_t i = 0; i < 100; ++i) {
            REQUIRE_FALSE(texts.generate(i, a));
            if (v.bos())
              expected.push_back(static_cast<std::uint16_t>(*v.bos()));
            encode_prompt(a.prompt, v, expected);
            encode_completion(a.trace, v, expected, layout);
            if (v.eos())
              expected.push_back(static_cast<std::uint16_t>(*v.eos()));
            REQUIRE_FALSE(ids.generate_ids(i, b, v, got));
            CHECK(b.text.empty());
            CHECK(b.info.prompt_bytes == 0);
            CHECK(b.trace == a.trace);
            CHECK(b.info.index == a.info.index);
            CHECK(b.info.nodes == a.info.nodes);
            CHECK(b.info.edges == a.info.edges);
            CHECK(b.info.distance == a.info.distance);
            CHECK(b.info.expansions == a.info.expansions);
            CHECK(b.info.prompt_tokens == a.info.prompt_tokens);
            CHECK(b.info.completion_tokens == a.info.completion_tokens);
            CHECK(b.info.candidates == a.info.candidates);
            CHECK(b.info.fingerprint == a.info.fingerprint);
          }
          REQUIRE(got.size() == expected.size() + 1);
          CHECK(got[0] == 7);
          CHECK(std::equal(expected.begin(), expected.end(), got.begin() + 1));
        }
      }
    }
  }
}

TEST_CASE("generate_ids: a label beyond the vocabulary throws as the encoder does") {
  // G40_2_4(L=1000) draws labels up to 999: the prompt's (and the completion's) first label
  // beyond 0..9 is the error, with encode_prompt's message.
  Generator g = generator(options("G40_2_4(L=1000)"));
  const Vocabulary small = Vocabulary::standard(10);
  Sample s;
  REQUIRE_FALSE(g.generate(0, s));
  std::vector<std::uint16_t> encoded;
  std::string expected;
  try {
    encode_prompt(s.prompt, small, encoded);
  } catch (const std::out_of_range& e) {
    expected = e.what();
  }
  REQUIRE_FALSE(expected.empty());
  std::vector<std::uint16_t> ids;
  CHECK_THROWS_WITH_AS((void)g.generate_ids(0, s, small, ids), expected.c_str(), std::out_of_range);
  CHECK(ids.empty());
  // The pause layout needs the numeral vocabularies' '$'.
  DatasetOptions o = options("G15_2_4");
  o.layout = CompletionLayout::pause;
  Generator pause = generator(o);
  CHECK_THROWS_AS((void)pause.generate_ids(0, s, Vocabulary::standard(), ids), std::out_of_range);
}

TEST_CASE("a generator writes the completion in the layout asked for, on the same search") {
  for (const CompletionLayout layout :
       {CompletionLayout::trace, CompletionLayout::pause, CompletionLayout::path}) {
    for (const Rendering r : {Rendering::compact, Rendering::pretty}) {
      DatasetOptions o;
      o.layout = layout;
      o.rendering = r;
      o.family_spec = "G15_2_4";
      DatasetOptions plain = o;
      plain.layout = CompletionLayout::trace;
      auto g = Generator::create(o);
      auto reference = Generator::create(plain);
      REQUIRE(g.ok());
      REQUIRE(reference.ok());
      Sample s, base;
      for (std::uint64_t i = 0; i < 200; ++i) {
        REQUIRE_FALSE(g->generate(i, s));
        REQUIRE_FALSE(reference->generate(i, base));
        CHECK(s.trace == base.trace);
        CHECK(s.prompt_text() == base.prompt_text());
        CHECK(s.completion_text() == render_completion(base.trace, r, layout));
        CHECK(s.info.completion_tokens == completion_token_count(base.trace, layout));
      }
    }
  }
}
