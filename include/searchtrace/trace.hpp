// `Trace`, the pivot type: what a tracer produces, a parser reads back, the renderer writes and
// the classifier judges. It holds labels, not dense ids, so a trace read from a model's output
// can carry nodes the graph does not have.
//
//   tracer / parser → Trace → render, classifier
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

  std::span<const Label> list(std::size_t i) const noexcept {
    const std::size_t b = i == 0 ? 0 : list_end[i - 1];
    return {listed.data() + b, listed.data() + list_end[i]};
  }

  /// `list_node` then appends to its list.
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

} // namespace searchtrace
