#include <searchtrace/fingerprint.hpp>

#include <searchtrace/family.hpp>
#include <searchtrace/prompt.hpp>
#include <searchtrace/random.hpp>
#include <searchtrace/render.hpp>
#include <searchtrace/sampler.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace searchtrace;

namespace {

Prompt prompt(const std::string& text, bool directed = false) {
  auto r = parse_prompt(text, PromptOptions{directed});
  if (!r.ok())
    FAIL("prompt rejected: " << text << " : " << r.error().message);
  return std::move(r).value();
}

/// Appends the edge `a,b` to a prompt's edge list (no operator+ chains: GCC 12 warns falsely
/// about them at -O3).
template <class A, class B>
void add_edge(std::string& text, A a, B b) {
  if (!text.empty())
    text += '|';
  text += std::to_string(a);
  text += ',';
  text += std::to_string(b);
}

/// The prompt with its edges reordered, endpoints swapped and labels renamed (`rename` maps
/// each old label to a new one), written out and parsed again.
Prompt rewrite(const Prompt& p, Rng& rng, bool reorder, bool flip,
               const std::map<Label, Label>& rename = {}) {
  const Graph& g = p.graph;
  auto name = [&](Label l) {
    const auto it = rename.find(l);
    return it == rename.end() ? l : it->second;
  };
  std::vector<std::pair<Label, Label>> edges;
  for (const Edge e : g.edges())
    edges.push_back({name(g.label(e.u)), name(g.label(e.v))});
  if (reorder)
    rng.shuffle(edges);
  std::string text;
  for (auto [u, v] : edges) {
    if (flip && !g.directed() && rng.chance(0.5))
      std::swap(u, v);
    add_edge(text, u, v);
  }
  text += "/" + std::to_string(name(g.label(p.query.source))) + "," +
          std::to_string(name(g.label(p.query.target)));
  return prompt(text, g.directed());
}

/// A random renaming of the prompt's labels to distinct labels below 1000.
std::map<Label, Label> random_renaming(const Prompt& p, Rng& rng) {
  std::vector<Label> pool(1000);
  std::iota(pool.begin(), pool.end(), 0);
  rng.shuffle(pool);
  std::map<Label, Label> m;
  std::size_t i = 0;
  for (const Label l : p.graph.labels())
    m[l] = pool[i++];
  return m;
}

/// Brute force: the least edge list over every relabelling that sends the source to 0 and the
/// target to 1 (the oracle for the relabelling-invariant fingerprint; small graphs only).
std::vector<std::pair<NodeId, NodeId>> brute_canonical(const Prompt& p) {
  const Graph& g = p.graph;
  const auto n = static_cast<NodeId>(g.node_count());
  std::vector<NodeId> others;
  for (NodeId v = 0; v < n; ++v)
    if (v != p.query.source && v != p.query.target)
      others.push_back(v);
  std::vector<std::pair<NodeId, NodeId>> best;
  std::vector<NodeId> to(n);
  do {
    to[p.query.source] = 0;
    to[p.query.target] = 1;
    for (std::size_t i = 0; i < others.size(); ++i)
      to[others[i]] = static_cast<NodeId>(i + 2);
    std::vector<std::pair<NodeId, NodeId>> edges;
    for (const Edge e : g.edges()) {
      NodeId a = to[e.u], b = to[e.v];
      if (!g.directed() && a > b)
        std::swap(a, b);
      edges.push_back({a, b});
    }
    std::sort(edges.begin(), edges.end());
    if (best.empty() || edges < best)
      best = edges;
  } while (std::next_permutation(others.begin(), others.end()));
  return best;
}

std::vector<Prompt> samples(const std::string& spec, int count, std::uint64_t seed = 1) {
  Sampler s(parse_family(spec).value());
  std::vector<Prompt> out(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i)
    REQUIRE(!s.draw(seed, static_cast<std::uint64_t>(i), out[static_cast<std::size_t>(i)]));
  return out;
}

/// The rook's graph K4 x K4 and the Shrikhande graph: both strongly regular (16, 6, 2, 2), so
/// colour refinement alone cannot tell them apart; they are not isomorphic.
std::string rook_or_shrikhande(bool shrikhande) {
  std::string text;
  for (int a = 0; a < 16; ++a)
    for (int b = a + 1; b < 16; ++b) {
      const int dx = ((b % 4) - (a % 4) + 4) % 4, dy = ((b / 4) - (a / 4) + 4) % 4;
      const bool adjacent = shrikhande ? (dx == 0 && (dy == 1 || dy == 3)) ||
                                             (dy == 0 && (dx == 1 || dx == 3)) ||
                                             (dx == dy && (dx == 1 || dx == 3))
                                       : (dx == 0) != (dy == 0);
      if (adjacent)
        add_edge(text, a, b);
    }
  return text + "/0,1";
}

} // namespace

TEST_CASE("fingerprint ignores edge order and endpoint order, and nothing else") {
  Rng rng(4);
  for (const Prompt& p : samples("G15_2_4", 300)) {
    const Fingerprint f = fingerprint(p);
    CHECK(fingerprint(rewrite(p, rng, true, true)) == f);
    CHECK(fingerprint(rewrite(p, rng, true, false)) == f);
    // Another label, the query reversed or changed, an edge less: another fingerprint.
    std::map<Label, Label> one{{p.graph.labels().back(), p.graph.labels().back() + 1}};
    CHECK(fingerprint(rewrite(p, rng, false, false, one)) != f);
    Prompt q = p;
    std::swap(q.query.source, q.query.target);
    CHECK(fingerprint(q) != f);
    q = p;
    q.query.target = q.query.target == 0 ? 1 : 0;
    if (q.query.target != q.query.source)
      CHECK(fingerprint(q) != f);
  }
  const Prompt seed = prompt("1,3|2,4|1,2|0,1|0,2|3,4/0,4");
  CHECK(fingerprint(prompt("1,3|2,4|1,2|0,1|0,2/0,4")) != fingerprint(seed));
  // Directedness counts, and so does the direction of an arc.
  const Prompt arcs = prompt("1,3|2,4|1,2|0,1|0,2|3,4/0,4", true);
  CHECK(fingerprint(arcs) != fingerprint(seed));
  CHECK(fingerprint(prompt("1,3|4,2|1,2|0,1|0,2|3,4/0,4", true)) != fingerprint(arcs));
  CHECK(fingerprint(prompt("0,2|3,4|1,2|0,1|1,3|2,4/0,4", true)) == fingerprint(arcs));
}

TEST_CASE("fingerprints are pinned: they decide train/test membership") {
  const Prompt seed = prompt("1,3|2,4|1,2|0,1|0,2|3,4/0,4");
  const Fingerprint plain = fingerprint(seed);
  const Fingerprint relabelled = fingerprint(seed, true);
  CHECK(plain.hi == 5331531601495509914ull);
  CHECK(plain.lo == 16272814547680813588ull);
  CHECK(relabelled.hi == 5975348400985038713ull);
  CHECK(relabelled.lo == 3499082681555756685ull);
  CHECK(plain != relabelled);
}

TEST_CASE("relabelled copies share the relabelling-invariant fingerprint") {
  Rng rng(8);
  for (const char* spec :
       {"G15_2_4", "G20_5_6", "tree(n=12)", "grid(w=4,h=4)", "grid(w=5,h=4,holes=3)",
        "pathstar(degree=4,length=3)", "dag(layers=4,width=3)", "er(n=14,p=0.3,directed=true)",
        "connected(n=8,m=28)"}) {
    const std::string name = spec;
    CAPTURE(name);
    for (const Prompt& p : samples(spec, 60)) {
      const Fingerprint f = fingerprint(p, true);
      const Prompt copy = rewrite(p, rng, true, true, random_renaming(p, rng));
      CHECK(fingerprint(copy, true) == f);
      CHECK(fingerprint(copy) != fingerprint(p)); // the plain one sees the labels
    }
  }
}

TEST_CASE("relabelling-invariant fingerprints agree with a brute-force isomorphism test") {
  // Small graphs, many of them isomorphic to each other: equal fingerprints exactly when some
  // relabelling that fixes the source and the target maps one onto the other.
  for (const char* spec :
       {"tree(n=6,L=6)", "connected(n=6,m=7,L=6)", "er(n=7,p=0.4,L=7)",
        "connected(n=5,m=5,directed=true,L=5)", "grid(w=3,h=3,holes=2,L=9)", "G5_1_2(m=6,L=5)"}) {
    const std::string name = spec;
    CAPTURE(name);
    const auto ps = samples(spec, 150);
    std::map<std::vector<std::pair<NodeId, NodeId>>,
             std::set<std::pair<std::uint64_t, std::uint64_t>>>
        by_form;
    std::map<std::pair<std::uint64_t, std::uint64_t>,
             std::set<std::vector<std::pair<NodeId, NodeId>>>>
        by_print;
    for (const Prompt& p : ps) {
      const Fingerprint f = fingerprint(p, true);
      // Node counts differ between er samples: the forms differ then too (n is in the print).
      auto form = brute_canonical(p);
      form.push_back({static_cast<NodeId>(p.graph.node_count()), 0});
      by_form[form].insert({f.hi, f.lo});
      by_print[{f.hi, f.lo}].insert(form);
    }
    for (const auto& entry : by_form)
      CHECK(entry.second.size() == 1); // isomorphic: one fingerprint
    for (const auto& entry : by_print)
      CHECK(entry.second.size() == 1); // one fingerprint: isomorphic
    CHECK(by_form.size() > 5);         // the test saw several classes
    CHECK(by_form.size() < ps.size()); // and some isomorphic pairs
  }
}

TEST_CASE("hand-made non-isomorphic pairs get different relabelling-invariant fingerprints") {
  Rng rng(12);
  const std::pair<std::string, std::string> pairs[] = {
      // A 6-cycle and two triangles, query on an edge.
      {"0,1|1,2|2,3|3,4|4,5|5,0/0,1", "0,1|1,2|2,0|3,4|4,5|5,3/0,1"},
      // K3,3 and the triangular prism: both 3-regular on 6 nodes.
      {"0,3|0,4|0,5|1,3|1,4|1,5|2,3|2,4|2,5/0,3", "0,1|1,2|2,0|3,4|4,5|5,3|0,3|1,4|2,5/0,3"},
      // The same path, the query at the ends or one step in.
      {"0,1|1,2|2,3|3,4/0,4", "0,1|1,2|2,3|3,4/1,4"},
      // Source and target roles swapped on an asymmetric graph.
      {"0,1|1,2|2,3|1,4/0,3", "0,1|1,2|2,3|1,4/3,0"},
      // Strongly regular twins that colour refinement cannot separate.
      {rook_or_shrikhande(false), rook_or_shrikhande(true)},
  };
  for (const auto& pair : pairs) {
    const std::string& a = pair.first;
    const std::string& b = pair.second;
    CAPTURE(a);
    CAPTURE(b);
    const Prompt pa = prompt(a), pb = prompt(b);
    CHECK(fingerprint(pa, true) != fingerprint(pb, true));
    // Each still matches its own relabelled copies.
    CHECK(fingerprint(rewrite(pa, rng, true, true, random_renaming(pa, rng)), true) ==
          fingerprint(pa, true));
    CHECK(fingerprint(rewrite(pb, rng, true, true, random_renaming(pb, rng)), true) ==
          fingerprint(pb, true));
  }
  // A symmetric graph whose reversed query is an isomorphic pair: equal.
  CHECK(fingerprint(prompt("0,1|1,2|2,3/0,3"), true) ==
        fingerprint(prompt("0,1|1,2|2,3/3,0"), true));
  // Direction of arcs matters under relabelling too.
  CHECK(fingerprint(prompt("0,1|1,2/0,2", true), true) !=
        fingerprint(prompt("0,1|2,1/0,2", true), true));
}

TEST_CASE("highly symmetric graphs are canonised quickly") {
  // A star with 30 interchangeable leaves, a complete graph, a long path-star, a hypercube-like
  // grid: automorphism pruning keeps the search small.
  std::string star;
  for (int i = 1; i <= 31; ++i)
    add_edge(star, 0, i);
  star += "/1,2";
  std::string complete;
  for (int a = 0; a < 12; ++a)
    for (int b = a + 1; b < 12; ++b)
      add_edge(complete, a, b);
  complete += "/0,1";
  Rng rng(3);
  Fingerprinter fp;
  for (const std::string& text : {star, complete, rook_or_shrikhande(true)}) {
    const Prompt p = prompt(text);
    const Fingerprint f = fp(p, true);
    CHECK(fp(rewrite(p, rng, true, true, random_renaming(p, rng)), true) == f);
  }
  for (const Prompt& p : samples("pathstar(degree=12,length=3)", 5)) {
    const Fingerprint f = fp(p, true);
    CHECK(fp(rewrite(p, rng, true, true, random_renaming(p, rng)), true) == f);
  }
  // All path-stars of one shape are one class.
  std::set<Fingerprint> classes;
  for (const Prompt& p : samples("pathstar(degree=6,length=2)", 20))
    classes.insert(fp(p, true));
  CHECK(classes.size() == 1);
}

TEST_CASE("FingerprintSet finds duplicates") {
  FingerprintSet set;
  const Prompt p = prompt("1,3|2,4|1,2|0,1|0,2|3,4/0,4");
  CHECK(set.insert(fingerprint(p)));
  CHECK_FALSE(set.insert(fingerprint(prompt("4,3|2,4|1,2|0,1|0,2|3,1/0,4"))));
  CHECK(set.contains(fingerprint(p)));
  CHECK(set.insert(fingerprint(p, true)));
  CHECK(set.size() == 2);
  set.clear();
  CHECK(set.size() == 0);
  CHECK(std::hash<Fingerprint>{}(fingerprint(p)) == FingerprintHash{}(fingerprint(p)));
  CHECK(Fingerprint{1, 2} < Fingerprint{1, 3});
  CHECK(Fingerprint{1, 2} < Fingerprint{2, 0});
}
