// What the classifier says about a completion: the twenty error kinds and their categories,
// one `Deviation` per error, and the `Verdict` with its flags exact / valid / answer_correct
// (docs/reference.md, 'Error kinds'). Apart from the classifier, so the completion parser
// (syntax, truncated) and the renderers need not include it.
//
//   classifier → Verdict → diagnostic.hpp (caret text, JSON), eval
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace searchtrace {

/// In the order of the reference's table, which is part of the contract: errors at one offset
/// are reported in this order.
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

/// The seed's four error types (neighbors, queue, revisit, traceback), completed by format,
/// termination and answer.
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

/// As the reference spells it ("frontier_order").
constexpr std::string_view error_kind_name(ErrorKind k) noexcept {
  return detail::error_kind_table[static_cast<std::size_t>(k)].name;
}

constexpr ErrorCategory category_of(ErrorKind k) noexcept {
  return detail::error_kind_table[static_cast<std::size_t>(k)].category;
}

constexpr std::string_view error_category_name(ErrorCategory c) noexcept {
  return detail::error_category_names[static_cast<std::size_t>(c)];
}

/// For command-line filters and JSON readers.
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

/// One error. `offset`: a byte offset in the text, or a token index for ids. `expansion`: the
/// 0-based expansion it belongs to; from the `-` on, the number of expansions.
struct Deviation {
  ErrorKind kind = ErrorKind::syntax;
  std::size_t offset = 0;
  std::size_t expansion = 0;
  std::string message; // one line, no trailing newline

  constexpr ErrorCategory category() const noexcept { return category_of(kind); }

  friend bool operator==(const Deviation&, const Deviation&) = default;
};

/// `valid`: no error. `exact`: token for token the tracer's completion with the same options
/// (spacing does not count). The correct completion is unique, so the two coincide; they are
/// computed apart and tested to agree. `answer_correct` judges the path alone.
struct Verdict {
  bool exact = false;
  bool valid = false;
  bool answer_correct = false;
  /// In reading order: by offset, then kind, then as found (missing_neighbor in required order).
  std::vector<Deviation> errors;
  /// Classifier::max_errors() was reached: errors after the last kept were not looked for.
  bool errors_capped = false;

  /// nullptr for a valid completion.
  const Deviation* first_error() const noexcept { return errors.empty() ? nullptr : &errors[0]; }

  bool has(ErrorKind k) const noexcept {
    for (const Deviation& d : errors)
      if (d.kind == k)
        return true;
    return false;
  }

  friend bool operator==(const Verdict&, const Verdict&) = default;
};

} // namespace searchtrace
