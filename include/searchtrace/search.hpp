// The search core: one loop for every algorithm, over a frontier discipline (frontier.hpp: FIFO
// for BFS, LIFO for DFS, or a caller's own) and a representation of the graph's sets (word rows
// for graphs of up to 64 nodes in ascending order, adjacency lists otherwise, chosen in
// `with_search_state` alone). The tracer, the text writer, the classifier's matcher and the
// cursor are sinks of `run_search`; the classifier's replay drives the same transitions of
// `SearchState` with the nodes a completion writes. BFS and DFS as searched here:
// docs/reference.md, 'BFS and DFS'.
//
//   prompt → Graph → search loop → events → sinks: TraceRecorder (Trace), TokenWriter (text,
//                                            ids, token counts, matching), StateLabeler, ...
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "searchtrace/bits.hpp"
#include "searchtrace/frontier.hpp"
#include "searchtrace/graph.hpp"
#include "searchtrace/hints.hpp"

namespace searchtrace {

enum class Algorithm : std::uint8_t { bfs, dfs };

/// Which order an expansion lists its nodes in.
enum class NeighborOrder : std::uint8_t {
  ascending, // by node id (the seed's)
  prompt,    // in the order the prompt mentions the neighbours
};

/// Which neighbours an expansion lists.
enum class Listing : std::uint8_t {
  unexpanded,   // every neighbour not yet expanded, queued ones again (the seed's)
  undiscovered, // only the neighbours seen for the first time
};

/// When the exploration ends.
enum class StopRule : std::uint8_t {
  on_list, // after the expansion that lists the target (the seed's)
  on_pop,  // when the target reaches the front of the frontier; it is not written as expanded
};

struct SearchOptions {
  Algorithm algorithm = Algorithm::bfs; // the discipline, unless a caller gives its own
  NeighborOrder order = NeighborOrder::ascending;
  Listing listing = Listing::unexpanded;
  StopRule stop = StopRule::on_list;

  friend constexpr bool operator==(const SearchOptions&, const SearchOptions&) = default;
};

constexpr std::string_view algorithm_name(Algorithm a) noexcept {
  return a == Algorithm::dfs ? LifoFrontier::traits.name : FifoFrontier::traits.name;
}

constexpr std::optional<Algorithm> parse_algorithm(std::string_view s) noexcept {
  for (const Algorithm a : {Algorithm::bfs, Algorithm::dfs})
    if (s == algorithm_name(a))
      return a;
  return std::nullopt;
}

enum class SearchStatus : std::uint8_t {
  found,       // the target was reached; the backtrack and the path were reported
  unreachable, // the frontier ran empty first
  stopped,     // a sink's hook answered false ("do not go on")
};

/// The buffers a search works in: keep one per thread. They only grow, so once warm a search
/// allocates nothing.
struct SearchScratch {
  detail::FrontierBuffers frontier;
  std::vector<NodeId> parent;
  std::vector<std::uint8_t> flags;
  std::vector<NodeId> chain;   // the backtrack, for the path
  std::vector<Label> phantoms; // a replay's numbers that are no node (see SearchState::foreign)
  std::unordered_map<Label, NodeId> phantom_ids; // and their ids
};

// --- representations ----------------------------------------------------------------------------

/// The sets of a search on a graph of up to 64 nodes as single words: an expansion lists
/// `row(u)` minus the excluded set, with no test per neighbour.
class RowSets {
public:
  void reset(SearchScratch&, const Graph& g, NodeId source) noexcept {
    rows_ = g.rows().data();
    expanded_ = 0;
    discovered_ = bit(source);
    listed_ = 0;
  }
  bool expanded(NodeId v) const noexcept { return (expanded_ >> v) & 1u; }
  bool discovered(NodeId v) const noexcept { return (discovered_ >> v) & 1u; }
  bool listed(NodeId v) const noexcept { return (listed_ >> v) & 1u; }
  void expand(NodeId u) noexcept {
    expanded_ |= bit(u);
    discovered_ |= bit(u);
  }
  /// Marks v listed and, unless expanded, discovered: 1 if new, 0 if discovered before, -1 if
  /// expanded.
  template <bool Unexpanded = false>
  int list(NodeId v) noexcept {
    const std::uint64_t b = bit(v);
    listed_ |= b;
    if (!Unexpanded && (expanded_ & b)) [[unlikely]]
      return -1;
    const int fresh = (discovered_ & b) == 0;
    discovered_ |= b;
    return fresh;
  }
  std::size_t waiting() const noexcept {
    return static_cast<std::size_t>(detail::popcount64(discovered_ & ~expanded_));
  }
  template <class F>
  void for_each_listing(const Graph&, NodeId u, const SearchOptions& o, F&& f) const {
    const std::uint64_t excluded =
        o.listing == Listing::unexpanded ? expanded_ : expanded_ | discovered_;
    for (std::uint64_t b = rows_[u] & ~excluded; b != 0; b &= b - 1)
      f(static_cast<NodeId>(std::countr_zero(b)));
  }

private:
  static constexpr std::uint64_t bit(NodeId v) noexcept { return std::uint64_t{1} << v; }
  const std::uint64_t* rows_ = nullptr;
  std::uint64_t expanded_ = 0, discovered_ = 0, listed_ = 0;
};

/// The sets as a flag byte per node, listing by adjacency lists in either order.
class ListSets {
public:
  void reset(SearchScratch& s, const Graph& g, NodeId source) {
    const std::size_t n = g.node_count();
    flags_ = detail::sized(s.flags, n);
    std::fill_n(flags_, n, std::uint8_t{0});
    flags_[source] = discovered_bit;
  }
  bool expanded(NodeId v) const noexcept { return (flags_[v] & expanded_bit) != 0; }
  bool discovered(NodeId v) const noexcept { return (flags_[v] & discovered_bit) != 0; }
  bool listed(NodeId v) const noexcept { return (flags_[v] & listed_bit) != 0; }
  void expand(NodeId u) noexcept { flags_[u] |= expanded_bit | discovered_bit; }
  template <bool Unexpanded = false>
  int list(NodeId v) noexcept {
    const std::uint8_t f = flags_[v];
    flags_[v] = f | discovered_bit | listed_bit;
    if (!Unexpanded && (f & expanded_bit)) [[unlikely]]
      return -1;
    return (f & discovered_bit) == 0;
  }
  template <class F>
  void for_each_listing(const Graph& g, NodeId u, const SearchOptions& o, F&& f) const {
    const auto nb =
        o.order == NeighborOrder::ascending ? g.neighbors(u) : g.neighbors_in_prompt_order(u);
    const std::uint8_t skip =
        o.listing == Listing::unexpanded ? expanded_bit : expanded_bit | discovered_bit;
    for (const NodeId v : nb)
      if ((flags_[v] & skip) == 0)
        f(v);
  }

private:
  static constexpr std::uint8_t discovered_bit = 1, expanded_bit = 2, listed_bit = 4;
  std::uint8_t* flags_ = nullptr;
};

// --- the state ----------------------------------------------------------------------------------

/// The implicit state behind a trace: the frontier, the expanded set (the blog's "visited"),
/// the discovered set and the parent map, and the transitions a search, a replay and a cursor
/// make on it. When things happen (tested): a node is *expanded* from its expansion on, before
/// its list is written; a listed node is *discovered*, with its parent set, as soon as it is
/// listed. A FIFO queue takes a new node at once, a LIFO stack when the expansion closes. Between
/// expansions a node is in the frontier iff it is discovered and not expanded.
template <class Sets, class Frontier, bool Phantoms = false>
class SearchState {
public:
  static constexpr const DisciplineTraits& discipline = Frontier::traits;

  /// An out-of-range query or a source equal to the target throws std::invalid_argument (parsed
  /// prompts have neither).
  SearchState(SearchScratch& scratch, const Graph& g, Query q, const SearchOptions& o,
              const Frontier& frontier = Frontier{})
      : scratch_(&scratch), graph_(&g), labels_(g.labels().data()), query_(q), options_(o),
        n_(g.node_count()), frontier_(frontier) {
    if (q.source >= n_ || q.target >= n_)
      throw std::invalid_argument("searchtrace: query node id out of range");
    if (q.source == q.target)
      throw std::invalid_argument("searchtrace: a query's source and target must differ");
    sets_.reset(scratch, g, q.source);
    parent_ = detail::sized(scratch.parent, n_ + 1);
    std::fill_n(parent_, n_, no_node);
    frontier_.reset(scratch.frontier, n_, q.source);
    if constexpr (Phantoms) {
      scratch.phantoms.clear();
      // A table a long garbage completion made large is dropped, not cleared bucket by bucket.
      if (scratch.phantom_ids.bucket_count() > 4096)
        scratch.phantom_ids = {};
      else if (!scratch.phantom_ids.empty())
        scratch.phantom_ids.clear();
    }
  }

  const Graph& graph() const noexcept { return *graph_; }
  Query query() const noexcept { return query_; }
  const SearchOptions& options() const noexcept { return options_; }
  std::size_t node_count() const noexcept { return n_; }
  const Label* labels() const noexcept { return labels_; }

  /// A phantom (`foreign`) maps back to its number.
  Label label(NodeId v) const noexcept {
    if constexpr (Phantoms)
      return v < n_ ? labels_[v] : scratch_->phantoms[v - n_];
    else
      return labels_[v];
  }
  bool is_phantom(NodeId v) const noexcept { return Phantoms && v != no_node && v >= n_; }

  bool expanded(NodeId v) const noexcept { return v < n_ && sets_.expanded(v); }
  bool discovered(NodeId v) const noexcept { return v < n_ && sets_.discovered(v); }
  bool in_frontier(NodeId v) const noexcept {
    return v < n_ && sets_.discovered(v) && !sets_.expanded(v);
  }
  /// The node that listed v (its first lister, or the last where the discipline reparents), or
  /// no_node.
  NodeId parent(NodeId v) const noexcept { return v < n_ ? parent_[v] : no_node; }
  NodeId current() const noexcept { return current_; }
  std::size_t expansion_count() const noexcept { return expansions_; }
  std::size_t frontier_size() const noexcept {
    if constexpr (requires(const Sets& s) { s.waiting(); }) {
      return sets_.waiting();
    } else {
      std::size_t k = 0;
      for (NodeId v = 0; v < n_; ++v)
        k += in_frontier(v);
      return k;
    }
  }
  bool target_listed() const noexcept { return sets_.listed(query_.target); }

  /// In the order the discipline would expand them.
  template <class F>
  void for_each_in_frontier(F&& f) const {
    frontier_.for_each([this](NodeId v) { return sets_.expanded(v); }, f);
  }

  NodeId next() noexcept {
    return frontier_.next([this](NodeId v) { return sets_.expanded(v); });
  }

  /// Under on_pop this looks at the frontier: call it between expansions.
  bool should_stop() noexcept {
    if (options_.stop == StopRule::on_list)
      return target_listed();
    return next() == query_.target;
  }

  /// u need not be `next()` (a replay adopts the completion's choice).
  void expand(NodeId u) noexcept {
    sets_.expand(u);
    current_ = u;
    ++expansions_;
    frontier_.on_expand(u);
  }

  /// A replay's expansion of a phantom: it enters no set; the nodes it lists get it as parent.
  void expand_foreign(NodeId phantom) noexcept requires Phantoms {
    current_ = phantom;
    ++expansions_;
    frontier_.on_expand(phantom);
  }

  /// Returns whether v is discovered now. `Unexpanded`: the caller knows v is not expanded.
  template <bool Unexpanded = false>
  bool list(NodeId v) {
    const int fresh = sets_.template list<Unexpanded>(v);
    if (!Unexpanded && fresh < 0)
      return false;
    // Branch-free on `fresh`, unpredictable on random graphs: a parent that must not change is
    // written to the spare entry past the last node.
    if constexpr (Frontier::traits.relist_reparents)
      parent_[v] = current_;
    else
      parent_[fresh ? v : n_] = current_;
    frontier_.on_list(v, fresh != 0);
    return fresh != 0;
  }

  void close() {
    frontier_.on_close([this](NodeId v) { return sets_.expanded(v); });
    current_ = no_node;
  }

  /// The nodes a correct expansion of u lists, in the required order.
  template <class F>
  void for_each_reference_listing(NodeId u, F&& f) const {
    sets_.for_each_listing(*graph_, u, options_, f);
  }

  /// The phantom of a replayed number that is no node: the same number, the same phantom.
  NodeId foreign(Label x) requires Phantoms {
    auto& ph = scratch_->phantoms;
    const auto [it, added] =
        scratch_->phantom_ids.try_emplace(x, static_cast<NodeId>(n_ + ph.size()));
    if (added)
      ph.push_back(x);
    return it->second;
  }

  /// Room for the backtrack.
  NodeId* chain() { return detail::sized(scratch_->chain, n_); }

private:
  SearchScratch* scratch_;
  const Graph* graph_;
  const Label* labels_;
  Query query_;
  SearchOptions options_;
  std::size_t n_;
  Sets sets_;
  Frontier frontier_;
  NodeId* parent_ = nullptr;
  NodeId current_ = no_node;
  std::size_t expansions_ = 0;
};

namespace detail {

inline bool uses_rows(const Graph& g, const SearchOptions& o) noexcept {
  return !g.rows().empty() && o.order == NeighborOrder::ascending;
}

} // namespace detail

/// Makes the state of a search in the representation that fits and returns f(state).
/// `Phantoms`: a replay's state, which names numbers that are no node (SearchState::foreign).
template <bool Phantoms = false, class Frontier, class F>
decltype(auto) with_search_state(SearchScratch& scratch, const Graph& g, Query q,
                                 const SearchOptions& o, const Frontier& frontier, F&& f) {
  if (detail::uses_rows(g, o)) {
    SearchState<RowSets, Frontier, Phantoms> st(scratch, g, q, o, frontier);
    return f(st);
  }
  SearchState<ListSets, Frontier, Phantoms> st(scratch, g, q, o, frontier);
  return f(st);
}

template <bool Phantoms = false, class F>
decltype(auto) with_search_state(SearchScratch& scratch, const Graph& g, Query q,
                                 const SearchOptions& o, F&& f) {
  if (o.algorithm == Algorithm::dfs)
    return with_search_state<Phantoms>(scratch, g, q, o, LifoFrontier{}, f);
  return with_search_state<Phantoms>(scratch, g, q, o, FifoFrontier{}, f);
}

// --- events -------------------------------------------------------------------------------------

namespace detail {

// Calls a sink's hook if it has one; a hook returning bool answers "go on?".
#define SEARCHTRACE_DETAIL_FIRE(hook)                                                              \
  template <class Sink, class... Args>                                                             \
  SEARCHTRACE_HOT_INLINE bool fire_##hook(Sink& s, const Args&... args) {                          \
    if constexpr (requires { s.hook(args...); }) {                                                 \
      if constexpr (std::is_void_v<decltype(s.hook(args...))>) {                                   \
        s.hook(args...);                                                                           \
        return true;                                                                               \
      } else {                                                                                     \
        return static_cast<bool>(s.hook(args...));                                                 \
      }                                                                                            \
    } else {                                                                                       \
      return true;                                                                                 \
    }                                                                                              \
  }
SEARCHTRACE_DETAIL_FIRE(on_start)
SEARCHTRACE_DETAIL_FIRE(on_expand)
SEARCHTRACE_DETAIL_FIRE(on_list)
SEARCHTRACE_DETAIL_FIRE(on_discover)
SEARCHTRACE_DETAIL_FIRE(on_close)
SEARCHTRACE_DETAIL_FIRE(on_stop)
SEARCHTRACE_DETAIL_FIRE(on_backtrack)
SEARCHTRACE_DETAIL_FIRE(on_path)
#undef SEARCHTRACE_DETAIL_FIRE

} // namespace detail

/// The search loop, the one place where every discipline searches. Events go to `sink` (by
/// reference, never copied), which implements any subset of these hooks; each receives the
/// state (`const auto& state`). Callers keeping their sinks in registers call it from a
/// SEARCHTRACE_FLATTEN function that owns them.
/// ```
///   frontier = [source]; discovered = {source}     on_start(state)           '<'
///   loop:
///     u = next(); if none: return unreachable
///     if stop == on_pop and u == target: break
///     expand u                                     on_expand(state, u)       'u' ',' '('
///     for v in reference listing of u:             on_list(state, u, v)      'v' (',' between)
///       if v seen for the first time:              on_discover(state, v)
///     close u                                      on_close(state, u)        ')'
///     if stop == on_list and target listed: break
///                                                  on_stop(state)            '-'
///   v = target; repeat:                            on_backtrack(state, v)    'v' (',' between)
///     v = parent(v) until v was the source
///   for v on the path, source to target:           on_path(state, v)         '>' '=' 'v' ...
/// ```
/// A hook that returns false stops the search (SearchStatus::stopped).
template <class State, class Sink>
SEARCHTRACE_FLATTEN SearchStatus run_search(State& st, Sink& sink) {
  const Query q = st.query();
  const bool on_pop = st.options().stop == StopRule::on_pop;
  if (!detail::fire_on_start(sink, st))
    return SearchStatus::stopped;
  for (;;) {
    const NodeId u = st.next();
    if (u == no_node)
      return SearchStatus::unreachable;
    if (on_pop && u == q.target)
      break;
    st.expand(u);
    if (!detail::fire_on_expand(sink, st, u))
      return SearchStatus::stopped;
    st.for_each_reference_listing(u, [&](NodeId v) {
      const bool fresh = st.template list<true>(v);
      detail::fire_on_list(sink, st, u, v);
      if (fresh)
        detail::fire_on_discover(sink, st, v);
    });
    st.close();
    if (!detail::fire_on_close(sink, st, u))
      return SearchStatus::stopped;
    if (!on_pop && st.target_listed())
      break;
  }
  if (!detail::fire_on_stop(sink, st))
    return SearchStatus::stopped;
  // Parents point to nodes expanded strictly earlier, so the walk ends at the source.
  NodeId* const chain = st.chain();
  std::size_t k = 0;
  for (NodeId v = q.target;; v = st.parent(v)) {
    chain[k++] = v;
    if (!detail::fire_on_backtrack(sink, st, v))
      return SearchStatus::stopped;
    if (v == q.source)
      break;
  }
  while (k-- > 0)
    if (!detail::fire_on_path(sink, st, chain[k]))
      return SearchStatus::stopped;
  return SearchStatus::found;
}

template <class Sink>
SearchStatus search(SearchScratch& scratch, const Graph& g, Query q, const SearchOptions& o,
                    Sink& sink) {
  return with_search_state(scratch, g, q, o, [&](auto& st) { return run_search(st, sink); });
}

/// With a caller's discipline (o.algorithm is ignored).
template <class Frontier, class Sink>
SearchStatus search(SearchScratch& scratch, const Graph& g, Query q, const SearchOptions& o,
                    const Frontier& frontier, Sink& sink) {
  return with_search_state(scratch, g, q, o, frontier,
                           [&](auto& st) { return run_search(st, sink); });
}

/// Both sinks get each event, in order; a hook goes on only if both do.
template <class A, class B>
struct Tee {
  A& a;
  B& b;
#define SEARCHTRACE_DETAIL_TEE(hook)                                                               \
  template <class... Args>                                                                         \
  SEARCHTRACE_HOT_INLINE bool hook(const Args&... x) {                                             \
    const bool first = detail::fire_##hook(a, x...);                                               \
    return detail::fire_##hook(b, x...) && first;                                                  \
  }
  SEARCHTRACE_DETAIL_TEE(on_start)
  SEARCHTRACE_DETAIL_TEE(on_expand)
  SEARCHTRACE_DETAIL_TEE(on_list)
  SEARCHTRACE_DETAIL_TEE(on_discover)
  SEARCHTRACE_DETAIL_TEE(on_close)
  SEARCHTRACE_DETAIL_TEE(on_stop)
  SEARCHTRACE_DETAIL_TEE(on_backtrack)
  SEARCHTRACE_DETAIL_TEE(on_path)
#undef SEARCHTRACE_DETAIL_TEE
};

template <class A, class B>
Tee<A, B> tee(A& a, B& b) {
  return {a, b};
}

} // namespace searchtrace
