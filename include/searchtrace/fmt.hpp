// Opt-in {fmt} support: `fmt::formatter` specializations for the library's value types. Not
// included by searchtrace.hpp, so the core headers stay free of <fmt/format.h>.
//
//   fmt::format("{}", ErrorKind::frontier_order)  -> frontier_order   (string specs apply:
//   fmt::format("{:>16}", ErrorKind::non_edge)    ->         non_edge  width, fill, alignment)
//   fmt::format("{}", ErrorCategory::queue)       -> queue
//   fmt::format("{}", deviation)  -> queue/frontier_order at 9 (expansion 1): expanded 2 while 1
//                                    is at the front of the queue
//   fmt::format("{}", verdict)    -> the one-line summary of diagnostic.hpp's `summarize`
//   fmt::format("{}", trace)      -> the compact completion;  "{:p}" -> the pretty one
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "searchtrace/diagnostic.hpp"
#include "searchtrace/render.hpp"
#include "searchtrace/trace.hpp"
#include "searchtrace/verdict.hpp"

template <>
struct fmt::formatter<searchtrace::ErrorKind> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(searchtrace::ErrorKind k, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(searchtrace::error_kind_name(k), ctx);
  }
};

template <>
struct fmt::formatter<searchtrace::ErrorCategory> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(searchtrace::ErrorCategory c, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(searchtrace::error_category_name(c), ctx);
  }
};

namespace searchtrace::detail {

/// A formatter that takes no format spec: "{}" only.
struct PlainFormatter {
  constexpr auto parse(fmt::format_parse_context& ctx) {
    auto it = ctx.begin();
    if (it != ctx.end() && *it != '}')
      throw fmt::format_error("searchtrace: this type takes no format spec");
    return it;
  }
};

} // namespace searchtrace::detail

template <>
struct fmt::formatter<searchtrace::Deviation> : searchtrace::detail::PlainFormatter {
  template <class FormatContext>
  auto format(const searchtrace::Deviation& d, FormatContext& ctx) const {
    return fmt::format_to(ctx.out(), "{}/{} at {} (expansion {}): {}", d.category(), d.kind,
                          d.offset, d.expansion, d.message);
  }
};

template <>
struct fmt::formatter<searchtrace::Verdict> : searchtrace::detail::PlainFormatter {
  template <class FormatContext>
  auto format(const searchtrace::Verdict& v, FormatContext& ctx) const {
    return fmt::format_to(ctx.out(), "{}", searchtrace::summarize(v));
  }
};

/// "{}" or "{:c}": the compact rendering; "{:p}": the pretty one.
template <>
struct fmt::formatter<searchtrace::Trace> {
  searchtrace::Rendering rendering = searchtrace::Rendering::compact;

  constexpr auto parse(fmt::format_parse_context& ctx) {
    auto it = ctx.begin();
    if (it != ctx.end() && (*it == 'c' || *it == 'p')) {
      rendering = *it == 'p' ? searchtrace::Rendering::pretty : searchtrace::Rendering::compact;
      ++it;
    }
    if (it != ctx.end() && *it != '}')
      throw fmt::format_error("searchtrace: a Trace takes the format spec 'c' or 'p'");
    return it;
  }

  template <class FormatContext>
  auto format(const searchtrace::Trace& t, FormatContext& ctx) const {
    std::string s;
    searchtrace::append_completion(s, t, rendering);
    return std::copy(s.begin(), s.end(), ctx.out());
  }
};
