#include <searchtrace/markup.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>

using namespace searchtrace;

namespace {

template <class F>
std::string escaped(F f, std::string_view s) {
  std::string out;
  f(out, s);
  return out;
}

constexpr std::string_view hostile = "<script>alert(\"x\")</script> ]]> --> 'q' & \\ \n\t\x01\x7f"
                                     "\xff\xc3(\xed\xa0\x80 caf\xc3\xa9";

} // namespace

TEST_CASE("markup: clean text keeps well-formed UTF-8 and replaces bad and control bytes") {
  CHECK(escaped(append_clean_text, "caf\xc3\xa9 \xe6\xa8\xa1\xe5\x9e\x8b") ==
        "caf\xc3\xa9 \xe6\xa8\xa1\xe5\x9e\x8b");
  // A stray continuation byte, a truncated sequence, a surrogate, an overlong form, controls.
  CHECK(escaped(append_clean_text, "a\x80"
                                   "b\xc3"
                                   "c\xed\xa0\x80"
                                   "d\xc0\xaf"
                                   "e\n\t\x7f") == "a\xef\xbf\xbd"
                                                   "b\xef\xbf\xbd"
                                                   "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                                                   "d\xef\xbf\xbd\xef\xbf\xbd"
                                                   "e\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  std::string cut;
  append_clean_text_cut(cut, "abcdef", 3);
  CHECK(cut == "abc...");
  cut.clear();
  append_clean_text_cut(cut, "abc", 3);
  CHECK(cut == "abc");
}

TEST_CASE("markup: completion bytes are shown as check shows them") {
  CHECK(visible_bytes(std::string_view("<0,(1)\t\xff\x00x", 10)) == "<0,(1)\\x09\\xff\\x00x");
}

TEST_CASE("markup: HTML text has no markup character and no bad byte left") {
  const std::string s = escaped(append_html_text, hostile);
  for (const char c : std::string_view("<>\"'\n\t\x01\x7f"))
    CHECK(s.find(c) == std::string::npos);
  CHECK(s.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") == 0);
  CHECK(s.find("--&gt;") != std::string::npos);
  CHECK(s.find("&#39;q&#39; &amp; \\") != std::string::npos);
  CHECK(s.find("caf\xc3\xa9") != std::string::npos);
  CHECK(escaped(append_html_bytes, "<a\xff>") == "&lt;a\\xff&gt;");
}

TEST_CASE("markup: a DOT string cannot be closed or carry an escape sequence from the input") {
  const std::string s = escaped(append_dot_text, "a\"b\\N&c\nd");
  CHECK(s == "a\\\"b\\\\N&amp;c\xef\xbf\xbd"
             "d");
}

TEST_CASE("markup: a Mermaid comment stays on its line") {
  const std::string s = escaped(append_mermaid_comment, "x\ny\r\x85z");
  CHECK(s.find('\n') == std::string::npos);
  CHECK(s.find('\r') == std::string::npos);
}

TEST_CASE("markup: JSON inside a script element cannot close it") {
  const std::string s = escaped(append_script_json_string, hostile);
  CHECK(s.find('<') == std::string::npos);
  CHECK(s.find('>') == std::string::npos);
  CHECK(s.find('&') == std::string::npos);
  CHECK(s.find("\\u003cscript\\u003ealert(\\\"x\\\")\\u003c/script\\u003e") == 1);
  CHECK(s.find("\\ufffd") != std::string::npos);
  CHECK(escaped(append_script_json_string, "\xe2\x80\xa8\xe2\x80\xa9") == "\"\\u2028\\u2029\"");
  CHECK(escaped(append_script_json_string, "a\n\x01") == "\"a\\n\\u0001\"");
}

TEST_CASE("markup: a page's policy allows its own scripts by hash and nothing else") {
  // SHA-256 test vectors (FIPS 180-4 examples), base64 as CSP writes them.
  const auto abc = detail::sha256("abc");
  CHECK(detail::base64(abc.data(), abc.size()) == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  const auto empty = detail::sha256("");
  CHECK(detail::base64(empty.data(), empty.size()) ==
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  const std::string two_blocks(119, 'a');
  const auto h = detail::sha256(two_blocks);
  CHECK(detail::base64(h.data(), h.size()) == "MeulHDE6XAgiat8Y1KNZz9/Y0ugWsT9K+VL36mWE3Ps=");
  std::string meta;
  append_csp_meta(meta, {"abc"});
  CHECK(meta == "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                "style-src 'unsafe-inline'; img-src data:; script-src "
                "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='\">");
}
