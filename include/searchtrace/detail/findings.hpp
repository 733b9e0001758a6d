// The errors a classification finds, before and after their messages are written: `Finding`
// (kind, position and the nodes the message names; messages are written only once the findings
// are sorted, into reused strings) and the one-line message of each kind.
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

/// One error as found: kind, position and the labels its message names.
struct Finding {
  ErrorKind kind = ErrorKind::syntax;
  std::uint8_t detail = 0; // which message variant
  std::uint32_t seq = 0;   // order found, for a stable sort
  std::size_t offset = 0;
  std::size_t expansion = 0;
  std::uint64_t a = 0, b = 0, c = 0;
};

/// Message variants (Finding::detail).
enum : std::uint8_t {
  role_expansion = 0,
  role_listed = 1,
  role_backtrack = 2,
  role_path = 3,
  big_number = 4, // or'ed in: the number was beyond 2^32-1
};

/// What a message depends on besides its finding.
struct MessageContext {
  const DisciplineTraits* discipline;
  const SearchOptions* options;
  bool directed = false;
  const SyntaxError* syntax = nullptr; // the completion's syntax error, if any
};

inline void write_message(std::string& m, const Finding& f, const MessageContext& ctx) {
  const auto num = [&m](std::uint64_t v) { append_number(m, v); };
  const std::string_view front = ctx.discipline->front;
  switch (f.kind) {
  case ErrorKind::syntax:
  case ErrorKind::truncated:
    m += ctx.syntax != nullptr ? std::string_view(ctx.syntax->message)
                               : std::string_view("syntax error");
    break;
  case ErrorKind::unknown_node: {
    constexpr std::string_view roles[] = {"expanded node ", "listed node ", "backtrack node ",
                                          "path node "};
    m += roles[f.detail & 3];
    if (f.detail & big_number)
      m += "beyond 4294967295";
    else
      num(f.a);
    m += " is not a node of the graph";
    break;
  }
  case ErrorKind::non_edge:
    m += "listed ";
    num(f.b);
    m += ctx.directed ? ", but there is no arc from " : ", which is not a neighbour of ";
    num(f.a);
    if (ctx.directed) {
      m += " to ";
      num(f.b);
    }
    break;
  case ErrorKind::missing_neighbor:
    m += "left out ";
    num(f.b);
    m += ctx.options->listing == Listing::unexpanded ? ", an unexpanded neighbour of "
                                                     : ", an undiscovered neighbour of ";
    num(f.a);
    break;
  case ErrorKind::listed_expanded:
    m += "listed ";
    num(f.b);
    m += f.detail == 0 ? ", which is already expanded"
                       : ", which is already discovered (listing: undiscovered)";
    break;
  case ErrorKind::duplicate_neighbor:
    m += "listed ";
    num(f.b);
    m += " twice in the list of ";
    num(f.a);
    break;
  case ErrorKind::neighbor_order:
    m += "listed ";
    num(f.a);
    m += " after ";
    num(f.b);
    m += ctx.options->order == NeighborOrder::ascending ? ", out of ascending order"
                                                        : ", out of the prompt's order";
    break;
  case ErrorKind::wrong_start:
    m += "the first expansion is ";
    num(f.a);
    m += ", not the source ";
    num(f.b);
    break;
  case ErrorKind::not_in_frontier:
    m += "expanded ";
    num(f.a);
    m += ", which was never listed";
    break;
  case ErrorKind::frontier_order:
    m += "expanded ";
    num(f.a);
    m += " while ";
    num(f.b);
    m += " is ";
    m += front;
    break;
  case ErrorKind::reexpanded:
    m += "expanded ";
    num(f.a);
    m += " again";
    break;
  case ErrorKind::missed_target:
    m += "the target ";
    num(f.a);
    if (ctx.options->stop == StopRule::on_list) {
      m += " was listed";
    } else {
      m += " is ";
      m += front;
    }
    m += ", but the exploration goes on";
    break;
  case ErrorKind::early_stop:
    m += "the exploration ends before the target ";
    num(f.a);
    if (ctx.options->stop == StopRule::on_list) {
      m += " was listed";
    } else {
      m += ' ';
      m += ctx.discipline->reach;
    }
    break;
  case ErrorKind::traceback_start:
    m += "the backtrack starts at ";
    num(f.a);
    m += ", not at the target ";
    num(f.b);
    break;
  case ErrorKind::traceback_parent:
    m += "the backtrack goes from ";
    num(f.a);
    m += " to ";
    num(f.b);
    m += ", but the parent of ";
    num(f.a);
    m += " is ";
    num(f.c);
    break;
  case ErrorKind::traceback_end:
    if (f.detail == 1) {
      m += "the backtrack goes on past the source ";
      num(f.b);
    } else {
      m += "the backtrack stops at ";
      if (f.detail & big_number)
        m += "a number beyond 4294967295";
      else
        num(f.a);
      m += ", before the source ";
      num(f.b);
    }
    break;
  case ErrorKind::answer_mismatch:
    m += "the path is not the backtrack reversed (they differ from position ";
    num(f.a);
    m += ")";
    break;
  case ErrorKind::answer_invalid:
    switch (f.detail & 3) {
    case 0:
      m += "the path starts at ";
      num(f.a);
      m += ", not at the source ";
      num(f.b);
      break;
    case 1:
      m += "the path ends at ";
      num(f.a);
      m += ", not at the target ";
      num(f.b);
      break;
    case 2:
      m += "the path steps from ";
      num(f.a);
      m += " to ";
      num(f.b);
      m += ctx.directed ? ", which is not an arc" : ", which is not an edge";
      break;
    default:
      m += "the path goes through ";
      if (f.detail & big_number)
        m += "a number beyond 4294967295";
      else
        num(f.a);
      m += ", which is not a node of the graph";
      break;
    }
    break;
  case ErrorKind::answer_not_shortest:
    m += "the path has ";
    num(f.a);
    m += f.a == 1 ? " edge" : " edges";
    m += ", a shortest one ";
    num(f.b);
    break;
  }
}

} // namespace searchtrace::detail
