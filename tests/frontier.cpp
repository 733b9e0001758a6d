#include <searchtrace/frontier.hpp>

#include <searchtrace/classify.hpp>
#include <searchtrace/completion.hpp>
#include <searchtrace/cursor.hpp>
#include <searchtrace/prompt.hpp>
#include <searchtrace/render.hpp>
#include <searchtrace/search.hpp>
#include <searchtrace/tracer.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "random_graphs.hpp"
#include "support.hpp"

using namespace searchtrace;
using searchtrace_test::RuntimeSearchState;
using searchtrace_test::search;

namespace {

// A third discipline, defined here and nowhere in the library: best-first by a caller's key
// (smallest key first, ties by node id; as BFS, a node joins when discovered and keeps its first
// lister as parent). It must run through the tracer, the renderer, the parser, the classifier
// and the cursor as it is: the loop and the classifier know only the discipline concept.
class KeyedFrontier {
public:
  static constexpr DisciplineTraits traits{"best-first",
                                           "priority queue",
                                           "first in the priority queue",
                                           "reached the head of the priority queue",
                                           false,
                                           false};

  KeyedFrontier() = default;
  explicit KeyedFrontier(const std::vector<int>* keys) : keys_(keys) {}

  void reset(detail::FrontierBuffers&, std::size_t, NodeId source) {
    heap_.clear();
    push(source);
  }
  void on_expand(NodeId) {}
  void on_list(NodeId v, bool fresh) {
    if (fresh)
      push(v);
  }
  template <class Expanded>
  void on_close(Expanded&&) {}
  template <class Expanded>
  NodeId next(Expanded&& expanded) {
    while (!heap_.empty() && expanded(heap_.front().second)) {
      std::pop_heap(heap_.begin(), heap_.end(), later);
      heap_.pop_back();
    }
    return heap_.empty() ? no_node : heap_.front().second;
  }
  template <class Expanded, class F>
  void for_each(Expanded&& expanded, F&& f) const {
    auto sorted = heap_;
    std::sort(sorted.begin(), sorted.end());
    for (const auto& [key, v] : sorted)
      if (!expanded(v))
        f(v);
  }

private:
  static bool later(const std::pair<int, NodeId>& a, const std::pair<int, NodeId>& b) {
    return a > b; // a min-heap on (key, id)
  }
  void push(NodeId v) {
    heap_.emplace_back((*keys_)[v], v);
    std::push_heap(heap_.begin(), heap_.end(), later);
  }

  const std::vector<int>* keys_ = nullptr;
  std::vector<std::pair<int, NodeId>> heap_;
};

// Best-first written out plainly, sharing nothing with the library's search: the expansions,
// their lists and the parents, for the comparison below.
struct PlainBestFirst {
  std::vector<NodeId> expanded;
  std::vector<std::vector<NodeId>> lists;
  std::vector<NodeId> path;
  bool found = false;

  PlainBestFirst(const Graph& g, Query q, const std::vector<int>& key) {
    const std::size_t n = g.node_count();
    std::vector<bool> done(n, false), seen(n, false);
    std::vector<NodeId> parent(n, no_node);
    std::vector<NodeId> open{q.source};
    seen[q.source] = true;
    while (!open.empty() && !found) {
      const auto best = std::min_element(open.begin(), open.end(), [&](NodeId a, NodeId b) {
        return std::pair(key[a], a) < std::pair(key[b], b);
      });
      const NodeId u = *best;
      open.erase(best);
      done[u] = true;
      expanded.push_back(u);
      lists.emplace_back();
      for (NodeId v = 0; v < n; ++v) // ascending ids
        if (g.adjacent(u, v) && !done[v]) {
          lists.back().push_back(v);
          if (!seen[v]) {
            seen[v] = true;
            parent[v] = u;
            open.push_back(v);
          }
          found = found || v == q.target;
        }
    }
    if (!found)
      return;
    for (NodeId v = q.target; v != no_node; v = parent[v])
      path.insert(path.begin(), v);
  }
};

std::vector<int> random_keys(searchtrace::Rng& rng, std::size_t n) { // NOLINT
  std::vector<int> keys(n);
  for (auto& k : keys)
    k = static_cast<int>(rng.below(5)); // few values: ties are common
  return keys;
}

// A sink that logs the events it receives, by label.
struct EventLog {
  std::vector<std::string> log;
  template <class State>
  void on_expand(const State& s, NodeId u) {
    log.push_back("expand " + std::to_string(s.label(u)));
  }
  template <class State>
  void on_list(const State& s, NodeId, NodeId v) {
    log.push_back("list " + std::to_string(s.label(v)));
  }
  template <class State>
  void on_close(const State& s, NodeId) {
    std::string f = "frontier";
    // (Appended in two steps: g++ 12 at -O3 warns falsely (-Wrestrict) on " " + std::string here.)
    s.for_each_in_frontier([&](NodeId v) {
      f += ' ';
      f += std::to_string(s.label(v));
    });
    log.push_back(f);
  }
};

} // namespace

TEST_CASE("frontier: the built-in disciplines name themselves") {
  CHECK(FifoFrontier::traits.name == "bfs");
  CHECK(LifoFrontier::traits.name == "dfs");
  CHECK(FifoFrontier::traits.shortest_paths);
  CHECK_FALSE(LifoFrontier::traits.shortest_paths);
  CHECK_FALSE(FifoFrontier::traits.relist_reparents);
  CHECK(LifoFrontier::traits.relist_reparents);
  CHECK(algorithm_name(Algorithm::bfs) == FifoFrontier::traits.name);
  CHECK(algorithm_name(Algorithm::dfs) == LifoFrontier::traits.name);
}

TEST_CASE("frontier: the FIFO queue takes a node expanded out of order out of its middle") {
  // A replay may expand a queued node that is not at the front: it leaves the queue at once.
  const Prompt p = searchtrace_test::prompt("0,1|0,2|0,3|1,4/0,4");
  RuntimeSearchState st;
  st.reset(p.graph, p.query, SearchOptions{});
  st.expand(0);
  for (const NodeId v : {1u, 2u, 3u})
    st.list(v);
  st.close();
  st.expand(2);
  st.close();
  std::vector<NodeId> order;
  st.for_each_in_frontier([&](NodeId v) { order.push_back(v); });
  CHECK(order == std::vector<NodeId>{1, 3});
  CHECK(st.next() == 1u);
  CHECK(st.frontier_size() == 2u);
}

TEST_CASE("frontier: a caller's discipline runs through trace, render, parse, classify and the "
          "cursor unchanged") {
  searchtrace_test::SampleMaker maker(7);
  searchtrace_test::RandomCase sample;
  Classifier classifier;
  CompletionCursor cursor;
  int swaps = 0;
  for (int round = 0; round < 300; ++round) {
    const auto shape = searchtrace_test::all_shapes[round % 6];
    maker.draw(shape, SearchOptions{}, sample);
    const Prompt& p = sample.prompt;
    CAPTURE(sample.prompt_text);
    const std::vector<int> keys = random_keys(maker.rng(), p.graph.node_count());
    const KeyedFrontier frontier(&keys);
    const PlainBestFirst want(p.graph, p.query, keys);
    REQUIRE(want.found); // the samples' targets are reachable
    const auto got = trace(p, SearchOptions{}, frontier);
    REQUIRE(got.ok());
    // The trace is the plain best-first one.
    const Trace& t = *got;
    REQUIRE(t.expansion_count() == want.expanded.size());
    for (std::size_t i = 0; i < want.expanded.size(); ++i) {
      CHECK(t.expanded[i] == p.graph.label(want.expanded[i]));
      const auto list = t.list(i);
      REQUIRE(list.size() == want.lists[i].size());
      for (std::size_t j = 0; j < list.size(); ++j)
        CHECK(list[j] == p.graph.label(want.lists[i][j]));
    }
    REQUIRE(t.path.size() == want.path.size());
    for (std::size_t j = 0; j < t.path.size(); ++j)
      CHECK(t.path[j] == p.graph.label(want.path[j]));
    // Rendered, parsed back, judged correct by the classifier and the cursor, in both spacings.
    for (const Rendering r : {Rendering::compact, Rendering::pretty}) {
      const std::string text = render_completion(t, r);
      CAPTURE(text);
      const ParsedCompletion pc = parse_completion(text);
      REQUIRE(pc.complete);
      CHECK(pc.trace == t);
      const Verdict& v = classifier.classify(p, text, SearchOptions{}, frontier);
      CHECK(v.valid);
      CHECK(v.exact);
      CHECK(v.answer_correct);
      const Verdict& replayed = classifier.classify(p, pc, SearchOptions{}, frontier);
      CHECK(replayed.valid);
      CHECK(replayed.exact);
      cursor.reset(p, SearchOptions{}, frontier);
      CHECK(cursor.feed(std::string_view(text)));
      CHECK(cursor.finish());
    }
    // Expansion 1 made of another node that expansion 0 listed: it waits in the priority queue,
    // but is not first there, and the classifier says so in the discipline's words.
    const auto first = t.list(0);
    const auto other = std::find_if(first.begin(), first.end(), [&](Label v) {
      return t.expansion_count() > 1 && v != t.expanded[1];
    });
    if (t.expansion_count() > 1 && other != first.end()) {
      ++swaps;
      Trace wrong = t;
      wrong.expanded[1] = *other;
      const std::string text = render_completion(wrong);
      CAPTURE(text);
      const Verdict& v = classifier.classify(p, text, SearchOptions{}, frontier);
      REQUIRE(v.first_error() != nullptr);
      CHECK(v.first_error()->kind == ErrorKind::frontier_order);
      CHECK(v.first_error()->expansion == 1);
      CHECK(v.first_error()->message.find("first in the priority queue") != std::string::npos);
      cursor.reset(p, SearchOptions{}, frontier);
      CHECK_FALSE(cursor.feed(std::string_view(text)));
    }
  }
  CHECK(swaps > 100);
}

TEST_CASE("frontier: the replay of a caller's discipline fires the same events as its search") {
  const Prompt p = searchtrace_test::prompt("1,3|2,4|1,2|0,1|0,2|3,4/0,4");
  // 2 before 1: the keys reverse BFS's order at the first choice.
  const std::vector<int> keys{0, 5, 1, 0, 0};
  const KeyedFrontier frontier(&keys);
  const Trace t = trace(p, SearchOptions{}, frontier).value();
  CHECK(render_completion(t) == "<0,(1,2),2,(1,4)-4,2,0>=0,2,4");
  SearchScratch scratch;
  EventLog searched, replayed;
  REQUIRE(search(scratch, p.graph, p.query, SearchOptions{}, frontier, searched) ==
          SearchStatus::found);
  Classifier c;
  const Verdict& v =
      c.replay(p, parse_completion(render_completion(t)), SearchOptions{}, frontier, replayed);
  CHECK(v.valid);
  CHECK(replayed.log == searched.log);
  CHECK(searched.log == std::vector<std::string>{"expand 0", "list 1", "list 2", "frontier 2 1",
                                                 "expand 2", "list 1", "list 4", "frontier 4 1"});
}
