// `searchtrace check`: one verdict per input line (`prompt<TAB>completion` or a JSON object),
// in order, as the caret diagnostic or as JSON.
//
// Decisions (also in `searchtrace check --help`):
//   * Every input line gets exactly one verdict, so output and input stay aligned; nothing
//     aborts the run but a usage or I/O error (exit 2).
//   * A line that cannot be read (empty, no tab, bad JSON, a missing field) or whose prompt does
//     not parse is a verdict with ONE `syntax` error at offset 0, expansion 0 (offsets are about
//     the completion, and there is no completion to point into): its message starts with
//     "input line: " or "prompt: " and names the byte of the problem in the line or in the
//     prompt; the text output puts the caret under that line or prompt. The JSON shape is the
//     same for every verdict.
//   * Text output: a valid completion is `line N: ok`; an invalid one is the first error's caret
//     diagnostic whose header line starts with `line N: `, and a summary line `  = ...` listing
//     the errors; `--all-errors` gives every error its caret diagnostic, each header starting
//     with `line N: `. So `grep '^line'` has one line per error shown, and every other line of
//     the output is indented. With FILE arguments the prefix is `FILE: line N: `.
//   * The classifier keeps at most 1000 errors per verdict (Classifier::max_errors); the summary
//     says so when it stopped there.

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "cli_common.hpp"
#include "commands.hpp"
#include "sample_line.hpp"
#include "searchtrace/classify.hpp"
#include "searchtrace/diagnostic.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/verdict.hpp"

namespace searchtrace::cli {

struct CheckCommandOptions {
  SearchOptions search;
  bool directed = false;
  bool json = false;
  bool all_errors = false;
  std::string strip_suffix;
  std::string output; // "" or "-": stdout
  std::vector<std::string> files;
};

namespace detail {

/// `FILE: line N: ` or `line N: `.
inline void append_line_prefix(std::string& out, const LineRef& at) {
  if (!at.file.empty()) {
    out += at.file;
    out += ": ";
  }
  out += "line ";
  out += std::to_string(at.line);
  out += ": ";
}

/// `  = 3 errors: frontier_order at 9, missing_neighbor at 14, ...; answer correct`.
inline void append_verdict_summary(std::string& out, const Verdict& v, bool capped) {
  constexpr std::size_t listed = 8;
  out += "  = ";
  out += std::to_string(v.errors.size());
  if (capped)
    out += '+';
  out += v.errors.size() == 1 && !capped ? " error" : " errors";
  if (v.errors.size() > 1) {
    out += ": ";
    for (std::size_t i = 0; i < v.errors.size() && i < listed; ++i) {
      if (i > 0)
        out += ", ";
      out += error_kind_name(v.errors[i].kind);
      out += " at ";
      out += std::to_string(v.errors[i].offset);
    }
    if (v.errors.size() > listed)
      out += ", ...";
  }
  if (capped)
    out += " (the classifier stops at " + std::to_string(v.errors.size()) + ")";
  out += v.answer_correct ? "; answer correct\n" : "; answer wrong\n";
}

} // namespace detail

/// Runs `searchtrace check`; returns the exit code.
inline int run_check(const CheckCommandOptions& o) {
  Diagnostics diag;
  Output out(o.output);
  // Reused across lines: the classifier, the prompt and the parser keep their buffers.
  PromptParser prompt_parser;
  Prompt prompt;
  Classifier classifier;
  SampleLine sample;
  Verdict unreadable; // the verdict of a line that cannot be judged
  unreadable.errors.resize(1);
  const PromptOptions prompt_options{o.directed};
  bool any_invalid = false;

  for_each_input_line(
      o.files, diag,
      [&](const LineRef& at, std::string_view line) {
        std::string& buf = out.buffer();
        // Either the classifier's verdict, or a syntax verdict with a caret into the line or
        // the prompt.
        const Verdict* v = &unreadable;
        std::string_view caret_text;
        std::size_t caret_at = 0;
        Deviation& u = unreadable.errors[0];
        u.kind = ErrorKind::syntax;
        u.offset = 0;
        u.expansion = 0;
        if (auto problem = read_sample_line(line, sample, o.strip_suffix)) {
          u.message =
              "input line: byte " + std::to_string(problem->offset) + ": " + problem->message;
          caret_text = line;
          caret_at = problem->offset;
        } else if (auto e = prompt_parser.parse(sample.prompt, prompt, prompt_options)) {
          u.message = "prompt: byte " + std::to_string(e->offset) + ": " +
                      std::string(prompt_error_kind_name(e->kind)) + ": " + e->message;
          caret_text = sample.prompt;
          caret_at = e->offset;
        } else {
          v = &classifier.classify(prompt, sample.completion, o.search);
        }
        if (!v->valid)
          any_invalid = true;

        if (o.json) {
          append_json(buf, *v);
          buf += '\n';
        } else if (v->valid) {
          detail::append_line_prefix(buf, at);
          buf += v->exact ? "ok\n" : "ok (not exact)\n";
        } else if (v == &unreadable) {
          Deviation shown = u;
          shown.offset = caret_at;
          detail::append_line_prefix(buf, at);
          buf += render_diagnostic(shown, caret_text);
          detail::append_verdict_summary(buf, *v, false);
        } else {
          const std::size_t shown = o.all_errors ? v->errors.size() : 1;
          for (std::size_t i = 0; i < shown; ++i) {
            detail::append_line_prefix(buf, at);
            buf += render_diagnostic(v->errors[i], sample.completion);
          }
          detail::append_verdict_summary(buf, *v, v->errors_capped);
        }
        out.maybe_flush();
      },
      [&] { out.flush(); });

  out.finish(!diag.has_fatal());
  if (diag.has_fatal())
    return exit_usage;
  return any_invalid ? exit_bad_lines : exit_ok;
}

inline constexpr std::string_view check_help_footer = R"(
Reads one sample per line from each FILE in turn, or from stdin when no FILE is given
('-' names stdin): either
    prompt<TAB>completion
or a JSON object with string fields "prompt" and "completion" (other fields are ignored),
and judges the completion against the prompt's reference search (SPEC §6-7), with the
same options as 'searchtrace trace'. One verdict per input line, in order.

Text output (default):
    line N: ok
  or the first error's caret diagnostic and a summary of all errors:
    line N: error[queue/frontier_order]: expanded 2 while 1 is at the front of the queue
      <0,(1,2),2,(1,4)-4,2,0>=0,2,4
               ^
      = 1 error; answer correct
  (with --all-errors, every error's diagnostic; with FILE arguments the prefix is
  'FILE: line N: '). Offsets are byte offsets in the completion, 0 = its '<'.

--json: one JSON object per input line:
  {"valid":bool,"exact":bool,"answer_correct":bool,
   "first_error":{"kind","category","offset","expansion","message"} or null,
   "errors":[{"kind","category","offset","expansion","message"},...]}

A line that cannot be read (empty, no tab, bad JSON, a missing field) or whose prompt does
not parse is a verdict with one 'syntax' error at offset 0 whose message starts with
'input line: byte K:' or 'prompt: byte K: <prompt error kind>:'. At most 1000 errors are
kept per verdict. CRLF line ends and a missing final newline are accepted.

Exit codes: 0 every completion valid; 1 some not (or some lines unreadable); 2 usage
error, unreadable FILE (checked before anything is written) or write error.

Examples:
  printf '1,3|2,4|1,2|0,1|0,2|3,4/0,4\t<0,(1,2),2,(1,4)-4,2,0>=0,2,4\n' | searchtrace check
  searchtrace check --json --strip-suffix '<eos>' outputs.jsonl)";

/// Registers `searchtrace check`; its exit code goes to `status`.
void add_check_command(CLI::App& app, int& status) {
  auto o = std::make_shared<CheckCommandOptions>();
  CLI::App* sub = app.add_subcommand(
      "check", "Judge completions against prompts: one verdict (ok, caret diagnostic or JSON) per "
               "line");
  add_search_options(*sub, o->search);
  add_directed_flag(*sub, o->directed);
  sub->add_flag("--json", o->json, "One JSON verdict per line instead of text");
  sub->add_flag("--all-errors", o->all_errors,
                "Text output: a caret diagnostic for every error, not only the first");
  sub->add_option("--strip-suffix", o->strip_suffix,
                  "Remove STR from the end of each completion first (an EOS marker)")
      ->type_name("STR");
  sub->add_option("-o,--output", o->output, "Write to FILE (atomically) instead of stdout")
      ->type_name("FILE");
  sub->add_option("FILE", o->files, "Input files, one sample per line (default: stdin)")
      ->type_name("");
  sub->footer(std::string(check_help_footer));
  sub->callback([o, &status] { status = run_guarded("check", [&] { return run_check(*o); }); });
}

} // namespace searchtrace::cli
