// Sample records: reading the lines `searchtrace check` and `searchtrace eval` take (a
// `prompt<TAB>completion` line or a JSON object), and writing the JSON lines the tool emits (the
// verdict record of `check --json`, the sample record of `generate --format jsonl`). One place
// knows each schema, so a C++ or Python evaluation loop reads and writes exactly what the tool
// does.
//
// Reading a line (RecordReader::read):
//   * A line whose first byte is '{' or '[' is JSON (a prompt starts with a digit); any other
//     line is TSV, split at its FIRST tab (a later tab belongs to the completion, where the
//     classifier reports it as a syntax error at its byte like any other stray byte).
//   * JSON is read strictly (RFC 8259) by a streaming reader of our own, not into a document:
//     the whole line is validated (objects, arrays, strings with every escape, numbers,
//     true/false/null, nothing but whitespace after the object), but only the top-level fields
//     below are kept. Numbers are checked for syntax and never converted, so no size or
//     exponent (1e400, a 400-digit integer) is out of range. Strings must be well-formed UTF-8,
//     and a \u escape of a surrogate must be a high-low pair. Nesting deeper than
//     `record_max_depth` levels (the record's own object is level 1) is an error, so `[[[[...`
//     costs neither stack nor heap. Nothing throws on any input (only std::bad_alloc can).
//   * Fields: "prompt" and "completion" (strings, required), "model" and "family" (strings,
//     optional), "id" (a string or a number, optional, kept as its raw JSON text: a number as
//     written, a string with its quotes and escapes). Other fields are ignored whatever they
//     hold. A duplicate key: the last one wins (as Python's json and nlohmann/json do), so an
//     earlier value of the wrong type is no error. "\u0000" in a string is a NUL byte of the
//     text, judged like any other byte.
//   * Which problem is reported when there are several: the first problem of the JSON text in
//     reading order (syntax, UTF-8, nesting); then, for a valid object, the fields in the order
//     prompt, completion, model, family, id (missing or of the wrong type).
//   * `strip_suffix` removes that string once from the end of the completion, if it ends with it
//     (an end-of-sequence marker; the reference leaves stripping it to the caller). Nothing else
//     is stripped: trailing spaces are a syntax error of the completion.
//   * A reused RecordReader allocates nothing for a line once its buffers have grown: strings
//     without escapes are views into the line, and only an escaped kept string is decoded, into
//     storage that the reader keeps. Memory is linear in the kept fields.
#pragma once

#include <bitset>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "searchtrace/dataset.hpp"
#include "searchtrace/detail/utf8.hpp"
#include "searchtrace/diagnostic.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/verdict.hpp"

namespace searchtrace {

/// Why an input line is not a sample record.
enum class RecordErrorKind : std::uint8_t {
  empty_line,    // the line is empty
  no_tab,        // a TSV line without the tab between prompt and completion
  json_syntax,   // not JSON (RFC 8259): a byte the grammar does not allow, or a cut-off text
  bad_utf8,      // a string is not well-formed UTF-8, or has a \u escape of a lone surrogate
  too_deep,      // arrays and objects nested deeper than record_max_depth
  not_an_object, // valid JSON, but an array rather than an object
  missing_field, // no "prompt" or no "completion"
  wrong_type,    // a field the reader keeps holds the wrong type of value
};

constexpr std::string_view record_error_kind_name(RecordErrorKind k) noexcept {
  switch (k) {
  case RecordErrorKind::empty_line:
    return "empty_line";
  case RecordErrorKind::no_tab:
    return "no_tab";
  case RecordErrorKind::json_syntax:
    return "json_syntax";
  case RecordErrorKind::bad_utf8:
    return "bad_utf8";
  case RecordErrorKind::too_deep:
    return "too_deep";
  case RecordErrorKind::not_an_object:
    return "not_an_object";
  case RecordErrorKind::missing_field:
    return "missing_field";
  case RecordErrorKind::wrong_type:
    return "wrong_type";
  }
  return "?";
}

/// A problem with an input line: its kind, the byte offset in the line where it is, and a
/// one-line message. The message is ASCII: a byte it quotes is shown as 'c' when printable,
/// else as 0xNN.
struct RecordError {
  RecordErrorKind kind = RecordErrorKind::json_syntax;
  std::size_t offset = 0;
  std::string message;
};

/// The deepest nesting of arrays and objects a JSON record may have; its own object is level 1.
inline constexpr std::size_t record_max_depth = 512;

/// One input line, read. The views point into the line or into the reader that read it: valid
/// until its next `read`, or until the line goes away.
struct SampleRecord {
  std::string_view prompt;
  std::string_view completion;            // after strip_suffix
  std::optional<std::string_view> model;  // JSON only, when present
  std::optional<std::string_view> family; // JSON only, when present
  std::optional<std::string_view> id;     // JSON only, when present: its raw JSON text
  bool json = false;                      // the line was a JSON object
};

namespace detail::json {

// A byte as a message shows it: 'c' when printable ASCII, otherwise 0xNN.
inline void append_quoted_byte(std::string& out, unsigned char b) {
  if (b > 0x20 && b < 0x7F) {
    out += '\'';
    out += static_cast<char>(b);
    out += '\'';
  } else {
    static constexpr char hex[] = "0123456789abcdef";
    out += "byte 0x";
    out += hex[b >> 4];
    out += hex[b & 15];
  }
}

inline int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// The four hex digits at s[i, i+4) as a number, or -1.
inline long hex4(std::string_view s, std::size_t i) noexcept {
  if (i > s.size() || s.size() - i < 4)
    return -1;
  long v = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    const int h = hex_value(s[i + k]);
    if (h < 0)
      return -1;
    v = v * 16 + h;
  }
  return v;
}

inline void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the body of a JSON string already validated by the reader (escapes well-formed,
// surrogates paired) into `out`.
inline void append_unescaped(std::string& out, std::string_view raw) {
  std::size_t run = 0;
  for (std::size_t i = 0; i < raw.size();) {
    if (raw[i] != '\\') {
      ++i;
      continue;
    }
    out.append(raw.substr(run, i - run));
    const char e = raw[i + 1];
    i += 2;
    switch (e) {
    case 'b':
      out += '\b';
      break;
    case 'f':
      out += '\f';
      break;
    case 'n':
      out += '\n';
      break;
    case 'r':
      out += '\r';
      break;
    case 't':
      out += '\t';
      break;
    case 'u': {
      auto cp = static_cast<std::uint32_t>(hex4(raw, i));
      i += 4;
      if (cp >= 0xD800 && cp <= 0xDBFF) { // validated: a low surrogate escape follows
        const auto low = static_cast<std::uint32_t>(hex4(raw, i + 2));
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        i += 6;
      }
      append_utf8(out, cp);
      break;
    }
    default: // '"', '\\', '/'
      out += e;
    }
    run = i;
  }
  out.append(raw.substr(run));
}

inline void append_decimal(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// `s` as a JSON string literal: copied as is when nothing in it needs escaping (the common case
// of prompts, completions and names), else through append_json_string.
inline void append_text(std::string& out, std::string_view s) {
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b >= 0x7F || c == '"' || c == '\\') {
      append_json_string(out, s);
      return;
    }
  }
  out += '"';
  out.append(s);
  out += '"';
}

} // namespace detail::json

/// Reads input lines into SampleRecords; reuse one for every line (it keeps its buffers).
class RecordReader {
public:
  RecordReader() = default;
  /// `strip_suffix`: removed once from the end of every completion that ends with it.
  explicit RecordReader(std::string strip_suffix) : strip_suffix_(std::move(strip_suffix)) {}

  /// Reads `line` (without its line end) into `out`. Returns the problem, or nothing; on a
  /// problem `out` is unspecified.
  [[nodiscard]] std::optional<RecordError> read(std::string_view line, SampleRecord& out) {
    out = SampleRecord{};
    if (line.empty())
      return RecordError{RecordErrorKind::empty_line, 0,
                         "empty line (expected prompt<TAB>completion or a JSON object)"};
    if (line.front() == '{' || line.front() == '[') {
      out.json = true;
      if (auto e = read_json(line, out))
        return e;
    } else {
      const std::size_t tab = line.find('\t');
      if (tab == std::string_view::npos)
        return RecordError{RecordErrorKind::no_tab, line.size(),
                           "no tab in the line (expected prompt<TAB>completion or a JSON object)"};
      out.prompt = line.substr(0, tab);
      out.completion = line.substr(tab + 1);
    }
    if (!strip_suffix_.empty() && out.completion.size() >= strip_suffix_.size() &&
        out.completion.substr(out.completion.size() - strip_suffix_.size()) == strip_suffix_)
      out.completion.remove_suffix(strip_suffix_.size());
    return std::nullopt;
  }

  const std::string& strip_suffix() const noexcept { return strip_suffix_; }

private:
  enum Field : std::uint8_t { prompt, completion, model, family, id, field_count, ignored };
  static constexpr std::string_view field_names[field_count] = {"prompt", "completion", "model",
                                                                "family", "id"};

  enum class Type : std::uint8_t { absent, string, number, boolean, null, array, object };

  static constexpr const char* type_name(Type t) noexcept {
    constexpr const char* names[] = {"nothing", "a string", "a number", "a boolean",
                                     "null",    "an array", "an object"};
    return names[static_cast<std::size_t>(t)];
  }

  // The last value seen for a kept field.
  struct FieldValue {
    std::string_view text;  // decoded string, or raw JSON text for "id"
    std::size_t offset = 0; // first byte of the value in the line
    Type type = Type::absent;
  };

  // A string's body in the line (without the quotes) and whether it has escapes.
  struct StringSpan {
    std::size_t begin = 0, end = 0;
    bool escaped = false;
  };

  // The JSON reader (defined at the end of this file).
  std::optional<RecordError> read_json(std::string_view line, SampleRecord& out);
  Field field_of(const StringSpan& key);
  std::optional<RecordError> read_member_value(Field field);

  // Reads one JSON value of any kind at pos_, validating it, with `depth` arrays and objects
  // open around it. Iterative: the open containers are bits (1 = object) of a fixed-size set,
  // so no input can exhaust the stack or the heap.
  std::optional<RecordError> skip_value(std::size_t depth);

  // `"key" :` inside an ignored object, whitespace before the key already skipped.
  std::optional<RecordError> read_key();

  // A string at pos_ (its '"'); on success pos_ is past the closing quote.
  std::optional<RecordError> read_string(StringSpan& out);

  // An escape at pos_ (its backslash); on success pos_ is past it.
  std::optional<RecordError> read_escape();
  static RecordError lone_surrogate(std::size_t at, long cp);

  // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?  -- checked, never converted.
  std::optional<RecordError> read_number();
  std::optional<RecordError> read_literal();
  std::optional<RecordError> expect_end();

  // `not valid JSON: <expected>, found <the byte at pos_>`.
  RecordError unexpected(std::string_view expected) const;
  char peek() const noexcept { return pos_ < line_.size() ? line_[pos_] : '\0'; }

  void skip_space() noexcept;

  std::string strip_suffix_;
  std::string_view line_;
  std::size_t pos_ = 0;
  FieldValue fields_[field_count];
  std::string storage_[field_count]; // decoded escaped strings of kept fields
  std::string key_;                  // a decoded escaped key
};

// --- writers ---------------------------------------------------------------------------------

/// Where a verdict's input line came from. An empty `file` or a zero `line` is left out.
struct RecordOrigin {
  std::string_view file;
  std::size_t line = 0;
};

/// The verdict record of `searchtrace check --json`: one JSON object (no newline), keys in this
/// order:
///   "valid", "exact", "answer_correct" (booleans), "first_error" (an error object or null),
///   "errors" (the error objects in reading order), then, each only when known:
///   "file" (the input file's name), "line" (1-based, in its file), and from the record:
///   "id" (as written in the input), "model", "family".
/// An error object is {"kind","category","offset","expansion","message"}. Strings are valid
/// UTF-8 whatever the input (ill-formed bytes become U+FFFD, see append_json_string).
inline void append_verdict_record(std::string& out, const Verdict& v,
                                  const RecordOrigin& origin = {},
                                  const SampleRecord* record = nullptr) {
  append_json(out, v); // diagnostic.hpp's verdict object, reopened for the origin's keys
  out.pop_back();
  if (!origin.file.empty()) {
    out += ",\"file\":";
    detail::json::append_text(out, origin.file);
  }
  if (origin.line != 0) {
    out += ",\"line\":";
    detail::json::append_decimal(out, origin.line);
  }
  if (record != nullptr) {
    if (record->id) {
      // Validated JSON (a number or a string literal) by the reader: copied as written.
      out += ",\"id\":";
      out += *record->id;
    }
    if (record->model) {
      out += ",\"model\":";
      detail::json::append_text(out, *record->model);
    }
    if (record->family) {
      out += ",\"family\":";
      detail::json::append_text(out, *record->family);
    }
  }
  out += '}';
}

/// Writes the sample record of `searchtrace generate --format jsonl`: one JSON object per line,
/// keys in this order: "prompt", "completion" (the sample's text), "family" (the canonical spec),
/// "seed", "index", "split" (all, train or test), "algo" (bfs or dfs), "nodes", "edges",
/// "distance" (the query's shortest-path length), "expansions", "prompt_tokens",
/// "completion_tokens" (commas counted), "fingerprint" (32 hex digits: hi then lo).
/// Everything that is the same for every record of a dataset is prepared once.
class SampleRecordWriter {
public:
  /// `options`: those of the Generator that draws the samples (Generator::options(), whose
  /// family_spec is canonical).
  explicit SampleRecordWriter(const DatasetOptions& options) {
    middle_ = ",\"family\":";
    detail::json::append_text(middle_, options.family_spec);
    middle_ += ",\"seed\":";
    detail::json::append_decimal(middle_, options.seed);
    middle_ += ",\"index\":";
    tail_ = ",\"split\":\"";
    tail_ += split_kind_name(options.split.kind);
    tail_ += "\",\"algo\":\"";
    tail_ += algorithm_name(options.search.algorithm);
    tail_ += "\",\"nodes\":";
  }

  /// Appends the record of `s` and a newline.
  void append(std::string& out, const Sample& s) const {
    static constexpr char hex[] = "0123456789abcdef";
    const SampleInfo& info = s.info;
    out += "{\"prompt\":";
    detail::json::append_text(out, s.prompt_text());
    out += ",\"completion\":";
    detail::json::append_text(out, s.completion_text());
    out += middle_;
    detail::json::append_decimal(out, info.index);
    out += tail_;
    detail::json::append_decimal(out, info.nodes);
    out += ",\"edges\":";
    detail::json::append_decimal(out, info.edges);
    out += ",\"distance\":";
    detail::json::append_decimal(out, info.distance);
    out += ",\"expansions\":";
    detail::json::append_decimal(out, info.expansions);
    out += ",\"prompt_tokens\":";
    detail::json::append_decimal(out, info.prompt_tokens);
    out += ",\"completion_tokens\":";
    detail::json::append_decimal(out, info.completion_tokens);
    out += ",\"fingerprint\":\"";
    for (const std::uint64_t half : {info.fingerprint.hi, info.fingerprint.lo})
      for (int shift = 60; shift >= 0; shift -= 4)
        out += hex[(half >> shift) & 15];
    out += "\"}\n";
  }

private:
  std::string middle_; // from the end of the completion to the index
  std::string tail_;   // from the index to the node count
};

/// The sample record of `s` (see SampleRecordWriter), appended with its newline.
inline void append_sample_record(std::string& out, const Sample& s, const DatasetOptions& options) {
  SampleRecordWriter(options).append(out, s);
}

// --- the seed's training layout --------------------------------------------------------------

/// The node ids the blog post's training code tokenizes: its main.py builds the tokenizer with
/// 50 node ids whatever the data, so a label of 50 or more has no token there (it would be
/// mapped to an unknown token that has no id, and the data module fails or mis-tokenizes).
inline constexpr Label seed_label_space = 50;

/// Writes the record of `searchtrace generate --format hf-jsonl`: one JSON object per line with
/// the fields the blog post's training code reads (its ShortestDataModule, through
/// `datasets.load_dataset("json", ...)`), then our metadata. Keys in this order:
///   "query"       the prompt, `edges/source,target` (their code appends '<' or '=')
///   "target"      the answer path, comma-separated
///   "steps"       the exploration between '<' and '-': `0,(1,2),1,(2,3),2,(4)`
///   "trace"       one string per expansion: ["0,(1,2)","1,(2,3)","2,(4)"]
///   path-star families only (the fields of their path-star data sets):
///   "text"        `query=target`
///   "wrong_path"  the other arms, each as a path from the centre to its end (ascending by
///                 the first node after the centre)
///   "len_target"  the number of nodes of the target path (its tokens in their tokenizer)
///   then "family", "seed", "index", "split", "algo", "nodes", "edges", "distance",
///   "expansions", "fingerprint", as in the sample record (SampleRecordWriter).
/// Every objective of their data module (the trace, `pause`, `teacherforcing`) is made from
/// these fields, so the record does not depend on a completion layout, and it is always compact:
/// their tokenizer has no token for a space.
class SeedRecordWriter {
public:
  /// `options`: those of the Generator that draws the samples; `path_star`: add the path-star
  /// fields (the family's topology is pathstar: the query runs from the centre to an arm's end).
  SeedRecordWriter(const DatasetOptions& options, bool path_star) : path_star_(path_star) {
    middle_ = ",\"family\":";
    detail::json::append_text(middle_, options.family_spec);
    middle_ += ",\"seed\":";
    detail::json::append_decimal(middle_, options.seed);
    middle_ += ",\"index\":";
    tail_ = ",\"split\":\"";
    tail_ += split_kind_name(options.split.kind);
    tail_ += "\",\"algo\":\"";
    tail_ += algorithm_name(options.search.algorithm);
    tail_ += "\",\"nodes\":";
  }

  /// Appends the record of `s` and a newline. Uses the sample's prompt text and its Trace.
  void append(std::string& out, const Sample& s) {
    const SampleInfo& info = s.info;
    out += '{';
    append_fields(out, s.prompt_text(), s.trace);
    if (path_star_)
      append_path_star(out, s);
    out += middle_;
    detail::json::append_decimal(out, info.index);
    out += tail_;
    detail::json::append_decimal(out, info.nodes);
    out += ",\"edges\":";
    detail::json::append_decimal(out, info.edges);
    out += ",\"distance\":";
    detail::json::append_decimal(out, info.distance);
    out += ",\"expansions\":";
    detail::json::append_decimal(out, info.expansions);
    out += ",\"fingerprint\":\"";
    static constexpr char hex[] = "0123456789abcdef";
    for (const std::uint64_t half : {info.fingerprint.hi, info.fingerprint.lo})
      for (int shift = 60; shift >= 0; shift -= 4)
        out += hex[(half >> shift) & 15];
    out += "\"}\n";
  }

  /// Appends the four fields the seed's data module reads, `"query":...,"trace":[...]`, for the
  /// compact prompt text `query` and its reference trace `t` (any prompt, not only a
  /// generator's sample).
  static void append_fields(std::string& out, std::string_view query, const Trace& t) {
    out += "\"query\":";
    detail::json::append_text(out, query);
    out += ",\"target\":\"";
    append_labels(out, t.path);
    out += "\",\"steps\":\"";
    for (std::size_t i = 0; i < t.expansion_count(); ++i) {
      if (i != 0)
        out += ',';
      append_expansion(out, t, i);
    }
    out += "\",\"trace\":[";
    for (std::size_t i = 0; i < t.expansion_count(); ++i) {
      out += i == 0 ? "\"" : ",\"";
      append_expansion(out, t, i);
      out += '"';
    }
    out += ']';
  }

private:
  static void append_labels(std::string& out, std::span<const Label> labels) {
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i != 0)
        out += ',';
      detail::json::append_decimal(out, labels[i]);
    }
  }

  // `u,(v,...)`: expansion i as the compact trace writes it.
  static void append_expansion(std::string& out, const Trace& t, std::size_t i) {
    detail::json::append_decimal(out, t.expanded[i]);
    out += ",(";
    append_labels(out, t.list(i));
    out += ')';
  }

  void append_path_star(std::string& out, const Sample& s) {
    const Graph& g = s.prompt.graph;
    const Trace& t = s.trace;
    out += ",\"text\":\"";
    out += s.prompt_text();
    out += '=';
    append_labels(out, t.path);
    out += "\",\"wrong_path\":[";
    // The centre is the source; the target's arm starts at the path's second node.
    const NodeId centre = s.prompt.query.source;
    const std::optional<NodeId> right =
        t.path.size() > 1 ? g.node(t.path[1]) : std::optional<NodeId>();
    bool first = true;
    for (const NodeId start : g.neighbors(centre)) { // ascending by id, so by label
      if (start == right)
        continue;
      out += first ? "\"" : ",\"";
      first = false;
      arm_.assign(1, g.label(centre));
      NodeId prev = centre, cur = start;
      for (;;) {
        arm_.push_back(g.label(cur));
        std::optional<NodeId> next;
        for (const NodeId v : g.neighbors(cur))
          if (v != prev) {
            next = v;
            break;
          }
        if (!next || arm_.size() > g.node_count()) // an arm ends at a leaf
          break;
        prev = cur;
        cur = *next;
      }
      append_labels(out, arm_);
      out += '"';
    }
    out += "],\"len_target\":";
    detail::json::append_decimal(out, t.path.size());
  }

  bool path_star_;
  std::string middle_; // from the last field before the family to the index
  std::string tail_;   // from the index to the node count
  std::vector<Label> arm_;
};

// --- RecordReader: the JSON reader -----------------------------------------------------------

inline std::optional<RecordError> RecordReader::read_json(std::string_view line,
                                                          SampleRecord& out) {
  line_ = line;
  pos_ = 0;
  for (auto& f : fields_)
    f = FieldValue{};
  if (line.front() == '[') {
    if (auto e = skip_value(0))
      return e;
    if (auto e = expect_end())
      return e;
    return RecordError{RecordErrorKind::not_an_object, 0,
                       "a JSON line must be an object, found an array"};
  }
  ++pos_; // '{'
  skip_space();
  if (peek() == '}') {
    ++pos_;
  } else {
    for (;;) {
      if (peek() != '"')
        return unexpected("expected '\"' to start a key");
      StringSpan key;
      if (auto e = read_string(key))
        return e;
      const Field field = field_of(key);
      skip_space();
      if (peek() != ':')
        return unexpected("expected ':' after the key");
      ++pos_;
      skip_space();
      if (auto e = read_member_value(field))
        return e;
      skip_space();
      if (peek() == ',') {
        ++pos_;
        skip_space();
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        break;
      }
      return unexpected("expected ',' or '}' after an object member");
    }
  }
  const std::size_t close = pos_ - 1;
  if (auto e = expect_end())
    return e;
  for (std::uint8_t f = 0; f < field_count; ++f) {
    const FieldValue& v = fields_[f];
    const std::string_view name = field_names[f];
    if (v.type == Type::absent) {
      if (f == prompt || f == completion) {
        std::string m = "the JSON object has no \"";
        m += name;
        m += '"';
        return RecordError{RecordErrorKind::missing_field, close, std::move(m)};
      }
      continue;
    }
    if (v.type != Type::string && !(f == id && v.type == Type::number)) {
      std::string m = "\"";
      m += name;
      m += f == id ? "\" must be a string or a number, found " : "\" must be a string, found ";
      m += type_name(v.type);
      return RecordError{RecordErrorKind::wrong_type, v.offset, std::move(m)};
    }
  }
  out.prompt = fields_[prompt].text;
  out.completion = fields_[completion].text;
  if (fields_[model].type != Type::absent)
    out.model = fields_[model].text;
  if (fields_[family].type != Type::absent)
    out.family = fields_[family].text;
  if (fields_[id].type != Type::absent)
    out.id = fields_[id].text;
  return std::nullopt;
}

inline RecordReader::Field RecordReader::field_of(const StringSpan& key) {
  std::string_view name = line_.substr(key.begin, key.end - key.begin);
  if (key.escaped) {
    // A known name is at most 10 bytes; written with escapes at most 6 bytes per byte.
    if (name.size() > 64)
      return ignored;
    key_.clear();
    detail::json::append_unescaped(key_, name);
    name = key_;
  }
  for (std::uint8_t f = 0; f < field_count; ++f)
    if (name == field_names[f])
      return static_cast<Field>(f);
  return ignored;
}

inline std::optional<RecordError> RecordReader::read_member_value(Field field) {
  const std::size_t at = pos_;
  if (field == ignored)
    return skip_value(1);
  FieldValue& v = fields_[field];
  v.offset = at;
  if (peek() == '"') {
    StringSpan s;
    if (auto e = read_string(s))
      return e;
    v.type = Type::string;
    if (field == id) {
      v.text = line_.substr(at, pos_ - at);
    } else if (!s.escaped) {
      v.text = line_.substr(s.begin, s.end - s.begin);
    } else {
      std::string& storage = storage_[field];
      storage.clear();
      detail::json::append_unescaped(storage, line_.substr(s.begin, s.end - s.begin));
      v.text = storage;
    }
    return std::nullopt;
  }
  const char c = peek();
  const Type type = c == '{'                             ? Type::object
                    : c == '['                           ? Type::array
                    : c == '-' || (c >= '0' && c <= '9') ? Type::number
                    : c == 't' || c == 'f'               ? Type::boolean
                                                         : Type::null;
  if (auto e = skip_value(1))
    return e;
  v.type = type;
  v.text = line_.substr(at, pos_ - at);
  return std::nullopt;
}

inline std::optional<RecordError> RecordReader::skip_value(std::size_t depth) {
  std::bitset<record_max_depth> object;
  std::size_t open = depth;
  for (;;) {
    // A value is expected at pos_.
    skip_space();
    const char c = peek();
    if (c == '{' || c == '[') {
      if (open == record_max_depth)
        return RecordError{RecordErrorKind::too_deep, pos_,
                           "arrays and objects nested deeper than " +
                               std::to_string(record_max_depth) + " levels"};
      object[open++] = c == '{';
      ++pos_;
      skip_space();
      if (peek() != (c == '{' ? '}' : ']')) {
        if (c == '{')
          if (auto e = read_key())
            return e;
        continue; // the first element or member value
      }
      ++pos_; // an empty container: a complete value
      --open;
    } else if (c == '"') {
      StringSpan s;
      if (auto e = read_string(s))
        return e;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      if (auto e = read_number())
        return e;
    } else if (c == 't' || c == 'f' || c == 'n') {
      if (auto e = read_literal())
        return e;
    } else {
      return unexpected("expected a value");
    }
    // After a complete value: close containers, or go on to the next element.
    for (;;) {
      if (open == depth)
        return std::nullopt;
      skip_space();
      const bool in_object = object[open - 1];
      if (peek() == ',') {
        ++pos_;
        if (in_object) {
          skip_space();
          if (auto e = read_key())
            return e;
        }
        break;
      }
      if (peek() != (in_object ? '}' : ']'))
        return unexpected(in_object ? "expected ',' or '}' after an object member"
                                    : "expected ',' or ']' after an array element");
      ++pos_;
      --open;
    }
  }
}

inline std::optional<RecordError> RecordReader::read_key() {
  if (peek() != '"')
    return unexpected("expected '\"' to start a key");
  StringSpan s;
  if (auto e = read_string(s))
    return e;
  skip_space();
  if (peek() != ':')
    return unexpected("expected ':' after the key");
  ++pos_;
  return std::nullopt;
}

inline std::optional<RecordError> RecordReader::read_string(StringSpan& out) {
  out.begin = ++pos_;
  out.escaped = false;
  const std::size_t n = line_.size();
  for (;;) {
    // The common bytes in one tight loop.
    while (pos_ < n) {
      const auto b = static_cast<unsigned char>(line_[pos_]);
      if (b < 0x20 || b >= 0x80 || b == '"' || b == '\\')
        break;
      ++pos_;
    }
    if (pos_ == n)
      return RecordError{RecordErrorKind::json_syntax, n,
                         "not valid JSON: the line ends inside a string"};
    const auto b = static_cast<unsigned char>(line_[pos_]);
    if (b == '"') {
      out.end = pos_++;
      return std::nullopt;
    }
    if (b >= 0x80) {
      const std::size_t len = detail::utf8_sequence_length(line_, pos_);
      if (len == 0) {
        std::string m = "not valid UTF-8: ";
        detail::json::append_quoted_byte(m, b);
        m += " in a string";
        return RecordError{RecordErrorKind::bad_utf8, pos_, std::move(m)};
      }
      pos_ += len;
      continue;
    }
    if (b < 0x20) {
      std::string m = "not valid JSON: control ";
      detail::json::append_quoted_byte(m, b);
      m += " in a string (JSON needs it escaped)";
      return RecordError{RecordErrorKind::json_syntax, pos_, std::move(m)};
    }
    // A backslash.
    out.escaped = true;
    if (auto e = read_escape())
      return e;
  }
}

inline std::optional<RecordError> RecordReader::read_escape() {
  const std::size_t at = pos_;
  if (pos_ + 1 >= line_.size())
    return RecordError{RecordErrorKind::json_syntax, line_.size(),
                       "not valid JSON: the line ends inside a string"};
  const char e = line_[pos_ + 1];
  switch (e) {
  case '"':
  case '\\':
  case '/':
  case 'b':
  case 'f':
  case 'n':
  case 'r':
  case 't':
    pos_ += 2;
    return std::nullopt;
  case 'u':
    break;
  default: {
    std::string m = "not valid JSON: invalid escape: backslash then ";
    detail::json::append_quoted_byte(m, static_cast<unsigned char>(e));
    return RecordError{RecordErrorKind::json_syntax, at, std::move(m)};
  }
  }
  const long cp = detail::json::hex4(line_, pos_ + 2);
  if (cp < 0)
    return RecordError{RecordErrorKind::json_syntax, at,
                       "not valid JSON: \\u must be followed by four hex digits"};
  pos_ += 6;
  if (cp >= 0xDC00 && cp <= 0xDFFF)
    return lone_surrogate(at, cp);
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    const bool escape_follows =
        pos_ + 1 < line_.size() && line_[pos_] == '\\' && line_[pos_ + 1] == 'u';
    const long low = escape_follows ? detail::json::hex4(line_, pos_ + 2) : -1;
    if (low < 0xDC00 || low > 0xDFFF)
      return lone_surrogate(at, cp);
    pos_ += 6;
  }
  return std::nullopt;
}

inline RecordError RecordReader::lone_surrogate(std::size_t at, long cp) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string m = "not valid UTF-8: \\u";
  for (int shift = 12; shift >= 0; shift -= 4)
    m += hex[(cp >> shift) & 15];
  m += cp < 0xDC00 ? " is a high surrogate without a low surrogate escape after it"
                   : " is a low surrogate without a high surrogate escape before it";
  return RecordError{RecordErrorKind::bad_utf8, at, std::move(m)};
}

inline std::optional<RecordError> RecordReader::read_number() {
  const auto digit = [&] {
    return pos_ < line_.size() && line_[pos_] >= '0' && line_[pos_] <= '9';
  };
  const auto digits = [&](const char* what) -> std::optional<RecordError> {
    if (!digit())
      return unexpected(what);
    while (digit())
      ++pos_;
    return std::nullopt;
  };
  if (peek() == '-')
    ++pos_;
  if (peek() == '0') {
    ++pos_;
    if (digit())
      return RecordError{RecordErrorKind::json_syntax, pos_ - 1,
                         "not valid JSON: a number must not start with 0 followed by a digit"};
  } else if (auto e = digits("expected a digit in the number")) {
    return e;
  }
  if (peek() == '.') {
    ++pos_;
    if (auto e = digits("expected a digit after the decimal point"))
      return e;
  }
  if (peek() == 'e' || peek() == 'E') {
    ++pos_;
    if (peek() == '+' || peek() == '-')
      ++pos_;
    if (auto e = digits("expected a digit in the exponent"))
      return e;
  }
  return std::nullopt;
}

inline std::optional<RecordError> RecordReader::read_literal() {
  for (const std::string_view word : {"true", "false", "null"})
    if (line_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return std::nullopt;
    }
  return RecordError{RecordErrorKind::json_syntax, pos_,
                     "not valid JSON: expected true, false or null"};
}

inline std::optional<RecordError> RecordReader::expect_end() {
  skip_space();
  if (pos_ == line_.size())
    return std::nullopt;
  return unexpected("expected the end of the line after the JSON value");
}

inline RecordError RecordReader::unexpected(std::string_view expected) const {
  std::string m = "not valid JSON: ";
  m += expected;
  m += ", found ";
  if (pos_ >= line_.size())
    m += "the end of the line";
  else
    detail::json::append_quoted_byte(m, static_cast<unsigned char>(line_[pos_]));
  return RecordError{RecordErrorKind::json_syntax, pos_, std::move(m)};
}

inline void RecordReader::skip_space() noexcept {
  while (pos_ < line_.size() &&
         (line_[pos_] == ' ' || line_[pos_] == '\t' || line_[pos_] == '\n' || line_[pos_] == '\r'))
    ++pos_;
}

} // namespace searchtrace
