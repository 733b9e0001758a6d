// The subcommands of `searchtrace`, one per <name>_command.cpp. Each registers itself with
// `add_<name>_command(app, status)`: a CLI11 subcommand whose callback runs the command and
// stores its exit code in `status` (see cli_common.hpp for the conventions they share).
#pragma once

#include <CLI/CLI.hpp>

namespace searchtrace::cli {

void add_trace_command(CLI::App& app, int& status);
void add_generate_command(CLI::App& app, int& status);
void add_check_command(CLI::App& app, int& status);
void add_eval_command(CLI::App& app, int& status);
void add_show_command(CLI::App& app, int& status);

} // namespace searchtrace::cli
