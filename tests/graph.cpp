#include <searchtrace/graph.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <thread>
#include <utility>
#include <vector>

using namespace searchtrace;

namespace {

std::vector<NodeId> ids(std::span<const NodeId> s) {
  return {s.begin(), s.end()};
}

// The seed's graph `1,3|2,4|1,2|0,1|0,2|3,4`, whose labels are their own dense ids.
const std::vector<Label> seed_labels{0, 1, 2, 3, 4};
const std::vector<Edge> seed_edges{{1, 3}, {2, 4}, {1, 2}, {0, 1}, {0, 2}, {3, 4}};

} // namespace

TEST_CASE("assign builds a CSR graph with two neighbour orders") {
  Graph g;
  const GraphCheck check = g.assign(seed_labels, seed_edges);
  REQUIRE(static_cast<bool>(check));
  CHECK(check.defect == GraphDefect::none);
  CHECK(g.node_count() == 5u);
  CHECK(g.edge_count() == 6u);
  CHECK_FALSE(g.directed());

  SUBCASE("edges stay in prompt order, as written") {
    REQUIRE(g.edges().size() == seed_edges.size());
    for (std::size_t i = 0; i < seed_edges.size(); ++i)
      CHECK(g.edges()[i] == seed_edges[i]);
  }
  SUBCASE("neighbours ascending by id") {
    CHECK(ids(g.neighbors(0)) == std::vector<NodeId>{1, 2});
    CHECK(ids(g.neighbors(1)) == std::vector<NodeId>{0, 2, 3});
    CHECK(ids(g.neighbors(2)) == std::vector<NodeId>{0, 1, 4});
    CHECK(ids(g.neighbors(3)) == std::vector<NodeId>{1, 4});
    CHECK(ids(g.neighbors(4)) == std::vector<NodeId>{2, 3});
  }
  SUBCASE("neighbours in the order the prompt mentions them") {
    CHECK(ids(g.neighbors_in_prompt_order(0)) == std::vector<NodeId>{1, 2});
    CHECK(ids(g.neighbors_in_prompt_order(1)) == std::vector<NodeId>{3, 2, 0});
    CHECK(ids(g.neighbors_in_prompt_order(2)) == std::vector<NodeId>{4, 1, 0});
    CHECK(ids(g.neighbors_in_prompt_order(3)) == std::vector<NodeId>{1, 4});
    CHECK(ids(g.neighbors_in_prompt_order(4)) == std::vector<NodeId>{2, 3});
  }
  SUBCASE("degree and adjacency are symmetric") {
    CHECK(g.degree(0) == 2u);
    CHECK(g.degree(1) == 3u);
    CHECK(g.adjacent(0, 1));
    CHECK(g.adjacent(1, 0));
    CHECK(g.adjacent(3, 4));
    CHECK_FALSE(g.adjacent(0, 3));
    CHECK_FALSE(g.adjacent(0, 4));
    CHECK_FALSE(g.adjacent(2, 2));
  }
}

TEST_CASE("labels need not be contiguous and map to dense ids") {
  Graph g;
  const std::vector<Label> labels{7, 10, 123, 4294967295u};
  const std::vector<Edge> edges{{1, 2}, {2, 3}, {1, 0}};
  REQUIRE(g.assign(labels, edges));
  CHECK(g.label(0) == 7u);
  CHECK(g.label(3) == 4294967295u);
  CHECK(g.labels().size() == 4u);
  CHECK(g.node(7) == NodeId{0});
  CHECK(g.node(10) == NodeId{1});
  CHECK(g.node(123) == NodeId{2});
  CHECK(g.node(4294967295u) == NodeId{3});
  CHECK_FALSE(g.node(0).has_value());
  CHECK_FALSE(g.node(11).has_value());
  CHECK_FALSE(g.node(4294967294u).has_value());
  CHECK(ids(g.neighbors(1)) == std::vector<NodeId>{0, 2});
  CHECK(ids(g.neighbors_in_prompt_order(1)) == std::vector<NodeId>{2, 0});
}

TEST_CASE("a directed graph keeps each arc one way") {
  Graph g;
  // 0->1, 2->0, 1->3, 3->2
  const std::vector<Edge> arcs{{0, 1}, {2, 0}, {1, 3}, {3, 2}};
  REQUIRE(g.assign(std::span<const Label>(seed_labels).first(4), arcs, true));
  CHECK(g.directed());
  CHECK(ids(g.neighbors(0)) == std::vector<NodeId>{1});
  CHECK(ids(g.neighbors(2)) == std::vector<NodeId>{0});
  CHECK(g.adjacent(2, 0));
  CHECK_FALSE(g.adjacent(0, 2));
  CHECK(g.degree(0) == 1u);

  SUBCASE("the reversed arc is another arc") {
    const std::vector<Edge> both{{0, 1}, {1, 0}};
    REQUIRE(g.assign(std::span<const Label>(seed_labels).first(2), both, true));
    CHECK(g.adjacent(0, 1));
    CHECK(g.adjacent(1, 0));
    CHECK(g.edge_count() == 2u);
  }
  SUBCASE("out-neighbours in prompt order") {
    const std::vector<Edge> fan{{0, 3}, {0, 1}, {2, 0}, {0, 2}};
    REQUIRE(g.assign(std::span<const Label>(seed_labels).first(4), fan, true));
    CHECK(ids(g.neighbors_in_prompt_order(0)) == std::vector<NodeId>{3, 1, 2});
    CHECK(ids(g.neighbors(0)) == std::vector<NodeId>{1, 2, 3});
    CHECK(ids(g.neighbors(2)) == std::vector<NodeId>{0});
    CHECK(g.degree(1) == 0u);
  }
}

TEST_CASE("isolated nodes and empty graphs are allowed") {
  Graph g;
  CHECK(g.node_count() == 0u);
  CHECK(g.edge_count() == 0u);
  const std::vector<Edge> one{{0, 1}};
  REQUIRE(g.assign(std::span<const Label>(seed_labels).first(3), one));
  CHECK(g.degree(2) == 0u);
  CHECK(g.neighbors(2).empty());
  CHECK(g.neighbors_in_prompt_order(2).empty());
  REQUIRE(g.assign({}, {}));
  CHECK(g.node_count() == 0u);
}

TEST_CASE("assign rejects malformed graphs and leaves the graph empty") {
  Graph g;
  REQUIRE(g.assign(seed_labels, seed_edges)); // something to lose
  GraphCheck check;

  SUBCASE("unsorted labels") {
    const std::vector<Label> labels{1, 0};
    check = g.assign(labels, {});
    CHECK(check.defect == GraphDefect::unsorted_labels);
  }
  SUBCASE("repeated labels") {
    const std::vector<Label> labels{0, 1, 1};
    check = g.assign(labels, {});
    CHECK(check.defect == GraphDefect::unsorted_labels);
  }
  SUBCASE("a self loop, at its edge index") {
    const std::vector<Edge> edges{{0, 1}, {1, 2}, {3, 3}};
    check = g.assign(seed_labels, edges);
    CHECK(check.defect == GraphDefect::self_loop);
    CHECK(check.edge == 2u);
  }
  SUBCASE("a duplicate edge in the same orientation, at its second occurrence") {
    const std::vector<Edge> edges{{0, 1}, {1, 2}, {0, 1}};
    check = g.assign(seed_labels, edges);
    CHECK(check.defect == GraphDefect::duplicate_edge);
    CHECK(check.edge == 2u);
  }
  SUBCASE("a duplicate edge in the reversed orientation") {
    const std::vector<Edge> edges{{2, 3}, {0, 1}, {1, 4}, {1, 0}, {3, 2}};
    check = g.assign(seed_labels, edges);
    CHECK(check.defect == GraphDefect::duplicate_edge);
    CHECK(check.edge == 3u);
  }
  SUBCASE("a repeated arc in a directed graph") {
    const std::vector<Edge> edges{{0, 1}, {1, 0}, {0, 1}};
    check = g.assign(seed_labels, edges, true);
    CHECK(check.defect == GraphDefect::duplicate_edge);
    CHECK(check.edge == 2u);
  }
  SUBCASE("a node id out of range") {
    const std::vector<Edge> edges{{0, 1}, {1, 5}};
    check = g.assign(seed_labels, edges);
    CHECK(check.defect == GraphDefect::bad_node);
    CHECK(check.edge == 1u);
    const std::vector<Edge> first{{7, 1}};
    check = g.assign(seed_labels, first);
    CHECK(check.defect == GraphDefect::bad_node);
    CHECK(check.edge == 0u);
  }
  SUBCASE("the earliest defective edge is reported") {
    // A duplicate (edge 1) before a self loop (edge 2): the duplicate comes first.
    const std::vector<Edge> dup_first{{0, 1}, {1, 0}, {2, 2}};
    check = g.assign(seed_labels, dup_first);
    CHECK(check.defect == GraphDefect::duplicate_edge);
    CHECK(check.edge == 1u);
    const std::vector<Edge> loop_first{{0, 1}, {2, 2}, {1, 0}};
    check = g.assign(seed_labels, loop_first);
    CHECK(check.defect == GraphDefect::self_loop);
    CHECK(check.edge == 1u);
    const std::vector<Edge> bad_after_dup{{0, 1}, {1, 0}, {0, 9}};
    check = g.assign(seed_labels, bad_after_dup);
    CHECK(check.defect == GraphDefect::duplicate_edge);
    CHECK(check.edge == 1u);
    const std::vector<Edge> loop_repeated{{3, 3}, {3, 3}};
    check = g.assign(seed_labels, loop_repeated);
    CHECK(check.defect == GraphDefect::self_loop);
    CHECK(check.edge == 0u);
  }
  CHECK_FALSE(static_cast<bool>(check));
  CHECK(g.node_count() == 0u);
  CHECK(g.edge_count() == 0u);

  // A rejected graph does not spoil the next one.
  REQUIRE(g.assign(seed_labels, seed_edges));
  CHECK(ids(g.neighbors(2)) == std::vector<NodeId>{0, 1, 4});
}

TEST_CASE("assign reuses its buffers for a smaller graph") {
  // A 30-node path with chords, then the seed graph, then a 3-node path.
  std::vector<Label> big_labels;
  std::vector<Edge> big_edges;
  for (Label i = 0; i < 30; ++i)
    big_labels.push_back(100 + 3 * i);
  for (NodeId i = 0; i + 1 < 30; ++i)
    big_edges.push_back({i + 1, i});
  for (NodeId i = 0; i + 5 < 30; i += 5)
    big_edges.push_back({i, i + 5});

  Graph g;
  REQUIRE(g.assign(big_labels, big_edges));
  CHECK(ids(g.neighbors(5)) == std::vector<NodeId>{0, 4, 6, 10});
  const Label* label_buffer = g.labels().data();
  const Edge* edge_buffer = g.edges().data();

  REQUIRE(g.assign(seed_labels, seed_edges));
  CHECK(g.node_count() == 5u);
  CHECK(g.edge_count() == 6u);
  CHECK(g.labels().data() == label_buffer);
  CHECK(g.edges().data() == edge_buffer);
  CHECK(g.node(100) == std::nullopt);
  CHECK(g.node(3) == NodeId{3});
  for (NodeId u = 0; u < 5; ++u)
    CHECK(g.neighbors(u).size() == g.neighbors_in_prompt_order(u).size());
  CHECK(ids(g.neighbors(1)) == std::vector<NodeId>{0, 2, 3});
  CHECK(ids(g.neighbors_in_prompt_order(2)) == std::vector<NodeId>{4, 1, 0});
  CHECK(ids(g.neighbors(4)) == std::vector<NodeId>{2, 3});

  const std::vector<Edge> path{{2, 1}, {0, 1}};
  REQUIRE(g.assign(std::span<const Label>(seed_labels).first(3), path, true));
  CHECK(g.node_count() == 3u);
  CHECK(g.directed());
  CHECK(ids(g.neighbors(0)) == std::vector<NodeId>{1});
  CHECK(g.neighbors(1).empty());
  CHECK(ids(g.neighbors(2)) == std::vector<NodeId>{1});

  // And back to undirected on the same buffers.
  REQUIRE(g.assign(std::span<const Label>(seed_labels).first(3), path));
  CHECK_FALSE(g.directed());
  CHECK(ids(g.neighbors(1)) == std::vector<NodeId>{0, 2});
  CHECK(ids(g.neighbors_in_prompt_order(1)) == std::vector<NodeId>{2, 0});
}

namespace {

// What assign must produce, written the obvious way: lists by scanning the edges, sorted
// copies for the ascending order, and the first defect by looking back over earlier edges.
struct NaiveGraph {
  GraphCheck check;
  std::vector<std::vector<NodeId>> prompt_order, ascending;
};

NaiveGraph naive_graph(std::size_t n, const std::vector<Edge>& edges, bool directed) {
  NaiveGraph r;
  for (std::size_t i = 0; i < edges.size() && r.check; ++i) {
    const Edge e = edges[i];
    if (e.u >= n || e.v >= n)
      r.check = {GraphDefect::bad_node, i};
    else if (e.u == e.v)
      r.check = {GraphDefect::self_loop, i};
    for (std::size_t j = 0; j < i && r.check; ++j)
      if (edges[j] == e || (!directed && edges[j] == Edge{e.v, e.u}))
        r.check = {GraphDefect::duplicate_edge, i};
  }
  if (!r.check)
    return r;
  r.prompt_order.resize(n);
  for (const Edge e : edges) {
    r.prompt_order[e.u].push_back(e.v);
    if (!directed)
      r.prompt_order[e.v].push_back(e.u);
  }
  r.ascending = r.prompt_order;
  for (auto& list : r.ascending)
    std::sort(list.begin(), list.end());
  return r;
}

} // namespace

TEST_CASE("assign agrees with a naive construction on small and large random graphs") {
  // Graphs up to 64 nodes take a bit-row path, larger ones the counting sort: both must give
  // the same lists and the same first defect.
  std::uint64_t state = 12345;
  const auto below = [&](std::uint64_t bound) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<NodeId>((state >> 33) % bound);
  };
  Graph g;
  std::size_t rejected = 0;
  for (const std::size_t n : {2u, 5u, 15u, 63u, 64u, 65u, 100u}) {
    std::vector<Label> labels(n);
    for (std::size_t i = 0; i < n; ++i)
      labels[i] = static_cast<Label>(3 * i + 1);
    for (int round = 0; round < 300; ++round) {
      const bool directed = round % 3 == 0;
      const bool clean = round % 2 == 0;
      std::vector<Edge> edges;
      const std::size_t m = below(3 * n);
      for (std::size_t k = 0; k < m; ++k) {
        Edge e{below(n), below(n)};
        if (!clean && below(40) == 0)
          e.v = static_cast<NodeId>(n + below(3)); // out of range
        const bool seen =
            std::find(edges.begin(), edges.end(), e) != edges.end() ||
            (!directed && std::find(edges.begin(), edges.end(), Edge{e.v, e.u}) != edges.end());
        if (clean && (e.u == e.v || seen))
          continue;
        edges.push_back(e);
      }
      const NaiveGraph want = naive_graph(n, edges, directed);
      const GraphCheck got = g.assign(labels, edges, directed);
      REQUIRE(got.defect == want.check.defect);
      if (!got) {
        ++rejected;
        CHECK(got.edge == want.check.edge);
        CHECK(g.node_count() == 0u);
        continue;
      }
      REQUIRE(g.node_count() == n);
      for (NodeId u = 0; u < n; ++u) {
        CHECK(ids(g.neighbors(u)) == want.ascending[u]);
        CHECK(ids(g.neighbors_in_prompt_order(u)) == want.prompt_order[u]);
      }
      if (n > Graph::small_nodes) {
        CHECK(g.rows().empty());
        continue;
      }
      REQUIRE(g.rows().size() == n);
      std::vector<std::uint64_t> rows(n, 0);
      for (NodeId u = 0; u < n; ++u) {
        for (const NodeId v : want.ascending[u])
          rows[u] |= std::uint64_t{1} << v;
        CHECK(g.rows()[u] == rows[u]);
      }
      // A producer that knows its graph is valid hands its rows over and gets the same graph.
      Graph h;
      h.assign_valid(labels, edges, rows, directed);
      REQUIRE(h.node_count() == n);
      CHECK(h.edge_count() == edges.size());
      CHECK(h.directed() == directed);
      for (NodeId u = 0; u < n; ++u) {
        CHECK(ids(h.neighbors(u)) == want.ascending[u]);
        CHECK(ids(h.neighbors_in_prompt_order(u)) == want.prompt_order[u]);
        CHECK(h.rows()[u] == rows[u]);
      }
    }
  }
  CHECK(rejected > 100u); // the defects were exercised, not only clean graphs
}

namespace {

// A 40-node graph given to assign_valid with its rows: a ring plus chords, written in a
// scrambled order so that the prompt-order lists differ from the ascending ones.
struct RowsGraph {
  std::vector<Label> labels;
  std::vector<Edge> edges;
  std::vector<std::uint64_t> rows;
};

RowsGraph rows_graph(NodeId n, NodeId stride, bool directed) {
  RowsGraph r;
  for (NodeId i = 0; i < n; ++i)
    r.labels.push_back(2 * i + 5);
  r.rows.assign(n, 0);
  const auto add = [&](NodeId u, NodeId v) {
    if (u == v || ((r.rows[u] >> v) & 1u) || (!directed && ((r.rows[v] >> u) & 1u)))
      return;
    r.edges.push_back({u, v});
    r.rows[u] |= std::uint64_t{1} << v;
    if (!directed)
      r.rows[v] |= std::uint64_t{1} << u;
  };
  for (NodeId i = 0; i < n; ++i) {
    add((i * 7) % n, (i * 7 + 1) % n);
    add((i * 7) % n, (i * 7 + stride) % n);
  }
  return r;
}

// Every list of g, compared with those of a graph built by assign from the same edges.
void check_lists(const Graph& g, const RowsGraph& r, bool directed) {
  Graph want;
  REQUIRE(want.assign(r.labels, r.edges, directed));
  REQUIRE(g.node_count() == want.node_count());
  for (NodeId u = 0; u < want.node_count(); ++u) {
    CHECK(ids(g.neighbors(u)) == ids(want.neighbors(u)));
    CHECK(ids(g.neighbors_in_prompt_order(u)) == ids(want.neighbors_in_prompt_order(u)));
    CHECK(g.degree(u) == want.degree(u));
    for (NodeId v = 0; v < want.node_count(); ++v)
      CHECK(g.adjacent(u, v) == want.adjacent(u, v));
  }
}

} // namespace

TEST_CASE("assign_valid fills the lists on first use, and copies and moves keep them right") {
  for (const bool directed : {false, true}) {
    CAPTURE(directed);
    const RowsGraph a = rows_graph(40, 9, directed), b = rows_graph(23, 5, directed);
    Graph g;
    g.assign_valid(a.labels, a.edges, a.rows, directed);

    SUBCASE("a copy made before any use fills its own lists") {
      const Graph copy = g;
      check_lists(copy, a, directed);
      check_lists(g, a, directed);
    }
    SUBCASE("a copy made after use takes the lists") {
      check_lists(g, a, directed);
      const Graph copy = g;
      check_lists(copy, a, directed);
    }
    SUBCASE("copy assignment over a larger or smaller graph") {
      Graph small;
      small.assign_valid(b.labels, b.edges, b.rows, directed);
      Graph target = small; // pending lists sized for b
      target = g;           // pending lists sized for a
      check_lists(target, a, directed);
      target = small;
      check_lists(target, b, directed);
    }
    SUBCASE("moves, and a second assign_valid before any use") {
      Graph moved = std::move(g);
      check_lists(moved, a, directed);
      moved.assign_valid(b.labels, b.edges, b.rows, directed);
      moved.assign_valid(a.labels, a.edges, a.rows, directed);
      Graph other;
      other = std::move(moved);
      check_lists(other, a, directed);
    }
    SUBCASE("assign after assign_valid builds at once") {
      REQUIRE(g.assign(b.labels, b.edges, directed));
      check_lists(g, b, directed);
    }
  }
}

TEST_CASE("threads that first read a shared assign_valid graph together all see its lists") {
  const RowsGraph r = rows_graph(64, 13, false);
  Graph want;
  REQUIRE(want.assign(r.labels, r.edges));
  for (int round = 0; round < 20; ++round) {
    Graph g;
    g.assign_valid(r.labels, r.edges, r.rows);
    const Graph& shared = g;
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        for (NodeId k = 0; k < 64; ++k) {
          const auto u = static_cast<NodeId>((k * 5 + static_cast<NodeId>(t) * 17) % 64);
          const auto got = t % 2 == 0 ? shared.neighbors(u) : shared.neighbors_in_prompt_order(u);
          const auto exp = t % 2 == 0 ? want.neighbors(u) : want.neighbors_in_prompt_order(u);
          if (!std::equal(got.begin(), got.end(), exp.begin(), exp.end()))
            ++wrong;
        }
      });
    for (auto& th : threads)
      th.join();
    CHECK(wrong.load() == 0);
  }
}
