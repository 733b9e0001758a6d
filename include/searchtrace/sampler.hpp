// Drawing samples of a family: a graph and a query, reproducible from (spec, seed, index).
//
// # Samplers (what a sample of each topology is)
//
// Structure is built on anonymous slots; labels come last: a uniformly random n-subset of
// 0..L-1 (Floyd's algorithm), in ascending order on the dense ids. Topologies whose slots carry
// structure (grid, pathstar, dag) map slots to dense ids through a uniformly random permutation,
// so labels never reveal positions; the others are already invariant under relabelling.
//
// - connected: a uniform random labelled spanning tree (n-2 uniform Prüfer symbols, decoded in
//   linear time), plus m-(n-1) extra edges, each uniform among the node pairs that are not yet
//   adjacent (and, under maxdeg, whose endpoints still have room). Without maxdeg a graph's
//   probability is proportional to its number of spanning trees (each of them can be the tree
//   drawn first): not the uniform distribution over connected graphs with m edges, but cheap
//   and always connected. Default m = ⌊3n/2⌋ (average degree 3: G15_2_4 has 22 edges; the
//   seed's 5-node example has 6). directed=true gives each edge a uniformly random orientation.
// - er: each of the n(n-1)/2 pairs (directed: n(n-1) ordered pairs) independently with
//   probability p; nodes without an edge are dropped, since a prompt lists only edges.
// - tree: the Prüfer tree of `connected` alone (n-1 edges). directed: random orientations.
// - grid: `holes` cells drawn uniformly (Floyd) are removed; edges join horizontally and
//   vertically adjacent remaining cells. With connected=true (default) a grid whose remaining
//   cells are disconnected is redrawn; otherwise isolated cells are dropped. directed: random
//   orientations.
// - pathstar: the path-star task (Bachmann & Nagarajan 2024): a centre joined to `degree` arms,
//   each a path of `length` nodes (1 + degree·length nodes). The query is the task's: source =
//   the centre, target = the far end of a uniformly chosen arm (so dist must contain `length`).
//   directed: arcs point away from the centre.
// - dag: `layers` layers of `width` nodes; each pair (u in layer i, v in layer i+1) is an arc
//   u→v with probability p; then every node of layers 1.. without a parent gets one uniformly
//   from the layer before, and every node of layers ..-2 without a child gets one uniformly from
//   the layer after, so no node is isolated. directed=false reads the arcs as edges.
//
// Query: the source is uniform among the nodes; the target is uniform among the nodes whose
// shortest-path distance from the source lies in `dist` (and, with unique=true, that have one
// shortest path). A source with no such target is redrawn, up to n times per graph; then the
// graph is redrawn. After `Sampler::max_graphs` (1000) graphs, the sample fails with a
// SampleError naming the constraint that was never met. Degree and connectivity constraints
// reject whole graphs. Degree means in + out degree for directed graphs; `connected` means weakly
// connected for them. "Cannot be met" is a statement about 1000 graphs: a very unlikely
// constraint (tree(n=15,dist=14) needs a path: about 1 tree in 3000) may fail for one sample and
// hold for another.
//
// Prompt order: the edges are shuffled (Fisher–Yates) and each undirected edge's endpoints are
// swapped with probability 1/2 (SPEC §2), unless shuffle=false / flip=false.
//
// Random draws happen in a fixed order (structure, constraint checks, query, slot permutation,
// labels, endpoint flips, edge shuffle) from one `Rng` per sample, so a sample is a pure
// function of (canonical spec, seed, index). Connected and tree families with at most 64 nodes
// (the G families) take a specialised path with the same draws and the same samples.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "searchtrace/bits.hpp"
#include "searchtrace/family.hpp"
#include "searchtrace/graph.hpp"
#include "searchtrace/hints.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/random.hpp"
#include "searchtrace/result.hpp"

namespace searchtrace {

namespace detail {

/// Swaps a and b when bit is 1, without a branch (random bits would defeat the predictor).
inline void swap_if(std::uint64_t bit, std::uint32_t& a, std::uint32_t& b) noexcept {
  const std::uint32_t x = (a ^ b) & static_cast<std::uint32_t>(0 - (bit & 1u));
  a ^= x;
  b ^= x;
}

/// Decodes a Prüfer sequence over n nodes (n-2 symbols, n ≥ 3) into the n-1 edges of its tree,
/// written to out[0..n-2] in the standard order: each step joins the smallest current leaf to
/// the next symbol; the last edge joins the last leaf to n-1. Linear time: `ptr` scans for the
/// smallest leaf; a node that becomes a leaf below `ptr` is used at once. `degree` is scratch.
inline void prufer_decode_linear(std::span<const std::uint32_t> code, std::uint32_t n,
                                 std::vector<std::uint32_t>& degree, Edge* out) {
  degree.assign(n, 1);
  for (const std::uint32_t x : code)
    ++degree[x];
  std::uint32_t ptr = 0;
  while (degree[ptr] != 1)
    ++ptr;
  std::uint32_t leaf = ptr;
  for (const std::uint32_t v : code) {
    *out++ = {leaf, v};
    if (--degree[v] == 1 && v < ptr) {
      leaf = v;
    } else {
      ++ptr;
      while (degree[ptr] != 1)
        ++ptr;
      leaf = ptr;
    }
  }
  *out = {leaf, n - 1};
}

/// The same decoding for 3 ≤ n ≤ 64, with the current leaves as a bit set: the smallest leaf is
/// the lowest bit, found without scanning or unpredictable branches. A node becomes a leaf when
/// its last occurrence in the code is consumed, so a backward pass marks those occurrences
/// instead of counting degrees in memory (whose decrements chained through store forwarding).
SEARCHTRACE_HOT_INLINE void prufer_decode_small(std::span<const std::uint32_t> code,
                                                std::uint32_t n, Edge* out) {
  std::uint64_t freed[62]; // the node a symbol frees, as a bit, or 0
  std::uint64_t seen = 0;
  for (std::size_t i = code.size(); i-- > 0;) {
    const std::uint64_t bit = std::uint64_t{1} << code[i];
    freed[i] = bit & ~seen;
    seen |= bit;
  }
  std::uint64_t leaves = ~seen & (~std::uint64_t{0} >> (64 - n));
  for (std::size_t i = 0; i < code.size(); ++i) {
    const auto leaf = static_cast<std::uint32_t>(std::countr_zero(leaves));
    leaves &= leaves - 1;
    out[i] = {leaf, code[i]};
    leaves |= freed[i];
  }
  out[code.size()] = {static_cast<std::uint32_t>(std::countr_zero(leaves)), n - 1};
}

/// Any n ≥ 2 (n = 2: the one edge 0–1).
inline void prufer_decode(std::span<const std::uint32_t> code, std::uint32_t n,
                          std::vector<std::uint32_t>& degree, Edge* out) {
  if (n == 2) {
    *out = {0, 1};
  } else if (n <= 64) {
    prufer_decode_small(code, n, out);
  } else {
    prufer_decode_linear(code, n, degree, out);
  }
}

} // namespace detail

/// Why a sampler gave up on a sample: the constraint no graph met, the number of graphs drawn
/// (or other attempts) and a message.
struct SampleError {
  std::string constraint;
  std::uint64_t attempts = 0;
  std::string message;
};

/// Draws samples of one family into a reused Prompt. Keep one per thread: it owns scratch
/// buffers, so in steady state a draw allocates nothing.
class Sampler {
public:
  /// Graphs drawn per sample before giving up with a SampleError.
  static constexpr std::uint32_t max_graphs = 1000;

  explicit Sampler(const Family& family) : family_(family), p_(family.params()) {
    const FamilyParams& p = p_;
    // Degrees matter for degree bounds, and for dropping isolated nodes where there can be some.
    track_degrees_ = p.min_degree > 0 || p.max_degree != FamilyParams::unbounded ||
                     p.topology == Topology::er || p.topology == Topology::grid;
    small_prufer_ =
        (p.topology == Topology::connected || p.topology == Topology::tree) && p.n <= 64;
    // Buffers at their largest, so that no draw allocates.
    const std::uint32_t nmax = family.max_nodes();
    const std::uint32_t wmax = (nmax + 63) / 64;
    const std::uint32_t depth_cap = std::min(p.dist_max, nmax);
    layers_.resize(std::size_t{depth_cap + 1} * wmax);
    eligible_.resize(wmax);
    und_.reserve(std::size_t{nmax} * wmax);
    labels_.reserve(nmax);
  }

  const Family& family() const noexcept { return family_; }

  /// Sample `index` of dataset `seed`: uses `Rng::for_sample(seed, index, stream)`.
  [[nodiscard]] std::optional<SampleError> draw(std::uint64_t seed, std::uint64_t index,
                                                Prompt& out, std::uint64_t stream = 0) {
    Rng rng = Rng::for_sample(seed, index, stream);
    return draw(rng, out);
  }

  /// A sample from the given generator (advanced by a deterministic amount).
  [[nodiscard]] std::optional<SampleError> draw(Rng& rng, Prompt& out);

  /// The query's shortest-path length in the last sample drawn.
  std::uint32_t distance() const noexcept { return distance_; }
  /// The graphs drawn for the last sample (1 when the first one was accepted).
  std::uint32_t graphs_drawn() const noexcept { return graphs_; }

  /// Whether draws may take the specialised paths (on by default). They give the same samples
  /// as the general code, which tests compare them with by turning this off.
  void use_fast_paths(bool on) noexcept {
    const FamilyParams& p = p_;
    small_prufer_ =
        on && (p.topology == Topology::connected || p.topology == Topology::tree) && p.n <= 64;
  }

private:
  enum Fail : std::uint8_t { f_connected, f_mindeg, f_maxdeg, f_dist, f_unique, f_count };

  // --- bit rows -------------------------------------------------------------------------------
  std::uint64_t* row(std::vector<std::uint64_t>& rows, std::uint32_t u) noexcept {
    return rows.data() + std::size_t{u} * words_;
  }
  bool has_und(std::uint32_t u, std::uint32_t v) const noexcept {
    return (und_[std::size_t{u} * words_ + v / 64] >> (v % 64)) & 1u;
  }
  static void set_bit(std::uint64_t* r, std::uint32_t v) noexcept {
    r[v / 64] |= std::uint64_t{1} << (v % 64);
  }

  void reset(std::uint32_t n) {
    n_ = n;
    words_ = (n + 63) / 64;
    und_.assign(std::size_t{n} * words_, 0);
    if (track_degrees_)
      deg_.assign(n, 0);
    edge_count_ = 0;
  }

  std::span<Edge> slot_edges() noexcept { return {edges_.data(), edge_count_}; }

  /// Adds u–v (u→v when directed) to the slot graph; the caller ensures it is new.
  SEARCHTRACE_HOT_INLINE void add(std::uint32_t u, std::uint32_t v) {
    // A count beside a buffer instead of push_back, whose out-of-line growth path kept it
    // from inlining here.
    if (edge_count_ == edges_.size()) [[unlikely]]
      edges_.resize(2 * edges_.size() + 64);
    edges_[edge_count_++] = {u, v};
    set_bit(row(und_, u), v);
    set_bit(row(und_, v), u);
    if (track_degrees_) {
      ++deg_[u];
      ++deg_[v];
    }
  }

  SEARCHTRACE_HOT_INLINE void orient_randomly(Rng& rng) {
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < edge_count_; ++i) {
      if (i % 64 == 0)
        bits = rng.next();
      detail::swap_if(bits >> (i % 64), edges_[i].u, edges_[i].v);
    }
  }

  void prufer_tree(Rng& rng);
  bool gen_connected(Rng& rng);
  void gen_er(Rng& rng);
  void gen_grid(Rng& rng);
  void gen_pathstar();
  void gen_dag(Rng& rng);
  bool compact();
  bool weakly_connected();
  void build_out_rows();
  std::uint32_t bfs(std::uint32_t s, std::uint32_t max_depth);
  void count_paths(std::uint32_t depth);
  std::uint32_t select_bit(const std::uint64_t* bits, std::uint64_t k) const noexcept;
  void choose_labels(Rng& rng, std::uint32_t k);
  SampleError failure() const;
  void emit(Rng& rng, Prompt& out, std::uint32_t s, std::uint32_t t, std::uint32_t dist,
            bool structured, const std::uint64_t* rows = nullptr);
  std::optional<SampleError> draw_small_prufer(Rng& rng, Prompt& out);

  Family family_;
  FamilyParams p_;
  std::uint32_t n_ = 0;
  std::uint32_t words_ = 1;
  std::vector<std::uint64_t> und_; // symmetric adjacency rows (also arcs' underlying edges)
  std::vector<std::uint64_t> out_; // out-adjacency rows when directed
  std::vector<std::uint32_t> deg_;
  std::vector<Edge> edges_; // slot graph, arcs oriented: the first edge_count_ entries
  std::size_t edge_count_ = 0;
  std::vector<std::uint32_t> prufer_;
  std::vector<Edge> tree_;
  std::vector<std::uint32_t> pdeg_;
  std::vector<std::uint64_t> layers_; // BFS layers from the source, words_ per layer
  std::vector<std::uint64_t> seen_;
  std::vector<std::uint64_t> frontier_;
  std::vector<std::uint64_t> eligible_;
  std::vector<std::uint8_t> paths_; // shortest-path counts, capped at 2
  std::vector<std::uint32_t> perm_;
  std::vector<std::uint32_t> remap_;
  std::vector<std::uint32_t> scratch_;
  std::vector<Label> labels_;
  std::vector<std::uint64_t> label_bits_;
  std::vector<Edge> out_edges_;
  std::array<std::uint64_t, f_count> fails_{};
  std::uint32_t longest_ = 0;
  bool track_degrees_ = true;
  bool small_prufer_ = false; // draw_small_prufer serves this family
  std::uint32_t distance_ = 0;
  std::uint32_t graphs_ = 0;
};

} // namespace searchtrace

// The topologies and the draw, defined out of the class.
#include "searchtrace/detail/topology.hpp"
