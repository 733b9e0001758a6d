// Opt-in (CMake target searchtrace::eigen, the only one that links Eigen): the implicit state of
// one sample as Eigen matrices, for probing a model's hidden states token by token. Rows are
// the sample's tokens in a vocabulary (`ids`), columns are node labels 0..L-1 (what the model
// sees); labels.hpp makes the rows, docs/state.md documents each field.
//
//   const SampleState s = sample_state(prompt, options, Vocabulary::numeral());
//   s.in_frontier(t, v)   1 when label v waits in the frontier after token t
//   s.frontier_rank(t, v) its place there (0 = expanded next), -1 when absent
//   s.next_tokens(t, i)   1 for the id a correct continuation writes after token t
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "searchtrace/classify.hpp"
#include "searchtrace/completion.hpp"
#include "searchtrace/labels.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/tracer.hpp"
#include "searchtrace/vocabulary.hpp"

namespace searchtrace {

template <class T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using Column = Eigen::Matrix<T, Eigen::Dynamic, 1>;

/// The implicit state of one sample, token by token.
struct SampleState {
  std::vector<TokenId> ids;         // the tokens the rows belong to, in the vocabulary
  std::size_t completion_start = 0; // the row of '<'
  Label label_space = 0;            // the columns

  // Per token (rows) and node label (columns).
  RowMatrix<std::int8_t> in_frontier, expanded, discovered;
  RowMatrix<std::int16_t> frontier_rank; // 0 = expanded next, -1 = not in the frontier
  RowMatrix<std::int32_t> parent;        // the parent's label, -1 = none
  // Per token.
  Column<std::int8_t> phase;           // Phase
  Column<std::int32_t> current;        // the label being expanded, -1 = none
  RowMatrix<std::uint8_t> next_tokens; // rows × vocabulary: the id a correct continuation
                                       // writes next (none after the last token, or after a
                                       // model's first deviation)
  // Per sample, by label.
  RowMatrix<std::int8_t> adjacency;          // L × L: (u, v) = 1 for an edge (arc u→v)
  Column<std::int16_t> distance_from_source; // shortest-path distance, -1 = no such node or
  Column<std::int16_t> distance_to_target;   // unreachable (arcs followed forwards / backwards)
};

namespace detail {

inline void fill_state(SampleState& s, const StateRows& rows) {
  const auto n = static_cast<Eigen::Index>(rows.rows());
  const auto L = static_cast<Eigen::Index>(rows.label_space);
  s.label_space = rows.label_space;
  s.ids.assign(rows.ids.begin(), rows.ids.end());
  s.in_frontier = Eigen::Map<const RowMatrix<std::int8_t>>(rows.in_frontier.data(), n, L);
  s.expanded = Eigen::Map<const RowMatrix<std::int8_t>>(rows.expanded.data(), n, L);
  s.discovered = Eigen::Map<const RowMatrix<std::int8_t>>(rows.discovered.data(), n, L);
  s.frontier_rank = Eigen::Map<const RowMatrix<std::int16_t>>(rows.frontier_rank.data(), n, L);
  s.parent = Eigen::Map<const RowMatrix<std::int32_t>>(rows.parent.data(), n, L);
  s.phase = Eigen::Map<const Column<std::int8_t>>(rows.phase.data(), n);
  s.current = Eigen::Map<const Column<std::int32_t>>(rows.current.data(), n);
  s.completion_start = 0;
  while (s.completion_start < rows.rows() &&
         rows.phase[s.completion_start] == static_cast<std::int8_t>(Phase::prompt))
    ++s.completion_start;
}

// Breadth-first distances from `from` along out-arcs (forwards) or in-arcs, by label.
inline Column<std::int16_t> distances(const Graph& g, NodeId from, bool forwards, Label L) {
  Column<std::int16_t> d = Column<std::int16_t>::Constant(static_cast<Eigen::Index>(L), -1);
  std::vector<int> dist(g.node_count(), -1);
  std::vector<NodeId> queue{from};
  dist[from] = 0;
  for (std::size_t i = 0; i < queue.size(); ++i) {
    const NodeId u = queue[i];
    for (NodeId v = 0; v < g.node_count(); ++v)
      if (dist[v] < 0 && (forwards ? g.adjacent(u, v) : g.adjacent(v, u))) {
        dist[v] = dist[u] + 1;
        queue.push_back(v);
      }
  }
  for (NodeId v = 0; v < g.node_count(); ++v)
    d(static_cast<Eigen::Index>(g.label(v))) = static_cast<std::int16_t>(dist[v]);
  return d;
}

inline void fill_graph(SampleState& s, const Prompt& p) {
  const auto L = static_cast<Eigen::Index>(s.label_space);
  const Graph& g = p.graph;
  s.adjacency = RowMatrix<std::int8_t>::Zero(L, L);
  for (const Edge e : g.edges()) {
    s.adjacency(g.label(e.u), g.label(e.v)) = 1;
    if (!g.directed())
      s.adjacency(g.label(e.v), g.label(e.u)) = 1;
  }
  s.distance_from_source = distances(g, p.query.source, true, s.label_space);
  s.distance_to_target = distances(g, p.query.target, false, s.label_space);
}

// One-hot rows of the id a correct continuation writes next: the reference's next id while the
// rows so far are the reference's, nothing after.
inline void fill_next(SampleState& s, const std::vector<std::int32_t>& reference,
                      std::size_t vocabulary_size) {
  const auto n = static_cast<Eigen::Index>(s.ids.size());
  s.next_tokens = RowMatrix<std::uint8_t>::Zero(n, static_cast<Eigen::Index>(vocabulary_size));
  for (std::size_t k = 0; k < s.ids.size() && k < reference.size(); ++k) {
    if (static_cast<std::int32_t>(s.ids[k]) != reference[k])
      break;
    if (k + 1 < reference.size())
      s.next_tokens(static_cast<Eigen::Index>(k), reference[k + 1]) = 1;
  }
}

inline Label label_space_for(const Prompt& p, const Vocabulary& v) {
  if (!p.graph.labels().empty() && p.graph.labels().back() >= v.label_space())
    throw std::out_of_range("searchtrace: a label of the prompt is beyond the vocabulary's label "
                            "space " +
                            std::to_string(v.label_space()));
  return v.label_space();
}

} // namespace detail

/// The state of a sample (its prompt and its reference completion under `o`), token by token in
/// the vocabulary `v` (columns: its label space). Throws std::invalid_argument when the target
/// cannot be reached (there is no sample) and std::out_of_range for a label beyond `v`'s.
inline SampleState sample_state(const Prompt& p, const SearchOptions& o, const Vocabulary& v) {
  StateRows rows;
  rows.label_space = detail::label_space_for(p, v);
  rows.layout = StateLayout::dense;
  SearchScratch scratch;
  if (label_sample(rows, scratch, p, o, &v, true) != SearchStatus::found)
    throw std::invalid_argument("searchtrace: the target cannot be reached: no sample");
  SampleState s;
  detail::fill_state(s, rows);
  detail::fill_graph(s, p);
  detail::fill_next(s, rows.ids, v.size());
  return s;
}

/// The state a model's completion implies (the classifier's replay), token by token after its
/// prompt's, up to its first syntax error; `next_tokens` follows the reference while the
/// completion does, and is empty from its first deviation on. The verdict goes to `verdict`
/// when given.
inline SampleState completion_state(const Prompt& p, std::string_view completion,
                                    const SearchOptions& o, const Vocabulary& v,
                                    Verdict* verdict = nullptr) {
  StateRows rows;
  rows.label_space = detail::label_space_for(p, v);
  rows.layout = StateLayout::dense;
  Classifier classifier;
  const Verdict& judged = label_completion(rows, classifier, p, completion, o, &v, true);
  if (verdict != nullptr)
    *verdict = judged;
  SampleState s;
  detail::fill_state(s, rows);
  detail::fill_graph(s, p);
  // The reference's ids, to say where the completion still follows it.
  StateRows reference;
  reference.label_space = rows.label_space;
  reference.layout = StateLayout::dense;
  SearchScratch scratch;
  if (label_sample(reference, scratch, p, o, &v, true) == SearchStatus::found)
    detail::fill_next(s, reference.ids, v.size());
  else
    s.next_tokens = RowMatrix<std::uint8_t>::Zero(static_cast<Eigen::Index>(s.ids.size()),
                                                  static_cast<Eigen::Index>(v.size()));
  return s;
}

} // namespace searchtrace
