#include <searchtrace/eval.hpp>

#include <searchtrace/random.hpp>
#include <searchtrace/record.hpp>

#include <doctest/doctest.h>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "seed_prompt.hpp"

using searchtrace_test::seed_prompt;

using namespace searchtrace;

namespace {

constexpr std::string_view seed_completion = "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4";

// prefix + i (built by appending: GCC 12 warns falsely, -Wrestrict, on "m" + std::to_string(i)).
std::string named(const char* prefix, std::size_t i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

std::vector<Token> tokens(std::string_view text) {
  std::vector<Token> out;
  append_tokens_without_commas(text, out);
  return out;
}

std::string golden(const char* name) {
  const auto path = std::filesystem::path(__FILE__).parent_path().parent_path() / "examples" /
                    "cli" / "tests" / name;
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The table `searchtrace eval` makes of the file's lines.
EvalTable evaluate_lines(const std::string& text, const std::string& strip_suffix = "") {
  RecordReader reader(strip_suffix);
  Evaluator evaluator;
  SampleRecord r;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    REQUIRE_FALSE(reader.read(line, r));
    REQUIRE_FALSE(evaluator.add(r));
  }
  return evaluator.table();
}

std::string json_double(double x) {
  std::string out;
  detail::eval::append_json_double(out, x);
  return out;
}

} // namespace

TEST_CASE("eval: token accuracy, position-wise without commas") {
  const std::vector<Token> r = tokens(seed_completion);
  REQUIRE(r.size() == 24); // 35 tokens, 11 of them commas
  CHECK(token_accuracy(seed_completion, r) == 1.0);
  CHECK(token_accuracy("<0,(1, 2),1,(2, 3),2,(4) - 4,2,0>=0,2,4", r) == 1.0); // spacing
  CHECK(token_accuracy("", r) == 0.0);
  // The first 5 tokens without commas: < 0 ( 1 2, then garbage the lexer rejects.
  CHECK(token_accuracy("<0,(1,2)x", r) == doctest::Approx(6.0 / 24));
  CHECK(token_accuracy("<0,(1,2", r) == doctest::Approx(5.0 / 24));
  // A wrong token costs its position only.
  CHECK(token_accuracy("<0,(1,3),1,(2,3),2,(4)-4,2,0>=0,2,4", r) == doctest::Approx(23.0 / 24));
  // An inserted token shifts every later one.
  CHECK(token_accuracy("<0,(1,2,2),1,(2,3),2,(4)-4,2,0>=0,2,4", r) == doctest::Approx(5.0 / 24));
  // Tokens beyond the reference are not counted here (exact match sees them).
  CHECK(token_accuracy(std::string(seed_completion) + ",7,7", r) == 1.0);
  // A node too large for a label never matches.
  CHECK(token_accuracy("<99999999999999999999,(1,2)", r) == doctest::Approx(5.0 / 24));
  CHECK(token_accuracy(seed_completion, {}) == 0.0);
}

TEST_CASE("eval: the Evaluator counts verdicts per model and family") {
  Evaluator e;
  REQUIRE_FALSE(e.add(seed_prompt, seed_completion, "m", "f"));
  REQUIRE_FALSE(e.add(seed_prompt, "<0,(1,2),2,(1,4)-4,2,0>=0,2,4", "m", "f")); // frontier_order
  REQUIRE_FALSE(e.add(seed_prompt, "<0,(1,2),1,(2", "m", "f"));                 // truncated
  REQUIRE_FALSE(e.add(seed_prompt, "garbage"));                                 // default cell
  const EvalTable& t = e.table();
  CHECK(t.models() == std::vector<std::string>{"m", "default"});
  CHECK(t.families() == std::vector<std::string>{"f", "-"});
  CHECK(t.size() == 2);
  const EvalCell* c = t.find(0, 0);
  REQUIRE(c != nullptr);
  CHECK(c->samples == 3);
  CHECK(c->exact == 1);
  CHECK(c->valid == 1);
  CHECK(c->answer_correct == 2);
  CHECK(c->invalid == 2);
  CHECK(c->mean_first_error_offset() == doctest::Approx((9 + 13) / 2.0));
  CHECK(c->mean_first_error_expansion() == doctest::Approx(1.0));
  CHECK(c->category_share(static_cast<std::size_t>(ErrorCategory::queue)) == 0.5);
  CHECK(c->category_share(static_cast<std::size_t>(ErrorCategory::format)) == 0.5);
  CHECK(c->token_accuracy() ==
        doctest::Approx((1.0 +
                         token_accuracy("<0,(1,2),2,(1,4)-4,2,0>=0,2,4", tokens(seed_completion)) +
                         9.0 / 24) /
                        3));
  CHECK(t.find(0, 1) == nullptr);
  const EvalCell* g = t.find(1, 1);
  REQUIRE(g != nullptr);
  CHECK(g->samples == 1);
  CHECK(g->token_accuracy() == 0.0);
  CHECK(g->category_share(static_cast<std::size_t>(ErrorCategory::format)) == 1.0);
  // Without invalid samples the first-error figures are undefined.
  Evaluator ok;
  REQUIRE_FALSE(ok.add(seed_prompt, seed_completion));
  CHECK_FALSE(ok.table().find(0, 0)->mean_first_error_offset());
  CHECK_FALSE(ok.table().find(0, 0)->category_share(0));
}

TEST_CASE("eval: samples that cannot be evaluated leave the table unchanged") {
  Evaluator e;
  const auto bad = e.add("1,3|1,3/1,3", seed_completion);
  REQUIRE(bad);
  CHECK(bad->kind == EvalErrorKind::bad_prompt);
  CHECK(bad->offset == 4);
  CHECK(bad->message == "duplicate_edge: duplicate edge 1,3");
  const auto unreachable = e.add("0,1|2,3/0,3", "<0,(1),1,()-3,0>=0,3");
  REQUIRE(unreachable);
  CHECK(unreachable->kind == EvalErrorKind::unreachable);
  CHECK(unreachable->offset == 10);
  CHECK(unreachable->message == "target 3 cannot be reached from 0, so there is no reference");
  CHECK(eval_error_kind_name(EvalErrorKind::bad_prompt) == "bad_prompt");
  CHECK(eval_error_kind_name(EvalErrorKind::unreachable) == "unreachable");
  CHECK(e.table().empty());
  CHECK(e.table().models().empty());
}

TEST_CASE("eval: options reach the reference (DFS, directed)") {
  Evaluator dfs(EvalOptions{SearchOptions{.algorithm = Algorithm::dfs}, {}});
  REQUIRE_FALSE(dfs.add(seed_prompt, "<0,(1,2),1,(2,3),2,(4)-4,2,1,0>=0,1,2,4"));
  CHECK(dfs.table().find(0, 0)->exact == 1);
  Evaluator directed(EvalOptions{{}, PromptOptions{true}});
  const auto e = directed.add("1,0/0,1", "<0,()-");
  REQUIRE(e);
  CHECK(e->kind == EvalErrorKind::unreachable);
}

TEST_CASE("eval: a record's model and family, or the defaults") {
  RecordReader reader;
  SampleRecord r;
  Evaluator e;
  const std::string tsv = std::string(seed_prompt) + "\t" + std::string(seed_completion);
  REQUIRE_FALSE(reader.read(tsv, r));
  REQUIRE_FALSE(e.add(r));
  const std::string line = R"({"prompt":"1,2/1,2","completion":"<1,(2)-2,1>=1,2","family":"F"})";
  REQUIRE_FALSE(reader.read(line, r));
  REQUIRE_FALSE(e.add(r));
  CHECK(e.table().models() == std::vector<std::string>{"default"});
  CHECK(e.table().families() == std::vector<std::string>{"-", "F"});
}

TEST_CASE("eval: cells in model order, then family order, not in order of arrival") {
  EvalTable t;
  t.cell("b", "y").samples = 1;
  t.cell("a", "x").samples = 2;
  t.cell("b", "x").samples = 3;
  t.cell("a", "y").samples = 4;
  std::vector<std::size_t> seen;
  t.for_each_cell([&](std::size_t m, std::size_t f, const EvalCell& c) {
    seen.push_back(m * 100 + f * 10 + c.samples);
  });
  // b = model 0, a = model 1; y = family 0, x = family 1.
  CHECK(seen == std::vector<std::size_t>{1, 13, 104, 112});
}

TEST_CASE("eval: the writers give the tool's golden files byte for byte") {
  const std::string lines = golden("eval_outputs.jsonl");
  const EvalTable t = evaluate_lines(lines);
  CHECK(markdown_layout(t) == MarkdownLayout::wide); // 4 models x 3 families, 6 cells
  std::string md, json, csv;
  append_eval_markdown(md, t);
  CHECK(md == golden("eval_markdown.expected"));
  append_eval_json(json, t, SearchOptions{});
  CHECK(json == golden("eval_json.expected"));
  append_eval_csv(csv, evaluate_lines(lines, "<eos>"));
  CHECK(csv == golden("eval_csv.expected"));
  // The JSON is JSON, the same document nlohmann would write.
  CHECK(nlohmann::ordered_json::parse(json).dump(2) + "\n" == json);
}

TEST_CASE("eval: an empty table") {
  const EvalTable t;
  std::string csv, json, md;
  append_eval_csv(csv, t);
  CHECK(csv == golden("eval_empty.expected"));
  append_eval_json(json, t, SearchOptions{});
  nlohmann::ordered_json doc;
  doc["options"] = {
      {"algo", "bfs"}, {"order", "ascending"}, {"listing", "unexpanded"}, {"stop", "on-list"}};
  doc["models"] = nlohmann::ordered_json::array();
  doc["families"] = nlohmann::ordered_json::array();
  doc["cells"] = nlohmann::ordered_json::array();
  CHECK(json == doc.dump(2) + "\n");
  append_eval_markdown(md, t);
  CHECK(md.find("## Exact match") == 0);
}

TEST_CASE("eval: the JSON of every policy and of odd names") {
  EvalTable t;
  Evaluator e;
  REQUIRE_FALSE(
      e.add(seed_prompt, "<0,(1,2),2,(1,4)-4,2,0>=0,2,4", "a\"b\\c\n\x01|,x", "\xC3\xA9"));
  SearchOptions o;
  o.algorithm = Algorithm::dfs;
  o.order = NeighborOrder::prompt;
  o.listing = Listing::undiscovered;
  o.stop = StopRule::on_pop;
  std::string json;
  append_eval_json(json, e.table(), o);
  const auto doc = nlohmann::json::parse(json);
  CHECK(doc["options"]["algo"] == "dfs");
  CHECK(doc["options"]["order"] == "prompt");
  CHECK(doc["options"]["listing"] == "undiscovered");
  CHECK(doc["options"]["stop"] == "on-pop");
  CHECK(doc["models"][0] == "a\"b\\c\n\x01|,x");
  CHECK(doc["cells"][0]["family"] == "\xC3\xA9");
  CHECK(doc["cells"][0]["first_error"]["categories"]["queue"] == 1.0);
  std::string csv;
  append_eval_csv(csv, e.table());
  CHECK(csv.find("\nmodel,") == std::string::npos);
  CHECK(csv.find("\n\"a\"\"b\\c\n\x01|,x\",\xC3\xA9,1,") != std::string::npos);
  std::string md;
  append_eval_markdown(md, e.table());
  CHECK(md.find("| a\"b\\c \x01\\|,x | 0.00% |") != std::string::npos);
}

TEST_CASE("eval: numbers as nlohmann/json writes them, the shortest that read back") {
  CHECK(json_double(0.0) == "0.0");
  CHECK(json_double(1.0) == "1.0");
  CHECK(json_double(17.0) == "17.0");
  CHECK(json_double(0.5) == "0.5");
  CHECK(json_double(1.0 / 3) == "0.3333333333333333");
  CHECK(json_double(0.699874686716792) == "0.699874686716792");
  CHECK(json_double(155.0) == "155.0");
  CHECK(json_double(1e14) == "100000000000000.0");
  CHECK(json_double(123456789012345.0) == "123456789012345.0");
  CHECK(json_double(1e15) == "1e+15");
  CHECK(json_double(1e16) == "1e+16");
  CHECK(json_double(1.5e16) == "1.5e+16");
  CHECK(json_double(0.001) == "0.001");
  CHECK(json_double(0.0001) == "0.0001");
  CHECK(json_double(0.00001) == "1e-05");
  CHECK(json_double(1.25e-7) == "1.25e-07");
  CHECK(json_double(1e300) == "1e+300");
  CHECK(json_double(-2.5) == "-2.5");
  CHECK(json_double(std::nan("")) == "null");
  CHECK(json_double(HUGE_VAL) == "null");
  for (const double x : {0.0, 1.0, 17.0, 1e14, 123456789012345.0, 1e15, 1.5e16, 0.0001, 0.00001,
                         1.25e-7, 1e300, -2.5, 5e-324})
    CHECK(json_double(x) == nlohmann::json(x).dump());
  // Random values: every one reads back exactly, never longer than nlohmann's (Grisu2, which
  // now and then writes a 17th digit that is not needed), and the same text whenever the two
  // have as many digits.
  Rng rng(7);
  std::size_t same = 0;
  for (int i = 0; i < 100000; ++i) {
    double x = 0;
    if (i % 2 == 0) {
      const auto n = 1 + rng.below(100000);
      x = static_cast<double>(rng.below(n + 1)) / static_cast<double>(n);
    } else {
      const std::uint64_t bits = rng.next();
      std::memcpy(&x, &bits, sizeof x);
      if (!std::isfinite(x))
        continue;
    }
    const std::string mine = json_double(x);
    const std::string theirs = nlohmann::json(x).dump();
    CAPTURE(theirs);
    REQUIRE(nlohmann::json::parse(mine).get<double>() == x);
    REQUIRE(mine.size() <= theirs.size());
    same += mine == theirs ? 1 : 0;
  }
  CHECK(same > 99000); // measured: 99,883 of the 100,000; 61 shorter, 56 as long but closer
}

TEST_CASE("eval: percentages and means round as fmt does") {
  Rng rng(3);
  for (int i = 0; i < 20000; ++i) {
    const auto n = 1 + rng.below(5000);
    const double x = static_cast<double>(rng.below(n + 1)) / static_cast<double>(n);
    std::string p, m;
    detail::eval::append_percent(p, x);
    CHECK(p == fmt::format("{:.2f}%", 100.0 * x));
    detail::eval::append_fixed(m, x * 200, 1);
    CHECK(m == fmt::format("{:.1f}", x * 200));
  }
}

TEST_CASE("eval: Markdown layout: wide while it stays small, else long") {
  const auto table = [](std::size_t models, std::size_t families, bool full) {
    EvalTable t;
    for (std::size_t m = 0; m < models; ++m)
      for (std::size_t f = 0; f < families; ++f)
        if (full || m % families == f || f % models == m)
          t.cell(named("m", m), named("f", f)).samples = 1;
    return t;
  };
  CHECK(markdown_layout(table(3, 3, true)) == MarkdownLayout::wide);
  CHECK(markdown_layout(table(10, 16, true)) == MarkdownLayout::wide);
  CHECK(markdown_layout(table(1, 17, true)) == MarkdownLayout::row_per_cell); // too many columns
  CHECK(markdown_layout(table(3, 3, false)) == MarkdownLayout::row_per_cell); // 3 of 9 filled
  CHECK(markdown_layout(table(2, 2, false)) == MarkdownLayout::wide);         // 2 of 4: half
  CHECK(markdown_layout(EvalTable{}) == MarkdownLayout::wide);

  std::string md;
  append_eval_markdown(md, table(3, 3, false));
  CHECK(md == "Long layout: one row per model and family with samples, because a table per "
              "metric with a column per family would leave 6 of its 9 cells (3 models x 3 "
              "families) empty.\n\n"
              "## Accuracy per model and family\n\n"
              "| Model | Family | Samples | Exact match | Valid | Answer accuracy | Token accuracy "
              "| First error: mean offset | First error: mean expansion |\n"
              "|---|---|---:|---:|---:|---:|---:|---:|---:|\n"
              "| m0 | f0 | 1 | 0.00% | 0.00% | 0.00% | 0.00% | - | - |\n"
              "| m1 | f1 | 1 | 0.00% | 0.00% | 0.00% | 0.00% | - | - |\n"
              "| m2 | f2 | 1 | 0.00% | 0.00% | 0.00% | 0.00% | - | - |\n\n"
              "## First-error categories (% of invalid completions)\n\n"
              "| Model | Family | Samples | Invalid | format | neighbors | queue | revisit | "
              "termination | traceback | answer |\n"
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
              "| m0 | f0 | 1 | 0 | - | - | - | - | - | - | - |\n"
              "| m1 | f1 | 1 | 0 | - | - | - | - | - | - | - |\n"
              "| m2 | f2 | 1 | 0 | - | - | - | - | - | - | - |\n");
  md.clear();
  append_eval_markdown(md, table(1, 17, true));
  CHECK(md.starts_with("Long layout: one row per model and family with samples, because 17 "
                       "families are more columns than a table per metric can show (at most "
                       "16).\n\n"));
}

TEST_CASE("eval: output size is linear in the cells, however sparse the table") {
  // 5,000 samples, each a model and family of its own: the wide tables would have 25 million
  // cells each; the outputs stay within a few hundred bytes per cell.
  Evaluator e;
  for (std::size_t i = 0; i < 5000; ++i)
    REQUIRE_FALSE(e.add(seed_prompt, seed_completion, named("model-", i), named("family-", i)));
  const EvalTable& t = e.table();
  REQUIRE(t.size() == 5000);
  std::string md, csv, json;
  append_eval_markdown(md, t);
  append_eval_csv(csv, t);
  append_eval_json(json, t, SearchOptions{});
  CHECK(md.size() < 300 * t.size());
  CHECK(csv.size() < 200 * t.size());
  CHECK(json.size() < 800 * t.size());
  CHECK(nlohmann::json::parse(json)["cells"].size() == 5000);
}
