#include <searchtrace/tracer.hpp>

#include <searchtrace/render.hpp>

#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "seed_prompt.hpp"

using searchtrace_test::seed_prompt;

using namespace searchtrace;
using searchtrace_test::all_options;
using searchtrace_test::completion;
using searchtrace_test::option_name;
using searchtrace_test::prompt;

namespace {

// The source's neighbours in prompt order (3,1,2) differ from ascending (1,2,3).
constexpr std::string_view shuffled = "3,0|0,1|2,0|1,4|3,4/0,4";
// The target is listed by the source, behind another neighbour.
constexpr std::string_view adjacent = "0,1|0,2|1,3/0,2";
constexpr std::string_view big_labels = "10,123|123,4294967295|10,7/10,4294967295";

SearchOptions with(Algorithm a, NeighborOrder n = NeighborOrder::ascending,
                   Listing l = Listing::unexpanded, StopRule s = StopRule::on_list) {
  return searchtrace_test::options(a, n, l, s);
}

constexpr Algorithm bfs = Algorithm::bfs;
constexpr Algorithm dfs = Algorithm::dfs;
constexpr NeighborOrder ascending = NeighborOrder::ascending;
constexpr NeighborOrder prompt_order = NeighborOrder::prompt;
constexpr Listing unexpanded = Listing::unexpanded;
constexpr Listing undiscovered = Listing::undiscovered;
constexpr StopRule on_list = StopRule::on_list;
constexpr StopRule on_pop = StopRule::on_pop;

} // namespace

TEST_CASE("the seed example through the C++ API") {
  const Prompt p = prompt(seed_prompt);
  CHECK(render_prompt(p) == seed_prompt);

  SUBCASE("BFS") {
    const auto t = trace_bfs(p);
    REQUIRE(t.ok());
    CHECK(render_completion(*t) == "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4");
    CHECK(render_completion(*t, Rendering::pretty) == "<0,(1, 2),1,(2, 3),2,(4) - 4,2,0>=0,2,4");
    CHECK(t->expanded == std::vector<Label>{0, 1, 2});
    CHECK(t->backtrack == std::vector<Label>{4, 2, 0});
    CHECK(t->path == std::vector<Label>{0, 2, 4});
  }
  SUBCASE("DFS") {
    const auto t = trace_dfs(p);
    REQUIRE(t.ok());
    CHECK(render_completion(*t) == "<0,(1,2),1,(2,3),2,(4)-4,2,1,0>=0,1,2,4");
    CHECK(render_completion(*t, Rendering::pretty) ==
          "<0,(1, 2),1,(2, 3),2,(4) - 4,2,1,0>=0,1,2,4");
    CHECK(t->path == std::vector<Label>{0, 1, 2, 4});
  }
  SUBCASE("the generic entry points agree") {
    CHECK(render_completion(*trace(p)) == render_completion(*trace_bfs(p)));
    CHECK(render_completion(*trace(p.graph, p.query, with(dfs))) ==
          render_completion(*trace_dfs(p)));
  }
}

TEST_CASE("trace_bfs and trace_dfs override the algorithm option") {
  const Prompt p = prompt(seed_prompt);
  CHECK(render_completion(*trace_bfs(p, with(dfs))) == "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4");
  CHECK(render_completion(*trace_dfs(p, with(bfs))) == "<0,(1,2),1,(2,3),2,(4)-4,2,1,0>=0,1,2,4");
  // ... and keep the other policies.
  CHECK(render_completion(*trace_dfs(p, with(bfs, prompt_order))) ==
        "<0,(1,2),1,(3,2),3,(4)-4,3,1,0>=0,1,3,4");
}

TEST_CASE("BFS under every policy, on hand-computed traces") {
  SUBCASE("neighbour order: ascending or as the prompt mentions them") {
    CHECK(completion(seed_prompt, with(bfs, prompt_order)) ==
          "<0,(1,2),1,(3,2),2,(4)-4,2,0>=0,2,4");
    CHECK(completion(shuffled, with(bfs)) == "<0,(1,2,3),1,(4)-4,1,0>=0,1,4");
    CHECK(completion(shuffled, with(bfs, prompt_order)) == "<0,(3,1,2),3,(4)-4,3,0>=0,3,4");
    CHECK(completion(big_labels, with(bfs, prompt_order)) ==
          "<10,(123,7),123,(4294967295)-4294967295,123,10>=10,123,4294967295");
  }
  SUBCASE("listing: every unexpanded neighbour, or only undiscovered ones") {
    CHECK(completion(seed_prompt, with(bfs, ascending, unexpanded)) ==
          "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4");
    CHECK(completion(seed_prompt, with(bfs, ascending, undiscovered)) ==
          "<0,(1,2),1,(3),2,(4)-4,2,0>=0,2,4");
    CHECK(completion(seed_prompt, with(bfs, prompt_order, undiscovered)) ==
          "<0,(1,2),1,(3),2,(4)-4,2,0>=0,2,4");
  }
  SUBCASE("stop: when the target is listed, or when it is popped") {
    CHECK(completion(adjacent, with(bfs, ascending, unexpanded, on_list)) == "<0,(1,2)-2,0>=0,2");
    CHECK(completion(adjacent, with(bfs, ascending, unexpanded, on_pop)) ==
          "<0,(1,2),1,(3)-2,0>=0,2");
    CHECK(completion(seed_prompt, with(bfs, ascending, unexpanded, on_pop)) ==
          "<0,(1,2),1,(2,3),2,(4),3,(4)-4,2,0>=0,2,4");
    CHECK(completion(shuffled, with(bfs, ascending, unexpanded, on_pop)) ==
          "<0,(1,2,3),1,(4),2,(),3,(4)-4,1,0>=0,1,4");
  }
  SUBCASE("policies combined") {
    CHECK(completion(seed_prompt, with(bfs, ascending, undiscovered, on_pop)) ==
          "<0,(1,2),1,(3),2,(4),3,()-4,2,0>=0,2,4");
    CHECK(completion(seed_prompt, with(bfs, prompt_order, unexpanded, on_pop)) ==
          "<0,(1,2),1,(3,2),2,(4),3,(4)-4,2,0>=0,2,4");
    CHECK(completion(shuffled, with(bfs, prompt_order, unexpanded, on_pop)) ==
          "<0,(3,1,2),3,(4),1,(4),2,()-4,3,0>=0,3,4");
    CHECK(completion(shuffled, with(bfs, prompt_order, undiscovered, on_pop)) ==
          "<0,(3,1,2),3,(4),1,(),2,()-4,3,0>=0,3,4");
    CHECK(completion(shuffled, with(bfs, ascending, undiscovered, on_pop)) ==
          "<0,(1,2,3),1,(4),2,(),3,()-4,1,0>=0,1,4");
  }
}

TEST_CASE("DFS under every policy, on hand-computed traces") {
  SUBCASE("neighbour order: the first listed node ends on top of the stack") {
    CHECK(completion(seed_prompt, with(dfs, prompt_order)) ==
          "<0,(1,2),1,(3,2),3,(4)-4,3,1,0>=0,1,3,4");
    CHECK(completion(shuffled, with(dfs)) == "<0,(1,2,3),1,(4)-4,1,0>=0,1,4");
    CHECK(completion(shuffled, with(dfs, prompt_order)) == "<0,(3,1,2),3,(4)-4,3,0>=0,3,4");
  }
  SUBCASE("listing: only undiscovered nodes leaves a queued node where it is") {
    CHECK(completion(seed_prompt, with(dfs, ascending, unexpanded)) ==
          "<0,(1,2),1,(2,3),2,(4)-4,2,1,0>=0,1,2,4");
    // 2 is not listed again, so it does not move above 3 and keeps its parent 0.
    CHECK(completion(seed_prompt, with(dfs, ascending, undiscovered)) ==
          "<0,(1,2),1,(3),3,(4)-4,3,1,0>=0,1,3,4");
  }
  SUBCASE("stop: when the target is listed, or when it is popped") {
    CHECK(completion(adjacent, with(dfs, ascending, unexpanded, on_list)) == "<0,(1,2)-2,0>=0,2");
    CHECK(completion(adjacent, with(dfs, ascending, unexpanded, on_pop)) ==
          "<0,(1,2),1,(3),3,()-2,0>=0,2");
    // The target is on top right after it is listed: both rules give the same trace.
    CHECK(completion(seed_prompt, with(dfs, ascending, unexpanded, on_pop)) ==
          "<0,(1,2),1,(2,3),2,(4)-4,2,1,0>=0,1,2,4");
  }
  SUBCASE("policies combined") {
    CHECK(completion(seed_prompt, with(dfs, prompt_order, undiscovered, on_pop)) ==
          "<0,(1,2),1,(3),3,(4)-4,3,1,0>=0,1,3,4");
    CHECK(completion(adjacent, with(dfs, prompt_order, undiscovered, on_pop)) ==
          "<0,(1,2),1,(3),3,()-2,0>=0,2");
    CHECK(completion(shuffled, with(dfs, prompt_order, undiscovered, on_pop)) ==
          "<0,(3,1,2),3,(4)-4,3,0>=0,3,4");
  }
}

TEST_CASE("DFS moves a relisted node to the top and changes its parent") {
  // Node 1 lists 2 again: 2 is expanded before 3, and the backtrack goes 2 -> 1, not 2 -> 0.
  const auto t = trace_dfs(prompt(seed_prompt));
  REQUIRE(t.ok());
  CHECK(t->expanded == std::vector<Label>{0, 1, 2});
  CHECK(t->backtrack == std::vector<Label>{4, 2, 1, 0});
  // A longer chain: every node relists the next, so each parent is the latest lister.
  CHECK(completion("0,1|0,2|0,3|1,2|1,3|2,3|3,4/0,4", with(dfs)) ==
        "<0,(1,2,3),1,(2,3),2,(3),3,(4)-4,3,2,1,0>=0,1,2,3,4");
  CHECK(completion("0,1|0,2|0,3|1,2|1,3|2,3|3,4/0,4", with(bfs)) ==
        "<0,(1,2,3),1,(2,3),2,(3),3,(4)-4,3,0>=0,3,4");
}

TEST_CASE("a target adjacent to the source") {
  CHECK(completion("1,3|2,4|1,2|0,1|0,2|3,4/0,1") == "<0,(1,2)-1,0>=0,1");
  CHECK(completion(adjacent) == "<0,(1,2)-2,0>=0,2");
  CHECK(completion("1,3|2,4|1,2|0,1|0,2|3,4/4,2") == "<4,(2,3)-2,4>=4,2");
  CHECK(completion("1,3|2,4|1,2|0,1|0,2|3,4/4,2", with(dfs)) == "<4,(2,3)-2,4>=4,2");
  CHECK(completion("5,9/9,5") == "<9,(5)-5,9>=9,5");
  CHECK(completion("5,9/9,5", with(dfs, ascending, unexpanded, on_pop)) == "<9,(5)-5,9>=9,5");
}

TEST_CASE("an expansion with nothing to list is written u,()") {
  CHECK(completion("0,1|0,2|2,3/0,3") == "<0,(1,2),1,(),2,(3)-3,2,0>=0,2,3");
  CHECK(completion("0,1|0,2|2,3/0,3", with(dfs)) == "<0,(1,2),1,(),2,(3)-3,2,0>=0,2,3");
  const auto t = trace_bfs(prompt("0,1|0,2|2,3/0,3"));
  REQUIRE(t.ok());
  CHECK(t->list(1).empty());
  CHECK(render_completion(*t, Rendering::pretty) == "<0,(1, 2),1,(),2,(3) - 3,2,0>=0,2,3");
}

TEST_CASE("multi-digit labels are single nodes") {
  const std::string expected =
      "<10,(7,123),7,(),123,(4294967295)-4294967295,123,10>=10,123,4294967295";
  CHECK(completion(big_labels) == expected);
  CHECK(completion(big_labels, with(dfs)) == expected);
  CHECK(completion("100,20|20,3|3,100|20,45/100,45") ==
        "<100,(3,20),3,(20),20,(45)-45,20,100>=100,20,45");
  const auto t = trace_bfs(prompt(big_labels));
  REQUIRE(t.ok());
  CHECK(t->expanded == std::vector<Label>{10, 7, 123});
  CHECK(t->path == std::vector<Label>{10, 123, 4294967295u});
}

TEST_CASE("a directed graph follows arcs forward only") {
  SUBCASE("the arc 2->0 into the source is not followed") {
    constexpr std::string_view text = "0,1|2,0|1,3|3,2/0,2";
    CHECK(completion(text) == "<0,(1,2)-2,0>=0,2");
    CHECK(completion(text, with(bfs), true) == "<0,(1),1,(3),3,(2)-2,3,1,0>=0,1,3,2");
    CHECK(completion(text, with(dfs), true) == "<0,(1),1,(3),3,(2)-2,3,1,0>=0,1,3,2");
  }
  SUBCASE("an arc pointing backward into a node is not listed by it") {
    constexpr std::string_view text = "0,1|2,1|1,3/0,3";
    CHECK(completion(text) == "<0,(1),1,(2,3)-3,1,0>=0,1,3");
    CHECK(completion(text, with(bfs), true) == "<0,(1),1,(3)-3,1,0>=0,1,3");
    CHECK(completion(text, with(dfs, prompt_order, undiscovered, on_pop), true) ==
          "<0,(1),1,(3)-3,1,0>=0,1,3");
  }
}

TEST_CASE("an unreachable target is a result, not a crash") {
  struct Case {
    std::string_view text;
    bool directed;
    std::string_view message;
  };
  for (const Case& c : {Case{"0,1|2,3/0,3", false, "target 3 cannot be reached from 0"},
                        Case{"0,1|1,2/2,0", true, "target 0 cannot be reached from 2"},
                        Case{"0,1|1,2|3,2/0,3", true, "target 3 cannot be reached from 0"},
                        Case{"7,8|9,10|10,11/11,7", false, "target 7 cannot be reached from 11"}}) {
    const Prompt p = prompt(c.text, c.directed);
    for (const SearchOptions& o : all_options()) {
      CAPTURE(c.text);
      CAPTURE(option_name(o));
      const auto r = trace(p, o);
      CHECK_FALSE(r.ok());
      CHECK(r.error().query == p.query);
      CHECK(r.error().message == c.message);
      CHECK_THROWS_WITH_AS(r.value(), std::string(c.message).c_str(), BadResultAccess);
    }
    CHECK_FALSE(trace_bfs(p).ok());
    CHECK_FALSE(trace_dfs(p).ok());
  }
  SUBCASE("trace_into keeps the partial exploration and writes no answer") {
    const Prompt p = prompt("0,1|1,2|3,2/0,3", true);
    Trace t;
    SearchScratch scratch;
    REQUIRE(trace_into(t, scratch, p.graph, p.query) == SearchStatus::unreachable);
    CHECK(t.expanded == std::vector<Label>{0, 1, 2});
    CHECK(t.listed == std::vector<Label>{1, 2});
    CHECK(t.list(2).empty());
    CHECK(t.backtrack.empty());
    CHECK(t.path.empty());
  }
  SUBCASE("an isolated source") {
    Graph g;
    const std::vector<Label> labels{0, 1, 2};
    const std::vector<Edge> edges{{1, 2}};
    REQUIRE(g.assign(labels, edges));
    const auto r = trace(g, Query{0, 2});
    CHECK_FALSE(r.ok());
    CHECK(r.error().message == "target 2 cannot be reached from 0");
  }
}

TEST_CASE("trace_into reuses its buffers and agrees with trace") {
  Trace t;
  SearchScratch scratch;
  for (int round = 0; round < 2; ++round)
    for (const std::string_view text : {big_labels, seed_prompt, adjacent, shuffled})
      for (const SearchOptions& o : all_options()) {
        CAPTURE(text);
        CAPTURE(option_name(o));
        const Prompt p = prompt(text);
        REQUIRE(trace_into(t, scratch, p.graph, p.query, o) == SearchStatus::found);
        const auto fresh = trace(p, o);
        REQUIRE(fresh.ok());
        CHECK(t == *fresh);
      }
}

// ---------------------------------------------------------------------------------------------
// An independent check over random graphs: a portable generator, a textbook BFS and a replay
// of each trace that shares no code with the search core.

namespace {

class SplitMix64 {
public:
  explicit SplitMix64(std::uint64_t seed_prompt) : state_(seed_prompt) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // 0..n-1, n < 2^32 (the slight bias of scaling does not matter here).
  std::uint32_t below(std::uint32_t n) {
    return static_cast<std::uint32_t>(((next() >> 32) * n) >> 32);
  }

private:
  std::uint64_t state_;
};

constexpr Label label_space = 100;
constexpr Label none = 0xFFFFFFFFu;

struct RandomPrompt {
  std::vector<std::pair<Label, Label>> edges; // as written
  Label source = 0;
  Label target = 0;
  bool directed = false;

  std::string text() const {
    std::string s;
    for (const auto& [a, b] : edges) {
      if (!s.empty())
        s += '|';
      s.append(std::to_string(a)).append(",").append(std::to_string(b));
    }
    s.append("/").append(std::to_string(source)).append(",").append(std::to_string(target));
    return s;
  }
};

std::vector<Label> draw_labels(SplitMix64& rng, std::size_t n) {
  std::array<Label, label_space> pool{};
  std::iota(pool.begin(), pool.end(), Label{0});
  for (std::size_t i = 0; i < n; ++i)
    std::swap(pool[i], pool[i + rng.below(static_cast<std::uint32_t>(label_space - i))]);
  return {pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(n)};
}

template <class T>
void shuffle(SplitMix64& rng, std::vector<T>& v) {
  for (std::size_t i = v.size(); i > 1; --i)
    std::swap(v[i - 1], v[rng.below(static_cast<std::uint32_t>(i))]);
}

bool has_edge(const std::vector<std::pair<Label, Label>>& edges, Label a, Label b, bool directed) {
  for (const auto& [x, y] : edges)
    if ((x == a && y == b) || (!directed && x == b && y == a))
      return true;
  return false;
}

// A random connected graph on `labels`: a random spanning tree plus up to n extra edges.
void add_connected(SplitMix64& rng, std::vector<Label> labels,
                   std::vector<std::pair<Label, Label>>& edges) {
  const auto n = static_cast<std::uint32_t>(labels.size());
  shuffle(rng, labels);
  for (std::uint32_t i = 1; i < n; ++i)
    edges.push_back({labels[i], labels[rng.below(i)]});
  const std::uint32_t extra = rng.below(n + 1);
  for (std::uint32_t k = 0; k < extra; ++k) {
    const Label a = labels[rng.below(n)];
    const Label b = labels[rng.below(n)];
    if (a != b && !has_edge(edges, a, b, false))
      edges.push_back({a, b});
  }
}

void shuffle_and_orient(SplitMix64& rng, RandomPrompt& s) {
  shuffle(rng, s.edges);
  if (!s.directed)
    for (auto& e : s.edges)
      if (rng.below(2) != 0)
        std::swap(e.first, e.second);
}

std::pair<Label, Label> draw_query(SplitMix64& rng, const std::vector<Label>& from,
                                   const std::vector<Label>& to) {
  const Label s = from[rng.below(static_cast<std::uint32_t>(from.size()))];
  Label t = s;
  while (t == s)
    t = to[rng.below(static_cast<std::uint32_t>(to.size()))];
  return {s, t};
}

RandomPrompt random_connected(SplitMix64& rng) {
  RandomPrompt s;
  const std::vector<Label> labels = draw_labels(rng, 3 + rng.below(23)); // 3..25 nodes
  add_connected(rng, labels, s.edges);
  shuffle_and_orient(rng, s);
  std::tie(s.source, s.target) = draw_query(rng, labels, labels);
  return s;
}

RandomPrompt random_disconnected(SplitMix64& rng) {
  RandomPrompt s;
  const std::size_t n1 = 2 + rng.below(11), n2 = 2 + rng.below(11);
  const std::vector<Label> labels = draw_labels(rng, n1 + n2);
  const std::vector<Label> a(labels.begin(), labels.begin() + static_cast<std::ptrdiff_t>(n1));
  const std::vector<Label> b(labels.begin() + static_cast<std::ptrdiff_t>(n1), labels.end());
  add_connected(rng, a, s.edges);
  add_connected(rng, b, s.edges);
  shuffle_and_orient(rng, s);
  std::tie(s.source, s.target) = rng.below(2) != 0 ? draw_query(rng, a, b) : draw_query(rng, b, a);
  return s;
}

// Random arcs, reachable or not; both orientations of a pair may appear.
RandomPrompt random_directed(SplitMix64& rng) {
  RandomPrompt s;
  s.directed = true;
  const std::vector<Label> labels = draw_labels(rng, 3 + rng.below(14));
  const auto n = static_cast<std::uint32_t>(labels.size());
  const std::uint32_t arcs = 1 + rng.below(3 * n);
  for (std::uint32_t k = 0; k < arcs; ++k) {
    const Label a = labels[rng.below(n)];
    const Label b = labels[rng.below(n)];
    if (a != b && !has_edge(s.edges, a, b, true))
      s.edges.push_back({a, b});
  }
  if (s.edges.empty())
    s.edges.push_back({labels[0], labels[1]});
  shuffle_and_orient(rng, s);
  std::vector<Label> mentioned;
  for (const auto& [a, b] : s.edges) {
    mentioned.push_back(a);
    mentioned.push_back(b);
  }
  std::sort(mentioned.begin(), mentioned.end());
  mentioned.erase(std::unique(mentioned.begin(), mentioned.end()), mentioned.end());
  std::tie(s.source, s.target) = draw_query(rng, mentioned, mentioned);
  return s;
}

// The graph as the test sees it, built from the edge list alone.
struct Model {
  std::array<std::vector<Label>, label_space> prompt_order{}; // as the prompt mentions them
  std::array<std::vector<Label>, label_space> ascending{};
  std::array<std::array<bool, label_space>, label_space> arc{};

  explicit Model(const RandomPrompt& s) {
    for (const auto& [a, b] : s.edges) {
      prompt_order[a].push_back(b);
      arc[a][b] = true;
      if (!s.directed) {
        prompt_order[b].push_back(a);
        arc[b][a] = true;
      }
    }
    for (Label u = 0; u < label_space; ++u) {
      ascending[u] = prompt_order[u];
      std::sort(ascending[u].begin(), ascending[u].end());
    }
  }
};

// The textbook BFS: distance of every node from s, -1 when unreachable.
std::array<int, label_space> distances(const Model& m, Label s) {
  std::array<int, label_space> d;
  d.fill(-1);
  std::deque<Label> queue{s};
  d[s] = 0;
  while (!queue.empty()) {
    const Label u = queue.front();
    queue.pop_front();
    for (const Label v : m.ascending[u])
      if (d[v] < 0) {
        d[v] = d[u] + 1;
        queue.push_back(v);
      }
  }
  return d;
}

std::string list_text(std::span<const Label> l) {
  std::string s = "(";
  for (const Label v : l) {
    if (s.size() > 1)
      s += ',';
    s += std::to_string(v);
  }
  return s + ")";
}

// Replays a trace against the BFS/DFS rules (docs/reference.md) computed from the trace itself:
// returns the first violation, or an empty string.
std::string violation(const Trace& t, const RandomPrompt& s, const Model& m, const SearchOptions& o,
                      int shortest) {
  const bool is_bfs = o.algorithm == Algorithm::bfs;
  std::array<bool, label_space> expanded{}, discovered{};
  std::array<Label, label_space> first_lister, last_lister;
  first_lister.fill(none);
  last_lister.fill(none);
  std::vector<Label> discovery{s.source}; // BFS: the order of first discovery
  std::vector<Label> stack{s.source};     // DFS: top at the back, no duplicates
  discovered[s.source] = true;
  auto live_top = [&] {
    while (!stack.empty() && expanded[stack.back()])
      stack.pop_back();
    return stack.empty() ? none : stack.back();
  };

  std::vector<Label> want; // one buffer for every expansion
  const std::size_t k = t.expansion_count();
  if (k == 0 || t.list_end.size() != k)
    return "no expansion";
  for (std::size_t i = 0; i < k; ++i) {
    const Label u = t.expanded[i];
    // Built only on failure: the check runs on every expansion of 200,000 traces.
    const auto at = [&] {
      return "expansion " + std::to_string(i) + " (" + std::to_string(u) + "): ";
    };
    if (u >= label_space || expanded[u])
      return at() + "expanded twice";
    if (u == s.target)
      return at() + "expanded the target";
    if (is_bfs ? (i >= discovery.size() || discovery[i] != u) : live_top() != u)
      return at() + (is_bfs ? "not the first discovered node left" : "not the top of the stack");
    expanded[u] = true;

    want.clear();
    for (const Label v : o.order == NeighborOrder::ascending ? m.ascending[u] : m.prompt_order[u])
      if (!expanded[v] && (o.listing == Listing::unexpanded || !discovered[v]))
        want.push_back(v);
    const std::span<const Label> got = t.list(i);
    if (!std::equal(got.begin(), got.end(), want.begin(), want.end()))
      return at() + "lists " + list_text(got) + ", expected " + list_text(want);

    const bool lists_target = std::find(got.begin(), got.end(), s.target) != got.end();
    if (o.stop == StopRule::on_list && lists_target != (i + 1 == k))
      return at() + (lists_target ? "went on after listing the target" : "stopped too early");
    for (const Label v : got) {
      if (!discovered[v]) {
        discovered[v] = true;
        first_lister[v] = u;
        discovery.push_back(v);
      }
      last_lister[v] = u;
    }
    if (!is_bfs)
      for (auto it = got.rbegin(); it != got.rend(); ++it) {
        stack.erase(std::remove(stack.begin(), stack.end(), *it), stack.end());
        stack.push_back(*it);
      }
  }
  if (o.stop == StopRule::on_pop &&
      (is_bfs ? (k >= discovery.size() || discovery[k] != s.target) : live_top() != s.target))
    return "on_pop: the target is not the next node to pop";

  const auto& parent = is_bfs ? first_lister : last_lister;
  const auto& bt = t.backtrack;
  if (bt.empty() || bt.front() != s.target)
    return "the backtrack does not start at the target";
  for (std::size_t j = 0; j + 1 < bt.size(); ++j) {
    if (bt[j] >= label_space || bt[j] == s.source)
      return "the backtrack goes past the source";
    if (parent[bt[j]] != bt[j + 1])
      return "backtrack step " + std::to_string(j) + " does not go to the parent";
  }
  if (bt.back() != s.source)
    return "the backtrack does not end at the source";
  if (!std::equal(t.path.begin(), t.path.end(), bt.rbegin(), bt.rend()))
    return "the path is not the reversed backtrack";
  for (std::size_t j = 0; j + 1 < t.path.size(); ++j)
    if (!m.arc[t.path[j]][t.path[j + 1]])
      return "the path uses a non-edge";
  if (is_bfs && static_cast<int>(t.path.size()) - 1 != shortest)
    return "BFS path of length " + std::to_string(t.path.size() - 1) + ", shortest is " +
           std::to_string(shortest);
  return {};
}

std::vector<Label> sorted(std::vector<Label> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<Label> reachable(const Model& m, Label s) {
  const auto d = distances(m, s);
  std::vector<Label> out;
  for (Label v = 0; v < label_space; ++v)
    if (d[v] >= 0)
      out.push_back(v);
  return out;
}

} // namespace

TEST_CASE("random connected graphs pass an independent check under every option") {
  SplitMix64 rng(0x5eed0001);
  PromptParser parser;
  Prompt p;
  Trace t;
  SearchScratch scratch;
  const std::vector<SearchOptions> opts = all_options();
  int failures = 0;
  std::size_t checked = 0;
  constexpr int graphs = 10000;
  for (int g = 0; g < graphs && failures < 10; ++g) {
    const RandomPrompt s = random_connected(rng);
    const std::string text = s.text();
    if (const auto e = parser.parse(text, p)) {
      FAIL_CHECK(text << " rejected: " << e->message);
      ++failures;
      continue;
    }
    if (render_prompt(p) != text) {
      FAIL_CHECK(text << " renders back as " << render_prompt(p));
      ++failures;
    }
    const Model m(s);
    const int shortest = distances(m, s.source)[s.target];
    for (const SearchOptions& o : opts) {
      if (trace_into(t, scratch, p.graph, p.query, o) != SearchStatus::found) {
        FAIL_CHECK(text << " " << option_name(o) << ": unreachable on a connected graph");
        ++failures;
        continue;
      }
      if (const std::string why = violation(t, s, m, o, shortest); !why.empty()) {
        FAIL_CHECK(text << " " << option_name(o) << ": " << why << "\n  got "
                        << render_completion(t));
        ++failures;
      }
      ++checked;
    }
    if (g % 16 == 0) { // the Result API gives what the reused buffers give
      const auto fresh = trace(p, opts[static_cast<std::size_t>(g / 16) % opts.size()]);
      REQUIRE(fresh.ok());
      REQUIRE(trace_into(t, scratch, p.graph, p.query,
                         opts[static_cast<std::size_t>(g / 16) % opts.size()]) ==
              SearchStatus::found);
      CHECK(*fresh == t);
    }
  }
  CHECK(failures == 0);
  CHECK(checked == static_cast<std::size_t>(graphs) * opts.size());
}

TEST_CASE("random disconnected graphs are unreachable under every option") {
  SplitMix64 rng(0x5eed0002);
  Trace t;
  SearchScratch scratch;
  int failures = 0;
  for (int g = 0; g < 1000 && failures < 10; ++g) {
    const RandomPrompt s = random_disconnected(rng);
    const std::string text = s.text();
    const Prompt p = prompt(text);
    const Model m(s);
    // Both searches explore the source's whole component before giving up.
    const std::vector<Label> component = reachable(m, s.source);
    for (const SearchOptions& o : all_options()) {
      const bool unreachable =
          trace_into(t, scratch, p.graph, p.query, o) == SearchStatus::unreachable;
      if (!unreachable || sorted(t.expanded) != component || !t.backtrack.empty() ||
          !t.path.empty()) {
        FAIL_CHECK(text << " " << option_name(o) << ": got " << render_completion(t));
        ++failures;
      }
    }
    if (g % 50 == 0) {
      const auto r = trace_dfs(p);
      CHECK_FALSE(r.ok());
      CHECK_THROWS_AS(r.value(), BadResultAccess);
    }
  }
  CHECK(failures == 0);
}

TEST_CASE("random directed graphs pass an independent check under every option") {
  SplitMix64 rng(0x5eed0003);
  Trace t;
  SearchScratch scratch;
  int failures = 0, found = 0, unreachable = 0;
  for (int g = 0; g < 3000 && failures < 10; ++g) {
    const RandomPrompt s = random_directed(rng);
    const std::string text = s.text();
    const Prompt p = prompt(text, true);
    CHECK(render_prompt(p) == text);
    const Model m(s);
    const int shortest = distances(m, s.source)[s.target];
    for (const SearchOptions& o : all_options()) {
      const SearchStatus status = trace_into(t, scratch, p.graph, p.query, o);
      std::string why;
      if (shortest < 0)
        why = status != SearchStatus::unreachable ? "found an unreachable target"
              : sorted(t.expanded) != reachable(m, s.source)
                  ? "did not explore every reachable node"
                  : "";
      else
        why = status != SearchStatus::found ? "missed a reachable target"
                                            : violation(t, s, m, o, shortest);
      if (!why.empty()) {
        FAIL_CHECK(text << " directed " << option_name(o) << ": " << why << "\n  got "
                        << render_completion(t));
        ++failures;
      }
    }
    ++(shortest < 0 ? unreachable : found);
  }
  CHECK(failures == 0);
  // The generator gives both kinds of query in fair numbers.
  CHECK(found > 500);
  CHECK(unreachable > 500);
}

TEST_CASE("queries built through the Graph API") {
  Graph g;
  const std::vector<Label> labels{0, 1, 2};
  const std::vector<Edge> edges{{0, 1}, {1, 2}};
  REQUIRE(g.assign(labels, edges));
  SUBCASE("a trivial query is a programming error") {
    // Prompts reject it, and no completion of the grammar could answer it.
    for (const SearchOptions& o : all_options()) {
      CAPTURE(option_name(o));
      CHECK_THROWS_AS((void)trace(g, Query{1, 1}, o), std::invalid_argument);
    }
  }
  SUBCASE("a query id out of range is a programming error") {
    CHECK_THROWS_AS((void)trace(g, Query{0, 3}), std::invalid_argument);
    CHECK_THROWS_AS((void)trace(g, Query{no_node, 0}), std::invalid_argument);
  }
}

TEST_CASE("the independent checker rejects corrupted traces") {
  // The random checks above are only as good as `violation`: it must catch each kind of error.
  RandomPrompt s;
  s.edges = {{1, 3}, {2, 4}, {1, 2}, {0, 1}, {0, 2}, {3, 4}};
  s.source = 0;
  s.target = 4;
  const Model m(s);
  const Prompt p = prompt(s.text());
  const SearchOptions bfs_options;
  const Trace good = *trace_bfs(p);
  REQUIRE(violation(good, s, m, bfs_options, 2).empty());
  REQUIRE(violation(*trace_dfs(p), s, m, with(dfs), 2).empty());

  Trace bad = good;
  SUBCASE("a list out of order") {
    std::swap(bad.listed[2], bad.listed[3]);
  }
  SUBCASE("a missing neighbour") {
    bad.listed.erase(bad.listed.begin() + 2);
    for (auto& e : bad.list_end)
      e -= e > 2 ? 1 : 0;
  }
  SUBCASE("expansions out of FIFO order") {
    std::swap(bad.expanded[1], bad.expanded[2]);
  }
  SUBCASE("a wrong parent in the backtrack") {
    bad.backtrack = {4, 3, 1, 0};
  }
  SUBCASE("a path that is not the reversed backtrack") {
    bad.path = {0, 1, 2, 4};
  }
  SUBCASE("a BFS answer that is not shortest") {
    // DFS's answer 0,1,2,4 is a valid path but one step too long for BFS.
    bad = *trace_dfs(p);
  }
  SUBCASE("going on after the target was listed") {
    bad.begin_expansion(3);
    bad.list_node(4);
  }
  CHECK_FALSE(violation(bad, s, m, bfs_options, 2).empty());
}

TEST_CASE("the bit-row BFS of trace_into gives what driving SearchState gives") {
  // trace_into takes detail::trace_bfs_rows for BFS in ascending order on graphs of up to 64
  // nodes; `search` with a TraceRecorder always drives SearchState. Both must write the same
  // trace, found or not, at every size up to the limit and just past it.
  SplitMix64 rng(0x5eed0004);
  Trace fast, slow;
  SearchScratch scratch;
  std::size_t compared = 0, unreachable = 0, small = 0;
  for (int g = 0; g < 3000; ++g) {
    RandomPrompt s;
    switch (g % 3) {
    case 0: {
      const std::vector<Label> labels = draw_labels(rng, 2 + rng.below(66)); // 2..67 nodes
      add_connected(rng, labels, s.edges);
      shuffle_and_orient(rng, s);
      std::tie(s.source, s.target) = draw_query(rng, labels, labels);
      break;
    }
    case 1:
      s = random_disconnected(rng);
      break;
    default:
      s = random_directed(rng);
      break;
    }
    const Prompt p = prompt(s.text(), s.directed);
    small += !p.graph.rows().empty();
    for (const Listing listing : {Listing::unexpanded, Listing::undiscovered})
      for (const StopRule stop : {StopRule::on_list, StopRule::on_pop}) {
        SearchOptions o;
        o.listing = listing;
        o.stop = stop;
        const SearchStatus got = trace_into(fast, scratch, p.graph, p.query, o);
        slow.clear();
        TraceRecorder rec(slow);
        const SearchStatus want = search(scratch, p.graph, p.query, o, rec);
        if (want == SearchStatus::found)
          slow.path.assign(slow.backtrack.rbegin(), slow.backtrack.rend());
        REQUIRE(got == want);
        CHECK_MESSAGE(fast == slow, s.text() << " " << option_name(o)
                                             << "\n  rows:  " << render_completion(fast)
                                             << "\n  state: " << render_completion(slow));
        ++compared;
        unreachable += got == SearchStatus::unreachable;
      }
  }
  CHECK(compared == 12000u);
  CHECK(unreachable > 1000u);
  CHECK(small > 2500u);
  CHECK(small < 3000u); // some graphs past 64 nodes take the general path
}
