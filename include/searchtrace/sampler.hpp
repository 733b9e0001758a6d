// Drawing samples of a family: a graph and a query, reproducible from (spec, seed, index).
//
//   Family (spec) + seed + index → Rng → Sampler → Prompt (graph + query) → tracer / Generator
//
// # What a sample of each topology is
//
// Structure is built on anonymous slots; labels come last: a uniform n-subset of 0..L-1
// (Floyd's algorithm), ascending on the dense ids. Topologies whose slots carry structure (grid,
// pathstar, dag) first map slots to ids by a uniform permutation, so labels never reveal
// positions. directed=true orients each edge uniformly at random, except as said below.
//
// - connected: a uniform labelled spanning tree (Prüfer), plus m-(n-1) extra edges, each uniform
//   among the pairs not yet adjacent (under maxdeg: whose endpoints have room). A graph's
//   probability is proportional to its number of spanning trees: not uniform over connected
//   graphs, but cheap and always connected. Default m = ⌊3n/2⌋ (G15_2_4 has 22 edges).
// - er: each pair (directed: ordered pair) independently with probability p; nodes without an
//   edge are dropped, since a prompt lists only edges.
// - tree: the Prüfer tree of `connected` alone.
// - grid: `holes` cells drawn uniformly are removed; edges join adjacent remaining cells. With
//   connected=true (default) a disconnected grid is redrawn; otherwise isolated cells are dropped.
// - pathstar (Bachmann & Nagarajan 2024): a centre with `degree` arms, each a path of `length`
//   nodes; source = the centre, target = the far end of a uniform arm (dist must contain
//   `length`). directed: arcs point away from the centre.
// - dag: `layers` layers of `width` nodes; each pair of consecutive layers' nodes is an arc with
//   probability p; then each node without a parent (child) gets one uniformly from the layer
//   before (after), so no node is isolated. directed=false reads the arcs as edges.
//
// Query: a uniform source, and a target uniform among the nodes at a distance in `dist` (with
// unique=true: with one shortest path). A source without one is redrawn up to n times, then the
// graph; after `Sampler::max_graphs` graphs the sample fails with a SampleError naming the
// constraint never met (a statement about 1000 graphs: a rare constraint may fail for one sample
// and hold for another). Degree is in + out degree, and connected is weakly connected, for
// directed graphs. Prompt order: edges shuffled, each undirected edge's endpoints swapped with
// probability 1/2, unless shuffle=false / flip=false.
//
// The draws come in a fixed order (structure, checks, query, slot permutation, labels, flips,
// shuffle) from one `Rng` per sample; the fast path for connected and tree families of at most
// 64 nodes makes the same draws and the same samples.
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

/// Swaps the endpoints of each edge with probability 1/2, 64 edges to an output.
SEARCHTRACE_HOT_INLINE void flip_edges(Rng& rng, Edge* edges, std::size_t count) noexcept {
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (i % 64 == 0)
      bits = rng.next();
    swap_if(bits >> (i % 64), edges[i].u, edges[i].v);
  }
}

/// BFS layers from s over one-word rows (layer d: the nodes at distance d), up to max_depth; the
/// last non-empty depth. The whole BFS is a few ORs per layer.
SEARCHTRACE_HOT_INLINE std::uint32_t bfs_small(const std::uint64_t* rows, std::uint32_t s,
                                               std::uint32_t max_depth,
                                               std::uint64_t* layer) noexcept {
  std::uint64_t seen = std::uint64_t{1} << s;
  layer[0] = seen;
  std::uint32_t d = 1;
  for (; d <= max_depth; ++d) {
    std::uint64_t next = 0;
    for (std::uint64_t b = layer[d - 1]; b; b &= b - 1)
      next |= rows[std::countr_zero(b)];
    next &= ~seen;
    if (next == 0)
      break;
    layer[d] = next;
    seen |= next;
  }
  return d - 1;
}

/// One BFS layer over rows of W words: `next` = the neighbours of `prev` not in `seen`, then
/// added to it. Returns how many there are.
inline std::uint32_t bfs_step(const std::uint64_t* rows, std::uint32_t W, const std::uint64_t* prev,
                              std::uint64_t* next, std::uint64_t* seen) noexcept {
  std::fill(next, next + W, 0);
  for (std::uint32_t w = 0; w < W; ++w)
    for (std::uint64_t b = prev[w]; b; b &= b - 1) {
      const std::uint64_t* r =
          rows + std::size_t{w * 64 + static_cast<std::uint32_t>(std::countr_zero(b))} * W;
      for (std::uint32_t x = 0; x < W; ++x)
        next[x] |= r[x];
    }
  std::uint32_t added = 0;
  for (std::uint32_t x = 0; x < W; ++x) {
    next[x] &= ~seen[x];
    seen[x] |= next[x];
    added += static_cast<std::uint32_t>(popcount64(next[x]));
  }
  return added;
}

/// unique=true: counts the shortest paths from s (capped at 2, into `paths`, zeroed) over the
/// BFS layers 1..depth (W words each) and keeps in `eligible` the nodes with exactly one.
inline void keep_unique(const std::uint64_t* rows, std::uint32_t W, const std::uint64_t* layers,
                        std::uint32_t depth, std::uint32_t s, std::uint8_t* paths,
                        std::uint64_t* eligible) noexcept {
  paths[s] = 1;
  for (std::uint32_t d = 1; d <= depth; ++d) {
    const std::uint64_t* prev = layers + std::size_t{d - 1} * W;
    const std::uint64_t* cur = layers + std::size_t{d} * W;
    for (std::uint32_t w = 0; w < W; ++w)
      for (std::uint64_t b = prev[w]; b; b &= b - 1) {
        const std::uint32_t u = w * 64 + static_cast<std::uint32_t>(std::countr_zero(b));
        const std::uint64_t* r = rows + std::size_t{u} * W;
        for (std::uint32_t x = 0; x < W; ++x)
          for (std::uint64_t c = r[x] & cur[x]; c; c &= c - 1) {
            auto& cnt = paths[x * 64 + static_cast<std::uint32_t>(std::countr_zero(c))];
            cnt = static_cast<std::uint8_t>(std::min(2, cnt + paths[u]));
          }
      }
  }
  for (std::uint32_t x = 0; x < W; ++x)
    for (std::uint64_t b = eligible[x]; b; b &= b - 1)
      if (paths[x * 64 + static_cast<std::uint32_t>(std::countr_zero(b))] != 1)
        eligible[x] &= ~(b & (0 - b));
}

/// A Prüfer sequence over n ≥ 3 nodes to the n-1 edges of its tree, in the standard order (each
/// step joins the smallest leaf to the next symbol), in linear time. `degree` is scratch.
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

/// The same for 3 ≤ n ≤ 64, the leaves as a bit set. A backward pass marks each node's last
/// occurrence (where it becomes a leaf) instead of counting degrees in memory, whose decrements
/// chained through store forwarding.
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

/// Why a sampler gave up on a sample: the constraint no graph met, the graphs drawn, a message.
struct SampleError {
  std::string constraint;
  std::uint64_t attempts = 0;
  std::string message;
};

/// Draws samples of one family into a reused Prompt. Keep one per thread: once warm a draw
/// allocates nothing.
class Sampler {
public:
  static constexpr std::uint32_t max_graphs = 1000;

  explicit Sampler(const Family& family) : family_(family), p_(family.params()) {
    const FamilyParams& p = p_;
    // Degrees serve degree bounds, and dropping isolated nodes where there can be some.
    track_degrees_ = p.min_degree > 0 || p.max_degree != FamilyParams::unbounded ||
                     p.topology == Topology::er || p.topology == Topology::grid;
    use_fast_paths(true);
    const std::uint32_t nmax = family.max_nodes();
    const std::uint32_t wmax = (nmax + 63) / 64;
    const std::uint32_t depth_cap = std::min(p.dist_max, nmax);
    layers_.resize(std::size_t{depth_cap + 1} * wmax);
    eligible_.resize(wmax);
    paths_.resize(nmax);
    und_.reserve(std::size_t{nmax} * wmax);
    labels_.reserve(nmax);
  }

  const Family& family() const noexcept { return family_; }

  /// Sample `index` of dataset `seed` (`Rng::for_sample(seed, index, stream)`).
  [[nodiscard]] std::optional<SampleError> draw(std::uint64_t seed, std::uint64_t index,
                                                Prompt& out, std::uint64_t stream = 0) {
    Rng rng = Rng::for_sample(seed, index, stream);
    return draw(rng, out);
  }

  /// A sample from the given generator (advanced by a deterministic amount).
  [[nodiscard]] std::optional<SampleError> draw(Rng& rng, Prompt& out);

  /// Of the last sample: the query's distance, and the graphs drawn (1: the first one passed).
  std::uint32_t distance() const noexcept { return distance_; }
  std::uint32_t graphs_drawn() const noexcept { return graphs_; }

  /// Off: the general code, which tests compare the fast paths' samples with.
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

  /// Adds u–v (u→v when directed), which the caller knows is new. No push_back: its
  /// out-of-line growth path kept this from inlining.
  SEARCHTRACE_HOT_INLINE void add(std::uint32_t u, std::uint32_t v) {
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
    detail::flip_edges(rng, edges_.data(), edge_count_);
  }

  // mindeg and maxdeg (unbounded is UINT32_MAX); a graph that fails them is counted.
  bool degrees_ok(const std::uint32_t* deg, std::uint32_t n) {
    const auto [lo, hi] = std::minmax_element(deg, deg + n);
    if (*lo < p_.min_degree || *hi > p_.max_degree) {
      ++fails_[*lo < p_.min_degree ? f_mindeg : f_maxdeg];
      return false;
    }
    return true;
  }

  /// The m-(n-1) edges beyond the spanning tree, uniform among the pairs not yet adjacent (`has`)
  /// whose endpoints have room (`full`). False when maxdeg leaves no room.
  template <class Has, class Full, class Add>
  SEARCHTRACE_HOT_INLINE bool add_extra_edges(Rng& rng, std::uint32_t n, std::uint64_t m, Has&& has,
                                              Full&& full, Add&& add) {
    const std::uint64_t pairs = std::uint64_t{n} * (n - 1) / 2;
    std::uint64_t need = m - (n - 1);
    if (need > 0 && 2 * m <= pairs) {
      // Sparse: rejection over uniform pairs; at least half the pairs are free, so the budget
      // below runs out only when maxdeg leaves no room.
      std::uint64_t budget = 64 * need + 1024;
      while (need > 0) {
        if (budget-- == 0)
          return false;
        const auto u = static_cast<std::uint32_t>(rng.below(n));
        auto v = static_cast<std::uint32_t>(rng.below(n - 1));
        v += v >= u;
        if (has(u, v) || full(u, v))
          continue;
        add(u, v);
        --need;
      }
    } else if (need > 0) {
      // Dense: a uniform subset of the free pairs (partial Fisher–Yates over their list).
      scratch_.clear();
      for (std::uint32_t u = 0; u < n; ++u)
        for (std::uint32_t v = u + 1; v < n; ++v)
          if (!has(u, v))
            scratch_.push_back(u * n + v);
      for (std::uint64_t i = 0; i < need; ++i) {
        const auto j = i + rng.below(scratch_.size() - i);
        std::swap(scratch_[i], scratch_[j]);
        add(scratch_[i] / n, scratch_[i] % n);
      }
    }
    return true;
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
  bool pick_query(Rng& rng, const std::uint64_t* rows, std::uint32_t W, std::uint64_t* layers,
                  std::uint64_t* eligible, std::uint8_t* paths, std::uint32_t& s, std::uint32_t& t,
                  std::uint32_t& dist);
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

#include "searchtrace/detail/topology.hpp"
