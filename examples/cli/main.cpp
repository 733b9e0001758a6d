// `searchtrace`: the command-line tool. Each subcommand lives in its own <name>_command.cpp and
// registers itself with `add_<name>_command(app, status)` (declared in commands.hpp; see
// cli_common.hpp for the shared conventions); adding one is a declaration, a source file in
// CMakeLists.txt and its call here.
#include <string>

#include <CLI/CLI.hpp>

#include "cli_common.hpp"
#include "searchtrace/version.hpp"

#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace searchtrace::cli;
  open_closed_standard_descriptors(); // before anything opens a file

  CLI::App app{"searchtrace: synthesize, trace and check BFS/DFS search traces (format and "
               "semantics: docs/reference.md)",
               "searchtrace"};
  app.set_version_flag("--version", std::string(searchtrace::version));
  app.require_subcommand(1);
  app.footer("Run 'searchtrace <command> --help' for a command's options and behaviour.\n"
             "Exit codes: 0 ok, 1 some input lines bad (reported on stderr), 2 usage or I/O "
             "error.");

  int status = exit_ok; // set by the subcommand that runs
  add_trace_command(app, status);
  add_generate_command(app, status);
  add_check_command(app, status);
  add_eval_command(app, status);
  add_show_command(app, status);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return finish_parse(app, e);
  }
  return status;
}
