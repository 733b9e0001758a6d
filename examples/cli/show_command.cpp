// `searchtrace show`: a picture of one sample — the seed's Mermaid flowchart, a Graphviz DOT
// graph with the search drawn on it, or a self-contained HTML page that steps through the trace
// token by token (searchtrace/draw.hpp, page.hpp; docs/pictures.md).
//
// The sample is given on the command line (--prompt, optionally --completion), or is line N
// (--line, default 1) of FILE or stdin, in any of the forms the other subcommands write or read:
//   prompt+completion                    as `generate` writes text (split at the first '<')
//   prompt<TAB>completion                as `check` reads
//   {"prompt": ..., "completion": ...}   JSONL (`generate --format jsonl`, model outputs; optional
//                                        "model" and "family", shown in the picture)
//   prompt                               a prompt alone: the reference search is drawn
//
// Decisions: a line that cannot be read, or whose prompt does not parse, is reported as
// `line N, offset K: message` and exits 1 (as a bad line of the other subcommands), with no
// output; a line number beyond the input exits 2 (the command line names a line that is not
// there), as does an unreadable FILE. A target the source cannot reach is drawn (the whole
// exploration) and is not an error. With --format html, --layout auto uses Graphviz when `dot` is
// on PATH and the library's fixed circular layout otherwise; --layout dot insists on Graphviz
// (exit 2 without it); --layout circle never runs it.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "commands.hpp"
#include "graphviz.hpp"
#include "searchtrace/draw.hpp"
#include "searchtrace/markup.hpp"
#include "searchtrace/page.hpp"
#include "searchtrace/picture.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/search.hpp"

namespace searchtrace::cli {

enum class ShowFormat : std::uint8_t { mermaid, dot, html };
enum class ShowLayout : std::uint8_t { automatic, dot, circle };

inline constexpr std::array<Choice<ShowFormat>, 3> show_format_choices{
    {{"mermaid", ShowFormat::mermaid}, {"dot", ShowFormat::dot}, {"html", ShowFormat::html}}};
inline constexpr std::array<Choice<ShowLayout>, 3> show_layout_choices{
    {{"auto", ShowLayout::automatic}, {"dot", ShowLayout::dot}, {"circle", ShowLayout::circle}}};

struct ShowCommandOptions {
  SearchOptions search;
  bool directed = false;
  ShowFormat format = ShowFormat::mermaid;
  ShowLayout layout = ShowLayout::automatic;
  std::optional<std::string> prompt;
  std::optional<std::string> completion;
  std::optional<std::string> model, family;
  std::string line = "1";
  std::string strip_suffix;
  std::size_t max_line = default_max_line_bytes;
  std::string output;
  std::vector<std::string> files;
};

/// One sample, as read from a line or the command line.
struct ShowSample {
  std::string prompt;
  std::optional<std::string> completion;
  std::string model, family;
  bool json = false; // the prompt's offsets are not offsets in the line
};

/// Reads a line in one of the forms above; returns the problem (offset in the line, message).
inline std::optional<std::pair<std::size_t, std::string>> read_show_line(std::string_view line,
                                                                         ShowSample& s) {
  if (line.empty())
    return std::pair<std::size_t, std::string>{0, "the line is empty"};
  if (line.front() == '{') {
    s.json = true;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line.begin(), line.end());
    } catch (const nlohmann::json::exception& e) {
      const auto* pe = dynamic_cast<const nlohmann::json::parse_error*>(&e);
      const std::size_t at = pe != nullptr && pe->byte > 0 ? pe->byte - 1 : 0;
      std::string why;
      append_clean_text_cut(why, e.what(), 200);
      return std::pair<std::size_t, std::string>{std::min(at, line.size()),
                                                 "not valid JSON: " + why};
    }
    if (!j.is_object())
      return std::pair<std::size_t, std::string>{0, "a JSON line must be an object"};
    const auto field = [&](const char* name, std::string& out,
                           bool& present) -> std::optional<std::string> {
      present = false;
      const auto it = j.find(name);
      if (it == j.end())
        return std::nullopt;
      if (!it->is_string())
        return std::string("\"") + name + "\" must be a string";
      out = it->get<std::string>();
      present = true;
      return std::nullopt;
    };
    bool present = false;
    if (auto e = field("prompt", s.prompt, present))
      return std::pair<std::size_t, std::string>{0, *e};
    if (!present)
      return std::pair<std::size_t, std::string>{0, "the JSON object has no \"prompt\""};
    std::string completion;
    if (auto e = field("completion", completion, present))
      return std::pair<std::size_t, std::string>{0, *e};
    if (present)
      s.completion = completion;
    if (auto e = field("model", s.model, present))
      return std::pair<std::size_t, std::string>{0, *e};
    if (auto e = field("family", s.family, present))
      return std::pair<std::size_t, std::string>{0, *e};
    return std::nullopt;
  }
  if (const std::size_t tab = line.find('\t'); tab != std::string_view::npos) {
    s.prompt = line.substr(0, tab);
    s.completion = std::string(line.substr(tab + 1));
  } else if (const std::size_t lt = line.find('<'); lt != std::string_view::npos) {
    s.prompt = line.substr(0, lt);
    s.completion = std::string(line.substr(lt));
  } else {
    s.prompt = line;
  }
  return std::nullopt;
}

/// Parses a line number: plain decimal digits, at least 1.
inline std::optional<std::size_t> parse_line_number(std::string_view s) {
  if (s.empty() || s.size() > 18)
    return std::nullopt;
  std::size_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9')
      return std::nullopt;
    v = v * 10 + static_cast<std::size_t>(c - '0');
  }
  return v == 0 ? std::nullopt : std::optional<std::size_t>(v);
}

/// Runs `searchtrace show`; returns the exit code.
inline int run_show(const ShowCommandOptions& o) {
  if (o.prompt && !o.files.empty()) {
    eprint("searchtrace show: give either --prompt or a FILE, not both\n");
    return exit_usage;
  }
  if (o.completion && !o.prompt) {
    eprint("searchtrace show: --completion needs --prompt\n");
    return exit_usage;
  }
  if (o.files.size() > 1) {
    eprint("searchtrace show: one FILE at most (it shows one sample)\n");
    return exit_usage;
  }
  const auto wanted = parse_line_number(o.line);
  if (!wanted) {
    eprint("searchtrace show: --line: expected a line number (1, 2, ...), got '{}'\n",
           visible_bytes(o.line));
    return exit_usage;
  }
  if (o.format == ShowFormat::html && o.layout == ShowLayout::dot && !graphviz_installed()) {
    eprint("searchtrace show: --layout dot: Graphviz's dot is not on PATH (install graphviz, or "
           "use --layout circle)\n");
    return exit_usage;
  }

  Diagnostics diag;
  Output out(o.output);
  ShowSample sample;
  LineRef where;
  std::string origin;
  bool found = false;
  std::optional<std::pair<std::size_t, std::string>> problem;
  if (o.prompt) {
    sample.prompt = *o.prompt;
    sample.completion = o.completion;
    found = true;
  } else {
    std::size_t lines = 0;
    for_each_input_line(
        o.files, diag,
        [&](const LineRef& at, std::string_view line) {
          lines = at.line;
          if (found || at.line != *wanted)
            return;
          found = true;
          where = at;
          if (at.too_long != 0)
            problem = std::pair<std::size_t, std::string>{0, too_long_message(at, o.max_line)};
          else
            problem = read_show_line(line, sample);
        },
        [] {}, o.max_line);
    if (diag.has_fatal()) {
      out.finish(false);
      return exit_usage;
    }
    if (!found) {
      const std::string name = o.files.empty() || o.files[0] == "-" ? "stdin" : o.files[0];
      eprint("searchtrace show: --line {}: {} has {} line{}\n", *wanted, visible_bytes(name), lines,
             lines == 1 ? "" : "s");
      out.finish(false);
      return exit_usage;
    }
    origin = (o.files.empty() || o.files[0] == "-" ? std::string("stdin") : o.files[0]) +
             ", line " + std::to_string(*wanted);
  }
  if (problem) {
    diag.line_error(where, problem->first, problem->second);
    out.finish(false);
    return exit_bad_lines;
  }
  if (sample.completion && !o.strip_suffix.empty() &&
      sample.completion->size() >= o.strip_suffix.size() &&
      sample.completion->compare(sample.completion->size() - o.strip_suffix.size(),
                                 o.strip_suffix.size(), o.strip_suffix) == 0)
    sample.completion->resize(sample.completion->size() - o.strip_suffix.size());

  Prompt prompt;
  PromptParser parser;
  if (auto e = parser.parse(sample.prompt, prompt, PromptOptions{o.directed})) {
    std::string message = "prompt: byte " + std::to_string(e->offset) + ": ";
    message += prompt_error_kind_name(e->kind);
    message += ": ";
    message += e->message;
    if (o.prompt)
      eprint("searchtrace show: --prompt: byte {}: {}: {}\n", e->offset,
             prompt_error_kind_name(e->kind), e->message);
    else
      diag.line_error(where, sample.json ? 0 : e->offset, message);
    out.finish(false);
    return exit_bad_lines;
  }

  if (o.model)
    sample.model = *o.model;
  if (o.family)
    sample.family = *o.family;
  PictureCaption caption;
  caption.model = sample.model;
  caption.family = sample.family;
  caption.origin = origin;
  std::string reference;
  if (sample.completion) {
    caption.completion = *sample.completion;
  } else if (auto t = trace(prompt, o.search)) {
    reference = render_completion(*t);
    caption.completion = reference;
  }
  const SearchPicture pic = sample.completion
                                ? picture_completion(prompt, *sample.completion, o.search)
                                : picture_search(prompt, o.search);
  switch (o.format) {
  case ShowFormat::mermaid:
    append_mermaid(out.buffer(), prompt, pic, caption);
    break;
  case ShowFormat::dot: {
    DotOptions d;
    d.algorithm = algorithm_name(o.search.algorithm);
    append_dot(out.buffer(), prompt, pic, caption, d);
    break;
  }
  case ShowFormat::html: {
    PageOptions page;
    page.search = o.search;
    page.prompt.directed = o.directed;
    std::string layout_problem;
    if (o.layout == ShowLayout::dot || (o.layout == ShowLayout::automatic && graphviz_installed()))
      page.layout = [&](const std::string& dot) -> std::optional<std::string> {
        GraphvizRun r = run_graphviz(dot);
        if (!r.svg || !r.problem.empty())
          layout_problem = r.problem.empty() ? "dot failed" : r.problem;
        return r.svg;
      };
    std::optional<std::string_view> completion;
    if (sample.completion)
      completion = *sample.completion;
    append_trace_page(out.buffer(), prompt, completion, page, caption);
    if (!layout_problem.empty()) {
      std::string clean;
      append_clean_text_cut(clean, layout_problem, 300);
      if (o.layout == ShowLayout::dot) {
        eprint("searchtrace show: Graphviz: {}\n", clean);
        out.finish(false);
        return exit_usage;
      }
      eprint("searchtrace show: Graphviz: {} (drawn with the fixed layout instead)\n", clean);
    }
    break;
  }
  }
  out.finish();
  return exit_ok;
}

inline constexpr std::string_view show_help_footer = R"(
Draws one sample: its graph, the search, and for a model's completion its errors where they
happen (docs/pictures.md). The sample is --prompt P [--completion C], or line N (--line,
default 1) of FILE or stdin, in any of these forms:
    prompt+completion                    as 'searchtrace generate' writes text
    prompt<TAB>completion                as 'searchtrace check' reads
    {"prompt": ..., "completion": ...}   JSONL; optional "model" and "family" are shown
    prompt                               a prompt alone: the reference search is drawn
The completion is judged against the reference of the search options, as by 'check'.

Formats:
  mermaid  the blog post's flowchart: the graph, edges grouped by their smaller end, the
           answer path as ===> (the completion's own path when one is given; a step along
           no edge as -.->); model, family, sample and verdict as %% comment lines
  dot      Graphviz: expansion order (#k), the frontier at the end (qk), the parent tree,
           the answer path, errors in red (invented edges dashed, wrong nodes with a thick
           border, missing neighbours dashed orange), a caption and a legend
             searchtrace show --format dot --line 3 outputs.jsonl | dot -Tsvg > s.svg
  html     one self-contained page (no network) that steps through the completion (and
           the reference) token by token with the queue/stack and the expanded set; the
           graph is laid out by Graphviz's dot when installed (--layout auto), else on a
           fixed circle
Every byte from the input is escaped in every format.

A line that cannot be read or whose prompt does not parse is reported as
'line N, offset K: message' (exit 1, no output); a line number beyond the input, an
unreadable FILE or --layout dot without Graphviz exit 2. An unreachable target is drawn.

Examples:
  searchtrace show --prompt '1,3|2,4|1,2|0,1|0,2|3,4/0,4'
  searchtrace show --format html --line 7 outputs.jsonl -o sample7.html)";

/// Registers `searchtrace show`; its exit code goes to `status`.
void add_show_command(CLI::App& app, int& status) {
  auto o = std::make_shared<ShowCommandOptions>();
  CLI::App* sub = app.add_subcommand(
      "show", "Draw one sample: Mermaid, Graphviz DOT, or an HTML page stepping through it");
  add_enum_option(*sub, "--format", o->format, show_format_choices,
                  "mermaid (the seed's flowchart), dot (Graphviz) or html (step-through page)");
  add_enum_option(*sub, "--layout", o->layout, show_layout_choices,
                  "html: lay the graph out with Graphviz (dot), a fixed circle, or dot when "
                  "installed (auto)");
  sub->add_option("--prompt", o->prompt, "The sample's prompt (instead of a FILE line)")
      ->type_name("P");
  sub->add_option("--completion", o->completion, "With --prompt: a completion to judge and draw")
      ->type_name("C");
  sub->add_option("--model", o->model,
                  "The model name shown in the picture (default: the record's)")
      ->type_name("NAME");
  sub->add_option("--family", o->family,
                  "The family name shown in the picture (default: the record's)")
      ->type_name("NAME");
  sub->add_option("--line", o->line, "Which line of the input to draw (from 1)")
      ->type_name("N")
      ->default_str("1");
  add_search_options(*sub, o->search);
  add_directed_flag(*sub, o->directed);
  sub->add_option("--strip-suffix", o->strip_suffix,
                  "Remove STR from the end of the completion first (an EOS marker)")
      ->type_name("STR");
  add_max_line_option(*sub, o->max_line);
  sub->add_option("-o,--output", o->output, "Write to FILE (atomically) instead of stdout")
      ->type_name("FILE");
  sub->add_option("FILE", o->files, "Input file (default: stdin)")->type_name("");
  sub->footer(std::string(show_help_footer));
  sub->callback([o, &status] { status = run_guarded("show", [&] { return run_show(*o); }); });
}

} // namespace searchtrace::cli
