// Frontier disciplines: where the nodes an expansion lists wait, and which one is expanded next.
// A discipline is a small type the search loop is instantiated with (search.hpp); the loop, the
// classifier's replay and the cursor never ask which one they run, so a new discipline (a
// priority frontier for best-first, Dijkstra or A*) is a new type and touches no loop.
//
// What a discipline provides (FifoFrontier is the smallest complete example):
//
//   static constexpr DisciplineTraits traits;       names and the words of diagnostics
//   void reset(detail::FrontierBuffers&, std::size_t n, NodeId source)
//   void on_expand(NodeId u)                        u is being expanded (LIFO clears its list)
//   void on_list(NodeId v, bool fresh)              v (not expanded) was listed; fresh: first time
//   template <class Expanded> void on_close(Expanded&& expanded)
//                                                   the expansion ends (LIFO pushes its list)
//   template <class Expanded> NodeId next(Expanded&& expanded)
//                                                   the node to expand next, or no_node
//   template <class Expanded, class F> void for_each(Expanded&& expanded, F&& f) const
//                                                   the nodes waiting, in the order next() takes
//                                                   them
//
// `expanded(v)` answers whether v has been expanded: entries of expanded nodes are dead and
// skipped (frontiers are lazy). A discipline may hold its own state (a priority frontier holds
// its keys); it is copied from a prototype at the start of every search.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "searchtrace/graph.hpp"

namespace searchtrace {

/// What the diagnostics and the classifier need to know of a discipline.
struct DisciplineTraits {
  std::string_view name;      // "bfs", "dfs": the algorithm's name in options and reports
  std::string_view container; // "queue", "stack": what the frontier is called
  std::string_view front;     // "at the front of the queue": where the next node stands
  std::string_view reach;     // "reached the front of the queue": the target got there
  /// The answer of a correct search is a shortest path (BFS): a longer valid path is
  /// answer_not_shortest. Otherwise the answer must be the reference path itself.
  bool shortest_paths = false;
  /// Listing a node that already waits gives it the new lister as parent (DFS: the lister that
  /// last moved it to the top). Otherwise a node keeps its first lister (BFS).
  bool relist_reparents = false;
};

namespace detail {

/// Reusable storage that a SearchState lends its frontier: grows, never shrinks, so a search
/// allocates nothing once warm.
struct FrontierBuffers {
  std::vector<NodeId> entries;
  std::vector<std::uint32_t> pos;
  std::vector<NodeId> pending;

  NodeId* entries_for(std::size_t n) {
    if (entries.size() < n)
      entries.resize(n);
    return entries.data();
  }
  std::uint32_t* pos_for(std::size_t n) {
    if (pos.size() < n)
      pos.resize(n);
    return pos.data();
  }
  NodeId* pending_for(std::size_t n) {
    if (pending.size() < n)
      pending.resize(n);
    return pending.data();
  }
};

} // namespace detail

/// BFS's queue ("first in, first out"): a listed node joins the back when it is discovered; a
/// node listed again keeps its place. Each node enters at most once, so the queue needs no more
/// than n entries and never grows during a search. An expanded node leaves the queue at once
/// (a search expands the front; a replay may expand a node from the middle, which is then
/// taken out), so the queue holds no dead entry and `next` is its front.
class FifoFrontier {
public:
  static constexpr DisciplineTraits traits{
      "bfs", "queue", "at the front of the queue", "reached the front of the queue", true, false};

  void reset(detail::FrontierBuffers& b, std::size_t n, NodeId source) {
    // One entry more than nodes: on_list stores before it knows whether to keep the entry.
    q_ = b.entries_for(n + 1);
    head_ = 0;
    q_[0] = source;
    top_ = 1;
  }
  void on_expand(NodeId u) noexcept {
    if (head_ < top_ && q_[head_] == u) [[likely]] {
      ++head_;
      return;
    }
    for (std::size_t i = head_; i < top_; ++i)
      if (q_[i] == u) {
        for (std::size_t j = i + 1; j < top_; ++j)
          q_[j - 1] = q_[j];
        --top_;
        return;
      }
  }
  void on_list(NodeId v, bool fresh) noexcept {
    // Branch-free on `fresh` (unpredictable on random graphs).
    q_[top_] = v;
    top_ += fresh;
  }
  template <class Expanded>
  void on_close(Expanded&&) noexcept {}
  template <class Expanded>
  NodeId next(Expanded&&) const noexcept {
    return head_ < top_ ? q_[head_] : no_node;
  }
  template <class Expanded, class F>
  void for_each(Expanded&&, F&& f) const {
    for (std::size_t i = head_; i < top_; ++i)
      f(q_[i]);
  }

private:
  NodeId* q_ = nullptr;
  std::size_t head_ = 0, top_ = 0;
};

/// DFS's stack: an expansion's list is pushed when the expansion closes, last listed first, so
/// the first listed node ends on top; a node already waiting moves to the top (its older entry
/// is dead: `pos` remembers each node's newest entry).
class LifoFrontier {
public:
  static constexpr DisciplineTraits traits{
      "dfs", "stack", "on top of the stack", "reached the top of the stack", false, true};

  void reset(detail::FrontierBuffers& b, std::size_t n, NodeId source) {
    buffers_ = &b;
    entries_ = b.entries_for(n + 1);
    capacity_ = b.entries.size();
    pos_ = b.pos_for(n);
    pending_ = b.pending_for(n);
    pending_capacity_ = b.pending.size();
    top_ = 0;
    pending_top_ = 0;
    push(source);
  }
  void on_expand(NodeId) noexcept { pending_top_ = 0; }
  void on_list(NodeId v, bool) {
    if (pending_top_ == pending_capacity_) [[unlikely]]
      grow(buffers_->pending, pending_, pending_capacity_);
    pending_[pending_top_++] = v;
  }
  template <class Expanded>
  void on_close(Expanded&& expanded) {
    for (std::size_t i = pending_top_; i-- > 0;)
      if (!expanded(pending_[i]))
        push(pending_[i]);
    pending_top_ = 0;
  }
  template <class Expanded>
  NodeId next(Expanded&& expanded) noexcept {
    while (top_ > 0 && !live(top_ - 1, expanded))
      --top_;
    return top_ == 0 ? no_node : entries_[top_ - 1];
  }
  template <class Expanded, class F>
  void for_each(Expanded&& expanded, F&& f) const {
    for (std::size_t i = top_; i-- > 0;)
      if (live(i, expanded))
        f(entries_[i]);
  }

private:
  template <class Expanded>
  bool live(std::size_t i, Expanded&& expanded) const noexcept {
    const NodeId v = entries_[i];
    return !expanded(v) && pos_[v] == i;
  }
  void push(NodeId v) {
    if (top_ == capacity_) [[unlikely]]
      grow(buffers_->entries, entries_, capacity_);
    pos_[v] = static_cast<std::uint32_t>(top_);
    entries_[top_++] = v;
  }
  static void grow(std::vector<NodeId>& buf, NodeId*& data, std::size_t& capacity) {
    buf.resize(buf.size() < 8 ? 16 : 2 * buf.size());
    data = buf.data();
    capacity = buf.size();
  }

  detail::FrontierBuffers* buffers_ = nullptr;
  NodeId* entries_ = nullptr;
  std::size_t capacity_ = 0;
  std::uint32_t* pos_ = nullptr;
  NodeId* pending_ = nullptr;
  std::size_t pending_capacity_ = 0;
  std::size_t top_ = 0, pending_top_ = 0;
};

} // namespace searchtrace
