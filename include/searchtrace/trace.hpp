// `Trace`, the pivot type: what a tracer produces, a parser reads back, the renderer writes and
// the classifier judges. It holds labels (not dense ids), so a trace read from a model's output
// can carry nodes the graph does not have.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "searchtrace/grammar.hpp"

namespace searchtrace {

struct Trace {
  std::vector<Label> expanded;         // the node of each expansion, in order
  std::vector<std::uint32_t> list_end; // end of each expansion's list in `listed`
  std::vector<Label> listed;           // all lists, concatenated
  std::vector<Label> backtrack;        // target, parent(target), ..., source
  std::vector<Label> path;             // source, ..., target

  std::size_t expansion_count() const noexcept { return expanded.size(); }

  /// The nodes listed by expansion i.
  std::span<const Label> list(std::size_t i) const noexcept {
    const std::size_t b = i == 0 ? 0 : list_end[i - 1];
    return {listed.data() + b, listed.data() + list_end[i]};
  }

  /// Starts expansion of `node`; `list_node` then appends to its list.
  void begin_expansion(Label node) {
    expanded.push_back(node);
    list_end.push_back(static_cast<std::uint32_t>(listed.size()));
  }
  void list_node(Label node) {
    listed.push_back(node);
    ++list_end.back();
  }

  /// Removes entry j of `listed` from its list (the lists after it shift down by one).
  void remove_listed(std::size_t j) {
    listed.erase(listed.begin() + static_cast<std::ptrdiff_t>(j));
    for (auto& end : list_end)
      if (end > j)
        --end;
  }

  void clear() noexcept {
    expanded.clear();
    list_end.clear();
    listed.clear();
    backtrack.clear();
    path.clear();
  }

  friend bool operator==(const Trace&, const Trace&) = default;
};

/// The token sequence of a completion (SPEC §1), the one place that knows its shape:
/// `< u,(v,...) {, u,(...)} - backtrack > = path`. `emit(Token, Context)` is called per token.
template <class Emit>
constexpr void for_each_completion_token(const Trace& t, Emit&& emit) {
  constexpr Context out = Context::outside_list;
  // Local views: an emitter that stores bytes may alias the vectors' members, which would
  // otherwise be reloaded after every store.
  const std::span<const Label> expanded = t.expanded, listed = t.listed, backtrack = t.backtrack,
                               path = t.path;
  const std::span<const std::uint32_t> list_end = t.list_end;
  emit(punct_token(TokenKind::lt), out);
  std::size_t begin = 0;
  for (std::size_t i = 0; i < expanded.size(); ++i) {
    if (i > 0)
      emit(punct_token(TokenKind::comma), out);
    emit(node_token(expanded[i]), out);
    emit(punct_token(TokenKind::comma), out);
    emit(punct_token(TokenKind::lparen), out);
    const std::size_t end = list_end[i];
    for (std::size_t j = begin; j < end; ++j) {
      if (j > begin)
        emit(punct_token(TokenKind::comma), Context::inside_list);
      emit(node_token(listed[j]), Context::inside_list);
    }
    begin = end;
    emit(punct_token(TokenKind::rparen), out);
  }
  emit(punct_token(TokenKind::dash), out);
  for (std::size_t i = 0; i < backtrack.size(); ++i) {
    if (i > 0)
      emit(punct_token(TokenKind::comma), out);
    emit(node_token(backtrack[i]), out);
  }
  emit(punct_token(TokenKind::gt), out);
  emit(punct_token(TokenKind::eq), out);
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (i > 0)
      emit(punct_token(TokenKind::comma), out);
    emit(node_token(path[i]), out);
  }
}

} // namespace searchtrace
