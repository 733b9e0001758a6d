// Tracers: run the search core and record the explicit trace (SPEC §3–4).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>

#include "searchtrace/hints.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/result.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/trace.hpp"

namespace searchtrace {

/// Why a tracer produced no trace. The only cause is a target the source cannot reach: then
/// there is no sample, and the caller decides what to do.
struct Unreachable {
  Query query;
  std::string message;
};

/// A sink that records the trace as labels.
class TraceRecorder {
public:
  explicit TraceRecorder(Trace& out) noexcept : out_(&out) {}

  void on_expand(const SearchState& s, NodeId u) { out_->begin_expansion(s.graph().label(u)); }
  void on_list(const SearchState& s, NodeId, NodeId v) { out_->list_node(s.graph().label(v)); }
  void on_backtrack(const SearchState& s, NodeId v) {
    out_->backtrack.push_back(s.graph().label(v));
  }

private:
  Trace* out_;
};

namespace detail {

/// The hooks of trace_bfs_rows that see the trace as it is made, in dense ids (a writer of its
/// text, see render.hpp's CompactCompletionEcho): this one does nothing.
struct NoEcho {
  void expand(NodeId) noexcept {}
  void list(NodeId) noexcept {}
  void end_list(bool /*nonempty*/) noexcept {}
  void end_expansions() noexcept {}
  void backtrack(NodeId) noexcept {}
  void end_backtrack() noexcept {}
};

/// BFS listing in ascending order (either listing policy, either stop rule) on a graph's bit
/// rows: SearchState's transitions with the sets as single words. In a tracer the queue never
/// holds an expanded node (a node is queued once, when discovered, and expanded when popped), so
/// the queue is a plain array; an expansion lists `row(u)` minus the excluded set, ascending,
/// and queues the part of it not yet discovered, in the same order. tests/tracer.cpp holds
/// every tracer to an independent checker, and compares this path with the SearchState path.
/// `echo` sees each step as it is recorded (see NoEcho).
template <class Echo = NoEcho>
SEARCHTRACE_FLATTEN inline SearchStatus trace_bfs_rows(Trace& out, const Graph& g, Query q,
                                                       const SearchOptions& o, Echo&& echo = {}) {
  const std::uint64_t* const rows = g.rows().data();
  const Label* const label = g.labels().data();
  const std::size_t n = g.node_count();
  const NodeId s = q.source, t = q.target;
  const bool undiscovered = o.listing == Listing::undiscovered;
  const bool on_pop = o.stop == StopRule::on_pop;
  NodeId queue[Graph::small_nodes];
  NodeId parent[Graph::small_nodes];
  std::size_t head = 0, tail = 0;
  queue[tail++] = s;
  std::uint64_t expanded = 0, discovered = std::uint64_t{1} << s;
  // push_back into reserved room: the capacity checks are predictable, where growing the
  // vectors by resize() costs an out-of-line call each.
  const std::size_t listed_bound = g.directed() ? g.edge_count() : 2 * g.edge_count();
  out.expanded.reserve(n);
  out.list_end.reserve(n);
  out.listed.reserve(listed_bound);
  auto listed_count = static_cast<std::uint32_t>(0);
  SearchStatus status = SearchStatus::unreachable;
  while (head < tail) {
    const NodeId u = queue[head++];
    if (on_pop && u == t) {
      status = SearchStatus::found;
      break;
    }
    expanded |= std::uint64_t{1} << u;
    const std::uint64_t list = rows[u] & ~(undiscovered ? expanded | discovered : expanded);
    const std::uint64_t fresh = list & ~discovered;
    discovered |= list;
    out.expanded.push_back(label[u]);
    echo.expand(u);
    // Counted in the loop: a popcount without the POPCNT instruction (portable builds) is a
    // dozen instructions per expansion.
    for (std::uint64_t b = list; b != 0; b &= b - 1) {
      const auto v = static_cast<NodeId>(std::countr_zero(b));
      out.listed.push_back(label[v]);
      echo.list(v);
      ++listed_count;
    }
    echo.end_list(list != 0);
    out.list_end.push_back(listed_count);
    for (std::uint64_t b = fresh; b != 0; b &= b - 1) {
      const auto v = static_cast<NodeId>(std::countr_zero(b));
      parent[v] = u;
      queue[tail++] = v;
    }
    if (!on_pop && ((list >> t) & 1u)) {
      status = SearchStatus::found;
      break;
    }
  }
  echo.end_expansions();
  if (status == SearchStatus::found) {
    // Parents point to nodes expanded earlier, so the walk ends at the source.
    out.backtrack.reserve(n);
    for (NodeId v = t;; v = parent[v]) {
      out.backtrack.push_back(label[v]);
      echo.backtrack(v);
      if (v == s)
        break;
    }
    echo.end_backtrack();
    out.path.assign(out.backtrack.rbegin(), out.backtrack.rend());
  }
  return status;
}

/// Whether trace_into takes trace_bfs_rows for this search: BFS in ascending order on a graph
/// with bit rows, between two distinct nodes of it.
inline bool traces_on_rows(const Graph& g, Query q, const SearchOptions& o) noexcept {
  return o.algorithm == Algorithm::bfs && o.order == NeighborOrder::ascending &&
         !g.rows().empty() && q.source < g.node_count() && q.target < g.node_count() &&
         q.source != q.target;
}

} // namespace detail

/// Traces into reused buffers: the allocation-free path for generating many samples. On
/// `unreachable`, `out` holds the partial exploration and no backtrack or path.
///
/// BFS in ascending order on a graph of at most Graph::small_nodes nodes runs on the graph's
/// bit rows (detail::trace_bfs_rows) instead of driving SearchState: the same trace, for about
/// a third of the work; every other case drives SearchState.
[[nodiscard]] inline SearchStatus trace_into(Trace& out, SearchState& scratch, const Graph& g,
                                             Query q, const SearchOptions& o = {}) {
  out.clear();
  if (detail::traces_on_rows(g, q, o))
    return detail::trace_bfs_rows(out, g, q, o);
  TraceRecorder rec(out);
  const SearchStatus st = search(scratch, g, q, o, rec);
  if (st == SearchStatus::found)
    out.path.assign(out.backtrack.rbegin(), out.backtrack.rend());
  return st;
}

/// The trace of `o.algorithm` from q.source to q.target, or Unreachable.
inline Result<Trace, Unreachable> trace(const Graph& g, Query q, const SearchOptions& o = {}) {
  Trace t;
  SearchState scratch;
  if (trace_into(t, scratch, g, q, o) == SearchStatus::unreachable)
    return Unreachable{q, "target " + std::to_string(g.label(q.target)) +
                              " cannot be reached from " + std::to_string(g.label(q.source))};
  return t;
}

inline Result<Trace, Unreachable> trace(const Prompt& p, const SearchOptions& o = {}) {
  return trace(p.graph, p.query, o);
}

/// BFS as the seed does it (SPEC §3); `o.algorithm` is ignored.
inline Result<Trace, Unreachable> trace_bfs(const Prompt& p, SearchOptions o = {}) {
  o.algorithm = Algorithm::bfs;
  return trace(p, o);
}

/// DFS in the same grammar (SPEC §4); `o.algorithm` is ignored.
inline Result<Trace, Unreachable> trace_dfs(const Prompt& p, SearchOptions o = {}) {
  o.algorithm = Algorithm::dfs;
  return trace(p, o);
}

} // namespace searchtrace
