// NumPy's `.npy` format, version 1.0, written without numpy: a trainer opens the files with
// `numpy.load(path, mmap_mode="r")`. The header is the magic "\x93NUMPY", the version 1.0, its
// length, and a Python dict literal {'descr': ..., 'fortran_order': False, 'shape': (...), }
// padded with spaces and a newline so that the data starts at a multiple of 64 bytes; the data
// follows, little endian, in C order.
//
// A writer that does not know the shape until the end (rows of tokens, streamed) writes a
// placeholder header of `npy_header_size` bytes first and the real one over it at the end: a
// header padded to that size holds any shape of up to three dimensions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>

namespace searchtrace {

/// The size of a header from `npy_header(..., npy_header_size)`.
inline constexpr std::size_t npy_header_size = 256;

/// The dtype string of an integer type (`<i1`, `<u8`, ...): little-endian, as written.
template <class T>
constexpr std::string_view npy_descr() noexcept {
  static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);
  constexpr bool is_signed = T(-1) < T(0);
  if constexpr (sizeof(T) == 1)
    return is_signed ? "|i1" : "|u1";
  else if constexpr (sizeof(T) == 2)
    return is_signed ? "<i2" : "<u2";
  else if constexpr (sizeof(T) == 4)
    return is_signed ? "<i4" : "<u4";
  else
    return is_signed ? "<i8" : "<u8";
}

/// The header of an array: `descr` is a dtype string ('<u8') or a structured dtype's list
/// ("[('offset', '<u8'), ...]", written as is). `size` 0: the smallest multiple of 64; else
/// exactly `size` bytes (a multiple of 64), or std::length_error when the header needs more.
inline std::string npy_header(std::string_view descr, std::initializer_list<std::uint64_t> shape,
                              std::size_t size = 0) {
  std::string dict = "{'descr': ";
  if (!descr.empty() && descr.front() == '[') {
    dict += descr;
  } else {
    dict += '\'';
    dict += descr;
    dict += '\'';
  }
  dict += ", 'fortran_order': False, 'shape': (";
  std::size_t i = 0;
  for (const std::uint64_t n : shape) {
    if (i++ != 0)
      dict += ", ";
    dict += std::to_string(n);
  }
  if (shape.size() == 1)
    dict += ','; // a one-tuple
  dict += "), }";
  const std::size_t fixed = 6 + 2 + 2; // magic, version, header length
  const std::size_t least = fixed + dict.size() + 1;
  const std::size_t total = size != 0 ? size : (least + 63) / 64 * 64;
  if (total < least || total % 64 != 0 || total - fixed > 0xFFFF)
    throw std::length_error("searchtrace: an .npy header does not fit in " + std::to_string(total) +
                            " bytes");
  dict.append(total - fixed - dict.size() - 1, ' ');
  dict += '\n';
  const std::size_t len = dict.size();
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(len & 0xFF);
  out += static_cast<char>(len >> 8);
  out += dict;
  return out;
}

} // namespace searchtrace
