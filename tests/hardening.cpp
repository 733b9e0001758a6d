// Hostile inputs, tried by hand: numbers beyond 64 bits, a 1 MiB line, NUL bytes, invalid UTF-8,
// 100,000 repeated tokens. Each must give a clear error (kind + offset + message) in bounded
// memory and time: at most Classifier::max_errors() errors, one-line messages of bounded
// length, diagnostics whose size does not grow with the text. (tests/fuzz_corpora.cpp replays
// the fuzz targets' committed corpora through their checks.)
#include "searchtrace/classify.hpp"

#include <searchtrace/completion.hpp>
#include <searchtrace/diagnostic.hpp>
#include <searchtrace/prompt.hpp>
#include <searchtrace/render.hpp>
#include <searchtrace/tracer.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "seed_prompt.hpp"

using searchtrace_test::seed_example;
using searchtrace_test::seed_prompt;

namespace {

using namespace searchtrace;

constexpr std::size_t mib = std::size_t{1} << 20;

std::string repeat(std::string_view unit, std::size_t n) {
  std::string s;
  s.reserve(unit.size() * n);
  for (std::size_t i = 0; i < n; ++i)
    s += unit;
  return s;
}

// Generous: the work below takes milliseconds; a quadratic path takes minutes.
constexpr double time_limit_seconds = 10.0;

class Stopwatch {
public:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// The bounds every verdict must respect, whatever the input.
void check_bounded(const Verdict& v, std::string_view completion) {
  CHECK(v.errors.size() <= Classifier::default_max_errors);
  CHECK(v.valid == v.errors.empty());
  for (const Deviation& d : v.errors) {
    CHECK(d.offset <= completion.size());
    CHECK(d.message.size() <= 200);
    CHECK(d.message.find('\n') == std::string::npos);
  }
  if (!v.errors.empty())
    CHECK(render_diagnostic(v.errors[0], completion).size() <= 2 * diagnostic_width + 300);
}

} // namespace

TEST_CASE("hardening: numbers beyond 64 bits in a prompt") {
  const std::string big = "123456789012345678901234567890"; // > 2^64
  auto r = parse_prompt("1,3|2," + big + "|1,2/1,3");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == PromptErrorKind::number_too_large);
  CHECK(r.error().offset == 6);
  CHECK(r.error().message.find("beyond 4294967295") != std::string::npos);

  // A number of a million digits: the same error, a message of bounded length.
  const std::string huge = "1,3|2," + repeat("9", mib) + "/1,3";
  auto h = parse_prompt(huge);
  REQUIRE_FALSE(h.ok());
  CHECK(h.error().kind == PromptErrorKind::number_too_large);
  CHECK(h.error().offset == 6);
  CHECK(h.error().message.size() < 100);

  // Just beyond 32 bits is already too large (labels are 32-bit); 2^32-1 itself is fine.
  CHECK_FALSE(parse_prompt("0,4294967296/0,1").ok());
  CHECK(parse_prompt("0,4294967295/4294967295,4294967295").error().kind ==
        PromptErrorKind::trivial_query);
}

TEST_CASE("hardening: numbers beyond 64 bits in a completion") {
  const Prompt p = seed_example();
  Classifier c;
  const std::string big = "123456789012345678901234567890";
  const std::string text = "<0,(1," + big + "),1,(2,3),2,(4)-4,2,0>=0,2,4";
  const Verdict& v = c.classify(p, text);
  REQUIRE(v.first_error() != nullptr);
  CHECK(v.first_error()->kind == ErrorKind::unknown_node);
  CHECK(v.first_error()->offset == 6);
  CHECK(v.first_error()->message == "listed node beyond 4294967295 is not a node of the graph");
  // 4294967295 written as such is a well-formed number that is simply not a node here.
  const Verdict& w = c.classify(p, "<0,(1,4294967295),1,(2,3),2,(4)-4,2,0>=0,2,4");
  REQUIRE(w.first_error() != nullptr);
  CHECK(w.first_error()->message == "listed node 4294967295 is not a node of the graph");

  SUBCASE("100,000 of them, in bounded time") {
    const std::string many = "<0,(1" + repeat("," + big, 100000) + ")-4,2,0>=0,2,4";
    Stopwatch clock;
    const Verdict& m = c.classify(p, many);
    CHECK(clock.seconds() < time_limit_seconds);
    CHECK(m.errors_capped);
    CHECK(m.errors.size() == Classifier::default_max_errors);
    CHECK(m.first_error()->kind == ErrorKind::unknown_node);
    CHECK(m.first_error()->offset == 6);
    check_bounded(m, many);
  }
}

TEST_CASE("hardening: a 1 MiB line") {
  Classifier c;
  SUBCASE("a 1 MiB prompt and its 1 MiB reference completion") {
    // A path 0-1-2-...: about 1 MiB of edges, and a completion of about the same size.
    std::string prompt_text;
    std::size_t n = 0;
    while (prompt_text.size() < mib) {
      if (n > 0)
        prompt_text += '|';
      prompt_text += std::to_string(n) + "," + std::to_string(n + 1);
      ++n;
    }
    prompt_text += "/0," + std::to_string(n);
    Stopwatch clock;
    const Prompt p = parse_prompt(prompt_text).value();
    const std::string ref = render_completion(trace_bfs(p).value());
    CHECK(ref.size() > mib);
    CHECK(c.classify(p, ref).valid);
    // One wrong byte in the middle: a clear error right there.
    std::string bad = ref;
    const std::size_t at = bad.find(",(", bad.size() / 2) + 2; // the first listed node
    bad[at] = bad[at] == '9' ? '8' : '9';
    const Verdict& v = c.classify(p, bad);
    CHECK(clock.seconds() < time_limit_seconds);
    REQUIRE(v.first_error() != nullptr);
    CHECK(v.first_error()->offset == at);
    check_bounded(v, bad);
    const std::string d = render_diagnostic(*v.first_error(), bad);
    CHECK(d.find("...") != std::string::npos);
  }
  SUBCASE("1 MiB of garbage") {
    const Prompt p = seed_example();
    const std::string text = repeat("x", mib);
    const Verdict& v = c.classify(p, text);
    REQUIRE(v.errors.size() == 1);
    CHECK(v.first_error()->kind == ErrorKind::syntax);
    CHECK(v.first_error()->offset == 0);
    check_bounded(v, text);
  }
  SUBCASE("a 1 MiB exploration that never ends") {
    const Prompt p = seed_example();
    const std::string text = "<0,(1,2),1,(2,3)" + repeat(",2,(4)", mib / 6);
    const Verdict& v = c.classify(p, text);
    REQUIRE(v.errors.size() >= 2);
    // The second 2,(4): reexpanded, then missed_target at the same byte (the tie-break of
    // docs/reference.md).
    CHECK(v.errors[0].kind == ErrorKind::reexpanded);
    CHECK(v.errors[1].kind == ErrorKind::missed_target);
    CHECK(v.errors[0].offset == 23);
    CHECK(v.errors_capped);
    check_bounded(v, text);
    // Past the cap, the truncation is still reported: where the text stops being a completion.
    CHECK(v.errors.back().kind == ErrorKind::truncated);
    CHECK(v.errors.back().offset == text.size());
  }
  SUBCASE("a 1 MiB prompt of garbage") {
    const std::string text = "1,2|" + repeat("\xff", mib);
    auto r = parse_prompt(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == PromptErrorKind::syntax);
    CHECK(r.error().offset == 4);
    CHECK(r.error().message == "unexpected byte 0xff");
  }
}

TEST_CASE("hardening: NUL bytes") {
  using namespace std::string_literals;
  auto r = parse_prompt("1,3|2,4\0|1,2/1,3"s);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == PromptErrorKind::syntax);
  CHECK(r.error().offset == 7);
  CHECK(r.error().message == "unexpected byte 0x00");

  const Prompt p = seed_example();
  Classifier c;
  const std::string text = "<0,(1,2),1\0,(2,3),2,(4)-4,2,0>=0,2,4"s;
  const Verdict& v = c.classify(p, text);
  REQUIRE(v.errors.size() == 1);
  CHECK(v.first_error()->kind == ErrorKind::syntax);
  CHECK(v.first_error()->offset == 10);
  CHECK(v.first_error()->message == "unexpected byte 0x00");
  // The diagnostic shows the byte as \x00 and the caret under it; JSON escapes it.
  CHECK(render_diagnostic(*v.first_error(), text) == "error[format/syntax]: unexpected byte 0x00\n"
                                                     "  <0,(1,2),1\\x00,(2,3),2,(4)-4,2,0>=0,2,4\n"
                                                     "            ^\n");
  CHECK(to_json(*v.first_error()).find("unexpected byte 0x00") != std::string::npos);

  const std::string nuls(100000, '\0');
  const Verdict& w = c.classify(p, nuls);
  REQUIRE(w.errors.size() == 1);
  CHECK(w.first_error()->offset == 0);
  check_bounded(w, nuls);
}

TEST_CASE("hardening: invalid UTF-8") {
  const Prompt p = seed_example();
  Classifier c;
  // A stray continuation byte, an overlong form, a lone surrogate, a truncated sequence.
  for (const std::string_view junk : {"\x80", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82"}) {
    const std::string text = "<0,(1,2)," + std::string(junk) + "1,(2,3),2,(4)-4,2,0>=0,2,4";
    const Verdict& v = c.classify(p, text);
    REQUIRE(v.errors.size() == 1);
    CHECK(v.first_error()->kind == ErrorKind::syntax);
    CHECK(v.first_error()->offset == 9);
    CHECK(v.first_error()->message.rfind("unexpected byte 0x", 0) == 0);
    // The diagnostic stays ASCII, the JSON stays valid UTF-8.
    const std::string d = render_diagnostic(*v.first_error(), text);
    CHECK(std::all_of(d.begin(), d.end(),
                      [](char ch) { return static_cast<unsigned char>(ch) < 0x80; }));
    CHECK(d.find("\\x") != std::string::npos);
  }
  std::string json;
  append_json_string(json, "a\xff"
                           "b");
  CHECK(json == "\"a\\ufffdb\"");
}

TEST_CASE("hardening: 100,000 repeated tokens") {
  const Prompt p = seed_example();
  Classifier c;
  constexpr std::size_t n = 100000;
  Stopwatch clock;

  SUBCASE("a re-expanded node, again and again") {
    const std::string text = "<0,(1,2)" + repeat(",0,()", n) + "-4,2,0>=0,2,4";
    const Verdict& v = c.classify(p, text);
    CHECK(v.errors_capped);
    CHECK(v.errors.size() == Classifier::default_max_errors);
    CHECK(v.first_error()->kind == ErrorKind::reexpanded);
    CHECK(v.first_error()->offset == 9);
    CHECK(v.first_error()->expansion == 1);
    CHECK_FALSE(v.answer_correct == false); // the answer is still judged: 0,2,4 is right
    check_bounded(v, text);
  }
  SUBCASE("',(' repeated") {
    const std::string text = "<0,(" + repeat(",(", n);
    const Verdict& v = c.classify(p, text);
    REQUIRE(v.errors.size() == 1);
    CHECK(v.first_error()->kind == ErrorKind::syntax);
    CHECK(v.first_error()->offset == 4);
    CHECK(v.first_error()->message == "expected a node or ')', found ','");
  }
  SUBCASE("'(' repeated") {
    const std::string text = repeat("(", n);
    const Verdict& v = c.classify(p, text);
    REQUIRE(v.errors.size() == 1);
    CHECK(v.first_error()->kind == ErrorKind::syntax);
    CHECK(v.first_error()->offset == 0);
  }
  SUBCASE("100,000 listed nodes") {
    const std::string text = "<0,(1,2" + repeat(",1", n) + ")-4,2,0>=0,2,4";
    const Verdict& v = c.classify(p, text);
    CHECK(v.errors_capped);
    CHECK(v.first_error()->kind == ErrorKind::duplicate_neighbor);
    CHECK(v.first_error()->offset == 8);
    check_bounded(v, text);
  }
  SUBCASE("a node of degree 30,000 re-expanded 100,000 times") {
    // Without the cap: one missing_neighbor per neighbour per expansion, 3e9 errors.
    std::string star;
    for (int i = 1; i <= 30000; ++i)
      star += (i > 1 ? "|0," : "0,") + std::to_string(i);
    star += "/0,1";
    const Prompt s = parse_prompt(star).value();
    const std::string text = "<0,()" + repeat(",0,()", n);
    const Verdict& v = c.classify(s, text);
    CHECK(v.errors_capped);
    CHECK(v.errors.size() == Classifier::default_max_errors);
    CHECK(v.first_error()->kind == ErrorKind::missing_neighbor);
    CHECK(v.first_error()->offset == 4);
    check_bounded(v, text);
  }
  SUBCASE("100,000 edges repeated in a prompt") {
    const std::string text = repeat("0,1|", n) + "0,1/0,1";
    auto r = parse_prompt(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == PromptErrorKind::duplicate_edge);
    CHECK(r.error().offset == 4);
  }
  CHECK(clock.seconds() < time_limit_seconds);
}

TEST_CASE("hardening: the error cap keeps the first errors in reading order") {
  const Prompt p = seed_example();
  // frontier_order at 9, missing_neighbor at 14 (1 is not listed... by 2), and more.
  const std::string text = "<0,(1,2),2,(4),1,(3)-4,2,1,0>=0,1,3,4";
  Classifier all;
  const Verdict full = all.classify(p, text);
  REQUIRE(full.errors.size() >= 3);
  CHECK_FALSE(full.errors_capped);
  CHECK(all.max_errors() == Classifier::default_max_errors);

  Classifier capped;
  capped.set_max_errors(2);
  CHECK(capped.max_errors() == 2);
  const Verdict& v = capped.classify(p, text);
  CHECK(v.errors_capped);
  REQUIRE(v.errors.size() == 2);
  CHECK(v.errors[0] == full.errors[0]);
  CHECK(v.errors[1] == full.errors[1]);
  CHECK_FALSE(v.valid);
  CHECK(summarize(v).rfind("2+ errors (first: ", 0) == 0);

  capped.set_max_errors(0); // at least one
  CHECK(capped.max_errors() == 1);
  CHECK(capped.classify(p, text).errors.size() == 1);
  // A valid completion is not affected, and the flag is reset.
  CHECK_FALSE(capped.classify(p, "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4").errors_capped);
}

TEST_CASE("hardening: a diagnostic costs the same for any length of text") {
  const std::string head = "<0,(1,2),";
  const std::string text = head + repeat("7", 4 * mib) + "x";
  Deviation d;
  d.offset = text.size() - 1;
  d.message = "unexpected character 'x'";
  const std::string out = render_diagnostic(d, text);
  CHECK(out.size() < 2 * diagnostic_width + 100);
  // The window ends at the caret's byte and starts with "..."; the caret is under the 'x'.
  const auto line_end = out.find('\n', out.find('\n') + 1);
  const std::string snippet = out.substr(out.find('\n') + 1, line_end - out.find('\n') - 1);
  CHECK(snippet.rfind("  ...777", 0) == 0);
  CHECK(snippet.back() == 'x');
  const std::string caret = out.substr(line_end + 1);
  CHECK(caret.size() == snippet.size() + 1); // spaces up to the 'x', '^', '\n'
  CHECK(caret.substr(caret.size() - 2) == "^\n");
  // And a caret in the middle of a long text has "..." on both sides.
  d.offset = head.size() + 2 * mib;
  const std::string mid = render_diagnostic(d, text);
  CHECK(mid.find("  ...") != std::string::npos);
  CHECK(mid.find("...\n") != std::string::npos);
}
