// `searchtrace trace`: the reference completion of each prompt, one per line.
//
// Decisions (also in `searchtrace trace --help`):
//   * Output line i belongs to input line i, always: a bad line (a prompt error, or a target the
//     source cannot reach) writes an EMPTY line, so `paste prompts.txt completions.txt` stays
//     aligned; the problem goes to stderr and the exit code becomes 1.
//   * An empty input line writes an empty line and is not an error (blank lines at the end of a
//     hand-edited file are common); a line of spaces is a syntax error like any other byte.
//   * An unreachable target is reported at the byte offset of the query's target.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "cli_common.hpp"
#include "commands.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/render.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/trace.hpp"
#include "searchtrace/tracer.hpp"

namespace searchtrace::cli {

struct TraceCommandOptions {
  SearchOptions search;
  Rendering rendering = Rendering::compact;
  bool directed = false;
  std::size_t max_line = default_max_line_bytes;
  std::string output; // "" or "-": stdout
  std::vector<std::string> files;
};

/// Runs `searchtrace trace`; returns the exit code.
inline int run_trace(const TraceCommandOptions& o) {
  Diagnostics diag;
  Output out(o.output);
  // Reused across lines: after the first few lines nothing here allocates on the success path.
  PromptParser parser;
  Prompt prompt;
  SearchScratch state;
  Trace trace;
  const PromptOptions prompt_options{o.directed};
  std::string message;

  for_each_input_line(
      o.files, diag,
      [&](const LineRef& at, std::string_view line) {
        std::string& buf = out.buffer();
        if (at.too_long != 0) {
          diag.line_error(at, 0, too_long_message(at, o.max_line));
        } else if (!line.empty()) {
          if (auto e = parser.parse(line, prompt, prompt_options)) {
            message.clear();
            fmt::format_to(std::back_inserter(message), "{}: {}", prompt_error_kind_name(e->kind),
                           e->message);
            diag.line_error(at, e->offset, message);
          } else if (trace_into(trace, state, prompt.graph, prompt.query, o.search) ==
                     SearchStatus::unreachable) {
            message.clear();
            fmt::format_to(
                std::back_inserter(message), "unreachable: target {} cannot be reached from {}",
                prompt.graph.label(prompt.query.target), prompt.graph.label(prompt.query.source));
            // A parsed prompt ends with ",<target>" and has no spaces.
            diag.line_error(at, line.rfind(',') + 1, message);
          } else {
            append_completion(buf, trace, o.rendering);
          }
        }
        buf.push_back('\n');
        out.maybe_flush();
      },
      [&] { out.flush(); }, o.max_line);

  out.finish(!diag.has_fatal());
  return diag.exit_code();
}

inline constexpr std::string_view trace_help_footer = R"(
Reads one prompt per line (edges/query, e.g. 1,3|2,4|1,2|0,1|0,2|3,4/0,4) from each
FILE in turn, or from stdin when no FILE is given ('-' names stdin), and writes the
completion of each (exploration, backtrack, path), one per line, in the same order.

Output line N always belongs to input line N:
  * a bad line (a prompt error, or a target the source cannot reach) writes an EMPTY
    line; the problem goes to stderr as
      line N, offset K: <kind>: <message>
    (prefixed by 'FILE: ' when FILE arguments are given; K is a byte offset from 0),
    the run goes on, and the exit code is 1;
  * an empty input line writes an empty line and is not an error;
  * a line longer than --max-line-bytes (default 64 MiB) is a bad line too: it is read
    through without being kept (memory stays bounded, even for endless input).
CRLF line ends and a missing final newline are accepted.

Prompt error kinds: syntax, truncated, number_too_large, self_loop, duplicate_edge,
unknown_query_node, trivial_query; and unreachable. The prompt format and the searches:
docs/reference.md, 'Graphs and prompts' and 'BFS and DFS'.

Exit codes: 0 every line traced; 1 some lines bad (reported on stderr); 2 usage error,
unreadable FILE (checked before anything is written) or write error. With -o, the file
appears only when the run completes (exit 0 or 1); it is never left half-written. A
replaced file keeps its permissions, a symbolic link is followed (the file it names is
replaced), and a device or FIFO is written directly.

Examples:
  printf '1,3|2,4|1,2|0,1|0,2|3,4/0,4\n' | searchtrace trace
      <0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4
  searchtrace trace --algo dfs --rendering pretty prompts.txt
  paste -d '' prompts.txt <(searchtrace trace prompts.txt)    # whole samples)";

/// Registers `searchtrace trace`; its exit code goes to `status`.
void add_trace_command(CLI::App& app, int& status) {
  auto o = std::make_shared<TraceCommandOptions>();
  CLI::App* sub = app.add_subcommand(
      "trace", "Write the reference BFS/DFS completion of each prompt, one per line");
  add_search_options(*sub, o->search);
  add_rendering_option(*sub, o->rendering);
  add_directed_flag(*sub, o->directed);
  add_max_line_option(*sub, o->max_line);
  sub->add_option("-o,--output", o->output, "Write to FILE (atomically) instead of stdout")
      ->type_name("FILE");
  sub->add_option("FILE", o->files, "Input files, one prompt per line (default: stdin)")
      ->type_name("");
  sub->footer(std::string(trace_help_footer));
  sub->callback([o, &status] { status = run_guarded("trace", [&] { return run_trace(*o); }); });
}

} // namespace searchtrace::cli
