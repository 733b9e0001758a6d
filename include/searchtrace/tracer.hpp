// Tracers: the search loop (search.hpp) with a sink that records the explicit trace.
//
//   Prompt → search loop → TraceRecorder → Trace → render, labels, tests
#pragma once

#include <cstddef>
#include <string>

#include "searchtrace/frontier.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/result.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/trace.hpp"

namespace searchtrace {

/// The only cause: the target cannot be reached, so there is no sample.
struct Unreachable {
  Query query;
  std::string message;
};

class TraceRecorder {
public:
  explicit TraceRecorder(Trace& out) noexcept : out_(&out) {}

  template <class State>
  void on_start(const State& s) {
    listed_ = static_cast<std::uint32_t>(out_->listed.size());
    // Room reserved once: growing the vectors one resize at a time cost an out-of-line call each.
    const std::size_t n = s.node_count();
    const Graph& g = s.graph();
    out_->expanded.reserve(n);
    out_->list_end.reserve(n);
    out_->listed.reserve(g.directed() ? g.edge_count() : 2 * g.edge_count());
    out_->backtrack.reserve(n);
    out_->path.reserve(n);
  }
  template <class State>
  void on_expand(const State& s, NodeId u) {
    out_->expanded.push_back(s.label(u));
    out_->list_end.push_back(listed_);
  }
  template <class State>
  void on_list(const State& s, NodeId, NodeId v) {
    out_->listed.push_back(s.label(v));
    ++listed_;
  }
  template <class State>
  void on_close(const State&, NodeId) {
    out_->list_end.back() = listed_;
  }
  template <class State>
  void on_backtrack(const State& s, NodeId v) {
    out_->backtrack.push_back(s.label(v));
  }
  template <class State>
  void on_path(const State& s, NodeId v) {
    out_->path.push_back(s.label(v));
  }

private:
  Trace* out_;
  std::uint32_t listed_ = 0; // out_->listed.size(), kept where the compiler can keep it
};

/// The allocation-free path for many samples. On `unreachable`, `out` holds the partial
/// exploration and no backtrack or path.
[[nodiscard]] inline SearchStatus trace_into(Trace& out, SearchScratch& scratch, const Graph& g,
                                             Query q, const SearchOptions& o = {}) {
  out.clear();
  TraceRecorder rec(out);
  return search(scratch, g, q, o, rec);
}

template <class Frontier>
[[nodiscard]] SearchStatus trace_into(Trace& out, SearchScratch& scratch, const Graph& g, Query q,
                                      const SearchOptions& o, const Frontier& frontier) {
  out.clear();
  TraceRecorder rec(out);
  return search(scratch, g, q, o, frontier, rec);
}

namespace detail {

inline Unreachable unreachable(const Graph& g, Query q) {
  return Unreachable{q, "target " + std::to_string(g.label(q.target)) + " cannot be reached from " +
                            std::to_string(g.label(q.source))};
}

} // namespace detail

inline Result<Trace, Unreachable> trace(const Graph& g, Query q, const SearchOptions& o = {}) {
  Trace t;
  SearchScratch scratch;
  if (trace_into(t, scratch, g, q, o) == SearchStatus::unreachable)
    return detail::unreachable(g, q);
  return t;
}

inline Result<Trace, Unreachable> trace(const Prompt& p, const SearchOptions& o = {}) {
  return trace(p.graph, p.query, o);
}

template <class Frontier>
Result<Trace, Unreachable> trace(const Prompt& p, const SearchOptions& o,
                                 const Frontier& frontier) {
  Trace t;
  SearchScratch scratch;
  if (trace_into(t, scratch, p.graph, p.query, o, frontier) == SearchStatus::unreachable)
    return detail::unreachable(p.graph, p.query);
  return t;
}

/// BFS as the seed does it; `o.algorithm` is ignored.
inline Result<Trace, Unreachable> trace_bfs(const Prompt& p, SearchOptions o = {}) {
  o.algorithm = Algorithm::bfs;
  return trace(p, o);
}

/// DFS in the same grammar; `o.algorithm` is ignored.
inline Result<Trace, Unreachable> trace_dfs(const Prompt& p, SearchOptions o = {}) {
  o.algorithm = Algorithm::dfs;
  return trace(p, o);
}

} // namespace searchtrace
