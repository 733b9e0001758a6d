// What the classifier says about a completion (SPEC §6): the twenty error kinds and their
// categories, one `Deviation` per error, and the `Verdict` that collects them with the three
// flags exact / valid / answer_correct. Kept apart from the classifier so that the completion
// parser (which reports `syntax` and `truncated`) and the renderers need not include it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace searchtrace {

/// The error kinds of SPEC §6, in the order of its table. The order is part of the contract:
/// errors at the same offset are reported in this order (SPEC §7.5).
enum class ErrorKind : std::uint8_t {
  syntax,
  truncated,
  unknown_node,
  non_edge,
  missing_neighbor,
  listed_expanded,
  duplicate_neighbor,
  neighbor_order,
  wrong_start,
  not_in_frontier,
  frontier_order,
  reexpanded,
  missed_target,
  early_stop,
  traceback_start,
  traceback_parent,
  traceback_end,
  answer_mismatch,
  answer_invalid,
  answer_not_shortest,
};

inline constexpr std::size_t error_kind_count = 20;

/// The categories of SPEC §6. The seed's four error types are neighbors, queue, revisit and
/// traceback; format, termination and answer complete them.
enum class ErrorCategory : std::uint8_t {
  format,
  neighbors,
  queue,
  revisit,
  termination,
  traceback,
  answer,
};

inline constexpr std::size_t error_category_count = 7;

namespace detail {

struct ErrorKindInfo {
  std::string_view name;
  ErrorCategory category;
};

inline constexpr std::array<ErrorKindInfo, error_kind_count> error_kind_table{{
    {"syntax", ErrorCategory::format},
    {"truncated", ErrorCategory::format},
    {"unknown_node", ErrorCategory::format},
    {"non_edge", ErrorCategory::neighbors},
    {"missing_neighbor", ErrorCategory::neighbors},
    {"listed_expanded", ErrorCategory::neighbors},
    {"duplicate_neighbor", ErrorCategory::neighbors},
    {"neighbor_order", ErrorCategory::neighbors},
    {"wrong_start", ErrorCategory::queue},
    {"not_in_frontier", ErrorCategory::queue},
    {"frontier_order", ErrorCategory::queue},
    {"reexpanded", ErrorCategory::revisit},
    {"missed_target", ErrorCategory::termination},
    {"early_stop", ErrorCategory::termination},
    {"traceback_start", ErrorCategory::traceback},
    {"traceback_parent", ErrorCategory::traceback},
    {"traceback_end", ErrorCategory::traceback},
    {"answer_mismatch", ErrorCategory::answer},
    {"answer_invalid", ErrorCategory::answer},
    {"answer_not_shortest", ErrorCategory::answer},
}};

inline constexpr std::array<std::string_view, error_category_count> error_category_names{
    "format", "neighbors", "queue", "revisit", "termination", "traceback", "answer"};

} // namespace detail

/// The kind's name exactly as SPEC §6 spells it ("frontier_order").
constexpr std::string_view error_kind_name(ErrorKind k) noexcept {
  return detail::error_kind_table[static_cast<std::size_t>(k)].name;
}

constexpr ErrorCategory category_of(ErrorKind k) noexcept {
  return detail::error_kind_table[static_cast<std::size_t>(k)].category;
}

constexpr std::string_view error_category_name(ErrorCategory c) noexcept {
  return detail::error_category_names[static_cast<std::size_t>(c)];
}

/// The kind with this name, if any (for command-line filters and JSON readers).
constexpr std::optional<ErrorKind> parse_error_kind(std::string_view name) noexcept {
  for (std::size_t i = 0; i < error_kind_count; ++i)
    if (detail::error_kind_table[i].name == name)
      return static_cast<ErrorKind>(i);
  return std::nullopt;
}

constexpr std::optional<ErrorCategory> parse_error_category(std::string_view name) noexcept {
  for (std::size_t i = 0; i < error_category_count; ++i)
    if (detail::error_category_names[i] == name)
      return static_cast<ErrorCategory>(i);
  return std::nullopt;
}

/// One error in a completion. `offset` is a byte offset in the completion text, or a token index
/// when the completion was given as token ids. `expansion` is the 0-based index of the expansion
/// the error belongs to; for errors after the exploration (`-` onwards) it is the number of
/// expansions (SPEC §7.4).
struct Deviation {
  ErrorKind kind = ErrorKind::syntax;
  std::size_t offset = 0;
  std::size_t expansion = 0;
  std::string message; // one line, no trailing newline

  constexpr ErrorCategory category() const noexcept { return category_of(kind); }

  friend bool operator==(const Deviation&, const Deviation&) = default;
};

/// The classifier's verdict on one completion.
///
/// `valid` means no error at all. `exact` means the completion is, token for token, the
/// reference completion that the tracer produces with the same options (spacing is rendering
/// and does not count). The correct completion is unique, so the two coincide whenever the
/// classifier is right; they are computed independently (exact by comparing with the
/// reference, valid from the errors) and the tests check that they agree. `answer_correct`
/// judges the answer path alone (SPEC §7.7).
struct Verdict {
  bool exact = false;
  bool valid = false;
  bool answer_correct = false;
  /// Every error, in reading order: by offset, then by the order of SPEC §6's table, then in the
  /// order they were found (several `missing_neighbor` at one `)` follow the required order).
  std::vector<Deviation> errors;
  /// The classifier stopped at Classifier::max_errors() (1000 by default): errors after the last
  /// one kept were not looked for.
  bool errors_capped = false;

  /// The first error (SPEC §7.5), or nullptr for a valid completion.
  const Deviation* first_error() const noexcept { return errors.empty() ? nullptr : &errors[0]; }

  /// Whether some error has this kind.
  bool has(ErrorKind k) const noexcept {
    for (const Deviation& d : errors)
      if (d.kind == k)
        return true;
    return false;
  }

  friend bool operator==(const Verdict&, const Verdict&) = default;
};

} // namespace searchtrace
