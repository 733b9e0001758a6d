// Helpers shared by the core tests: parse a prompt the test expects to be valid, trace it and
// render the completion, and name every combination of search options.
#pragma once

#include <searchtrace/family.hpp>
#include <searchtrace/prompt.hpp>
#include <searchtrace/render.hpp>
#include <searchtrace/search.hpp>
#include <searchtrace/tracer.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace searchtrace_test {

/// The seed's BFS trace, built by hand through Trace's own interface (not by a tracer), so tests
/// of the parser and of Trace itself do not depend on the search core.
inline searchtrace::Trace seed_bfs_trace() {
  searchtrace::Trace t;
  t.begin_expansion(0);
  t.list_node(1);
  t.list_node(2);
  t.begin_expansion(1);
  t.list_node(2);
  t.list_node(3);
  t.begin_expansion(2);
  t.list_node(4);
  t.backtrack = {4, 2, 0};
  t.path = {0, 2, 4};
  return t;
}

/// A family the test expects to be valid: a rejection fails the test with the parser's message.
inline searchtrace::Family family(const std::string& spec) {
  auto f = searchtrace::parse_family(spec);
  if (!f.ok())
    FAIL("spec rejected: " << spec << " : offset " << f.error().offset << ": "
                           << f.error().message);
  return f.value();
}

/// A prompt the test expects to be valid: a rejection fails the test with the parser's message.
inline searchtrace::Prompt prompt(std::string_view text, bool directed = false) {
  auto r = searchtrace::parse_prompt(text, searchtrace::PromptOptions{directed});
  if (!r.ok())
    FAIL("prompt rejected: " << std::string(text) << " : " << r.error().message);
  return std::move(r).value();
}

/// The compact completion of a search on a prompt, or "unreachable".
inline std::string completion(std::string_view text, const searchtrace::SearchOptions& o = {},
                              bool directed = false) {
  const searchtrace::Prompt p = prompt(text, directed);
  const auto t = searchtrace::trace(p, o);
  return t.ok() ? searchtrace::render_completion(*t) : std::string("unreachable");
}

inline searchtrace::SearchOptions options(searchtrace::Algorithm a, searchtrace::NeighborOrder n,
                                          searchtrace::Listing l, searchtrace::StopRule s) {
  searchtrace::SearchOptions o;
  o.algorithm = a;
  o.order = n;
  o.listing = l;
  o.stop = s;
  return o;
}

/// All 16 combinations of algorithm and policies.
inline std::vector<searchtrace::SearchOptions> all_options() {
  using namespace searchtrace;
  std::vector<SearchOptions> out;
  for (const Algorithm a : {Algorithm::bfs, Algorithm::dfs})
    for (const NeighborOrder n : {NeighborOrder::ascending, NeighborOrder::prompt})
      for (const Listing l : {Listing::unexpanded, Listing::undiscovered})
        for (const StopRule s : {StopRule::on_list, StopRule::on_pop})
          out.push_back(options(a, n, l, s));
  return out;
}

inline std::string option_name(const searchtrace::SearchOptions& o) {
  using namespace searchtrace;
  std::string s(algorithm_name(o.algorithm));
  s += o.order == NeighborOrder::ascending ? " ascending" : " prompt-order";
  s += o.listing == Listing::unexpanded ? " unexpanded" : " undiscovered";
  s += o.stop == StopRule::on_list ? " on_list" : " on_pop";
  return s;
}

} // namespace searchtrace_test
