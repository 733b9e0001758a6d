// The compact graph every other part works on: dense node ids, CSR adjacency, labels.
#pragma once

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "searchtrace/bits.hpp"
#include "searchtrace/grammar.hpp"

namespace searchtrace {

/// A dense node index, 0..n-1. Ids follow the labels in ascending order, so "ascending by id"
/// (SPEC §3) is ascending by dense id and needs no label lookups on the hot path.
using NodeId = std::uint32_t;

inline constexpr NodeId no_node = 0xFFFFFFFFu;

/// One edge as written in the prompt: `u,v` (for a directed graph, the arc u→v).
struct Edge {
  NodeId u = 0;
  NodeId v = 0;
  friend constexpr bool operator==(const Edge&, const Edge&) = default;
};

/// The source and target of a query, as dense ids of one graph.
struct Query {
  NodeId source = 0;
  NodeId target = 0;
  friend constexpr bool operator==(const Query&, const Query&) = default;
};

/// What `Graph::assign` rejects.
enum class GraphDefect : std::uint8_t {
  none,
  self_loop,
  duplicate_edge,
  bad_node,
  unsorted_labels
};

struct GraphCheck {
  GraphDefect defect = GraphDefect::none;
  std::size_t edge = 0; // index (prompt order) of the first offending edge
  explicit operator bool() const noexcept { return defect == GraphDefect::none; }
};

/// An undirected (default) or directed simple graph. Keeps the edges in prompt order, as
/// written, so that a parsed prompt renders back byte for byte, and two adjacency orders over
/// one offset array: ascending ids, and the order in which the prompt mentions the neighbours.
/// Buffers are reused by `assign`, so one Graph can serve millions of samples without
/// allocating.
class Graph {
public:
  Graph() = default;

  /// Replaces the graph. `labels` must be strictly ascending; edges refer to positions in it.
  /// Rejects unsorted labels, self loops, duplicate edges (in either orientation when
  /// undirected) and ids out of range; on rejection the graph is left empty.
  GraphCheck assign(std::span<const Label> labels, std::span<const Edge> edges,
                    bool directed = false) {
    labels_.assign(labels.begin(), labels.end());
    edges_.assign(edges.begin(), edges.end());
    directed_ = directed;
    const GraphCheck check = build();
    if (!check)
      clear();
    return check;
  }

  /// Replaces the graph with one its producer knows to be valid, of at most `small_nodes` nodes,
  /// given with its bit rows (`rows()`: symmetric when undirected, out-arcs when directed):
  /// samplers hold their graphs this way, and skip the checks and the row building of `assign`.
  /// The result is what `assign(labels, edges, directed)` gives; a graph that is not valid, or
  /// rows that do not match the edges, are a precondition violation (asserted in debug builds).
  void assign_valid(std::span<const Label> labels, std::span<const Edge> edges,
                    std::span<const std::uint64_t> rows, bool directed = false) {
    assert(labels.size() <= small_nodes && rows.size() == labels.size());
    labels_.assign(labels.begin(), labels.end());
    edges_.assign(edges.begin(), edges.end());
    rows_.assign(rows.begin(), rows.end());
    directed_ = directed;
    offsets_.resize(labels_.size() + 1);
    offsets_[0] = 0;
    fill_lists_small();
    assert(check_rows());
  }

  void clear() noexcept {
    labels_.clear();
    edges_.clear();
    offsets_.assign(1, 0);
    sorted_.clear();
    prompt_order_.clear();
    rows_.clear();
  }

  std::size_t node_count() const noexcept { return labels_.size(); }
  std::size_t edge_count() const noexcept { return edges_.size(); }
  bool directed() const noexcept { return directed_; }

  Label label(NodeId u) const noexcept { return labels_[u]; }
  std::span<const Label> labels() const noexcept { return labels_; }
  std::span<const Edge> edges() const noexcept { return edges_; }

  /// The node with this label, if any.
  std::optional<NodeId> node(Label label) const noexcept {
    const auto it = std::lower_bound(labels_.begin(), labels_.end(), label);
    if (it == labels_.end() || *it != label)
      return std::nullopt;
    return static_cast<NodeId>(it - labels_.begin());
  }

  /// Neighbours (out-neighbours when directed), ascending by id.
  std::span<const NodeId> neighbors(NodeId u) const noexcept {
    return {sorted_.data() + offsets_[u], sorted_.data() + offsets_[u + 1]};
  }

  /// Neighbours in the order the prompt mentions them.
  std::span<const NodeId> neighbors_in_prompt_order(NodeId u) const noexcept {
    return {prompt_order_.data() + offsets_[u], prompt_order_.data() + offsets_[u + 1]};
  }

  std::size_t degree(NodeId u) const noexcept { return offsets_[u + 1] - offsets_[u]; }

  /// Graphs of up to this many nodes also keep their adjacency as bit rows (see `rows`).
  static constexpr NodeId small_nodes = 64;

  /// For a graph of at most `small_nodes` nodes, one 64-bit row per node: bit v of row u is set
  /// iff v is a neighbour (out-neighbour when directed) of u. Empty for larger graphs. Set
  /// operations on rows let searches over small graphs skip per-neighbour tests.
  std::span<const std::uint64_t> rows() const noexcept { return rows_; }

  bool adjacent(NodeId u, NodeId v) const noexcept {
    const auto n = neighbors(u);
    return std::binary_search(n.begin(), n.end(), v);
  }

private:
  GraphCheck build() {
    const auto n = static_cast<NodeId>(labels_.size());
    offsets_.assign(n + 1, 0);
    for (std::size_t i = 1; i < labels_.size(); ++i)
      if (labels_[i - 1] >= labels_[i])
        return {GraphDefect::unsorted_labels, 0};
    if (n <= small_nodes)
      return build_small();
    rows_.clear();
    for (std::size_t i = 0; i < edges_.size(); ++i) {
      const Edge e = edges_[i];
      const GraphDefect defect = e.u >= n || e.v >= n ? GraphDefect::bad_node
                                 : e.u == e.v         ? GraphDefect::self_loop
                                                      : GraphDefect::none;
      if (defect != GraphDefect::none) {
        // An edge before this one that repeats an earlier edge is the first defect.
        const std::size_t duplicate = first_duplicate();
        if (duplicate < i)
          return {GraphDefect::duplicate_edge, duplicate};
        return {defect, i};
      }
      ++offsets_[e.u + 1];
      if (!directed_)
        ++offsets_[e.v + 1];
    }
    for (NodeId u = 0; u < n; ++u)
      offsets_[u + 1] += offsets_[u];
    const std::uint32_t total = offsets_[n];
    prompt_order_.resize(total);
    owner_.resize(total);
    // Filling in edge order keeps each list in prompt order (a stable counting sort).
    fill_.assign(offsets_.begin(), offsets_.end() - 1);
    for (const Edge e : edges_) {
      const std::uint32_t at = fill_[e.u]++;
      prompt_order_[at] = e.v;
      owner_[at] = e.u;
      if (!directed_) {
        const std::uint32_t back = fill_[e.v]++;
        prompt_order_[back] = e.u;
        owner_[back] = e.v;
      }
    }
    // Ascending lists by a second counting pass instead of sorting each list (sorting short
    // random lists is mostly branch mispredictions): taking the entries (u, v) grouped by v in
    // ascending order and appending v to u's list fills every list in ascending order. For an
    // undirected graph the prompt-order lists are that grouping already (v's list holds the u
    // adjacent to it); for a directed one the arcs are grouped by head first. A repeated edge
    // shows up as the same v appended twice in a row to one list.
    const NodeId* from = prompt_order_.data();
    const NodeId* to = owner_.data();
    if (directed_) {
      in_offsets_.assign(n + 1, 0);
      for (const Edge e : edges_)
        ++in_offsets_[e.v + 1];
      for (NodeId v = 0; v < n; ++v)
        in_offsets_[v + 1] += in_offsets_[v];
      in_from_.resize(edges_.size());
      in_to_.resize(edges_.size());
      for (const Edge e : edges_) {
        const std::uint32_t at = in_offsets_[e.v]++;
        in_from_[at] = e.u;
        in_to_[at] = e.v;
      }
      from = in_from_.data();
      to = in_to_.data();
    }
    sorted_.resize(total);
    fill_.assign(offsets_.begin(), offsets_.end() - 1);
    bool duplicate = false;
    for (std::uint32_t i = 0; i < total; ++i) {
      const NodeId u = from[i];
      const NodeId v = to[i];
      const std::uint32_t at = fill_[u]++;
      // Compares with the previous entry of u's list, or harmlessly with itself when none.
      const bool has_prev = at > offsets_[u];
      duplicate |= has_prev & (sorted_[at - has_prev] == v);
      sorted_[at] = v;
    }
    if (duplicate)
      return {GraphDefect::duplicate_edge, first_duplicate()};
    return {};
  }

  // The same result as the general path, for n ≤ 64: duplicates are bits already set in the
  // rows (found in prompt order, so the first defect is the first one met), which the tracer
  // reuses (see `rows`). The lists are filled by the same two counting passes as the general
  // path: flat loops over the entries, where extracting each row's bits in turn would end one
  // short loop per node on a mispredicted branch (measured: slower, for fewer instructions).
  GraphCheck build_small() {
    const auto n = static_cast<NodeId>(labels_.size());
    rows_.assign(n, 0);
    std::uint64_t* const rows = rows_.data();
    for (std::size_t i = 0; i < edges_.size(); ++i) {
      const Edge e = edges_[i];
      if (e.u >= n || e.v >= n) [[unlikely]]
        return {GraphDefect::bad_node, i};
      if (e.u == e.v) [[unlikely]]
        return {GraphDefect::self_loop, i};
      const std::uint64_t bit = std::uint64_t{1} << e.v;
      if (rows[e.u] & bit) [[unlikely]]
        return {GraphDefect::duplicate_edge, i};
      rows[e.u] |= bit;
      if (!directed_)
        rows[e.v] |= std::uint64_t{1} << e.u;
    }
    fill_lists_small();
    return {};
  }

  // The lists of a graph of at most small_nodes nodes from its rows and edges; offsets_ has n+1
  // entries, offsets_[0] = 0.
  //
  // The ascending lists are the rows' bits, extracted with the same trip count for every row
  // (the largest degree): a loop whose length varies per row would end on a mispredicted
  // branch per node, and a counting sort (as for larger graphs) chains its increments through
  // memory; measured, it took a seventh of a G15_2_4 sample's time. A row's extra iterations
  // write past its list, into the next row's place (filled after it) or into slack at the end.
  void fill_lists_small() {
    const auto n = static_cast<NodeId>(labels_.size());
    const std::uint64_t* const rows = rows_.data();
    std::uint32_t fill[small_nodes];
    std::uint32_t total = 0;
    std::uint32_t max_degree = 0;
    for (NodeId u = 0; u < n; ++u) {
      fill[u] = total;
      const auto d = static_cast<std::uint32_t>(detail::popcount64(rows[u]));
      total += d;
      max_degree = std::max(max_degree, d);
      offsets_[u + 1] = total;
    }
    prompt_order_.resize(total);
    sorted_.resize(std::size_t{total} + small_nodes);
    NodeId* const sorted = sorted_.data();
    for (NodeId u = 0; u < n; ++u) {
      NodeId* const list = sorted + fill[u];
      std::uint64_t b = rows[u];
      for (std::uint32_t j = 0; j < max_degree; ++j) {
        // The top bit keeps the operand nonzero (no test for zero before a bsf without tzcnt):
        // a row has at most 63 neighbours, and past its last one the value is never read.
        list[j] = static_cast<NodeId>(std::countr_zero(b | (std::uint64_t{1} << 63)));
        b &= b - 1;
      }
    }
    // Prompt order: each list in the order its edges are written (a stable counting pass).
    NodeId* const prompt = prompt_order_.data();
    if (directed_) {
      for (const Edge e : edges_)
        prompt[fill[e.u]++] = e.v;
      return;
    }
    for (const Edge e : edges_) {
      prompt[fill[e.u]++] = e.v;
      prompt[fill[e.v]++] = e.u;
    }
  }

  // Debug check of assign_valid's precondition: the rows are the edges' adjacency, and the
  // graph has no defect.
  bool check_rows() const {
    std::vector<std::uint64_t> want(labels_.size(), 0);
    for (const Edge e : edges_) {
      if (e.u >= labels_.size() || e.v >= labels_.size() || e.u == e.v)
        return false;
      if ((want[e.u] >> e.v) & 1u)
        return false;
      want[e.u] |= std::uint64_t{1} << e.v;
      if (!directed_)
        want[e.v] |= std::uint64_t{1} << e.u;
    }
    return want == rows_ && std::is_sorted(labels_.begin(), labels_.end()) &&
           std::adjacent_find(labels_.begin(), labels_.end()) == labels_.end();
  }

  // Rare path: find the first edge, in prompt order, that repeats an earlier one.
  std::size_t first_duplicate() const {
    std::vector<std::pair<std::pair<NodeId, NodeId>, std::size_t>> keyed;
    keyed.reserve(edges_.size());
    for (std::size_t i = 0; i < edges_.size(); ++i) {
      auto [u, v] = edges_[i];
      if (!directed_ && u > v)
        std::swap(u, v);
      keyed.push_back({{u, v}, i});
    }
    std::sort(keyed.begin(), keyed.end());
    std::size_t first = edges_.size();
    for (std::size_t i = 1; i < keyed.size(); ++i)
      if (keyed[i].first == keyed[i - 1].first)
        first = std::min(first, keyed[i].second);
    return first;
  }

  // What a search reads first comes first, so that a graph met cold (a classifier judging
  // outputs for many prompts) costs fewer cache lines.
  std::vector<Label> labels_;
  std::vector<std::uint64_t> rows_; // n ≤ small_nodes only
  std::vector<std::uint32_t> offsets_{0};
  std::vector<NodeId> sorted_;
  std::vector<Edge> edges_;
  std::vector<NodeId> prompt_order_;
  std::vector<std::uint32_t> fill_;
  std::vector<NodeId> owner_;             // scratch of build(): whose list each entry is in
  std::vector<std::uint32_t> in_offsets_; // scratch of build() for directed graphs
  std::vector<NodeId> in_from_, in_to_;
  bool directed_ = false;
};

} // namespace searchtrace
