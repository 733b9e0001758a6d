// Tracers: run the search core and record the explicit trace (SPEC §3–4).
#pragma once

#include <string>

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

/// Traces into reused buffers: the allocation-free path for generating many samples. On
/// `unreachable`, `out` holds the partial exploration and no backtrack or path.
[[nodiscard]] inline SearchStatus trace_into(Trace& out, SearchState& scratch, const Graph& g,
                                             Query q, const SearchOptions& o = {}) {
  out.clear();
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
