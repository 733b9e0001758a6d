// The errors a classification finds: `Finding` (kind, position and the nodes its message names)
// and the one-line message of each kind, written only once the findings are sorted, into reused
// strings.
//
//   replay → Finding → sort (offset, kind, seq) → write_message → Deviation::message
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "searchtrace/completion.hpp"
#include "searchtrace/frontier.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/verdict.hpp"

namespace searchtrace::detail {

struct Finding {
  ErrorKind kind = ErrorKind::syntax;
  std::uint8_t detail = 0; // which message variant
  std::uint32_t seq = 0;   // order found, for a stable sort
  std::size_t offset = 0;
  std::size_t expansion = 0;
  std::uint64_t a = 0, b = 0, c = 0;
};

enum : std::uint8_t {
  role_expansion = 0,
  role_listed = 1,
  role_backtrack = 2,
  role_path = 3,
  big_number = 4, // or'ed in: the number was beyond 2^32-1
};

struct MessageContext {
  const DisciplineTraits* discipline;
  const SearchOptions* options;
  bool directed = false;
  const SyntaxError* syntax = nullptr; // the completion's syntax error, if any
};

/// {a} {b} {c}: the finding's numbers; {A}, {N}: {a} or "beyond 4294967295" / "a number beyond
/// 4294967295"; {F}, {R}: the discipline's `front` and `reach`; {s}: "s" unless {a} is 1.
inline std::string_view message_template(const Finding& f, const MessageContext& ctx) noexcept {
  const bool on_list = ctx.options->stop == StopRule::on_list;
  const auto pick = [](bool first, std::string_view x, std::string_view y) {
    return first ? x : y;
  };
  switch (f.kind) {
  case ErrorKind::syntax:
  case ErrorKind::truncated:
    return "";
  case ErrorKind::unknown_node: {
    constexpr std::string_view roles[] = {"expanded node {A} is not a node of the graph",
                                          "listed node {A} is not a node of the graph",
                                          "backtrack node {A} is not a node of the graph",
                                          "path node {A} is not a node of the graph"};
    return roles[f.detail & 3];
  }
  case ErrorKind::non_edge:
    return pick(ctx.directed, "listed {b}, but there is no arc from {a} to {b}",
                "listed {b}, which is not a neighbour of {a}");
  case ErrorKind::missing_neighbor:
    return pick(ctx.options->listing == Listing::unexpanded,
                "left out {b}, an unexpanded neighbour of {a}",
                "left out {b}, an undiscovered neighbour of {a}");
  case ErrorKind::listed_expanded:
    return pick(f.detail == 0, "listed {b}, which is already expanded",
                "listed {b}, which is already discovered (listing: undiscovered)");
  case ErrorKind::duplicate_neighbor:
    return "listed {b} twice in the list of {a}";
  case ErrorKind::neighbor_order:
    return pick(ctx.options->order == NeighborOrder::ascending,
                "listed {a} after {b}, out of ascending order",
                "listed {a} after {b}, out of the prompt's order");
  case ErrorKind::wrong_start:
    return "the first expansion is {a}, not the source {b}";
  case ErrorKind::not_in_frontier:
    return "expanded {a}, which was never listed";
  case ErrorKind::frontier_order:
    return "expanded {a} while {b} is {F}";
  case ErrorKind::reexpanded:
    return "expanded {a} again";
  case ErrorKind::missed_target:
    return pick(on_list, "the target {a} was listed, but the exploration goes on",
                "the target {a} is {F}, but the exploration goes on");
  case ErrorKind::early_stop:
    return pick(on_list, "the exploration ends before the target {a} was listed",
                "the exploration ends before the target {a} {R}");
  case ErrorKind::traceback_start:
    return "the backtrack starts at {a}, not at the target {b}";
  case ErrorKind::traceback_parent:
    return "the backtrack goes from {a} to {b}, but the parent of {a} is {c}";
  case ErrorKind::traceback_end:
    return pick(f.detail == 1, "the backtrack goes on past the source {b}",
                "the backtrack stops at {N}, before the source {b}");
  case ErrorKind::answer_mismatch:
    return "the path is not the backtrack reversed (they differ from position {a})";
  case ErrorKind::answer_invalid: {
    constexpr std::string_view variants[] = {
        "the path starts at {a}, not at the source {b}",
        "the path ends at {a}, not at the target {b}", "",
        "the path goes through {N}, which is not a node of the graph"};
    if ((f.detail & 3) == 2)
      return pick(ctx.directed, "the path steps from {a} to {b}, which is not an arc",
                  "the path steps from {a} to {b}, which is not an edge");
    return variants[f.detail & 3];
  }
  case ErrorKind::answer_not_shortest:
    return "the path has {a} edge{s}, a shortest one {b}";
  }
  return "";
}

inline void write_message(std::string& m, const Finding& f, const MessageContext& ctx) {
  if (f.kind == ErrorKind::syntax || f.kind == ErrorKind::truncated) {
    m += ctx.syntax != nullptr ? std::string_view(ctx.syntax->message) : "syntax error";
    return;
  }
  const bool big = (f.detail & big_number) != 0;
  std::string_view t = message_template(f, ctx);
  for (std::size_t open = t.find('{'); open != std::string_view::npos; open = t.find('{')) {
    m += t.substr(0, open);
    const char code = t[open + 1]; // every placeholder is one letter in braces
    t.remove_prefix(open + 3);
    switch (code) {
    case 'F':
      m += ctx.discipline->front;
      break;
    case 'R':
      m += ctx.discipline->reach;
      break;
    case 's':
      m += f.a == 1 ? "" : "s";
      break;
    case 'A':
    case 'N':
      if (big) {
        m += code == 'A' ? "beyond 4294967295" : "a number beyond 4294967295";
        break;
      }
      [[fallthrough]];
    default:
      append_number(m, code == 'b' ? f.b : code == 'c' ? f.c : f.a);
    }
  }
  m += t;
}

} // namespace searchtrace::detail
