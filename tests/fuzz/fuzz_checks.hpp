// Checks shared by the fuzz harnesses (the *_harness.hpp headers beside this one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "searchtrace/search.hpp"

namespace searchtrace_fuzz {

using namespace searchtrace;

inline constexpr std::string_view seed_prompt = "1,3|2,4|1,2|0,1|0,2|3,4/0,4";

/// All sixteen combinations of algorithm and policies.
inline std::vector<SearchOptions> all_options() {
  std::vector<SearchOptions> out;
  for (const Algorithm a : {Algorithm::bfs, Algorithm::dfs})
    for (const NeighborOrder n : {NeighborOrder::ascending, NeighborOrder::prompt})
      for (const Listing l : {Listing::unexpanded, Listing::undiscovered})
        for (const StopRule s : {StopRule::on_list, StopRule::on_pop})
          out.push_back({a, n, l, s});
  return out;
}

/// Whether `s` is well-formed UTF-8 without control bytes (C0, DEL): what a message must be to
/// be printed on one line of a terminal or a log, whatever bytes the input that caused it held.
inline bool printable_line(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x20 || b == 0x7F)
      return false;
    if (b < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
      cp = b & 0x1Fu;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      cp = b & 0x0Fu;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      cp = b & 0x07u;
    } else {
      return false;
    }
    if (s.size() - i < len)
      return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0u) != 0x80u)
        return false;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    const std::uint32_t min = len == 2 ? 0x80u : len == 3 ? 0x800u : 0x10000u;
    if (cp < min || cp > 0x10FFFFu || (cp >= 0xD800u && cp <= 0xDFFFu))
      return false;
    i += len;
  }
  return true;
}

/// FNV-1a: a seed drawn from the input itself, so that one input always draws the same samples.
inline std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : s)
    h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return h;
}

} // namespace searchtrace_fuzz
