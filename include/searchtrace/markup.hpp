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

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "searchtrace/detail/utf8.hpp"

namespace searchtrace {

namespace detail {

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

namespace detail {

/// SHA-256 of `data` (FIPS 180-4), for the hashes of a page's own scripts in its
/// Content-Security-Policy.
inline std::array<std::uint8_t, 32> sha256(std::string_view data) {
  static constexpr std::uint32_t k[64] = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
      0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
      0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
      0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
      0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
      0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
      0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
      0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
      0xc67178f2};
  std::uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  const auto rotr = [](std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
  std::string msg(data);
  const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  msg += static_cast<char>(0x80);
  while (msg.size() % 64 != 56)
    msg += '\0';
  for (int i = 7; i >= 0; --i)
    msg += static_cast<char>((bits >> (8 * i)) & 0xFF);
  for (std::size_t block = 0; block < msg.size(); block += 64) {
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i) {
      w[i] = 0;
      for (int b = 0; b < 4; ++b)
        w[i] = (w[i] << 8) | static_cast<unsigned char>(msg[block + 4 * i + b]);
    }
    for (int i = 16; i < 64; ++i) {
      const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; ++i) {
      const std::uint32_t t1 =
          hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
      const std::uint32_t t2 =
          (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  std::array<std::uint8_t, 32> out{};
  for (int i = 0; i < 8; ++i)
    for (int b = 0; b < 4; ++b)
      out[static_cast<std::size_t>(4 * i + b)] = static_cast<std::uint8_t>(h[i] >> (24 - 8 * b));
  return out;
}

inline std::string base64(const std::uint8_t* p, std::size_t n) {
  static constexpr char digits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < n; i += 3) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) |
                            (i + 1 < n ? std::uint32_t{p[i + 1]} << 8 : 0) |
                            (i + 2 < n ? std::uint32_t{p[i + 2]} : 0);
    out += digits[(v >> 18) & 63];
    out += digits[(v >> 12) & 63];
    out += i + 1 < n ? digits[(v >> 6) & 63] : '=';
    out += i + 2 < n ? digits[v & 63] : '=';
  }
  return out;
}

} // namespace detail

/// The <meta> Content-Security-Policy of a self-contained page: nothing may be loaded from
/// anywhere (no network, no external script, font or image), inline styles are allowed, and only
/// the given scripts run (by their SHA-256), so that even markup that escaped escaping could run
/// no script of its own.
inline void append_csp_meta(std::string& out, std::initializer_list<std::string_view> scripts) {
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; img-src data:; script-src";
  for (const std::string_view s : scripts) {
    const auto h = detail::sha256(s);
    out += " 'sha256-";
    out += detail::base64(h.data(), h.size());
    out += "'";
  }
  out += "\">";
}

} // namespace searchtrace
