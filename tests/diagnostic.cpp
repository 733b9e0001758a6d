#include <searchtrace/diagnostic.hpp>

#include <searchtrace/classify.hpp>
#include <searchtrace/random.hpp>
#include <searchtrace/render.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "seed_prompt.hpp"

using searchtrace_test::seed_example;
using searchtrace_test::seed_prompt;

using namespace searchtrace;

namespace {

// The caret line's column must point at `offset` in the completion line (when it is shown
// unescaped and unwindowed).
std::size_t caret_column(const std::string& diagnostic) {
  const auto second = diagnostic.find('\n') + 1;
  const auto third = diagnostic.find('\n', second) + 1;
  return diagnostic.find('^', third) - third;
}

} // namespace

TEST_CASE("diagnostic: the shape of STYLE.md") {
  const std::string text = "<0,(1,2),2,(1,4)-4,2,0>=0,2,4";
  const Verdict v = classify(seed_example(), text);
  REQUIRE(v.first_error() != nullptr);
  CHECK(render_diagnostic(*v.first_error(), text) ==
        "error[queue/frontier_order]: expanded 2 while 1 is at the front of the queue\n"
        "  <0,(1,2),2,(1,4)-4,2,0>=0,2,4\n"
        "           ^\n");
}

TEST_CASE("diagnostic: the blog's example, the whole verdict") {
  const std::string text = "<0,(1, 2),1,(2, 3, 4)";
  const Verdict v = classify(seed_example(), text);
  CHECK(render_verdict(v, text) ==
        "error[neighbors/non_edge]: listed 4, which is not a neighbour of 1\n"
        "  <0,(1, 2),1,(2, 3, 4)\n"
        "                     ^\n"
        "error[format/truncated]: the completion ends where ',' or '-' should be\n"
        "  <0,(1, 2),1,(2, 3, 4)\n"
        "                       ^\n"
        "2 errors (first: non_edge at 19), not exact, answer wrong\n");
  const std::string ok = "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4";
  CHECK(render_verdict(classify(seed_example(), ok), ok) == "valid, exact, answer correct\n");
  CHECK(summarize(classify(seed_example(), "<0,(1,2),2,(1,4)-4,2,0>=0,2,4")) ==
        "1 error (first: frontier_order at 9), not exact, answer correct");
}

TEST_CASE("diagnostic: the caret stands under the offending byte, or one past the end") {
  const Deviation d{ErrorKind::truncated, 7, 0, "the completion ends where a node should be"};
  CHECK(render_diagnostic(d, "<0,(1, ") == "error[format/truncated]: the completion ends where a "
                                           "node should be\n  <0,(1, \n         ^\n");
  // An offset beyond the text (a caller's mistake) is clamped to one past the end.
  const Deviation far{ErrorKind::syntax, 99, 0, "x"};
  CHECK(render_diagnostic(far, "<0") == "error[format/syntax]: x\n  <0\n    ^\n");
  CHECK(render_diagnostic(far, "") == "error[format/syntax]: x\n  \n  ^\n");
}

TEST_CASE("diagnostic: long completions are windowed around the offset") {
  std::string text;
  for (int i = 0; text.size() < 300; ++i)
    text += std::to_string(i) + ",";
  text.resize(300);
  Deviation d{ErrorKind::non_edge, 0, 0, "m"};
  for (const std::size_t width : {std::size_t{20}, std::size_t{40}, diagnostic_width}) {
    for (std::size_t at = 0; at <= text.size(); at += 7) {
      d.offset = at;
      const std::string out = render_diagnostic(d, text, width);
      CAPTURE(width);
      CAPTURE(at);
      CAPTURE(out);
      const auto second = out.find('\n') + 1;
      const auto third = out.find('\n', second) + 1;
      const std::string line = out.substr(second, third - second - 1);
      CHECK(line.size() <= width + 2);
      const std::size_t col = caret_column(out);
      // Every byte shown stands where the caret says: column col is byte `at`.
      const bool left = line.rfind("  ...", 0) == 0;
      // (the text has no '.', so "..." can only be a marker)
      const bool right = line.size() >= 3 && line.compare(line.size() - 3, 3, "...") == 0;
      const std::size_t first = left ? 5 : 2;
      const std::size_t last = right ? line.size() - 3 : line.size();
      CHECK(col >= first);
      for (std::size_t k = first; k < last; ++k)
        CHECK(line[k] == text[at + k - col]);
      CHECK(left == (at + first > col)); // "..." when bytes before the window were left out
    }
  }
  d.offset = 150;
  CHECK(render_diagnostic(d, text, 40) == "error[neighbors/non_edge]: m\n"
                                          "  ...50,51,52,53,54,55,56,57,58,59,60,6...\n"
                                          "               ^\n");
}

TEST_CASE("diagnostic: bytes that would break the layout are shown escaped") {
  const Deviation d{ErrorKind::syntax, 6, 0, "unexpected byte 0x0a"};
  CHECK(render_diagnostic(d, std::string_view("<0,(1,\n2)\xff", 10)) ==
        "error[format/syntax]: unexpected byte 0x0a\n"
        "  <0,(1,\\x0a2)\\xff\n"
        "        ^\n");
  const Deviation e{ErrorKind::syntax, 9, 0, "m"};
  CHECK(render_diagnostic(e, std::string_view("<0,(1,\n2)\xff", 10)) == "error[format/syntax]: m\n"
                                                                        "  <0,(1,\\x0a2)\\xff\n"
                                                                        "              ^\n");
  // A hand-made message with a newline stays on its line.
  const Deviation f{ErrorKind::syntax, 0, 0, "two\nlines"};
  CHECK(render_diagnostic(f, "<") == "error[format/syntax]: two\\x0alines\n  <\n  ^\n");
}

TEST_CASE("diagnostic: token ids are shown by their spellings") {
  const Vocabulary v = Vocabulary::numeral(10);
  Trace t;
  t.begin_expansion(0);
  t.list_node(1);
  t.list_node(2);
  t.begin_expansion(1);
  t.list_node(2);
  t.list_node(3);
  t.list_node(4);
  std::vector<int> ids;
  encode_completion(t, v, ids);
  ids.resize(ids.size() - 3); // up to the second list's ')'
  const Deviation d{ErrorKind::non_edge, 10, 1, "listed 4, which is not a neighbour of 1"};
  CHECK(render_diagnostic(d, std::span<const int>(ids), v) ==
        "error[neighbors/non_edge]: listed 4, which is not a neighbour of 1\n"
        "  < 0 ( 1 2 ) 1 ( 2 3 4 )\n"
        "                      ^\n");
  const Deviation e{ErrorKind::truncated, ids.size(), 2, "the completion ends"};
  CHECK(render_diagnostic(e, std::span<const int>(ids), v) ==
        "error[format/truncated]: the completion ends\n"
        "  < 0 ( 1 2 ) 1 ( 2 3 4 )\n"
        "                         ^\n");
  // Ids outside the vocabulary are shown as #id.
  const std::vector<int> odd{v.size() > 0 ? 999 : 0, -1};
  const Deviation g{ErrorKind::syntax, 1, 0, "m"};
  CHECK(render_diagnostic(g, std::span<const int>(odd), v) ==
        "error[format/syntax]: m\n  #999 #-1\n       ^\n");
  const Verdict verdict{false, false, false, {d}};
  CHECK(render_verdict(verdict, std::span<const int>(ids), v) ==
        render_diagnostic(d, std::span<const int>(ids), v) +
            "1 error (first: non_edge at 10), not exact, answer wrong\n");
}

TEST_CASE("diagnostic: JSON of a verdict, keys in the documented order") {
  const Verdict v = classify(seed_example(), "<0,(1, 2),1,(2, 3, 4)");
  CHECK(to_json(v) ==
        R"({"valid":false,"exact":false,"answer_correct":false,)"
        R"("first_error":{"kind":"non_edge","category":"neighbors","offset":19,"expansion":1,)"
        R"("message":"listed 4, which is not a neighbour of 1"},)"
        R"("errors":[{"kind":"non_edge","category":"neighbors","offset":19,"expansion":1,)"
        R"("message":"listed 4, which is not a neighbour of 1"},)"
        R"({"kind":"truncated","category":"format","offset":21,"expansion":2,)"
        R"("message":"the completion ends where ',' or '-' should be"}]})");
  const Verdict ok = classify(seed_example(), "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4");
  CHECK(to_json(ok) ==
        R"({"valid":true,"exact":true,"answer_correct":true,"first_error":null,"errors":[]})");
  // It parses, and says what the verdict says.
  const auto j = nlohmann::json::parse(to_json(v));
  CHECK(j["errors"].size() == 2);
  CHECK(j["first_error"]["offset"] == 19);
  CHECK(j["errors"][1]["kind"] == "truncated");
  CHECK(nlohmann::json::parse(to_json(v.errors[0])) == j["first_error"]);
}

TEST_CASE("diagnostic: JSON strings are valid JSON whatever the bytes") {
  const auto round = [](std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return nlohmann::json::parse(out).get<std::string>();
  };
  CHECK(round("plain") == "plain");
  CHECK(round("quote \" backslash \\ slash /") == "quote \" backslash \\ slash /");
  CHECK(round(std::string_view("\n\r\t\b\f\x01\x1f\x7f\0", 9)) ==
        std::string("\n\r\t\b\f\x01\x1f\x7f\0", 9));
  std::string esc;
  append_json_string(esc, std::string_view("\x01\n\x7f", 3));
  CHECK(esc == R"("\u0001\n\u007f")");
  // Well-formed UTF-8 is kept; every byte of ill-formed UTF-8 becomes U+FFFD.
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(round("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") ==
        "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  CHECK(round("\xC3") == fffd);
  CHECK(round("\xC3(") == fffd + "(");
  CHECK(round("\xFF\xFE") == fffd + fffd);
  CHECK(round("\xC0\xAF") == fffd + fffd);                       // overlong
  CHECK(round("\xE0\x80\xAF") == fffd + fffd + fffd);            // overlong
  CHECK(round("\xED\xA0\x80") == fffd + fffd + fffd);            // a surrogate
  CHECK(round("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd); // beyond U+10FFFF
  CHECK(round("\x80") == fffd);                                  // a stray continuation byte
  // Every single byte, and random byte strings.
  for (int b = 0; b < 256; ++b) {
    const std::string s(1, static_cast<char>(b));
    CHECK_NOTHROW(round(s));
  }
  Rng rng(3);
  for (int i = 0; i < 3000; ++i) {
    std::string s(rng.below(12), '\0');
    for (char& c : s)
      c = static_cast<char>(rng.below(256));
    std::string out;
    append_json_string(out, s);
    CAPTURE(out);
    CHECK(nlohmann::json::parse(out).is_string());
  }
}

TEST_CASE("diagnostic: a syntax message quoting model output stays valid JSON") {
  const Verdict v = classify(seed_example(), std::string_view("<0,(1,2)\"\\\xC3", 11));
  REQUIRE(v.first_error() != nullptr);
  const auto j = nlohmann::json::parse(to_json(v));
  CHECK(j["first_error"]["message"] == "unexpected character '\"'");
}
