// The step-through page: one self-contained HTML file (no network, no external script, style or
// font: its Content-Security-Policy forbids them) that steps through a trace token by token. It
// shows the graph (an SVG: Graphviz's layout of draw.hpp's plain DOT when the caller provides
// one, else draw.hpp's fixed circular layout), the frontier (queue or stack), the expanded set
// and the node being expanded after each token, and the completion beside the reference with
// every error marked and the first one's caret diagnostic. The per-token state is labels.hpp's
// (StateLabeler on the classifier's replay for the completion, on the search for the reference),
// so the page shows exactly the state the library labels a token with.
//
// Without a completion the page steps through the reference alone. The page works without
// JavaScript too (the texts, the verdict, the graph and its final picture are static HTML); with
// it, ← → Home End step, a click on a token goes to it, and the URL fragment `#selftest` makes
// the script step through every token of every track and record the outcome in the
// `data-selftest` attribute of <body> (the browser test reads it).
//
// Labels: the page works on dense node ids (draw.hpp's element ids), so that a graph of labels up
// to 2^32-1 costs no more than one of labels 0..n-1: the state is labelled on a copy of the prompt
// whose labels are its ids, and of the completion whose numbers are the ids they name (numbers
// that are no node take picture.hpp's phantom ids); the page shows the original numbers.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "searchtrace/classify.hpp"
#include "searchtrace/completion.hpp"
#include "searchtrace/diagnostic.hpp"
#include "searchtrace/draw.hpp"
#include "searchtrace/labels.hpp"
#include "searchtrace/lexer.hpp"
#include "searchtrace/markup.hpp"
#include "searchtrace/picture.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/render.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/tracer.hpp"
#include "searchtrace/verdict.hpp"

namespace searchtrace {

/// Lays a DOT text out as SVG (for instance by running Graphviz's `dot -Tsvg`), or returns
/// nothing, and the page draws the fixed circular layout instead.
using GraphLayout = std::function<std::optional<std::string>(const std::string& dot)>;

struct PageOptions {
  SearchOptions search;
  PromptOptions prompt;
  GraphLayout layout; // empty: the fixed circular layout
};

namespace detail {

// The tokens of a completion text before its first syntax error, with their places.
inline void page_tokens(std::string_view text, std::vector<Lexeme>& out) {
  out.clear();
  Lexer lex(text);
  Lexeme lx;
  CompletionState state = CompletionState::begin;
  while (lex.next(lx) == LexStatus::token) {
    state = completion_grammar.step(state, lx.token.kind);
    if (state == CompletionState::fail)
      return;
    out.push_back(lx);
  }
}

// The token whose bytes hold `offset`, or the first one after it; tokens.size() past the end.
inline std::size_t token_at(const std::vector<Lexeme>& tokens, std::size_t offset) {
  std::size_t k = 0;
  while (k < tokens.size() && tokens[k].offset + tokens[k].length <= offset)
    ++k;
  return k;
}

// The phantom id of a number of the completion that is no node (picture.hpp's numbering).
inline NodeId phantom_of(const SearchPicture& pic, Label x) {
  for (std::size_t k = 0; k < pic.phantom_labels.size(); ++k)
    if (pic.phantom_labels[k] == x)
      return static_cast<NodeId>(pic.node_count + k);
  return no_node;
}

// The completion with each number replaced by the id it names (see the top of this file).
inline std::string ids_text(const Prompt& p, const SearchPicture& pic, std::string_view text,
                            const std::vector<Lexeme>& tokens) {
  std::string out;
  std::size_t at = 0;
  NodeId spare = static_cast<NodeId>(pic.node_count + pic.phantom_labels.size());
  for (const Lexeme& lx : tokens) {
    out.append(text.substr(at, lx.offset - at));
    at = lx.offset + lx.length;
    if (lx.token.kind != TokenKind::node) {
      out.append(text.substr(lx.offset, lx.length));
      continue;
    }
    NodeId id = no_node;
    if (!lx.too_large)
      if (const auto v = p.graph.node(lx.token.value))
        id = *v;
    if (id == no_node)
      id = phantom_of(pic, lx.token.value);
    if (id == no_node)
      id = spare++; // a number the replay never reached (past its error cap)
    out += std::to_string(id);
  }
  out.append(text.substr(at));
  return out;
}

struct PageTrack {
  std::string_view name;
  std::string_view text;
  std::vector<Lexeme> tokens;
  StateRows rows;
  std::size_t first_row = 0;                    // the rows of the prompt come first
  std::vector<std::vector<std::string>> reveal; // per token: elements that appear there
};

inline std::size_t prompt_rows(const StateRows& rows) {
  std::size_t k = 0;
  while (k < rows.rows() && rows.phase[k] == static_cast<std::int8_t>(Phase::prompt))
    ++k;
  return k;
}

// The rows of a track as JSON: per token [phase, current, [frontier in order], [nodes expanded
// at this token], [[node, parent] set at this token], [element ids that appear here]].
inline void append_track_rows(std::string& out, const PageTrack& t) {
  const std::size_t L = t.rows.label_space;
  const std::size_t count =
      std::min(t.tokens.size(), t.rows.rows() > t.first_row ? t.rows.rows() - t.first_row : 0);
  out += '[';
  std::vector<std::pair<std::int16_t, std::size_t>> frontier;
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t r = t.first_row + k;
    if (k > 0)
      out += ',';
    out += '[';
    out += std::to_string(t.rows.phase[r]);
    out += ',';
    out += std::to_string(t.rows.current[r]);
    out += ",[";
    frontier.clear();
    for (std::size_t v = 0; v < L; ++v)
      if (const std::int16_t rank = t.rows.frontier_rank[r * L + v]; rank >= 0)
        frontier.emplace_back(rank, v);
    std::sort(frontier.begin(), frontier.end());
    for (std::size_t i = 0; i < frontier.size(); ++i) {
      if (i > 0)
        out += ',';
      out += std::to_string(frontier[i].second);
    }
    out += "],[";
    bool first = true;
    for (std::size_t v = 0; v < L; ++v) {
      const bool now = t.rows.expanded[r * L + v] != 0;
      const bool before = r > 0 && t.rows.expanded[(r - 1) * L + v] != 0;
      if (now && !before) {
        if (!first)
          out += ',';
        first = false;
        out += std::to_string(v);
      }
    }
    out += "],[";
    first = true;
    for (std::size_t v = 0; v < L; ++v) {
      const std::int32_t now = t.rows.parent[r * L + v];
      const std::int32_t before = r > 0 ? t.rows.parent[(r - 1) * L + v] : -1;
      if (now != before) {
        if (!first)
          out += ',';
        first = false;
        out += '[';
        out += std::to_string(v);
        out += ',';
        out += std::to_string(now);
        out += ']';
      }
    }
    out += "],[";
    if (k < t.reveal.size())
      for (std::size_t i = 0; i < t.reveal[k].size(); ++i) {
        if (i > 0)
          out += ',';
        append_script_json_string(out, t.reveal[k][i]);
      }
    out += "]]";
  }
  out += ']';
}

// The text of a track as token spans: `<span class="tok" data-k="K">`, the bytes between
// tokens as plain text, the rest after the first syntax error in one `rest` span, and an `end`
// span where an error sits past the last byte.
inline void append_track_text(std::string& out, const PageTrack& t, const Verdict* verdict) {
  std::vector<std::string> notes(t.tokens.size() + 1);
  std::vector<bool> first(t.tokens.size() + 1, false);
  if (verdict != nullptr)
    for (std::size_t i = 0; i < verdict->errors.size() && i < 200; ++i) {
      const Deviation& d = verdict->errors[i];
      const std::size_t k = token_at(t.tokens, d.offset);
      std::string& s = notes[k];
      if (!s.empty())
        s += "\n";
      s += error_kind_name(d.kind);
      s += ": ";
      s += d.message;
      if (i == 0)
        first[k] = true;
    }
  const auto open = [&](std::size_t k, std::string_view extra) {
    out += "<span class=\"tok";
    out += extra;
    if (!notes[k].empty())
      out += first[k] ? " err first" : " err";
    out += "\" data-k=\"";
    out += std::to_string(k);
    out += "\"";
    if (!notes[k].empty()) {
      out += " title=\"";
      std::string clean;
      append_clean_text_cut(clean, notes[k], 1000);
      append_html_escaped(out, clean);
      out += "\"";
    }
    out += ">";
  };
  std::size_t at = 0;
  for (std::size_t k = 0; k < t.tokens.size(); ++k) {
    const Lexeme& lx = t.tokens[k];
    append_html_bytes(out, t.text.substr(at, lx.offset - at));
    open(k, "");
    append_html_bytes(out, t.text.substr(lx.offset, lx.length));
    out += "</span>";
    at = lx.offset + lx.length;
  }
  const std::size_t end = t.tokens.size();
  if (at < t.text.size()) {
    // An error in the rest is about its first byte: the rest carries its note.
    out += "<span class=\"rest";
    if (!notes[end].empty())
      out += first[end] ? " err first\" title=\"" : " err\" title=\"";
    if (!notes[end].empty()) {
      std::string clean;
      append_clean_text_cut(clean, notes[end], 1000);
      append_html_escaped(out, clean);
    }
    out += "\">";
    append_html_bytes(out, t.text.substr(at));
    out += "</span>";
  } else if (!notes[end].empty()) {
    out += "<span class=\"end err";
    out += first[end] ? " first" : "";
    out += "\" title=\"";
    std::string clean;
    append_clean_text_cut(clean, notes[end], 1000);
    append_html_escaped(out, clean);
    out += "\">&#x2205;</span>";
  }
}

// The SVG of the page's graph: the caller's layout of the plain DOT, or the fixed one.
inline std::string page_graph_svg(const Prompt& p, const SearchPicture& pic,
                                  const GraphLayout& layout) {
  if (layout) {
    DotOptions d;
    d.style = DotStyle::plain;
    if (auto svg = layout(to_dot(p, pic, {}, d))) {
      const std::size_t at = svg->find("<svg");
      if (at != std::string::npos)
        return svg->substr(at);
    }
  }
  std::string out;
  append_circle_svg(out, p, pic);
  return out;
}

inline constexpr std::string_view page_style =
    R"css(body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:16px;color:#222;background:#fff}
h1{font-size:18px;margin:0 0 6px}h2{font-size:14px;margin:10px 0 4px}
code,pre,.text{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
.meta{color:#555;margin:2px 0}.verdict{margin:6px 0;padding:4px 8px;border-radius:4px;display:inline-block}
.verdict.ok{background:#e5f5e0}.verdict.bad{background:#fde0dd}
.main{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start;margin-top:10px}
figure{margin:0;border:1px solid #ddd;padding:4px;max-width:100%;overflow:auto}
figure svg{max-width:100%;height:auto}
#st-panel{flex:1;min-width:340px}
.controls button{font:inherit;min-width:2.4em;margin-right:2px}.controls input{vertical-align:middle;width:40%}
table.state{border-collapse:collapse;margin:8px 0}table.state th{text-align:left;padding:2px 10px 2px 0;color:#555;font-weight:normal}
table.state td{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
.text{white-space:pre-wrap;word-break:break-all;background:#f7f7f7;padding:6px;border-radius:4px;line-height:1.9}
.tok{cursor:pointer;border-radius:2px;padding:1px 0}.tok.done{color:#777}.tok.now{background:#2171b5;color:#fff}
.tok.peer{outline:1px solid #2171b5}.err{text-decoration:underline wavy #e31a1c}.err.first{background:#fcbba1}
.tok.now.err{background:#cb181d}.rest{color:#cb181d;text-decoration:line-through}.end{color:#cb181d}
pre.diag{background:#fff5f0;border-left:3px solid #e31a1c;padding:6px;overflow:auto}
ol.errors{padding-left:22px;margin:4px 0}ol.errors li{margin:1px 0}
.node ellipse,.node polygon{fill:#fff}.node.front ellipse{fill:#fff2ae}.node.exp ellipse{fill:#c6dbef}
.node.cur ellipse{fill:#4292c6}.node.next ellipse{stroke:#b8860b;stroke-width:3px}
.edge.tree path{stroke:#000;stroke-width:2px}.edge.tree polygon{fill:#000;stroke:#000}
.late{visibility:hidden}.late.shown{visibility:visible}.edge.invented path{stroke:#e31a1c}.edge.invented polygon{fill:#e31a1c;stroke:#e31a1c}
.phantom polygon{stroke:#e31a1c}.phantom text{fill:#e31a1c}
.legend{color:#555;font-size:12px;margin-top:12px}.sw{display:inline-block;width:12px;height:12px;border:1px solid #777;vertical-align:middle;margin:0 3px 0 10px}
)css";

inline constexpr std::string_view page_script = R"js((function(){"use strict";
var D=JSON.parse(document.getElementById("st-data").textContent),n=D.n,fig=document.getElementById("st-graph");
function $(id){return document.getElementById(id);}
function lab(v){return v<0?"-":v<n?String(D.labels[v]):(D.phantoms[v-n]||"?");}
var nodes=[],i;for(i=0;i<n+D.phantoms.length;i++)nodes.push(fig.querySelector('[id="n'+i+'"]'));
var edges=fig.querySelectorAll(".edge");
function edge(a,b){var k=(D.directed||a<b)?a+"_"+b:b+"_"+a;return fig.querySelector('[id="e'+k+'"]')||fig.querySelector('[id="x'+a+'_'+b+'"]');}
var T=0,K=D.tracks.map(function(t){return t.start;}),timer=null;
var spans=D.tracks.map(function(t,j){return $("st-t"+j).querySelectorAll(".tok");});
var phases=["prompt","exploration","backtrack","answer"];
function state(t,k){var rows=D.tracks[t].rows,s={row:null,exp:[],par:{},rev:{}},j;
for(j=0;j<=k&&j<rows.length;j++){var r=rows[j];s.row=r;r[3].forEach(function(v){s.exp.push(v);});
r[4].forEach(function(p){s.par[p[0]]=p[1];});r[5].forEach(function(e){s.rev[e]=1;});}return s;}
function render(){var t=T,tr=D.tracks[t],k=K[t],s=state(t,k),r=s.row,fr=r?r[2]:[],cur=r?r[1]:-1,v;
for(v=0;v<nodes.length;v++){var g=nodes[v];if(!g)continue;g.classList.toggle("exp",s.exp.indexOf(v)>=0);
g.classList.toggle("front",fr.indexOf(v)>=0);g.classList.toggle("next",fr.length>0&&fr[0]===v);g.classList.toggle("cur",v===cur);
if(g.classList.contains("late"))g.classList.toggle("shown",!!s.rev["n"+v]);}
for(v=0;v<edges.length;v++){var e=edges[v];e.classList.remove("tree");if(e.classList.contains("late"))e.classList.toggle("shown",!!s.rev[e.id]);}
Object.keys(s.par).forEach(function(c){var p=s.par[c];if(p>=0){var e=edge(p,+c);if(e)e.classList.add("tree");}});
spans.forEach(function(sp,j){for(var q=0;q<sp.length;q++){sp[q].classList.toggle("now",j===t&&q===k);
sp[q].classList.toggle("done",j===t&&q<k);sp[q].classList.toggle("peer",j!==t&&q===k);}});
$("st-frontier").textContent=fr.length?fr.map(lab).join(", "):"(empty)";
$("st-expanded").textContent=s.exp.length?s.exp.map(lab).join(", "):"(none)";
$("st-current").textContent=cur>=0?lab(cur):"-";
var sl=$("st-slider");sl.max=Math.max(0,tr.rows.length-1);sl.value=k;
$("st-step").textContent=tr.rows.length?"token "+(k+1)+" of "+tr.rows.length+" of the "+tr.name+": "+spans[t][k].textContent+" ("+phases[r[0]]+")":"the "+tr.name+" has no token";}
function go(k){var m=D.tracks[T].rows.length;K[T]=Math.max(0,Math.min(m-1,k));render();}
function stop(){if(timer){clearInterval(timer);timer=null;$("st-play").textContent="play";}}
$("st-first").onclick=function(){stop();go(0);};$("st-prev").onclick=function(){stop();go(K[T]-1);};
$("st-next").onclick=function(){stop();go(K[T]+1);};$("st-last").onclick=function(){stop();go(1e9);};
$("st-play").onclick=function(){if(timer){stop();return;}if(K[T]>=D.tracks[T].rows.length-1)go(0);$("st-play").textContent="pause";
timer=setInterval(function(){if(K[T]>=D.tracks[T].rows.length-1)stop();else go(K[T]+1);},400);};
$("st-slider").oninput=function(){stop();go(+this.value);};
document.querySelectorAll('input[name="st-track"]').forEach(function(b){b.onchange=function(){stop();T=+this.value;render();};});
spans.forEach(function(sp,j){for(var q=0;q<sp.length;q++)sp[q].onclick=(function(q){return function(){stop();T=j;
var b=document.querySelector('input[name="st-track"][value="'+j+'"]');if(b)b.checked=true;go(q);};})(q);});
document.addEventListener("keydown",function(e){if(e.target&&e.target.tagName==="INPUT"&&e.target.type==="range")return;
if(e.key==="ArrowRight"){stop();go(K[T]+1);}else if(e.key==="ArrowLeft"){stop();go(K[T]-1);}
else if(e.key==="Home"){stop();go(0);}else if(e.key==="End"){stop();go(1e9);}});
document.body.classList.add("js");render();
if(location.hash==="#selftest"){var steps=0,err="";try{for(var t=0;t<D.tracks.length;t++){T=t;
for(var k=0;k<D.tracks[t].rows.length;k++){go(k);steps++;if(!spans[t][k].classList.contains("now"))throw new Error("token "+k+" not marked");}}
T=0;go(D.tracks[0].start);}catch(x){err=String(x);}
document.body.setAttribute("data-selftest",err?"fail: "+err:"ok "+steps+" steps "+document.querySelectorAll(".node.exp").length+" expanded");}
})();
)js";

} // namespace detail

/// Appends the step-through page of `completion` (or, when it is nothing, of the reference
/// search alone) on the prompt `p`. Returns the verdict on the completion (a valid verdict when
/// there is none).
inline Verdict append_trace_page(std::string& out, const Prompt& p,
                                 std::optional<std::string_view> completion,
                                 const PageOptions& o = {}, const PictureCaption& caption = {}) {
  const Graph& g = p.graph;
  const std::size_t n = g.node_count();
  Classifier classifier;
  const SearchPicture pic = completion ? picture_completion(p, *completion, o.search, classifier)
                                       : picture_search(p, o.search);

  // A copy of the prompt whose labels are its ids.
  Prompt dense;
  {
    std::vector<Label> ids(n);
    for (NodeId v = 0; v < n; ++v)
      ids[v] = v;
    dense.graph.assign(ids, g.edges(), g.directed());
    dense.query = p.query;
  }

  // The reference: its text and rows (its tokens have the dense numbers, its text the labels).
  std::string reference;
  const auto ref_trace = trace(p, o.search);
  if (ref_trace)
    reference = render_completion(*ref_trace);

  std::vector<detail::PageTrack> tracks;
  if (completion) {
    detail::PageTrack t;
    t.name = "completion";
    t.text = *completion;
    detail::page_tokens(*completion, t.tokens);
    const std::string ids = detail::ids_text(p, pic, *completion, t.tokens);
    t.rows.label_space = static_cast<Label>(std::max<std::size_t>(n, 1));
    t.rows.layout = StateLayout::dense;
    label_completion(t.rows, classifier, dense, ids, o.search, nullptr);
    t.first_row = detail::prompt_rows(t.rows);
    // Where the elements the completion invents appear.
    t.reveal.resize(t.tokens.size());
    const ParsedCompletion pc = parse_completion(*completion);
    const auto reveal = [&](std::size_t offset, std::string id) {
      const std::size_t k = detail::token_at(t.tokens, offset);
      if (k < t.reveal.size())
        t.reveal[k].push_back(std::move(id));
    };
    for (std::size_t i = 0; i < pic.expansions.size() && i < pc.expanded_at.size(); ++i)
      if (pic.is_phantom(pic.expansions[i]))
        reveal(pc.expanded_at[i], "n" + std::to_string(pic.expansions[i]));
    for (std::size_t j = 0; j < pic.listed.size() && j < pc.listed_at.size(); ++j) {
      const PictureListing& l = pic.listed[j];
      if (pic.is_phantom(l.v))
        reveal(pc.listed_at[j], "n" + std::to_string(l.v));
      if (l.u != l.v && !detail::has_edge(g, l.u, l.v))
        reveal(pc.listed_at[j], "x" + std::to_string(l.u) + "_" + std::to_string(l.v));
    }
    for (std::size_t j = 0; j < pic.backtrack.size() && j < pc.backtrack_at.size(); ++j)
      if (pic.is_phantom(pic.backtrack[j]))
        reveal(pc.backtrack_at[j], "n" + std::to_string(pic.backtrack[j]));
    for (std::size_t j = 0; j < pic.path.size() && j < pc.path_at.size(); ++j) {
      if (pic.is_phantom(pic.path[j]))
        reveal(pc.path_at[j], "n" + std::to_string(pic.path[j]));
      if (j > 0 && pic.path[j - 1] != pic.path[j] &&
          !detail::has_edge(g, pic.path[j - 1], pic.path[j]))
        reveal(pc.path_at[j],
               "x" + std::to_string(pic.path[j - 1]) + "_" + std::to_string(pic.path[j]));
    }
    tracks.push_back(std::move(t));
  }
  {
    detail::PageTrack t;
    t.name = "reference";
    t.text = reference;
    detail::page_tokens(reference, t.tokens);
    t.rows.label_space = static_cast<Label>(std::max<std::size_t>(n, 1));
    t.rows.layout = StateLayout::dense;
    SearchScratch scratch;
    label_sample(t.rows, scratch, dense, o.search, nullptr);
    t.first_row = detail::prompt_rows(t.rows);
    if (!ref_trace) {
      // Unreachable: the rows stop where the frontier ran empty, and there is no text.
      t.tokens.clear();
    }
    tracks.push_back(std::move(t));
  }

  const Verdict& verdict = pic.verdict;
  const bool judged = completion.has_value();
  const std::string_view frontier_name = o.search.algorithm == Algorithm::dfs ? "stack" : "queue";

  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta "
         "name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  append_csp_meta(out, {detail::page_script});
  out += "\n<title>searchtrace: ";
  {
    std::string title;
    for (const std::string_view s : {caption.model, caption.family, caption.origin})
      if (!s.empty()) {
        if (!title.empty())
          title += ", ";
        title += s;
      }
    if (title.empty())
      title = render_prompt(p);
    std::string clean;
    append_clean_text_cut(clean, title, 120);
    append_html_escaped(out, clean);
  }
  out += "</title>\n<style>";
  out += detail::page_style;
  out += "</style></head>\n<body>\n<header><h1>";
  out += judged ? "A completion, token by token" : "The reference search, token by token";
  out += "</h1>\n";
  const auto meta = [&](std::string_view name, std::string_view value) {
    if (value.empty())
      return;
    out += "<p class=\"meta\">";
    out += name;
    out += ": <b>";
    std::string clean;
    append_clean_text_cut(clean, value, 300);
    append_html_escaped(out, clean);
    out += "</b></p>\n";
  };
  meta("model", caption.model);
  meta("family", caption.family);
  meta("sample", caption.origin);
  {
    std::string opts(algorithm_name(o.search.algorithm));
    opts += o.search.order == NeighborOrder::ascending ? ", ascending" : ", prompt order";
    opts += o.search.listing == Listing::unexpanded ? ", list unexpanded" : ", list undiscovered";
    opts += o.search.stop == StopRule::on_list ? ", stop on list" : ", stop on pop";
    if (g.directed())
      opts += ", directed";
    meta("search", opts);
  }
  out += "<p class=\"meta\">prompt: <code>";
  append_html_bytes(out, render_prompt(p));
  out += "</code></p>\n";
  if (judged) {
    out += verdict.valid ? "<p class=\"verdict ok\">" : "<p class=\"verdict bad\">";
    std::string line;
    detail::append_verdict_line(line, verdict);
    append_html_text(out, line);
    out += "</p>\n";
  } else if (!ref_trace) {
    out += "<p class=\"verdict bad\">The target cannot be reached from the source: the search "
           "ends when the frontier runs empty.</p>\n";
  }
  out += "</header>\n<div class=\"main\">\n<figure id=\"st-graph\">";
  out += detail::page_graph_svg(p, pic, o.layout);
  out += "</figure>\n<section id=\"st-panel\">\n<div class=\"controls\">"
         "<button id=\"st-first\" title=\"first token (Home)\">|&lt;</button>"
         "<button id=\"st-prev\" title=\"previous token (&#x2190;)\">&lt;</button>"
         "<button id=\"st-play\">play</button>"
         "<button id=\"st-next\" title=\"next token (&#x2192;)\">&gt;</button>"
         "<button id=\"st-last\" title=\"last token (End)\">&gt;|</button> "
         "<input type=\"range\" id=\"st-slider\" min=\"0\" max=\"0\" value=\"0\" "
         "aria-label=\"token\"></div>\n";
  if (tracks.size() > 1) {
    out += "<div class=\"tracks\">step through: ";
    for (std::size_t j = 0; j < tracks.size(); ++j) {
      out += "<label><input type=\"radio\" name=\"st-track\" value=\"";
      out += std::to_string(j);
      out += j == 0 ? "\" checked> " : "\"> ";
      out += tracks[j].name;
      out += "</label> ";
    }
    out += "</div>\n";
  }
  out += "<p id=\"st-step\">(the controls need JavaScript)</p>\n<table class=\"state\"><tr><th>";
  out += frontier_name;
  out += " (next first)</th><td id=\"st-frontier\"></td></tr><tr><th>expanded (in order)</th>"
         "<td id=\"st-expanded\"></td></tr><tr><th>expanding</th><td id=\"st-current\"></td></tr>"
         "</table>\n";
  for (std::size_t j = 0; j < tracks.size(); ++j) {
    out += "<div class=\"track\" id=\"st-t";
    out += std::to_string(j);
    out += "\"><h2>";
    out += tracks[j].name;
    out += "</h2><div class=\"text\">";
    detail::append_track_text(out, tracks[j], judged && j == 0 ? &verdict : nullptr);
    if (tracks[j].text.empty())
      out += "(none)";
    out += "</div></div>\n";
  }
  if (judged && !verdict.errors.empty()) {
    out += "<h2>First error</h2><pre class=\"diag\">";
    // Line by line: the diagnostic's own line breaks stay, any other control byte is cleaned.
    const std::string diag = render_diagnostic(verdict.errors[0], *completion);
    for (std::size_t at = 0; at < diag.size();) {
      const std::size_t nl = std::min(diag.find('\n', at), diag.size());
      append_html_text(out, std::string_view(diag).substr(at, nl - at));
      if (nl < diag.size())
        out += '\n';
      at = nl + 1;
    }
    out += "</pre>\n<h2>All errors</h2><ol class=\"errors\">";
    const std::size_t shown = std::min<std::size_t>(verdict.errors.size(), 100);
    for (std::size_t i = 0; i < shown; ++i) {
      const Deviation& d = verdict.errors[i];
      out += "<li><b>";
      out += error_category_name(d.category());
      out += '/';
      out += error_kind_name(d.kind);
      out += "</b> at byte ";
      out += std::to_string(d.offset);
      out += ", expansion ";
      out += std::to_string(d.expansion);
      out += ": ";
      append_html_text(out, d.message);
      out += "</li>";
    }
    if (shown < verdict.errors.size())
      out += "<li>... " + std::to_string(verdict.errors.size() - shown) + " more</li>";
    out += "</ol>\n";
  }
  out += "</section>\n</div>\n<p class=\"legend\">Nodes:<span class=\"sw\" "
         "style=\"background:#c6dbef\"></span>expanded<span class=\"sw\" "
         "style=\"background:#4292c6\"></span>being expanded<span class=\"sw\" "
         "style=\"background:#fff2ae\"></span>in the ";
  out += frontier_name;
  out += "<span class=\"sw\" style=\"border:3px solid #b8860b\"></span>next to expand; bold "
         "border: source, double: target, dashed red: not a node. Edges: black: parent tree, "
         "dashed red: listed or stepped along no edge.</p>\n";

  // The data.
  out += "<script type=\"application/json\" id=\"st-data\">{\"n\":";
  out += std::to_string(n);
  out += ",\"directed\":";
  out += g.directed() ? "true" : "false";
  out += ",\"labels\":[";
  for (NodeId v = 0; v < n; ++v) {
    if (v > 0)
      out += ',';
    out += std::to_string(g.label(v));
  }
  out += "],\"phantoms\":[";
  for (std::size_t k = 0; k < pic.phantom_labels.size(); ++k) {
    if (k > 0)
      out += ',';
    const Label x = pic.phantom_labels[k];
    append_script_json_string(out,
                              x == 0xFFFFFFFFu ? std::string(">=4294967295") : std::to_string(x));
  }
  out += "],\"tracks\":[";
  for (std::size_t j = 0; j < tracks.size(); ++j) {
    const detail::PageTrack& t = tracks[j];
    if (j > 0)
      out += ',';
    out += "{\"name\":";
    append_script_json_string(out, t.name);
    // Start on the first error of a judged completion, else on the last token.
    std::size_t start = t.tokens.empty() ? 0 : t.tokens.size() - 1;
    if (judged && j == 0 && !verdict.errors.empty())
      start = std::min(start, detail::token_at(t.tokens, verdict.errors[0].offset));
    out += ",\"start\":";
    out += std::to_string(start);
    out += ",\"rows\":";
    detail::append_track_rows(out, t);
    out += '}';
  }
  out += "]}</script>\n<script>";
  out += detail::page_script;
  out += "</script>\n</body></html>\n";
  return verdict;
}

inline std::string trace_page(const Prompt& p, std::optional<std::string_view> completion,
                              const PageOptions& o = {}, const PictureCaption& caption = {}) {
  std::string out;
  append_trace_page(out, p, completion, o, caption);
  return out;
}

} // namespace searchtrace
