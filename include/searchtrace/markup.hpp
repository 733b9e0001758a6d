// Untrusted text (a model's completion, a file's model and family names, error messages that
// quote them) written into the markup languages of the pictures: HTML and SVG, Graphviz DOT,
// Mermaid, and JSON inside an HTML <script> element. Every writer of draw.hpp, svg.hpp, page.hpp
// and report.hpp goes through these, so "every input byte is escaped" is decided here once.
//
// The common rule: well-formed UTF-8 is kept (names may be in any script); a byte that is not part
// of well-formed UTF-8, and every control byte (C0, DEL), becomes U+FFFD in names and messages, so
// the output is always valid UTF-8 with no line break of its own. Completion texts are shown the
// way `searchtrace check` shows them (`visible_bytes`): printable ASCII as is, any other byte as
// `\xNN`, so a stray byte of a model's output stays visible and keeps its place.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace searchtrace {

namespace detail {

/// The length of the well-formed UTF-8 sequence that starts at s[i], or 0 when s[i] does not
/// start one (a stray continuation byte, an overlong form, a surrogate, beyond U+10FFFF, a
/// truncated sequence).
inline std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return k < s.size() && byte(k) >= lo && byte(k) <= hi;
  };
  const unsigned char b = byte(i);
  if (b < 0x80)
    return 1;
  if (b >= 0xC2 && b <= 0xDF)
    return cont(i + 1) ? 2 : 0;
  if (b == 0xE0)
    return cont(i + 1, 0xA0, 0xBF) && cont(i + 2) ? 3 : 0;
  if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF)
    return cont(i + 1) && cont(i + 2) ? 3 : 0;
  if (b == 0xED)
    return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0;
  if (b == 0xF0)
    return cont(i + 1, 0x90, 0xBF) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (b >= 0xF1 && b <= 0xF3)
    return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (b == 0xF4)
    return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;
}

inline constexpr std::string_view replacement_character = "\xEF\xBF\xBD"; // U+FFFD

/// Calls ascii(char) for each printable ASCII byte and text(string_view) for each well-formed
/// non-ASCII sequence, and writes U+FFFD through text() for every other byte.
template <class Ascii, class Text>
void for_each_clean_unit(std::string_view s, Ascii&& ascii, Text&& text) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0x20 && b < 0x7F) {
      ascii(static_cast<char>(b));
      ++i;
      continue;
    }
    const std::size_t n = b < 0x80 ? 0 : utf8_sequence_length(s, i);
    text(n == 0 ? replacement_character : s.substr(i, n));
    i += n == 0 ? 1 : n;
  }
}

} // namespace detail

/// `s` as valid UTF-8 on one line: ill-formed and control bytes become U+FFFD.
inline void append_clean_text(std::string& out, std::string_view s) {
  detail::for_each_clean_unit(
      s, [&](char c) { out += c; }, [&](std::string_view t) { out += t; });
}

/// At most `max_chars` characters of `s` (as append_clean_text writes them), then "..." if some
/// were left out: keeps a caption or a title of bounded size whatever the input.
inline void append_clean_text_cut(std::string& out, std::string_view s, std::size_t max_chars) {
  std::size_t chars = 0;
  bool cut = false;
  detail::for_each_clean_unit(
      s,
      [&](char c) {
        if (chars++ < max_chars)
          out += c;
        else
          cut = true;
      },
      [&](std::string_view t) {
        if (chars++ < max_chars)
          out += t;
        else
          cut = true;
      });
  if (cut)
    out += "...";
}

/// A completion's bytes as `searchtrace check` shows them: printable ASCII as is, any other
/// byte as `\xNN` (lower-case hex).
inline void append_visible_bytes(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b < 0x7F) {
      out += c;
    } else {
      out += "\\x";
      out += hex[b >> 4];
      out += hex[b & 15];
    }
  }
}

inline std::string visible_bytes(std::string_view s) {
  std::string out;
  append_visible_bytes(out, s);
  return out;
}

/// Escapes text that is already clean (ASCII or valid UTF-8 without controls) for HTML and SVG
/// text and double- or single-quoted attribute values.
inline void append_html_escaped(std::string& out, std::string_view clean) {
  for (const char c : clean) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    default:
      out += c;
    }
  }
}

/// Any text (a name, a message) as HTML/SVG text or attribute value: cleaned, then escaped.
inline void append_html_text(std::string& out, std::string_view s) {
  std::string clean;
  append_clean_text(clean, s);
  append_html_escaped(out, clean);
}

/// A completion's bytes as HTML text: visible_bytes, then escaped.
inline void append_html_bytes(std::string& out, std::string_view s) {
  std::string vis;
  append_visible_bytes(vis, s);
  append_html_escaped(out, vis);
}

/// The inside of a DOT double-quoted string (without the quotes) for already clean text:
/// `"` and `\` escaped (so no escape sequence such as `\N` or `\l` comes from the input), '&' as
/// the entity Graphviz reads back as '&'.
inline void append_dot_escaped(std::string& out, std::string_view clean) {
  for (const char c : clean) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '&':
      out += "&amp;";
      break;
    default:
      out += c;
    }
  }
}

/// Any text as the inside of a DOT double-quoted string: cleaned, then escaped.
inline void append_dot_text(std::string& out, std::string_view s) {
  std::string clean;
  append_clean_text(clean, s);
  append_dot_escaped(out, clean);
}

/// Any text for a Mermaid `%%` comment line: cleaned (so it cannot end the line), with no
/// other meaning to escape.
inline void append_mermaid_comment(std::string& out, std::string_view s) {
  append_clean_text(out, s);
}

/// A JSON string literal that is safe inside an HTML <script> element: append_json_string's
/// rules for UTF-8 and controls (ill-formed bytes as U+FFFD), and '<', '>', '&' as \u escapes,
/// so that no `</script>` or `<!--` can appear in it.
inline void append_script_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      switch (b) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (b < 0x20 || b == 0x7F || b == '<' || b == '>' || b == '&') {
          out += "\\u00";
          out += hex[b >> 4];
          out += hex[b & 15];
        } else {
          out += static_cast<char>(b);
        }
      }
      ++i;
      continue;
    }
    const std::size_t n = detail::utf8_sequence_length(s, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
    } else {
      // U+2028 and U+2029 end a line in older JavaScript parsers: escape them too.
      const std::string_view seq = s.substr(i, n);
      if (seq == "\xE2\x80\xA8")
        out += "\\u2028";
      else if (seq == "\xE2\x80\xA9")
        out += "\\u2029";
      else
        out += seq;
      i += n;
    }
  }
  out += '"';
}

} // namespace searchtrace
