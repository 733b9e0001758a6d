// Running Graphviz's `dot -Tsvg` for the HTML pictures of `show` and `eval --format html`: the
// library writes DOT text only, and the tool lays it out where Graphviz is installed.
//
// Decisions: `dot` is looked up on PATH and run directly (no shell), reading the DOT from a
// temporary file and writing SVG to a pipe; its stderr goes to another temporary file, so that
// neither pipe can fill up and block it. A `dot` that is missing, fails, prints a warning or
// writes no SVG counts as "no layout": the caller falls back to the library's fixed layout or
// reports the warning, as it chooses.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "searchtrace/page.hpp"

#if !defined(_WIN32)
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
extern char** environ;
#endif

namespace searchtrace::cli {

/// How a run of Graphviz went.
struct GraphvizRun {
  std::optional<std::string> svg; // the SVG, when dot exited 0 and wrote one
  std::string problem;            // why not, or dot's warnings (empty when all went well)
};

/// Whether an executable `dot` is on PATH.
inline bool graphviz_installed() {
#if defined(_WIN32)
  return false;
#else
  const char* path = std::getenv("PATH");
  std::string_view rest = path != nullptr ? path : "/usr/bin:/bin";
  while (true) {
    const std::size_t colon = rest.find(':');
    const std::string dir(rest.substr(0, colon));
    const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/dot";
    if (::access(candidate.c_str(), X_OK) == 0)
      return true;
    if (colon == std::string_view::npos)
      return false;
    rest.remove_prefix(colon + 1);
  }
#endif
}

/// Runs `dot -Tsvg` on `dot_text`.
inline GraphvizRun run_graphviz(const std::string& dot_text) {
  GraphvizRun r;
#if defined(_WIN32)
  (void)dot_text;
  r.problem = "Graphviz is not supported on this platform";
  return r;
#else
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) {
    r.problem = "no temporary directory: " + ec.message();
    return r;
  }
  std::string in_name = (dir / "searchtrace-dot-XXXXXX").string();
  std::string err_name = (dir / "searchtrace-err-XXXXXX").string();
  const int in_fd = ::mkstemp(in_name.data());
  if (in_fd < 0) {
    r.problem = std::string("cannot create a temporary file: ") + std::strerror(errno);
    return r;
  }
  const int err_fd = ::mkstemp(err_name.data());
  if (err_fd < 0) {
    r.problem = std::string("cannot create a temporary file: ") + std::strerror(errno);
    ::close(in_fd);
    ::unlink(in_name.c_str());
    return r;
  }
  const auto cleanup = [&] {
    ::close(in_fd);
    ::close(err_fd);
    ::unlink(in_name.c_str());
    ::unlink(err_name.c_str());
  };
  for (std::size_t at = 0; at < dot_text.size();) {
    const ssize_t k = ::write(in_fd, dot_text.data() + at, dot_text.size() - at);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0) {
      r.problem = std::string("cannot write a temporary file: ") + std::strerror(errno);
      cleanup();
      return r;
    }
    at += static_cast<std::size_t>(k);
  }
  int out_pipe[2];
  if (::pipe(out_pipe) != 0) {
    r.problem = std::string("cannot make a pipe: ") + std::strerror(errno);
    cleanup();
    return r;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::string arg0 = "dot", arg1 = "-Tsvg";
  char* argv[] = {arg0.data(), arg1.data(), in_name.data(), nullptr};
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, "dot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  if (spawned != 0) {
    ::close(out_pipe[0]);
    r.problem = std::string("cannot run dot: ") + std::strerror(spawned);
    cleanup();
    return r;
  }
  std::string svg;
  char buf[1 << 14];
  for (;;) {
    const ssize_t k = ::read(out_pipe[0], buf, sizeof buf);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      break;
    svg.append(buf, static_cast<std::size_t>(k));
  }
  ::close(out_pipe[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string errors;
  if (::lseek(err_fd, 0, SEEK_SET) == 0)
    for (;;) {
      const ssize_t k = ::read(err_fd, buf, sizeof buf);
      if (k <= 0 || errors.size() > 4096)
        break;
      errors.append(buf, static_cast<std::size_t>(k));
    }
  cleanup();
  while (!errors.empty() && (errors.back() == '\n' || errors.back() == '\r'))
    errors.pop_back();
  r.problem = errors;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (r.problem.empty())
      r.problem = "dot failed";
    return r;
  }
  if (svg.find("<svg") == std::string::npos) {
    r.problem = "dot wrote no SVG";
    return r;
  }
  r.svg = std::move(svg);
  return r;
#endif
}

/// The layout of the HTML pages: Graphviz's when `dot` is installed (a run that fails or warns
/// gives nothing, and the page falls back to the library's fixed layout), else none.
inline GraphLayout graphviz_layout_if_installed() {
  if (!graphviz_installed())
    return {};
  return [](const std::string& dot) -> std::optional<std::string> {
    GraphvizRun r = run_graphviz(dot);
    if (!r.problem.empty())
      return std::nullopt;
    return std::move(r.svg);
  };
}

} // namespace searchtrace::cli
