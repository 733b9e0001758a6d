// The parser of family specs (family.hpp documents the syntax): keys, values, defaults,
// validation against what a topology can produce, and the canonical spec.
//
//   spec text → SpecParser (parse, validate, canonical) → Family
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "searchtrace/detail/utf8.hpp"
#include "searchtrace/family.hpp"

namespace searchtrace::detail {

inline constexpr std::size_t spec_key_count = 20;

inline constexpr std::array<std::string_view, spec_key_count> spec_key_names{
    "n",      "m",        "avgdeg",    "p",     "w",       "h",      "holes",
    "degree", "length",   "layers",    "width", "dist",    "unique", "mindeg",
    "maxdeg", "directed", "connected", "L",     "shuffle", "flip"};

// A key's index in spec_key_names, and the bits of a space-separated list of keys: a name that
// is no key does not compile.
consteval std::size_t key(std::string_view name) {
  const auto it = std::find(spec_key_names.begin(), spec_key_names.end(), name);
  if (it == spec_key_names.end())
    throw "not a spec key";
  return static_cast<std::size_t>(it - spec_key_names.begin());
}

consteval std::uint32_t keys(std::string_view names) {
  std::uint32_t bits = 0;
  for (std::size_t end = 0; !names.empty(); names.remove_prefix(std::min(end + 1, names.size()))) {
    end = std::min(names.find(' '), names.size());
    bits |= std::uint32_t{1} << key(names.substr(0, end));
  }
  return bits;
}

inline constexpr std::uint32_t common_keys =
    keys("dist unique mindeg maxdeg directed L shuffle flip");

/// The keys each topology takes (besides the common ones).
constexpr std::uint32_t topology_keys(Topology t) noexcept {
  switch (t) {
  case Topology::connected:
    return keys("n m avgdeg");
  case Topology::er:
    return keys("n p connected");
  case Topology::tree:
    return keys("n");
  case Topology::grid:
    return keys("w h holes connected");
  case Topology::pathstar:
    return keys("degree length");
  case Topology::dag:
    return keys("layers width p connected");
  }
  return 0;
}

constexpr std::uint32_t required_keys(Topology t) noexcept {
  switch (t) {
  case Topology::connected:
  case Topology::tree:
    return keys("n");
  case Topology::er:
    return keys("n p");
  case Topology::grid:
    return keys("w h");
  case Topology::pathstar:
    return keys("degree length");
  case Topology::dag:
    return keys("layers width");
  }
  return 0;
}

inline std::string key_list(std::uint32_t bits) {
  std::string s;
  for (std::size_t k = 0; k < spec_key_count; ++k) {
    if ((bits >> k & 1u) == 0)
      continue;
    if (!s.empty())
      s += ", ";
    s += spec_key_names[k];
  }
  return s;
}

// The shortest decimal that reads back as x, never in exponent form: a canonical spec must
// parse again, and the spec grammar's numbers have no exponent (1e-05 was written as such).
inline std::string format_double(double x) {
  char buf[400]; // DBL_MAX has 309 digits
  const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

// A number as a message shows it: shortest form, exponent allowed, so that a value out of range
// (p=1e308 spelt in 309 digits) does not make the message a screenful.
inline std::string format_double_brief(double x) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general);
  return std::string(buf, r.ptr);
}

// Where the integer and boolean keys' values go; dist, avgdeg and p are read apart.
inline constexpr std::pair<std::string_view, std::uint32_t FamilyParams::*> uint_fields[] = {
    {"n", &FamilyParams::n},
    {"m", &FamilyParams::m},
    {"w", &FamilyParams::w},
    {"h", &FamilyParams::h},
    {"holes", &FamilyParams::holes},
    {"degree", &FamilyParams::degree},
    {"length", &FamilyParams::length},
    {"layers", &FamilyParams::layers},
    {"width", &FamilyParams::width},
    {"mindeg", &FamilyParams::min_degree},
    {"maxdeg", &FamilyParams::max_degree},
    {"L", &FamilyParams::label_space}};
inline constexpr std::pair<std::string_view, bool FamilyParams::*> bool_fields[] = {
    {"unique", &FamilyParams::unique},
    {"directed", &FamilyParams::directed},
    {"connected", &FamilyParams::connected},
    {"shuffle", &FamilyParams::shuffle},
    {"flip", &FamilyParams::flip}};

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

  // A part of the spec as a message quotes it: at most 32 bytes, a byte that is not printable
  // ASCII as \xNN (a message is one printable line whatever the spec holds).
  static std::string quoted(std::string_view v) {
    std::string out;
    for (const char c : v.substr(0, 32)) {
      const auto b = static_cast<unsigned char>(c);
      if (b >= 0x20 && b < 0x7F)
        out += c;
      else
        append_hex_byte(out, b);
    }
    return out;
  }

  static FamilyError bad_value(std::size_t at, std::string_view v, std::string_view key,
                               std::string_view expected) {
    return FamilyError{FamilyErrorKind::bad_value, at,
                       "bad value '" + quoted(v) + "' for " + std::string(key) + ": expected " +
                           std::string(expected)};
  }
  // `form`: how the message spells a range, "a..b" or "G<n>_<a>_<b>".
  static std::optional<FamilyError> check_dist(std::uint32_t lo, std::uint32_t hi, std::size_t at,
                                               std::string_view form) {
    if (lo == 0)
      return FamilyError{FamilyErrorKind::bad_value, at,
                         "dist must be at least 1 (the query's source and target differ)"};
    if (lo > hi)
      return FamilyError{FamilyErrorKind::bad_value, at,
                         "dist range " + std::to_string(lo) + ".." + std::to_string(hi) +
                             " is reversed (expected " + std::string(form) + " with a <= b)"};
    return std::nullopt;
  }

  std::optional<FamilyError> read_uint(std::string_view v, std::size_t at, std::string_view key,
                                       std::uint32_t& out) const {
    std::uint64_t x = 0;
    if (v.empty() || !std::all_of(v.begin(), v.end(), is_digit))
      return bad_value(at, v, key, "a non-negative integer");
    for (const char c : v) {
      x = x * 10 + static_cast<std::uint64_t>(c - '0');
      if (x > 0xFFFFFFFEu)
        return FamilyError{FamilyErrorKind::bad_value, at,
                           "value " + std::string(quoted(v)) + " for " + std::string(key) +
                               " is too large"};
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
    const auto read = [&] {
      const auto r = std::from_chars(v.data(), v.data() + v.size(), out);
      return r.ec == std::errc() && r.ptr == v.data() + v.size();
    };
    if (!plain || !read())
      return bad_value(at, v, key, "a decimal number such as 0.15");
    return std::nullopt;
  }

  std::optional<FamilyError> read_bool(std::string_view v, std::size_t at, std::string_view key,
                                       bool& out) const {
    if (v != "true" && v != "1" && v != "false" && v != "0")
      return bad_value(at, v, key, "true or false");
    out = v == "true" || v == "1";
    return std::nullopt;
  }

  std::optional<FamilyError> read_range(std::string_view v, std::size_t at, std::uint32_t& lo,
                                        std::uint32_t& hi) const {
    const std::size_t dots = v.find("..");
    if (dots == std::string_view::npos) {
      if (auto e = read_uint(v, at, "dist", lo))
        return e;
      hi = lo;
    } else if (read_uint(v.substr(0, dots), at, "dist", lo) ||
               read_uint(v.substr(dots + 2), at + dots + 2, "dist", hi)) {
      return bad_value(at, v, "dist", "a..b or a, with integers a <= b");
    }
    return check_dist(lo, hi, at, "a..b");
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
  const auto bad_name = [&] {
    return FamilyError{FamilyErrorKind::unknown_name, start + j,
                       std::string("bad family name '") + std::string(quoted(name)) +
                           "': expected G<n>_<a>_<b> such as G15_2_4"};
  };
  for (std::size_t part = 0; part < 3; ++part) {
    const std::size_t b = j;
    while (j < name.size() && is_digit(name[j]))
      ++j;
    if (j == b)
      return bad_name();
    if (auto e = read_uint(name.substr(b, j - b), start + b, part == 0 ? "n" : "dist", v[part]))
      return e;
    if (part < 2) {
      if (j >= name.size() || name[j] != '_')
        return bad_name();
      ++j;
    }
  }
  if (j != name.size())
    return bad_name();
  p_.topology = Topology::connected;
  p_.n = v[0];
  given_[key("n")] = {true, start + 1, start + 1};
  if (auto e = check_dist(v[1], v[2], start, "G<n>_<a>_<b>"))
    return e;
  p_.dist_min = v[1];
  p_.dist_max = v[2];
  given_[key("dist")] = {true, start, start};
  dist_at_ = start;
  shorthand_ = true;
  return std::nullopt;
}

inline std::optional<FamilyError> SpecParser::parse_param() {
  skip_ws();
  const std::size_t key_at = i_;
  while (i_ < s_.size() && (is_alpha(s_[i_]) || is_digit(s_[i_])))
    ++i_;
  const std::string_view name = s_.substr(key_at, i_ - key_at);
  if (name.empty())
    return FamilyError{FamilyErrorKind::syntax, key_at,
                       i_ < s_.size() ? "expected a key, found '" + quoted(s_.substr(i_, 1)) + "'"
                                      : std::string("the spec ends where a key should be")};
  const auto k = static_cast<std::size_t>(
      std::find(spec_key_names.begin(), spec_key_names.end(), name) - spec_key_names.begin());
  const std::uint32_t allowed = topology_keys(p_.topology) | common_keys;
  const std::string fam = shorthand_ ? "G<n>_<a>_<b>" : std::string(topology_name(p_.topology));
  const std::uint32_t shown = shorthand_ ? allowed & ~keys("n dist") : allowed;
  if (k == spec_key_count || ((allowed >> k) & 1u) == 0) {
    std::string msg = "unknown key '" + std::string(quoted(name)) + "' for " + fam;
    if (k == key("connected"))
      msg += " (its graphs are connected by construction)";
    return FamilyError{FamilyErrorKind::unknown_key, key_at,
                       msg + "; expected one of: " + key_list(shown)};
  }
  if (shorthand_ && (k == key("n") || k == key("dist")))
    return FamilyError{FamilyErrorKind::duplicate_key, key_at,
                       "key '" + std::string(name) + "' is fixed by the name G" +
                           std::to_string(p_.n) + "_" + std::to_string(p_.dist_min) + "_" +
                           std::to_string(p_.dist_max)};
  auto& g = given_[k];
  if (g.set)
    return FamilyError{FamilyErrorKind::duplicate_key, key_at,
                       "key '" + std::string(name) + "' is given twice"};
  skip_ws();
  if (i_ >= s_.size() || s_[i_] != '=')
    return FamilyError{FamilyErrorKind::syntax, i_,
                       "expected '=' after '" + std::string(name) + "'"};
  ++i_;
  skip_ws();
  const std::size_t value_at = i_;
  // A value is a run of characters that can belong to one; the grammar checks the rest.
  while (i_ < s_.size() &&
         (is_alpha(s_[i_]) || is_digit(s_[i_]) || s_[i_] == '.' || s_[i_] == '-' || s_[i_] == '+'))
    ++i_;
  const std::string_view v = s_.substr(value_at, i_ - value_at);
  if (v.empty())
    return FamilyError{FamilyErrorKind::syntax, value_at,
                       "missing value for '" + std::string(name) + "'"};
  g = {true, key_at, value_at};
  for (const auto& [key_name, field] : uint_fields)
    if (name == key_name)
      return read_uint(v, value_at, name, p_.*field);
  for (const auto& [key_name, field] : bool_fields)
    if (name == key_name)
      return read_bool(v, value_at, name, p_.*field);
  if (k == key("dist")) {
    dist_at_ = value_at;
    return read_range(v, value_at, p_.dist_min, p_.dist_max);
  }
  return read_double(v, value_at, name, k == key("p") ? p_.p : avgdeg_);
}

inline Result<Family, FamilyError> SpecParser::parse() {
  skip_ws();
  name_at_ = i_;
  while (i_ < s_.size() && (is_alpha(s_[i_]) || is_digit(s_[i_])))
    ++i_;
  const std::string_view name = s_.substr(name_at_, i_ - name_at_);
  if (name.empty()) {
    if (i_ >= s_.size())
      return FamilyError{FamilyErrorKind::syntax, i_,
                         "empty family spec: expected a name such as G15_2_4 or er(n=20,p=0.15)"};
    return FamilyError{FamilyErrorKind::syntax, i_,
                       "expected a family name, found '" + quoted(s_.substr(i_, 1)) + "'"};
  }
  if (name.size() >= 2 && name[0] == 'G' && is_digit(name[1])) {
    if (auto e = parse_shorthand(name_at_, name))
      return *e;
  } else {
    std::size_t t = 0;
    while (t < 6 && topology_name(static_cast<Topology>(t)) != name)
      ++t;
    if (t == 6)
      return FamilyError{FamilyErrorKind::unknown_name, name_at_,
                         "unknown family '" + std::string(quoted(name)) +
                             "': expected G<n>_<a>_<b>, connected, er, tree, grid, pathstar "
                             "or dag"};
    p_.topology = static_cast<Topology>(t);
    if (p_.topology == Topology::dag)
      p_.directed = true;
    if (p_.topology == Topology::grid)
      p_.connected = true;
  }
  skip_ws();
  if (i_ < s_.size()) {
    if (s_[i_] != '(')
      return FamilyError{FamilyErrorKind::syntax, i_,
                         "expected '(' or the end of the spec after '" + std::string(quoted(name)) +
                             "', found '" + quoted(s_.substr(i_, 1)) + "'"};
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
          return FamilyError{FamilyErrorKind::syntax, i_, "the spec ends before ')'"};
        if (s_[i_] == ')') {
          ++i_;
          break;
        }
        if (s_[i_] != ',')
          return FamilyError{FamilyErrorKind::syntax, i_,
                             "expected ',' or ')', found '" + quoted(s_.substr(i_, 1)) + "'"};
        ++i_;
      }
    }
    skip_ws();
    if (i_ < s_.size())
      return FamilyError{FamilyErrorKind::syntax, i_,
                         "unexpected text after ')': '" + std::string(quoted(s_.substr(i_))) + "'"};
  }
  // Arcs are written in their direction, so flip means nothing there: one family, whatever
  // flip says (the canonical spec omits it).
  if (p_.directed)
    p_.flip = true;
  Family f;
  if (auto e = validate(f))
    return *e;
  return f;
}

inline std::optional<FamilyError> SpecParser::validate(Family& f) {
  auto value_at = [&](std::size_t k) { return given_[k].set ? given_[k].value_at : name_at_; };
  const std::uint32_t missing = required_keys(p_.topology) & ~[&] {
    std::uint32_t set = 0;
    for (std::size_t k = 0; k < spec_key_count; ++k)
      if (given_[k].set)
        set |= std::uint32_t{1} << k;
    return set;
  }();
  if (missing != 0)
    return FamilyError{FamilyErrorKind::missing_key, s_.size(),
                       std::string(topology_name(p_.topology)) + " needs " +
                           key_list(required_keys(p_.topology)) + "; missing " + key_list(missing)};

  if (p_.min_degree > p_.max_degree)
    return FamilyError{FamilyErrorKind::infeasible, value_at(key("mindeg")),
                       "mindeg=" + std::to_string(p_.min_degree) +
                           " is more than maxdeg=" + std::to_string(p_.max_degree)};
  const auto too_many = [&](std::size_t k, std::uint64_t nodes) -> std::optional<FamilyError> {
    if (nodes > max_family_nodes)
      return FamilyError{FamilyErrorKind::bad_value, value_at(k),
                         std::to_string(nodes) + " nodes is more than the maximum of " +
                             std::to_string(max_family_nodes)};
    return std::nullopt;
  };

  std::uint32_t nodes = 0; // exact or maximum node count
  std::uint32_t min_nodes = 0;
  std::uint64_t max_dist = 0;
  switch (p_.topology) {
  case Topology::connected:
  case Topology::er:
  case Topology::tree: {
    if (auto e = too_many(key("n"), p_.n))
      return e;
    if (p_.n < 2)
      return FamilyError{FamilyErrorKind::bad_value, value_at(key("n")),
                         "n must be at least 2 (a prompt has at least one edge)"};
    nodes = p_.n;
    min_nodes = p_.topology == Topology::er ? 2 : p_.n;
    max_dist = p_.n - 1;
    const std::uint64_t pairs = std::uint64_t{p_.n} * (p_.n - 1) / 2;
    if (p_.topology == Topology::connected) {
      if (given_[key("m")].set && given_[key("avgdeg")].set)
        return FamilyError{FamilyErrorKind::duplicate_key, given_[key("avgdeg")].key_at,
                           "give m or avgdeg, not both"};
      if (given_[key("avgdeg")].set) {
        const double m = avgdeg_ * p_.n / 2 + 0.5;
        if (!(m < 4294967295.0))
          return FamilyError{FamilyErrorKind::infeasible, value_at(key("avgdeg")),
                             "avgdeg " + format_double_brief(avgdeg_) +
                                 " is too large for n=" + std::to_string(p_.n)};
        p_.m = static_cast<std::uint32_t>(m);
      } else if (!given_[key("m")].set) {
        p_.m = static_cast<std::uint32_t>(
            std::clamp<std::uint64_t>(std::uint64_t{3} * p_.n / 2, p_.n - 1, pairs));
      }
      const std::size_t mk = given_[key("avgdeg")].set ? key("avgdeg") : key("m");
      if (p_.m < p_.n - 1)
        return FamilyError{FamilyErrorKind::infeasible, value_at(mk),
                           "m=" + std::to_string(p_.m) + " edges cannot connect " +
                               std::to_string(p_.n) + " nodes (at least " +
                               std::to_string(p_.n - 1) + " needed)"};
      if (p_.m > pairs)
        return FamilyError{FamilyErrorKind::infeasible, value_at(mk),
                           "m=" + std::to_string(p_.m) + " edges is more than the " +
                               std::to_string(pairs) + " node pairs of " + std::to_string(p_.n) +
                               " nodes"};
      if (p_.min_degree > 0 && std::uint64_t{p_.min_degree} * p_.n > std::uint64_t{2} * p_.m)
        return FamilyError{FamilyErrorKind::infeasible, value_at(key("mindeg")),
                           "mindeg=" + std::to_string(p_.min_degree) + " needs at least " +
                               std::to_string((std::uint64_t{p_.min_degree} * p_.n + 1) / 2) +
                               " edges, but m=" + std::to_string(p_.m)};
      if (p_.max_degree != FamilyParams::unbounded &&
          std::uint64_t{p_.max_degree} * p_.n < std::uint64_t{2} * p_.m)
        return FamilyError{FamilyErrorKind::infeasible, value_at(key("maxdeg")),
                           "maxdeg=" + std::to_string(p_.max_degree) + " allows at most " +
                               std::to_string(std::uint64_t{p_.max_degree} * p_.n / 2) +
                               " edges, but m=" + std::to_string(p_.m)};
    }
    if (p_.topology == Topology::er) {
      if (!(p_.p > 0.0) || p_.p > 1.0)
        return FamilyError{FamilyErrorKind::bad_value, value_at(key("p")),
                           "p must be in (0, 1], got " + format_double_brief(p_.p)};
    }
    if (p_.topology == Topology::tree) {
      if (p_.min_degree >= 2)
        return FamilyError{FamilyErrorKind::infeasible, value_at(key("mindeg")),
                           "a tree has leaves: mindeg must be at most 1"};
      if (p_.max_degree < 2 && p_.n > 2)
        return FamilyError{FamilyErrorKind::infeasible, value_at(key("maxdeg")),
                           "a tree with more than 2 nodes has a node of degree 2 or more"};
    }
    break;
  }
  case Topology::grid: {
    if (p_.w == 0 || p_.h == 0)
      return FamilyError{FamilyErrorKind::bad_value, value_at(p_.w == 0 ? key("w") : key("h")),
                         "w and h must be at least 1"};
    const std::uint64_t cells = std::uint64_t{p_.w} * p_.h;
    if (auto e = too_many(key("h"), cells))
      return e;
    if (cells < p_.holes + std::uint64_t{2})
      return FamilyError{FamilyErrorKind::infeasible, value_at(key("holes")),
                         "a " + std::to_string(p_.w) + "x" + std::to_string(p_.h) + " grid with " +
                             std::to_string(p_.holes) + " holes has fewer than 2 nodes"};
    nodes = static_cast<std::uint32_t>(cells - p_.holes);
    min_nodes = p_.connected ? nodes : 2;
    max_dist = (p_.holes == 0 && !p_.directed) ? p_.w + p_.h - 2 : nodes - 1;
    break;
  }
  case Topology::pathstar: {
    if (p_.degree == 0 || p_.length == 0)
      return FamilyError{FamilyErrorKind::bad_value,
                         value_at(p_.degree == 0 ? key("degree") : key("length")),
                         "degree and length must be at least 1"};
    const std::uint64_t total = 1 + std::uint64_t{p_.degree} * p_.length;
    if (auto e = too_many(key("length"), total))
      return e;
    nodes = min_nodes = static_cast<std::uint32_t>(total);
    max_dist = p_.length;
    if (p_.dist_min > p_.length || p_.dist_max < p_.length)
      return FamilyError{FamilyErrorKind::infeasible, dist_at_,
                         "a path-star query spans one arm (length " + std::to_string(p_.length) +
                             "), outside dist=" + std::to_string(p_.dist_min) + ".." +
                             std::to_string(p_.dist_max)};
    break;
  }
  case Topology::dag: {
    if (p_.layers < 2)
      return FamilyError{FamilyErrorKind::bad_value, value_at(key("layers")),
                         "a layered DAG needs at least 2 layers"};
    if (p_.width == 0)
      return FamilyError{FamilyErrorKind::bad_value, value_at(key("width")),
                         "width must be at least 1"};
    const std::uint64_t total = std::uint64_t{p_.layers} * p_.width;
    if (auto e = too_many(key("width"), total))
      return e;
    if (!(p_.p >= 0.0) || p_.p > 1.0)
      return FamilyError{FamilyErrorKind::bad_value, value_at(key("p")),
                         "p must be in [0, 1], got " + format_double_brief(p_.p)};
    nodes = min_nodes = static_cast<std::uint32_t>(total);
    max_dist = p_.directed ? p_.layers - 1 : nodes - 1;
    break;
  }
  }
  if (p_.label_space > max_label_space)
    return FamilyError{FamilyErrorKind::bad_value, value_at(key("L")),
                       "L=" + std::to_string(p_.label_space) + " is more than the maximum of " +
                           std::to_string(max_label_space)};
  if (p_.label_space < nodes)
    return FamilyError{FamilyErrorKind::infeasible, value_at(key("L")),
                       "L=" + std::to_string(p_.label_space) + " labels cannot name " +
                           std::to_string(nodes) +
                           " distinct nodes (give L=" + std::to_string(nodes) + " or more)"};
  if (p_.dist_min > max_dist)
    return FamilyError{FamilyErrorKind::infeasible, dist_at_ ? dist_at_ : name_at_,
                       "dist=" + std::to_string(p_.dist_min) + ".." +
                           (p_.dist_max == FamilyParams::unbounded ? std::string("")
                                                                   : std::to_string(p_.dist_max)) +
                           " cannot be met: no shortest path of this family is longer than " +
                           std::to_string(max_dist) + " (" + std::to_string(nodes) + " nodes)"};
  f.p_ = p_;
  f.min_nodes_ = min_nodes;
  f.max_nodes_ = nodes;
  f.max_distance_ = static_cast<std::uint32_t>(max_dist);
  f.spec_ = canonical();
  return std::nullopt;
}

inline std::string SpecParser::canonical() const {
  const FamilyParams d;  // defaults
  std::string out, args; // args: "k=v,k=v..."
  auto add = [&](std::string_view k, const std::string& v) {
    args += args.empty() ? "" : ",";
    args.append(k).append("=").append(v);
  };
  const bool g = p_.topology == Topology::connected && given_[key("dist")].set;
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
  if ((topology_keys(p_.topology) & keys("connected")) && p_.connected != connected_default)
    add("connected", p_.connected ? "true" : "false");
  if (p_.label_space != d.label_space)
    add("L", std::to_string(p_.label_space));
  if (!p_.shuffle)
    add("shuffle", "false");
  if (!p_.flip && !p_.directed)
    add("flip", "false");
  if (g) {
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "x" + std::string and on
    // assigning a string literal here.
    out.push_back('G');
    out += std::to_string(p_.n);
    out += '_';
    out += std::to_string(p_.dist_min);
    out += '_';
    out += std::to_string(p_.dist_max);
  } else
    out = std::string(topology_name(p_.topology));
  if (!args.empty() || !g) {
    out += '(';
    out += args;
    out += ')';
  }
  return out;
}

} // namespace searchtrace::detail
