#include <searchtrace/page.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>

using namespace searchtrace;

namespace {

Prompt prompt_of(std::string_view text) {
  Prompt p;
  PromptParser parser;
  REQUIRE_MESSAGE(!parser.parse(text, p), text);
  return p;
}

// The text between `from` and the next `to` after it.
std::string between(const std::string& s, std::string_view from, std::string_view to) {
  const std::size_t a = s.find(from);
  REQUIRE(a != std::string::npos);
  const std::size_t b = s.find(to, a + from.size());
  REQUIRE(b != std::string::npos);
  return s.substr(a + from.size(), b - a - from.size());
}

} // namespace

TEST_CASE("page: the reference of the seed's prompt, token by token") {
  const Prompt p = prompt_of("1,3|2,4|1,2|0,1|0,2|3,4/0,4");
  const std::string page = trace_page(p, std::nullopt);
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(page.find("default-src 'none'") != std::string::npos);
  CHECK(page.find("The reference search, token by token") != std::string::npos);
  CHECK(page.find("<figure id=\"st-graph\"><svg") != std::string::npos);
  // One row per token of <0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4 (35 tokens), the state after it:
  // after '<' the source is queued; after "0" it is expanded; after "1" 1 is queued with
  // parent 0; ...; the start is the last token.
  const std::string rows = between(page, "\"rows\":", "}]}</script>");
  CHECK(rows.rfind("[[1,-1,[0],[],[],[]],[1,0,[],[0],[],[]],[1,0,[],[],[],[]],"
                   "[1,0,[],[],[],[]],[1,0,[1],[],[[1,0]],[]],",
                   0) == 0);
  CHECK(between(page, "\"start\":", ",") == "34");
  // Every token is a span.
  std::size_t spans = 0;
  for (std::size_t at = 0; (at = page.find("<span class=\"tok", at)) != std::string::npos; ++at)
    ++spans;
  CHECK(spans == 35);
}

TEST_CASE("page: a completion with errors, beside the reference") {
  const Prompt p = prompt_of("1,3|2,4|1,2|0,1|0,2|3,4/0,4");
  PictureCaption c;
  c.model = "6x8";
  const std::string completion = "<0,(1,2,3),2,(1,4)-4,2,0>=0,2,4";
  std::string page;
  const Verdict v = append_trace_page(page, p, completion, {}, c);
  CHECK_FALSE(v.valid);
  CHECK(page.find("A completion, token by token") != std::string::npos);
  CHECK(page.find("model: <b>6x8</b>") != std::string::npos);
  // The first error (non_edge at byte 8, token 8) is marked and the page starts there.
  CHECK(page.find("<span class=\"tok err first\" data-k=\"8\" title=\"non_edge: listed 3, which "
                  "is not a neighbour of 0\">3</span>") != std::string::npos);
  CHECK(between(page, "\"start\":", ",") == "8");
  // The invented edge appears at that token.
  CHECK(page.find("[\"x0_3\"]") != std::string::npos);
  CHECK(page.find("<pre class=\"diag\">error[neighbors/non_edge]: listed 3, which is not a "
                  "neighbour of 0\n  &lt;0,(1,2,3),2,(1,4)-4,2,0&gt;=0,2,4\n          ^\n</pre>") !=
        std::string::npos);
  CHECK(page.find("<h2>reference</h2>") != std::string::npos);
}

TEST_CASE("page: numbers that are no node, bytes after a syntax error, large labels") {
  const Prompt p = prompt_of("100000,3000000000|3000000000,7/100000,7");
  const std::string completion = "<100000,(3000000000,99999999999),3000000000,(7)\xff<script>";
  const std::string page = trace_page(p, completion);
  CHECK(page.find("\"labels\":[7,100000,3000000000]") != std::string::npos);
  CHECK(page.find("\"phantoms\":[\"\\u003e=4294967295\"]") != std::string::npos);
  CHECK(page.find("<span class=\"tok err first\" data-k=\"6\" title=\"unknown_node: ") !=
        std::string::npos);
  CHECK(page.find("<span class=\"rest err\" title=\"syntax: unexpected byte 0xff\">") !=
        std::string::npos);
  CHECK(page.find("\\xff&lt;script&gt;</span>") != std::string::npos);
  CHECK(page.find("<script>alert") == std::string::npos);
  // Exactly the two scripts of the page.
  std::size_t scripts = 0;
  for (std::size_t at = 0; (at = page.find("<script", at)) != std::string::npos; ++at)
    ++scripts;
  CHECK(scripts == 2);
}
