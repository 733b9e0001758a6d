#include <searchtrace/report.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include <searchtrace/dataset.hpp>

#include "seed_prompt.hpp"

using searchtrace_test::seed_prompt;

using namespace searchtrace;

namespace {

constexpr std::string_view good = "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4";
constexpr std::string_view queue_error = "<0,(1,2),2,(1,4)-4,2,0>=0,2,4";

std::size_t count(const std::string& s, std::string_view what) {
  std::size_t k = 0;
  for (std::size_t at = 0; (at = s.find(what, at)) != std::string::npos; at += what.size())
    ++k;
  return k;
}

// Feeds the same sample to the evaluator and the report, as `eval --format html` does.
void add(Evaluator& e, EvalReport& r, std::string_view prompt, std::string_view completion,
         std::string_view model, std::string_view family, std::size_t line) {
  REQUIRE(!e.add(prompt, completion, model, family));
  REQUIRE(r.add(prompt, completion, model, family, "outputs.jsonl", line));
}

} // namespace

TEST_CASE("report: tables, charts and a few failing samples per cell") {
  Evaluator e;
  ReportOptions ro;
  ro.failing_per_cell = 2;
  EvalReport r(ro);
  for (std::size_t i = 1; i <= 5; ++i)
    add(e, r, seed_prompt, i % 2 == 0 ? good : queue_error, "3x4", "G15_2_4", i);
  add(e, r, seed_prompt, good, "6x8", "G15_2_4", 6);
  add(e, r, seed_prompt, "<0,(1,2,9)", "6x8", "G20_5_6", 7);
  CHECK_FALSE(r.add("1,2|2,3/1,1", good)); // a prompt the evaluator rejects too
  CHECK(r.samples() == 7);
  CHECK(r.by_length().at({"3x4", 2}).samples == 5);
  CHECK(r.by_length().at({"3x4", 2}).exact == 2);
  CHECK(r.by_size().at({"6x8", 5}).samples == 2);
  REQUIRE(r.failing("3x4", "G15_2_4") != nullptr);
  CHECK(r.failing("3x4", "G15_2_4")->size() == 2); // the first two of three
  CHECK(r.failing("3x4", "G15_2_4")->at(1).line == 3);
  CHECK(r.failing("6x8", "G15_2_4") == nullptr);

  std::string html;
  append_eval_html(html, e.table(), r);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("7 samples, 2 models, 2 families") != std::string::npos);
  // The seed's table: 3x4 on G15_2_4 40.00%, 6x8 100.00% and 0.00%.
  CHECK(html.find("<tr><th>3x4</th><td class=\"n\">40.00%</td><td class=\"n\">-</td></tr>") !=
        std::string::npos);
  CHECK(html.find("<tr><th>6x8</th><td class=\"n\">100.00%</td><td class=\"n\">0.00%</td></tr>") !=
        std::string::npos);
  CHECK(count(html, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\"") == 4);
  // Three failing samples shown (two of 3x4, one of 6x8), each with its page and command.
  CHECK(count(html, "<button data-page=") == 3);
  CHECK(html.find("searchtrace show --format html --line 3 outputs.jsonl -o sample.html") !=
        std::string::npos);
  CHECK(html.find("error[queue/frontier_order]: expanded 2 while 1 is at the front of the queue") !=
        std::string::npos);
  // The pages are JSON strings in a data block: no markup of theirs is live in the report.
  CHECK(count(html, "<script") == 2);
  CHECK(count(html, "<!DOCTYPE html>") == 1);
}

TEST_CASE("report: hostile names and completions are escaped everywhere") {
  const std::string hostile = "<script>alert(1)</script>\"' ]]> --> \xff\xc3(";
  Evaluator e;
  EvalReport r;
  add(e, r, seed_prompt, std::string(queue_error) + hostile, hostile, hostile, 1);
  std::string html;
  append_eval_html(html, e.table(), r);
  CHECK(count(html, "<script") == 2);
  CHECK(html.find("<script>alert") == std::string::npos);
  CHECK(html.find('\xff') == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
}

TEST_CASE("report: the size is linear in the cells, not in the samples") {
  DatasetOptions o;
  o.family_spec = "G15_2_4";
  auto gen = Generator::create(o);
  REQUIRE(gen);
  Sample s;
  std::size_t small = 0;
  for (const std::size_t n : {200, 2000}) {
    Evaluator e;
    EvalReport r;
    for (std::size_t i = 0; i < n; ++i) {
      REQUIRE(!gen->generate(i, s));
      std::string c(s.completion_text());
      if (i % 3 == 0)
        c.resize(c.size() / 2); // truncated
      add(e, r, s.prompt_text(), c, i % 2 == 0 ? "a" : "b", "G15_2_4", i + 1);
    }
    std::string html;
    append_eval_html(html, e.table(), r);
    if (small == 0)
      small = html.size();
    else
      CHECK(html.size() < small * 3 / 2);
  }
}
