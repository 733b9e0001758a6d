// One search core for BFS and DFS (SPEC §3–4): a state machine over a frontier discipline
// (FIFO or LIFO) and three policies. The tracer drives it with the node the discipline pops;
// the classifier replays a completion through the very same transitions, so "what a correct
// trace is" is written once, here.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "searchtrace/graph.hpp"

namespace searchtrace {

enum class Algorithm : std::uint8_t { bfs, dfs };

/// Which order an expansion lists its nodes in.
enum class NeighborOrder : std::uint8_t {
  ascending, // by node id (SPEC default)
  prompt,    // in the order the prompt mentions the neighbours
};

/// Which neighbours an expansion lists.
enum class Listing : std::uint8_t {
  unexpanded,   // every neighbour not yet expanded, queued ones again (SPEC default)
  undiscovered, // only the neighbours seen for the first time
};

/// When the exploration ends.
enum class StopRule : std::uint8_t {
  on_list, // after the expansion that lists the target (SPEC default)
  on_pop,  // when the target reaches the front of the frontier; it is not written as expanded
};

struct SearchOptions {
  Algorithm algorithm = Algorithm::bfs;
  NeighborOrder order = NeighborOrder::ascending;
  Listing listing = Listing::unexpanded;
  StopRule stop = StopRule::on_list;

  friend constexpr bool operator==(const SearchOptions&, const SearchOptions&) = default;
};

constexpr std::string_view algorithm_name(Algorithm a) noexcept {
  return a == Algorithm::bfs ? "bfs" : "dfs";
}

constexpr std::optional<Algorithm> parse_algorithm(std::string_view s) noexcept {
  if (s == "bfs")
    return Algorithm::bfs;
  if (s == "dfs")
    return Algorithm::dfs;
  return std::nullopt;
}

/// The implicit state behind a trace: the frontier (queue or stack), the expanded set (the
/// blog's "visited" array), the discovered set and the parent map.
///
/// When things happen, precisely (tested): a node counts as *expanded* from the moment it is
/// expanded, before its list is written; a listed node counts as *discovered*, with its parent
/// set, as soon as it is listed, and from then on `in_frontier` and `frontier_size` count it.
/// The pop order (`next`, `for_each_in_frontier`) receives a newly discovered node at once in a
/// FIFO queue (SPEC §3 pushes while listing), but a LIFO stack receives the listed nodes when
/// the expansion is closed (`close`), because the stack's order depends on the whole list.
///
/// The frontier is lazy: an entry whose node has since been expanded, or (LIFO) that a later
/// entry of the same node has moved to the top, is skipped when it surfaces. Every view below
/// shows only live entries, so between expansions a node is in the frontier iff it is
/// discovered and not expanded.
class SearchState {
public:
  /// Starts a search: the source is discovered and is the frontier's only entry.
  void reset(const Graph& g, Query q, const SearchOptions& o) {
    graph_ = &g;
    query_ = q;
    options_ = o;
    const std::size_t n = g.node_count();
    // The buffers only grow; a search touches the first n entries. pos_ needs no reset: it is
    // read only for nodes that have an entry, and push() sets it. The queue holds each node at
    // most once (plus the source), so a BFS never grows entries_ during the search.
    if (flags_.size() < n) {
      flags_.resize(n);
      parent_.resize(n);
      pos_.resize(n);
    }
    if (entries_.size() < n + 1)
      entries_.resize(n + 1);
    std::fill_n(flags_.data(), n, std::uint8_t{0});
    std::fill_n(parent_.data(), n, no_node);
    top_ = 0;
    pending_top_ = 0;
    head_ = 0;
    expansions_ = 0;
    frontier_size_ = 0;
    current_ = no_node;
    target_listed_ = false;
    if (q.source < n) {
      flags_[q.source] = discovered_bit;
      frontier_size_ = 1;
      push(q.source);
    }
  }

  const Graph& graph() const noexcept { return *graph_; }
  Query query() const noexcept { return query_; }
  const SearchOptions& options() const noexcept { return options_; }

  bool expanded(NodeId v) const noexcept { return (flags_[v] & expanded_bit) != 0; }
  bool discovered(NodeId v) const noexcept { return (flags_[v] & discovered_bit) != 0; }
  bool in_frontier(NodeId v) const noexcept { return flags_[v] == discovered_bit; }
  /// The node that listed v (BFS: its first lister; DFS: the last), or no_node.
  NodeId parent(NodeId v) const noexcept { return parent_[v]; }
  /// The node being expanded, between `expand` and `close`; no_node otherwise.
  NodeId current() const noexcept { return current_; }
  std::size_t expansion_count() const noexcept { return expansions_; }
  std::size_t frontier_size() const noexcept { return frontier_size_; }
  bool target_listed() const noexcept { return target_listed_; }

  /// Calls f(v) for each node of the frontier in the order the discipline would pop them.
  template <class F>
  void for_each_in_frontier(F&& f) const {
    if (options_.algorithm == Algorithm::bfs) {
      for (std::size_t i = head_; i < top_; ++i)
        if (!expanded(entries_[i]))
          f(entries_[i]);
    } else {
      for (std::size_t i = top_; i-- > 0;)
        if (live_lifo(i))
          f(entries_[i]);
    }
  }

  /// The node the discipline expands next, or no_node when the frontier is empty.
  NodeId next() noexcept {
    if (options_.algorithm == Algorithm::bfs) {
      while (head_ < top_ && expanded(entries_[head_]))
        ++head_;
      return head_ < top_ ? entries_[head_] : no_node;
    }
    while (top_ > 0 && !live_lifo(top_ - 1))
      --top_;
    return top_ == 0 ? no_node : entries_[top_ - 1];
  }

  /// Whether the exploration is complete under the stop rule. For on_pop this looks at the
  /// frontier, so call it between expansions.
  bool should_stop() noexcept {
    if (options_.stop == StopRule::on_list)
      return target_listed_;
    return next() == query_.target;
  }

  /// Expands u: from here on u counts as expanded. u need not be the node `next()` names (a
  /// replay adopts the completion's choice); it leaves the frontier wherever it is.
  void expand(NodeId u) noexcept {
    if (in_frontier(u))
      --frontier_size_;
    flags_[u] = expanded_bit | discovered_bit;
    current_ = u;
    ++expansions_;
    pending_top_ = 0;
  }

  /// The current node lists v. Returns true when v is discovered by it (first seen).
  bool list(NodeId v) {
    target_listed_ |= v == query_.target;
    // flags_ is 0 (unseen), discovered_bit, or both bits (expanded).
    const std::uint8_t f = flags_[v];
    if (f & expanded_bit)
      return false; // only a replay lists an expanded node; it changes nothing
    const bool fresh = f == 0;
    flags_[v] = discovered_bit;
    frontier_size_ += fresh;
    if (options_.algorithm == Algorithm::bfs) {
      // Branch-free on `fresh` (unpredictable on random graphs): the queue always has room for
      // one more entry (see reset), so v is written and kept only when fresh.
      parent_[v] = fresh ? current_ : parent_[v];
      if (top_ == entries_.size()) [[unlikely]]
        grow(entries_);
      entries_[top_] = v;
      top_ += fresh;
    } else {
      parent_[v] = current_; // a node already on the stack moves to the top: new parent
      append(pending_, pending_top_, v);
    }
    return fresh;
  }

  /// Ends the expansion: LIFO pushes its list so that the first listed node ends on top.
  void close() {
    if (options_.algorithm == Algorithm::dfs)
      for (std::size_t i = pending_top_; i-- > 0;)
        if (!expanded(pending_[i]))
          push(pending_[i]);
    pending_top_ = 0;
    current_ = no_node;
  }

  /// Calls f(v) for each node a correct expansion of u lists, in the required order.
  template <class F>
  void for_each_reference_listing(NodeId u, F&& f) const {
    const auto nb = options_.order == NeighborOrder::ascending
                        ? graph_->neighbors(u)
                        : graph_->neighbors_in_prompt_order(u);
    const std::uint8_t skip =
        options_.listing == Listing::unexpanded ? expanded_bit : expanded_bit | discovered_bit;
    for (const NodeId v : nb)
      if ((flags_[v] & skip) == 0)
        f(v);
  }

private:
  static constexpr std::uint8_t discovered_bit = 1;
  static constexpr std::uint8_t expanded_bit = 2;

  bool live_lifo(std::size_t i) const noexcept {
    const NodeId v = entries_[i];
    return !expanded(v) && pos_[v] == i;
  }

  void push(NodeId v) {
    if (options_.algorithm == Algorithm::dfs)
      pos_[v] = static_cast<std::uint32_t>(top_);
    append(entries_, top_, v);
  }

  // Appends v at buf[top++], growing buf (whose size is its capacity) when full: an inline
  // store on the hot path instead of a push_back call.
  static void append(std::vector<NodeId>& buf, std::size_t& top, NodeId v) {
    if (top == buf.size()) [[unlikely]]
      grow(buf);
    buf[top++] = v;
  }
  static void grow(std::vector<NodeId>& buf) { buf.resize(buf.size() < 8 ? 16 : 2 * buf.size()); }

  const Graph* graph_ = nullptr;
  Query query_;
  SearchOptions options_;
  std::vector<std::uint8_t> flags_;
  std::vector<NodeId> parent_;
  std::vector<NodeId> entries_;    // queue [head_, top_) or stack [0, top_) (top_-1 = top)
  std::vector<std::uint32_t> pos_; // LIFO: index of a node's newest entry
  std::vector<NodeId> pending_;    // LIFO: the current list [0, pending_top_), pushed at close()
  std::size_t top_ = 0;
  std::size_t pending_top_ = 0;
  std::size_t head_ = 0;
  std::size_t expansions_ = 0;
  std::size_t frontier_size_ = 0;
  NodeId current_ = no_node;
  bool target_listed_ = false;
};

enum class SearchStatus : std::uint8_t { found, unreachable };

namespace detail {

template <class Sink, class... Args>
void fire_expand(Sink& s, const Args&... args) {
  if constexpr (requires { s.on_expand(args...); })
    s.on_expand(args...);
}
template <class Sink, class... Args>
void fire_list(Sink& s, const Args&... args) {
  if constexpr (requires { s.on_list(args...); })
    s.on_list(args...);
}
template <class Sink, class... Args>
void fire_discover(Sink& s, const Args&... args) {
  if constexpr (requires { s.on_discover(args...); })
    s.on_discover(args...);
}
template <class Sink, class... Args>
void fire_close(Sink& s, const Args&... args) {
  if constexpr (requires { s.on_close(args...); })
    s.on_close(args...);
}
template <class Sink, class... Args>
void fire_stop(Sink& s, const Args&... args) {
  if constexpr (requires { s.on_stop(args...); })
    s.on_stop(args...);
}
template <class Sink, class... Args>
void fire_backtrack(Sink& s, const Args&... args) {
  if constexpr (requires { s.on_backtrack(args...); })
    s.on_backtrack(args...);
}

} // namespace detail

/// Runs the search, reporting events to `sink` (taken by reference, never copied). A sink
/// implements any subset of these members; each receives the state, readable at that moment:
///
/// ```
///   frontier = [source]; discovered = {source}
///   loop:
///     u = next(); if none: return unreachable
///     if stop == on_pop and u == target: break
///     expand u                           on_expand(state, u)      u is now expanded
///     for v in reference listing of u:   on_list(state, u, v)     v discovered, parent set
///       if v seen for the first time:    on_discover(state, v)
///     close u                            on_close(state, u)       frontier updated
///     if stop == on_list and target listed: break
///                                        on_stop(state)
///   v = target; repeat: on_backtrack(state, v); v = parent(v) until v was the source
/// ```
/// A query whose source is its target has no trace in the grammar (a completion needs at least
/// one expansion, and prompts reject it, SPEC §7.8), and query ids out of range name no node:
/// both throw std::invalid_argument (a programming error, not a property of the data).
template <class Sink>
[[nodiscard]] SearchStatus search(SearchState& st, const Graph& g, Query q, const SearchOptions& o,
                                  Sink& sink) {
  if (q.source >= g.node_count() || q.target >= g.node_count())
    throw std::invalid_argument("searchtrace: query node id out of range");
  if (q.source == q.target)
    throw std::invalid_argument("searchtrace: a query's source and target must differ");
  st.reset(g, q, o);
  for (bool done = false; !done;) {
    const NodeId u = st.next();
    if (u == no_node)
      return SearchStatus::unreachable;
    if (o.stop == StopRule::on_pop && u == q.target)
      break;
    st.expand(u);
    detail::fire_expand(sink, st, u);
    st.for_each_reference_listing(u, [&](NodeId v) {
      const bool fresh = st.list(v);
      detail::fire_list(sink, st, u, v);
      if (fresh)
        detail::fire_discover(sink, st, v);
    });
    st.close();
    detail::fire_close(sink, st, u);
    done = o.stop == StopRule::on_list && st.target_listed();
  }
  detail::fire_stop(sink, st);
  // Parents point to nodes expanded strictly earlier, so this ends at the source.
  NodeId v = q.target;
  for (;;) {
    detail::fire_backtrack(sink, st, v);
    if (v == q.source)
      break;
    v = st.parent(v);
  }
  return SearchStatus::found;
}

/// Combines two sinks: each event goes to both, in order (see `tee`).
template <class A, class B>
struct Tee {
  A& a;
  B& b;
  template <class... Args>
  void on_expand(const Args&... x) {
    detail::fire_expand(a, x...);
    detail::fire_expand(b, x...);
  }
  template <class... Args>
  void on_list(const Args&... x) {
    detail::fire_list(a, x...);
    detail::fire_list(b, x...);
  }
  template <class... Args>
  void on_discover(const Args&... x) {
    detail::fire_discover(a, x...);
    detail::fire_discover(b, x...);
  }
  template <class... Args>
  void on_close(const Args&... x) {
    detail::fire_close(a, x...);
    detail::fire_close(b, x...);
  }
  template <class... Args>
  void on_stop(const Args&... x) {
    detail::fire_stop(a, x...);
    detail::fire_stop(b, x...);
  }
  template <class... Args>
  void on_backtrack(const Args&... x) {
    detail::fire_backtrack(a, x...);
    detail::fire_backtrack(b, x...);
  }
};

template <class A, class B>
Tee<A, B> tee(A& a, B& b) {
  return {a, b};
}

} // namespace searchtrace
