// Helpers shared by the core tests: parse a prompt the test expects to be valid, trace it and
// render the completion, and name every combination of search options.
#pragma once

#include <searchtrace/family.hpp>
#include <searchtrace/prompt.hpp>
#include <searchtrace/render.hpp>
#include <searchtrace/search.hpp>
#include <searchtrace/tracer.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace searchtrace_test {

using namespace searchtrace;

// A built-in search's state chosen at run time and kept between calls, for tests that drive the
// transitions by hand or read the state a search left, over every option set. Each call
// dispatches on the kind of state.
/// The state of a built-in search (o.algorithm's discipline, in the representation that
/// fits), chosen at run time and kept between calls: for driving the transitions by hand, or
/// for reading the state a search left, when the discipline is not known at compile time. Each
/// call dispatches on the kind of state; the search loop itself never goes through this.
class RuntimeSearchState {
  // (First, so that the members below can use its deduced return type.)
  template <class Variant, class F>
  static decltype(auto) visit_in(Variant& v, F& f) {
    using First =
        std::conditional_t<std::is_const_v<Variant>, const SearchState<RowSets, FifoFrontier>,
                           SearchState<RowSets, FifoFrontier>>;
    using R = decltype(f(std::declval<First&>()));
    return std::visit(
        [&](auto& st) -> R {
          if constexpr (std::is_same_v<std::remove_cvref_t<decltype(st)>, std::monostate>)
            throw std::logic_error("searchtrace: RuntimeSearchState used before reset()");
          else
            return f(st);
        },
        v);
  }

public:
  RuntimeSearchState() = default;
  // The states point into scratch_.
  RuntimeSearchState(const RuntimeSearchState&) = delete;
  RuntimeSearchState& operator=(const RuntimeSearchState&) = delete;

  /// Starts a search of g from q.source to q.target under o (see SearchState's constructor).
  void reset(const Graph& g, Query q, const SearchOptions& o) {
    const bool rows = detail::uses_rows(g, o);
    if (o.algorithm == Algorithm::dfs) {
      if (rows)
        state_.emplace<SearchState<RowSets, LifoFrontier>>(scratch_, g, q, o);
      else
        state_.emplace<SearchState<ListSets, LifoFrontier>>(scratch_, g, q, o);
    } else {
      if (rows)
        state_.emplace<SearchState<RowSets, FifoFrontier>>(scratch_, g, q, o);
      else
        state_.emplace<SearchState<ListSets, FifoFrontier>>(scratch_, g, q, o);
    }
  }

  /// Calls f(state) with the SearchState itself. Throws std::logic_error before a reset.
  template <class F>
  decltype(auto) visit(F&& f) {
    return visit_in(state_, f);
  }
  template <class F>
  decltype(auto) visit(F&& f) const {
    return visit_in(state_, f);
  }

  const Graph& graph() const {
    return visit([](const auto& st) -> const Graph& { return st.graph(); });
  }
  Query query() const {
    return visit([](const auto& st) { return st.query(); });
  }
  const SearchOptions& options() const {
    return visit([](const auto& st) -> const SearchOptions& { return st.options(); });
  }
  const DisciplineTraits& discipline() const {
    return visit([](const auto& st) -> const DisciplineTraits& { return st.discipline; });
  }
  bool expanded(NodeId v) const {
    return visit([v](const auto& st) { return st.expanded(v); });
  }
  bool discovered(NodeId v) const {
    return visit([v](const auto& st) { return st.discovered(v); });
  }
  bool in_frontier(NodeId v) const {
    return visit([v](const auto& st) { return st.in_frontier(v); });
  }
  NodeId parent(NodeId v) const {
    return visit([v](const auto& st) { return st.parent(v); });
  }
  NodeId current() const {
    return visit([](const auto& st) { return st.current(); });
  }
  std::size_t expansion_count() const {
    return visit([](const auto& st) { return st.expansion_count(); });
  }
  std::size_t frontier_size() const {
    return visit([](const auto& st) { return st.frontier_size(); });
  }
  bool target_listed() const {
    return visit([](const auto& st) { return st.target_listed(); });
  }
  template <class F>
  void for_each_in_frontier(F&& f) const {
    visit([&](const auto& st) { st.for_each_in_frontier(f); });
  }
  NodeId next() {
    return visit([](auto& st) { return st.next(); });
  }
  bool should_stop() {
    return visit([](auto& st) { return st.should_stop(); });
  }
  void expand(NodeId u) {
    visit([u](auto& st) { st.expand(u); });
  }
  bool list(NodeId v) {
    return visit([v](auto& st) { return st.list(v); });
  }
  void close() {
    visit([](auto& st) { st.close(); });
  }
  template <class F>
  void for_each_reference_listing(NodeId u, F&& f) const {
    visit([&](const auto& st) { st.for_each_reference_listing(u, f); });
  }

private:
  SearchScratch scratch_;
  std::variant<std::monostate, SearchState<RowSets, FifoFrontier>,
               SearchState<ListSets, FifoFrontier>, SearchState<RowSets, LifoFrontier>,
               SearchState<ListSets, LifoFrontier>>
      state_;
};

/// Runs the search into a RuntimeSearchState, which keeps the state it ends in.
template <class Sink>
SearchStatus search(RuntimeSearchState& st, const Graph& g, Query q, const SearchOptions& o,
                    Sink& sink) {
  st.reset(g, q, o);
  return st.visit([&](auto& s) { return run_search(s, sink); });
}

/// The seed's BFS trace, built by hand through Trace's own interface (not by a tracer), so tests
/// of the parser and of Trace itself do not depend on the search core.
inline searchtrace::Trace seed_bfs_trace() {
  searchtrace::Trace t;
  t.begin_expansion(0);
  t.list_node(1);
  t.list_node(2);
  t.begin_expansion(1);
  t.list_node(2);
  t.list_node(3);
  t.begin_expansion(2);
  t.list_node(4);
  t.backtrack = {4, 2, 0};
  t.path = {0, 2, 4};
  return t;
}

/// A family the test expects to be valid: a rejection fails the test with the parser's message.
inline searchtrace::Family family(const std::string& spec) {
  auto f = searchtrace::parse_family(spec);
  if (!f.ok())
    FAIL("spec rejected: " << spec << " : offset " << f.error().offset << ": "
                           << f.error().message);
  return f.value();
}

/// A prompt the test expects to be valid: a rejection fails the test with the parser's message.
inline searchtrace::Prompt prompt(std::string_view text, bool directed = false) {
  auto r = searchtrace::parse_prompt(text, searchtrace::PromptOptions{directed});
  if (!r.ok())
    FAIL("prompt rejected: " << std::string(text) << " : " << r.error().message);
  return std::move(r).value();
}

/// The compact completion of a search on a prompt, or "unreachable".
inline std::string completion(std::string_view text, const searchtrace::SearchOptions& o = {},
                              bool directed = false) {
  const searchtrace::Prompt p = prompt(text, directed);
  const auto t = searchtrace::trace(p, o);
  return t.ok() ? searchtrace::render_completion(*t) : std::string("unreachable");
}

inline searchtrace::SearchOptions options(searchtrace::Algorithm a, searchtrace::NeighborOrder n,
                                          searchtrace::Listing l, searchtrace::StopRule s) {
  searchtrace::SearchOptions o;
  o.algorithm = a;
  o.order = n;
  o.listing = l;
  o.stop = s;
  return o;
}

/// All 16 combinations of algorithm and policies.
inline std::vector<searchtrace::SearchOptions> all_options() {
  using namespace searchtrace;
  std::vector<SearchOptions> out;
  for (const Algorithm a : {Algorithm::bfs, Algorithm::dfs})
    for (const NeighborOrder n : {NeighborOrder::ascending, NeighborOrder::prompt})
      for (const Listing l : {Listing::unexpanded, Listing::undiscovered})
        for (const StopRule s : {StopRule::on_list, StopRule::on_pop})
          out.push_back(options(a, n, l, s));
  return out;
}

inline std::string option_name(const searchtrace::SearchOptions& o) {
  using namespace searchtrace;
  std::string s(algorithm_name(o.algorithm));
  s += o.order == NeighborOrder::ascending ? " ascending" : " prompt-order";
  s += o.listing == Listing::unexpanded ? " unexpanded" : " undiscovered";
  s += o.stop == StopRule::on_list ? " on_list" : " on_pop";
  return s;
}

} // namespace searchtrace_test
