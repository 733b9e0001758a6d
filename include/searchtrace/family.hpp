// Graph families (SPEC §5): a spec string names a topology generator, constraints and a query
// sampler; `Sampler` draws sample i of seed S as a pure function of (spec, S, i).
//
// clang-format off
//
// # Spec syntax
//
//   spec   = name [ "(" [ param { "," param } ] ")" ]        spaces allowed between tokens
//   name   = "G" n "_" a "_" b | "connected" | "er" | "tree" | "grid" | "pathstar" | "dag"
//   param  = key "=" value
//   value  = integer | decimal | integer ".." integer | "true" | "false"
//
// `G<n>_<a>_<b>` is the seed's family: `connected(n=<n>, dist=<a>..<b>)`. It takes the other
// keys of `connected` in parentheses, e.g. `G15_2_4(L=100)`.
//
// | topology    | keys (required in bold)       | graph                                         |
// |-------------|-------------------------------|-----------------------------------------------|
// | `connected` | **n**, m=⌊3n/2⌋ or avgdeg     | random connected graph, n nodes, m edges      |
// | `er`        | **n**, **p**                  | Erdős–Rényi G(n,p), isolated nodes dropped    |
// | `tree`      | **n**                         | uniform random labelled tree                  |
// | `grid`      | **w**, **h**, holes=0         | w×h 4-neighbour grid minus `holes` cells      |
// | `pathstar`  | **degree**, **length**        | a centre with `degree` arms of `length` nodes |
// | `dag`       | **layers**, **width**, p=0.5  | layered DAG, arcs between consecutive layers  |
//
// Keys every family takes (constraints and prompt options):
//
// | key         | default    | meaning                                                         |
// |-------------|------------|-----------------------------------------------------------------|
// | `dist`      | 1..∞       | the query's shortest-path length, `a..b` or `a`                 |
// | `unique`    | false      | the query has exactly one shortest path                         |
// | `mindeg`    | 0          | every node has at least this degree (in + out if directed)      |
// | `maxdeg`    | ∞          | every node has at most this degree                              |
// | `directed`  | false      | arcs instead of edges (dag: true; see "Samplers")               |
// | `connected` | see right  | the graph is (weakly) connected: er, dag default false, grid    |
// |             |            | true; the other topologies are connected by construction        |
// | `L`         | 50         | labels are n distinct values drawn from 0..L-1                  |
// | `shuffle`   | true       | false: edges in ascending (u,v) label order                     |
// | `flip`      | true       | false: each undirected edge written smaller label first         |
//
// clang-format on
//
// Integers are decimal; `p` and `avgdeg` are plain decimals (no sign or exponent) read
// correctly rounded, so a spec means the same number everywhere; avgdeg sets m = ⌊avgdeg·n/2 +
// 1/2⌋. Limits: at most 1024 nodes, L at most 2^20. A bad spec is a FamilyError with the byte
// offset of the offending key, value or name; constraints that no graph of the family can meet
// (dist beyond the longest possible shortest path, L smaller than n, m outside n-1..n(n-1)/2,
// degree bounds that contradict the edge count, a path-star dist without the arm length) are
// rejected at parse time, the rest by the sampler after a bounded number of graphs.
//
// The canonical spec (`Family::spec()`) lists the required keys and the keys that differ from
// their defaults, in the order of the tables above; a connected family with a dist range is
// written in the G shorthand, so `connected(n=15, dist=2..4)` and `G15_2_4` are one family.
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
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "searchtrace/bits.hpp"
#include "searchtrace/graph.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/random.hpp"
#include "searchtrace/result.hpp"

namespace searchtrace {

enum class Topology : std::uint8_t { connected, er, tree, grid, pathstar, dag };

constexpr std::string_view topology_name(Topology t) noexcept {
  constexpr std::array<std::string_view, 6> names{"connected", "er",       "tree",
                                                  "grid",      "pathstar", "dag"};
  return names[static_cast<std::size_t>(t)];
}

/// Everything a spec fixes, after defaults and derived values (m from avgdeg) are filled in.
struct FamilyParams {
  static constexpr std::uint32_t unbounded = 0xFFFFFFFFu;

  Topology topology = Topology::connected;
  std::uint32_t n = 0;      // connected, er, tree: node count
  std::uint32_t m = 0;      // connected: edge count
  double p = 0.5;           // er, dag: arc/edge probability
  std::uint32_t w = 0;      // grid
  std::uint32_t h = 0;      // grid
  std::uint32_t holes = 0;  // grid
  std::uint32_t degree = 0; // pathstar: number of arms
  std::uint32_t length = 0; // pathstar: nodes per arm
  std::uint32_t layers = 0; // dag
  std::uint32_t width = 0;  // dag
  std::uint32_t dist_min = 1;
  std::uint32_t dist_max = unbounded;
  bool unique = false;
  std::uint32_t min_degree = 0;
  std::uint32_t max_degree = unbounded;
  bool directed = false;
  bool connected = false; // required explicitly (er, grid, dag)
  Label label_space = 50;
  bool shuffle = true;
  bool flip = true;

  friend bool operator==(const FamilyParams&, const FamilyParams&) = default;
};

/// Why a spec was rejected: the byte offset in the spec and a one-line message.
struct FamilyError {
  std::size_t offset = 0;
  std::string message;
};

inline constexpr std::uint32_t max_family_nodes = 1024;
inline constexpr Label max_label_space = Label{1} << 20;

class Family;
Result<Family, FamilyError> parse_family(std::string_view spec);
namespace detail {
class SpecParser;
}

/// A parsed, validated family. Cheap to copy.
class Family {
public:
  /// The canonical spec string (see the header comment): equal families have equal specs.
  const std::string& spec() const noexcept { return spec_; }
  const FamilyParams& params() const noexcept { return p_; }
  Topology topology() const noexcept { return p_.topology; }
  bool directed() const noexcept { return p_.directed; }
  Label label_space() const noexcept { return p_.label_space; }
  /// Bounds on the node count of a sample (equal unless nodes can be dropped).
  std::uint32_t min_nodes() const noexcept { return min_nodes_; }
  std::uint32_t max_nodes() const noexcept { return max_nodes_; }
  /// The longest shortest path a sample of this family can have (an upper bound).
  std::uint32_t max_distance() const noexcept { return max_distance_; }

  /// A sentence per aspect: topology and size, orientation, query, labels, prompt order.
  std::string describe() const;

private:
  friend class detail::SpecParser;
  FamilyParams p_;
  std::string spec_;
  std::uint32_t min_nodes_ = 0;
  std::uint32_t max_nodes_ = 0;
  std::uint32_t max_distance_ = 0;
};

namespace detail {

enum class SpecKey : std::uint8_t {
  n,
  m,
  avgdeg,
  p,
  w,
  h,
  holes,
  degree,
  length,
  layers,
  width,
  dist,
  unique,
  mindeg,
  maxdeg,
  directed,
  connected,
  L,
  shuffle,
  flip,
};

inline constexpr std::size_t spec_key_count = 20;

inline constexpr std::array<std::string_view, spec_key_count> spec_key_names{
    "n",      "m",        "avgdeg",    "p",     "w",       "h",      "holes",
    "degree", "length",   "layers",    "width", "dist",    "unique", "mindeg",
    "maxdeg", "directed", "connected", "L",     "shuffle", "flip"};

constexpr std::uint32_t key_bit(SpecKey k) noexcept {
  return std::uint32_t{1} << static_cast<unsigned>(k);
}

inline constexpr std::uint32_t common_keys = key_bit(SpecKey::dist) | key_bit(SpecKey::unique) |
                                             key_bit(SpecKey::mindeg) | key_bit(SpecKey::maxdeg) |
                                             key_bit(SpecKey::directed) | key_bit(SpecKey::L) |
                                             key_bit(SpecKey::shuffle) | key_bit(SpecKey::flip);

/// The keys each topology takes (besides the common ones).
constexpr std::uint32_t topology_keys(Topology t) noexcept {
  switch (t) {
  case Topology::connected:
    return key_bit(SpecKey::n) | key_bit(SpecKey::m) | key_bit(SpecKey::avgdeg);
  case Topology::er:
    return key_bit(SpecKey::n) | key_bit(SpecKey::p) | key_bit(SpecKey::connected);
  case Topology::tree:
    return key_bit(SpecKey::n);
  case Topology::grid:
    return key_bit(SpecKey::w) | key_bit(SpecKey::h) | key_bit(SpecKey::holes) |
           key_bit(SpecKey::connected);
  case Topology::pathstar:
    return key_bit(SpecKey::degree) | key_bit(SpecKey::length);
  case Topology::dag:
    return key_bit(SpecKey::layers) | key_bit(SpecKey::width) | key_bit(SpecKey::p) |
           key_bit(SpecKey::connected);
  }
  return 0;
}

constexpr std::uint32_t required_keys(Topology t) noexcept {
  switch (t) {
  case Topology::connected:
  case Topology::tree:
    return key_bit(SpecKey::n);
  case Topology::er:
    return key_bit(SpecKey::n) | key_bit(SpecKey::p);
  case Topology::grid:
    return key_bit(SpecKey::w) | key_bit(SpecKey::h);
  case Topology::pathstar:
    return key_bit(SpecKey::degree) | key_bit(SpecKey::length);
  case Topology::dag:
    return key_bit(SpecKey::layers) | key_bit(SpecKey::width);
  }
  return 0;
}

inline std::string key_list(std::uint32_t keys) {
  std::string s;
  for (std::size_t k = 0; k < spec_key_count; ++k) {
    if ((keys >> k & 1u) == 0)
      continue;
    if (!s.empty())
      s += ", ";
    s += spec_key_names[k];
  }
  return s;
}

inline std::string format_double(double x) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

/// A hand-written reader over the spec: every error names its byte.
class SpecParser {
public:
  explicit SpecParser(std::string_view s) : s_(s) {}

  Result<Family, FamilyError> parse();

private:
  struct Given {
    bool set = false;
    std::size_t key_at = 0;
    std::size_t value_at = 0;
  };

  void skip_ws() noexcept {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t'))
      ++i_;
  }
  static bool is_alpha(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  static bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

  std::string_view quoted(std::string_view v) const { return v.size() > 32 ? v.substr(0, 32) : v; }

  static FamilyError err(std::size_t at, std::string message) {
    return FamilyError{at, std::move(message)};
  }

  std::optional<FamilyError> read_uint(std::string_view v, std::size_t at, std::string_view key,
                                       std::uint32_t& out) const {
    std::uint64_t x = 0;
    if (v.empty() || !std::all_of(v.begin(), v.end(), is_digit))
      return err(at, "bad value '" + std::string(quoted(v)) + "' for " + std::string(key) +
                         ": expected a non-negative integer");
    for (const char c : v) {
      x = x * 10 + static_cast<std::uint64_t>(c - '0');
      if (x > 0xFFFFFFFEu)
        return err(at, "value " + std::string(quoted(v)) + " for " + std::string(key) +
                           " is too large");
    }
    out = static_cast<std::uint32_t>(x);
    return std::nullopt;
  }

  std::optional<FamilyError> read_double(std::string_view v, std::size_t at, std::string_view key,
                                         double& out) const {
    // Plain decimals only (no exponent, sign, inf or nan): the spec is for people.
    const bool plain =
        !v.empty() && std::count(v.begin(), v.end(), '.') <= 1 &&
        std::all_of(v.begin(), v.end(), [](char c) { return c == '.' || is_digit(c); }) &&
        std::any_of(v.begin(), v.end(), is_digit);
    if (!plain)
      return err(at, "bad value '" + std::string(quoted(v)) + "' for " + std::string(key) +
                         ": expected a decimal number such as 0.15");
    const auto r = std::from_chars(v.data(), v.data() + v.size(), out);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size())
      return err(at, "bad value '" + std::string(quoted(v)) + "' for " + std::string(key) +
                         ": expected a decimal number such as 0.15");
    return std::nullopt;
  }

  std::optional<FamilyError> read_bool(std::string_view v, std::size_t at, std::string_view key,
                                       bool& out) const {
    if (v == "true" || v == "1") {
      out = true;
      return std::nullopt;
    }
    if (v == "false" || v == "0") {
      out = false;
      return std::nullopt;
    }
    return err(at, "bad value '" + std::string(quoted(v)) + "' for " + std::string(key) +
                       ": expected true or false");
  }

  std::optional<FamilyError> read_range(std::string_view v, std::size_t at, std::uint32_t& lo,
                                        std::uint32_t& hi) const {
    const std::size_t dots = v.find("..");
    if (dots == std::string_view::npos) {
      if (auto e = read_uint(v, at, "dist", lo))
        return e;
      hi = lo;
    } else {
      if (auto e = read_uint(v.substr(0, dots), at, "dist", lo))
        return err(at, "bad value '" + std::string(quoted(v)) +
                           "' for dist: expected a..b or a, with integers a <= b");
      if (auto e = read_uint(v.substr(dots + 2), at + dots + 2, "dist", hi))
        return err(at, "bad value '" + std::string(quoted(v)) +
                           "' for dist: expected a..b or a, with integers a <= b");
    }
    if (lo == 0)
      return err(at, "dist must be at least 1 (the query's source and target differ)");
    if (lo > hi)
      return err(at, "dist range " + std::to_string(lo) + ".." + std::to_string(hi) +
                         " is reversed (expected a..b with a <= b)");
    return std::nullopt;
  }

  std::optional<FamilyError> parse_shorthand(std::size_t start, std::string_view name);
  std::optional<FamilyError> parse_param();
  std::optional<FamilyError> validate(Family& f);
  std::string canonical() const;

  std::string_view s_;
  std::size_t i_ = 0;
  FamilyParams p_;
  bool shorthand_ = false;
  std::size_t name_at_ = 0;
  std::size_t dist_at_ = 0; // offset to blame for an infeasible dist
  double avgdeg_ = 0;
  std::array<Given, spec_key_count> given_{};
};

inline std::optional<FamilyError> SpecParser::parse_shorthand(std::size_t start,
                                                              std::string_view name) {
  // G<n>_<a>_<b>
  std::array<std::uint32_t, 3> v{};
  std::size_t j = 1;
  for (std::size_t part = 0; part < 3; ++part) {
    const std::size_t b = j;
    while (j < name.size() && is_digit(name[j]))
      ++j;
    if (j == b)
      return err(start + j, std::string("bad family name '") + std::string(quoted(name)) +
                                "': expected G<n>_<a>_<b> such as G15_2_4");
    if (auto e = read_uint(name.substr(b, j - b), start + b, part == 0 ? "n" : "dist", v[part]))
      return e;
    if (part < 2) {
      if (j >= name.size() || name[j] != '_')
        return err(start + j, std::string("bad family name '") + std::string(quoted(name)) +
                                  "': expected G<n>_<a>_<b> such as G15_2_4");
      ++j;
    }
  }
  if (j != name.size())
    return err(start + j, std::string("bad family name '") + std::string(quoted(name)) +
                              "': expected G<n>_<a>_<b> such as G15_2_4");
  p_.topology = Topology::connected;
  p_.n = v[0];
  given_[static_cast<std::size_t>(SpecKey::n)] = {true, start + 1, start + 1};
  if (v[1] == 0)
    return err(start, "dist must be at least 1 (the query's source and target differ)");
  if (v[1] > v[2])
    return err(start, "dist range " + std::to_string(v[1]) + ".." + std::to_string(v[2]) +
                          " is reversed (expected G<n>_<a>_<b> with a <= b)");
  p_.dist_min = v[1];
  p_.dist_max = v[2];
  given_[static_cast<std::size_t>(SpecKey::dist)] = {true, start, start};
  dist_at_ = start;
  shorthand_ = true;
  return std::nullopt;
}

inline std::optional<FamilyError> SpecParser::parse_param() {
  skip_ws();
  const std::size_t key_at = i_;
  while (i_ < s_.size() && (is_alpha(s_[i_]) || is_digit(s_[i_])))
    ++i_;
  const std::string_view key = s_.substr(key_at, i_ - key_at);
  if (key.empty())
    return err(key_at, i_ < s_.size() ? "expected a key, found '" + std::string(1, s_[i_]) + "'"
                                      : std::string("the spec ends where a key should be"));
  const auto it = std::find(spec_key_names.begin(), spec_key_names.end(), key);
  const std::uint32_t allowed = topology_keys(p_.topology) | common_keys;
  const std::string fam = shorthand_ ? "G<n>_<a>_<b>" : std::string(topology_name(p_.topology));
  const std::uint32_t shown =
      shorthand_ ? allowed & ~(key_bit(SpecKey::n) | key_bit(SpecKey::dist)) : allowed;
  if (it == spec_key_names.end() || ((allowed >> (it - spec_key_names.begin())) & 1u) == 0) {
    std::string msg = "unknown key '" + std::string(quoted(key)) + "' for " + fam;
    if (it != spec_key_names.end() && *it == "connected")
      msg += " (its graphs are connected by construction)";
    return err(key_at, msg + "; expected one of: " + key_list(shown));
  }
  const auto k = static_cast<SpecKey>(it - spec_key_names.begin());
  if (shorthand_ && (k == SpecKey::n || k == SpecKey::dist))
    return err(key_at, "key '" + std::string(key) + "' is fixed by the name G" +
                           std::to_string(p_.n) + "_" + std::to_string(p_.dist_min) + "_" +
                           std::to_string(p_.dist_max));
  auto& g = given_[static_cast<std::size_t>(k)];
  if (g.set)
    return err(key_at, "key '" + std::string(key) + "' is given twice");
  skip_ws();
  if (i_ >= s_.size() || s_[i_] != '=')
    return err(i_, "expected '=' after '" + std::string(key) + "'");
  ++i_;
  skip_ws();
  const std::size_t value_at = i_;
  // A value is a run of characters that can belong to one; the grammar checks the rest.
  while (i_ < s_.size() &&
         (is_alpha(s_[i_]) || is_digit(s_[i_]) || s_[i_] == '.' || s_[i_] == '-' || s_[i_] == '+'))
    ++i_;
  const std::string_view v = s_.substr(value_at, i_ - value_at);
  if (v.empty())
    return err(value_at, "missing value for '" + std::string(key) + "'");
  g = {true, key_at, value_at};
  switch (k) {
  case SpecKey::n:
    return read_uint(v, value_at, key, p_.n);
  case SpecKey::m:
    return read_uint(v, value_at, key, p_.m);
  case SpecKey::avgdeg:
    return read_double(v, value_at, key, avgdeg_);
  case SpecKey::p:
    return read_double(v, value_at, key, p_.p);
  case SpecKey::w:
    return read_uint(v, value_at, key, p_.w);
  case SpecKey::h:
    return read_uint(v, value_at, key, p_.h);
  case SpecKey::holes:
    return read_uint(v, value_at, key, p_.holes);
  case SpecKey::degree:
    return read_uint(v, value_at, key, p_.degree);
  case SpecKey::length:
    return read_uint(v, value_at, key, p_.length);
  case SpecKey::layers:
    return read_uint(v, value_at, key, p_.layers);
  case SpecKey::width:
    return read_uint(v, value_at, key, p_.width);
  case SpecKey::dist:
    dist_at_ = value_at;
    return read_range(v, value_at, p_.dist_min, p_.dist_max);
  case SpecKey::unique:
    return read_bool(v, value_at, key, p_.unique);
  case SpecKey::mindeg:
    return read_uint(v, value_at, key, p_.min_degree);
  case SpecKey::maxdeg:
    return read_uint(v, value_at, key, p_.max_degree);
  case SpecKey::directed:
    return read_bool(v, value_at, key, p_.directed);
  case SpecKey::connected:
    return read_bool(v, value_at, key, p_.connected);
  case SpecKey::L:
    return read_uint(v, value_at, key, p_.label_space);
  case SpecKey::shuffle:
    return read_bool(v, value_at, key, p_.shuffle);
  case SpecKey::flip:
    return read_bool(v, value_at, key, p_.flip);
  }
  return std::nullopt;
}

inline Result<Family, FamilyError> SpecParser::parse() {
  skip_ws();
  name_at_ = i_;
  while (i_ < s_.size() && (is_alpha(s_[i_]) || is_digit(s_[i_])))
    ++i_;
  const std::string_view name = s_.substr(name_at_, i_ - name_at_);
  if (name.empty()) {
    if (i_ >= s_.size())
      return err(i_, "empty family spec: expected a name such as G15_2_4 or er(n=20,p=0.15)");
    return err(i_, "expected a family name, found '" + std::string(1, s_[i_]) + "'");
  }
  if (name.size() >= 2 && name[0] == 'G' && is_digit(name[1])) {
    if (auto e = parse_shorthand(name_at_, name))
      return *e;
  } else {
    bool found = false;
    for (std::size_t t = 0; t < 6; ++t) {
      if (topology_name(static_cast<Topology>(t)) == name) {
        p_.topology = static_cast<Topology>(t);
        found = true;
      }
    }
    if (!found)
      return err(name_at_, "unknown family '" + std::string(quoted(name)) +
                               "': expected G<n>_<a>_<b>, connected, er, tree, grid, pathstar "
                               "or dag");
    if (p_.topology == Topology::dag)
      p_.directed = true;
    if (p_.topology == Topology::grid)
      p_.connected = true;
  }
  skip_ws();
  if (i_ < s_.size()) {
    if (s_[i_] != '(')
      return err(i_, "expected '(' or the end of the spec after '" + std::string(quoted(name)) +
                         "', found '" + std::string(1, s_[i_]) + "'");
    ++i_;
    skip_ws();
    if (i_ < s_.size() && s_[i_] == ')') {
      ++i_;
    } else {
      for (;;) {
        if (auto e = parse_param())
          return *e;
        skip_ws();
        if (i_ >= s_.size())
          return err(i_, "the spec ends before ')'");
        if (s_[i_] == ')') {
          ++i_;
          break;
        }
        if (s_[i_] != ',')
          return err(i_, "expected ',' or ')', found '" + std::string(1, s_[i_]) + "'");
        ++i_;
      }
    }
    skip_ws();
    if (i_ < s_.size())
      return err(i_, "unexpected text after ')': '" + std::string(quoted(s_.substr(i_))) + "'");
  }
  Family f;
  if (auto e = validate(f))
    return *e;
  return f;
}

inline std::optional<FamilyError> SpecParser::validate(Family& f) {
  auto given = [&](SpecKey k) -> const Given& { return given_[static_cast<std::size_t>(k)]; };
  auto value_at = [&](SpecKey k) { return given(k).set ? given(k).value_at : name_at_; };
  const std::uint32_t missing = required_keys(p_.topology) & ~[&] {
    std::uint32_t set = 0;
    for (std::size_t k = 0; k < spec_key_count; ++k)
      if (given_[k].set)
        set |= std::uint32_t{1} << k;
    return set;
  }();
  if (missing != 0)
    return err(s_.size(), std::string(topology_name(p_.topology)) + " needs " +
                              key_list(required_keys(p_.topology)) + "; missing " +
                              key_list(missing));

  if (p_.min_degree > p_.max_degree)
    return err(value_at(SpecKey::mindeg),
               "mindeg=" + std::to_string(p_.min_degree) +
                   " is more than maxdeg=" + std::to_string(p_.max_degree));
  const auto too_many = [&](SpecKey k, std::uint64_t nodes) -> std::optional<FamilyError> {
    if (nodes > max_family_nodes)
      return err(value_at(k), std::to_string(nodes) + " nodes is more than the maximum of " +
                                  std::to_string(max_family_nodes));
    return std::nullopt;
  };

  std::uint32_t nodes = 0; // exact or maximum node count
  std::uint32_t min_nodes = 0;
  std::uint64_t max_dist = 0;
  switch (p_.topology) {
  case Topology::connected:
  case Topology::er:
  case Topology::tree: {
    if (auto e = too_many(SpecKey::n, p_.n))
      return e;
    if (p_.n < 2)
      return err(value_at(SpecKey::n), "n must be at least 2 (a prompt has at least one edge)");
    nodes = p_.n;
    min_nodes = p_.topology == Topology::er ? 2 : p_.n;
    max_dist = p_.n - 1;
    const std::uint64_t pairs = std::uint64_t{p_.n} * (p_.n - 1) / 2;
    if (p_.topology == Topology::connected) {
      if (given(SpecKey::m).set && given(SpecKey::avgdeg).set)
        return err(given(SpecKey::avgdeg).key_at, "give m or avgdeg, not both");
      if (given(SpecKey::avgdeg).set) {
        const double m = avgdeg_ * p_.n / 2 + 0.5;
        if (!(m < 4294967295.0))
          return err(value_at(SpecKey::avgdeg), "avgdeg " + format_double(avgdeg_) +
                                                    " is too large for n=" + std::to_string(p_.n));
        p_.m = static_cast<std::uint32_t>(m);
      } else if (!given(SpecKey::m).set) {
        p_.m = static_cast<std::uint32_t>(
            std::clamp<std::uint64_t>(std::uint64_t{3} * p_.n / 2, p_.n - 1, pairs));
      }
      const SpecKey mk = given(SpecKey::avgdeg).set ? SpecKey::avgdeg : SpecKey::m;
      if (p_.m < p_.n - 1)
        return err(value_at(mk), "m=" + std::to_string(p_.m) + " edges cannot connect " +
                                     std::to_string(p_.n) + " nodes (at least " +
                                     std::to_string(p_.n - 1) + " needed)");
      if (p_.m > pairs)
        return err(value_at(mk), "m=" + std::to_string(p_.m) + " edges is more than the " +
                                     std::to_string(pairs) + " node pairs of " +
                                     std::to_string(p_.n) + " nodes");
      if (p_.min_degree > 0 && std::uint64_t{p_.min_degree} * p_.n > std::uint64_t{2} * p_.m)
        return err(value_at(SpecKey::mindeg),
                   "mindeg=" + std::to_string(p_.min_degree) + " needs at least " +
                       std::to_string((std::uint64_t{p_.min_degree} * p_.n + 1) / 2) +
                       " edges, but m=" + std::to_string(p_.m));
      if (p_.max_degree != FamilyParams::unbounded &&
          std::uint64_t{p_.max_degree} * p_.n < std::uint64_t{2} * p_.m)
        return err(value_at(SpecKey::maxdeg),
                   "maxdeg=" + std::to_string(p_.max_degree) + " allows at most " +
                       std::to_string(std::uint64_t{p_.max_degree} * p_.n / 2) +
                       " edges, but m=" + std::to_string(p_.m));
    }
    if (p_.topology == Topology::er) {
      if (!(p_.p > 0.0) || p_.p > 1.0)
        return err(value_at(SpecKey::p), "p must be in (0, 1], got " + format_double(p_.p));
    }
    if (p_.topology == Topology::tree) {
      if (p_.min_degree >= 2)
        return err(value_at(SpecKey::mindeg), "a tree has leaves: mindeg must be at most 1");
      if (p_.max_degree < 2 && p_.n > 2)
        return err(value_at(SpecKey::maxdeg),
                   "a tree with more than 2 nodes has a node of degree 2 or more");
    }
    break;
  }
  case Topology::grid: {
    if (p_.w == 0 || p_.h == 0)
      return err(value_at(p_.w == 0 ? SpecKey::w : SpecKey::h), "w and h must be at least 1");
    const std::uint64_t cells = std::uint64_t{p_.w} * p_.h;
    if (auto e = too_many(SpecKey::h, cells))
      return e;
    if (cells < p_.holes + std::uint64_t{2})
      return err(value_at(SpecKey::holes),
                 "a " + std::to_string(p_.w) + "x" + std::to_string(p_.h) + " grid with " +
                     std::to_string(p_.holes) + " holes has fewer than 2 nodes");
    nodes = static_cast<std::uint32_t>(cells - p_.holes);
    min_nodes = p_.connected ? nodes : 2;
    max_dist = (p_.holes == 0 && !p_.directed) ? p_.w + p_.h - 2 : nodes - 1;
    break;
  }
  case Topology::pathstar: {
    if (p_.degree == 0 || p_.length == 0)
      return err(value_at(p_.degree == 0 ? SpecKey::degree : SpecKey::length),
                 "degree and length must be at least 1");
    const std::uint64_t total = 1 + std::uint64_t{p_.degree} * p_.length;
    if (auto e = too_many(SpecKey::length, total))
      return e;
    nodes = min_nodes = static_cast<std::uint32_t>(total);
    max_dist = p_.length;
    if (p_.dist_min > p_.length || p_.dist_max < p_.length)
      return err(dist_at_, "a path-star query spans one arm (length " + std::to_string(p_.length) +
                               "), outside dist=" + std::to_string(p_.dist_min) + ".." +
                               std::to_string(p_.dist_max));
    break;
  }
  case Topology::dag: {
    if (p_.layers < 2)
      return err(value_at(SpecKey::layers), "a layered DAG needs at least 2 layers");
    if (p_.width == 0)
      return err(value_at(SpecKey::width), "width must be at least 1");
    const std::uint64_t total = std::uint64_t{p_.layers} * p_.width;
    if (auto e = too_many(SpecKey::width, total))
      return e;
    if (!(p_.p >= 0.0) || p_.p > 1.0)
      return err(value_at(SpecKey::p), "p must be in [0, 1], got " + format_double(p_.p));
    nodes = min_nodes = static_cast<std::uint32_t>(total);
    max_dist = p_.directed ? p_.layers - 1 : nodes - 1;
    break;
  }
  }
  if (p_.label_space > max_label_space)
    return err(value_at(SpecKey::L), "L=" + std::to_string(p_.label_space) +
                                         " is more than the maximum of " +
                                         std::to_string(max_label_space));
  if (p_.label_space < nodes)
    return err(value_at(SpecKey::L), "L=" + std::to_string(p_.label_space) +
                                         " labels cannot name " + std::to_string(nodes) +
                                         " distinct nodes (give L=" + std::to_string(nodes) +
                                         " or more)");
  if (p_.dist_min > max_dist)
    return err(dist_at_ ? dist_at_ : name_at_,
               "dist=" + std::to_string(p_.dist_min) + ".." +
                   (p_.dist_max == FamilyParams::unbounded ? std::string("")
                                                           : std::to_string(p_.dist_max)) +
                   " cannot be met: no shortest path of this family is longer than " +
                   std::to_string(max_dist) + " (" + std::to_string(nodes) + " nodes)");
  f.p_ = p_;
  f.min_nodes_ = min_nodes;
  f.max_nodes_ = nodes;
  f.max_distance_ = static_cast<std::uint32_t>(max_dist);
  f.spec_ = canonical();
  return std::nullopt;
}

inline std::string SpecParser::canonical() const {
  const FamilyParams d; // defaults
  std::string out;
  std::vector<std::string> kv;
  auto add = [&](std::string_view k, const std::string& v) {
    kv.push_back(std::string(k) + "=" + v);
  };
  const bool g =
      p_.topology == Topology::connected && given_[static_cast<std::size_t>(SpecKey::dist)].set;
  switch (p_.topology) {
  case Topology::connected: {
    if (!g)
      add("n", std::to_string(p_.n));
    const std::uint64_t pairs = std::uint64_t{p_.n} * (p_.n - 1) / 2;
    const auto m0 = std::clamp<std::uint64_t>(std::uint64_t{3} * p_.n / 2, p_.n - 1, pairs);
    if (p_.m != m0)
      add("m", std::to_string(p_.m));
    break;
  }
  case Topology::er:
    add("n", std::to_string(p_.n));
    add("p", format_double(p_.p));
    break;
  case Topology::tree:
    add("n", std::to_string(p_.n));
    break;
  case Topology::grid:
    add("w", std::to_string(p_.w));
    add("h", std::to_string(p_.h));
    if (p_.holes != 0)
      add("holes", std::to_string(p_.holes));
    break;
  case Topology::pathstar:
    add("degree", std::to_string(p_.degree));
    add("length", std::to_string(p_.length));
    break;
  case Topology::dag:
    add("layers", std::to_string(p_.layers));
    add("width", std::to_string(p_.width));
    if (p_.p != d.p)
      add("p", format_double(p_.p));
    break;
  }
  const bool default_dist = p_.dist_min == 1 && p_.dist_max == FamilyParams::unbounded;
  if (!g && !default_dist)
    add("dist", p_.dist_min == p_.dist_max
                    ? std::to_string(p_.dist_min)
                    : std::to_string(p_.dist_min) + ".." +
                          (p_.dist_max == FamilyParams::unbounded ? std::to_string(max_family_nodes)
                                                                  : std::to_string(p_.dist_max)));
  if (p_.unique)
    add("unique", "true");
  if (p_.min_degree != 0)
    add("mindeg", std::to_string(p_.min_degree));
  if (p_.max_degree != FamilyParams::unbounded)
    add("maxdeg", std::to_string(p_.max_degree));
  const bool directed_default = p_.topology == Topology::dag;
  if (p_.directed != directed_default)
    add("directed", p_.directed ? "true" : "false");
  const bool connected_default = p_.topology == Topology::grid;
  if ((topology_keys(p_.topology) & key_bit(SpecKey::connected)) &&
      p_.connected != connected_default)
    add("connected", p_.connected ? "true" : "false");
  if (p_.label_space != d.label_space)
    add("L", std::to_string(p_.label_space));
  if (!p_.shuffle)
    add("shuffle", "false");
  if (!p_.flip && !p_.directed)
    add("flip", "false");
  if (g)
    out = "G" + std::to_string(p_.n) + "_" + std::to_string(p_.dist_min) + "_" +
          std::to_string(p_.dist_max);
  else
    out = std::string(topology_name(p_.topology));
  if (!kv.empty() || !g) {
    if (g && kv.empty())
      return out;
    out += "(";
    for (std::size_t i = 0; i < kv.size(); ++i)
      out += (i ? "," : "") + kv[i];
    out += ")";
  }
  return out;
}

} // namespace detail

/// Parses and validates a spec (syntax in the header comment).
inline Result<Family, FamilyError> parse_family(std::string_view spec) {
  return detail::SpecParser(spec).parse();
}

inline std::string Family::describe() const {
  const FamilyParams& p = p_;
  std::string s;
  const std::string edges_word = p.directed ? "arcs" : "edges";
  switch (p.topology) {
  case Topology::connected:
    s = "random connected graph: " + std::to_string(p.n) + " nodes, " + std::to_string(p.m) + " " +
        edges_word + " (uniform random spanning tree from a Prüfer sequence + " +
        std::to_string(p.m - (p.n - 1)) + " uniformly random extra edges)";
    break;
  case Topology::er:
    s = "Erdős–Rényi G(n,p): n=" + std::to_string(p.n) + ", p=" + detail::format_double(p.p) +
        " (nodes without edges dropped" + (p.connected ? ", redrawn until connected)" : ")");
    break;
  case Topology::tree:
    s = "uniform random labelled tree: " + std::to_string(p.n) + " nodes";
    break;
  case Topology::grid:
    s = std::to_string(p.w) + "x" + std::to_string(p.h) + " grid";
    if (p.holes)
      s += " with " + std::to_string(p.holes) + " random holes" +
           (p.connected ? " (redrawn until connected)" : " (isolated cells dropped)");
    break;
  case Topology::pathstar:
    s = "path-star: a centre with " + std::to_string(p.degree) + " arms of " +
        std::to_string(p.length) + " nodes (" + std::to_string(max_nodes_) + " nodes)";
    break;
  case Topology::dag:
    s = "layered DAG: " + std::to_string(p.layers) + " layers of " + std::to_string(p.width) +
        " nodes, each consecutive-layer pair with probability " + detail::format_double(p.p) +
        " (every node gets a parent and a child where the layers allow)";
    break;
  }
  s += p.directed ? "; directed" : "; undirected";
  if (p.min_degree != 0 || p.max_degree != FamilyParams::unbounded) {
    s += "; degree in " + std::to_string(p.min_degree) + "..";
    s += p.max_degree == FamilyParams::unbounded ? "inf" : std::to_string(p.max_degree);
  }
  if (p.topology == Topology::pathstar)
    s += "; query: the centre to the end of a uniformly chosen arm";
  else {
    s += "; query: uniform source, target uniform among nodes at shortest-path distance " +
         std::to_string(p.dist_min) + "..";
    s += p.dist_max == FamilyParams::unbounded ? "inf" : std::to_string(p.dist_max);
    if (p.unique)
      s += " with a unique shortest path";
  }
  s += "; labels: distinct, from 0.." + std::to_string(p.label_space - 1);
  s += p.shuffle ? "; edges shuffled" : "; edges in ascending label order";
  if (!p.directed)
    s += p.flip ? ", endpoints in random order" : ", smaller label first";
  return s;
}

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
  const std::uint32_t n = n_;
  const std::uint64_t pairs = std::uint64_t{n} * (n - 1) / 2;
  const std::uint32_t maxd = p_.max_degree;
  std::uint64_t need = p_.m - (n - 1);
  if (need > 0 && 2 * std::uint64_t{p_.m} <= pairs) {
    // Sparse: rejection over uniform pairs; at least half the pairs are free, so the budget
    // below runs out only when maxdeg leaves no room.
    std::uint64_t budget = 64 * need + 1024;
    while (need > 0) {
      if (budget-- == 0)
        return false;
      const auto u = static_cast<std::uint32_t>(rng.below(n));
      auto v = static_cast<std::uint32_t>(rng.below(n - 1));
      v += v >= u;
      if (has_und(u, v) ||
          (maxd != FamilyParams::unbounded && (deg_[u] >= maxd || deg_[v] >= maxd)))
        continue;
      add(u, v);
      --need;
    }
  } else if (need > 0) {
    // Dense: a uniform subset of the free pairs (partial Fisher–Yates over their list).
    scratch_.clear();
    for (std::uint32_t u = 0; u < n; ++u)
      for (std::uint32_t v = u + 1; v < n; ++v)
        if (!has_und(u, v))
          scratch_.push_back(u * n + v);
    for (std::uint64_t i = 0; i < need; ++i) {
      const auto j = i + rng.below(scratch_.size() - i);
      std::swap(scratch_[i], scratch_[j]);
      add(scratch_[i] / n, scratch_[i] % n);
    }
  }
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
        if (u != v && rng.chance(p_.p)) {
          add(u, v); // both u→v and v→u may appear; the rows just record adjacency
        }
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
    if (scratch_[v] == 0) {
      const std::uint32_t layer = v / W;
      add((layer - 1) * W + static_cast<std::uint32_t>(rng.below(W)), v);
    }
  scratch_.assign(n_, 0);
  for (const Edge e : slot_edges())
    ++scratch_[e.u];
  for (std::uint32_t u = 0; u + W < n_; ++u)
    if (scratch_[u] == 0) {
      const std::uint32_t layer = u / W;
      add(u, (layer + 1) * W + static_cast<std::uint32_t>(rng.below(W)));
    }
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
  const std::size_t m = edge_count_;
  scratch_.assign(m * 2, 0);
  for (std::size_t i = 0; i < m; ++i) {
    scratch_[2 * i] = remap_[edges_[i].u];
    scratch_[2 * i + 1] = remap_[edges_[i].v];
  }
  reset(k);
  for (std::size_t i = 0; i < m; ++i)
    add(scratch_[2 * i], scratch_[2 * i + 1]);
  return true;
}

inline bool Sampler::weakly_connected() {
  seen_.assign(words_, 0);
  eligible_.assign(words_, 0); // the current layer
  set_bit(seen_.data(), 0);
  set_bit(eligible_.data(), 0);
  std::uint32_t reached = 1;
  std::vector<std::uint64_t>& next = frontier_;
  for (;;) {
    next.assign(words_, 0);
    for (std::uint32_t w = 0; w < words_; ++w)
      for (std::uint64_t b = eligible_[w]; b; b &= b - 1) {
        const std::uint32_t u = w * 64 + static_cast<std::uint32_t>(std::countr_zero(b));
        const std::uint64_t* r = row(und_, u);
        for (std::uint32_t x = 0; x < words_; ++x)
          next[x] |= r[x];
      }
    std::uint32_t added = 0;
    for (std::uint32_t x = 0; x < words_; ++x) {
      next[x] &= ~seen_[x];
      seen_[x] |= next[x];
      added += static_cast<std::uint32_t>(detail::popcount64(next[x]));
    }
    if (added == 0)
      break;
    reached += added;
    eligible_.swap(next);
  }
  return reached == n_;
}

inline void Sampler::build_out_rows() {
  out_.assign(std::size_t{n_} * words_, 0);
  for (const Edge e : slot_edges())
    set_bit(row(out_, e.u), e.v);
}

/// BFS layers from s (layer d = nodes at distance d), up to max_depth. Returns the last
/// non-empty depth.
SEARCHTRACE_HOT_INLINE std::uint32_t Sampler::bfs(std::uint32_t s, std::uint32_t max_depth) {
  const std::vector<std::uint64_t>& rows = p_.directed ? out_ : und_;
  const std::uint32_t W = words_;
  if (W == 1) {
    // One word per row: the whole BFS is a few ORs per layer.
    std::uint64_t* layer = layers_.data();
    std::uint64_t seen = std::uint64_t{1} << s;
    layer[0] = seen;
    std::uint32_t d = 1;
    for (; d <= max_depth; ++d) {
      std::uint64_t next = 0;
      for (std::uint64_t b = layer[d - 1]; b; b &= b - 1)
        next |= rows[static_cast<std::uint32_t>(std::countr_zero(b))];
      next &= ~seen;
      if (next == 0)
        break;
      layer[d] = next;
      seen |= next;
    }
    return d - 1;
  }
  std::fill(layers_.begin(), layers_.begin() + W, 0);
  seen_.assign(W, 0);
  set_bit(layers_.data(), s);
  set_bit(seen_.data(), s);
  std::uint32_t d = 1;
  for (; d <= max_depth; ++d) {
    const std::uint64_t* prev = layers_.data() + std::size_t{d - 1} * W;
    std::uint64_t* next = layers_.data() + std::size_t{d} * W;
    std::fill(next, next + W, 0);
    for (std::uint32_t w = 0; w < W; ++w)
      for (std::uint64_t b = prev[w]; b; b &= b - 1) {
        const std::uint64_t* r =
            rows.data() + std::size_t{w * 64 + static_cast<std::uint32_t>(std::countr_zero(b))} * W;
        for (std::uint32_t x = 0; x < W; ++x)
          next[x] |= r[x];
      }
    std::uint64_t any = 0;
    for (std::uint32_t x = 0; x < W; ++x) {
      next[x] &= ~seen_[x];
      seen_[x] |= next[x];
      any |= next[x];
    }
    if (any == 0)
      break;
  }
  return d - 1;
}

/// Shortest-path counts (capped at 2) for the nodes of layers 0..depth.
inline void Sampler::count_paths(std::uint32_t depth) {
  const std::vector<std::uint64_t>& rows = p_.directed ? out_ : und_;
  const std::uint32_t W = words_;
  paths_.assign(n_, 0);
  {
    const std::uint64_t* l0 = layers_.data();
    for (std::uint32_t w = 0; w < W; ++w)
      if (l0[w])
        paths_[w * 64 + static_cast<std::uint32_t>(std::countr_zero(l0[w]))] = 1;
  }
  for (std::uint32_t d = 1; d <= depth; ++d) {
    const std::uint64_t* prev = layers_.data() + std::size_t{d - 1} * W;
    const std::uint64_t* cur = layers_.data() + std::size_t{d} * W;
    for (std::uint32_t w = 0; w < W; ++w)
      for (std::uint64_t b = prev[w]; b; b &= b - 1) {
        const std::uint32_t u = w * 64 + static_cast<std::uint32_t>(std::countr_zero(b));
        const std::uint64_t* r = rows.data() + std::size_t{u} * W;
        for (std::uint32_t x = 0; x < W; ++x)
          for (std::uint64_t c = r[x] & cur[x]; c; c &= c - 1) {
            auto& cnt = paths_[x * 64 + static_cast<std::uint32_t>(std::countr_zero(c))];
            cnt = static_cast<std::uint8_t>(std::min(2, cnt + paths_[u]));
          }
      }
  }
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
  auto range = [](std::uint32_t a, std::uint32_t b) {
    return std::to_string(a) + ".." +
           (b == FamilyParams::unbounded ? std::string("inf") : std::to_string(b));
  };
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
  if (fails_[f_unique] > 0 && p.unique)
    return {"unique", graphs_,
            "no query with shortest-path length in " + range(p.dist_min, p.dist_max) +
                " and a unique shortest path" + graphs + ": " + family_.spec() +
                " cannot meet unique=true with dist=" + range(p.dist_min, p.dist_max)};
  return {"dist", graphs_,
          "no query with shortest-path length in " + range(p.dist_min, p.dist_max) + graphs + ": " +
              family_.spec() + " cannot meet dist=" + range(p.dist_min, p.dist_max) +
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
  if (!p.directed) {
    if (p.flip) {
      std::uint64_t bits = 0;
      for (std::size_t i = 0; i < out_edges_.size(); ++i) {
        if (i % 64 == 0)
          bits = rng.next();
        detail::swap_if(bits >> (i % 64), out_edges_[i].u, out_edges_[i].v);
      }
    } else {
      for (Edge& e : out_edges_)
        if (e.u > e.v)
          std::swap(e.u, e.v);
    }
  }
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
  const std::uint64_t pairs = std::uint64_t{n} * (n - 1) / 2;
  const std::uint32_t maxd = p.max_degree;
  const bool bounded = maxd != FamilyParams::unbounded;
  const bool degrees = track_degrees_;
  const std::uint32_t depth_cap = std::min(p.dist_max, n);
  std::uint64_t adj[64];
  std::uint64_t arcs[64];
  std::uint32_t deg[64];
  std::uint32_t code[64];
  std::uint64_t layer[65];
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
    for (std::size_t i = 0; i < k; ++i) {
      const Edge e = edge[i];
      adj[e.u] |= std::uint64_t{1} << e.v;
      adj[e.v] |= std::uint64_t{1} << e.u;
      if (degrees) {
        ++deg[e.u];
        ++deg[e.v];
      }
    }
    const auto add = [&](std::uint32_t u, std::uint32_t v) {
      edge[k++] = {u, v};
      adj[u] |= std::uint64_t{1} << v;
      adj[v] |= std::uint64_t{1} << u;
      if (degrees) {
        ++deg[u];
        ++deg[v];
      }
    };
    std::uint64_t need = m - (n - 1);
    if (need > 0 && 2 * m <= pairs) {
      std::uint64_t budget = 64 * need + 1024;
      bool ok = true;
      while (need > 0) {
        if (budget-- == 0) {
          ok = false;
          break;
        }
        const auto u = static_cast<std::uint32_t>(rng.below(n));
        auto v = static_cast<std::uint32_t>(rng.below(n - 1));
        v += v >= u;
        if (((adj[u] >> v) & 1u) || (bounded && (deg[u] >= maxd || deg[v] >= maxd)))
          continue;
        add(u, v);
        --need;
      }
      if (!ok) {
        ++fails_[f_maxdeg];
        continue;
      }
    } else if (need > 0) {
      scratch_.clear();
      for (std::uint32_t u = 0; u < n; ++u)
        for (std::uint32_t v = u + 1; v < n; ++v)
          if (!((adj[u] >> v) & 1u))
            scratch_.push_back(u * n + v);
      for (std::uint64_t i = 0; i < need; ++i) {
        const auto j = i + rng.below(scratch_.size() - i);
        std::swap(scratch_[i], scratch_[j]);
        add(scratch_[i] / n, scratch_[i] % n);
      }
    }
    if (p.directed) {
      std::uint64_t bits = 0;
      for (std::size_t i = 0; i < k; ++i) {
        if (i % 64 == 0)
          bits = rng.next();
        detail::swap_if(bits >> (i % 64), edge[i].u, edge[i].v);
      }
    }
    if (p.min_degree > 0 &&
        std::any_of(deg, deg + n, [&](std::uint32_t d) { return d < p.min_degree; })) {
      ++fails_[f_mindeg];
      continue;
    }
    if (bounded && std::any_of(deg, deg + n, [&](std::uint32_t d) { return d > maxd; })) {
      ++fails_[f_maxdeg];
      continue;
    }
    const std::uint64_t* rows = adj;
    if (p.directed) {
      std::fill_n(arcs, n, std::uint64_t{0});
      for (std::size_t i = 0; i < k; ++i)
        arcs[edge[i].u] |= std::uint64_t{1} << edge[i].v;
      rows = arcs;
    }

    // Query: the general path's loop, on one-word layers.
    std::uint32_t s = no_node, t = no_node, dist = 0;
    for (std::uint32_t tries = 0; tries < n; ++tries) {
      const auto src = static_cast<std::uint32_t>(rng.below(n));
      layer[0] = std::uint64_t{1} << src;
      std::uint64_t seen = layer[0];
      std::uint32_t d = 1;
      for (; d <= depth_cap; ++d) {
        std::uint64_t next = 0;
        for (std::uint64_t b = layer[d - 1]; b; b &= b - 1)
          next |= rows[std::countr_zero(b)];
        next &= ~seen;
        if (next == 0)
          break;
        layer[d] = next;
        seen |= next;
      }
      const std::uint32_t depth = d - 1;
      longest_ = std::max(longest_, depth);
      if (depth < p.dist_min) {
        ++fails_[f_dist];
        continue;
      }
      std::uint64_t eligible = 0;
      for (std::uint32_t dd = p.dist_min; dd <= depth; ++dd)
        eligible |= layer[dd];
      if (p.unique) {
        std::fill_n(paths, n, std::uint8_t{0});
        paths[src] = 1;
        for (std::uint32_t dd = 1; dd <= depth; ++dd)
          for (std::uint64_t b = layer[dd - 1]; b; b &= b - 1) {
            const auto u = static_cast<std::uint32_t>(std::countr_zero(b));
            for (std::uint64_t c = rows[u] & layer[dd]; c; c &= c - 1) {
              auto& cnt = paths[std::countr_zero(c)];
              cnt = static_cast<std::uint8_t>(std::min(2, cnt + paths[u]));
            }
          }
        for (std::uint64_t b = eligible; b; b &= b - 1) {
          const auto v = static_cast<std::uint32_t>(std::countr_zero(b));
          if (paths[v] != 1)
            eligible &= ~(std::uint64_t{1} << v);
        }
      }
      const auto count = static_cast<std::uint64_t>(detail::popcount64(eligible));
      if (count == 0) {
        ++fails_[f_unique];
        continue;
      }
      s = src;
      t = select_bit(&eligible, rng.below(count));
      for (dist = p.dist_min; !((layer[dist] >> t) & 1u);)
        ++dist;
      break;
    }
    if (s == no_node)
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
    if (p.min_degree > 0 &&
        std::any_of(deg_.begin(), deg_.end(), [&](std::uint32_t d) { return d < p.min_degree; })) {
      ++fails_[f_mindeg];
      continue;
    }
    if (p.max_degree != FamilyParams::unbounded &&
        std::any_of(deg_.begin(), deg_.end(), [&](std::uint32_t d) { return d > p.max_degree; })) {
      ++fails_[f_maxdeg];
      continue;
    }
    if (p.directed)
      build_out_rows();

    // Query.
    std::uint32_t s = no_node, t = no_node, dist = 0;
    if (p.topology == Topology::pathstar) {
      s = 0;
      t = 1 + static_cast<std::uint32_t>(rng.below(p.degree)) * p.length + (p.length - 1);
      dist = p.length;
    } else {
      const std::uint32_t W = words_;
      const std::uint32_t depth_cap = std::min(p.dist_max, n_);
      for (std::uint32_t tries = 0; tries < n_; ++tries) {
        const auto src = static_cast<std::uint32_t>(rng.below(n_));
        const std::uint32_t depth = bfs(src, depth_cap);
        longest_ = std::max(longest_, depth);
        if (depth < p.dist_min) {
          ++fails_[f_dist];
          continue;
        }
        std::fill(eligible_.begin(), eligible_.end(), 0);
        for (std::uint32_t d = p.dist_min; d <= depth; ++d)
          for (std::uint32_t x = 0; x < W; ++x)
            eligible_[x] |= layers_[std::size_t{d} * W + x];
        if (p.unique) {
          count_paths(depth);
          for (std::uint32_t x = 0; x < W; ++x)
            for (std::uint64_t b = eligible_[x]; b; b &= b - 1) {
              const auto v = x * 64 + static_cast<std::uint32_t>(std::countr_zero(b));
              if (paths_[v] != 1)
                eligible_[x] &= ~(std::uint64_t{1} << (v % 64));
            }
        }
        std::uint64_t count = 0;
        for (std::uint32_t x = 0; x < W; ++x)
          count += static_cast<std::uint64_t>(detail::popcount64(eligible_[x]));
        if (count == 0) {
          ++fails_[f_unique];
          continue;
        }
        s = src;
        t = select_bit(eligible_.data(), rng.below(count));
        for (dist = p.dist_min; !((layers_[std::size_t{dist} * W + t / 64] >> (t % 64)) & 1u);)
          ++dist;
        break;
      }
      if (s == no_node)
        continue;
    }

    emit(rng, out, s, t, dist, structured);
    return std::nullopt;
  }
  return failure();
}

} // namespace searchtrace
