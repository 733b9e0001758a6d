// Frontier disciplines: where the nodes an expansion lists wait, and which one is expanded next.
// The search loop (search.hpp) is instantiated with one; the loop, the replay and the cursor
// never ask which, so a new discipline (best-first, Dijkstra, A*) is a new type, not a new loop.
//
//   search loop / replay → SearchState → Frontier (FIFO: BFS, LIFO: DFS, a caller's own)
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
//                                                   the nodes waiting, in next()'s order
//
// Entries of expanded nodes (`expanded(v)`) are dead and skipped: frontiers are lazy. A
// discipline's own state (a priority frontier's keys) is copied from a prototype per search.
#pragma once

#include <algorithm>
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
  /// Answers are shortest paths (BFS: a longer valid path is answer_not_shortest); otherwise
  /// the answer must be the reference path itself.
  bool shortest_paths = false;
  /// A node listed again takes the new lister as parent (DFS); otherwise it keeps its first.
  bool relist_reparents = false;
};

namespace detail {

/// Room for n elements in a buffer that only grows, so that once warm nothing allocates.
template <class T>
T* sized(std::vector<T>& v, std::size_t n) {
  if (v.size() < n)
    v.resize(n);
  return v.data();
}

/// The storage a SearchState lends its frontier.
struct FrontierBuffers {
  std::vector<NodeId> entries;
  std::vector<std::uint32_t> pos;
  std::vector<NodeId> pending;
};

} // namespace detail

/// BFS's queue: a node joins the back when discovered and keeps its place when listed again, so
/// n entries suffice. An expanded node leaves at once (a replay may take one from the middle),
/// so the queue holds no dead entry and `next` is its front.
class FifoFrontier {
public:
  static constexpr DisciplineTraits traits{
      "bfs", "queue", "at the front of the queue", "reached the front of the queue", true, false};

  void reset(detail::FrontierBuffers& b, std::size_t n, NodeId source) {
    // One entry more than nodes: on_list stores before it knows whether to keep the entry.
    q_ = detail::sized(b.entries, n + 1);
    head_ = 0;
    q_[0] = source;
    top_ = 1;
  }
  void on_expand(NodeId u) noexcept {
    if (head_ < top_ && q_[head_] == u) [[likely]] {
      ++head_;
      return;
    }
    NodeId* const at = std::find(q_ + head_, q_ + top_, u);
    if (at != q_ + top_)
      top_ = static_cast<std::size_t>(std::copy(at + 1, q_ + top_, at) - q_);
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

/// DFS's stack: a list is pushed when its expansion closes, last listed first, so the first
/// listed ends on top; a node already waiting moves to the top (`pos`: each node's newest entry).
class LifoFrontier {
public:
  static constexpr DisciplineTraits traits{
      "dfs", "stack", "on top of the stack", "reached the top of the stack", false, true};

  void reset(detail::FrontierBuffers& b, std::size_t n, NodeId source) {
    buffers_ = &b;
    entries_ = detail::sized(b.entries, n + 1);
    capacity_ = b.entries.size();
    pos_ = detail::sized(b.pos, n);
    pending_ = detail::sized(b.pending, n);
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
