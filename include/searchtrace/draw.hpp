// Pictures of a search as text for external renderers: Mermaid (the seed's flowchart) and
// Graphviz DOT (the graph with the search drawn on it). The library only writes text; running
// `dot -Tsvg` is the caller's business (the `searchtrace show` tool does it when Graphviz is
// installed; svg.hpp has a small fixed layout for when it is not).
//
// Mermaid, in the seed's style (the blog post's "Scenario 1" flowchart, reproduced edge for edge
// for its prompt; tests/draw.cpp):
//
//   flowchart TD
//   %% --- Graph Structure ---
//   subgraph Graph["Graph Input: 1,3 | 2,4 | 1,2 | 0,1 | 0,2 | 3,4"]
//   0((0)) ---> 1((1))          every edge once, written smaller label first, grouped by the
//   0((0)) ===> 2((2))          smaller label (ascending), in prompt order within a group; an
//   ...                         edge of the answer path as ===>
//   end
//   %% --- Final Path Highlight ---
//
// Decisions: the two `%%` comment lines are written as the seed has them (Mermaid ignores them);
// a directed graph writes each arc u→v as given, grouped by its tail. The path drawn is the
// reference's answer, or for a judged completion the completion's own answer path; a step of it
// that is not an edge (or not an arc) of the graph is written after the path comment as
// `u((u)) -.-> v((v))`. A caption (model, family, origin, verdict) is written as `%%` comment
// lines at the end, cleaned so that no input byte can end a comment line.
//
// DOT: one `digraph` whose node ids are `n<id>` (dense ids; phantoms — numbers of a completion
// that are no node — follow the graph's nodes) and whose graph edges are `e<a>_<b>` (a < b when
// undirected, the arc a→b when directed); invented edges (a listing or an answer step along no
// edge) are `x<u>_<v>`. `DotStyle::state` draws the search's final state with a legend:
//   node fill        expanded (label "#k": k-th expansion), in the frontier at the end ("qk":
//                    k-th to be expanded), not reached (white); the source has a bold border,
//                    the target a double circle
//   edges            the parent tree black with an arrow parent → child, the answer path thick
//                    blue, other edges grey without arrows
//   errors (red)     a node with an error (wrong start, out of frontier order, re-expanded, ...)
//                    has a thick red border; an invented edge is dashed red; a listing error on
//                    an edge, or a wrong traceback step, is red with the kind as label; a missing
//                    neighbour is dashed orange; errors not about a node or an edge (syntax,
//                    truncation, early stop, ...) are listed in the caption
// `DotStyle::plain` draws the same elements (same ids) without state, colour, caption or legend:
// the layout the step-through page colours as it steps (page.hpp); elements the completion
// invents carry the class `late`.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "searchtrace/graph.hpp"
#include "searchtrace/markup.hpp"
#include "searchtrace/picture.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/render.hpp"
#include "searchtrace/verdict.hpp"

namespace searchtrace {

/// Text about the sample a picture shows, from its record: each may be empty. All of it is
/// untrusted and escaped by every writer.
struct PictureCaption {
  std::string_view model;
  std::string_view family;
  std::string_view origin;     // where the sample came from, e.g. "outputs.jsonl, line 7"
  std::string_view completion; // the completion text the picture is of, if any
};

namespace detail {

inline void append_uint(std::string& out, std::uint64_t v) {
  out += std::to_string(v);
}

// Whether the graph has the edge (the arc a→b when directed) between two real nodes.
inline bool has_edge(const Graph& g, NodeId a, NodeId b) {
  if (a >= g.node_count() || b >= g.node_count())
    return false;
  if (g.directed())
    return g.adjacent(a, b);
  return g.adjacent(a, b) || g.adjacent(b, a);
}

// The canonical key of the graph edge between a and b: (min, max) when undirected.
inline std::pair<NodeId, NodeId> edge_key(const Graph& g, NodeId a, NodeId b) {
  if (!g.directed() && b < a)
    return {b, a};
  return {a, b};
}

// The steps of a path, as (from, to).
inline std::vector<std::pair<NodeId, NodeId>> path_steps(const std::vector<NodeId>& path) {
  std::vector<std::pair<NodeId, NodeId>> steps;
  for (std::size_t i = 1; i < path.size(); ++i)
    steps.emplace_back(path[i - 1], path[i]);
  return steps;
}

// One summary line of a verdict.
inline void append_verdict_line(std::string& out, const Verdict& v) {
  if (v.valid) {
    out += "valid (exact)";
    return;
  }
  append_uint(out, v.errors.size());
  out += v.errors_capped ? "+ errors" : (v.errors.size() == 1 ? " error" : " errors");
  out += v.answer_correct ? ", answer correct" : ", answer wrong";
  if (const Deviation* d = v.first_error()) {
    out += "; first: ";
    out += error_kind_name(d->kind);
    out += " at byte ";
    append_uint(out, d->offset);
    out += " (expansion ";
    append_uint(out, d->expansion);
    out += "): ";
    out += d->message;
  }
}

} // namespace detail

// --- Mermaid ------------------------------------------------------------------------------------

/// Appends the seed's flowchart of `p` with the answer path of `pic` (see the top of this file).
inline void append_mermaid(std::string& out, const Prompt& p, const SearchPicture& pic,
                           const PictureCaption& caption = {}) {
  const Graph& g = p.graph;
  const auto node = [&](NodeId v) {
    const Label l = pic.label(g, v);
    detail::append_uint(out, l);
    out += "((";
    detail::append_uint(out, l);
    out += "))";
  };
  const auto steps = detail::path_steps(pic.path);
  std::vector<std::pair<NodeId, NodeId>> on_path; // graph edges of the path, by key
  std::vector<std::pair<NodeId, NodeId>> invented;
  for (const auto& [a, b] : steps) {
    if (detail::has_edge(g, a, b))
      on_path.push_back(detail::edge_key(g, a, b));
    else
      invented.emplace_back(a, b);
  }

  out += "flowchart TD\n%% --- Graph Structure ---\nsubgraph Graph[\"Graph Input: ";
  const auto edges = g.edges();
  for (std::size_t i = 0; i < edges.size(); ++i) {
    if (i > 0)
      out += " | ";
    detail::append_uint(out, g.label(edges[i].u));
    out += ',';
    detail::append_uint(out, g.label(edges[i].v));
  }
  out += "\"]\n";
  // Grouped by the smaller end (the tail when directed), ascending; prompt order within.
  struct Written {
    NodeId from, to;
  };
  std::vector<Written> order;
  order.reserve(edges.size());
  for (const Edge& e : edges) {
    if (g.directed() || e.u < e.v)
      order.push_back({e.u, e.v});
    else
      order.push_back({e.v, e.u});
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const Written& a, const Written& b) { return a.from < b.from; });
  for (const Written& w : order) {
    node(w.from);
    const auto key = detail::edge_key(g, w.from, w.to);
    out += std::find(on_path.begin(), on_path.end(), key) != on_path.end() ? " ===> " : " ---> ";
    node(w.to);
    out += '\n';
  }
  out += "end\n%% --- Final Path Highlight ---\n";
  for (const auto& [a, b] : invented) {
    node(a);
    out += " -.-> ";
    node(b);
    out += '\n';
  }
  const auto comment = [&](std::string_view name, std::string_view value) {
    if (value.empty())
      return;
    out += "%% ";
    out += name;
    out += ": ";
    append_mermaid_comment(out, value);
    out += '\n';
  };
  comment("model", caption.model);
  comment("family", caption.family);
  comment("origin", caption.origin);
  if (pic.judged) {
    std::string line;
    detail::append_verdict_line(line, pic.verdict);
    comment("verdict", line);
  }
}

inline std::string to_mermaid(const Prompt& p, const SearchPicture& pic,
                              const PictureCaption& caption = {}) {
  std::string out;
  append_mermaid(out, p, pic, caption);
  return out;
}

// --- DOT ----------------------------------------------------------------------------------------

enum class DotStyle : std::uint8_t {
  state, // the final state, errors, caption and legend
  plain, // the elements and their ids only (the step-through page's layout)
};

struct DotOptions {
  DotStyle style = DotStyle::state;
  bool legend = true;              // DotStyle::state only
  std::size_t caption_width = 110; // characters per caption line before "..."
  std::size_t caption_errors = 6;  // errors listed in the caption (those not drawn first)
  std::string_view algorithm = {}; // shown in the caption, e.g. "bfs"
};

namespace detail {

inline constexpr std::string_view color_expanded = "#c6dbef";
inline constexpr std::string_view color_frontier = "#fff2ae";
inline constexpr std::string_view color_path = "#1f78b4";
inline constexpr std::string_view color_error = "#e31a1c";
inline constexpr std::string_view color_missing = "#ff7f00";
inline constexpr std::string_view color_edge = "#b0b0b0";

inline void append_dot_node_id(std::string& out, NodeId v) {
  out += 'n';
  append_uint(out, v);
}

// Shortest distances from the source, ignoring direction: the orientation that makes dot lay
// the search out from the source downwards.
inline std::vector<std::size_t> undirected_distances(const Graph& g, NodeId source) {
  const std::size_t n = g.node_count();
  constexpr std::size_t far = std::numeric_limits<std::size_t>::max();
  std::vector<std::vector<NodeId>> adj(n);
  for (const Edge& e : g.edges()) {
    adj[e.u].push_back(e.v);
    adj[e.v].push_back(e.u);
  }
  std::vector<std::size_t> dist(n, far);
  std::vector<NodeId> queue{source};
  dist[source] = 0;
  for (std::size_t i = 0; i < queue.size(); ++i)
    for (const NodeId v : adj[queue[i]])
      if (dist[v] == far) {
        dist[v] = dist[queue[i]] + 1;
        queue.push_back(v);
      }
  return dist;
}

} // namespace detail

/// Appends the DOT picture of `pic` on `p` (see the top of this file).
inline void append_dot(std::string& out, const Prompt& p, const SearchPicture& pic,
                       const PictureCaption& caption = {}, const DotOptions& o = {}) {
  const Graph& g = p.graph;
  const bool state = o.style == DotStyle::state;
  const std::size_t n = g.node_count();
  const std::size_t total = n + pic.phantom_labels.size();

  // Per node: the errors placed on it; per edge key: its role.
  std::vector<std::string> node_errors(total);
  std::vector<bool> node_marked(total, false);
  struct EdgeMark {
    std::pair<NodeId, NodeId> key;
    std::string label;
    bool missing = false;
  };
  std::vector<EdgeMark> edge_marks;
  const auto mark_edge = [&](NodeId a, NodeId b, std::string_view label, bool missing) {
    const auto key = detail::edge_key(g, a, b);
    for (EdgeMark& m : edge_marks)
      if (m.key == key) {
        m.missing = m.missing && missing;
        if (m.label.find(label) == std::string::npos)
          m.label += ", " + std::string(label);
        return;
      }
    edge_marks.push_back({key, std::string(label), missing});
  };
  std::vector<const PictureMark*> caption_marks;
  for (const PictureMark& m : pic.marks) {
    const bool on_node = m.target == MarkTarget::node && m.u != no_node && m.u < total;
    if (on_node) {
      node_marked[m.u] = true;
      std::string& s = node_errors[m.u];
      if (!s.empty())
        s += "; ";
      s += error_kind_name(m.error.kind);
      s += ": ";
      s += m.error.message;
    } else if (m.target == MarkTarget::edge && detail::has_edge(g, m.u, m.v)) {
      mark_edge(m.u, m.v, error_kind_name(m.error.kind),
                m.error.kind == ErrorKind::missing_neighbor);
    } else if (m.target == MarkTarget::edge && m.error.kind == ErrorKind::non_edge) {
      // drawn as an invented edge below
    } else {
      caption_marks.push_back(&m);
    }
  }

  // Invented edges: listings along no edge, wrong traceback steps along no edge, answer steps
  // along no edge; each once.
  struct Invented {
    NodeId u, v;
    std::string label;
  };
  std::vector<Invented> invented;
  const auto invent = [&](NodeId u, NodeId v, std::string_view label) {
    for (Invented& x : invented)
      if (x.u == u && x.v == v) {
        if (x.label.find(label) == std::string::npos)
          x.label += ", " + std::string(label);
        return;
      }
    invented.push_back({u, v, std::string(label)});
  };
  for (const PictureListing& l : pic.listed)
    if (!detail::has_edge(g, l.u, l.v) && l.u != no_node && l.v != no_node && l.u != l.v)
      invent(l.u, l.v, "listed, no edge");
  const auto steps = detail::path_steps(pic.path);
  std::vector<std::pair<NodeId, NodeId>> path_keys;
  for (const auto& [a, b] : steps) {
    if (detail::has_edge(g, a, b))
      path_keys.push_back(detail::edge_key(g, a, b));
    else if (a != b)
      invent(a, b, "answer step, no edge");
  }

  out += "digraph searchtrace {\n  graph [id=\"graph\", fontname=\"Helvetica\", fontsize=11, "
         "nodesep=0.3, ranksep=0.45";
  if (state) {
    out += ", labelloc=t, labeljust=l, label=\"";
    const auto line = [&](std::string_view name, std::string_view text, bool bytes = false) {
      out += name;
      std::string clean;
      if (bytes) {
        std::string vis;
        append_visible_bytes(vis, text);
        append_clean_text_cut(clean, vis, o.caption_width);
      } else {
        append_clean_text_cut(clean, text, o.caption_width);
      }
      append_dot_escaped(out, clean);
      out += "\\l";
    };
    std::string head = "searchtrace";
    if (!o.algorithm.empty()) {
      head += " ";
      head += o.algorithm;
    }
    line("", head);
    if (!caption.model.empty())
      line("model: ", caption.model);
    if (!caption.family.empty())
      line("family: ", caption.family);
    if (!caption.origin.empty())
      line("sample: ", caption.origin);
    line("prompt: ", render_prompt(p));
    if (pic.judged) {
      line("completion: ", caption.completion, true);
      std::string verdict;
      detail::append_verdict_line(verdict, pic.verdict);
      line("verdict: ", verdict);
      std::size_t shown = 0;
      for (const PictureMark* m : caption_marks) {
        if (shown++ == o.caption_errors) {
          line("", "...");
          break;
        }
        std::string s(error_kind_name(m->error.kind));
        s += " at byte " + std::to_string(m->error.offset) + ": " + m->error.message;
        line("error: ", s);
      }
    } else {
      if (!caption.completion.empty())
        line("reference: ", caption.completion, true);
      if (!pic.found)
        line("", "the target cannot be reached from the source");
    }
    out += "\"";
  }
  out += "];\n  node [shape=circle, fontname=\"Helvetica\", fontsize=12, width=0.42, margin=0.02";
  out += state ? ", style=filled, fillcolor=\"white\", color=\"#404040\"];\n"
               : ", color=\"#404040\"];\n";
  out += "  edge [color=\"";
  out += detail::color_edge;
  out += "\", arrowsize=0.6, fontname=\"Helvetica\", fontsize=9";
  if (state) {
    out += ", fontcolor=\"";
    out += detail::color_error;
    out += "\"";
  }
  out += "];\n";

  // Nodes.
  const Query q = p.query;
  for (NodeId v = 0; v < total; ++v) {
    const bool phantom = v >= n;
    out += "  ";
    detail::append_dot_node_id(out, v);
    out += " [id=\"";
    detail::append_dot_node_id(out, v);
    out += "\", label=\"";
    detail::append_uint(out, pic.label(g, v));
    if (state && !phantom) {
      if (pic.expanded(v)) {
        out += "\\n#";
        detail::append_uint(out, pic.first_expansion[v]);
      } else if (const auto r = pic.frontier_rank(v); r >= 0) {
        out += "\\nq";
        detail::append_uint(out, static_cast<std::uint64_t>(r) + 1);
      }
    }
    out += "\"";
    if (phantom)
      out += ", shape=box, style=dashed, class=\"late phantom\"";
    if (v == q.target)
      out += ", shape=doublecircle";
    if (state) {
      if (!phantom) {
        if (pic.expanded(v)) {
          out += ", fillcolor=\"";
          out += detail::color_expanded;
          out += "\"";
        } else if (pic.frontier_rank(v) >= 0) {
          out += ", fillcolor=\"";
          out += detail::color_frontier;
          out += "\"";
        }
      }
      if (node_marked[v]) {
        out += ", color=\"";
        out += detail::color_error;
        out += "\", penwidth=3";
      } else if (v == q.source) {
        out += ", penwidth=2.5";
      }
      if (phantom) {
        out += ", color=\"";
        out += detail::color_error;
        out += "\", fontcolor=\"";
        out += detail::color_error;
        out += "\"";
      }
      out += ", tooltip=\"";
      std::string tip = phantom ? "not a node of the graph" : "node " + std::to_string(g.label(v));
      if (!node_errors[v].empty())
        tip += ": " + node_errors[v];
      std::string clean;
      append_clean_text_cut(clean, tip, 400);
      append_dot_escaped(out, clean);
      out += "\"";
    } else if (v == q.source) {
      out += ", penwidth=2.5";
    }
    out += "];\n";
  }

  // Graph edges, oriented from the source outwards so that dot ranks them that way.
  const auto dist = detail::undirected_distances(g, q.source);
  const auto edges = g.edges();
  for (const Edge& e : edges) {
    const auto key = detail::edge_key(g, e.u, e.v);
    NodeId a = e.u, b = e.v;
    if (!g.directed() && (dist[b] < dist[a] || (dist[b] == dist[a] && b < a)))
      std::swap(a, b);
    out += "  ";
    detail::append_dot_node_id(out, a);
    out += " -> ";
    detail::append_dot_node_id(out, b);
    out += " [id=\"e";
    detail::append_uint(out, key.first);
    out += '_';
    detail::append_uint(out, key.second);
    out += "\"";
    if (!state) {
      out += g.directed() ? "" : ", dir=none";
      out += "];\n";
      continue;
    }
    // The parent tree: b's parent is a, or a's parent is b.
    const bool tree_ab = b < n && pic.parent[b] == a;
    const bool tree_ba = !g.directed() && a < n && pic.parent[a] == b;
    if (tree_ab)
      out += ", dir=forward";
    else if (tree_ba)
      out += ", dir=back";
    else if (!g.directed())
      out += ", dir=none";
    const bool on_path = std::find(path_keys.begin(), path_keys.end(), key) != path_keys.end();
    const auto mark = std::find_if(edge_marks.begin(), edge_marks.end(),
                                   [&](const EdgeMark& m) { return m.key == key; });
    if (mark != edge_marks.end()) {
      out += ", color=\"";
      out += mark->missing ? detail::color_missing : detail::color_error;
      out += "\", penwidth=2.2, style=dashed, fontcolor=\"";
      out += mark->missing ? detail::color_missing : detail::color_error;
      out += "\", label=\"";
      append_dot_text(out, mark->missing ? "missing" : mark->label);
      out += "\"";
    } else if (on_path) {
      out += ", color=\"";
      out += detail::color_path;
      out += "\", penwidth=3.5";
    } else if (tree_ab || tree_ba) {
      out += ", color=\"black\", penwidth=1.6";
    }
    out += "];\n";
  }

  // Invented edges.
  for (const Invented& x : invented) {
    out += "  ";
    detail::append_dot_node_id(out, x.u);
    out += " -> ";
    detail::append_dot_node_id(out, x.v);
    out += " [id=\"x";
    detail::append_uint(out, x.u);
    out += '_';
    detail::append_uint(out, x.v);
    out += "\", class=\"late invented\", constraint=false, style=dashed";
    if (state) {
      out += ", color=\"";
      out += detail::color_error;
      out += "\", penwidth=2, label=\"";
      append_dot_text(out, x.label);
      out += "\"";
    }
    out += "];\n";
  }

  if (state && o.legend) {
    out += "  legend [shape=plaintext, style=\"\", margin=0, fontsize=10, label=<"
           "<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"3\">"
           "<TR><TD COLSPAN=\"2\"><B>legend</B></TD></TR>";
    const auto row = [&](std::string_view left, std::string_view bg, std::string_view color,
                         std::string_view text) {
      out += "<TR><TD";
      if (!bg.empty()) {
        out += " BGCOLOR=\"";
        out += bg;
        out += "\"";
      }
      out += "><FONT COLOR=\"";
      out += color.empty() ? "black" : color;
      out += "\">";
      out += left;
      out += "</FONT></TD><TD ALIGN=\"LEFT\">";
      out += text;
      out += "</TD></TR>";
    };
    row("#k", detail::color_expanded, "", "expanded (k-th expansion)");
    row("qk", detail::color_frontier, "", "in the frontier at the end (k-th next)");
    row("o", "", "", "not reached; bold border: source; double: target");
    row("--&gt;", "", "black", "parent tree (parent to child)");
    row("===", "", detail::color_path, "answer path");
    row("---", "", detail::color_edge, "other edge");
    if (pic.judged) {
      row("(o)", "", detail::color_error, "node with an error (tooltip)");
      row("- -", "", detail::color_error, "invented edge / error on an edge");
      row("- -", "", detail::color_missing, "missing neighbour");
    }
    out += "</TABLE>>];\n";
  }
  out += "}\n";
}

inline std::string to_dot(const Prompt& p, const SearchPicture& pic,
                          const PictureCaption& caption = {}, const DotOptions& o = {}) {
  std::string out;
  append_dot(out, p, pic, caption, o);
  return out;
}

// --- a fixed picture, without a layout engine
// -----------------------------------------------------

namespace detail {

inline void append_coordinate(std::string& out, double x) {
  // One decimal is plenty on screen and keeps the pictures small and reproducible.
  const long tenths = static_cast<long>(x * 10.0 + (x < 0 ? -0.5 : 0.5));
  if (tenths < 0)
    out += '-';
  const unsigned long a = static_cast<unsigned long>(tenths < 0 ? -tenths : tenths);
  out += std::to_string(a / 10);
  if (a % 10 != 0) {
    out += '.';
    out += static_cast<char>('0' + a % 10);
  }
}

} // namespace detail

/// Appends an SVG picture of the graph of `p` with the elements of `pic` on a fixed circular
/// layout: the graph's nodes evenly on a circle in order of distance from the source (the source
/// at the top), the completion's phantoms on an outer ring, straight edges (arrows for arcs). It
/// has the ids and classes of `DotStyle::plain` as Graphviz renders it (`g.node`, `g.edge`,
/// `late`), so the step-through page colours either; it is what the page shows where Graphviz
/// is not installed. Meant for the small graphs of the seed's families: no crossing is avoided.
inline void append_circle_svg(std::string& out, const Prompt& p, const SearchPicture& pic) {
  const Graph& g = p.graph;
  const std::size_t n = g.node_count();
  const std::size_t phantoms = pic.phantom_labels.size();
  constexpr double pi = 3.14159265358979323846;
  const double r = std::max(80.0, 7.5 * static_cast<double>(n));
  const double outer = r + 55.0;
  const double margin = 30.0;
  const double half = (phantoms > 0 ? outer : r) + margin;
  std::vector<double> x(n + phantoms), y(n + phantoms), rx(n + phantoms);
  const auto dist = detail::undirected_distances(g, p.query.source);
  std::vector<NodeId> order(n);
  for (NodeId v = 0; v < n; ++v)
    order[v] = v;
  std::stable_sort(order.begin(), order.end(),
                   [&](NodeId a, NodeId b) { return dist[a] < dist[b]; });
  for (std::size_t i = 0; i < n; ++i) {
    const double a = 2.0 * pi * static_cast<double>(i) / static_cast<double>(n) - pi / 2.0;
    x[order[i]] = half + r * std::cos(a);
    y[order[i]] = half + r * std::sin(a);
  }
  for (std::size_t k = 0; k < phantoms; ++k) {
    const double a =
        2.0 * pi * (static_cast<double>(k) + 0.5) / static_cast<double>(phantoms) - pi / 2.0;
    x[n + k] = half + outer * std::cos(a);
    y[n + k] = half + outer * std::sin(a);
  }
  for (std::size_t v = 0; v < n + phantoms; ++v)
    rx[v] = std::max(15.0,
                     5.0 + 3.7 * static_cast<double>(
                                     std::to_string(pic.label(g, static_cast<NodeId>(v))).size()));
  const double size = 2.0 * half;
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"circle-layout\" width=\"";
  detail::append_coordinate(out, size);
  out += "pt\" height=\"";
  detail::append_coordinate(out, size);
  out += "pt\" viewBox=\"0 0 ";
  detail::append_coordinate(out, size);
  out += ' ';
  detail::append_coordinate(out, size);
  out += "\"><defs><marker id=\"st-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
         "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\"/>"
         "</marker></defs>\n<g id=\"graph\" class=\"graph\">\n";
  // An edge from the rim of one node to the rim of the other.
  const auto line = [&](NodeId a, NodeId b, bool arrow, std::string_view extra) {
    const double dx = x[b] - x[a], dy = y[b] - y[a];
    const double len = std::max(1e-9, std::sqrt(dx * dx + dy * dy));
    const double ea = std::min(len / 2.0, rx[a] * 0.9), eb = std::min(len / 2.0, rx[b] * 0.9 + 1.0);
    out += "<path fill=\"none\" stroke=\"#b0b0b0\" d=\"M";
    detail::append_coordinate(out, x[a] + dx / len * ea);
    out += ',';
    detail::append_coordinate(out, y[a] + dy / len * ea);
    out += 'L';
    detail::append_coordinate(out, x[b] - dx / len * eb);
    out += ',';
    detail::append_coordinate(out, y[b] - dy / len * eb);
    out += '"';
    if (arrow)
      out += " marker-end=\"url(#st-arrow)\"";
    out += extra;
    out += "/>";
  };
  for (const Edge& e : g.edges()) {
    const auto key = detail::edge_key(g, e.u, e.v);
    out += "<g id=\"e";
    detail::append_uint(out, key.first);
    out += '_';
    detail::append_uint(out, key.second);
    out += "\" class=\"edge\">";
    line(e.u, e.v, g.directed(), "");
    out += "</g>\n";
  }
  // The invented edges of the completion (listings and answer steps along no edge).
  std::vector<std::pair<NodeId, NodeId>> invented;
  const auto invent = [&](NodeId a, NodeId b) {
    if (a == no_node || b == no_node || a == b || detail::has_edge(g, a, b))
      return;
    if (std::find(invented.begin(), invented.end(), std::pair{a, b}) == invented.end())
      invented.emplace_back(a, b);
  };
  for (const PictureListing& l : pic.listed)
    invent(l.u, l.v);
  for (const auto& [a, b] : detail::path_steps(pic.path))
    invent(a, b);
  for (const auto& [a, b] : invented) {
    out += "<g id=\"x";
    detail::append_uint(out, a);
    out += '_';
    detail::append_uint(out, b);
    out += "\" class=\"edge late invented\">";
    line(a, b, true, " stroke-dasharray=\"5,3\"");
    out += "</g>\n";
  }
  for (std::size_t v = 0; v < n + phantoms; ++v) {
    const bool phantom = v >= n;
    out += "<g id=\"n";
    detail::append_uint(out, v);
    out += phantom ? "\" class=\"node late phantom\">" : "\" class=\"node\">";
    if (phantom) {
      out += "<polygon fill=\"none\" stroke=\"#404040\" stroke-dasharray=\"5,2\" points=\"";
      const double hx = rx[v] + 2, hy = 13;
      const double xs[4] = {x[v] - hx, x[v] + hx, x[v] + hx, x[v] - hx};
      const double ys[4] = {y[v] - hy, y[v] - hy, y[v] + hy, y[v] + hy};
      for (int i = 0; i < 4; ++i) {
        if (i > 0)
          out += ' ';
        detail::append_coordinate(out, xs[i]);
        out += ',';
        detail::append_coordinate(out, ys[i]);
      }
      out += "\"/>";
    } else {
      out += "<ellipse fill=\"none\" stroke=\"#404040\" cx=\"";
      detail::append_coordinate(out, x[v]);
      out += "\" cy=\"";
      detail::append_coordinate(out, y[v]);
      out += "\" rx=\"";
      detail::append_coordinate(out, rx[v]);
      out += "\" ry=\"15\"";
      if (v == p.query.source)
        out += " stroke-width=\"2.5\"";
      out += "/>";
      if (v == p.query.target) {
        out += "<ellipse fill=\"none\" stroke=\"#404040\" cx=\"";
        detail::append_coordinate(out, x[v]);
        out += "\" cy=\"";
        detail::append_coordinate(out, y[v]);
        out += "\" rx=\"";
        detail::append_coordinate(out, rx[v] + 3.5);
        out += "\" ry=\"18.5\"/>";
      }
    }
    out += "<text text-anchor=\"middle\" font-family=\"Helvetica,Arial,sans-serif\" "
           "font-size=\"12\" x=\"";
    detail::append_coordinate(out, x[v]);
    out += "\" y=\"";
    detail::append_coordinate(out, y[v] + 4.0);
    out += "\">";
    detail::append_uint(out, pic.label(g, static_cast<NodeId>(v)));
    out += "</text></g>\n";
  }
  out += "</g>\n</svg>\n";
}

} // namespace searchtrace
