// The seed's training layout through the public API: the hf-jsonl record (SeedRecordWriter,
// record.hpp) and the seed's metric (seed_metric_matches, Evaluator with seed_metric_tokens,
// eval.hpp). The Python re-implementation of the seed's tokenization is cli.seed_pipeline.
#include <searchtrace/dataset.hpp>
#include <searchtrace/eval.hpp>
#include <searchtrace/record.hpp>
#include <searchtrace/searchtrace.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

using namespace searchtrace;

namespace {

constexpr std::string_view blog_prompt = "1,3|2,4|1,2|0,1|0,2|3,4/0,4";
constexpr std::string_view blog_completion = "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4";

std::vector<Token> reference_tokens(std::string_view completion) {
  std::vector<Token> r;
  append_tokens_without_commas(completion, r);
  return r;
}

} // namespace

TEST_CASE("seed record: the blog example's fields, byte for byte") {
  const Prompt p = parse_prompt(blog_prompt).value();
  std::string out;
  SeedRecordWriter::append_fields(out, blog_prompt, trace(p).value());
  CHECK(out == R"x("query":"1,3|2,4|1,2|0,1|0,2|3,4/0,4","target":"0,2,4",)x"
               R"x("steps":"0,(1,2),1,(2,3),2,(4)","trace":["0,(1,2)","1,(2,3)","2,(4)"])x");
  out.clear();
  SeedRecordWriter::append_fields(out, blog_prompt,
                                  trace(p, {.algorithm = Algorithm::dfs}).value());
  CHECK(out == R"x("query":"1,3|2,4|1,2|0,1|0,2|3,4/0,4","target":"0,1,2,4",)x"
               R"x("steps":"0,(1,2),1,(2,3),2,(4)","trace":["0,(1,2)","1,(2,3)","2,(4)"])x");
}

TEST_CASE("seed record: a generator's records rebuild its text; path-star arms are the others") {
  for (const std::string spec : {"G15_2_4", "pathstar(degree=4,length=3)"}) {
    DatasetOptions o;
    o.family_spec = spec;
    o.fingerprints = true;
    Generator g = Generator::create(o).value();
    const bool star = g.family().params().topology == Topology::pathstar;
    SeedRecordWriter w(g.options(), star);
    Sample s;
    for (std::uint64_t i = 0; i < 200; ++i) {
      REQUIRE_FALSE(g.generate(i, s));
      std::string line;
      w.append(line, s);
      REQUIRE(line.back() == '\n');
      const auto j = nlohmann::json::parse(line);
      // The trace objective of the seed's data module, written back as our text.
      std::string backtrack;
      for (auto it = s.trace.path.rbegin(); it != s.trace.path.rend(); ++it)
        backtrack += (backtrack.empty() ? "" : ",") + std::to_string(*it);
      CHECK(j["query"].get<std::string>() + "<" + j["steps"].get<std::string>() + "-" + backtrack +
                ">=" + j["target"].get<std::string>() ==
            s.text);
      CHECK(j["trace"].size() == s.trace.expansion_count());
      CHECK(j["index"] == i);
      CHECK(j.contains("wrong_path") == star);
      if (star) {
        CHECK(j["text"] == j["query"].get<std::string>() + "=" + j["target"].get<std::string>());
        CHECK(j["wrong_path"].size() == 3);
        CHECK(j["len_target"] == 4);
        for (const auto& arm : j["wrong_path"])
          CHECK(arm.get<std::string>().size() >= 7); // centre and three nodes
      }
    }
  }
}

TEST_CASE("seed metric: truncation at K, the end not checked, '<' not a target token") {
  const std::vector<Token> r = reference_tokens(blog_completion); // 24 tokens, '<' first
  std::vector<char> m;
  seed_metric_matches(blog_completion, r, 50, m);
  CHECK(m.size() == 23);
  CHECK(std::count(m.begin(), m.end(), 1) == 23);
  // A wrong answer past token K = 20 (the answer is tokens 20..22 after '<'): all of the first 20
  // match; with K = 50 not.
  const std::string wrong = "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,1,4";
  seed_metric_matches(wrong, r, 20, m);
  CHECK(m.size() == 20);
  CHECK(std::count(m.begin(), m.end(), 1) == 20);
  seed_metric_matches(wrong, r, 50, m);
  CHECK(std::count(m.begin(), m.end(), 0) == 1);
  // Running on after the answer is not seen; stopping early is.
  seed_metric_matches(std::string(blog_completion) + ",7,7", r, 50, m);
  CHECK(std::count(m.begin(), m.end(), 1) == 23);
  seed_metric_matches("<0,(1,2)", r, 50, m);
  CHECK(m.size() == 23);
  CHECK(std::count(m.begin(), m.end(), 1) == 5);
  // Spacing is not a token; a completion without '<' is compared from its first token.
  seed_metric_matches("<0,(1, 2),1,(2, 3),2,(4) - 4,2,0>=0,2,4", r, 50, m);
  CHECK(std::count(m.begin(), m.end(), 1) == 23);
  seed_metric_matches("0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4", r, 50, m);
  CHECK(std::count(m.begin(), m.end(), 1) == 23);
}

TEST_CASE("seed metric: the Evaluator counts it beside exact match, per cell and position") {
  EvalOptions options;
  options.seed_metric_tokens = 20;
  Evaluator e(options);
  CHECK(e.table().seed_metric_tokens() == 20);
  REQUIRE_FALSE(e.add(blog_prompt, blog_completion, "a"));
  REQUIRE_FALSE(e.add(blog_prompt, "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,1,4", "a"));
  REQUIRE_FALSE(e.add(blog_prompt, "<0,(1,3),1,(2,3),2,(4)-4,2,0>=0,2,4", "a"));
  const EvalCell* c = e.table().find(0, 0);
  REQUIRE(c != nullptr);
  CHECK(c->exact == 1);
  CHECK(c->seed_exact == 2);
  CHECK(c->seed_position_samples.size() == 20);
  CHECK(c->seed_token_accuracy(0) == doctest::Approx(1.0));
  CHECK(c->seed_token_accuracy(3) == doctest::Approx(2.0 / 3.0)); // '3' for '2' in the third
  Evaluator off;
  REQUIRE_FALSE(off.add(blog_prompt, blog_completion));
  CHECK(off.table().find(0, 0)->seed_position_samples.empty());
  std::string csv;
  append_eval_csv(csv, off.table());
  CHECK(csv.find("seed") == std::string::npos);
}
