// Runs a command with its standard descriptors set up in ways a shell test cannot portably
// arrange, for the CLI's process tests (process.cmake):
//
//   searchtrace_run_with_fds [--stdin S] [--stdout S] [--stderr S] [--data-limit-mib N]
//                            [--kill-when DIR PREFIX] -- COMMAND [ARG...]
//
// S is one of
//   inherit      (default) the harness's own descriptor
//   closed       closed before exec (the `2>&-` of a shell)
//   full         /dev/full (every write fails with ENOSPC)
//   broken-pipe  the write end of a pipe whose read end is closed (a write raises SIGPIPE)
//   out:PATH     PATH, created or truncated, for writing
//   append:PATH  PATH, created or appended to (the `>>` of a shell)
//   in:PATH      PATH for reading
// --data-limit-mib sets RLIMIT_DATA (heap, anonymous mappings, thread stacks) in the child.
// --kill-when sends SIGKILL to the child as soon as a file whose name starts with PREFIX
// appears in DIR (a run killed without a chance to clean up), waiting at most 60 seconds.
//
// Exit code: the child's, or 128 + the signal that ended it (as a shell reports it); 125 when
// the harness itself fails.
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

constexpr int harness_error = 125;

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "run_with_fds: %s\n", message.c_str());
  std::exit(harness_error);
}

// Sets up descriptor `fd` of the child as `spec` says (called between fork and exec).
void setup(int fd, const std::string& spec) {
  if (spec == "inherit")
    return;
  if (spec == "closed") {
    ::close(fd);
    return;
  }
  int source = -1;
  if (spec == "full") {
    source = ::open("/dev/full", O_WRONLY);
  } else if (spec == "broken-pipe") {
    int p[2];
    if (::pipe(p) != 0)
      _exit(harness_error);
    ::close(p[0]);
    source = p[1];
  } else if (spec.rfind("out:", 0) == 0) {
    source = ::open(spec.c_str() + 4, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  } else if (spec.rfind("append:", 0) == 0) {
    source = ::open(spec.c_str() + 7, O_WRONLY | O_CREAT | O_APPEND, 0666);
  } else if (spec.rfind("in:", 0) == 0) {
    source = ::open(spec.c_str() + 3, O_RDONLY);
  }
  if (source < 0)
    _exit(harness_error);
  if (source != fd) {
    if (::dup2(source, fd) < 0)
      _exit(harness_error);
    ::close(source);
  }
}

bool valid_spec(const std::string& s) {
  return s == "inherit" || s == "closed" || s == "full" || s == "broken-pipe" ||
         s.rfind("out:", 0) == 0 || s.rfind("append:", 0) == 0 || s.rfind("in:", 0) == 0;
}

bool has_file_with_prefix(const std::string& dir, const std::string& prefix) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename().string().rfind(prefix, 0) == 0)
      return true;
  return false;
}

} // namespace

int main(int argc, char** argv) {
  std::string specs[3] = {"inherit", "inherit", "inherit"};
  long data_limit_mib = 0;
  std::string kill_dir, kill_prefix;
  int i = 1;
  for (; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--")
      break;
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        fail("missing value after " + std::string(a));
      return argv[++i];
    };
    if (a == "--stdin" || a == "--stdout" || a == "--stderr") {
      const int fd = a == "--stdin" ? 0 : a == "--stdout" ? 1 : 2;
      specs[fd] = value();
      if (!valid_spec(specs[fd]))
        fail("bad descriptor spec '" + specs[fd] + "'");
    } else if (a == "--data-limit-mib") {
      data_limit_mib = std::atol(value().c_str());
    } else if (a == "--kill-when") {
      kill_dir = value();
      kill_prefix = value();
    } else {
      fail("unknown option '" + std::string(a) + "'");
    }
  }
  if (i + 1 >= argc)
    fail("no command after --");
  char** command = argv + i + 1;

  const pid_t pid = ::fork();
  if (pid < 0)
    fail(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // The command gets the default SIGPIPE action and no blocked signals, as from a shell,
    // whatever the test runner that started us set.
    std::signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int fd = 0; fd < 3; ++fd)
      setup(fd, specs[fd]);
    if (data_limit_mib > 0) {
      const rlim_t bytes = static_cast<rlim_t>(data_limit_mib) << 20;
      const rlimit limit{bytes, bytes};
      if (::setrlimit(RLIMIT_DATA, &limit) != 0)
        _exit(harness_error);
    }
    ::execv(command[0], command);
    _exit(harness_error);
  }

  if (!kill_dir.empty()) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    bool killed = false;
    while (!killed && std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid)
        fail("the command ended before a file '" + kill_prefix + "...' appeared");
      if (has_file_with_prefix(kill_dir, kill_prefix)) {
        ::kill(pid, SIGKILL);
        killed = true;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    if (!killed) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      fail("no file '" + kill_prefix + "...' appeared in " + kill_dir + " within 60 s");
    }
  }

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      fail(std::string("waitpid: ") + std::strerror(errno));
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
