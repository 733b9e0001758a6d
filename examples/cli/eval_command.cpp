// `searchtrace eval`: the seed's kind of table (rows = models, columns = families) from model
// outputs, one JSON object per line with "prompt", "completion" and optional "model" and
// "family" (a `prompt<TAB>completion` line is read too, as model "default", family "-").
//
// The metrics, the table and its three formats are the library's (searchtrace/eval.hpp, which
// defines them); lines are read by searchtrace/record.hpp. This file parses options, reads lines
// and reports the ones that cannot be evaluated.
//
// Decisions: a line that cannot be evaluated (unreadable, a prompt that does not parse, a target
// the source cannot reach: there is no reference, longer than --max-line-bytes) is reported on
// stderr as `line N, offset K: message` (K: the byte in the line, and the message starts with the
// record error kind; for a prompt problem K is 0 and the message says "prompt: byte B: <kind>:",
// since a JSON-escaped prompt has no simple position in its line), left out of the table, and makes
// the exit code 1; an empty line is skipped silently (JSONL files often end with one). The output
// file (-o) is created before any input is read, so an unwritable one fails the run at once (exit
// 2).

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "cli_common.hpp"
#include "commands.hpp"
#include "graphviz.hpp"
#include "searchtrace/eval.hpp"
#include "searchtrace/record.hpp"
#include "searchtrace/report.hpp"
#include "searchtrace/search.hpp"

namespace searchtrace::cli {

enum class EvalFormat : std::uint8_t { markdown, csv, json, html };

inline constexpr std::array<Choice<EvalFormat>, 4> eval_format_choices{
    {{"markdown", EvalFormat::markdown},
     {"csv", EvalFormat::csv},
     {"json", EvalFormat::json},
     {"html", EvalFormat::html}}};

/// The largest K of --seed-metric: the tables have a column per position.
inline constexpr std::size_t max_seed_metric_tokens = 1000;

struct EvalCommandOptions {
  SearchOptions search;
  bool directed = false;
  EvalFormat format = EvalFormat::markdown;
  std::string strip_suffix;
  std::size_t max_line = default_max_line_bytes;
  std::string output; // "" or "-": stdout
  std::vector<std::string> files;
  std::size_t seed_metric = 0; // K of the seed's metric; 0: off
};

/// Runs `searchtrace eval`; returns the exit code.
inline int run_eval(const EvalCommandOptions& o) {
  Diagnostics diag;
  Output out(o.output); // before reading: an unwritable -o fails now, not after all the input
  RecordReader reader(o.strip_suffix);
  SampleRecord record;
  Evaluator evaluator(EvalOptions{o.search, PromptOptions{o.directed}, o.seed_metric});
  EvalReport report(
      {{o.search, PromptOptions{o.directed}, 0},
       3,
       16384,
       o.format == EvalFormat::html ? graphviz_layout_if_installed() : GraphLayout{}});
  for_each_input_line(
      o.files, diag,
      [&](const LineRef& at, std::string_view line) {
        if (at.too_long != 0)
          return diag.line_error(at, 0, too_long_message(at, o.max_line));
        if (line.empty())
          return;
        if (auto e = reader.read(line, record))
          return diag.line_error(
              at, e->offset, fmt::format("{}: {}", record_error_kind_name(e->kind), e->message));
        // The report records what it needs besides the table (it skips what add rejects).
        if (o.format == EvalFormat::html)
          (void)report.add(record, at.file == "<stdin>" ? std::string_view() : at.file, at.line);
        if (auto e = evaluator.add(record)) {
          diag.line_error(at, 0,
                          fmt::format("prompt: byte {}: {}{}", e->offset,
                                      e->kind == EvalErrorKind::unreachable ? "unreachable: " : "",
                                      e->message));
        }
      },
      [] {}, o.max_line);

  if (diag.has_fatal()) {
    out.finish(false);
    return exit_usage;
  }
  switch (o.format) {
  case EvalFormat::markdown:
    append_eval_markdown(out.buffer(), evaluator.table());
    break;
  case EvalFormat::csv:
    append_eval_csv(out.buffer(), evaluator.table());
    break;
  case EvalFormat::json:
    append_eval_json(out.buffer(), evaluator.table(), o.search);
    break;
  case EvalFormat::html:
    append_eval_html(out.buffer(), evaluator.table(), report);
    break;
  }
  out.finish();
  return diag.exit_code();
}

inline constexpr std::string_view eval_help_footer = R"(
Reads model outputs, one JSON object per line, from each FILE in turn or from stdin:
    {"prompt": "1,3|2,4|1,2|0,1|0,2|3,4/0,4", "completion": "<0,(1,2),...",
     "model": "6x8", "family": "G15_2_4"}
("model" defaults to "default", "family" to "-"; other fields are ignored; a
prompt<TAB>completion line is read too) and prints, for each model (rows) on each
family (columns), as in the seed's table:
  exact match     the whole completion, untruncated, equals the reference token for token
  valid           no error at all (docs/reference.md, 'Error kinds')
  answer accuracy the answer path is correct (a shortest path for BFS, the reference
                  path for DFS)
  token accuracy  position-wise against the reference, commas excluded: the share of the
                  reference's tokens R[i] with C[i] == R[i], C = the completion's tokens up
                  to its first unreadable byte; averaged over samples
  first error     over invalid completions: mean byte offset (0 = '<') and mean expansion
                  index of the first error, and the share of each error category
Rows and columns follow the order of first appearance; '-' marks an empty cell.

--seed-metric[=K] adds the metric of the seed's training code (K = 50 as it scores, at
most 1000; give K as --seed-metric=K). Its prompt ends with '<', so the target is the
completion's tokens after '<' (commas dropped), cut to K. Beside the untruncated exact
match it prints
  exact match (first K tokens)  the first min(K, reference length) target tokens
                  match; the end of the completion is not checked, nor anything past
                  token K (on G20_5_6 the answer lies past token 50, so a wrong answer
                  can score 100%)
  token i         for each position i < K: the share of the samples whose reference
                  reaches i that match there ('-' where none does)
(markdown: its own table; csv: columns seed_k, seed_exact, seed_token_accuracy_<i>;
json: "seed_metric" in each cell). See docs/training.md.

Formats: markdown (default; percentages), csv (one row per model and family, fractions
in [0,1], empty field where undefined), json (the same, null where undefined).
Markdown switches to a long layout (one row per model and family with samples, all
metrics as columns; its first line says why) when there are more than 16 families or
more than half of the models x families cells would be empty, so the output stays
proportional to the input.

JSON lines are read strictly (RFC 8259) and never abort the run: numbers of any size are
accepted in any field. A line that cannot be evaluated (unreadable, a bad prompt, an
unreachable target, longer than --max-line-bytes) is reported on stderr as
'line N, offset K: <kind>: message' (the kinds of 'searchtrace check --help', or
'prompt: byte B: <prompt error kind>: ...') and left out; empty lines are skipped.

Exit codes: 0 every line evaluated; 1 some lines left out; 2 usage error, unreadable FILE,
unwritable -o FILE (both checked before any input is read) or write error. With -o, the
file appears only when the run completes.

Example:
  searchtrace eval --format csv outputs.jsonl > table.csv)";

/// Registers `searchtrace eval`; its exit code goes to `status`.
void add_eval_command(CLI::App& app, int& status) {
  auto o = std::make_shared<EvalCommandOptions>();
  CLI::App* sub = app.add_subcommand(
      "eval", "Tabulate model outputs: exact match, valid, answer and token accuracy, first "
              "errors, per model and family");
  add_search_options(*sub, o->search);
  add_directed_flag(*sub, o->directed);
  add_enum_option(*sub, "--format", o->format, eval_format_choices,
                  "Table format: markdown, csv, json or html (a report page)");
  sub->add_option("--strip-suffix", o->strip_suffix,
                  "Remove STR from the end of each completion first (an EOS marker)")
      ->type_name("STR");
  add_max_line_option(*sub, o->max_line);
  sub->add_flag("--seed-metric{50}", o->seed_metric,
                "Also score as the seed's training code: exact match of the first K target "
                "tokens (default 50) and token accuracy by position")
      ->check(CLI::Validator(
          [](std::string& k) -> std::string {
            const std::string_view d(k);
            if (d.empty() || d.size() > 4 || d.find_first_not_of("0123456789") != d.npos ||
                std::stoul(k) < 1 || std::stoul(k) > max_seed_metric_tokens)
              return "K must be a number of tokens from 1 to " +
                     std::to_string(max_seed_metric_tokens) + ", got '" + k + "'";
            return {};
          },
          ""))
      ->type_name("[=K]");
  sub->add_option("-o,--output", o->output, "Write to FILE (atomically) instead of stdout")
      ->type_name("FILE");
  sub->add_option("FILE", o->files, "Input files, one JSON object per line (default: stdin)")
      ->type_name("");
  sub->footer(std::string(eval_help_footer));
  sub->callback([o, &status] { status = run_guarded("eval", [&] { return run_eval(*o); }); });
}

} // namespace searchtrace::cli
