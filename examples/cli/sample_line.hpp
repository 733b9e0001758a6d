// Reading one `check`/`eval` input line: `prompt<TAB>completion`, or a JSON object with string
// fields "prompt" and "completion" (and, for eval, optional "model" and "family"). Shared by
// check_command.cpp and eval_command.cpp.
//
// Decisions:
//   * A line whose first byte is '{' is JSON (a prompt never starts with '{'); any other line is
//     TSV, split at its FIRST tab (a later tab belongs to the completion, where it is a syntax
//     error at its byte like any other stray byte).
//   * Other JSON fields are ignored; "model" and "family", when present, must be strings. JSON
//     is read by nlohmann::json, which rejects ill-formed UTF-8; "\u0000" in a string is a NUL
//     byte of the prompt or completion, judged like any other byte.
//   * `--strip-suffix STR` removes STR once from the end of the completion, if it ends with it
//     (an end-of-sequence marker: SPEC §7.2 leaves stripping it to the caller). Nothing else is
//     stripped: trailing spaces are a syntax error.
//   * A problem with the line itself comes with the byte offset in the line where it is.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace searchtrace::cli {

/// One input line, read. The views point into the line or into the owned strings, so a
/// SampleLine is valid until the next `read` or the end of the line.
struct SampleLine {
  std::string_view prompt;
  std::string_view completion;
  std::optional<std::string> model;  // JSON only
  std::optional<std::string> family; // JSON only
  bool json = false;

  // Storage for JSON-decoded strings.
  std::string prompt_storage;
  std::string completion_storage;
};

/// Why a line could not be read: a byte offset in the line and a message.
struct LineProblem {
  std::size_t offset = 0;
  std::string message;
};

/// Reads `line` into `out`; returns the problem, or nothing.
inline std::optional<LineProblem> read_sample_line(std::string_view line, SampleLine& out,
                                                   std::string_view strip_suffix = {}) {
  out.model.reset();
  out.family.reset();
  out.json = false;
  if (line.empty())
    return LineProblem{0, "empty line (expected prompt<TAB>completion or a JSON object)"};
  if (line.front() == '{') {
    out.json = true;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line.begin(), line.end());
    } catch (const nlohmann::json::parse_error& e) {
      // e.byte counts from 1; its what() repeats the position in another form: keep the reason.
      const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
      std::string why = e.what();
      const auto colon = why.find(": ");
      if (colon != std::string::npos && why.rfind("[json.exception", 0) == 0)
        why.erase(0, colon + 2);
      // nlohmann quotes the raw bytes it read last, which may be ill-formed UTF-8 or control
      // bytes: keep the message ASCII.
      std::string clean;
      for (const char c : why) {
        const auto b = static_cast<unsigned char>(c);
        if (b >= 0x20 && b < 0x7F) {
          clean += c;
        } else {
          static constexpr char hex[] = "0123456789abcdef";
          clean += "\\x";
          clean += hex[b >> 4];
          clean += hex[b & 15];
        }
      }
      return LineProblem{at < line.size() ? at : line.size(), "not valid JSON: " + clean};
    }
    if (!j.is_object())
      return LineProblem{0, "a JSON line must be an object"};
    const auto field = [&](const char* name, std::string& storage, bool required,
                           bool& present) -> std::optional<LineProblem> {
      present = false;
      const auto it = j.find(name);
      if (it == j.end()) {
        if (required)
          return LineProblem{0, std::string("the JSON object has no \"") + name + "\""};
        return std::nullopt;
      }
      if (!it->is_string())
        return LineProblem{0, std::string("\"") + name + "\" must be a string"};
      storage = it->get_ref<const std::string&>();
      present = true;
      return std::nullopt;
    };
    bool present = false;
    if (auto p = field("prompt", out.prompt_storage, true, present))
      return p;
    if (auto p = field("completion", out.completion_storage, true, present))
      return p;
    std::string text;
    if (auto p = field("model", text, false, present))
      return p;
    if (present)
      out.model = text;
    if (auto p = field("family", text, false, present))
      return p;
    if (present)
      out.family = text;
    out.prompt = out.prompt_storage;
    out.completion = out.completion_storage;
  } else {
    const std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos)
      return LineProblem{line.size(),
                         "no tab in the line (expected prompt<TAB>completion or a JSON object)"};
    out.prompt = line.substr(0, tab);
    out.completion = line.substr(tab + 1);
  }
  if (!strip_suffix.empty() && out.completion.size() >= strip_suffix.size() &&
      out.completion.substr(out.completion.size() - strip_suffix.size()) == strip_suffix)
    out.completion.remove_suffix(strip_suffix.size());
  return std::nullopt;
}

} // namespace searchtrace::cli
