#include <searchtrace/record.hpp>

#include <searchtrace/classify.hpp>
#include <searchtrace/dataset.hpp>
#include <searchtrace/diagnostic.hpp>
#include <searchtrace/prompt.hpp>
#include <searchtrace/random.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "seed_prompt.hpp"

using searchtrace_test::seed_prompt;

using namespace searchtrace;

namespace {

constexpr std::string_view seed_completion = "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4";

// Appending rather than `"x" + std::string(...)`, on which GCC 12 warns falsely (-Wrestrict).
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (const std::string_view p : parts)
    s += p;
  return s;
}

std::string json_line(std::string_view extra_before, std::string_view extra_after = "") {
  return cat({"{", extra_before, "\"prompt\":\"", seed_prompt, "\",\"completion\":\"",
              seed_completion, "\"", extra_after, "}"});
}

// Reads `line`, requiring success.
SampleRecord read_ok(RecordReader& reader, std::string_view line) {
  SampleRecord r;
  const auto e = reader.read(line, r);
  if (e)
    FAIL("unexpected " << record_error_kind_name(e->kind) << " at " << e->offset << ": "
                       << e->message << "\n  line: " << line);
  return r;
}

// With a reader that outlives the call (a decoded string lives in its reader): the result is
// valid until the next call.
SampleRecord read_ok(std::string_view line) {
  static RecordReader reader;
  return read_ok(reader, line);
}

RecordError read_bad(std::string_view line) {
  RecordReader reader;
  SampleRecord r;
  auto e = reader.read(line, r);
  if (!e)
    FAIL("accepted: " << line);
  return e.value_or(RecordError{});
}

bool ascii_one_line(std::string_view s) {
  for (const char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F)
      return false;
  return !s.empty();
}

bool inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

} // namespace

TEST_CASE("record: a TSV line is split at its first tab") {
  const std::string line = cat({seed_prompt, "\t", seed_completion});
  const SampleRecord r = read_ok(line);
  CHECK(r.prompt == seed_prompt);
  CHECK(r.completion == seed_completion);
  CHECK_FALSE(r.json);
  CHECK_FALSE(r.model);
  CHECK_FALSE(r.family);
  CHECK_FALSE(r.id);
  CHECK(inside(r.completion, line)); // no copy

  const SampleRecord two = read_ok("a\tb\tc");
  CHECK(two.prompt == "a");
  CHECK(two.completion == "b\tc"); // the classifier reports the second tab at its byte
  const SampleRecord empty_parts = read_ok("\t");
  CHECK(empty_parts.prompt.empty());
  CHECK(empty_parts.completion.empty());
}

TEST_CASE("record: empty lines and lines without a tab") {
  const RecordError empty = read_bad("");
  CHECK(empty.kind == RecordErrorKind::empty_line);
  CHECK(empty.offset == 0);
  CHECK(empty.message == "empty line (expected prompt<TAB>completion or a JSON object)");
  const RecordError no_tab = read_bad("no tab here");
  CHECK(no_tab.kind == RecordErrorKind::no_tab);
  CHECK(no_tab.offset == 11);
  CHECK(no_tab.message == "no tab in the line (expected prompt<TAB>completion or a JSON object)");
  // Leading space: not JSON (only '{' or '[' as the first byte is), so a TSV line.
  CHECK(read_bad(" {\"prompt\":\"1,2/1,2\"}").kind == RecordErrorKind::no_tab);
}

TEST_CASE("record: strip_suffix removes one end-of-sequence marker from the completion") {
  RecordReader reader("</s>");
  CHECK(reader.strip_suffix() == "</s>");
  CHECK(read_ok(reader, "p\tc</s>").completion == "c");
  CHECK(read_ok(reader, "p\tc</s></s>").completion == "c</s>"); // once
  CHECK(read_ok(reader, "p\tc</s> ").completion == "c</s> ");   // only at the very end
  CHECK(read_ok(reader, "p\t</s>").completion.empty());
  CHECK(read_ok(reader, "p\t/s>").completion == "/s>");
  CHECK(read_ok(reader, "p</s>\tc").prompt == "p</s>"); // never the prompt
  CHECK(read_ok(reader, R"({"prompt":"p","completion":"c<\/s>"})").completion == "c");
  RecordReader none;
  CHECK(read_ok(none, "p\tc</s>").completion == "c</s>");
}

TEST_CASE("record: a JSON object with every kept field") {
  const std::string line =
      R"({"id": 17, "model": "6x8", "family": "G15_2_4", "prompt": "1,2/1,2", )"
      R"("completion": "<1,(2)-2,1>=1,2"})";
  const SampleRecord r = read_ok(line);
  CHECK(r.json);
  CHECK(r.prompt == "1,2/1,2");
  CHECK(r.completion == "<1,(2)-2,1>=1,2");
  CHECK(r.model == std::optional<std::string_view>("6x8"));
  CHECK(r.family == std::optional<std::string_view>("G15_2_4"));
  CHECK(r.id == std::optional<std::string_view>("17"));
  // Strings without escapes are views into the line.
  CHECK(inside(r.prompt, line));
  CHECK(inside(r.completion, line));
  CHECK(inside(*r.model, line));
}

TEST_CASE("record: ids are kept as written, numbers of any size included") {
  std::string line;
  const auto id_of = [&](std::string_view id) {
    line = json_line(cat({"\"id\":", id, ","}));
    return read_ok(line).id.value_or("(none)");
  };
  CHECK(id_of("0") == "0");
  CHECK(id_of("-12.50e+3") == "-12.50e+3");
  CHECK(id_of("1e400") == "1e400");
  CHECK(id_of("1E-400") == "1E-400");
  const std::string big(401, '9');
  CHECK(id_of(big) == big);
  CHECK(id_of(R"("a\"b\u00e9")") == R"("a\"b\u00e9")");
  CHECK(id_of(R"("")") == R"("")");
}

TEST_CASE("record: ignored fields may hold any JSON, numbers of any size and exponent") {
  const std::string big(401, '7');
  for (const std::string& extra : std::vector<std::string>{
           "\"x\":1e400,", "\"x\":-1e-400,", "\"x\":" + big + ",", "\"x\":-" + big + ".5E+999,",
           "\"x\":[1e400,{\"y\":[" + big + "]}],", "\"x\":{},", "\"x\":[],", "\"x\":[[],{},[{}]],",
           "\"x\":true,\"y\":false,\"z\":null,", "\"x\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\",",
           "\"x\":{\"a\":{\"b\":{\"c\":[1,2,{\"d\":null}]}}},", "\"\":0,", "\"x\" : [ 1 , 2 ] ,",
           "\"prompt2\":1,\"Prompt\":2,\"completion \":3,", "\"\\u00e9\":\"\\ud83d\\ude00\","}) {
    CAPTURE(extra);
    const std::string line = json_line(extra);
    const SampleRecord before = read_ok(line);
    CHECK(before.prompt == seed_prompt);
    CHECK(before.completion == seed_completion);
    CHECK_FALSE(before.model);
    CHECK_FALSE(before.id);
    // The same after the kept fields.
    const std::string after = cat({",", std::string_view(extra).substr(0, extra.size() - 1)});
    CHECK(read_ok(json_line("", after)).completion == seed_completion);
  }
}

TEST_CASE("record: JSON whitespace anywhere between tokens") {
  const SampleRecord r =
      read_ok("{ \t\"prompt\" \r: \n\"1,2/1,2\" , \"completion\":\"x\"\t}  \t\r\n");
  CHECK(r.prompt == "1,2/1,2");
  CHECK(r.completion == "x");
}

TEST_CASE("record: escapes are decoded in kept strings, surrogate pairs included") {
  const SampleRecord r = read_ok(
      R"({"prompt":"1,2\/1,2","completion":"<1,(2)-2,1>=1,2\u0000","model":"a\"b\\c\n\t\u00e9\ud83d\ude00","family":"\u0046"})");
  CHECK(r.prompt == "1,2/1,2");
  CHECK(r.completion == std::string_view("<1,(2)-2,1>=1,2\0", 16)); // a NUL byte, judged as one
  CHECK(r.model == std::optional<std::string_view>("a\"b\\c\n\t\xC3\xA9\xF0\x9F\x98\x80"));
  CHECK(r.family == std::optional<std::string_view>("F"));
  // Well-formed UTF-8 is kept as written.
  const SampleRecord u = read_ok("{\"prompt\":\"p\",\"completion\":\"c\",\"model\":"
                                 "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\"}");
  CHECK(u.model == std::optional<std::string_view>("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"
                                                   "\xF4\x8F\xBF\xBF"));
  // Escaped keys name the same fields.
  const SampleRecord k =
      read_ok(R"({"\u0070rompt":"p","compl\u0065tion":"c","\u006d\u006f\u0064\u0065\u006c":"m"})");
  CHECK(k.prompt == "p");
  CHECK(k.completion == "c");
  CHECK(k.model == std::optional<std::string_view>("m"));
}

TEST_CASE("record: a duplicate key: the last one wins") {
  const SampleRecord r =
      read_ok(R"({"prompt":"a","completion":"b","prompt":"c","model":"x","model":"y"})");
  CHECK(r.prompt == "c");
  CHECK(r.model == std::optional<std::string_view>("y"));
  // An earlier value of the wrong type is overridden, so no error...
  CHECK(read_ok(R"({"prompt":"a","completion":3,"completion":"b"})").completion == "b");
  CHECK(read_ok(R"({"prompt":"a","completion":"b","id":[1],"id":2})").id ==
        std::optional<std::string_view>("2"));
  // ...but a later one is the value.
  const RecordError e = read_bad(R"({"prompt":"a","completion":"b","completion":{}})");
  CHECK(e.kind == RecordErrorKind::wrong_type);
  CHECK(e.offset == 44);
  // Escaped and unescaped spellings are the same key.
  CHECK(read_ok(R"({"prompt":"a","completion":"b","\u0070rompt":"c"})").prompt == "c");
}

TEST_CASE("record: missing fields and wrong types, in field order") {
  struct Case {
    std::string line;
    RecordErrorKind kind;
    std::size_t offset;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"completion":"c"})", RecordErrorKind::missing_field, 17,
       "the JSON object has no \"prompt\""},
      {R"({"prompt":"p"})", RecordErrorKind::missing_field, 13,
       "the JSON object has no \"completion\""},
      {"{}", RecordErrorKind::missing_field, 1, "the JSON object has no \"prompt\""},
      {R"({"prompt":"p","completion":3})", RecordErrorKind::wrong_type, 27,
       "\"completion\" must be a string, found a number"},
      {R"({"prompt":null,"completion":3})", RecordErrorKind::wrong_type, 10,
       "\"prompt\" must be a string, found null"},
      {R"({"completion":3,"prompt":[1]})", RecordErrorKind::wrong_type, 25,
       "\"prompt\" must be a string, found an array"},
      {R"({"prompt":"p","completion":"c","model":true})", RecordErrorKind::wrong_type, 39,
       "\"model\" must be a string, found a boolean"},
      {R"({"prompt":"p","completion":"c","family":{"a":1}})", RecordErrorKind::wrong_type, 40,
       "\"family\" must be a string, found an object"},
      {R"({"prompt":"p","completion":"c","id":false})", RecordErrorKind::wrong_type, 36,
       "\"id\" must be a string or a number, found a boolean"},
      {R"({"prompt":"p","id":false})", RecordErrorKind::missing_field, 24,
       "the JSON object has no \"completion\""},
      {R"({"prompt":1e400,"completion":"c"})", RecordErrorKind::wrong_type, 10,
       "\"prompt\" must be a string, found a number"},
      {"[1,2]", RecordErrorKind::not_an_object, 0, "a JSON line must be an object, found an array"},
      {"[]", RecordErrorKind::not_an_object, 0, "a JSON line must be an object, found an array"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.line);
    const RecordError e = read_bad(c.line);
    CHECK(record_error_kind_name(e.kind) == record_error_kind_name(c.kind));
    CHECK(e.offset == c.offset);
    CHECK(e.message == c.message);
  }
}

TEST_CASE("record: every kind of bad JSON, at its byte") {
  struct Case {
    std::string line;
    RecordErrorKind kind;
    std::size_t offset;
    std::string message;
  };
  using K = RecordErrorKind;
  const std::vector<Case> cases = {
      {"{", K::json_syntax, 1,
       "not valid JSON: expected '\"' to start a key, found the end of the line"},
      {R"({"prompt")", K::json_syntax, 9,
       "not valid JSON: expected ':' after the key, found the end of the line"},
      {R"({"prompt" "p"})", K::json_syntax, 10,
       "not valid JSON: expected ':' after the key, found '\"'"},
      {R"({"prompt":})", K::json_syntax, 10, "not valid JSON: expected a value, found '}'"},
      {R"({"prompt":"p" "completion":"c"})", K::json_syntax, 14,
       "not valid JSON: expected ',' or '}' after an object member, found '\"'"},
      {R"({"prompt":"p",})", K::json_syntax, 14,
       "not valid JSON: expected '\"' to start a key, found '}'"},
      {R"({prompt:"p"})", K::json_syntax, 1,
       "not valid JSON: expected '\"' to start a key, found 'p'"},
      {R"({'prompt':'p'})", K::json_syntax, 1,
       "not valid JSON: expected '\"' to start a key, found '''"},
      {R"({"prompt":"p)", K::json_syntax, 12, "not valid JSON: the line ends inside a string"},
      {R"({"prompt":"p\)", K::json_syntax, 13, "not valid JSON: the line ends inside a string"},
      {"{\"prompt\":\"a\tb\"}", K::json_syntax, 12,
       "not valid JSON: control byte 0x09 in a string (JSON needs it escaped)"},
      {R"({"prompt":"\x"})", K::json_syntax, 11,
       "not valid JSON: invalid escape: backslash then 'x'"},
      {R"({"prompt":"\u12"})", K::json_syntax, 11,
       "not valid JSON: \\u must be followed by four hex digits"},
      {R"({"prompt":"\u12g4"})", K::json_syntax, 11,
       "not valid JSON: \\u must be followed by four hex digits"},
      {R"({"x":01})", K::json_syntax, 5,
       "not valid JSON: a number must not start with 0 followed by a digit"},
      {R"({"x":-})", K::json_syntax, 6,
       "not valid JSON: expected a digit in the number, found '}'"},
      {R"({"x":+1})", K::json_syntax, 5, "not valid JSON: expected a value, found '+'"},
      {R"({"x":.5})", K::json_syntax, 5, "not valid JSON: expected a value, found '.'"},
      {R"({"x":1.})", K::json_syntax, 7,
       "not valid JSON: expected a digit after the decimal point, found '}'"},
      {R"({"x":1e})", K::json_syntax, 7,
       "not valid JSON: expected a digit in the exponent, found '}'"},
      {R"({"x":1e+})", K::json_syntax, 8,
       "not valid JSON: expected a digit in the exponent, found '}'"},
      {R"({"x":1x})", K::json_syntax, 6,
       "not valid JSON: expected ',' or '}' after an object member, found 'x'"},
      {R"({"x":tru})", K::json_syntax, 5, "not valid JSON: expected true, false or null"},
      {R"({"x":nul1})", K::json_syntax, 5, "not valid JSON: expected true, false or null"},
      {R"({"x":True})", K::json_syntax, 5, "not valid JSON: expected a value, found 'T'"},
      {R"({"x":NaN})", K::json_syntax, 5, "not valid JSON: expected a value, found 'N'"},
      {R"({"x":[1,]})", K::json_syntax, 8, "not valid JSON: expected a value, found ']'"},
      {R"({"x":[1 2]})", K::json_syntax, 8,
       "not valid JSON: expected ',' or ']' after an array element, found '2'"},
      {R"({"x":[1})", K::json_syntax, 7,
       "not valid JSON: expected ',' or ']' after an array element, found '}'"},
      {R"({"x":{"a"}})", K::json_syntax, 9,
       "not valid JSON: expected ':' after the key, found '}'"},
      {R"({"x":{"a":1,}})", K::json_syntax, 12,
       "not valid JSON: expected '\"' to start a key, found '}'"},
      {R"({"x":{1:2}})", K::json_syntax, 6,
       "not valid JSON: expected '\"' to start a key, found '1'"},
      {R"({"prompt":"p","completion":"c"}x)", K::json_syntax, 31,
       "not valid JSON: expected the end of the line after the JSON value, found 'x'"},
      {R"({"prompt":"p","completion":"c"}{})", K::json_syntax, 31,
       "not valid JSON: expected the end of the line after the JSON value, found '{'"},
      {"[1,2", K::json_syntax, 4,
       "not valid JSON: expected ',' or ']' after an array element, found the end of the line"},
      {"{\"x\":\x01}", K::json_syntax, 5, "not valid JSON: expected a value, found byte 0x01"},
      {"{\"x\":1}\x0b", K::json_syntax, 7,
       "not valid JSON: expected the end of the line after the JSON value, found byte 0x0b"},
      // Ill-formed UTF-8: stray continuation, overlong, a surrogate, a truncated sequence, a
      // byte never in UTF-8, beyond U+10FFFF; in kept and ignored strings and in keys.
      {"{\"prompt\":\"a\x80\"}", K::bad_utf8, 12, "not valid UTF-8: byte 0x80 in a string"},
      {"{\"x\":\"\xC0\xAF\"}", K::bad_utf8, 6, "not valid UTF-8: byte 0xc0 in a string"},
      {"{\"x\":\"\xED\xA0\x80\"}", K::bad_utf8, 6, "not valid UTF-8: byte 0xed in a string"},
      {"{\"x\":\"\xE2\x82\"}", K::bad_utf8, 6, "not valid UTF-8: byte 0xe2 in a string"},
      {"{\"x\":\"\xE2\x82", K::bad_utf8, 6, "not valid UTF-8: byte 0xe2 in a string"},
      {"{\"x\":\"\xFF\"}", K::bad_utf8, 6, "not valid UTF-8: byte 0xff in a string"},
      {"{\"x\":\"\xF4\x90\x80\x80\"}", K::bad_utf8, 6, "not valid UTF-8: byte 0xf4 in a string"},
      {"{\"\xFE\":1}", K::bad_utf8, 2, "not valid UTF-8: byte 0xfe in a string"},
      {"{\"x\":[\"\x80\"]}", K::bad_utf8, 7, "not valid UTF-8: byte 0x80 in a string"},
      // Outside strings a non-ASCII byte is a syntax error.
      {"{\"x\":\xC3\xA9}", K::json_syntax, 5, "not valid JSON: expected a value, found byte 0xc3"},
      // Surrogate escapes must pair up.
      {R"({"model":"\ud83d"})", K::bad_utf8, 10,
       "not valid UTF-8: \\ud83d is a high surrogate without a low surrogate escape after it"},
      {R"({"model":"\ud83dx"})", K::bad_utf8, 10,
       "not valid UTF-8: \\ud83d is a high surrogate without a low surrogate escape after it"},
      {R"({"model":"\ud83d\u0041"})", K::bad_utf8, 10,
       "not valid UTF-8: \\ud83d is a high surrogate without a low surrogate escape after it"},
      {R"({"model":"\ud83d\ud83d"})", K::bad_utf8, 10,
       "not valid UTF-8: \\ud83d is a high surrogate without a low surrogate escape after it"},
      {R"({"x":"\uDE00"})", K::bad_utf8, 6,
       "not valid UTF-8: \\ude00 is a low surrogate without a high surrogate escape before it"},
      // The first problem in reading order wins over a field problem found later.
      {R"({"completion":3,"x":[})", K::json_syntax, 21,
       "not valid JSON: expected a value, found '}'"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.line);
    const RecordError e = read_bad(c.line);
    CHECK(record_error_kind_name(e.kind) == record_error_kind_name(c.kind));
    CHECK(e.offset == c.offset);
    CHECK(e.message == c.message);
    CHECK(ascii_one_line(e.message));
    CHECK(e.offset <= c.line.size());
  }
}

TEST_CASE("record: nesting is bounded, without recursion or memory") {
  const auto nested = [](std::size_t levels) { // the record's object is level 1
    return std::string(R"({"prompt":"p","completion":"c","x":)") + std::string(levels - 1, '[') +
           std::string(levels - 1, ']') + "}";
  };
  CHECK(read_ok(nested(record_max_depth)).prompt == "p");
  const std::string deep = nested(record_max_depth + 1);
  const RecordError e = read_bad(deep);
  CHECK(e.kind == RecordErrorKind::too_deep);
  CHECK(e.offset == 35 + record_max_depth - 1);
  CHECK(e.message == "arrays and objects nested deeper than 512 levels");
  // Objects count like arrays.
  std::string objects = R"({"prompt":"p","completion":"c","x":)";
  for (std::size_t i = 1; i < record_max_depth; ++i)
    objects += R"({"a":)";
  objects += '1';
  objects.append(record_max_depth, '}');
  CHECK(read_ok(objects).completion == "c");
  objects.insert(35, R"({"a":)");
  objects += "}";
  CHECK(read_bad(objects).kind == RecordErrorKind::too_deep);
  // A line of 16 MiB of '[' (or '{"a":[') stops at the limit.
  const std::string brackets(std::size_t{16} << 20, '[');
  const RecordError b = read_bad(brackets);
  CHECK(b.kind == RecordErrorKind::too_deep);
  CHECK(b.offset == record_max_depth);
}

TEST_CASE("record: a reused reader keeps nothing of the previous line") {
  RecordReader reader;
  SampleRecord r = read_ok(reader, R"({"prompt":"a\n","completion":"b\n","model":"m","id":1})");
  CHECK(r.prompt == "a\n");
  r = read_ok(reader, R"({"prompt":"c","completion":"d\t"})");
  CHECK(r.prompt == "c");
  CHECK(r.completion == "d\t");
  CHECK_FALSE(r.model);
  CHECK_FALSE(r.id);
  CHECK(read_ok(reader, "x\ty").prompt == "x");
  SampleRecord bad;
  CHECK(reader.read(R"({"prompt":"a"})", bad));
  r = read_ok(reader, R"({"prompt":"e","completion":"f","family":"g"})");
  CHECK(r.family == std::optional<std::string_view>("g"));
  CHECK_FALSE(r.model);
}

TEST_CASE("record: the reader agrees with a strict JSON parser on mutated lines") {
  // Random edits of valid lines: whatever the reader calls a JSON problem (syntax, UTF-8), the
  // JSON parser of nlohmann rejects too, and whatever it accepts as JSON, nlohmann accepts.
  const std::vector<std::string> bases = {
      R"({"prompt":"1,2/1,2","completion":"<1,(2)-2,1>=1,2","model":"m\u00e9\ud83d\ude00","x":[1,-2.5e3,{"y":null}],"z":true})",
      R"({"a":{"b":[[],{}]},"prompt":"p\"\\\/\b\f\n\r\t","completion":"c","id":-0.5E+2})",
      "{\"prompt\":\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\",\"completion\":\"c\",\"f\":false}"};
  const std::string alphabet =
      "{}[]\",:\\ u0123456789abcdefE.-+tnrl\x01\x80\xBF\xC3\xE2\xED\xF0\xFF";
  Rng rng(12345);
  std::size_t compared = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string line = bases[rng.below(bases.size())];
    const auto edits = 1 + rng.below(3);
    for (std::uint64_t k = 0; k < edits; ++k) {
      const auto at = 1 + rng.below(line.size() - 1);
      const char c = alphabet[rng.below(alphabet.size())];
      switch (rng.below(3)) {
      case 0:
        line[at] = c;
        break;
      case 1:
        line.insert(line.begin() + static_cast<std::ptrdiff_t>(at), c);
        break;
      default:
        line.erase(at, 1);
      }
    }
    RecordReader reader;
    SampleRecord r;
    const auto e = reader.read(line, r);
    const bool json_problem =
        e && (e->kind == RecordErrorKind::json_syntax || e->kind == RecordErrorKind::bad_utf8 ||
              e->kind == RecordErrorKind::too_deep);
    CAPTURE(line);
    if (e) {
      CHECK(ascii_one_line(e->message));
      CHECK(e->offset <= line.size());
    }
    CHECK(nlohmann::json::accept(line) == !json_problem);
    ++compared;
  }
  CHECK(compared == 20000);
}

TEST_CASE("record: the verdict record of check --json") {
  const Prompt p = parse_prompt(seed_prompt).value();
  const Verdict ok = classify(p, seed_completion);
  const Verdict bad = classify(p, "<0,(1,2),2,(1,4)-4,2,0>=0,2,4");

  SUBCASE("without origin or record: the keys of diagnostic.hpp's append_json, in its order") {
    for (const Verdict* v : {&ok, &bad}) {
      std::string mine, theirs;
      append_verdict_record(mine, *v);
      append_json(theirs, *v);
      CHECK(mine == theirs);
    }
    std::string out;
    append_verdict_record(out, ok);
    CHECK(out ==
          R"({"valid":true,"exact":true,"answer_correct":true,"first_error":null,"errors":[]})");
  }
  SUBCASE("line, file and the record's id, model and family come last, in that order") {
    RecordReader reader;
    SampleRecord r;
    REQUIRE_FALSE(reader.read(
        R"({"family":"G\"1","model":"m\u00e9","id":"x\u0041","prompt":"1,2/1,2","completion":"c"})",
        r));
    std::string out;
    append_verdict_record(out, bad, RecordOrigin{"in.jsonl", 7}, &r);
    CHECK(out.substr(out.find("]") + 1) ==
          R"(,"file":"in.jsonl","line":7,"id":"x\u0041","model":"m)"
          "\xC3\xA9"
          R"(","family":"G\"1"})");
    const auto j = nlohmann::ordered_json::parse(out);
    std::vector<std::string> keys;
    for (const auto& [key, value] : j.items())
      keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"valid", "exact", "answer_correct", "first_error",
                                           "errors", "file", "line", "id", "model", "family"});
    CHECK(j["id"] == "xA");
    CHECK(j["line"] == 7);
    CHECK(j["errors"][0]["kind"] == "frontier_order");
  }
  SUBCASE("absent parts are left out; a numeric id stays a number as written") {
    RecordReader reader;
    SampleRecord r;
    REQUIRE_FALSE(reader.read("{\"prompt\":\"p\",\"completion\":\"c\",\"id\":1e400}", r));
    std::string out;
    append_verdict_record(out, ok, RecordOrigin{"", 3}, &r);
    CHECK(out == R"({"valid":true,"exact":true,"answer_correct":true,"first_error":null,)"
                 R"("errors":[],"line":3,"id":1e400})");
    REQUIRE_FALSE(reader.read("p\tc", r));
    out.clear();
    append_verdict_record(out, ok, RecordOrigin{"a b\xFF", 1}, &r);
    CHECK(out.ends_with(R"("errors":[],"file":"a b\ufffd","line":1})"));
  }
}

TEST_CASE("record: the sample record of generate --format jsonl, byte for byte") {
  // The golden file of `searchtrace generate --format jsonl --count 3 --seed 42`.
  const auto golden = std::filesystem::path(__FILE__).parent_path().parent_path() / "examples" /
                      "cli" / "tests" / "generate_jsonl.expected";
  std::ifstream in(golden, std::ios::binary);
  REQUIRE(in);
  std::stringstream expected;
  expected << in.rdbuf();

  DatasetOptions o;
  o.seed = 42;
  o.fingerprints = true; // generate fills them for jsonl
  auto g = Generator::create(o);
  REQUIRE(g.ok());
  Generator& generator = *g;
  const SampleRecordWriter writer(generator.options());
  std::string out, one_by_one;
  Sample s;
  for (std::uint64_t i = 0; i < 3; ++i) {
    REQUIRE_FALSE(generator.generate(i, s));
    writer.append(out, s);
    append_sample_record(one_by_one, s, generator.options());
  }
  CHECK(out == expected.str());
  CHECK(one_by_one == out);

  // Each record is a JSON object whose fields say what the sample is.
  const auto j = nlohmann::json::parse(out.substr(0, out.find('\n')));
  CHECK(j["family"] == "G15_2_4");
  CHECK(j["index"] == 0);
  std::string text = j["prompt"].get<std::string>() + j["completion"].get<std::string>();
  REQUIRE_FALSE(generator.generate(0, s));
  CHECK(text == s.text);

  // A record the writer writes is one the reader reads.
  RecordReader reader;
  SampleRecord r;
  REQUIRE_FALSE(reader.read(std::string_view(out).substr(0, out.find('\n')), r));
  CHECK(r.prompt == s.prompt_text());
  CHECK(r.completion == s.completion_text());
  CHECK(r.family == std::optional<std::string_view>("G15_2_4"));
}

TEST_CASE("record: error kinds have names") {
  using K = RecordErrorKind;
  const std::vector<std::pair<K, std::string_view>> names = {
      {K::empty_line, "empty_line"},       {K::no_tab, "no_tab"},
      {K::json_syntax, "json_syntax"},     {K::bad_utf8, "bad_utf8"},
      {K::too_deep, "too_deep"},           {K::not_an_object, "not_an_object"},
      {K::missing_field, "missing_field"}, {K::wrong_type, "wrong_type"}};
  for (const auto& [kind, name] : names)
    CHECK(record_error_kind_name(kind) == name);
}
