#include <searchtrace/sampler.hpp>

#include <searchtrace/family.hpp>

#include <searchtrace/prompt.hpp>
#include <searchtrace/render.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <queue>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support.hpp"

using namespace searchtrace;
using searchtrace_test::family;

namespace {

/// The graph of a prompt rebuilt from its edge list alone (not the Graph's CSR), so that the
/// checks below do not trust the code they check. Nodes are the dense ids of the edges.
struct Plain {
  std::vector<std::vector<NodeId>> out;   // arcs (both ways when undirected)
  std::vector<std::vector<NodeId>> under; // underlying undirected adjacency
  std::vector<int> degree;                // in + out
  std::vector<NodeId> sorted;             // scratch
};

/// Rebuilds `pl` (reusing its buffers: allocation dominates these checks under sanitizers).
void plain(const Prompt& p, Plain& pl) {
  const Graph& g = p.graph;
  for (auto* lists : {&pl.out, &pl.under}) {
    lists->resize(g.node_count());
    for (auto& l : *lists)
      l.clear();
  }
  pl.degree.assign(g.node_count(), 0);
  for (const Edge e : g.edges()) {
    pl.out[e.u].push_back(e.v);
    if (!g.directed())
      pl.out[e.v].push_back(e.u);
    pl.under[e.u].push_back(e.v);
    pl.under[e.v].push_back(e.u);
    ++pl.degree[e.u];
    ++pl.degree[e.v];
  }
}

struct Reach {
  int distance = -1; // -1: unreachable
  int paths = 0;     // shortest paths, capped at 2
};

/// BFS from s over `adj`, with the number of shortest paths to each node.
std::vector<Reach> bfs(const std::vector<std::vector<NodeId>>& adj, NodeId s) {
  std::vector<Reach> r(adj.size());
  r[s] = {0, 1};
  std::vector<NodeId> queue{s};
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const NodeId u = queue[head];
    for (const NodeId v : adj[u]) {
      if (r[v].distance < 0) {
        r[v] = {r[u].distance + 1, r[u].paths};
        queue.push_back(v);
      } else if (r[v].distance == r[u].distance + 1) {
        r[v].paths = std::min(2, r[v].paths + r[u].paths);
      }
    }
  }
  return r;
}

std::size_t reached(const std::vector<Reach>& r) {
  return static_cast<std::size_t>(
      std::count_if(r.begin(), r.end(), [](const Reach& x) { return x.distance >= 0; }));
}

bool connected(const Plain& g) {
  return !g.under.empty() && reached(bfs(g.under, 0)) == g.under.size();
}

bool bipartite(const Plain& g) {
  std::vector<int> side(g.under.size(), -1);
  for (NodeId start = 0; start < g.under.size(); ++start) {
    if (side[start] >= 0)
      continue;
    side[start] = 0;
    std::vector<NodeId> queue{start};
    for (std::size_t head = 0; head < queue.size(); ++head) {
      const NodeId u = queue[head];
      for (const NodeId v : g.under[u]) {
        if (side[v] < 0) {
          side[v] = 1 - side[u];
          queue.push_back(v);
        } else if (side[v] == side[u]) {
          return false;
        }
      }
    }
  }
  return true;
}

bool acyclic(const Plain& g) {
  std::vector<int> indeg(g.out.size(), 0);
  for (const auto& vs : g.out)
    for (const NodeId v : vs)
      ++indeg[v];
  std::vector<NodeId> queue;
  for (NodeId u = 0; u < g.out.size(); ++u)
    if (indeg[u] == 0)
      queue.push_back(u);
  for (std::size_t head = 0; head < queue.size(); ++head)
    for (const NodeId v : g.out[queue[head]])
      if (--indeg[v] == 0)
        queue.push_back(v);
  return queue.size() == g.out.size();
}

/// Every property a sample of `f` must have, checked from the rendered text and the edge list.
void check_sample(const Family& f, const Prompt& p, std::uint32_t reported_distance, Plain& pl) {
  const FamilyParams& fp = f.params();
  const Graph& g = p.graph;
  // The prompt is exactly what its text says: parsing the rendering gives it back.
  const std::string text = render_prompt(p);
  const auto parsed = parse_prompt(text, PromptOptions{fp.directed});
  REQUIRE_MESSAGE(parsed.ok(), text);
  REQUIRE(std::equal(g.labels().begin(), g.labels().end(), parsed->graph.labels().begin(),
                     parsed->graph.labels().end()));
  REQUIRE(std::equal(g.edges().begin(), g.edges().end(), parsed->graph.edges().begin(),
                     parsed->graph.edges().end()));
  REQUIRE(parsed->query == p.query);
  REQUIRE(g.directed() == fp.directed);

  // The CSR lists agree with the edge list.
  plain(p, pl);
  for (NodeId u = 0; u < g.node_count(); ++u) {
    auto& expected = pl.out[u];
    const auto po = g.neighbors_in_prompt_order(u);
    REQUIRE(std::equal(po.begin(), po.end(), expected.begin(), expected.end()));
    auto& sorted = pl.sorted;
    sorted.assign(expected.begin(), expected.end());
    std::sort(sorted.begin(), sorted.end());
    const auto nb = g.neighbors(u);
    REQUIRE(std::equal(nb.begin(), nb.end(), sorted.begin(), sorted.end()));
  }

  const auto n = static_cast<std::uint32_t>(g.node_count());
  CHECK(n >= f.min_nodes());
  CHECK(n <= f.max_nodes());
  CHECK(std::count(pl.degree.begin(), pl.degree.end(), 0) == 0); // no isolated node
  for (const Label l : g.labels())
    CHECK(l < fp.label_space);
  for (const int d : pl.degree) {
    CHECK(static_cast<std::uint32_t>(d) >= fp.min_degree);
    CHECK(static_cast<std::uint32_t>(d) <= fp.max_degree);
  }

  // The query.
  const NodeId s = p.query.source, t = p.query.target;
  REQUIRE(s != t);
  const auto dist = bfs(pl.out, s);
  REQUIRE(dist[t].distance > 0);
  const int d = dist[t].distance, paths = dist[t].paths;
  CHECK(static_cast<std::uint32_t>(d) == reported_distance);
  CHECK(static_cast<std::uint32_t>(d) >= fp.dist_min);
  CHECK(static_cast<std::uint32_t>(d) <= fp.dist_max);
  if (fp.unique)
    CHECK(paths == 1);

  // Prompt order options.
  if (!fp.directed && !fp.flip)
    for (const Edge e : g.edges())
      CHECK(e.u < e.v);
  if (!fp.shuffle)
    CHECK(std::is_sorted(g.edges().begin(), g.edges().end(), [](const Edge& a, const Edge& b) {
      return a.u != b.u ? a.u < b.u : a.v < b.v;
    }));

  // The topology.
  switch (fp.topology) {
  case Topology::connected:
    CHECK(n == fp.n);
    CHECK(g.edge_count() == fp.m);
    CHECK(connected(pl));
    break;
  case Topology::tree:
    CHECK(n == fp.n);
    CHECK(g.edge_count() == fp.n - 1);
    CHECK(connected(pl));
    break;
  case Topology::er:
    CHECK(n <= fp.n);
    if (fp.connected)
      CHECK(connected(pl));
    break;
  case Topology::grid:
    if (fp.connected) {
      CHECK(n == fp.w * fp.h - fp.holes);
      CHECK(connected(pl));
    }
    CHECK(bipartite(pl));
    for (const int deg : pl.degree)
      CHECK(deg <= 4);
    CHECK(g.edge_count() <= 2 * fp.w * fp.h - fp.w - fp.h);
    break;
  case Topology::pathstar: {
    CHECK(n == 1 + fp.degree * fp.length);
    CHECK(g.edge_count() == n - 1);
    CHECK(connected(pl));
    CHECK(pl.degree[s] == static_cast<int>(fp.degree));
    CHECK(pl.degree[t] == 1);
    CHECK(static_cast<std::uint32_t>(d) == fp.length);
    for (NodeId v = 0; v < n; ++v)
      if (v != s)
        CHECK(pl.degree[v] <= 2);
    if (fp.directed) // arcs point away from the centre: every node is reachable from it
      CHECK(reached(dist) == n);
    break;
  }
  case Topology::dag:
    CHECK(n == fp.layers * fp.width);
    if (fp.directed) {
      CHECK(acyclic(pl));
      CHECK(static_cast<std::uint32_t>(d) <= fp.layers - 1);
    }
    if (fp.connected)
      CHECK(connected(pl));
    break;
  }
}

void check_family(const std::string& spec, int samples, std::uint64_t seed = 1) {
  CAPTURE(spec);
  const Family f = family(spec);
  Sampler sampler(f);
  Prompt p;
  Plain scratch;
  for (int i = 0; i < samples; ++i) {
    CAPTURE(i);
    const auto e = sampler.draw(seed, static_cast<std::uint64_t>(i), p);
    REQUIRE_MESSAGE(!e, (e ? e->message : std::string()));
    check_sample(f, p, sampler.distance(), scratch);
  }
}

/// FNV-1a over the rendered prompts of samples 0..count-1.
std::uint64_t digest(const std::string& spec, std::uint64_t seed, int count) {
  const Family f = family(spec);
  Sampler sampler(f);
  Prompt p;
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (int i = 0; i < count; ++i) {
    REQUIRE(!sampler.draw(seed, static_cast<std::uint64_t>(i), p));
    for (const char c : render_prompt(p) + "\n")
      h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  }
  return h;
}

} // namespace

TEST_CASE("the seed's families' samples meet their constraints (checked independently)") {
  const std::pair<const char*, int> families[] = {
      {"G15_2_4", 3000}, {"G17_2_4", 1000}, {"G20_2_4", 1000},
      {"G15_5_6", 1000}, {"G17_5_6", 1000}, {"G20_5_6", 1000},
  };
  for (const auto& [spec, samples] : families)
    check_family(spec, samples);
}

TEST_CASE("every family's samples meet its constraints (checked independently)") {
  const std::pair<const char*, int> families[] = {
      {"G15_2_4(unique=true)", 1000},
      {"G15_2_4(L=1000,shuffle=false,flip=false)", 1000},
      {"G10_1_3(L=10)", 1000},
      {"G2_1_1", 200},
      {"G6_1_5(m=15)", 500}, // complete graph
      {"connected(n=12,m=30,directed=true,dist=2..3)", 1000},
      {"connected(n=12,avgdeg=5,mindeg=3,maxdeg=7)", 1000},
      {"connected(n=16,m=18,maxdeg=3)", 1000},
      {"er(n=20,p=0.15,dist=3..5)", 1000},
      {"er(n=12,p=0.3,directed=true)", 1000},
      {"er(n=16,p=0.2,connected=true,unique=true)", 1000},
      {"tree(n=15,unique=true,dist=2..6)", 1000},
      {"tree(n=9,directed=true)", 1000},
      {"grid(w=4,h=4)", 1000},
      {"grid(w=5,h=3,holes=3,dist=2..5)", 1000},
      {"grid(w=6,h=6,holes=8,connected=false)", 1000},
      {"grid(w=4,h=4,directed=true,flip=false)", 1000},
      {"grid(w=5,h=5,unique=true,dist=3..4)", 1000},
      {"pathstar(degree=3,length=4)", 1000},
      {"pathstar(degree=5,length=2,directed=true)", 1000},
      {"dag(layers=4,width=3)", 1000},
      {"dag(layers=5,width=2,p=0.3,directed=false,dist=2..4)", 1000},
      {"dag(layers=4,width=4,p=0.2,connected=true)", 500},
      // More than 64 nodes: several words per bit row.
      {"er(n=150,p=0.03,dist=4..8,L=150)", 100},
      {"grid(w=20,h=20,holes=40,dist=10..30,L=400)", 50},
      {"tree(n=300,dist=20..40,L=1000)", 50},
      {"connected(n=100,dist=3..5,unique=true,L=100)", 100},
  };
  for (const auto& [spec, samples] : families)
    check_family(spec, samples);
}

TEST_CASE("a sample is a pure function of (spec, seed, index)") {
  const Family f = family("G15_2_4");
  Sampler a(f), b(f);
  Prompt pa, pb;
  std::vector<std::string> forward;
  for (std::uint64_t i = 0; i < 200; ++i) {
    REQUIRE(!a.draw(7, i, pa));
    forward.push_back(render_prompt(pa));
  }
  // Another sampler, indices in reverse order, with other families' draws in between.
  Sampler other(family("er(n=30,p=0.2)"));
  Prompt po;
  for (std::uint64_t i = 200; i-- > 0;) {
    REQUIRE(!b.draw(7, i, pb));
    CHECK(render_prompt(pb) == forward[i]);
    REQUIRE(!other.draw(7, i, po));
  }
  // Another seed gives other samples.
  int same = 0;
  for (std::uint64_t i = 0; i < 200; ++i) {
    REQUIRE(!a.draw(8, i, pa));
    same += render_prompt(pa) == forward[i];
  }
  CHECK(same == 0);
  // Rng::for_sample(seed, index) is the stream a sample is drawn from.
  Rng rng = Rng::for_sample(7, 5);
  REQUIRE(!a.draw(rng, pa));
  CHECK(render_prompt(pa) == forward[5]);
}

TEST_CASE("samples are pinned: a change to a sampler or the Rng shows here") {
  // The first sample of G15_2_4, seed 0, and digests of many samples of every topology.
  // Regenerate only on purpose: datasets made before would no longer be reproducible.
  Sampler s(family("G15_2_4"));
  Prompt p;
  REQUIRE(!s.draw(0, 0, p));
  CHECK(render_prompt(p) == "45,13|41,13|26,45|30,7|16,45|30,49|14,47|13,47|16,27|32,11|16,11|"
                            "7,27|25,19|13,27|45,7|14,26|30,32|26,27|16,19|49,14|45,14|25,7/19,27");
  CHECK(digest("G15_2_4", 1, 300) == 12704175770545936334ull);
  CHECK(digest("G20_5_6", 1, 100) == 9870829923715395371ull);
  CHECK(digest("er(n=20,p=0.15,dist=3..5,directed=true)", 1, 100) == 1057176100341827413ull);
  CHECK(digest("tree(n=12,unique=true)", 1, 100) == 12643111601438029949ull);
  CHECK(digest("grid(w=5,h=4,holes=3)", 1, 100) == 12426247673391008595ull);
  CHECK(digest("pathstar(degree=4,length=3)", 1, 100) == 1326859583270995969ull);
  CHECK(digest("dag(layers=4,width=3,p=0.4)", 1, 100) == 11932709995487405072ull);
  CHECK(digest("G15_2_4(L=1000,maxdeg=4)", 1, 100) == 8997823052209676212ull);
  CHECK(digest("er(n=100,p=0.05,L=128)", 1, 20) == 13335185521137465892ull);
}

TEST_CASE("G15_2_4 query distances cover 2, 3 and 4") {
  Sampler s(family("G15_2_4"));
  Prompt p;
  std::map<std::uint32_t, int> count;
  for (std::uint64_t i = 0; i < 3000; ++i) {
    REQUIRE(!s.draw(3, i, p));
    ++count[s.distance()];
  }
  CHECK(count.size() == 3);
  for (const std::uint32_t d : {2u, 3u, 4u}) {
    CAPTURE(d);
    CHECK(count[d] > 300); // each at least 10%
  }
  // The OOD families reach their longer distances.
  Sampler t(family("G20_5_6"));
  std::set<std::uint32_t> seen;
  for (std::uint64_t i = 0; i < 300; ++i) {
    REQUIRE(!t.draw(3, i, p));
    seen.insert(t.distance());
  }
  CHECK(seen == std::set<std::uint32_t>{5, 6});
}

TEST_CASE("constraints that cannot be met stop after a bounded number of graphs") {
  struct Impossible {
    const char* spec;
    const char* constraint;
    const char* message;
  };
  const Impossible cases[] = {
      {"grid(w=4,h=4,unique=true,dist=5..6)", "unique",
       "no query with shortest-path length in 5..6 and a unique shortest path after 1000 "
       "graphs: grid(w=4,h=4,dist=5..6,unique=true) cannot meet unique=true with dist=5..6"},
      // Only a path has a shortest path of length n-1: 30!/2 of the 30^28 labelled trees.
      {"tree(n=30,dist=29)", "dist",
       "no query with shortest-path length in 29..29 after 1000 graphs: tree(n=30,dist=29) "
       "cannot meet dist=29..29 (longest shortest path seen: "},
      {"er(n=40,p=0.01,connected=true)", "connected",
       "no connected graph after 1000 graphs: er(n=40,p=0.01,connected=true) is rarely "
       "connected"},
      {"connected(n=20,m=20,mindeg=2)", "mindeg",
       "no graph with every degree >= 2 after 1000 graphs"},
      {"connected(n=20,m=20,maxdeg=2)", "maxdeg",
       "no graph with every degree <= 2 after 1000 graphs"},
      {"er(n=10,p=0.01,dist=5..9)", "dist", "no query with shortest-path length in 5..9"},
  };
  for (const Impossible& c : cases) {
    const std::string spec = c.spec;
    CAPTURE(spec);
    Sampler s(family(c.spec));
    Prompt p;
    const auto start = std::chrono::steady_clock::now();
    const auto e = s.draw(0, 0, p);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    REQUIRE(e.has_value());
    CHECK(e->constraint == c.constraint);
    CHECK(e->attempts == Sampler::max_graphs);
    CHECK_MESSAGE(e->message.find(c.message) != std::string::npos, e->message);
    CHECK(seconds < 5.0); // bounded, even under sanitizers
  }
}

TEST_CASE("Prüfer decoding: the bit-set decoder agrees with the linear one") {
  Rng rng(5);
  std::vector<std::uint32_t> code, degree(64);
  for (std::uint32_t n = 3; n <= 64; ++n) {
    for (int rep = 0; rep < 40; ++rep) {
      code.resize(n - 2);
      for (auto& x : code)
        x = static_cast<std::uint32_t>(rng.below(n));
      std::vector<Edge> a(n - 1), b(n - 1);
      detail::prufer_decode_small(code, n, a.data());
      detail::prufer_decode_linear(code, n, degree, b.data());
      REQUIRE(a == b);
    }
  }
  // The textbook example, 0-based: code (3,3,3,4) over 6 nodes is the tree 0-3, 1-3, 2-3, 3-4,
  // 4-5 (each step joins the smallest leaf to the next symbol).
  const std::vector<std::uint32_t> textbook{3, 3, 3, 4};
  std::vector<Edge> t(5);
  detail::prufer_decode(textbook, 6, degree, t.data());
  CHECK(t == std::vector<Edge>{{0, 3}, {1, 3}, {2, 3}, {3, 4}, {4, 5}});
  detail::prufer_decode({}, 2, degree, t.data());
  CHECK(t[0] == Edge{0, 1});
}

TEST_CASE("the fast path for small Prüfer families draws what the general path draws") {
  for (const char* spec :
       {"G15_2_4", "G20_5_6", "G2_1_1", "G6_1_5(m=15)", "G12_1_3(m=50)", "G15_2_4(unique=true)",
        "connected(n=12,m=30,directed=true,dist=2..3)", "connected(n=16,m=18,maxdeg=3)",
        "connected(n=12,avgdeg=5,mindeg=3,maxdeg=7)", "tree(n=15,unique=true,dist=2..6)",
        "tree(n=9,directed=true)", "G64_1_9(L=64)", "connected(n=20,m=20,mindeg=2)",
        "G15_2_4(L=1000,shuffle=false,flip=false)"}) {
    const std::string name = spec;
    CAPTURE(name);
    const Family f = family(spec);
    Sampler fast(f), general(f);
    general.use_fast_paths(false);
    Prompt a, b;
    for (std::uint64_t i = 0; i < 300; ++i) {
      const auto ea = fast.draw(4, i, a);
      const auto eb = general.draw(4, i, b);
      REQUIRE(ea.has_value() == eb.has_value());
      if (ea) {
        CHECK(ea->message == eb->message);
        break;
      }
      REQUIRE(render_prompt(a) == render_prompt(b));
      CHECK(fast.distance() == general.distance());
      CHECK(fast.graphs_drawn() == general.graphs_drawn());
    }
  }
}

TEST_CASE("uniform random labelled trees: every tree on 4 nodes equally often") {
  // 4^2 = 16 labelled trees on 4 nodes (Cayley); a uniform sampler hits each ~1/16.
  Sampler s(family("tree(n=4,L=4,shuffle=false,flip=false)"));
  Prompt p;
  std::map<std::string, int> count;
  for (std::uint64_t i = 0; i < 16000; ++i) {
    REQUIRE(!s.draw(9, i, p));
    std::string key;
    for (const Edge e : p.graph.edges())
      key += std::to_string(e.u) + std::to_string(e.v) + " ";
    ++count[key];
  }
  CHECK(count.size() == 16);
  for (const auto& entry : count) {
    const std::string& tree = entry.first;
    CAPTURE(tree);
    CHECK(entry.second > 800);
    CHECK(entry.second < 1200);
  }
}
