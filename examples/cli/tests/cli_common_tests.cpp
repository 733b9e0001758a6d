// Unit tests of examples/cli/cli_common.hpp: what every subcommand relies on.
#include "cli_common.hpp"

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#if !defined(_WIN32)
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace fs = std::filesystem;
using namespace searchtrace;
using namespace searchtrace::cli;

namespace {

/// A fresh, empty scratch directory, removed afterwards.
class ScratchDir {
public:
  ScratchDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("searchtrace_cli_tests_" + std::to_string(rd()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

  /// Names of the files in the directory (hidden ones included), sorted.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path_))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

private:
  fs::path path_;
};

void write_file(const fs::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary);
  f << bytes;
}

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::vector<std::string> lines_of(const std::string& bytes) {
  ScratchDir dir;
  write_file(dir / "in.txt", bytes);
  LineReader r;
  REQUIRE_FALSE(r.open((dir / "in.txt").string()));
  std::vector<std::string> out;
  std::string_view line;
  while (r.next(line)) {
    out.emplace_back(line);
    CHECK(r.line_number() == out.size());
  }
  CHECK_FALSE(r.next(line)); // stays at the end
  return out;
}

using Lines = std::vector<std::string>;

} // namespace

TEST_CASE("LineReader splits lines at newlines") {
  CHECK(lines_of("") == Lines{});
  CHECK(lines_of("a\nb\n") == Lines{"a", "b"});
  SUBCASE("the last line needs no newline") {
    CHECK(lines_of("a\nb") == Lines{"a", "b"});
  }
  SUBCASE("CRLF is one line end, a lone CR is a byte") {
    CHECK(lines_of("a\r\nb\r\n") == Lines{"a", "b"});
    CHECK(lines_of("a\r\nb\r") == Lines{"a", "b"});
    CHECK(lines_of("a\rb\n") == Lines{"a\rb"});
    CHECK(lines_of("\r\n") == Lines{""});
  }
  SUBCASE("empty lines are lines") {
    CHECK(lines_of("\n") == Lines{""});
    CHECK(lines_of("\n\nx\n\n") == Lines{"", "", "x", ""});
  }
  SUBCASE("NUL bytes are kept") {
    CHECK(lines_of(std::string("a\0b\n", 4)) == Lines{std::string("a\0b", 3)});
  }
}

TEST_CASE("LineReader handles lines longer than its buffer and chunk boundaries") {
  const std::string longest(300000, '7'); // several times the 64 KiB initial buffer
  std::string text = "x\n" + longest + "\r\ny";
  CHECK(lines_of(text) == Lines{"x", longest, "y"});

  std::string many;
  Lines expected;
  for (int i = 0; i < 50000; ++i) { // ~390 KB: lines straddle every 64 KiB boundary
    expected.push_back(std::to_string(i * 7919));
    many += expected.back() + (i % 3 == 0 ? "\r\n" : "\n");
  }
  CHECK(lines_of(many) == expected);
}

TEST_CASE("LineReader skips lines longer than its limit, keeping memory bounded") {
  ScratchDir dir;
  // Lines of exactly the limit are kept (a CR before the newline does not count); longer ones
  // come back empty with their length, whether they end at a newline, at a CR LF or at the end.
  const std::string at_limit(1000, 'a'), over(1001, 'b'), huge(300000, 'c');
  write_file(dir / "in.txt", "x\n" + at_limit + "\r\n" + over + "\n" + huge + "\r\ny\n" + huge);
  LineReader r(1000);
  REQUIRE_FALSE(r.open((dir / "in.txt").string()));
  std::vector<std::pair<std::string, std::size_t>> got;
  std::string_view line;
  while (r.next(line))
    got.emplace_back(std::string(line), r.skipped());
  const std::vector<std::pair<std::string, std::size_t>> want{
      {"x", 0}, {at_limit, 0}, {"", 1001}, {"", 300001}, {"y", 0}, {"", 300000}};
  CHECK(got == want);
  CHECK(r.line_number() == 6);
}

TEST_CASE("LineReader reports a file it cannot open") {
  ScratchDir dir;
  LineReader r;
  const auto e = r.open((dir / "missing.txt").string());
  REQUIRE(e);
  CHECK(e->find("cannot open") != std::string::npos);
  CHECK(e->find("missing.txt") != std::string::npos);
  const auto d = r.open(dir.path().string());
  REQUIRE(d);
  CHECK(d->find("directory") != std::string::npos);
}

TEST_CASE("for_each_input_line numbers lines per file and names the files") {
  ScratchDir dir;
  write_file(dir / "a.txt", "1\n2\n");
  write_file(dir / "b.txt", "3");
  Diagnostics diag;
  std::vector<std::string> seen;
  int idle = 0;
  for_each_input_line(
      {(dir / "a.txt").string(), (dir / "b.txt").string()}, diag,
      [&](const LineRef& at, std::string_view line) {
        seen.push_back(fs::path(std::string(at.file)).filename().string() + ":" +
                       std::to_string(at.line) + ":" + std::string(line));
      },
      [&] { ++idle; });
  CHECK(seen == Lines{"a.txt:1:1", "a.txt:2:2", "b.txt:1:3"});
  CHECK(idle >= 2); // before each file's first read at least
  CHECK(diag.exit_code() == exit_ok);
}

TEST_CASE("for_each_input_line checks every file before reading any") {
  ScratchDir dir;
  write_file(dir / "a.txt", "1\n");
  Diagnostics diag;
  int lines = 0;
  for_each_input_line(
      {(dir / "a.txt").string(), (dir / "nope.txt").string()}, diag,
      [&](const LineRef&, std::string_view) { ++lines; }, [] {});
  CHECK(lines == 0);
  CHECK(diag.has_fatal());
  CHECK(diag.exit_code() == exit_usage);
}

TEST_CASE("Diagnostics exit codes") {
  Diagnostics d;
  CHECK(d.exit_code() == exit_ok);
  d.line_error({"", 3}, 5, "syntax: test message");
  CHECK(d.bad_lines() == 1);
  CHECK(d.exit_code() == exit_bad_lines);
  d.fatal("test fatal message");
  CHECK(d.exit_code() == exit_usage); // a fatal error outranks bad lines
}

TEST_CASE("enum options accept exactly their spellings") {
  CLI::App app{"test"};
  SearchOptions so;
  Rendering r = Rendering::compact;
  bool directed = false;
  add_search_options(app, so);
  add_rendering_option(app, r);
  add_directed_flag(app, directed);

  SUBCASE("defaults are the seed's") {
    app.parse(std::vector<std::string>{});
    CHECK(so == SearchOptions{});
    CHECK(r == Rendering::compact);
    CHECK_FALSE(directed);
  }
  SUBCASE("every choice") {
    // CLI11 takes the arguments of a vector in reverse order.
    app.parse(std::vector<std::string>{"--directed", "pretty", "--rendering", "on-pop", "--stop",
                                       "undiscovered", "--listing", "prompt", "--order", "dfs",
                                       "--algo"});
    CHECK(so.algorithm == Algorithm::dfs);
    CHECK(so.order == NeighborOrder::prompt);
    CHECK(so.listing == Listing::undiscovered);
    CHECK(so.stop == StopRule::on_pop);
    CHECK(r == Rendering::pretty);
    CHECK(directed);
  }
  SUBCASE("anything else is a validation error") {
    CHECK_THROWS_AS(app.parse(std::vector<std::string>{"astar", "--algo"}), CLI::ValidationError);
    CHECK_THROWS_AS(app.parse(std::vector<std::string>{"on_pop", "--stop"}), CLI::ValidationError);
    CHECK_THROWS_AS(app.parse(std::vector<std::string>{"1", "--algo"}), CLI::ValidationError);
  }
  SUBCASE("help shows the choices and defaults") {
    const std::string help = app.help();
    CHECK(help.find("--algo bfs|dfs=bfs") != std::string::npos);
    CHECK(help.find("--stop on-list|on-pop=on-list") != std::string::npos);
    CHECK(help.find("--rendering compact|pretty=compact") != std::string::npos);
  }
}

TEST_CASE("AtomicFile appears only on commit") {
  ScratchDir dir;
  const fs::path target = dir / "out.txt";

  SUBCASE("commit creates the file, with no temporary left") {
    AtomicFile f(target);
    CHECK(fs::exists(f.temp_path()));
    CHECK(fs::path(f.temp_path()).parent_path() == dir.path()); // same directory: atomic rename
    f.write("hello\n");
    f.write("");
    CHECK_FALSE(fs::exists(target));
    f.commit();
    CHECK(read_file(target) == "hello\n");
    CHECK(dir.entries() == Lines{"out.txt"});
  }
  SUBCASE("destruction without commit removes the temporary and keeps the old file") {
    write_file(target, "old\n");
    {
      AtomicFile f(target);
      f.write("new, half written");
      CHECK(dir.entries().size() == 2);
    }
    CHECK(read_file(target) == "old\n");
    CHECK(dir.entries() == Lines{"out.txt"});
  }
  SUBCASE("commit replaces an existing file") {
    write_file(target, "old\n");
    AtomicFile f(target);
    f.write("new\n");
    f.commit();
    CHECK(read_file(target) == "new\n");
    CHECK(dir.entries() == Lines{"out.txt"});
    CHECK_THROWS_AS(f.write("more"), std::logic_error);
  }
  SUBCASE("overwrite patches bytes already written and appending goes on at the end") {
    AtomicFile f(target);
    f.write("0000 data");
    f.overwrite(0, "HEAD");
    f.write(" more");
    f.overwrite(5, "DATA");
    f.commit();
    CHECK(read_file(target) == "HEAD DATA more");
    CHECK_THROWS_AS(f.overwrite(0, "x"), std::logic_error);
  }
  SUBCASE("a missing directory or a directory as target is an error") {
    CHECK_THROWS_AS(AtomicFile(dir / "no_dir" / "out.txt"), std::runtime_error);
    CHECK_THROWS_AS(AtomicFile(dir.path()), std::runtime_error);
    CHECK(dir.entries().empty());
  }
}

TEST_CASE("Output writes a file only when finished") {
  ScratchDir dir;
  const fs::path target = dir / "out.txt";
  SUBCASE("finish commits everything appended") {
    Output out(target.string());
    for (int i = 0; i < 20000; ++i) { // several blocks
      out.buffer() += "line\n";
      out.maybe_flush();
    }
    CHECK_FALSE(fs::exists(target));
    out.finish();
    CHECK(read_file(target).size() == 20000 * 5);
  }
  SUBCASE("write keeps the order of small records, large blocks and buffered text") {
    std::string expected;
    {
      Output out(target.string());
      const std::string big(200000, 'x'); // larger than a block: written directly
      for (int i = 0; i < 3; ++i) {
        out.buffer() += "buffered\n";
        expected += "buffered\n";
        out.write("small\n");
        expected += "small\n";
        out.write(big);
        expected += big;
      }
      out.finish();
    }
    CHECK(read_file(target) == expected);
  }
  SUBCASE("finish(false) leaves nothing") {
    {
      Output out(target.string());
      out.buffer() += "partial\n";
      out.flush();
      out.finish(false);
    }
    CHECK(dir.entries().empty());
  }
}

#if !defined(_WIN32)
TEST_CASE("AtomicFile removes its temporary file when the process is killed by a signal") {
  ScratchDir dir;
  const fs::path target = dir / "out.txt";
  for (const int sig : {SIGINT, SIGTERM}) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      AtomicFile f(target);
      f.write("interrupted\n");
      std::raise(sig);
      _exit(0); // not reached
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == sig);
    CHECK(dir.entries().empty());
  }
}
#endif
