#include <searchtrace/search.hpp>

#include "support.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "seed_prompt.hpp"

using searchtrace_test::seed_prompt;

using namespace searchtrace;
using searchtrace_test::prompt;
using searchtrace_test::RuntimeSearchState;
using searchtrace_test::search;

namespace {

template <class State>
std::string label_of(const State& s, NodeId v) {
  return v == no_node ? "-" : std::to_string(s.graph().label(v));
}

// Appends an item to a comma-separated list. (Written with append, not `"," + item`, which
// trips a -Wrestrict false positive of GCC 12.)
void add(std::string& list, const std::string& item) {
  if (!list.empty())
    list += ',';
  list += item;
}

// The implicit state, written out: frontier in pop order, expanded and discovered sets, the
// parent of every node and the node being expanded.
template <class State>
std::string snapshot(const State& s) {
  const std::size_t n = s.graph().node_count();
  std::string f, e, d, p;
  s.for_each_in_frontier([&](NodeId v) { add(f, label_of(s, v)); });
  for (NodeId v = 0; v < n; ++v) {
    if (s.expanded(v))
      add(e, label_of(s, v));
    if (s.discovered(v))
      add(d, label_of(s, v));
    add(p, label_of(s, s.parent(v)));
  }
  std::string out = "F=[";
  out.append(f).append("] E={").append(e).append("} D={").append(d).append("} P=[");
  out.append(p).append("] cur=").append(label_of(s, s.current()));
  return out;
}

// Records every event with the state at that moment, and checks the invariants that tie the
// views together.
struct StateRecorder {
  std::vector<std::string> log;
  int broken_invariants = 0;

  template <class State>
  void check(const State& s) {
    std::size_t live = 0, listed = 0;
    s.for_each_in_frontier([&](NodeId v) {
      ++listed;
      if (!s.in_frontier(v))
        ++broken_invariants;
    });
    for (NodeId v = 0; v < s.graph().node_count(); ++v) {
      if (s.in_frontier(v) != (s.discovered(v) && !s.expanded(v)))
        ++broken_invariants;
      if (s.expanded(v) && !s.discovered(v))
        ++broken_invariants;
      live += s.in_frontier(v) ? 1 : 0;
    }
    if (live != s.frontier_size() || listed > live)
      ++broken_invariants;
  }
  void on_expand(const auto& s, NodeId u) {
    check(s);
    log.push_back("expand " + label_of(s, u) + " " + snapshot(s));
  }
  void on_list(const auto& s, NodeId u, NodeId v) {
    check(s);
    log.push_back("list " + label_of(s, u) + " " + label_of(s, v) + " " + snapshot(s));
  }
  void on_discover(const auto& s, NodeId v) { log.push_back("discover " + label_of(s, v)); }
  void on_close(const auto& s, NodeId u) {
    check(s);
    log.push_back("close " + label_of(s, u) + " " + snapshot(s));
  }
  void on_stop(const auto& s) {
    check(s);
    log.push_back("stop " + snapshot(s));
  }
  void on_backtrack(const auto& s, NodeId v) { log.push_back("backtrack " + label_of(s, v)); }
};

void check_log(const std::vector<std::string>& got, const std::vector<std::string>& want) {
  for (std::size_t i = 0; i < want.size() && i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i] == want[i]);
  }
  CHECK(got.size() == want.size());
}

// Sinks with only some hooks.
struct NoHooks {};
struct OnlyBacktrack {
  std::vector<NodeId> nodes;
  void on_backtrack(const auto&, NodeId v) { nodes.push_back(v); }
};
struct OnlyDiscover {
  std::vector<NodeId> nodes;
  void on_discover(const auto&, NodeId v) { nodes.push_back(v); }
};
struct OnlyStop {
  int stops = 0;
  bool target_listed = false;
  std::size_t expansions = 0;
  void on_stop(const auto& s) {
    ++stops;
    target_listed = s.target_listed();
    expansions = s.expansion_count();
  }
};
struct Tagged {
  std::string tag;
  std::vector<std::string>* log;
  void on_expand(const auto&, NodeId u) { log->push_back(tag + "expand" + std::to_string(u)); }
  void on_list(const auto&, NodeId, NodeId v) { log->push_back(tag + "list" + std::to_string(v)); }
  void on_stop(const auto&) { log->push_back(tag + "stop"); }
};

} // namespace

TEST_CASE("search options default to the seed's BFS") {
  const SearchOptions o;
  CHECK(o.algorithm == Algorithm::bfs);
  CHECK(o.order == NeighborOrder::ascending);
  CHECK(o.listing == Listing::unexpanded);
  CHECK(o.stop == StopRule::on_list);
  SearchOptions d;
  d.algorithm = Algorithm::dfs;
  CHECK(d != o);
  CHECK(d == searchtrace_test::options(Algorithm::dfs, NeighborOrder::ascending,
                                       Listing::unexpanded, StopRule::on_list));
}

TEST_CASE("algorithm names parse and print") {
  CHECK(algorithm_name(Algorithm::bfs) == "bfs");
  CHECK(algorithm_name(Algorithm::dfs) == "dfs");
  CHECK(parse_algorithm("bfs") == Algorithm::bfs);
  CHECK(parse_algorithm("dfs") == Algorithm::dfs);
  CHECK_FALSE(parse_algorithm("BFS").has_value());
  CHECK_FALSE(parse_algorithm("").has_value());
  CHECK_FALSE(parse_algorithm("astar").has_value());
}

TEST_CASE("BFS state at every event on the seed graph") {
  const Prompt p = prompt(seed_prompt);
  RuntimeSearchState st;
  StateRecorder rec;
  REQUIRE(search(st, p.graph, p.query, SearchOptions{}, rec) == SearchStatus::found);
  // The queue receives a node as it is discovered (the BFS pushes while listing). Node 1 lists 2
  // again: 2 stays where it is in the queue and keeps its parent 0.
  check_log(rec.log, {
                         "expand 0 F=[] E={0} D={0} P=[-,-,-,-,-] cur=0",
                         "list 0 1 F=[1] E={0} D={0,1} P=[-,0,-,-,-] cur=0",
                         "discover 1",
                         "list 0 2 F=[1,2] E={0} D={0,1,2} P=[-,0,0,-,-] cur=0",
                         "discover 2",
                         "close 0 F=[1,2] E={0} D={0,1,2} P=[-,0,0,-,-] cur=-",
                         "expand 1 F=[2] E={0,1} D={0,1,2} P=[-,0,0,-,-] cur=1",
                         "list 1 2 F=[2] E={0,1} D={0,1,2} P=[-,0,0,-,-] cur=1",
                         "list 1 3 F=[2,3] E={0,1} D={0,1,2,3} P=[-,0,0,1,-] cur=1",
                         "discover 3",
                         "close 1 F=[2,3] E={0,1} D={0,1,2,3} P=[-,0,0,1,-] cur=-",
                         "expand 2 F=[3] E={0,1,2} D={0,1,2,3} P=[-,0,0,1,-] cur=2",
                         "list 2 4 F=[3,4] E={0,1,2} D={0,1,2,3,4} P=[-,0,0,1,2] cur=2",
                         "discover 4",
                         "close 2 F=[3,4] E={0,1,2} D={0,1,2,3,4} P=[-,0,0,1,2] cur=-",
                         "stop F=[3,4] E={0,1,2} D={0,1,2,3,4} P=[-,0,0,1,2] cur=-",
                         "backtrack 4",
                         "backtrack 2",
                         "backtrack 0",
                     });
  CHECK(rec.broken_invariants == 0);
  CHECK(st.expansion_count() == 3u);
  CHECK(st.target_listed());
}

TEST_CASE("DFS state at every event on the seed graph") {
  const Prompt p = prompt(seed_prompt);
  RuntimeSearchState st;
  StateRecorder rec;
  SearchOptions o;
  o.algorithm = Algorithm::dfs;
  REQUIRE(search(st, p.graph, p.query, o, rec) == SearchStatus::found);
  // The stack receives a list at close, smallest on top. Node 1 lists 2 again: 2 moves to the
  // top (above 3), its parent becomes 1, and its old entry is not shown twice.
  check_log(rec.log, {
                         "expand 0 F=[] E={0} D={0} P=[-,-,-,-,-] cur=0",
                         "list 0 1 F=[] E={0} D={0,1} P=[-,0,-,-,-] cur=0",
                         "discover 1",
                         "list 0 2 F=[] E={0} D={0,1,2} P=[-,0,0,-,-] cur=0",
                         "discover 2",
                         "close 0 F=[1,2] E={0} D={0,1,2} P=[-,0,0,-,-] cur=-",
                         "expand 1 F=[2] E={0,1} D={0,1,2} P=[-,0,0,-,-] cur=1",
                         "list 1 2 F=[2] E={0,1} D={0,1,2} P=[-,0,1,-,-] cur=1",
                         "list 1 3 F=[2] E={0,1} D={0,1,2,3} P=[-,0,1,1,-] cur=1",
                         "discover 3",
                         "close 1 F=[2,3] E={0,1} D={0,1,2,3} P=[-,0,1,1,-] cur=-",
                         "expand 2 F=[3] E={0,1,2} D={0,1,2,3} P=[-,0,1,1,-] cur=2",
                         "list 2 4 F=[3] E={0,1,2} D={0,1,2,3,4} P=[-,0,1,1,2] cur=2",
                         "discover 4",
                         "close 2 F=[4,3] E={0,1,2} D={0,1,2,3,4} P=[-,0,1,1,2] cur=-",
                         "stop F=[4,3] E={0,1,2} D={0,1,2,3,4} P=[-,0,1,1,2] cur=-",
                         "backtrack 4",
                         "backtrack 2",
                         "backtrack 1",
                         "backtrack 0",
                     });
  CHECK(rec.broken_invariants == 0);
}

namespace {

// Checks the documented moments at every event.
struct Moments {
  int wrong = 0;
  int lists = 0;
  NodeId last_listed = no_node;
  void on_expand(const auto& s, NodeId u) {
    // u is expanded before its list is written, and is the current node.
    wrong += !s.expanded(u) || s.current() != u || s.in_frontier(u);
  }
  void on_list(const auto& s, NodeId u, NodeId v) {
    ++lists;
    last_listed = v;
    // v is discovered, not expanded, and its parent is set (to u, unless BFS met it
    // before).
    wrong += !s.discovered(v) || s.expanded(v) || s.parent(v) == no_node;
    if (s.options().algorithm == Algorithm::dfs)
      wrong += s.parent(v) != u;
  }
  void on_discover(const auto& s, NodeId v) {
    // Fired right after the on_list of its first listing, with u as its parent.
    wrong += v != last_listed || s.parent(v) != s.current();
  }
  void on_close(const auto& s, NodeId) { wrong += s.current() != no_node; }
};

} // namespace

TEST_CASE("a node counts as expanded at on_expand and as discovered at on_list") {
  // Checked on every event of every option on two graphs, against the documented moments.
  for (const std::string_view text : {seed_prompt, std::string_view("3,0|0,1|2,0|1,4|3,4/0,4")}) {
    const Prompt p = prompt(text);
    for (const SearchOptions& o : searchtrace_test::all_options()) {
      CAPTURE(searchtrace_test::option_name(o));
      Moments moments;
      RuntimeSearchState st;
      REQUIRE(search(st, p.graph, p.query, o, moments) == SearchStatus::found);
      CHECK(moments.wrong == 0);
      CHECK(moments.lists > 0);
    }
  }
}

TEST_CASE("a sink implements any subset of the hooks") {
  const Prompt p = prompt(seed_prompt);
  RuntimeSearchState st;
  SUBCASE("no hooks at all") {
    NoHooks none;
    CHECK(search(st, p.graph, p.query, SearchOptions{}, none) == SearchStatus::found);
    CHECK(st.expansion_count() == 3u);
  }
  SUBCASE("only on_backtrack") {
    OnlyBacktrack b;
    REQUIRE(search(st, p.graph, p.query, SearchOptions{}, b) == SearchStatus::found);
    CHECK(b.nodes == std::vector<NodeId>{4, 2, 0});
  }
  SUBCASE("only on_discover") {
    OnlyDiscover d;
    REQUIRE(search(st, p.graph, p.query, SearchOptions{}, d) == SearchStatus::found);
    CHECK(d.nodes == std::vector<NodeId>{1, 2, 3, 4});
  }
  SUBCASE("only on_stop") {
    OnlyStop s;
    REQUIRE(search(st, p.graph, p.query, SearchOptions{}, s) == SearchStatus::found);
    CHECK(s.stops == 1);
    CHECK(s.target_listed);
    CHECK(s.expansions == 3u);
  }
}

TEST_CASE("tee sends every event to both sinks, first then second") {
  const Prompt p = prompt("0,1|0,2|1,3/0,2");
  std::vector<std::string> log;
  Tagged a{"a:", &log};
  Tagged b{"b:", &log};
  OnlyBacktrack back;
  RuntimeSearchState st;

  SUBCASE("two sinks") {
    auto both = tee(a, b);
    REQUIRE(search(st, p.graph, p.query, SearchOptions{}, both) == SearchStatus::found);
    CHECK(log == std::vector<std::string>{"a:expand0", "b:expand0", "a:list1", "b:list1", "a:list2",
                                          "b:list2", "a:stop", "b:stop"});
  }
  SUBCASE("nested, with a sink that has other hooks") {
    auto ab = tee(a, b);
    auto all = tee(ab, back);
    REQUIRE(search(st, p.graph, p.query, SearchOptions{}, all) == SearchStatus::found);
    CHECK(log.size() == 8u);
    CHECK(back.nodes == std::vector<NodeId>{2, 0});
  }
  SUBCASE("the sinks are taken by reference, never copied") {
    OnlyDiscover d1, d2;
    auto both = tee(d1, d2);
    REQUIRE(search(st, p.graph, p.query, SearchOptions{}, both) == SearchStatus::found);
    CHECK(d1.nodes == std::vector<NodeId>{1, 2});
    CHECK(d2.nodes == d1.nodes);
  }
}

TEST_CASE("an unreachable target fires neither stop nor backtrack") {
  const Prompt p = prompt("0,1|2,3/0,3");
  for (const SearchOptions& o : searchtrace_test::all_options()) {
    CAPTURE(searchtrace_test::option_name(o));
    RuntimeSearchState st;
    StateRecorder rec;
    CHECK(search(st, p.graph, p.query, o, rec) == SearchStatus::unreachable);
    REQUIRE(rec.log.size() >= 2u);
    CHECK(rec.log.back().rfind("close 1 F=[] E={0,1}", 0) == 0);
    CHECK(st.frontier_size() == 0u);
    CHECK(st.next() == no_node);
    CHECK_FALSE(st.discovered(2));
    CHECK(rec.broken_invariants == 0);
  }
}

TEST_CASE("the search state can be driven by hand, as a replay does") {
  const Prompt p = prompt(seed_prompt);
  RuntimeSearchState st;
  st.reset(p.graph, p.query, SearchOptions{});
  CHECK(&st.graph() == &p.graph);
  CHECK(st.query() == p.query);
  CHECK(snapshot(st) == "F=[0] E={} D={0} P=[-,-,-,-,-] cur=-");
  CHECK(st.frontier_size() == 1u);
  CHECK(st.next() == 0u);
  CHECK_FALSE(st.should_stop());

  st.expand(0);
  CHECK(st.list(1));
  CHECK(st.list(2));
  CHECK_FALSE(st.list(2)); // a second listing discovers nothing
  st.close();
  CHECK(st.next() == 1u);

  SUBCASE("expanding a node that is not next takes it out wherever it is") {
    st.expand(2);
    CHECK(st.frontier_size() == 1u);
    CHECK(snapshot(st) == "F=[1] E={0,2} D={0,1,2} P=[-,0,0,-,-] cur=2");
    st.close();
    CHECK(st.next() == 1u);
  }
  SUBCASE("listing an expanded node changes nothing") {
    st.expand(1);
    CHECK_FALSE(st.list(0));
    CHECK(st.parent(0) == no_node);
    CHECK(st.frontier_size() == 1u);
    st.close();
    CHECK(snapshot(st) == "F=[2] E={0,1} D={0,1,2} P=[-,0,0,-,-] cur=-");
  }
  SUBCASE("expanding a node never listed still marks it expanded and discovered") {
    st.expand(4);
    CHECK(st.expanded(4));
    CHECK(st.discovered(4));
    CHECK(st.frontier_size() == 2u);
    CHECK(st.expansion_count() == 2u);
    st.close();
  }
  SUBCASE("should_stop under on_list looks at whether the target was listed") {
    st.expand(1);
    st.list(3);
    st.close();
    CHECK_FALSE(st.should_stop());
    st.expand(2);
    st.list(4);
    CHECK(st.target_listed());
    CHECK(st.should_stop());
    st.close();
  }
  SUBCASE("should_stop under on_pop looks at the front of the frontier") {
    SearchOptions o;
    o.stop = StopRule::on_pop;
    st.reset(p.graph, Query{0, 2}, o);
    st.expand(0);
    st.list(1);
    st.list(2);
    st.close();
    CHECK(st.target_listed());
    CHECK_FALSE(st.should_stop()); // 1 is in front of the target
    st.expand(1);
    st.list(3);
    st.close();
    CHECK(st.should_stop());
  }
  SUBCASE("reset forgets everything") {
    st.reset(p.graph, Query{3, 0}, SearchOptions{});
    CHECK(snapshot(st) == "F=[3] E={} D={3} P=[-,-,-,-,-] cur=-");
    CHECK(st.expansion_count() == 0u);
    CHECK_FALSE(st.target_listed());
  }
}

TEST_CASE("DFS moves a relisted node to the top of the stack by hand too") {
  const Prompt p = prompt(seed_prompt);
  SearchOptions o;
  o.algorithm = Algorithm::dfs;
  RuntimeSearchState st;
  st.reset(p.graph, p.query, o);
  st.expand(0);
  st.list(1);
  st.list(2);
  st.close();
  CHECK(st.next() == 1u);
  st.expand(1);
  CHECK(st.list(3));       // 3 is new
  CHECK_FALSE(st.list(2)); // 2 is not new, but moves
  st.close();
  // Listed (3,2): the first listed ends on top.
  CHECK(snapshot(st) == "F=[3,2] E={0,1} D={0,1,2,3} P=[-,0,1,1,-] cur=-");
  CHECK(st.frontier_size() == 2u);
  CHECK(st.next() == 3u);
  st.expand(3);
  st.close();
  // The stale entry of 2 below is never popped twice.
  CHECK(st.next() == 2u);
  st.expand(2);
  st.close();
  CHECK(st.next() == no_node);
  CHECK(st.frontier_size() == 0u);
}

TEST_CASE("reference listings follow the options") {
  const Prompt p = prompt(seed_prompt);
  auto listing = [&](const SearchOptions& o, NodeId u) {
    RuntimeSearchState st;
    st.reset(p.graph, p.query, o);
    st.expand(0);
    st.list(1);
    st.list(2);
    st.close();
    std::vector<NodeId> out;
    st.for_each_reference_listing(u, [&](NodeId v) { out.push_back(v); });
    return out;
  };
  using searchtrace_test::options;
  const auto bfs = Algorithm::bfs;
  CHECK(listing(options(bfs, NeighborOrder::ascending, Listing::unexpanded, StopRule::on_list),
                1) == std::vector<NodeId>{2, 3});
  CHECK(listing(options(bfs, NeighborOrder::prompt, Listing::unexpanded, StopRule::on_list), 1) ==
        std::vector<NodeId>{3, 2});
  CHECK(listing(options(bfs, NeighborOrder::ascending, Listing::undiscovered, StopRule::on_list),
                1) == std::vector<NodeId>{3});
  CHECK(listing(options(bfs, NeighborOrder::prompt, Listing::unexpanded, StopRule::on_list), 2) ==
        std::vector<NodeId>{4, 1});
  CHECK(listing(options(bfs, NeighborOrder::ascending, Listing::undiscovered, StopRule::on_list),
                2) == std::vector<NodeId>{4});
  CHECK(listing(options(Algorithm::dfs, NeighborOrder::ascending, Listing::unexpanded,
                        StopRule::on_pop),
                3) == std::vector<NodeId>{1, 4});
}

TEST_CASE("one search state serves graphs of any size and either algorithm") {
  const Prompt big = prompt("0,1|1,2|2,3|3,4|4,5|5,6|6,7|7,8|8,9|9,10|0,10|5,11/0,11");
  const Prompt small = prompt(seed_prompt);
  SearchOptions dfs;
  dfs.algorithm = Algorithm::dfs;
  RuntimeSearchState reused;
  for (int round = 0; round < 2; ++round)
    for (const Prompt* p : {&big, &small})
      for (const SearchOptions& o : {dfs, SearchOptions{}}) {
        StateRecorder a, b;
        RuntimeSearchState fresh;
        REQUIRE(search(reused, p->graph, p->query, o, a) == SearchStatus::found);
        REQUIRE(search(fresh, p->graph, p->query, o, b) == SearchStatus::found);
        CHECK(a.log == b.log);
      }
}
