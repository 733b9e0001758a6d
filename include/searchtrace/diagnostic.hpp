// Reporting a Verdict: caret diagnostics in the shape of rustc's and lexy's, and JSON.
//
//   Verdict + completion text (or ids) → render_diagnostic / summarize / append_json → report
//
// ```
// error[queue/frontier_order]: expanded 2 while 1 is at the front of the queue
//   <0,(1,2),2,(1,4)-4,2,0>=0,2,4
//            ^
// ```
// The completion line shows every byte that is not printable ASCII as `\xNN`, so a model's
// newline or broken UTF-8 cannot break the layout; the caret stands under the offending byte, or
// one past the end for `truncated`. A completion wider than `width` columns is cut to a window
// (a third before the caret) with "..." where text was left out.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "searchtrace/completion.hpp"
#include "searchtrace/detail/utf8.hpp"
#include "searchtrace/verdict.hpp"
#include "searchtrace/vocabulary.hpp"

namespace searchtrace {

/// Columns of the completion line, without its two-space indent.
inline constexpr std::size_t diagnostic_width = 96;

namespace detail {

inline void append_diagnostic_header(std::string& out, const Deviation& d) {
  out += "error[";
  out += error_category_name(d.category());
  out += '/';
  out += error_kind_name(d.kind);
  out += "]: ";
  // A message is one line; keep it so even if a caller built one by hand.
  for (const char c : d.message) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F)
      append_hex_byte(out, b);
    else
      out += c;
  }
  out += '\n';
}

/// The completion and caret lines over display units (bytes or tokens); `at` == units.size()
/// is one past the end; `cut_before`/`cut_after`: `units` is a window of a longer text.
inline void append_snippet(std::string& out, const std::vector<std::string>& units, std::size_t at,
                           std::size_t width, bool cut_before = false, bool cut_after = false) {
  std::size_t total = 0;
  for (const auto& u : units)
    total += u.size();
  std::size_t b = 0, e = units.size();
  if (total > width || cut_before || cut_after) {
    const std::size_t budget = width > 8 ? width - 6 : 2; // room for the two "..."
    std::size_t used = 0;
    b = at < units.size() ? at : units.size();
    e = b;
    if (at < units.size()) {
      used = units[at].size();
      e = at + 1;
    }
    while (b > 0 && used + units[b - 1].size() <= budget / 3) {
      used += units[b - 1].size();
      --b;
    }
    while (e < units.size() && used + units[e].size() <= budget) {
      used += units[e].size();
      ++e;
    }
    while (b > 0 && used + units[b - 1].size() <= budget) {
      used += units[b - 1].size();
      --b;
    }
  }
  out += "  ";
  std::size_t caret = 2;
  if (b > 0 || cut_before) {
    out += "...";
    caret += 3;
  }
  for (std::size_t i = b; i < e; ++i) {
    if (i < at)
      caret += units[i].size();
    out += units[i];
  }
  if (e < units.size() || cut_after)
    out += "...";
  out += '\n';
  out.append(caret, ' ');
  out += "^\n";
}

inline std::vector<std::string> byte_units(std::string_view text) {
  std::vector<std::string> units;
  units.reserve(text.size());
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    std::string u;
    if (b >= 0x20 && b < 0x7F)
      u = std::string(1, c);
    else
      append_hex_byte(u, b);
    units.push_back(std::move(u));
  }
  return units;
}

template <class Id>
std::vector<std::string> id_units(std::span<const Id> ids, const Vocabulary& v) {
  std::vector<std::string> units;
  units.reserve(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    std::string u = i == 0 ? "" : " ";
    if (std::cmp_greater_equal(ids[i], 0) && std::cmp_less(ids[i], v.size()))
      u += v.spelling(static_cast<TokenId>(ids[i]));
    else // (two appends: g++ 12 at -O3 warns falsely, -Wrestrict, on "#" + std::string)
      u.append(1, '#').append(std::to_string(ids[i]));
    units.push_back(std::move(u));
  }
  return units;
}

} // namespace detail

/// The caret diagnostic of one error in a completion text (offsets are byte offsets).
inline std::string render_diagnostic(const Deviation& d, std::string_view completion,
                                     std::size_t width = diagnostic_width) {
  std::string out;
  detail::append_diagnostic_header(out, d);
  std::size_t at = d.offset < completion.size() ? d.offset : completion.size();
  // A byte takes 1 to 4 columns, so `width` bytes on either side fill any window: the cost
  // does not grow with the text (a model may write megabytes).
  const std::size_t reach = width + 1;
  const std::size_t lo = at > reach ? at - reach : 0;
  const std::size_t hi = completion.size() - at > reach ? at + reach : completion.size();
  detail::append_snippet(out, detail::byte_units(completion.substr(lo, hi - lo)), at - lo, width,
                         lo > 0, hi < completion.size());
  return out;
}

/// The same for token ids (offsets are token indices), shown by their spellings.
template <class Id>
std::string render_diagnostic(const Deviation& d, std::span<const Id> ids, const Vocabulary& v,
                              std::size_t width = diagnostic_width) {
  std::string out;
  detail::append_diagnostic_header(out, d);
  auto units = detail::id_units(ids, v);
  std::size_t at = d.offset < ids.size() ? d.offset : ids.size();
  // The caret of a token sits on its spelling, after the separating space.
  if (at > 0 && at < units.size()) {
    units[at - 1] += ' ';
    units[at].erase(0, 1);
  }
  detail::append_snippet(out, units, at, width);
  return out;
}

/// "valid, exact, answer correct" or "3 errors (first: frontier_order at 9), not exact, ...".
inline std::string summarize(const Verdict& v) {
  std::string out;
  if (v.errors.empty()) {
    out += "valid";
  } else {
    detail::append_number(out, v.errors.size());
    if (v.errors_capped)
      out += "+"; // the classifier stopped looking at Classifier::max_errors()
    out += v.errors.size() == 1 && !v.errors_capped ? " error (first: " : " errors (first: ";
    out += error_kind_name(v.errors[0].kind);
    out += " at ";
    detail::append_number(out, v.errors[0].offset);
    out += ")";
  }
  out += v.exact ? ", exact" : ", not exact";
  out += v.answer_correct ? ", answer correct" : ", answer wrong";
  return out;
}

/// Every error's diagnostic, in reading order, then the summary line.
inline std::string render_verdict(const Verdict& v, std::string_view completion,
                                  std::size_t width = diagnostic_width) {
  std::string out;
  for (const Deviation& d : v.errors)
    out += render_diagnostic(d, completion, width);
  out += summarize(v);
  out += '\n';
  return out;
}

template <class Id>
std::string render_verdict(const Verdict& v, std::span<const Id> ids, const Vocabulary& voc,
                           std::size_t width = diagnostic_width) {
  std::string out;
  for (const Deviation& d : v.errors)
    out += render_diagnostic(d, ids, voc, width);
  out += summarize(v);
  out += '\n';
  return out;
}

// --- JSON ----------------------------------------------------------------------------------------

/// Appends `s` as a JSON string literal, always valid JSON: well-formed UTF-8 is kept and every
/// other byte (overlong forms, surrogates, past U+10FFFF, stray continuations) becomes U+FFFD.
inline void append_json_string(std::string& out, std::string_view s) {
  static constexpr std::string_view special = "\"\\\n\r\t\b\f", escaped = "\"\\nrtbf";
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t n = detail::utf8_sequence_length(s, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (const std::size_t k = special.find(static_cast<char>(b)); k != std::string_view::npos) {
      out += '\\';
      out += escaped[k];
    } else if (b < 0x20 || b == 0x7F) {
      out += "\\u00";
      out += detail::hex_digits[b >> 4];
      out += detail::hex_digits[b & 15];
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  out += '"';
}

inline void append_json(std::string& out, const Deviation& d) {
  out += "{\"kind\":\"";
  out += error_kind_name(d.kind);
  out += "\",\"category\":\"";
  out += error_category_name(d.category());
  out += "\",\"offset\":";
  detail::append_number(out, d.offset);
  out += ",\"expansion\":";
  detail::append_number(out, d.expansion);
  out += ",\"message\":";
  append_json_string(out, d.message);
  out += '}';
}

inline void append_json(std::string& out, const Verdict& v) {
  out += "{\"valid\":";
  out += v.valid ? "true" : "false";
  out += ",\"exact\":";
  out += v.exact ? "true" : "false";
  out += ",\"answer_correct\":";
  out += v.answer_correct ? "true" : "false";
  out += ",\"first_error\":";
  if (v.errors.empty())
    out += "null";
  else
    append_json(out, v.errors[0]);
  out += ",\"errors\":[";
  for (std::size_t i = 0; i < v.errors.size(); ++i) {
    if (i > 0)
      out += ',';
    append_json(out, v.errors[i]);
  }
  out += "]}";
}

inline std::string to_json(const Deviation& d) {
  std::string out;
  append_json(out, d);
  return out;
}

inline std::string to_json(const Verdict& v) {
  std::string out;
  append_json(out, v);
  return out;
}

} // namespace searchtrace
