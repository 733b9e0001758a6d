// Graph families: a spec string names a topology generator, its constraints and the query;
// `Sampler` (sampler.hpp, which says what a sample of each topology is) draws sample i of seed S
// as a pure function of (spec, S, i).
//
//   spec text → parse_family → Family (canonical spec) → Sampler → Prompt
//
// clang-format off
//
//   spec   = name [ "(" [ param { "," param } ] ")" ]        spaces allowed between tokens
//   name   = "G" n "_" a "_" b | "connected" | "er" | "tree" | "grid" | "pathstar" | "dag"
//   param  = key "=" value
//   value  = integer | decimal | integer ".." integer | "true" | "false"
//
// `G<n>_<a>_<b>` is the seed's family `connected(n=<n>, dist=<a>..<b>)`; it takes the other keys
// of `connected` in parentheses, e.g. `G15_2_4(L=100)`.
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
// | key         | default    | meaning (every family takes these)                              |
// |-------------|------------|-----------------------------------------------------------------|
// | `dist`      | 1..∞       | the query's shortest-path length, `a..b` or `a`                 |
// | `unique`    | false      | the query has exactly one shortest path                         |
// | `mindeg`    | 0          | every node has at least this degree (in + out if directed)      |
// | `maxdeg`    | ∞          | every node has at most this degree                              |
// | `directed`  | false      | arcs instead of edges (dag: true)                               |
// | `connected` | see right  | (weakly) connected: er, dag default false, grid true; the others|
// |             |            | are connected by construction                                   |
// | `L`         | 50         | labels are n distinct values drawn from 0..L-1                  |
// | `shuffle`   | true       | false: edges in ascending (u,v) label order                     |
// | `flip`      | true       | false: each undirected edge written smaller label first         |
//
// clang-format on
//
// `p` and `avgdeg` are plain decimals (no sign or exponent) read correctly rounded, so a spec
// means the same number everywhere; m = ⌊avgdeg·n/2 + 1/2⌋. At most 1024 nodes, L at most 2^20.
// A bad spec is a FamilyError at the byte of the offending key, value or name; constraints no
// graph of the family can meet are rejected here, the rest by the sampler after bounded tries.
// The canonical spec (`Family::spec()`) lists the required keys and the keys that differ from
// their defaults, in table order, in the G shorthand when it applies: `connected(n=15,
// dist=2..4)` and `G15_2_4` are one family.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "searchtrace/grammar.hpp"
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

/// What is wrong with a spec.
enum class FamilyErrorKind : std::uint8_t {
  syntax,        // the spec's own grammar: a name, '(', key '=' value, ',' or ')' expected
  unknown_name,  // not a family name (nor a well-formed G<n>_<a>_<b>)
  unknown_key,   // a key this family does not take
  duplicate_key, // a key given twice, fixed by the name, or set both ways (m and avgdeg)
  missing_key,   // a key the family requires
  bad_value,     // a value of the wrong form, or out of the key's range
  infeasible,    // constraints that no graph of the family can meet
};

constexpr std::string_view family_error_kind_name(FamilyErrorKind k) noexcept {
  constexpr std::array<std::string_view, 7> names{"syntax",        "unknown_name", "unknown_key",
                                                  "duplicate_key", "missing_key",  "bad_value",
                                                  "infeasible"};
  return names[static_cast<std::size_t>(k)];
}

/// Why a spec was rejected: a kind, the byte offset in the spec and a one-line message.
struct FamilyError {
  FamilyErrorKind kind = FamilyErrorKind::syntax;
  std::size_t offset = 0;
  std::string message;
};

inline constexpr std::uint32_t max_family_nodes = 1024;
inline constexpr Label max_label_space = Label{1} << 20;

class Family;
Result<Family, FamilyError> parse_family(std::string_view spec);
namespace detail {
class SpecParser;

/// "a..b", or "a..inf" when b is FamilyParams::unbounded.
inline std::string range_text(std::uint32_t a, std::uint32_t b) {
  return std::to_string(a) + ".." +
         (b == FamilyParams::unbounded ? std::string("inf") : std::to_string(b));
}
} // namespace detail

/// A parsed, validated family. Cheap to copy.
class Family {
public:
  /// The canonical spec: equal families have equal specs.
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

} // namespace searchtrace

#include "searchtrace/detail/family_spec.hpp"

namespace searchtrace {

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
    s = "Erdős–Rényi G(n,p): n=" + std::to_string(p.n) + ", p=" + detail::format_double_brief(p.p) +
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
        " nodes, each consecutive-layer pair with probability " + detail::format_double_brief(p.p) +
        " (every node gets a parent and a child where the layers allow)";
    break;
  }
  s += p.directed ? "; directed" : "; undirected";
  if (p.min_degree != 0 || p.max_degree != FamilyParams::unbounded)
    s += "; degree in " + detail::range_text(p.min_degree, p.max_degree);
  if (p.topology == Topology::pathstar)
    s += "; query: the centre to the end of a uniformly chosen arm";
  else {
    s += "; query: uniform source, target uniform among nodes at shortest-path distance " +
         detail::range_text(p.dist_min, p.dist_max);
    if (p.unique)
      s += " with a unique shortest path";
  }
  s += "; labels: distinct, from 0.." + std::to_string(p.label_space - 1);
  s += p.shuffle ? "; edges shuffled" : "; edges in ascending label order";
  if (!p.directed)
    s += p.flip ? ", endpoints in random order" : ", smaller label first";
  return s;
}

} // namespace searchtrace
