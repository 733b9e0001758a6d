// What one search did, by node, ready to be drawn: the reference search of a prompt, or a model's
// completion replayed by the classifier (the state its own text implies, search.hpp's events)
// with each of its errors placed on the node, edge or path it is about. draw.hpp (Mermaid, DOT),
// svg.hpp and page.hpp draw from a SearchPicture; nothing here writes markup.
//
//   prompt (+ completion) → search or Classifier::replay → events → PictureRecorder → SearchPicture
//
// Where an error is drawn (`PictureMark::target`), from the position the verdict gives it:
//   node   an expansion's node (wrong_start, not_in_frontier, frontier_order, reexpanded,
//          missed_target, unknown_node), a backtrack node (traceback_start, traceback_end past
//          the source, unknown_node), a path node that is no node of the graph (unknown_node)
//   edge   a listed node, as the edge from the expanded node to it (non_edge, listed_expanded,
//          duplicate_neighbor, neighbor_order, unknown_node), a missing_neighbor (the edge that
//          should have been listed), a traceback_parent step (from the node to the wrong parent)
//   path   an answer error (answer_mismatch, answer_invalid, answer_not_shortest)
//   text   everything else (syntax, truncated, early_stop, traceback_end at '>'): the caption
// A number of the completion that is no node of the graph is a phantom: id node_count + k, its
// number in `phantom_labels[k]`.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "searchtrace/classify.hpp"
#include "searchtrace/completion.hpp"
#include "searchtrace/graph.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/verdict.hpp"

namespace searchtrace {

/// Where an error is drawn.
enum class MarkTarget : std::uint8_t { text, node, edge, path };

/// One error of a completion, placed on the picture.
struct PictureMark {
  Deviation error;
  MarkTarget target = MarkTarget::text;
  NodeId u = no_node; // the node (target node), or the edge's first end (target edge)
  NodeId v = no_node; // the edge's second end
};

/// A listing: expansion `expansion` (0-based) of node u listed v.
struct PictureListing {
  NodeId u = no_node;
  NodeId v = no_node;
  std::size_t expansion = 0;
};

struct SearchPicture {
  std::size_t node_count = 0;
  std::vector<Label> phantom_labels; // the number of phantom node_count + k
  std::vector<NodeId> expansions;    // each expansion's node, in order (repeats, phantoms too)
  /// Per node: 0 if never expanded, else the 1-based index of its first expansion.
  std::vector<std::uint32_t> first_expansion;
  std::vector<NodeId> parent;          // per node at the end: no_node, a node or a phantom
  std::vector<NodeId> frontier;        // at the end, in the order the discipline would expand them
  std::vector<PictureListing> listed;  // every listing, in order
  std::vector<PictureListing> missing; // nodes a list left out (what the listing policy required)
  std::vector<NodeId> backtrack;       // as written (target first)
  std::vector<NodeId> path;            // the answer path, source first
  bool found = false;  // the search reached the target (reference) / the text has a whole path
  bool judged = false; // a completion was replayed: `verdict` and `marks` are about it
  Verdict verdict;
  std::vector<PictureMark> marks; // the verdict's errors in reading order, placed

  bool is_phantom(NodeId v) const noexcept { return v != no_node && v >= node_count; }
  /// The label of a node or a phantom, given the graph.
  Label label(const Graph& g, NodeId v) const noexcept {
    return is_phantom(v) ? phantom_labels[v - node_count] : g.label(v);
  }
  bool expanded(NodeId v) const noexcept { return v < node_count && first_expansion[v] != 0; }
  /// 0-based position in the final frontier, or -1.
  std::ptrdiff_t frontier_rank(NodeId v) const noexcept {
    const auto it = std::find(frontier.begin(), frontier.end(), v);
    return it == frontier.end() ? -1 : it - frontier.begin();
  }
};

/// A sink of the search loop or of the classifier's replay that fills a SearchPicture.
class PictureRecorder {
public:
  explicit PictureRecorder(SearchPicture& out, std::size_t node_count) : out_(&out) {
    out.node_count = node_count;
    out.phantom_labels.clear();
    out.expansions.clear();
    out.first_expansion.assign(node_count, 0);
    out.parent.assign(node_count, no_node);
    out.frontier.clear();
    out.listed.clear();
    out.missing.clear();
    out.backtrack.clear();
    out.path.clear();
    out.found = false;
  }

  template <class State>
  void on_start(const State& st) {
    snapshot(st);
  }
  template <class State>
  void on_expand(const State& st, NodeId u) {
    note(st, u);
    out_->expansions.push_back(u);
    listed_now_.clear();
    required_.clear();
    if (!st.is_phantom(u)) {
      if (out_->first_expansion[u] == 0)
        out_->first_expansion[u] = static_cast<std::uint32_t>(out_->expansions.size());
      // What the listing policy requires of u now (u is expanded: the state the classifier
      // judges the list against).
      st.for_each_reference_listing(u, [&](NodeId v) { required_.push_back(v); });
    }
    snapshot(st);
  }
  template <class State>
  void on_list(const State& st, NodeId u, NodeId v) {
    note(st, v);
    out_->listed.push_back({u, v, out_->expansions.size() - 1});
    listed_now_.push_back(v);
    if (!st.is_phantom(v))
      out_->parent[v] = st.parent(v);
    snapshot(st);
  }
  template <class State>
  void on_close(const State& st, NodeId u) {
    for (const NodeId v : required_)
      if (std::find(listed_now_.begin(), listed_now_.end(), v) == listed_now_.end())
        out_->missing.push_back({u, v, out_->expansions.size() - 1});
    snapshot(st);
  }
  template <class State>
  void on_stop(const State& st) {
    snapshot(st);
  }
  template <class State>
  void on_backtrack(const State& st, NodeId v) {
    note(st, v);
    out_->backtrack.push_back(v);
  }
  template <class State>
  void on_path(const State& st, NodeId v) {
    note(st, v);
    out_->path.push_back(v);
  }

private:
  // Remembers a phantom's number.
  template <class State>
  void note(const State& st, NodeId v) {
    if (!st.is_phantom(v))
      return;
    const std::size_t k = v - out_->node_count;
    if (out_->phantom_labels.size() <= k)
      out_->phantom_labels.resize(k + 1, 0);
    out_->phantom_labels[k] = st.label(v);
  }
  template <class State>
  void snapshot(const State& st) {
    out_->frontier.clear();
    st.for_each_in_frontier([&](NodeId v) { out_->frontier.push_back(v); });
  }

  SearchPicture* out_;
  std::vector<NodeId> listed_now_, required_;
};

namespace detail {

// The index of `offset` in an ascending list of positions, or -1.
inline std::ptrdiff_t position_index(const std::vector<std::size_t>& at, std::size_t offset) {
  const auto it = std::lower_bound(at.begin(), at.end(), offset);
  return it != at.end() && *it == offset ? it - at.begin() : -1;
}

// Places the verdict's errors on the picture, by the positions of the parse they are about.
inline void place_marks(SearchPicture& pic, const ParsedCompletion& pc) {
  pic.marks.clear();
  std::vector<std::size_t> missing_used; // per expansion: missing_neighbor marks placed so far
  for (const Deviation& d : pic.verdict.errors) {
    PictureMark m;
    m.error = d;
    const ErrorKind k = d.kind;
    const bool format = k == ErrorKind::syntax || k == ErrorKind::truncated;
    if (!format) {
      if (const auto i = position_index(pc.expanded_at, d.offset);
          i >= 0 && static_cast<std::size_t>(i) < pic.expansions.size()) {
        m.target = MarkTarget::node;
        m.u = pic.expansions[static_cast<std::size_t>(i)];
      } else if (const auto j = position_index(pc.listed_at, d.offset);
                 j >= 0 && static_cast<std::size_t>(j) < pic.listed.size()) {
        m.target = MarkTarget::edge;
        m.u = pic.listed[static_cast<std::size_t>(j)].u;
        m.v = pic.listed[static_cast<std::size_t>(j)].v;
      } else if (k == ErrorKind::missing_neighbor) {
        const auto e = position_index(pc.list_close_at, d.offset);
        if (e >= 0) {
          const auto ex = static_cast<std::size_t>(e);
          if (missing_used.size() <= ex)
            missing_used.resize(ex + 1, 0);
          std::size_t seen = 0;
          for (const PictureListing& l : pic.missing) {
            if (l.expansion != ex)
              continue;
            if (seen++ == missing_used[ex]) {
              m.target = MarkTarget::edge;
              m.u = l.u;
              m.v = l.v;
              ++missing_used[ex];
              break;
            }
          }
        }
      } else if (const auto b = position_index(pc.backtrack_at, d.offset);
                 b >= 0 && static_cast<std::size_t>(b) < pic.backtrack.size()) {
        const auto bi = static_cast<std::size_t>(b);
        if (k == ErrorKind::traceback_parent && bi > 0) {
          m.target = MarkTarget::edge;
          m.u = pic.backtrack[bi - 1];
          m.v = pic.backtrack[bi];
        } else {
          m.target = MarkTarget::node;
          m.u = pic.backtrack[bi];
        }
      } else if (k == ErrorKind::answer_mismatch || k == ErrorKind::answer_invalid ||
                 k == ErrorKind::answer_not_shortest) {
        m.target = MarkTarget::path;
      } else if (const auto q = position_index(pc.path_at, d.offset);
                 q >= 0 && static_cast<std::size_t>(q) < pic.path.size()) {
        m.target = MarkTarget::node;
        m.u = pic.path[static_cast<std::size_t>(q)];
      }
    }
    pic.marks.push_back(std::move(m));
  }
}

} // namespace detail

/// The reference search of `p` under `o`, as a picture (judged = false). When the target cannot
/// be reached, `found` is false and the picture shows the whole exploration.
inline SearchPicture picture_search(const Prompt& p, const SearchOptions& o = {}) {
  SearchPicture pic;
  PictureRecorder rec(pic, p.graph.node_count());
  SearchScratch scratch;
  pic.found = search(scratch, p.graph, p.query, o, rec) == SearchStatus::found;
  return pic;
}

/// A completion text replayed against `p` under `o`: the state it implies, its verdict, and its
/// errors placed (judged = true). `found` says whether the text has a complete path.
inline SearchPicture picture_completion(const Prompt& p, std::string_view completion,
                                        const SearchOptions& o, Classifier& classifier) {
  SearchPicture pic;
  PictureRecorder rec(pic, p.graph.node_count());
  const ParsedCompletion pc = parse_completion(completion);
  pic.verdict = classifier.replay(p, pc, o, rec);
  pic.judged = true;
  pic.found = pc.complete && !pc.error;
  detail::place_marks(pic, pc);
  return pic;
}

inline SearchPicture picture_completion(const Prompt& p, std::string_view completion,
                                        const SearchOptions& o = {}) {
  Classifier c;
  return picture_completion(p, completion, o, c);
}

} // namespace searchtrace
