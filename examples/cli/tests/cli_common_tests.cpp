// Unit tests of examples/cli/cli_common.hpp: what every subcommand relies on.
#include "cli_common.hpp"

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cmath>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <fmt/core.h>

#if !defined(_WIN32)
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/mman.h>
#include <sys/statfs.h>
#endif
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

#if defined(__linux__)
TEST_CASE("AtomicFile streams a long file to the disk, dropping it from the page cache, and the "
          "file is the same") {
  ScratchDir dir;
  const fs::path target = dir / "long.bin";
  // Streaming from the first page on, a page at a time, dropping what is 16 pages behind.
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  AtomicFile f(target, FileStreaming{page, page, 16 * page});
  std::string expected;
  std::mt19937 rng(7);
  for (int i = 0; i < 400; ++i) { // 400 pieces of odd sizes: about 400 pages
    std::string piece(1 + rng() % (2 * page), '\0');
    for (char& c : piece)
      c = static_cast<char>('a' + rng() % 26);
    f.write(piece);
    expected += piece;
  }
  f.overwrite(0, "HEADER"); // a header patched at the end, as the .npy files have it
  expected.replace(0, 6, "HEADER");
  const std::string temp = f.temp_path();
  // Where the file system keeps pages of its own (not tmpfs, whose pages are the file), the
  // early pages have left the cache: the middle of the first half is not resident.
  struct statfs fs_info {};
  const bool disk_backed =
      ::statfs(temp.c_str(), &fs_info) == 0 &&
      (fs_info.f_type == 0xEF53 /* ext2/3/4 */ || fs_info.f_type == 0x58465342 /* xfs */ ||
       fs_info.f_type == 0x9123683E /* btrfs */);
  if (disk_backed) {
    const int fd = ::open(temp.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    const std::size_t pages = expected.size() / page;
    void* map = ::mmap(nullptr, pages * page, PROT_READ, MAP_SHARED, fd, 0);
    REQUIRE(map != MAP_FAILED);
    std::vector<unsigned char> resident(pages);
    REQUIRE(::mincore(map, pages * page, resident.data()) == 0);
    std::size_t cached = 0;
    for (std::size_t p = 4; p < pages / 2; ++p)
      cached += resident[p] & 1u;
    CHECK_MESSAGE(cached == 0, cached << " of the early pages are still in the page cache");
    ::munmap(map, pages * page);
    ::close(fd);
  }
  f.commit();
  CHECK(read_file(target) == expected);
  CHECK(dir.entries() == Lines{"long.bin"});
}
#endif

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

TEST_CASE("printable escapes control bytes and broken UTF-8, keeps the rest") {
  CHECK(printable("plain ASCII, punctuation: <0,(1,2)>=0") ==
        "plain ASCII, punctuation: <0,(1,2)>=0");
  CHECK(printable("a\x1b[31mb") == "a\\x1b[31mb");
  CHECK(printable(std::string("nul\0byte", 8)) == "nul\\x00byte");
  CHECK(printable("tab\there\r\n") == "tab\\x09here\\x0d\\x0a");
  CHECK(printable("line\n", true) == "line\n");
  CHECK(printable("del\x7f") == "del\\x7f");
  SUBCASE("well-formed UTF-8 passes") {
    CHECK(printable("données — 中文 \xF0\x9F\x98\x80") == "données — 中文 \xF0\x9F\x98\x80");
  }
  SUBCASE("C1 controls (U+0080..U+009F) are escaped, byte by byte") {
    CHECK(printable("csi\xC2\x9B"
                    "2J") == "csi\\xc2\\x9b2J");
    CHECK(printable("\xC2\xA0") == "\xC2\xA0"); // U+00A0 is printable
  }
  SUBCASE("ill-formed UTF-8 is escaped byte by byte") {
    CHECK(printable("\xff\xfe") == "\\xff\\xfe");
    CHECK(printable("\x80") == "\\x80");                            // a lone continuation byte
    CHECK(printable("\xC0\x80") == "\\xc0\\x80");                   // overlong NUL
    CHECK(printable("\xE0\x80\x80") == "\\xe0\\x80\\x80");          // overlong
    CHECK(printable("\xED\xA0\x80") == "\\xed\\xa0\\x80");          // a surrogate
    CHECK(printable("\xF4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80"); // beyond U+10FFFF
    CHECK(printable("\xE4\xB8") == "\\xe4\\xb8");                   // truncated at the end
    CHECK(printable("\xE4\xB8x") == "\\xe4\\xb8x");
  }
  CHECK(display_columns(printable("G15\x07(")) == 8);
  CHECK(display_columns("né中") == 3);
}

TEST_CASE("parse_decimal takes plain decimal digits in range, nothing else") {
  std::string error;
  constexpr std::uint64_t max64 = std::numeric_limits<std::uint64_t>::max();
  CHECK(parse_decimal("0", 0, max64, error) == 0u);
  CHECK(parse_decimal("42", 0, max64, error) == 42u);
  CHECK(parse_decimal("010", 0, max64, error) == 10u); // decimal, not octal
  CHECK(parse_decimal("18446744073709551615", 0, max64, error) == max64);
  CHECK(parse_decimal("00000000000000000000000001", 0, max64, error) == 1u);
  for (const char* bad : {"", "-1", "+1", "-0", " 1", "1 ", "0x10", "0X10", "1e3", "1.0", "1,000",
                          "1_000", "18446744073709551616", "99999999999999999999", "\xd9\xa3"}) {
    CAPTURE(bad);
    error.clear();
    CHECK_FALSE(parse_decimal(bad, 0, max64, error));
    CHECK(error.find("expected a decimal integer from 0 to 18446744073709551615") == 0);
  }
  CHECK_FALSE(parse_decimal("0", 1, 10, error));
  CHECK(error == "expected a decimal integer from 1 to 10, got '0'");
  CHECK_FALSE(parse_decimal("11", 1, 10, error));
  CHECK(parse_decimal("10", 1, 10, error) == 10u);
  CHECK_FALSE(parse_decimal("1\x1b", 0, 10, error));
  CHECK(error == "expected a decimal integer from 0 to 10, got '1\\x1b'");
}

TEST_CASE("parse_real takes a finite number in range") {
  std::string error;
  CHECK(parse_real("0", 0, 1, error) == 0.0);
  CHECK(parse_real("1", 0, 1, error) == 1.0);
  CHECK(parse_real("0.25", 0, 1, error) == 0.25);
  CHECK(parse_real(".5", 0, 1, error) == 0.5);
  CHECK(parse_real("1e-3", 0, 1, error) == 0.001);
  const auto negative_zero = parse_real("-0", 0, 1, error);
  REQUIRE(negative_zero);
  CHECK_FALSE(std::signbit(*negative_zero));
  for (const char* bad : {"", "nan", "NAN", "-nan", "inf", "-inf", "infinity", "1.5", "-0.1", "2",
                          "0x1p-2", " 0.5", "0.5 ", "+0.5", "0.5x", "1e400", "1,5"}) {
    CAPTURE(bad);
    error.clear();
    CHECK_FALSE(parse_real(bad, 0, 1, error));
    CHECK(error.find("expected a number from 0 to 1, got '") == 0);
  }
}

TEST_CASE("integer and real options: usage errors that name the option") {
  CLI::App app{"test"};
  std::uint64_t count = 10;
  unsigned threads = 1;
  std::size_t max_line = default_max_line_bytes;
  double fraction = 0.1;
  add_integer_option(app, "--count", count, "samples");
  add_integer_option(app, "--threads", threads, "threads");
  add_max_line_option(app, max_line);
  add_real_option(app, "--fraction", fraction, "share", 0.0, 1.0);

  SUBCASE("defaults are kept and shown") {
    app.parse(std::vector<std::string>{});
    CHECK(count == 10);
    CHECK(threads == 1);
    CHECK(fraction == 0.1);
    const std::string help = app.help();
    CHECK(help.find("--count N=10") != std::string::npos);
    CHECK(help.find("--max-line-bytes N=67108864") != std::string::npos);
    CHECK(help.find("--fraction F=0.1") != std::string::npos);
  }
  SUBCASE("values in range") {
    app.parse(std::vector<std::string>{"0.5", "--fraction", "4294967295", "--threads",
                                       "18446744073709551615", "--count", "1", "--max-line-bytes"});
    CHECK(count == std::numeric_limits<std::uint64_t>::max());
    CHECK(threads == 4294967295u);
    CHECK(max_line == 1);
    CHECK(fraction == 0.5);
  }
  SUBCASE("anything else is a validation error naming the option") {
    const auto message = [&](std::vector<std::string> args) {
      try {
        app.parse(std::move(args));
      } catch (const CLI::ValidationError& e) {
        return std::string(e.what());
      }
      return std::string("(accepted)");
    };
    CHECK(message({"-1", "--count"}) ==
          "--count: expected a decimal integer from 0 to 18446744073709551615, got '-1'");
    CHECK(message({"0x10", "--count"}).find("--count: ") == 0);
    CHECK(message({"4294967296", "--threads"}) ==
          "--threads: expected a decimal integer from 0 to 4294967295, got '4294967296'");
    CHECK(message({"0", "--max-line-bytes"}).find("--max-line-bytes: ") == 0);
    CHECK(message({"nan", "--fraction"}) == "--fraction: expected a number from 0 to 1, got 'nan'");
    CHECK(count == 10); // a rejected value leaves the option as it was
  }
}

#if !defined(_WIN32)
TEST_CASE("closed standard descriptors are reopened, so that no file takes their place") {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(0);
    ::close(2);
    open_closed_standard_descriptors();
    const int next = ::open("/dev/null", O_RDONLY);
    // 0 and 2 are taken again, 0 for writing only (reading it fails loudly), 2 for writing.
    const bool ok = next > 2 && (::fcntl(0, F_GETFL) & O_ACCMODE) == O_WRONLY &&
                    (::fcntl(2, F_GETFL) & O_ACCMODE) == O_WRONLY && ::fcntl(1, F_GETFD) != -1;
    char c = 0;
    const bool read_fails = ::read(0, &c, 1) == -1 && errno == EBADF;
    _exit(ok && read_fails ? 0 : 1);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("eprint survives a stderr that is a broken pipe") {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::signal(SIGPIPE, SIG_DFL);
    int p[2];
    if (::pipe(p) != 0)
      _exit(3);
    ::close(p[0]);
    ::dup2(p[1], 2);
    eprint("lost {}\n", 1);
    eprint("lost {}\n", 2);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    _exit(sigismember(&pending, SIGPIPE) == 1 ? 2 : 0); // nothing left pending either
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status)); // not killed by SIGPIPE
  CHECK(WEXITSTATUS(status) == 0);
}
#endif

#if !defined(_WIN32)
namespace {

/// A character device like /dev/<name> (major 1, `minor`), made in `dir` when we may (as root),
/// so that a broken AtomicFile cannot replace the system's own; otherwise /dev/<name> itself
/// (which an unprivileged process cannot replace anyway).
fs::path char_device(const ScratchDir& dir, const std::string& name, unsigned minor) {
  const fs::path own = dir / name;
  if (::mknod(own.c_str(), S_IFCHR | 0666, makedev(1, minor)) == 0)
    return own;
  return fs::path("/dev") / name;
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

/// A pid that provably no longer exists: a child that has exited and been reaped.
std::uint64_t dead_pid() {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0)
    _exit(0);
  REQUIRE(waitpid(pid, nullptr, 0) == pid);
  return static_cast<std::uint64_t>(pid);
}

} // namespace

TEST_CASE("AtomicFile writes devices and FIFOs in place, with write errors reported") {
  ScratchDir dir;
  SUBCASE("a null device stays a device") {
    const fs::path null = char_device(dir, "null", 3);
    AtomicFile f(null);
    CHECK(f.in_place());
    CHECK(f.temp_path().empty());
    f.write("discarded\n");
    f.commit();
    CHECK(fs::is_character_file(null));
  }
  SUBCASE("a full device: the commit fails with ENOSPC") {
    const fs::path full = char_device(dir, "full", 7);
    AtomicFile f(full);
    f.write("no room\n");
    try {
      f.commit();
      FAIL("commit to a full device succeeded");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()).find(std::strerror(ENOSPC)) != std::string::npos);
    }
    CHECK(fs::is_character_file(full));
  }
  SUBCASE("a FIFO is written to, not replaced") {
    const fs::path fifo = dir / "fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK); // so that opening it to write
    REQUIRE(reader >= 0);                                           // does not wait
    {
      AtomicFile f(fifo);
      CHECK(f.in_place());
      f.write("through the pipe\n");
      f.commit();
    }
    char buf[64] = {};
    CHECK(::read(reader, buf, sizeof buf) == 17);
    CHECK(std::string(buf) == "through the pipe\n");
    ::close(reader);
    CHECK(fs::is_fifo(fifo));
    CHECK(dir.entries() == std::vector<std::string>{"fifo"});
  }
}

TEST_CASE("AtomicFile follows symbolic links and replaces the file they name") {
  ScratchDir dir;
  fs::create_directories(dir / "real");
  const fs::path file = dir / "real" / "data.txt";
  write_file(file, "old\n");
  SUBCASE("a chain of relative links") {
    fs::create_symlink("real/data.txt", dir / "link1");
    fs::create_symlink("link1", dir / "link2");
    AtomicFile f(dir / "link2");
    CHECK(fs::path(f.temp_path()).parent_path() == dir / "real"); // the file's own directory
    f.write("new\n");
    f.commit();
    CHECK(fs::is_symlink(dir / "link1"));
    CHECK(fs::is_symlink(dir / "link2"));
    CHECK(read_file(file) == "new\n");
    CHECK(dir.entries() == std::vector<std::string>{"link1", "link2", "real"});
  }
  SUBCASE("an absolute link") {
    fs::create_symlink(file, dir / "abs");
    AtomicFile f(dir / "abs");
    f.write("new\n");
    f.commit();
    CHECK(fs::is_symlink(dir / "abs"));
    CHECK(read_file(file) == "new\n");
  }
  SUBCASE("a dangling link creates the file it names") {
    fs::create_symlink("real/new.txt", dir / "dangling");
    AtomicFile f(dir / "dangling");
    f.write("created\n");
    f.commit();
    CHECK(fs::is_symlink(dir / "dangling"));
    CHECK(read_file(dir / "real" / "new.txt") == "created\n");
  }
  SUBCASE("a link loop is an error") {
    fs::create_symlink("loop2", dir / "loop1");
    fs::create_symlink("loop1", dir / "loop2");
    CHECK_THROWS_AS(AtomicFile(dir / "loop1"), std::runtime_error);
  }
}

TEST_CASE("AtomicFile keeps the permission bits of the file it replaces") {
  ScratchDir dir;
  const fs::path target = dir / "secret.txt";
  for (const mode_t mode : {0600, 0640, 0755, 0444}) {
    CAPTURE(mode);
    write_file(target, "old\n");
    REQUIRE(::chmod(target.c_str(), mode) == 0);
    AtomicFile f(target);
    CHECK(mode_of(f.temp_path()) == mode); // before any byte is written
    f.write("new\n");
    f.commit();
    CHECK(mode_of(target) == mode);
    CHECK(read_file(target) == "new\n");
  }
  SUBCASE("a new file gets the umask's defaults") {
    const mode_t old_mask = ::umask(027);
    {
      AtomicFile f(dir / "fresh.txt");
      f.commit();
    }
    ::umask(old_mask);
    CHECK(mode_of(dir / "fresh.txt") == 0640);
  }
}

TEST_CASE("temporary names carry pid and host; a dead run's leftovers are removed") {
  const std::string host = cli::detail::host_name();
  REQUIRE_FALSE(host.empty()); // a test machine has a usable host name
  SUBCASE("the owner part of a name") {
    const auto owner = cli::detail::parse_temp_owner("123-0badf00d-node-7.example");
    REQUIRE(owner);
    CHECK(owner->pid == 123);
    CHECK(owner->host == "node-7.example");
    for (const char* bad :
         {"", "0badf00d", "123-0badf00d", "123-0badf00d-", "-0badf00d-h", "0-0badf00d-h",
          "x1-0badf00d-h", "12-0BADF00D-h", "12-0badf00-h", "99999999999-0badf00d-h"}) {
      CAPTURE(bad);
      CHECK_FALSE(cli::detail::parse_temp_owner(bad));
    }
  }
  SUBCASE("the name of a new temporary file") {
    ScratchDir dir;
    AtomicFile f(dir / "out.txt");
    const std::string name = fs::path(f.temp_path()).filename().string();
    const std::string prefix = fmt::format(".out.txt.tmp-{}-", ::getpid());
    REQUIRE(name.size() == prefix.size() + 9 + host.size());
    CHECK(name.compare(0, prefix.size(), prefix) == 0);
    CHECK(name.substr(prefix.size() + 8) == "-" + host);
  }
  SUBCASE("only leftovers of this host, this target and a dead pid go") {
    ScratchDir dir;
    const std::uint64_t dead = dead_pid();
    const std::string abandoned = fmt::format(".out.txt.tmp-{}-0badf00d-{}", dead, host);
    const std::vector<std::string> kept{
        fmt::format(".out.txt.tmp-1-0badf00d-{}", host),              // pid 1 is alive
        fmt::format(".out.txt.tmp-{}-0badf00d-{}", ::getpid(), host), // so are we
        fmt::format(".out.txt.tmp-{}-0badf00d-other.invalid", dead),  // another host's
        fmt::format(".other.txt.tmp-{}-0badf00d-{}", dead, host),     // another target's
        fmt::format(".out.txt.tmp-{}-0badf00d-{}x", dead, host),      // another host again
        ".out.txt.tmp-0badf00d",                                      // the old scheme
        "out.txt"};
    for (const auto& name : kept)
      write_file(dir / name, "x");
    write_file(dir / abandoned, "half written");
    {
      AtomicFile f(dir / "out.txt");
      CHECK_FALSE(fs::exists(dir / abandoned));
      f.write("new\n");
      f.commit();
    }
    auto expected = kept;
    std::sort(expected.begin(), expected.end());
    CHECK(dir.entries() == expected);
    CHECK(read_file(dir / "out.txt") == "new\n");
  }
  SUBCASE("a leftover that is not a regular file is kept") {
    ScratchDir dir;
    const std::string name = fmt::format(".out.txt.tmp-{}-0badf00d-{}", dead_pid(), host);
    fs::create_directory(dir / name);
    AtomicFile f(dir / "out.txt");
    f.commit();
    CHECK(fs::is_directory(dir / name));
  }
}
#endif
