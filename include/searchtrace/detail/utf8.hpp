// Well-formed UTF-8 (RFC 3629), the one rule every writer of untrusted text applies: JSON
// strings, record messages, HTML, DOT and Mermaid text; and \xNN, how one-line messages show a
// byte they cannot print.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace searchtrace::detail {

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

inline constexpr char hex_digits[] = "0123456789abcdef";

inline void append_hex_byte(std::string& out, unsigned char b) {
  out += "\\x";
  out += hex_digits[b >> 4];
  out += hex_digits[b & 15];
}

} // namespace searchtrace::detail
