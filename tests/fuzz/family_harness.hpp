// The body of the libFuzzer target fuzz_family.cpp, kept in a header so that the doctest suite
// (tests/fuzz_corpora.cpp) replays the committed corpus tests/fuzz/corpus_family/ through the
// very same checks on every build, with or without clang.
//
// An input is a family spec (family.hpp), bytes as they come. Every input goes through
// parse_family; a spec that parses is also drawn from (Sampler, sampler.hpp) when its families
// are small enough to draw quickly (see `max_draw_nodes`). Properties:
//   * a rejected spec: its offset lies within the spec, and on a byte of it when a key or a
//     value is to blame; its message is one printable line (UTF-8, no control bytes), bounded;
//   * an accepted spec: the canonical spec parses, to the same parameters and bounds, and is its
//     own canonical spec; the spec with spaces around it is the same family; describe() is one
//     printable line; the bounds are consistent (2 <= min_nodes <= max_nodes <= 1024, labels
//     enough for max_nodes);
//   * a sample: its prompt renders to a text that parses back to the same graph and query; it
//     meets the family's node count, edge count, degree, distance, uniqueness, connectivity
//     and prompt-order constraints, checked on the edge list by code independent of the
//     sampler's; the sampler's distance is the query's shortest-path length; drawing it again,
//     from a sampler of the canonical spec, or (small Prüfer families) without the fast path,
//     gives the same prompt;
//   * a sample that fails: a known constraint, at most Sampler::max_graphs attempts, and a
//     one-line message.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "searchtrace/family.hpp"
#include "searchtrace/graph.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/render.hpp"
#include "searchtrace/sampler.hpp"

#include "fuzz_checks.hpp"

namespace searchtrace_fuzz {

using namespace searchtrace;

/// Reused state: one per thread. `Fail` is called with a message when a property does not hold
/// (the fuzz target aborts, the doctest fails).
class FamilyHarness {
public:
  /// Families with more nodes are parsed but not drawn from: a sample whose constraints fail
  /// draws Sampler::max_graphs graphs, each with up to n query attempts, which takes about
  /// n^2 / 20,000 s under the sanitizers (0.3 s at 96 nodes, 2.5 s at 256) and would stall the
  /// fuzzer on such specs. Above 64 nodes the sampler's bit rows take two words: their code is
  /// covered by families of 65..96 nodes.
  static constexpr std::uint32_t max_draw_nodes = 96;
  /// Samples drawn per accepted spec (one above 64 nodes, for the cost).
  static constexpr std::uint64_t samples_small = 2;

  template <class Fail>
  void run(std::string_view spec, Fail&& fail) {
    auto parsed = parse_family(spec);
    if (!parsed.ok()) {
      check_error(spec, parsed.error(), fail);
      return;
    }
    const Family& f = *parsed;
    check_family(spec, f, fail);
    if (f.max_nodes() <= max_draw_nodes)
      check_samples(spec, f, fail);
  }

private:
  template <class Fail>
  void check_error(std::string_view spec, const FamilyError& e, Fail& fail) {
    const std::string kind(family_error_kind_name(e.kind));
    if (e.offset > spec.size())
      fail(kind + " error beyond the end of the spec: " + std::to_string(e.offset));
    // A key or a value is to blame: the offset is its byte, not the end of the spec (a syntax
    // error, a missing key or a G name cut short are at the end when the spec ends early).
    const bool names_a_byte =
        e.kind == FamilyErrorKind::unknown_key || e.kind == FamilyErrorKind::duplicate_key ||
        e.kind == FamilyErrorKind::bad_value || e.kind == FamilyErrorKind::infeasible;
    if (names_a_byte && e.offset >= spec.size())
      fail(kind + " error at the end of the spec: " + e.message);
    if (e.message.empty() || e.message.size() > 300)
      fail(kind + " error with an empty or unbounded message: " + e.message);
    if (!printable_line(e.message))
      fail(kind + " error whose message is not one printable line: " + e.message);
  }

  template <class Fail>
  void check_family(std::string_view spec, const Family& f, Fail& fail) {
    const FamilyParams& p = f.params();
    if (f.min_nodes() < 2 || f.min_nodes() > f.max_nodes() || f.max_nodes() > max_family_nodes)
      fail("node bounds out of order: " + std::to_string(f.min_nodes()) + ".." +
           std::to_string(f.max_nodes()) + " for " + f.spec());
    if (p.label_space < f.max_nodes() || p.label_space > max_label_space)
      fail("a label space that cannot name the nodes: " + f.spec());
    if (p.dist_min < 1 || p.dist_min > p.dist_max || p.dist_min > f.max_distance())
      fail("a distance range no sample can meet was accepted: " + f.spec());
    if (!printable_line(f.describe()))
      fail("describe() is not one printable line: " + f.describe());

    auto again = parse_family(f.spec());
    if (!again.ok())
      return fail("the canonical spec '" + f.spec() + "' does not parse: " + again.error().message);
    if (again->spec() != f.spec())
      fail("the canonical spec is not its own canonical spec: " + f.spec() + " -> " +
           again->spec());
    if (again->params() != p)
      fail("the canonical spec '" + f.spec() + "' parses to other parameters than '" +
           std::string(spec) + "'");
    if (again->min_nodes() != f.min_nodes() || again->max_nodes() != f.max_nodes() ||
        again->max_distance() != f.max_distance())
      fail("the canonical spec '" + f.spec() + "' has other bounds");

    padded_.assign(" \t");
    padded_ += spec;
    padded_ += "\t ";
    auto spaced = parse_family(padded_);
    if (!spaced.ok() || spaced->spec() != f.spec())
      fail("spaces around the spec change it: '" + std::string(spec) + "'");
  }

  template <class Fail>
  void check_samples(std::string_view spec, const Family& f, Fail& fail) {
    const std::uint64_t seed = fnv1a(spec);
    Sampler sampler(f);
    const Family canonical = parse_family(f.spec()).value();
    Sampler from_canonical(canonical);
    const FamilyParams& p = f.params();
    const bool prufer =
        (p.topology == Topology::connected || p.topology == Topology::tree) && p.n <= 64;
    const std::uint64_t samples = f.max_nodes() <= 64 ? samples_small : 1;
    for (std::uint64_t i = 0; i < samples; ++i) {
      const auto err = sampler.draw(seed, i, prompt_);
      if (sampler.graphs_drawn() < 1 || sampler.graphs_drawn() > Sampler::max_graphs)
        fail("graphs drawn out of range: " + std::to_string(sampler.graphs_drawn()));
      if (err) {
        check_sample_error(*err, fail);
        // The failure is a property of (spec, seed, index), like a sample.
        if (!from_canonical.draw(seed, i, other_))
          fail("the canonical spec draws a sample where the spec fails: " + f.spec());
        return; // the other samples would fail the same way, at the same cost
      }
      text_.clear();
      append_prompt(text_, prompt_);
      check_sample(f, sampler.distance(), fail);

      auto same = [&](Sampler& s, const char* what) {
        if (s.draw(seed, i, other_))
          return fail(std::string(what) + " fails where the first draw succeeded: " + f.spec());
        other_text_.clear();
        append_prompt(other_text_, other_);
        if (other_text_ != text_ || s.distance() != sampler.distance())
          fail(std::string(what) + " draws another sample: " + f.spec() + "\n  " + text_ + "\n  " +
               other_text_);
      };
      same(sampler, "a second draw of the same index");
      same(from_canonical, "the canonical spec");
      if (prufer) {
        Sampler general(f);
        general.use_fast_paths(false);
        same(general, "the general path (fast paths off)");
      }
    }
  }

  template <class Fail>
  void check_sample_error(const SampleError& e, Fail& fail) {
    static constexpr std::string_view known[] = {"connected", "mindeg", "maxdeg", "dist", "unique"};
    if (std::find(std::begin(known), std::end(known), e.constraint) == std::end(known))
      fail("a sample error naming an unknown constraint: " + e.constraint);
    if (e.attempts > Sampler::max_graphs)
      fail("a sample error after more than max_graphs graphs");
    if (e.message.empty() || !printable_line(e.message))
      fail("a sample error whose message is not one printable line: " + e.message);
  }

  // The sample in prompt_ (rendered in text_), checked from its edge list alone.
  template <class Fail>
  void check_sample(const Family& f, std::uint32_t distance, Fail& fail) {
    const FamilyParams& p = f.params();
    const Graph& g = prompt_.graph;
    const std::string& spec = f.spec();
    if (g.directed() != p.directed)
      fail("a sample of the wrong orientation: " + spec);
    if (prompt_parser_.parse(text_, other_, PromptOptions{p.directed}))
      return fail("a sample's prompt does not parse back: " + spec + ": " + text_);
    const Graph& h = other_.graph;
    if (!std::equal(g.labels().begin(), g.labels().end(), h.labels().begin(), h.labels().end()) ||
        !std::equal(g.edges().begin(), g.edges().end(), h.edges().begin(), h.edges().end()) ||
        other_.query != prompt_.query)
      fail("a sample's prompt parses back to another prompt: " + text_);

    // The graph from its edges: adjacency (arcs), underlying adjacency, degrees.
    const auto n = static_cast<std::uint32_t>(g.node_count());
    for (auto* lists : {&out_, &under_}) {
      lists->resize(n);
      for (auto& l : *lists)
        l.clear();
    }
    degree_.assign(n, 0);
    for (const Edge e : g.edges()) {
      out_[e.u].push_back(e.v);
      if (!p.directed)
        out_[e.v].push_back(e.u);
      under_[e.u].push_back(e.v);
      under_[e.v].push_back(e.u);
      ++degree_[e.u];
      ++degree_[e.v];
    }
    const std::string where = ": " + spec + ": " + text_;
    if (n < f.min_nodes() || n > f.max_nodes())
      fail("node count " + std::to_string(n) + " outside the family's bounds" + where);
    for (const Label l : g.labels())
      if (l >= p.label_space)
        fail("a label outside 0..L-1" + where);
    for (const std::uint32_t d : degree_) {
      if (d == 0)
        fail("an isolated node" + where);
      if (d < p.min_degree || d > p.max_degree)
        fail("a degree outside mindeg..maxdeg" + where);
    }

    const NodeId s = prompt_.query.source, t = prompt_.query.target;
    if (s == t || s >= n || t >= n)
      return fail("a bad query" + where);
    bfs(under_, 0);
    const bool is_connected = std::none_of(dist_.begin(), dist_.end(), [](int x) { return x < 0; });
    bfs(out_, s);
    const int d = dist_[t];
    if (d <= 0)
      return fail("the query's target is unreachable" + where);
    const auto ud = static_cast<std::uint32_t>(d);
    if (ud != distance)
      fail("the sampler's distance " + std::to_string(distance) + " is not the query's " +
           std::to_string(d) + where);
    if (ud < p.dist_min || ud > p.dist_max || ud > f.max_distance())
      fail("the query's distance " + std::to_string(d) + " is outside dist" + where);
    if (p.unique && paths_[t] != 1)
      fail("unique=true but the query has several shortest paths" + where);

    if (!p.directed && !p.flip)
      for (const Edge e : g.edges())
        if (g.label(e.u) > g.label(e.v))
          fail("flip=false but an edge is written larger label first" + where);
    if (!p.shuffle &&
        !std::is_sorted(g.edges().begin(), g.edges().end(), [&](const Edge& a, const Edge& b) {
          return g.label(a.u) != g.label(b.u) ? g.label(a.u) < g.label(b.u)
                                              : g.label(a.v) < g.label(b.v);
        }))
      fail("shuffle=false but the edges are not in ascending label order" + where);

    const std::size_t m = g.edge_count();
    switch (p.topology) {
    case Topology::connected:
      if (n != p.n || m != p.m || !is_connected)
        fail("not a connected graph of n nodes and m edges" + where);
      break;
    case Topology::tree:
      if (n != p.n || m != p.n - 1 || !is_connected)
        fail("not a tree of n nodes" + where);
      break;
    case Topology::er:
      if (p.connected && !is_connected)
        fail("connected=true but the graph is not connected" + where);
      break;
    case Topology::grid:
      if (p.connected && (n != p.w * p.h - p.holes || !is_connected))
        fail("a connected grid that lost cells or is not connected" + where);
      if (m > std::size_t{2} * p.w * p.h - p.w - p.h)
        fail("more edges than a grid has" + where);
      for (const std::uint32_t deg : degree_)
        if (deg > 4)
          fail("a grid cell with more than 4 neighbours" + where);
      break;
    case Topology::pathstar:
      if (n != 1 + p.degree * p.length || m != n - 1 || !is_connected || degree_[s] != p.degree ||
          degree_[t] != 1 || ud != p.length)
        fail("not a path-star queried from its centre to an arm's end" + where);
      break;
    case Topology::dag:
      if (n != p.layers * p.width)
        fail("a layered DAG of the wrong size" + where);
      if (p.directed && ud > p.layers - 1)
        fail("a DAG path longer than its layers" + where);
      if (p.connected && !is_connected)
        fail("connected=true but the DAG is not connected" + where);
      break;
    }
  }

  // BFS over `adj` from s: distances (-1: unreachable) and shortest-path counts capped at 2.
  void bfs(const std::vector<std::vector<NodeId>>& adj, NodeId s) {
    dist_.assign(adj.size(), -1);
    paths_.assign(adj.size(), 0);
    queue_.assign(1, s);
    dist_[s] = 0;
    paths_[s] = 1;
    for (std::size_t head = 0; head < queue_.size(); ++head) {
      const NodeId u = queue_[head];
      for (const NodeId v : adj[u]) {
        if (dist_[v] < 0) {
          dist_[v] = dist_[u] + 1;
          paths_[v] = paths_[u];
          queue_.push_back(v);
        } else if (dist_[v] == dist_[u] + 1) {
          paths_[v] = std::min(2, paths_[v] + paths_[u]);
        }
      }
    }
  }

  PromptParser prompt_parser_;
  Prompt prompt_, other_;
  std::string text_, other_text_, padded_;
  std::vector<std::vector<NodeId>> out_, under_;
  std::vector<std::uint32_t> degree_;
  std::vector<int> dist_, paths_;
  std::vector<NodeId> queue_;
};

} // namespace searchtrace_fuzz
