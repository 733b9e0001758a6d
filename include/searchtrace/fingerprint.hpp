// Fingerprints of samples: a 128-bit hash of a (graph, query) pair that ignores how the prompt
// happens to write it, for train/test hygiene (dataset.hpp: disjoint splits, dedup).
//
//   Prompt → fingerprint → Generator's split and dedup decisions
//
// - `fingerprint(p)` ignores edge order and, for undirected graphs, endpoint order; labels
//   count. Each edge is hashed by two 64-bit mixers and the hashes summed (order-free without a
//   sort), then finalised with the query and the shape.
// - `fingerprint(p, true)` also ignores relabelling (isomorphisms fixing source and target): it
//   hashes a canonical form found by individualisation–refinement (1-WL from {source},
//   {target}, {rest}, then a search over individualised vertices with nauty-style automorphism
//   pruning). Exact for every graph; cost grows with symmetry, and past `max_canonical_leaves`
//   it throws std::runtime_error rather than return a form that might not be canonical.
//
// Both decide split membership, so changing them moves samples between splits: golden values
// are pinned in tests/fingerprint.cpp.
#pragma once

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "searchtrace/graph.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/random.hpp"

namespace searchtrace {

struct Fingerprint {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;

  friend constexpr bool operator==(const Fingerprint&, const Fingerprint&) = default;
  friend constexpr auto operator<=>(const Fingerprint&, const Fingerprint&) = default;
};

struct FingerprintHash {
  std::size_t operator()(const Fingerprint& f) const noexcept {
    return static_cast<std::size_t>(f.lo ^ detail::rotl64(f.hi, 29));
  }
};

inline constexpr std::size_t max_canonical_leaves = 16384;

namespace detail {

inline constexpr std::uint64_t fp_edge_a = 0x9e3779b97f4a7c15ull;
inline constexpr std::uint64_t fp_edge_b = 0xd1b54a32d192ed03ull;

constexpr std::uint64_t edge_key(std::uint64_t a, std::uint64_t b) noexcept {
  return (a << 32) | b;
}

/// Finalises the two edge sums with the query and the shape: one 128-bit value.
constexpr Fingerprint finish_fingerprint(std::uint64_t sum_a, std::uint64_t sum_b,
                                         std::uint64_t source, std::uint64_t target,
                                         std::uint64_t edges, std::uint64_t nodes, bool directed,
                                         bool relabelled) noexcept {
  const std::uint64_t shape =
      (edges << 34) ^ (nodes << 2) ^ (std::uint64_t{directed} << 1) ^ std::uint64_t{relabelled};
  const std::uint64_t q = edge_key(source, target);
  Fingerprint f;
  f.hi = mix64(sum_a ^ mix64(q + 0x3c6ef372fe94f82bull) ^ mix64(shape ^ 0xa54ff53a5f1d36f1ull));
  f.lo = mix64(sum_b + mix64(q ^ 0x510e527fade682d1ull) + mix64(shape + 0x9b05688c2b3e6c1full));
  return f;
}

class Canonizer {
public:
  /// The canonical relabelled edge list (sorted (a<<32|b) keys) of the prompt's graph, with the
  /// source labelled 0 and the target 1.
  const std::vector<std::uint64_t>& canonize(const Prompt& p) {
    const Graph& g = p.graph;
    n_ = static_cast<std::uint32_t>(g.node_count());
    directed_ = g.directed();
    graph_ = &g;
    build_adjacency(g);
    leaves_ = 0;
    best_.clear();
    have_best_ = false;
    seen_.clear();
    leaf_paths_.clear();
    leaf_labs_.clear();
    path_.clear();
    std::vector<std::uint32_t> colour(n_, 2);
    colour[p.query.source] = 0;
    colour[p.query.target] = 1;
    orbits_.assign(std::size_t{n_} + 1, {});
    search(colour, 0);
    return best_;
  }

private:
  void build_adjacency(const Graph& g) {
    // Per node: out-neighbours, then in-neighbours (directed only).
    off_.assign(std::size_t{n_} * 2 + 1, 0);
    for (const Edge e : g.edges()) {
      ++off_[2 * e.u + 1];
      ++off_[2 * e.v + 1 + directed_];
    }
    std::partial_sum(off_.begin(), off_.end(), off_.begin());
    adj_.assign(off_.back(), 0);
    std::vector<std::uint32_t> fill(off_.begin(), off_.end() - 1);
    for (const Edge e : g.edges()) {
      adj_[fill[2 * e.u]++] = e.v;
      adj_[fill[2 * e.v + directed_]++] = e.u;
    }
  }

  static std::size_t count_cells(const std::vector<std::uint32_t>& colour) {
    std::vector<std::uint32_t> c(colour);
    std::sort(c.begin(), c.end());
    return static_cast<std::size_t>(std::unique(c.begin(), c.end()) - c.begin());
  }

  /// Colour refinement to the coarsest equitable partition finer than `colour`. Colours are cell
  /// start positions, so they stay an ordered partition that is invariant under isomorphism.
  void refine(std::vector<std::uint32_t>& colour) {
    const std::uint32_t n = n_;
    std::size_t cells = count_cells(colour);
    std::vector<std::uint32_t> order(n);
    for (;;) {
      sig_off_.assign(std::size_t{n} + 1, 0);
      sig_.clear();
      for (std::uint32_t v = 0; v < n; ++v) {
        for (int side = 0; side < 2; ++side) {
          const std::size_t b = sig_.size();
          for (std::uint32_t i = off_[2 * v + side]; i < off_[2 * v + side + 1]; ++i)
            sig_.push_back(colour[adj_[i]]);
          std::sort(sig_.begin() + static_cast<std::ptrdiff_t>(b), sig_.end());
          sig_.push_back(0xFFFFFFFFu); // separates out- from in-colours
        }
        sig_off_[v + 1] = static_cast<std::uint32_t>(sig_.size());
      }
      for (std::uint32_t v = 0; v < n; ++v)
        order[v] = v;
      auto less = [&](std::uint32_t a, std::uint32_t b) {
        if (colour[a] != colour[b])
          return colour[a] < colour[b];
        return std::lexicographical_compare(
            sig_.begin() + sig_off_[a], sig_.begin() + sig_off_[a + 1], sig_.begin() + sig_off_[b],
            sig_.begin() + sig_off_[b + 1]);
      };
      std::sort(order.begin(), order.end(), less);
      std::vector<std::uint32_t> next(n);
      std::uint32_t start = 0;
      for (std::uint32_t i = 0; i < n; ++i) {
        if (i > 0 && less(order[i - 1], order[i]))
          start = i;
        next[order[i]] = start;
      }
      const std::size_t now = count_cells(next);
      colour.swap(next);
      if (now == cells)
        return;
      cells = now;
    }
  }

  std::uint32_t find(std::vector<std::uint32_t>& uf, std::uint32_t x) {
    while (uf[x] != x)
      x = uf[x] = uf[uf[x]];
    return x;
  }

  /// Explores the subtree at `colour` (depth = number of individualised vertices). Returns the
  /// depth to backjump to: `depth` means "go on", less means "abandon up to that depth".
  std::size_t search(std::vector<std::uint32_t> colour, std::size_t depth) {
    refine(colour);
    const std::uint32_t n = n_;
    // Target cell: the first non-singleton cell by position.
    std::vector<std::uint32_t> size(n, 0);
    for (const std::uint32_t c : colour)
      ++size[c];
    std::uint32_t target = n;
    for (std::uint32_t c = 0; c < n; ++c)
      if (size[c] > 1) {
        target = c;
        break;
      }
    if (target == n)
      return leaf(colour, depth);
    auto& uf = orbits_[depth];
    uf.resize(n);
    for (std::uint32_t v = 0; v < n; ++v)
      uf[v] = v;
    std::vector<std::uint32_t> done; // children explored here
    for (std::uint32_t v = 0; v < n; ++v) {
      if (colour[v] != target)
        continue;
      const std::uint32_t rv = find(uf, v);
      if (std::any_of(done.begin(), done.end(), [&](std::uint32_t w) { return find(uf, w) == rv; }))
        continue;
      done.push_back(v);
      std::vector<std::uint32_t> child(colour);
      for (std::uint32_t u = 0; u < n; ++u)
        if (child[u] == target && u != v)
          child[u] = target + 1;
      path_.push_back(v);
      const std::size_t back = search(std::move(child), depth + 1);
      path_.pop_back();
      if (back < depth)
        return back;
    }
    return depth;
  }

  std::size_t leaf(const std::vector<std::uint32_t>& lab, std::size_t depth) {
    if (++leaves_ > max_canonical_leaves)
      throw std::runtime_error("searchtrace: relabelling-invariant fingerprint gave up after " +
                               std::to_string(max_canonical_leaves) +
                               " search leaves (a graph with " + std::to_string(n_) +
                               " nodes and very many symmetries)");
    cert_.clear();
    for (const Edge e : graph_->edges()) {
      std::uint64_t a = lab[e.u], b = lab[e.v];
      if (!directed_ && a > b)
        std::swap(a, b);
      cert_.push_back(edge_key(a, b));
    }
    std::sort(cert_.begin(), cert_.end());
    if (!have_best_ || cert_ < best_) {
      best_ = cert_;
      have_best_ = true;
    }
    std::uint64_t ha = 0, hb = 0;
    for (const std::uint64_t k : cert_) {
      ha = mix64(ha ^ k) + fp_edge_a;
      hb = mix64(hb + k) ^ fp_edge_b;
    }
    const Fingerprint key{ha, hb};
    const auto it = seen_.find(key);
    if (it == seen_.end()) {
      seen_.emplace(key, leaf_paths_.size());
      leaf_paths_.push_back(path_);
      leaf_labs_.push_back(lab);
      return depth;
    }
    // Same form as an earlier leaf: γ = lab_old⁻¹ ∘ lab is an automorphism fixing the common
    // prefix of both paths, mapping this branch onto an explored one.
    const auto& old_path = leaf_paths_[it->second];
    const auto& old_lab = leaf_labs_[it->second];
    std::size_t common = 0;
    while (common < path_.size() && common < old_path.size() && path_[common] == old_path[common])
      ++common;
    std::vector<std::uint32_t> inv(n_);
    for (std::uint32_t u = 0; u < n_; ++u)
      inv[old_lab[u]] = u;
    for (std::size_t d = 0; d <= common; ++d) {
      auto& uf = orbits_[d];
      if (uf.size() != n_)
        continue;
      for (std::uint32_t v = 0; v < n_; ++v) {
        const std::uint32_t a = find(uf, v), b = find(uf, inv[lab[v]]);
        if (a != b)
          uf[std::max(a, b)] = std::min(a, b);
      }
    }
    return common;
  }

  const Graph* graph_ = nullptr;
  std::uint32_t n_ = 0;
  bool directed_ = false;
  std::vector<std::uint32_t> off_, adj_, sig_off_, sig_;
  std::vector<std::uint64_t> cert_, best_;
  bool have_best_ = false;
  std::size_t leaves_ = 0;
  std::unordered_map<Fingerprint, std::size_t, FingerprintHash> seen_;
  std::vector<std::vector<std::uint32_t>> leaf_paths_, leaf_labs_;
  std::vector<std::uint32_t> path_;
  std::vector<std::vector<std::uint32_t>> orbits_;
};

} // namespace detail

/// Computes fingerprints into reused buffers (the relabelling-invariant one needs scratch).
class Fingerprinter {
public:
  Fingerprint operator()(const Prompt& p, bool up_to_relabelling = false) {
    const Graph& g = p.graph;
    std::uint64_t sa = 0, sb = 0;
    const auto add = [&](std::uint64_t k) {
      sa += detail::mix64(k + detail::fp_edge_a);
      sb += detail::mix64(detail::rotl64(k, 32) ^ detail::fp_edge_b);
    };
    if (!up_to_relabelling) {
      for (const Edge e : g.edges()) {
        std::uint64_t a = g.label(e.u), b = g.label(e.v);
        if (!g.directed() && a > b)
          std::swap(a, b);
        add(detail::edge_key(a, b));
      }
      return detail::finish_fingerprint(sa, sb, g.label(p.query.source), g.label(p.query.target),
                                        g.edge_count(), g.node_count(), g.directed(), false);
    }
    for (const std::uint64_t k : canon_.canonize(p))
      add(k);
    return detail::finish_fingerprint(sa, sb, 0, 1, g.edge_count(), g.node_count(), g.directed(),
                                      true);
  }

private:
  detail::Canonizer canon_;
};

inline Fingerprint fingerprint(const Prompt& p, bool up_to_relabelling = false) {
  Fingerprinter f;
  return f(p, up_to_relabelling);
}

/// A set of fingerprints, for removing duplicates within a dataset (memory: ~32 bytes each).
class FingerprintSet {
public:
  /// False for a duplicate.
  bool insert(const Fingerprint& f) { return set_.insert(f).second; }
  bool contains(const Fingerprint& f) const { return set_.count(f) != 0; }
  std::size_t size() const noexcept { return set_.size(); }
  void reserve(std::size_t n) { set_.reserve(n); }
  void clear() noexcept { set_.clear(); }

private:
  std::unordered_set<Fingerprint, FingerprintHash> set_;
};

} // namespace searchtrace

template <>
struct std::hash<searchtrace::Fingerprint> {
  std::size_t operator()(const searchtrace::Fingerprint& f) const noexcept {
    return searchtrace::FingerprintHash{}(f);
  }
};
