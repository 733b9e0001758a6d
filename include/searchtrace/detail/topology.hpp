// How Sampler (sampler.hpp) draws: the topology generators, the constraint checks, the query,
// the labels and the prompt order, in the fixed order of its random draws. Included by
// sampler.hpp after the class.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "searchtrace/sampler.hpp"

namespace searchtrace {

SEARCHTRACE_HOT_INLINE void Sampler::prufer_tree(Rng& rng) {
  const std::uint32_t n = n_;
  prufer_.resize(n - 2);
  for (auto& x : prufer_)
    x = static_cast<std::uint32_t>(rng.below(n));
  // Decode into scratch, then record the edges.
  tree_.resize(n - 1);
  detail::prufer_decode(prufer_, n, pdeg_, tree_.data());
  for (const Edge t : tree_)
    add(t.u, t.v);
}

SEARCHTRACE_HOT_INLINE bool Sampler::gen_connected(Rng& rng) {
  reset(p_.n);
  prufer_tree(rng);
  const std::uint32_t maxd = p_.max_degree;
  if (!add_extra_edges(
          rng, n_, p_.m, [&](std::uint32_t u, std::uint32_t v) { return has_und(u, v); },
          [&](std::uint32_t u, std::uint32_t v) {
            return maxd != FamilyParams::unbounded && (deg_[u] >= maxd || deg_[v] >= maxd);
          },
          [&](std::uint32_t u, std::uint32_t v) { add(u, v); }))
    return false;
  if (p_.directed)
    orient_randomly(rng);
  return true;
}

inline void Sampler::gen_er(Rng& rng) {
  reset(p_.n);
  const std::uint32_t n = n_;
  if (p_.directed) {
    for (std::uint32_t u = 0; u < n; ++u)
      for (std::uint32_t v = 0; v < n; ++v)
        if (u != v && rng.chance(p_.p))
          add(u, v); // both u→v and v→u may appear; the rows just record adjacency
  } else {
    for (std::uint32_t u = 0; u < n; ++u)
      for (std::uint32_t v = u + 1; v < n; ++v)
        if (rng.chance(p_.p))
          add(u, v);
  }
}

inline void Sampler::gen_grid(Rng& rng) {
  const std::uint32_t w = p_.w, h = p_.h, cells = w * h;
  // Holes: Floyd's sampling of `holes` cells; `remap_` maps a cell to its slot (or none).
  remap_.assign(cells, 0);
  for (std::uint32_t j = cells - p_.holes; j < cells; ++j) {
    const auto t = static_cast<std::uint32_t>(rng.below(j + 1));
    remap_[remap_[t] ? j : t] = 1;
  }
  std::uint32_t n = 0;
  for (auto& r : remap_)
    r = r ? no_node : n++;
  reset(n);
  for (std::uint32_t y = 0; y < h; ++y)
    for (std::uint32_t x = 0; x < w; ++x) {
      const std::uint32_t c = remap_[y * w + x];
      if (c == no_node)
        continue;
      if (x + 1 < w && remap_[y * w + x + 1] != no_node)
        add(c, remap_[y * w + x + 1]);
      if (y + 1 < h && remap_[(y + 1) * w + x] != no_node)
        add(c, remap_[(y + 1) * w + x]);
    }
  if (p_.directed)
    orient_randomly(rng);
}

inline void Sampler::gen_pathstar() {
  reset(1 + p_.degree * p_.length);
  for (std::uint32_t a = 0; a < p_.degree; ++a) {
    std::uint32_t prev = 0;
    for (std::uint32_t k = 0; k < p_.length; ++k) {
      const std::uint32_t v = 1 + a * p_.length + k;
      add(prev, v); // away from the centre: the arc prev→v when directed
      prev = v;
    }
  }
}

inline void Sampler::gen_dag(Rng& rng) {
  const std::uint32_t L = p_.layers, W = p_.width;
  reset(L * W);
  for (std::uint32_t i = 0; i + 1 < L; ++i)
    for (std::uint32_t a = 0; a < W; ++a)
      for (std::uint32_t b = 0; b < W; ++b)
        if (rng.chance(p_.p))
          add(i * W + a, (i + 1) * W + b);
  // `scratch_` counts parents, then children.
  scratch_.assign(n_, 0);
  for (const Edge e : slot_edges())
    ++scratch_[e.v];
  for (std::uint32_t v = W; v < n_; ++v)
    if (scratch_[v] == 0)
      add((v / W - 1) * W + static_cast<std::uint32_t>(rng.below(W)), v);
  scratch_.assign(n_, 0);
  for (const Edge e : slot_edges())
    ++scratch_[e.u];
  for (std::uint32_t u = 0; u + W < n_; ++u)
    if (scratch_[u] == 0)
      add(u, (u / W + 1) * W + static_cast<std::uint32_t>(rng.below(W)));
}

/// Drops nodes without edges. Returns false when fewer than 2 nodes remain.
inline bool Sampler::compact() {
  if (std::all_of(deg_.begin(), deg_.end(), [](std::uint32_t d) { return d != 0; }))
    return true;
  remap_.resize(n_);
  std::uint32_t k = 0;
  for (std::uint32_t v = 0; v < n_; ++v)
    remap_[v] = deg_[v] ? k++ : no_node;
  if (k < 2) {
    n_ = k;
    return false;
  }
  // In place: edge i is read before add() writes entry i.
  const std::size_t m = edge_count_;
  reset(k);
  for (std::size_t i = 0; i < m; ++i)
    add(remap_[edges_[i].u], remap_[edges_[i].v]);
  return true;
}

inline bool Sampler::weakly_connected() {
  seen_.assign(words_, 0);
  eligible_.assign(words_, 0); // the current layer
  set_bit(seen_.data(), 0);
  set_bit(eligible_.data(), 0);
  frontier_.resize(words_); // the next layer
  std::uint32_t reached = 1;
  while (const std::uint32_t added = detail::bfs_step(und_.data(), words_, eligible_.data(),
                                                      frontier_.data(), seen_.data())) {
    reached += added;
    eligible_.swap(frontier_);
  }
  return reached == n_;
}

inline void Sampler::build_out_rows() {
  out_.assign(std::size_t{n_} * words_, 0);
  for (const Edge e : slot_edges())
    set_bit(row(out_, e.u), e.v);
}

/// The query on the graph of `rows` (W words each): a uniform source, redrawn up to n times, and
/// a target uniform among the nodes at a distance in dist (unique: with one shortest path), from
/// BFS layers (layer d: the nodes at distance d) into `layers`. False when no source had one.
/// With W == 1 a constant (the small path) the BFS is a few ORs per layer.
SEARCHTRACE_HOT_INLINE bool Sampler::pick_query(Rng& rng, const std::uint64_t* rows,
                                                std::uint32_t W, std::uint64_t* layers,
                                                std::uint64_t* eligible, std::uint8_t* paths,
                                                std::uint32_t& s, std::uint32_t& t,
                                                std::uint32_t& dist) {
  const FamilyParams& p = p_;
  const std::uint32_t n = n_;
  const std::uint32_t depth_cap = std::min(p.dist_max, n);
  for (std::uint32_t tries = 0; tries < n; ++tries) {
    const auto src = static_cast<std::uint32_t>(rng.below(n));
    std::uint32_t depth = 0;
    if (W == 1) {
      depth = detail::bfs_small(rows, src, depth_cap, layers);
    } else {
      std::fill(layers, layers + W, 0);
      seen_.assign(W, 0);
      set_bit(layers, src);
      set_bit(seen_.data(), src);
      while (depth < depth_cap &&
             detail::bfs_step(rows, W, layers + std::size_t{depth} * W,
                              layers + std::size_t{depth + 1} * W, seen_.data()) != 0)
        ++depth;
    }
    longest_ = std::max(longest_, depth);
    if (depth < p.dist_min) {
      ++fails_[f_dist];
      continue;
    }
    std::fill(eligible, eligible + W, 0);
    for (std::uint32_t d = p.dist_min; d <= depth; ++d)
      for (std::uint32_t x = 0; x < W; ++x)
        eligible[x] |= layers[std::size_t{d} * W + x];
    if (p.unique) {
      std::fill_n(paths, n, std::uint8_t{0});
      detail::keep_unique(rows, W, layers, depth, src, paths, eligible);
    }
    std::uint64_t count = 0;
    for (std::uint32_t x = 0; x < W; ++x)
      count += static_cast<std::uint64_t>(detail::popcount64(eligible[x]));
    if (count == 0) {
      ++fails_[f_unique];
      continue;
    }
    s = src;
    t = select_bit(eligible, rng.below(count));
    for (dist = p.dist_min; !((layers[std::size_t{dist} * W + t / 64] >> (t % 64)) & 1u);)
      ++dist;
    return true;
  }
  return false;
}

SEARCHTRACE_HOT_INLINE std::uint32_t Sampler::select_bit(const std::uint64_t* bits,
                                                         std::uint64_t k) const noexcept {
  for (std::uint32_t w = 0;; ++w) {
    const auto c = static_cast<std::uint64_t>(detail::popcount64(bits[w]));
    if (k < c) {
      std::uint64_t b = bits[w];
      for (; k > 0; --k)
        b &= b - 1;
      return w * 64 + static_cast<std::uint32_t>(std::countr_zero(b));
    }
    k -= c;
  }
}

/// A uniform k-subset of 0..L-1 in ascending order (Floyd's algorithm: exactly k draws).
SEARCHTRACE_HOT_INLINE void Sampler::choose_labels(Rng& rng, std::uint32_t k) {
  const Label L = p_.label_space;
  labels_.clear();
  if (L <= 64) {
    std::uint64_t mask = 0;
    for (Label j = L - k; j < L; ++j) {
      // pick = t, or j when t is taken (j never is yet). Both bits are ready before the mask
      // is, so the chain through the mask is a test, a select and an or per label.
      const auto t = static_cast<Label>(rng.below(j + 1));
      const Label taken = static_cast<Label>((mask >> t) & 1u);
      mask |= std::uint64_t{1} << (t ^ ((t ^ j) & (0 - taken)));
    }
    labels_.resize(k);
    for (Label i = 0; i < k; ++i, mask &= mask - 1)
      labels_[i] = static_cast<Label>(std::countr_zero(mask));
    return;
  }
  label_bits_.resize((L + 63) / 64);
  for (Label j = L - k; j < L; ++j) {
    const auto t = static_cast<Label>(rng.below(j + 1));
    const Label pick = ((label_bits_[t / 64] >> (t % 64)) & 1u) ? j : t;
    label_bits_[pick / 64] |= std::uint64_t{1} << (pick % 64);
    labels_.push_back(pick);
  }
  std::sort(labels_.begin(), labels_.end());
  for (const Label l : labels_)
    label_bits_[l / 64] &= ~(std::uint64_t{1} << (l % 64));
}

inline SampleError Sampler::failure() const {
  const FamilyParams& p = p_;
  const std::string graphs = " after " + std::to_string(graphs_) + " graphs";
  const std::uint64_t graph_fails = fails_[f_connected] + fails_[f_mindeg] + fails_[f_maxdeg];
  if (graph_fails == graphs_) {
    // No graph passed the graph constraints: blame the one that failed most.
    std::size_t worst = f_connected;
    for (std::size_t f = f_connected; f <= f_maxdeg; ++f)
      if (fails_[f] > fails_[worst])
        worst = f;
    if (worst == f_connected)
      return {"connected", graphs_,
              "no connected graph" + graphs + ": " + family_.spec() + " is rarely connected"};
    if (worst == f_mindeg)
      return {"mindeg", graphs_,
              "no graph with every degree >= " + std::to_string(p.min_degree) + graphs};
    return {"maxdeg", graphs_,
            "no graph with every degree <= " + std::to_string(p.max_degree) + graphs};
  }
  const std::string dist = detail::range_text(p.dist_min, p.dist_max);
  if (fails_[f_unique] > 0 && p.unique)
    return {"unique", graphs_,
            "no query with shortest-path length in " + dist + " and a unique shortest path" +
                graphs + ": " + family_.spec() + " cannot meet unique=true with dist=" + dist};
  return {"dist", graphs_,
          "no query with shortest-path length in " + dist + graphs + ": " + family_.spec() +
              " cannot meet dist=" + dist +
              " (longest shortest path seen: " + std::to_string(longest_) + ")"};
}

/// The sample's labels and prompt order, from the slot graph in edges_ and the query (s, t).
/// `rows`, when given (small unstructured graphs), are the slot graph's bit rows (out-arcs when
/// directed), which are the sample's: the graph is then built without its checks.
SEARCHTRACE_HOT_INLINE void Sampler::emit(Rng& rng, Prompt& out, std::uint32_t s, std::uint32_t t,
                                          std::uint32_t dist, bool structured,
                                          const std::uint64_t* rows) {
  const FamilyParams& p = p_;
  // Labels and prompt order.
  const std::uint32_t n = n_;
  if (structured) {
    perm_.resize(n);
    for (std::uint32_t i = 0; i < n; ++i)
      perm_[i] = i;
    rng.shuffle(std::span(perm_));
  }
  const auto id = [&](std::uint32_t v) { return structured ? perm_[v] : v; };
  choose_labels(rng, n);
  out_edges_.resize(edge_count_);
  for (std::size_t i = 0; i < edge_count_; ++i)
    out_edges_[i] = {id(edges_[i].u), id(edges_[i].v)};
  if (!p.directed && p.flip)
    detail::flip_edges(rng, out_edges_.data(), out_edges_.size());
  else if (!p.directed)
    for (Edge& e : out_edges_)
      if (e.u > e.v)
        std::swap(e.u, e.v);
  if (p.shuffle)
    rng.shuffle(std::span(out_edges_));
  else
    std::sort(out_edges_.begin(), out_edges_.end(),
              [](const Edge& a, const Edge& b) { return a.u != b.u ? a.u < b.u : a.v < b.v; });
  if (rows != nullptr && !structured) {
    out.graph.assign_valid(labels_, out_edges_, std::span<const std::uint64_t>(rows, n),
                           p.directed);
  } else if (!out.graph.assign(labels_, out_edges_, p.directed)) {
    throw std::logic_error("searchtrace: sampler built an invalid graph for " + family_.spec());
  }
  out.query = {id(s), id(t)};
  distance_ = dist;
}

/// draw() for connected and tree families with at most 64 nodes (the G families): the same
/// draws, in the same order, with the same decisions as the general path (the pinned digests in
/// tests/family.cpp hold both to it), but with the graph in one-word rows on the stack, so the
/// generator and the rows stay in registers.
inline std::optional<SampleError> Sampler::draw_small_prufer(Rng& rng, Prompt& out) {
  const FamilyParams& p = p_;
  const std::uint32_t n = p.n;
  const bool is_tree = p.topology == Topology::tree;
  const std::uint64_t m = is_tree ? n - 1 : p.m;
  const std::uint32_t maxd = p.max_degree;
  const bool bounded = maxd != FamilyParams::unbounded;
  const bool degrees = track_degrees_;
  std::uint64_t adj[64];
  std::uint64_t arcs[64];
  std::uint32_t deg[64];
  std::uint32_t code[64];
  std::uint64_t layer[65];
  std::uint64_t eligible = 0;
  std::uint8_t paths[64];
  if (edges_.size() < m)
    edges_.resize(m);
  Edge* const edge = edges_.data();
  n_ = n;
  words_ = 1;
  while (graphs_ < max_graphs) {
    ++graphs_;
    std::fill_n(adj, n, std::uint64_t{0});
    if (degrees)
      std::fill_n(deg, n, 0u);
    std::size_t k = n - 1;
    for (std::uint32_t i = 0; i + 2 < n; ++i)
      code[i] = static_cast<std::uint32_t>(rng.below(n));
    if (n == 2)
      edge[0] = {0, 1};
    else
      detail::prufer_decode_small(std::span<const std::uint32_t>(code, n - 2), n, edge);
    const auto link = [&](std::uint32_t u, std::uint32_t v) {
      adj[u] |= std::uint64_t{1} << v;
      adj[v] |= std::uint64_t{1} << u;
      if (degrees) {
        ++deg[u];
        ++deg[v];
      }
    };
    for (std::size_t i = 0; i < k; ++i)
      link(edge[i].u, edge[i].v);
    const auto add = [&](std::uint32_t u, std::uint32_t v) {
      edge[k++] = {u, v};
      link(u, v);
    };
    if (!add_extra_edges(
            rng, n, m, [&](std::uint32_t u, std::uint32_t v) { return (adj[u] >> v) & 1u; },
            [&](std::uint32_t u, std::uint32_t v) {
              return bounded && (deg[u] >= maxd || deg[v] >= maxd);
            },
            add)) {
      ++fails_[f_maxdeg];
      continue;
    }
    if (p.directed)
      detail::flip_edges(rng, edge, k);
    if (degrees && !degrees_ok(deg, n))
      continue;
    const std::uint64_t* rows = adj;
    if (p.directed) {
      std::fill_n(arcs, n, std::uint64_t{0});
      for (std::size_t i = 0; i < k; ++i)
        arcs[edge[i].u] |= std::uint64_t{1} << edge[i].v;
      rows = arcs;
    }

    std::uint32_t s = no_node, t = no_node, dist = 0;
    if (!pick_query(rng, rows, 1, layer, &eligible, paths, s, t, dist))
      continue;
    edge_count_ = k;
    emit(rng, out, s, t, dist, false, rows);
    return std::nullopt;
  }
  return failure();
}

inline std::optional<SampleError> Sampler::draw(Rng& caller_rng, Prompt& out) {
  // A local copy lets the compiler keep the generator's state in registers.
  Rng rng = caller_rng;
  struct WriteBack {
    Rng& to;
    const Rng& from;
    ~WriteBack() { to = from; }
  } write_back{caller_rng, rng};
  const FamilyParams& p = p_;
  fails_.fill(0);
  longest_ = 0;
  graphs_ = 0;
  if (small_prufer_)
    return draw_small_prufer(rng, out);
  const bool structured = p.topology == Topology::grid || p.topology == Topology::pathstar ||
                          p.topology == Topology::dag;
  while (graphs_ < max_graphs) {
    ++graphs_;
    bool ok = true;
    switch (p.topology) {
    case Topology::connected:
      ok = gen_connected(rng);
      if (!ok)
        ++fails_[f_maxdeg];
      break;
    case Topology::tree:
      reset(p.n);
      prufer_tree(rng);
      if (p.directed)
        orient_randomly(rng);
      break;
    case Topology::er:
      gen_er(rng);
      break;
    case Topology::grid:
      gen_grid(rng);
      break;
    case Topology::pathstar:
      gen_pathstar();
      break;
    case Topology::dag:
      gen_dag(rng);
      break;
    }
    if (!ok)
      continue;
    // Connectivity first: an isolated node disconnects a graph that must be connected, rather
    // than being dropped from it.
    if (p.connected && !weakly_connected()) {
      ++fails_[f_connected];
      continue;
    }
    if (track_degrees_ && !compact()) {
      ++fails_[f_dist];
      continue;
    }
    if (track_degrees_ && !degrees_ok(deg_.data(), n_))
      continue;
    if (p.directed)
      build_out_rows();

    // Query.
    std::uint32_t s = no_node, t = no_node, dist = 0;
    if (p.topology == Topology::pathstar) {
      s = 0;
      t = 1 + static_cast<std::uint32_t>(rng.below(p.degree)) * p.length + (p.length - 1);
      dist = p.length;
    } else if (!pick_query(rng, p.directed ? out_.data() : und_.data(), words_, layers_.data(),
                           eligible_.data(), paths_.data(), s, t, dist)) {
      continue;
    }
    emit(rng, out, s, t, dist, structured);
    return std::nullopt;
  }
  return failure();
}

} // namespace searchtrace
