// The body of the libFuzzer target fuzz_records.cpp, kept in a header so that the doctest
// suite (tests/fuzz_corpora.cpp) replays the committed corpus tests/fuzz/corpus_records/
// through the very same checks on every build, with or without clang.
//
// An input is one line for RecordReader (the check/eval input reader), read as it is and, when
// it is long enough, with a strip suffix taken from its first bytes. nlohmann/json's SAX
// parser, which shares no code with ours, is the oracle (but for a number beyond double range,
// valid JSON that nlohmann refuses and ours keeps: such a line gets the generic checks only):
//   * a line starting with '{' or '[' is read exactly when nlohmann accepts it, it nests at most
//     record_max_depth levels, it is an object, its last "prompt" and "completion" are strings,
//     "model" and "family" are absent or strings and "id" is absent, a string or a number;
//     otherwise the error kind is the one those rules name (json_syntax or bad_utf8 for text
//     nlohmann rejects);
//   * what is read is what nlohmann decodes: the strings byte for byte (after the suffix is
//     stripped once), an id's raw text parses to the same value;
//   * a TSV line splits at its first tab; no tab is no_tab at the line's end;
//   * an error's offset lies within the line; its message is one printable line.
#pragma once

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "searchtrace/record.hpp"

#include "fuzz_checks.hpp"

namespace searchtrace_fuzz {

using namespace searchtrace;

class RecordsHarness {
public:
  template <class Fail>
  void run(std::string_view input, Fail&& fail) {
    check(input, "", fail);
    // A strip suffix from the input's first byte: its length, then the suffix, then the line.
    if (input.size() >= 2) {
      const std::size_t n = static_cast<unsigned char>(input[0]) % 4 + 1;
      if (input.size() >= 1 + n)
        check(input.substr(1 + n), std::string(input.substr(1, n)), fail);
    }
  }

private:
  // nlohmann's SAX interface: the whole text validated by nlohmann's lexer and parser, numbers
  // never turned into a document (its DOM parser refuses 1e400; we keep such numbers), and of
  // the record's own object only the last value of each key, by type.
  enum class Type { string, number, other };
  struct Value {
    Type type = Type::other;
    std::string text; // a string's decoded bytes
  };
  struct Oracle : nlohmann::json_sax<nlohmann::json> {
    std::size_t level = 0, deepest = 0;
    bool object = false;
    std::string current_key;
    std::map<std::string, Value> fields;
    void value(Type t, std::string text = {}) {
      if (level == 1 && object)
        fields[current_key] = Value{t, std::move(text)};
    }
    bool open(bool is_object) {
      value(Type::other);
      if (level == 0)
        object = is_object;
      deepest = std::max(deepest, ++level);
      return true;
    }
    bool null() override { return value(Type::other), true; }
    bool boolean(bool) override { return value(Type::other), true; }
    bool number_integer(number_integer_t) override { return value(Type::number), true; }
    bool number_unsigned(number_unsigned_t) override { return value(Type::number), true; }
    bool number_float(number_float_t, const string_t&) override {
      return value(Type::number), true;
    }
    bool string(string_t& v) override { return value(Type::string, v), true; }
    bool binary(binary_t&) override { return value(Type::other), true; }
    bool start_object(std::size_t) override { return open(true); }
    bool key(string_t& k) override {
      if (level == 1)
        current_key = k;
      return true;
    }
    bool end_object() override { return --level, true; }
    bool start_array(std::size_t) override { return open(false); }
    bool end_array() override { return --level, true; }
    bool parse_error(std::size_t, const std::string&,
                     const nlohmann::detail::exception& e) override {
      overflow = e.id == 406; // a number beyond double: valid JSON that nlohmann will not read
      return false;
    }
    bool overflow = false;
  };

  static std::string strip(std::string s, const std::string& suffix) {
    if (!suffix.empty() && s.size() >= suffix.size() &&
        s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0)
      s.resize(s.size() - suffix.size());
    return s;
  }

  template <class Fail>
  void check(std::string_view line, const std::string& suffix, Fail& fail) {
    RecordReader reader(suffix);
    SampleRecord r;
    const std::optional<RecordError> e = reader.read(line, r);
    const std::string kind = e ? std::string(record_error_kind_name(e->kind)) : "ok";
    if (e) {
      if (e->offset > line.size())
        fail("error offset " + std::to_string(e->offset) + " beyond the line of " +
             std::to_string(line.size()) + " bytes");
      if (!printable_line(e->message) || e->message.empty())
        fail("the message of a " + kind + " error is not one printable line");
    }
    if (line.empty()) {
      if (kind != "empty_line")
        fail("an empty line gave " + kind);
      return;
    }
    if (line.front() != '{' && line.front() != '[') {
      const std::size_t tab = line.find('\t');
      if (tab == std::string_view::npos) {
        if (kind != "no_tab" || e->offset != line.size())
          fail("a TSV line without a tab gave " + kind);
        return;
      }
      if (e)
        fail("a TSV line with a tab gave " + kind);
      else if (r.json || r.prompt != line.substr(0, tab) ||
               std::string(r.completion) != strip(std::string(line.substr(tab + 1)), suffix))
        fail("a TSV line was not split at its first tab");
      return;
    }
    // nlohmann's lexer takes a NUL byte for the end of the input; JSON allows none, raw.
    if (line.find('\0') != std::string_view::npos) {
      if (kind != "json_syntax" && kind != "bad_utf8" && kind != "too_deep")
        fail("a line with a raw NUL byte gave " + kind);
      return;
    }
    Oracle o;
    if (!nlohmann::json::sax_parse(line, &o)) {
      if (o.overflow) // nlohmann stops at a number like 1e400: no verdict from the oracle
        return;
      // Text that nlohmann rejects may still nest too deep before its first mistake.
      if (kind != "json_syntax" && kind != "bad_utf8" && kind != "too_deep")
        fail("text nlohmann rejects gave " + kind);
      return;
    }
    const auto expect = [&](std::string_view want) {
      if (kind != want)
        fail("expected " + std::string(want) + ", got " + kind +
             (e ? ": " + e->message : std::string()));
    };
    if (o.deepest > record_max_depth)
      return expect("too_deep");
    if (!o.object)
      return expect("not_an_object");
    const auto field = [&](const char* name) -> const Value* {
      const auto it = o.fields.find(name);
      return it == o.fields.end() ? nullptr : &it->second;
    };
    const Value *p = field("prompt"), *c = field("completion"), *m = field("model"),
                *f = field("family"), *id = field("id");
    if (p == nullptr || c == nullptr) {
      // A wrong type may be reported first, when that field comes first in reading order.
      if (kind != "missing_field" && kind != "wrong_type")
        expect("missing_field");
      return;
    }
    const bool types_ok = p->type == Type::string && c->type == Type::string &&
                          (m == nullptr || m->type == Type::string) &&
                          (f == nullptr || f->type == Type::string) &&
                          (id == nullptr || id->type != Type::other);
    if (!types_ok)
      return expect("wrong_type");
    expect("ok");
    if (e)
      return;
    if (!r.json || r.prompt != p->text || std::string(r.completion) != strip(c->text, suffix))
      fail("prompt or completion differ from nlohmann's decoding");
    if (r.model.has_value() != (m != nullptr) || (r.model && *r.model != m->text))
      fail("model differs from nlohmann's decoding");
    if (r.family.has_value() != (f != nullptr) || (r.family && *r.family != f->text))
      fail("family differs from nlohmann's decoding");
    if (r.id.has_value() != (id != nullptr)) {
      fail("id present in one reading only");
    } else if (r.id) {
      // Its raw text: the same JSON value (a string decoded alike; a number as written).
      Oracle raw;
      const std::string wrapped = "{\"id\":" + std::string(*r.id) + "}";
      if (!nlohmann::json::sax_parse(wrapped, &raw) || raw.fields["id"].type != id->type ||
          raw.fields["id"].text != id->text || line.find(*r.id) == std::string_view::npos)
        fail("the id's raw text '" + std::string(*r.id) + "' is not the id's value");
    }
  }
};

} // namespace searchtrace_fuzz
