// The evaluation report: one self-contained HTML page (no network; its Content-Security-Policy
// lets only its own scripts run) over eval.hpp's table, as `searchtrace eval --format html`
// writes it: the exact match per family per model as the seed's table and as bars, every metric
// per cell, the first-error categories as stacked bars, exact match against the query's path
// length and against the graph's size, and for each cell a few failing samples with their caret
// diagnostic, the `searchtrace show` command that draws them, and their step-through page
// (page.hpp) embedded, opened on demand.
//
// The table (EvalTable) has what the metrics need; the rest — path length, graph size, which
// samples failed — an EvalReport collects from the same samples: feed it every sample the
// Evaluator accepted.
//
// Size: linear in the cells, not in the samples — a few failing samples per cell (three by
// default, a completion longer than 16 KiB without its page), the charts bounded (chart.hpp)
// and the tables one row per cell. 10,000 outputs of 2 models over 6 families: see
// docs/pictures.md for the measured size and load time.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "searchtrace/chart.hpp"
#include "searchtrace/classify.hpp"
#include "searchtrace/diagnostic.hpp"
#include "searchtrace/eval.hpp"
#include "searchtrace/markup.hpp"
#include "searchtrace/page.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/record.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/tracer.hpp"
#include "searchtrace/verdict.hpp"

namespace searchtrace {

struct ReportOptions {
  EvalOptions eval;                   // the search and prompt options, as the Evaluator's
  std::size_t failing_per_cell = 3;   // failing samples kept per cell (the first ones met)
  std::size_t max_page_bytes = 16384; // a longer completion gets no embedded page
  GraphLayout layout;                 // for the embedded pages (empty: the fixed layout)
};

/// A failing sample the report shows.
struct ReportSample {
  std::string prompt, completion;
  std::string file;     // where it came from ("" for stdin or unknown)
  std::size_t line = 0; // 1-based, 0 if unknown
};

/// Exact matches out of samples.
struct ReportCount {
  std::size_t samples = 0;
  std::size_t exact = 0;
};

/// What the report needs besides the EvalTable, collected sample by sample.
class EvalReport {
public:
  explicit EvalReport(ReportOptions o = {}) : options_(std::move(o)) {}

  /// Records one sample (the one the Evaluator was given, with the same model and family).
  /// Returns false, and records nothing, for a sample the Evaluator cannot evaluate (a prompt
  /// that does not parse, an unreachable target).
  bool add(std::string_view prompt, std::string_view completion,
           std::string_view model = default_model, std::string_view family = default_family,
           std::string_view file = {}, std::size_t line = 0) {
    if (parser_.parse(prompt, prompt_, options_.eval.prompt))
      return false;
    // The query's shortest-path length, from BFS (whatever the search judged).
    path_.clear();
    SearchOptions bfs;
    if (trace_into(path_, scratch_, prompt_.graph, prompt_.query, bfs) != SearchStatus::found)
      return false;
    const std::size_t length = path_.path.size() - 1;
    const Verdict& v = classifier_.classify(prompt_, completion, options_.eval.search);
    const std::string m(model);
    count(by_length_[{m, length}], v.exact);
    count(by_size_[{m, prompt_.graph.node_count()}], v.exact);
    ++samples_;
    if (!v.valid) {
      auto& kept = failing_[{m, std::string(family)}];
      if (kept.size() < options_.failing_per_cell)
        kept.push_back({std::string(prompt), std::string(completion), std::string(file), line});
    }
    return true;
  }

  /// The same for a record read by RecordReader.
  bool add(const SampleRecord& r, std::string_view file = {}, std::size_t line = 0) {
    return add(r.prompt, r.completion, r.model.value_or(default_model),
               r.family.value_or(default_family), file, line);
  }

  const ReportOptions& options() const noexcept { return options_; }
  std::size_t samples() const noexcept { return samples_; }
  /// Exact matches by (model, path length) and by (model, node count).
  const std::map<std::pair<std::string, std::size_t>, ReportCount>& by_length() const noexcept {
    return by_length_;
  }
  const std::map<std::pair<std::string, std::size_t>, ReportCount>& by_size() const noexcept {
    return by_size_;
  }
  /// The failing samples kept for (model, family).
  const std::vector<ReportSample>* failing(std::string_view model, std::string_view family) const {
    const auto it = failing_.find({std::string(model), std::string(family)});
    return it == failing_.end() ? nullptr : &it->second;
  }

private:
  static void count(ReportCount& c, bool exact) {
    ++c.samples;
    c.exact += exact ? 1 : 0;
  }

  ReportOptions options_;
  PromptParser parser_;
  Prompt prompt_;
  Classifier classifier_;
  SearchScratch scratch_;
  Trace path_;
  std::size_t samples_ = 0;
  std::map<std::pair<std::string, std::size_t>, ReportCount> by_length_, by_size_;
  std::map<std::pair<std::string, std::string>, std::vector<ReportSample>> failing_;
};

namespace detail {

inline constexpr std::string_view report_style =
    R"css(body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:16px 24px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:22px 0 6px;border-bottom:1px solid #ddd}
nav a{margin-right:12px}.meta{color:#555}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #ddd;padding:2px 8px}td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f3f3f3}code,pre{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
pre.diag{background:#fff5f0;border-left:3px solid #e31a1c;padding:6px;overflow:auto;margin:4px 0}
.chart{max-width:100%;height:auto;display:block;margin:6px 0}
details{margin:6px 0;border:1px solid #ddd;border-radius:4px;padding:4px 8px}summary{cursor:pointer}
.sample{margin:8px 0 14px}.frame iframe{width:100%;height:760px;border:1px solid #ccc;margin-top:6px}
button{font:inherit}
)css";

inline constexpr std::string_view report_script = R"js((function(){"use strict";
var P=JSON.parse(document.getElementById("report-pages").textContent),opened=0,loaded=0;
function open(b){var i=+b.getAttribute("data-page"),box=document.getElementById("frame-"+i);
if(box.firstChild){box.textContent="";b.textContent="step through";return null;}
var f=document.createElement("iframe");f.setAttribute("title","step-through view");
f.onload=function(){loaded++;mark();};f.srcdoc=P[i];box.appendChild(f);b.textContent="close";opened++;return f;}
var buttons=document.querySelectorAll("button[data-page]");
buttons.forEach(function(b){b.onclick=function(){open(b);};});
function mark(){if(location.hash!=="#selftest")return;var ok=0;
document.querySelectorAll(".frame iframe").forEach(function(f){var d=f.contentDocument;
if(d&&d.getElementById("st-graph")&&d.body.classList.contains("js"))ok++;});
document.body.setAttribute("data-selftest",ok===buttons.length?"ok "+ok+" pages":"fail: "+ok+" of "+buttons.length+" pages ran");}
if(location.hash==="#selftest"){buttons.forEach(function(b){if(!b.closest("details").open)b.closest("details").open=true;open(b);});
if(!buttons.length)document.body.setAttribute("data-selftest","ok 0 pages");}
})();
)js";

inline void append_rate_cell(std::string& out, std::size_t n, std::size_t d) {
  out += "<td class=\"n\">";
  if (d == 0)
    out += "-";
  else
    append_percent_text(out, static_cast<double>(n) / static_cast<double>(d));
  out += "</td>";
}

inline void append_number_cell(std::string& out, std::optional<double> x) {
  out += "<td class=\"n\">";
  if (x) {
    eval::append_fixed(out, *x, 1);
  } else {
    out += "-";
  }
  out += "</td>";
}

// A shell word: single-quoted unless it is plainly safe, so that a copied command line runs
// exactly this word whatever the name holds.
inline void append_shell_word(std::string& out, std::string_view s) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '.' || c == '_' || c == '-' || c == '+' || c == ',' || c == ':';
  });
  if (plain) {
    out += s;
    return;
  }
  out += '\'';
  for (const char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  out += '\'';
}

// A chart of exact match by an integer (path length, size) per model.
inline void append_by_chart(std::string& out, std::string_view title, std::string_view x_label,
                            const std::vector<std::string>& models,
                            const std::map<std::pair<std::string, std::size_t>, ReportCount>& by) {
  std::vector<std::uint64_t> xs;
  for (const auto& [key, c] : by)
    xs.push_back(key.second);
  std::sort(xs.begin(), xs.end());
  xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
  std::vector<ChartSeries> series;
  for (const std::string& m : models) {
    ChartSeries s{m, {}, {}};
    for (const std::uint64_t x : xs) {
      const auto it = by.find({m, static_cast<std::size_t>(x)});
      if (it == by.end() || it->second.samples == 0) {
        s.values.push_back(std::nullopt);
        s.counts.push_back(0);
      } else {
        s.values.push_back(static_cast<double>(it->second.exact) /
                           static_cast<double>(it->second.samples));
        s.counts.push_back(it->second.samples);
      }
    }
    series.push_back(std::move(s));
  }
  append_line_chart_svg(out, title, x_label, xs, series);
}

} // namespace detail

/// Appends the report of `t` (the table) and `r` (collected from the same samples).
inline void append_eval_html(std::string& out, const EvalTable& t, const EvalReport& r) {
  const ReportOptions& o = r.options();
  const SearchOptions& so = o.eval.search;
  const auto& models = t.models();
  const auto& families = t.families();
  std::size_t samples = 0;
  t.for_each_cell([&](std::size_t, std::size_t, const EvalCell& c) { samples += c.samples; });
  const auto name = [&](std::string& s, std::string_view text) {
    std::string clean;
    append_clean_text_cut(clean, text, 200);
    append_html_escaped(s, clean);
  };

  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta "
         "name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  append_csp_meta(out, {detail::report_script, detail::page_script});
  out += "\n<title>searchtrace: evaluation report</title>\n<style>";
  out += detail::report_style;
  out += "</style></head>\n<body>\n<h1>Evaluation report</h1>\n<p class=\"meta\">";
  out += std::to_string(samples);
  out += samples == 1 ? " sample, " : " samples, ";
  out += std::to_string(models.size());
  out += models.size() == 1 ? " model, " : " models, ";
  out += std::to_string(families.size());
  out += families.size() == 1 ? " family" : " families";
  out += "; judged against ";
  out += algorithm_name(so.algorithm);
  out += so.order == NeighborOrder::ascending ? " (ascending" : " (prompt order";
  out += so.listing == Listing::unexpanded ? ", list unexpanded" : ", list undiscovered";
  out += so.stop == StopRule::on_list ? ", stop on list" : ", stop on pop";
  out += o.eval.prompt.directed ? ", directed)" : ")";
  out += ". Metrics: docs/check.md; error kinds: docs/reference.md.</p>\n<nav><a "
         "href=\"#exact\">exact match</a><a href=\"#metrics\">all metrics</a><a "
         "href=\"#errors\">first errors</a><a href=\"#length\">by path length</a><a "
         "href=\"#size\">by graph size</a><a href=\"#failing\">failing samples</a></nav>\n";

  // Exact match: the seed's table (wide while it stays small) and bars.
  out += "<h2 id=\"exact\">Exact match (untruncated completion)</h2>\n";
  {
    std::vector<ChartSeries> series;
    for (std::size_t m = 0; m < models.size(); ++m) {
      ChartSeries s{models[m], {}, {}};
      for (std::size_t f = 0; f < families.size(); ++f) {
        const EvalCell* c = t.find(m, f);
        s.values.push_back(c != nullptr && c->samples > 0 ? std::optional(c->rate(c->exact))
                                                          : std::nullopt);
        s.counts.push_back(c != nullptr ? c->samples : 0);
      }
      series.push_back(std::move(s));
    }
    append_bar_chart_svg(out, "Exact match per family and model", families, series);
    out += '\n';
  }
  if (markdown_layout(t) == MarkdownLayout::wide) {
    out += "<table><tr><th>Model</th>";
    for (const std::string& f : families) {
      out += "<th>";
      name(out, f);
      out += "</th>";
    }
    out += "</tr>\n";
    for (std::size_t m = 0; m < models.size(); ++m) {
      out += "<tr><th>";
      name(out, models[m]);
      out += "</th>";
      for (std::size_t f = 0; f < families.size(); ++f) {
        const EvalCell* c = t.find(m, f);
        detail::append_rate_cell(out, c != nullptr ? c->exact : 0, c != nullptr ? c->samples : 0);
      }
      out += "</tr>\n";
    }
    out += "</table>\n";
  } else {
    out += "<p class=\"meta\">(many families or a sparse table: one row per model and family "
           "below)</p>\n";
  }

  // Every metric, a row per cell.
  out += "<h2 id=\"metrics\">All metrics</h2>\n<table><tr><th>Model</th><th>Family</th>"
         "<th>Samples</th><th>Exact</th><th>Valid</th><th>Answer</th><th>Token acc.</th>"
         "<th>Invalid</th><th>First error: mean byte</th><th>mean expansion</th></tr>\n";
  t.for_each_cell([&](std::size_t m, std::size_t f, const EvalCell& c) {
    out += "<tr><td>";
    name(out, models[m]);
    out += "</td><td>";
    name(out, families[f]);
    out += "</td><td class=\"n\">";
    out += std::to_string(c.samples);
    out += "</td>";
    detail::append_rate_cell(out, c.exact, c.samples);
    detail::append_rate_cell(out, c.valid, c.samples);
    detail::append_rate_cell(out, c.answer_correct, c.samples);
    out += "<td class=\"n\">";
    detail::append_percent_text(out, c.token_accuracy());
    out += "</td><td class=\"n\">";
    out += std::to_string(c.invalid);
    out += "</td>";
    detail::append_number_cell(out, c.mean_first_error_offset());
    detail::append_number_cell(out, c.mean_first_error_expansion());
    out += "</tr>\n";
  });
  out += "</table>\n";

  // First-error categories.
  out += "<h2 id=\"errors\">First-error categories (share of invalid completions)</h2>\n";
  {
    std::vector<std::string> rows;
    std::vector<std::vector<double>> shares;
    std::vector<std::size_t> counts;
    std::vector<std::string_view> categories;
    for (std::size_t k = 0; k < error_category_count; ++k)
      categories.push_back(error_category_name(static_cast<ErrorCategory>(k)));
    t.for_each_cell([&](std::size_t m, std::size_t f, const EvalCell& c) {
      rows.push_back(models[m] + " / " + families[f]);
      std::vector<double> s;
      for (std::size_t k = 0; c.invalid > 0 && k < error_category_count; ++k)
        s.push_back(*c.category_share(k));
      shares.push_back(std::move(s));
      counts.push_back(c.invalid);
    });
    append_stacked_bars_svg(out, "First error by category, per model and family", rows, categories,
                            shares, counts);
    out += '\n';
  }

  out += "<h2 id=\"length\">Exact match by path length</h2>\n";
  detail::append_by_chart(out, "Exact match by the query's shortest-path length",
                          "shortest-path length", models, r.by_length());
  out += "\n<h2 id=\"size\">Exact match by graph size</h2>\n";
  detail::append_by_chart(out, "Exact match by the number of nodes", "nodes", models, r.by_size());

  // Failing samples.
  out += "\n<h2 id=\"failing\">Failing samples</h2>\n<p class=\"meta\">The first ";
  out += std::to_string(o.failing_per_cell);
  out += " invalid completions of each model on each family, with their first error; "
         "\"step through\" opens the sample's step-through page here, and the command draws "
         "it on its own.</p>\n";
  std::vector<std::string> pages;
  Classifier classifier;
  PromptParser parser;
  Prompt prompt;
  t.for_each_cell([&](std::size_t m, std::size_t f, const EvalCell& c) {
    const std::vector<ReportSample>* kept = r.failing(models[m], families[f]);
    if (kept == nullptr || kept->empty())
      return;
    out += "<details><summary><b>";
    name(out, models[m]);
    out += "</b> on <b>";
    name(out, families[f]);
    out += "</b>: ";
    out += std::to_string(c.invalid);
    out += " of ";
    out += std::to_string(c.samples);
    out += " invalid</summary>\n";
    for (const ReportSample& s : *kept) {
      if (parser.parse(s.prompt, prompt, o.eval.prompt))
        continue;
      const Verdict& v = classifier.classify(prompt, s.completion, so);
      out += "<div class=\"sample\">";
      if (!s.file.empty() || s.line != 0) {
        out += "<div class=\"meta\">";
        name(out, s.file.empty() ? std::string_view("stdin") : std::string_view(s.file));
        out += ", line ";
        out += std::to_string(s.line);
        out += "</div>";
      }
      out += "<div class=\"meta\">prompt: <code>";
      append_html_bytes(out, s.prompt);
      out += "</code></div><pre class=\"diag\">";
      if (const Deviation* d = v.first_error()) {
        const std::string diag = render_diagnostic(*d, s.completion);
        for (std::size_t at = 0; at < diag.size();) {
          const std::size_t nl = std::min(diag.find('\n', at), diag.size());
          append_html_text(out, std::string_view(diag).substr(at, nl - at));
          if (nl < diag.size())
            out += '\n';
          at = nl + 1;
        }
      }
      out += "</pre>";
      if (!s.file.empty() && s.line != 0) {
        std::string cmd = "searchtrace show --format html";
        cmd += so.algorithm == Algorithm::dfs ? " --algo dfs" : "";
        cmd += so.order == NeighborOrder::prompt ? " --order prompt" : "";
        cmd += so.listing == Listing::undiscovered ? " --listing undiscovered" : "";
        cmd += so.stop == StopRule::on_pop ? " --stop on-pop" : "";
        cmd += o.eval.prompt.directed ? " --directed" : "";
        cmd += " --line " + std::to_string(s.line) + " ";
        detail::append_shell_word(cmd, s.file);
        cmd += " -o sample.html";
        out += "<div><code>";
        name(out, cmd);
        out += "</code></div>";
      }
      if (s.completion.size() <= o.max_page_bytes) {
        PageOptions po;
        po.search = so;
        po.prompt = o.eval.prompt;
        po.layout = o.layout;
        PictureCaption caption;
        caption.model = models[m];
        caption.family = families[f];
        std::string origin;
        if (s.line != 0)
          origin =
              (s.file.empty() ? std::string("stdin") : s.file) + ", line " + std::to_string(s.line);
        caption.origin = origin;
        std::string page;
        append_trace_page(page, prompt, std::string_view(s.completion), po, caption);
        out += "<button data-page=\"";
        out += std::to_string(pages.size());
        out += "\">step through</button><div class=\"frame\" id=\"frame-";
        out += std::to_string(pages.size());
        out += "\"></div>";
        pages.push_back(std::move(page));
      } else {
        out += "<div class=\"meta\">(the completion is longer than ";
        out += std::to_string(o.max_page_bytes);
        out += " bytes: no embedded page)</div>";
      }
      out += "</div>\n";
    }
    out += "</details>\n";
  });
  if (pages.empty())
    out += "<p>No failing sample.</p>\n";
  out += "<script type=\"application/json\" id=\"report-pages\">[";
  for (std::size_t i = 0; i < pages.size(); ++i) {
    if (i > 0)
      out += ",\n";
    append_script_json_string(out, pages[i]);
  }
  out += "]</script>\n<script>";
  out += detail::report_script;
  out += "</script>\n</body></html>\n";
}

} // namespace searchtrace
