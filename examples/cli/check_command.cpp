// `searchtrace check`: one verdict per input line (`prompt<TAB>completion` or a JSON object),
// in order, as the caret diagnostic or as JSON. Lines are read by searchtrace/record.hpp, which
// also writes the JSON verdict record; this file parses options, judges and writes.
//
// Decisions (also in `searchtrace check --help`):
//   * Every input line gets exactly one verdict, so output and input stay aligned; nothing
//     aborts the run but a usage or I/O error (exit 2).
//   * A line that cannot be read (empty, no tab, bad JSON, a missing field, longer than
//     --max-line-bytes) or whose prompt does not parse is a verdict with ONE `syntax` error at
//     offset 0, expansion 0 (offsets are about the completion, and there is no completion to
//     point into): its message is "input line: byte K: <record error kind>: ..." or
//     "prompt: byte K: <prompt error kind>: ..." and names the byte of the problem in the line
//     or in the prompt; the text output puts the caret under that line or prompt (a line too
//     long to keep has no caret line). The JSON shape is the same for every verdict.
//   * JSON verdicts carry the verdict's keys, then "file" (with FILE arguments), "line" and the
//     record's "id", "model" and "family" when it has them (append_verdict_record), so that
//     they join back to their samples without counting lines.
//   * Text output: a valid completion is `line N: ok`; an invalid one is the first error's caret
//     diagnostic whose header line starts with `line N: `, and a summary line `  = ...` listing
//     the errors; `--all-errors` gives every error its caret diagnostic, each header starting
//     with `line N: `. So `grep '^line'` has one line per error shown, and every other line of
//     the output is indented. With FILE arguments the prefix is `FILE: line N: `.
//   * The classifier keeps at most 1000 errors per verdict (Classifier::max_errors); the summary
//     says so when it stopped there.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "cli_common.hpp"
#include "commands.hpp"
#include "searchtrace/classify.hpp"
#include "searchtrace/diagnostic.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/record.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/verdict.hpp"
#include "state_output.hpp"

namespace searchtrace::cli {

struct CheckCommandOptions {
  SearchOptions search;
  bool directed = false;
  bool json = false;
  bool all_errors = false;
  std::string strip_suffix;
  std::size_t max_line = default_max_line_bytes;
  std::string output; // "" or "-": stdout
  std::vector<std::string> files;
  std::string state;              // --state FILE: the per-token state of each completion
  std::string vocab = "standard"; // of --state
  Label label_space = 50;         // of --state
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
  const auto on_stdout = [](const std::string& path) { return path.empty() || path == "-"; };
  if (!o.state.empty() && (on_stdout(o.state) ? on_stdout(o.output) : o.state == o.output)) {
    eprint("searchtrace check: error: --state {} and the verdicts would go to the same place: "
           "give each its own (-o FILE)\n",
           printable(o.state));
    return exit_usage;
  }
  Diagnostics diag;
  Output out(o.output);
  // --state: the rows of each line (dense: the frontier's order and the parents are kept).
  std::optional<Output> state_out;
  std::optional<Vocabulary> vocab;
  StateRows rows;
  if (!o.state.empty()) {
    vocab = Vocabulary::preset(o.vocab, o.label_space);
    rows.layout = StateLayout::dense;
    rows.label_space = o.label_space;
    state_out.emplace(o.state);
  }
  // Reused across lines: the reader, the classifier, the prompt and the parser keep their
  // buffers.
  RecordReader reader(o.strip_suffix);
  SampleRecord record;
  PromptParser prompt_parser;
  Prompt prompt;
  Classifier classifier;
  Verdict unreadable;      // the verdict of a line that cannot be judged
  std::string state_error; // why a line has no state rows
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
        const SampleRecord* read = nullptr; // the record, once the line is read
        std::string_view caret_text;
        std::size_t caret_at = 0;
        Deviation& u = unreadable.errors[0];
        u.kind = ErrorKind::syntax;
        u.offset = 0;
        u.expansion = 0;
        if (at.too_long != 0) {
          u.message = fmt::format(
              "input line: byte {}: too_long: the line has {} bytes, more than --max-line-bytes "
              "{}; not read",
              o.max_line, at.too_long, o.max_line);
        } else if (auto e = reader.read(line, record)) {
          u.message = fmt::format("input line: byte {}: {}: {}", e->offset,
                                  record_error_kind_name(e->kind), e->message);
          caret_text = line;
          caret_at = e->offset;
        } else {
          read = &record;
          if (auto p = prompt_parser.parse(record.prompt, prompt, prompt_options)) {
            u.message = fmt::format("prompt: byte {}: {}: {}", p->offset,
                                    prompt_error_kind_name(p->kind), p->message);
            caret_text = record.prompt;
            caret_at = p->offset;
          } else if (!state_out) {
            v = &classifier.classify(prompt, record.completion, o.search);
          } else {
            // The verdict comes from the labelled replay: one replay per line, as without.
            rows.clear();
            try {
              v = &label_completion(rows, classifier, prompt, record.completion, o.search, &*vocab,
                                    true);
            } catch (const std::out_of_range& e) { // a label beyond --label-space
              rows.clear();
              state_error = e.what();
              v = &classifier.classify(prompt, record.completion, o.search);
            }
          }
        }
        if (state_out) {
          if (v == &unreadable && state_error.empty())
            state_error = u.message;
          std::size_t prompt_rows = 0;
          while (prompt_rows < rows.rows() &&
                 rows.phase[prompt_rows] == static_cast<std::int8_t>(Phase::prompt))
            ++prompt_rows;
          append_state_record(state_out->buffer(), rows, prompt_rows,
                              RecordOrigin{at.file, at.line}, read, state_error);
          state_out->maybe_flush();
          rows.clear();
          state_error.clear();
        }
        if (!v->valid)
          any_invalid = true;

        if (o.json) {
          append_verdict_record(buf, *v, RecordOrigin{at.file, at.line}, read);
          buf += '\n';
        } else if (v->valid) {
          detail::append_line_prefix(buf, at);
          buf += v->exact ? "ok\n" : "ok (not exact)\n";
        } else if (v == &unreadable) {
          Deviation shown = u;
          shown.offset = caret_at;
          detail::append_line_prefix(buf, at);
          const std::string diagnostic = render_diagnostic(shown, caret_text);
          if (at.too_long != 0) // nothing of the line was kept: the header alone
            buf.append(diagnostic, 0, diagnostic.find('\n') + 1);
          else
            buf += diagnostic;
          detail::append_verdict_summary(buf, *v, false);
        } else {
          const std::size_t shown = o.all_errors ? v->errors.size() : 1;
          for (std::size_t i = 0; i < shown; ++i) {
            detail::append_line_prefix(buf, at);
            buf += render_diagnostic(v->errors[i], record.completion);
          }
          detail::append_verdict_summary(buf, *v, v->errors_capped);
        }
        out.maybe_flush();
      },
      [&] {
        out.flush();
        if (state_out)
          state_out->flush();
      },
      o.max_line);

  if (state_out)
    state_out->finish(!diag.has_fatal());
  out.finish(!diag.has_fatal());
  if (diag.has_fatal())
    return exit_usage;
  return any_invalid ? exit_bad_lines : exit_ok;
}

inline constexpr std::string_view check_help_footer = R"(
Reads one sample per line from each FILE in turn, or from stdin when no FILE is given
('-' names stdin): either
    prompt<TAB>completion
or a JSON object with string fields "prompt" and "completion" (optional: "model" and
"family", strings, and "id", a string or a number; other fields are ignored), and judges
the completion against the prompt's reference search (docs/reference.md, 'Error kinds'),
with the same options as 'searchtrace trace'. One verdict per input line, in order.

Text output (default):
    line N: ok
  or the first error's caret diagnostic and a summary of all errors:
    line N: error[queue/frontier_order]: expanded 2 while 1 is at the front of the queue
      <0,(1,2),2,(1,4)-4,2,0>=0,2,4
               ^
      = 1 error; answer correct
  (with --all-errors, every error's diagnostic; with FILE arguments the prefix is
  'FILE: line N: '). Offsets are byte offsets in the completion, 0 = its '<'.

--json: one JSON object per input line, keys in this order:
  {"valid":bool,"exact":bool,"answer_correct":bool,
   "first_error":{"kind","category","offset","expansion","message"} or null,
   "errors":[{"kind","category","offset","expansion","message"},...],
   "file":"FILE" (only with FILE arguments; '<stdin>' for '-'),"line":N (1-based, per file),
   "id":... (as written in the input),"model":"...","family":"..." (each only when the
   input record has it)}

A line that cannot be read or whose prompt does not parse is a verdict with one 'syntax'
error at offset 0 whose message is 'input line: byte K: <kind>: ...' (kinds: empty_line,
no_tab, json_syntax, bad_utf8, too_deep, not_an_object, missing_field, wrong_type,
too_long) or 'prompt: byte K: <prompt error kind>: ...'. JSON is read strictly (RFC 8259;
numbers of any size accepted, nesting up to 512 levels; a repeated key: the last wins).
A line longer than --max-line-bytes is not read (too_long). At most 1000 errors are kept
per verdict. CRLF line ends and a missing final newline are accepted.

--state FILE: one JSON object per input line, in the same order, with the search state
after each token of the sample (prompt and completion, up to the completion's first syntax
error) in --vocab ids over labels 0..--label-space - 1:
  {"file":"FILE" (with FILE arguments),"line":N,"id":... (when the record has one),
   "rows":R,"completion_start":K (row of '<'),"error":null or why there are no rows,
   "ids":[R ids],"phase":[R: 0 prompt, 1 exploration, 2 backtrack, 3 answer],
   "current":[R: the node being expanded or -1],"frontier":[R lists, in expansion order],
   "expanded":[R lists],"parent":[R lists of [node,parent]]}
Details and alignment with the token ids: docs/state.md.

Exit codes: 0 every completion valid; 1 some not (or some lines unreadable); 2 usage
error, unreadable FILE or unwritable -o FILE (checked before anything is read) or write
error.

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
  add_max_line_option(*sub, o->max_line);
  sub->add_option("-o,--output", o->output, "Write to FILE (atomically) instead of stdout")
      ->type_name("FILE");
  CLI::Option* state =
      sub->add_option("--state", o->state,
                      "Also write each completion's per-token search state as JSON lines to FILE "
                      "(docs/state.md)")
          ->type_name("FILE");
  sub->add_option("--vocab", o->vocab, "Token ids of --state")
      ->check(CLI::IsMember({"standard", "numeral", "numeral-eot"}).description(""))
      ->type_name("standard|numeral|numeral-eot")
      ->capture_default_str()
      ->needs(state);
  sub->add_option("--label-space", o->label_space,
                  "Labels of --state: nodes 0..L-1 (the vocabulary's, as in training)")
      ->check(CLI::Range(Label{1}, Label{32768}).description(""))
      ->capture_default_str()
      ->type_name("L")
      ->needs(state);
  sub->add_option("FILE", o->files, "Input files, one sample per line (default: stdin)")
      ->type_name("");
  sub->footer(std::string(check_help_footer));
  sub->callback([o, &status] { status = run_guarded("check", [&] { return run_check(*o); }); });
}

} // namespace searchtrace::cli
