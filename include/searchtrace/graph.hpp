// The compact graph every other part works on: dense node ids, CSR adjacency, labels, and bit
// rows for graphs of up to 64 nodes.
//
//   prompt text → PromptParser, or Sampler → Graph → search loop, classifier, fingerprint
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "searchtrace/bits.hpp"
#include "searchtrace/grammar.hpp"

namespace searchtrace {

/// A dense node index, 0..n-1, in ascending label order: "ascending" (docs/reference.md, 'BFS
/// and DFS') needs no label lookups on the hot path.
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

namespace detail {

/// A Graph's adjacency lists (ascending, and in prompt order) over one offset array.
/// `assign_valid` leaves them `pending`, filled by their first reader (dataset generation on bit
/// rows never reads them: filling them took a sixth of a G15_2_4 sample's time); other readers
/// wait meanwhile, so a const Graph stays safe to share between threads.
struct GraphLists {
  enum State : std::uint8_t { ready, pending, filling };

  std::vector<std::uint32_t> offsets{0};
  std::vector<NodeId> sorted;
  std::vector<NodeId> prompt_order;
  std::atomic<std::uint8_t> state{ready};

  GraphLists() = default;
  GraphLists(const GraphLists& o) { copy_from(o); }
  GraphLists(GraphLists&& o) noexcept
      : offsets(std::move(o.offsets)), sorted(std::move(o.sorted)),
        prompt_order(std::move(o.prompt_order)), state(o.state.load(std::memory_order_relaxed)) {}
  GraphLists& operator=(const GraphLists& o) {
    if (this != &o)
      copy_from(o);
    return *this;
  }
  GraphLists& operator=(GraphLists&& o) noexcept {
    offsets = std::move(o.offsets);
    sorted = std::move(o.sorted);
    prompt_order = std::move(o.prompt_order);
    state.store(o.state.load(std::memory_order_relaxed), std::memory_order_relaxed);
    return *this;
  }

  /// Sizes the lists to be filled later without allocating; `slack` more entries of `sorted`
  /// may be written past the last list.
  void make_pending(std::size_t n, std::size_t entries, std::size_t slack) {
    offsets.resize(n + 1);
    sorted.resize(entries + slack);
    prompt_order.resize(entries);
    state.store(pending, std::memory_order_relaxed);
  }

private:
  void copy_from(const GraphLists& o) {
    // Another thread may be filling o's lists: their sizes are fixed, their contents not ready.
    if (o.state.load(std::memory_order_acquire) == ready) {
      offsets = o.offsets;
      sorted = o.sorted;
      prompt_order = o.prompt_order;
      state.store(ready, std::memory_order_relaxed);
      return;
    }
    offsets.resize(o.offsets.size());
    sorted.resize(o.sorted.size());
    prompt_order.resize(o.prompt_order.size());
    state.store(pending, std::memory_order_relaxed);
  }
};

} // namespace detail

/// An undirected (default) or directed simple graph. Keeps the edges in prompt order, so a
/// parsed prompt renders back byte for byte. `assign` reuses the buffers, so one Graph serves
/// millions of samples without allocating; const members are safe to call from several threads.
class Graph {
public:
  Graph() = default;

  /// `labels` strictly ascending; edges refer to positions in it. Rejects unsorted labels, self
  /// loops, duplicate edges (either orientation when undirected) and bad ids, leaving it empty.
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

  /// The same as `assign` for a graph its producer knows to be valid, of at most `small_nodes`
  /// nodes, given with its bit rows: samplers skip the checks and the row building this way.
  /// Invalid input is a precondition violation (asserted in debug builds).
  void assign_valid(std::span<const Label> labels, std::span<const Edge> edges,
                    std::span<const std::uint64_t> rows, bool directed = false) {
    assert(labels.size() <= small_nodes && rows.size() == labels.size());
    labels_.assign(labels.begin(), labels.end());
    edges_.assign(edges.begin(), edges.end());
    rows_.assign(rows.begin(), rows.end());
    directed_ = directed;
    lists_.make_pending(labels_.size(), directed ? edges_.size() : 2 * edges_.size(), small_nodes);
    assert(check_rows());
  }

  void clear() noexcept {
    labels_.clear();
    edges_.clear();
    lists_.offsets.assign(1, 0);
    lists_.sorted.clear();
    lists_.prompt_order.clear();
    lists_.state.store(detail::GraphLists::ready, std::memory_order_relaxed);
    rows_.clear();
  }

  std::size_t node_count() const noexcept { return labels_.size(); }
  std::size_t edge_count() const noexcept { return edges_.size(); }
  bool directed() const noexcept { return directed_; }

  Label label(NodeId u) const noexcept { return labels_[u]; }
  std::span<const Label> labels() const noexcept { return labels_; }
  std::span<const Edge> edges() const noexcept { return edges_; }

  std::optional<NodeId> node(Label label) const noexcept {
    const auto it = std::lower_bound(labels_.begin(), labels_.end(), label);
    if (it == labels_.end() || *it != label)
      return std::nullopt;
    return static_cast<NodeId>(it - labels_.begin());
  }

  /// Out-neighbours when directed.
  std::span<const NodeId> neighbors(NodeId u) const noexcept {
    const detail::GraphLists& l = lists();
    return {l.sorted.data() + l.offsets[u], l.sorted.data() + l.offsets[u + 1]};
  }

  /// Neighbours in the order the prompt mentions them.
  std::span<const NodeId> neighbors_in_prompt_order(NodeId u) const noexcept {
    const detail::GraphLists& l = lists();
    return {l.prompt_order.data() + l.offsets[u], l.prompt_order.data() + l.offsets[u + 1]};
  }

  std::size_t degree(NodeId u) const noexcept {
    const detail::GraphLists& l = lists();
    return l.offsets[u + 1] - l.offsets[u];
  }

  static constexpr NodeId small_nodes = 64;

  /// For at most `small_nodes` nodes, one row per node: bit v of row u is set iff u→v (or u–v).
  /// Empty for larger graphs.
  std::span<const std::uint64_t> rows() const noexcept { return rows_; }

  bool adjacent(NodeId u, NodeId v) const noexcept {
    if (!rows_.empty())
      return v < rows_.size() && ((rows_[u] >> v) & 1u);
    const auto n = neighbors(u);
    return std::binary_search(n.begin(), n.end(), v);
  }

private:
  const detail::GraphLists& lists() const noexcept {
    if (lists_.state.load(std::memory_order_acquire) != detail::GraphLists::ready) [[unlikely]]
      fill_pending_lists();
    return lists_;
  }

  void fill_pending_lists() const noexcept {
    std::uint8_t seen = detail::GraphLists::pending;
    if (lists_.state.compare_exchange_strong(seen, detail::GraphLists::filling,
                                             std::memory_order_acquire)) {
      fill_lists_small();
      lists_.state.store(detail::GraphLists::ready, std::memory_order_release);
      lists_.state.notify_all();
      return;
    }
    while (seen != detail::GraphLists::ready) {
      lists_.state.wait(seen, std::memory_order_acquire);
      seen = lists_.state.load(std::memory_order_acquire);
    }
  }

  GraphCheck build() {
    const auto n = static_cast<NodeId>(labels_.size());
    lists_.state.store(detail::GraphLists::ready, std::memory_order_relaxed);
    std::vector<std::uint32_t>& offsets = lists_.offsets;
    std::vector<NodeId>& sorted = lists_.sorted;
    std::vector<NodeId>& prompt_order = lists_.prompt_order;
    offsets.assign(n + 1, 0);
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
        // An earlier repeated edge is the first defect.
        const std::size_t duplicate = first_duplicate();
        if (duplicate < i)
          return {GraphDefect::duplicate_edge, duplicate};
        return {defect, i};
      }
      ++offsets[e.u + 1];
      if (!directed_)
        ++offsets[e.v + 1];
    }
    std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
    const std::uint32_t total = offsets[n];
    prompt_order.resize(total);
    owner_.resize(total);
    // Filling in edge order keeps each list in prompt order (a stable counting sort).
    fill_.assign(offsets.begin(), offsets.end() - 1);
    for (const Edge e : edges_) {
      const std::uint32_t at = fill_[e.u]++;
      prompt_order[at] = e.v;
      owner_[at] = e.u;
      if (!directed_) {
        const std::uint32_t back = fill_[e.v]++;
        prompt_order[back] = e.u;
        owner_[back] = e.v;
      }
    }
    // Ascending lists by a second counting pass instead of sorting each list (sorting short
    // random lists is mostly branch mispredictions): appending v to u's list over the entries
    // grouped by ascending v fills every list in order. Undirected prompt-order lists are that
    // grouping already; arcs are grouped by head first. A repeated edge is the same v appended
    // twice in a row.
    const NodeId* from = prompt_order.data();
    const NodeId* to = owner_.data();
    if (directed_) {
      in_offsets_.assign(n + 1, 0);
      for (const Edge e : edges_)
        ++in_offsets_[e.v + 1];
      std::partial_sum(in_offsets_.begin(), in_offsets_.end(), in_offsets_.begin());
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
    sorted.resize(total);
    fill_.assign(offsets.begin(), offsets.end() - 1);
    bool duplicate = false;
    for (std::uint32_t i = 0; i < total; ++i) {
      const NodeId u = from[i];
      const NodeId v = to[i];
      const std::uint32_t at = fill_[u]++;
      // With the previous entry of u's list, or harmlessly with itself when none.
      const bool has_prev = at > offsets[u];
      duplicate |= has_prev & (sorted[at - has_prev] == v);
      sorted[at] = v;
    }
    if (duplicate)
      return {GraphDefect::duplicate_edge, first_duplicate()};
    return {};
  }

  // For n ≤ 64: duplicates are bits already set in the rows, met in prompt order.
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
    lists_.make_pending(n, directed_ ? edges_.size() : 2 * edges_.size(), small_nodes);
    fill_lists_small();
    lists_.state.store(detail::GraphLists::ready, std::memory_order_relaxed);
    return {};
  }

  // From the rows and edges, into buffers sized by make_pending (a const reader fills them
  // without allocating). Every row's bits are extracted with the same trip count (the largest
  // degree): a varying one ended on a mispredicted branch per node, and a counting sort chained
  // its increments through memory (a seventh of a G15_2_4 sample's time). The extra iterations
  // write into the next row's place (filled after it) or into the slack.
  void fill_lists_small() const noexcept {
    const auto n = static_cast<NodeId>(labels_.size());
    std::uint32_t* const offsets = lists_.offsets.data();
    const std::uint64_t* const rows = rows_.data();
    std::uint32_t fill[small_nodes];
    std::uint32_t total = 0;
    std::uint32_t max_degree = 0;
    for (NodeId u = 0; u < n; ++u) {
      fill[u] = total;
      const auto d = static_cast<std::uint32_t>(detail::popcount64(rows[u]));
      total += d;
      max_degree = std::max(max_degree, d);
      offsets[u + 1] = total;
    }
    offsets[0] = 0;
    assert(lists_.prompt_order.size() == total && lists_.sorted.size() == total + small_nodes);
    NodeId* const sorted = lists_.sorted.data();
    for (NodeId u = 0; u < n; ++u) {
      NodeId* const list = sorted + fill[u];
      std::uint64_t b = rows[u];
      for (std::uint32_t j = 0; j < max_degree; ++j) {
        // The top bit spares a zero test before bsf without tzcnt; past the last neighbour the
        // value is never read.
        list[j] = static_cast<NodeId>(std::countr_zero(b | (std::uint64_t{1} << 63)));
        b &= b - 1;
      }
    }
    NodeId* const prompt = lists_.prompt_order.data();
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

  // Debug check of assign_valid's precondition: assign() accepts it and builds the same rows.
  bool check_rows() const {
    Graph g;
    return static_cast<bool>(g.assign(labels_, edges_, directed_)) && g.rows_ == rows_;
  }

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

  // What a search reads first comes first: fewer cache lines for a graph met cold.
  std::vector<Label> labels_;
  std::vector<std::uint64_t> rows_; // n ≤ small_nodes only
  mutable detail::GraphLists lists_;
  std::vector<Edge> edges_;
  std::vector<std::uint32_t> fill_;
  std::vector<NodeId> owner_;             // build()'s scratch: whose list each entry is in
  std::vector<std::uint32_t> in_offsets_; // scratch of build() for directed graphs
  std::vector<NodeId> in_from_, in_to_;
  bool directed_ = false;
};

} // namespace searchtrace
