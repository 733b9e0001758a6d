// What every `searchtrace` subcommand shares: exit codes, input lines from FILEs or stdin,
// `line N, offset K: message` diagnostics, the enum and numeric options (--algo, --rendering, the
// search policies, every integer option) and AtomicFile, the only way a subcommand writes a file.
//
// Conventions every subcommand follows (so the tool behaves the same everywhere):
//   * exit 0: everything went well; 1: the run finished but some input lines were bad (each was
//     reported on stderr); 2: usage error or I/O error (message on stderr).
//   * A subcommand is registered by `void add_<name>_command(CLI::App& app, int& status)`, which
//     adds a CLI11 subcommand whose callback runs the command through `run_guarded` and stores
//     its exit code in `status`. commands.hpp declares it, main.cpp calls it, <name>_command.cpp
//     defines it. The parsed options live in a std::shared_ptr captured by that callback (they must
//     outlive the registration function); see trace_command.cpp for the pattern.
//   * Read input with `for_each_input_line`, report bad lines with `Diagnostics::line_error`,
//     write the main output through `Output` (stdout, or `-o FILE` via AtomicFile), and return
//     `diag.exit_code()`.
//   * Input is one record per line; a line ends at '\n', a '\r' before it is dropped (CRLF files),
//     and the last line needs no final newline. Line numbers count from 1 in each file.
//   * Integer options are added with `add_integer_option` (plain decimal in range, or a usage
//     error naming the option), fractions with `add_real_option`.
//   * Diagnostics go through `eprint` (never throws, never raises SIGPIPE), and anything echoed
//     from the command line or the input through `printable` (no raw control bytes).
//   * main calls `open_closed_standard_descriptors` first and ends a parse error through
//     `finish_parse`.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#include <process.h>
#else
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#endif

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "searchtrace/grammar.hpp"
#include "searchtrace/search.hpp"

namespace searchtrace::cli {

// --- text echoed into diagnostics -----------------------------------------------------------

namespace detail {

inline void append_hex_escape(std::string& out, unsigned char b) {
  static constexpr char hex[] = "0123456789abcdef";
  out += "\\x";
  out += hex[b >> 4];
  out += hex[b & 15];
}

/// The length of the well-formed UTF-8 sequence at the start of `s` (Unicode table 3-7), or 0.
inline std::size_t utf8_sequence_length(std::string_view s) noexcept {
  const auto at = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto tail = [&](std::size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return i < s.size() && at(i) >= lo && at(i) <= hi;
  };
  const unsigned char b = at(0);
  if (b < 0x80)
    return 1;
  if (b >= 0xC2 && b <= 0xDF)
    return tail(1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    const bool second = b == 0xE0 ? tail(1, 0xA0) : b == 0xED ? tail(1, 0x80, 0x9F) : tail(1);
    return second && tail(2) ? 3 : 0;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    const bool second = b == 0xF0 ? tail(1, 0x90) : b == 0xF4 ? tail(1, 0x80, 0x8F) : tail(1);
    return second && tail(2) && tail(3) ? 4 : 0;
  }
  return 0;
}

} // namespace detail

/// Appends `text` in a form that is safe to show on a terminal: printable ASCII and well-formed
/// UTF-8 pass through; control bytes (C0, DEL, and the C1 controls U+0080..U+009F) and bytes
/// that are not part of well-formed UTF-8 become `\xNN`. Whatever the tool echoes from the
/// command line or from input into a diagnostic goes through this, so that a stray escape
/// sequence cannot recolour, retitle or clear the user's terminal. With `keep_newlines`, '\n'
/// passes too (for multi-line messages).
inline void append_printable(std::string& out, std::string_view text, bool keep_newlines = false) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    if ((b >= 0x20 && b < 0x7F) || (b == '\n' && keep_newlines)) {
      out.push_back(text[i++]);
      continue;
    }
    const std::size_t n = detail::utf8_sequence_length(text.substr(i));
    const bool c1 = n == 2 && b == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0;
    if (n <= 1 || c1) { // n == 1: an ASCII control byte
      detail::append_hex_escape(out, b);
      ++i;
      continue;
    }
    out.append(text.substr(i, n));
    i += n;
  }
}

/// `text` as append_printable writes it.
inline std::string printable(std::string_view text, bool keep_newlines = false) {
  std::string out;
  out.reserve(text.size());
  append_printable(out, text, keep_newlines);
  return out;
}

/// The terminal columns `printable_text` (an output of append_printable) takes, counting one
/// per character: where a caret goes under it.
inline std::size_t display_columns(std::string_view printable_text) noexcept {
  return static_cast<std::size_t>(
      std::count_if(printable_text.begin(), printable_text.end(), [](char c) {
        const auto b = static_cast<unsigned char>(c);
        return b < 0x80 || b >= 0xC0;
      }));
}

// --- stderr -------------------------------------------------------------------------------------

namespace detail {

/// Writes all of `text` to descriptor 2, ignoring failures. A broken pipe must not kill the
/// process either (SIGPIPE's default action): the signal is blocked in this thread around the
/// write, and one this write raised is consumed before it is unblocked.
inline void write_stderr(std::string_view text) noexcept {
#if defined(_WIN32)
  (void)std::fwrite(text.data(), 1, text.size(), stderr);
#else
  sigset_t pipe_only, previous, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigemptyset(&pending);
  (void)sigpending(&pending);
  const bool already_pending = sigismember(&pending, SIGPIPE) == 1;
  if (pthread_sigmask(SIG_BLOCK, &pipe_only, &previous) != 0)
    return; // cannot protect the process from a broken pipe: losing the message is safer
  const int saved_errno = errno;
  while (!text.empty()) {
    const auto n = ::write(2, text.data(), text.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  sigemptyset(&pending);
  (void)sigpending(&pending);
  if (!already_pending && sigismember(&pending, SIGPIPE) == 1) {
    const timespec no_wait{};
    (void)sigtimedwait(&pipe_only, nullptr, &no_wait);
  }
  (void)pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  errno = saved_errno;
#endif
}

} // namespace detail

/// Writes a diagnostic to stderr. Never throws, never raises SIGPIPE: a failed write to stderr
/// (a full disk, a closed descriptor, a reader that went away) loses the message, never the
/// run's work or its exit code. Text that comes from the user or the input goes through
/// `printable` first.
template <class... Args>
void eprint(fmt::format_string<Args...> format, Args&&... args) noexcept {
  try {
    detail::write_stderr(fmt::format(format, std::forward<Args>(args)...));
  } catch (...) {
    // formatting ran out of memory: nothing sensible is left to report it with
  }
}

/// Writes `text` to stdout and flushes it. Returns false (errno set) when it cannot.
inline bool write_stdout(std::string_view text) noexcept {
  if (!text.empty() && std::fwrite(text.data(), 1, text.size(), stdout) != text.size())
    return false;
  return std::fflush(stdout) == 0;
}

// --- process start ------------------------------------------------------------------------------

/// Called first in main: opens /dev/null on each of descriptors 0, 1, 2 that is closed
/// (`2>&-`), so that the files the tool opens later never get one of those numbers (with fd 2
/// closed, the first output file would receive the diagnostics). The access mode makes misuse
/// loud rather than silent: a closed stdin becomes write-only (reading it fails: exit 2 instead
/// of an empty input), a closed stdout read-only (writing results fails: exit 2 instead of
/// results silently dropped), a closed stderr write-only (diagnostics are dropped, exit codes
/// still tell).
inline void open_closed_standard_descriptors() noexcept {
#if !defined(_WIN32)
  constexpr std::array<int, 3> modes{O_WRONLY, O_RDONLY, O_WRONLY};
  for (int fd = 0; fd < 3; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF)
      continue;
    const int opened = ::open("/dev/null", modes[static_cast<std::size_t>(fd)]);
    if (opened >= 0 && opened != fd) { // cannot happen (the lowest free number is fd), but
      ::dup2(opened, fd);              // never leave the slot free
      ::close(opened);
    }
  }
#endif
}

// --- exit codes ---------------------------------------------------------------------------------

inline constexpr int exit_ok = 0;
inline constexpr int exit_bad_lines = 1; // the run went through, some input lines were reported
inline constexpr int exit_usage = 2;     // bad command line, unreadable input, unwritable output

/// Runs a subcommand body; an exception that escapes it (I/O failure, out of memory) becomes a
/// message on stderr and exit code 2 instead of std::terminate. The message may quote a path or
/// a value from the command line: it is shown through `printable`.
template <class Body>
int run_guarded(std::string_view command, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    try {
      eprint("searchtrace {}: error: {}\n", command, printable(e.what()));
    } catch (...) { // out of memory while escaping
      eprint("searchtrace {}: error\n", command);
    }
  } catch (...) {
    eprint("searchtrace {}: error: unknown exception\n", command);
  }
  return exit_usage;
}

/// What main returns when CLI11 ends parsing early. --help and --version print to stdout and
/// return 0, or 2 with a message when stdout cannot take the text (`--help > /dev/full`); every
/// other parse error is a usage error (2, whatever CLI11's own numbering) whose message goes to
/// stderr through eprint (never throws, never raises SIGPIPE) and `printable` (it may quote the
/// command line).
inline int finish_parse(const CLI::App& app, const CLI::ParseError& e) noexcept {
  try {
    std::ostringstream out, err;
    const int code = app.exit(e, out, err);
    if (const std::string text = out.str(); !write_stdout(text)) {
      eprint("searchtrace: error: cannot write to stdout: {}\n", std::strerror(errno));
      return exit_usage;
    }
    eprint("{}", printable(err.str(), true));
    return code == 0 ? exit_ok : exit_usage;
  } catch (...) { // out of memory
    return exit_usage;
  }
}

// --- numeric options ----------------------------------------------------------------------------

/// Reads `text` as a plain decimal integer in [min, max]: ASCII digits only (leading zeros are
/// fine), no sign, space, base prefix, exponent or digit separator, and no wrap-around: `-1`,
/// `0x10`, `1e3` and 2^64 are errors, not 2^64-1, 16, 1 or 0. On an error, returns nothing and
/// puts the reason in `error` (to follow "--option: ").
inline std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t min,
                                                  std::uint64_t max, std::string& error) {
  std::uint64_t value = 0;
  bool ok = !text.empty();
  for (const char c : text) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
      ok = false; // beyond 64 bits: out of range whatever max is
      break;
    }
    value = value * 10 + digit;
  }
  if (ok && value >= min && value <= max)
    return value;
  error =
      fmt::format("expected a decimal integer from {} to {}, got '{}'", min, max, printable(text));
  return std::nullopt;
}

/// Reads `text` as a finite decimal number in [min, max] (e.g. `0.25`, `.5`, `1e-3`; no sign
/// but '-', no space, no hex, `nan` or `inf`). On an error, returns nothing and puts the reason
/// in `error` (to follow "--option: ").
inline std::optional<double> parse_real(std::string_view text, double min, double max,
                                        std::string& error) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto r = std::from_chars(text.data(), end, value, std::chars_format::general);
  if (!text.empty() && r.ec == std::errc{} && r.ptr == end && std::isfinite(value) &&
      value >= min && value <= max)
    return value == 0 ? 0.0 : value; // -0 is 0
  error = fmt::format("expected a number from {} to {}, got '{}'", min, max, printable(text));
  return std::nullopt;
}

/// Adds `--name N` that takes a plain decimal integer in [min, max] (see `parse_decimal`) and
/// stores it in `out` (which must outlive parsing); anything else is a usage error naming the
/// option. The help shows the current value of `out` as the default. Every integer option of
/// the tool goes through this, so none of them can wrap around or read hex.
template <class Int>
CLI::Option* add_integer_option(CLI::App& app, const std::string& flags, Int& out,
                                const std::string& description, std::uint64_t min = 0,
                                std::uint64_t max = std::numeric_limits<Int>::max()) {
  static_assert(std::is_integral_v<Int> && std::is_unsigned_v<Int>);
  return app
      .add_option_function<std::string>(
          flags,
          [&out, min, max](const std::string& s) {
            std::string error;
            if (const auto v = parse_decimal(s, min, max, error))
              out = static_cast<Int>(*v);
          },
          description)
      ->check(CLI::Validator(
          [min, max](std::string& s) {
            std::string error;
            return parse_decimal(s, min, max, error) ? std::string() : error;
          },
          "", ""))
      ->type_name("N")
      ->default_str(std::to_string(out));
}

/// Adds `--name F` that takes a finite number in [min, max] (see `parse_real`), like
/// add_integer_option.
inline CLI::Option* add_real_option(CLI::App& app, const std::string& flags, double& out,
                                    const std::string& description, double min, double max) {
  return app
      .add_option_function<std::string>(
          flags,
          [&out, min, max](const std::string& s) {
            std::string error;
            if (const auto v = parse_real(s, min, max, error))
              out = *v;
          },
          description)
      ->check(CLI::Validator(
          [min, max](std::string& s) {
            std::string error;
            return parse_real(s, min, max, error) ? std::string() : error;
          },
          "", ""))
      ->type_name("F")
      ->default_str(fmt::format("{}", out));
}

// --- diagnostics --------------------------------------------------------------------------------

/// Where a line came from: the file name as given on the command line ("" when reading stdin
/// because no FILE was given) and its 1-based line number.
struct LineRef {
  std::string_view file;
  std::size_t line = 0;
  /// 0 for a line within the limit. For a line longer than the limit (see `max_line_bytes`), its
  /// length in bytes: the line was skipped without being kept, and the view passed with this
  /// LineRef is empty. Each subcommand reports such a line as it reports any bad line.
  std::size_t too_long = 0;
};

/// The longest input line a subcommand keeps in memory (`--max-line-bytes`): a longer one is
/// skipped, counted and reported, so that no input (a stray binary file, `/dev/zero`) makes
/// memory grow without bound.
inline constexpr std::size_t default_max_line_bytes = std::size_t{64} << 20;

/// The largest --max-line-bytes: the line buffer (up to N + 2 bytes, doubling) must not overflow.
inline constexpr std::size_t max_max_line_bytes = std::numeric_limits<std::size_t>::max() / 4;

/// `--max-line-bytes N`.
inline CLI::Option* add_max_line_option(CLI::App& app, std::size_t& out) {
  return add_integer_option(
      app, "--max-line-bytes", out,
      "Skip (and report) input lines longer than N bytes (a line costs at most 2N of memory)", 1,
      max_max_line_bytes);
}

/// Reports problems with input lines as `[FILE: ]line N, offset K: message` on stderr, and counts
/// them. The file prefix appears whenever FILE arguments were given (so that `grep` output of a
/// multi-file run stays unambiguous); offsets are byte offsets in the line, from 0. File names
/// and messages are shown through `printable` (they may quote input bytes).
class Diagnostics {
public:
  void line_error(const LineRef& at, std::size_t offset, std::string_view message) {
    ++bad_lines_;
    if (at.file.empty())
      eprint("line {}, offset {}: {}\n", at.line, offset, printable(message));
    else
      eprint("{}: line {}, offset {}: {}\n", printable(at.file), at.line, offset,
             printable(message));
  }

  /// A problem that is not about one line (an unreadable file): exit code 2.
  void fatal(std::string_view message) {
    ++fatal_;
    eprint("searchtrace: {}\n", printable(message));
  }

  std::size_t bad_lines() const noexcept { return bad_lines_; }
  bool has_fatal() const noexcept { return fatal_ > 0; }

  /// The exit code these diagnostics call for.
  int exit_code() const noexcept {
    return fatal_ > 0 ? exit_usage : bad_lines_ > 0 ? exit_bad_lines : exit_ok;
  }

private:
  std::size_t bad_lines_ = 0;
  std::size_t fatal_ = 0;
};

/// The message for a line longer than the limit.
inline std::string too_long_message(const LineRef& at, std::size_t max_line) {
  return fmt::format("line too long: {} bytes, more than --max-line-bytes {}; skipped", at.too_long,
                     max_line);
}

// --- input lines --------------------------------------------------------------------------------

namespace detail {

#if defined(_WIN32)
inline long read_some(int fd, char* p, std::size_t n) {
  return _read(fd, p, static_cast<unsigned>(std::min<std::size_t>(n, 1u << 30)));
}
inline int stdin_fd() {
  _setmode(0, _O_BINARY);
  return 0;
}
inline int file_fd(std::FILE* f) {
  return _fileno(f);
}
#else
inline long read_some(int fd, char* p, std::size_t n) {
  for (;;) {
    const auto r = ::read(fd, p, n);
    if (r >= 0 || errno != EINTR)
      return static_cast<long>(r);
  }
}
inline int stdin_fd() {
  return 0;
}
inline int file_fd(std::FILE* f) {
  return fileno(f);
}
#endif

} // namespace detail

/// Reads lines from one file or stdin into a reused buffer: no allocation per line once the
/// buffer has grown to the longest line. Reads with read(2) rather than fread, so a line typed
/// on a terminal or written into a pipe is returned as soon as it is complete. A line longer
/// than `max_line` bytes is not kept: it is read through to its end (the buffer stops growing
/// at about `max_line`) and returned as an empty view, with its length in `skipped()`.
class LineReader {
public:
  explicit LineReader(std::size_t max_line = default_max_line_bytes)
      : buf_(std::min(std::size_t{1} << 16, max_line + 1)), max_line_(max_line) {}
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  ~LineReader() { close(); }

  /// Opens `path` ("-" = stdin). Returns an error message, or nothing on success.
  std::optional<std::string> open(const std::string& path) {
    close();
    begin_ = end_ = 0;
    eof_ = false;
    line_ = 0;
    if (path == "-") {
      fd_ = detail::stdin_fd();
      return std::nullopt;
    }
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
      return "cannot read '" + path + "': it is a directory";
    file_ = std::fopen(path.c_str(), "rb");
    if (file_ == nullptr)
      return "cannot open '" + path + "': " + std::strerror(errno);
    fd_ = detail::file_fd(file_);
    return std::nullopt;
  }

  /// The next line, without its '\n' and a '\r' before it; valid until the next call. Returns
  /// false at the end of the input. Throws std::system_error when reading fails.
  bool next(std::string_view& line) {
    skipped_ = 0;
    std::size_t scanned = begin_;
    for (;;) {
      if (const void* nl = std::memchr(buf_.data() + scanned, '\n', end_ - scanned)) {
        const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(nl) - buf_.data());
        emit(line, at);
        begin_ = at + 1;
        return true;
      }
      if (eof_) {
        if (begin_ == end_ && skipped_ == 0)
          return false;
        emit(line, end_); // the last line has no final newline
        begin_ = end_;
        return true;
      }
      if (skipped_ > 0 || end_ - begin_ > max_line_ + 1) {
        // Too long to keep (one more byte may be a CR before the newline): count it and drop
        // what was read of it.
        skipped_ += end_ - begin_;
        begin_ = end_ = 0;
      }
      scanned = end_ - begin_;
      refill();
    }
  }

  /// After `next`: 0, or the length of the line it skipped for being longer than the limit.
  std::size_t skipped() const noexcept { return skipped_; }

  /// Whether the next call to `next` has to wait for input: a caller flushes its output then, so
  /// interactive and piped use see each result as soon as its line is complete.
  bool would_block() const noexcept {
    return !eof_ && std::memchr(buf_.data() + begin_, '\n', end_ - begin_) == nullptr;
  }

  std::size_t line_number() const noexcept { return line_; }

private:
  void emit(std::string_view& line, std::size_t end) {
    std::size_t e = end;
    ++line_;
    if (skipped_ == 0 && e > begin_ && buf_[e - 1] == '\r')
      --e;
    if (skipped_ > 0 || e - begin_ > max_line_) {
      skipped_ += e - begin_;
      line = {};
      return;
    }
    line = std::string_view(buf_.data() + begin_, e - begin_);
  }

  // Moves the unread part to the front, grows the buffer when a line fills it, and reads.
  void refill() {
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == buf_.size())
      buf_.resize(std::min(buf_.size() * 2, max_line_ + 2));
    const long r = detail::read_some(fd_, buf_.data() + end_, buf_.size() - end_);
    if (r < 0)
      throw std::system_error(errno, std::generic_category(), "read error");
    if (r == 0)
      eof_ = true;
    end_ += static_cast<std::size_t>(r);
  }

  void close() noexcept {
    if (file_ != nullptr)
      std::fclose(file_);
    file_ = nullptr;
    fd_ = -1;
  }

  std::vector<char> buf_;
  std::size_t max_line_;
  std::size_t skipped_ = 0;
  std::size_t begin_ = 0, end_ = 0;
  std::size_t line_ = 0;
  bool eof_ = false;
  std::FILE* file_ = nullptr;
  int fd_ = -1;
};

/// Calls `on_line(const LineRef&, std::string_view line)` for every line of `files` in order
/// (stdin when `files` is empty; "-" names stdin), and `on_idle()` whenever the next line has to
/// be waited for (flush output there). Every file is checked for readability before the first
/// line is read, so a misspelt name fails the run (exit 2) before any output is written. A file
/// that fails later is reported and ends the run; `diag.exit_code()` says how it went. A line
/// longer than `max_line` bytes comes with LineRef::too_long set and an empty view.
template <class OnLine, class OnIdle>
void for_each_input_line(const std::vector<std::string>& files, Diagnostics& diag, OnLine&& on_line,
                         OnIdle&& on_idle, std::size_t max_line = default_max_line_bytes) {
  static const std::vector<std::string> only_stdin{"-"};
  const bool named = !files.empty();
  const auto& inputs = named ? files : only_stdin;
  LineReader reader(max_line);
  for (const std::string& f : inputs)
    if (f != "-")
      if (auto e = reader.open(f))
        diag.fatal(*e);
  if (diag.has_fatal())
    return;
  for (const std::string& f : inputs) {
    std::string_view name; // no prefix when reading stdin because no FILE was given
    if (named)
      name = f == "-" ? std::string_view("<stdin>") : std::string_view(f);
    if (auto e = reader.open(f))
      return diag.fatal(*e);
    try {
      std::string_view line;
      for (;;) {
        if (reader.would_block())
          on_idle();
        if (!reader.next(line))
          break;
        on_line(LineRef{name, reader.line_number(), reader.skipped()}, line);
      }
    } catch (const std::system_error& e) {
      return diag.fatal(std::string(named ? name : std::string_view("<stdin>")) + ": " + e.what());
    }
  }
}

// --- enum options -------------------------------------------------------------------------------

/// One accepted spelling of an enum option.
template <class Enum>
struct Choice {
  std::string_view name;
  Enum value;
};

/// Adds `--name VALUE` that accepts exactly the given spellings and stores the matching value in
/// `out` (which must outlive parsing). The help shows the choices and the current value of `out`
/// as the default.
template <class Enum, std::size_t N>
CLI::Option* add_enum_option(CLI::App& app, const std::string& flags, Enum& out,
                             const std::array<Choice<Enum>, N>& choices,
                             const std::string& description) {
  std::vector<std::string> names;
  std::string type_name;
  std::string default_name;
  for (const auto& c : choices) {
    names.emplace_back(c.name);
    type_name += type_name.empty() ? "" : "|";
    type_name += c.name;
    if (c.value == out)
      default_name = c.name;
  }
  return app
      .add_option_function<std::string>(
          flags,
          [&out, choices](const std::string& s) {
            for (const auto& c : choices)
              if (c.name == s)
                out = c.value;
          },
          description)
      ->check(CLI::IsMember(names).description(""))
      ->type_name(type_name)
      ->default_str(default_name);
}

inline constexpr std::array<Choice<Algorithm>, 2> algorithm_choices{
    {{"bfs", Algorithm::bfs}, {"dfs", Algorithm::dfs}}};
inline constexpr std::array<Choice<Rendering>, 2> rendering_choices{
    {{"compact", Rendering::compact}, {"pretty", Rendering::pretty}}};
inline constexpr std::array<Choice<NeighborOrder>, 2> order_choices{
    {{"ascending", NeighborOrder::ascending}, {"prompt", NeighborOrder::prompt}}};
inline constexpr std::array<Choice<Listing>, 2> listing_choices{
    {{"unexpanded", Listing::unexpanded}, {"undiscovered", Listing::undiscovered}}};
inline constexpr std::array<Choice<StopRule>, 2> stop_choices{
    {{"on-list", StopRule::on_list}, {"on-pop", StopRule::on_pop}}};

/// `--algo bfs|dfs`.
inline CLI::Option* add_algorithm_option(CLI::App& app, Algorithm& out) {
  return add_enum_option(app, "--algo", out, algorithm_choices,
                         "Search: bfs (FIFO queue) or dfs (LIFO stack)");
}

/// `--rendering compact|pretty`.
inline CLI::Option* add_rendering_option(CLI::App& app, Rendering& out) {
  return add_enum_option(app, "--rendering", out, rendering_choices,
                         "compact (training) or pretty (spaces as in the blog post)");
}

/// `--algo`, `--order`, `--listing`, `--stop`: everything in SearchOptions.
inline void add_search_options(CLI::App& app, SearchOptions& out) {
  add_algorithm_option(app, out.algorithm);
  add_enum_option(app, "--order", out.order, order_choices,
                  "Neighbour list order: ascending ids, or as the prompt mentions them");
  add_enum_option(app, "--listing", out.listing, listing_choices,
                  "List every unexpanded neighbour (seed), or only undiscovered ones");
  add_enum_option(app, "--stop", out.stop, stop_choices,
                  "Stop once the target is listed (seed), or when it is popped");
}

/// `--directed`: read an edge `u,v` as the arc u->v.
inline CLI::Option* add_directed_flag(CLI::App& app, bool& out) {
  return app.add_flag("--directed", out, "Read each edge u,v as the arc u->v");
}

// --- atomic output ------------------------------------------------------------------------------

namespace detail {

// Temporary files of live AtomicFiles, for the signal handler: an interrupted run removes them
// instead of leaving debris. Plain atomics of pointers, so the handler stays async-signal-safe.
inline constexpr std::size_t max_live_temps = 16;
inline std::array<std::atomic<const char*>, max_live_temps> live_temps{};

extern "C" inline void remove_temps_and_reraise(int sig) {
  for (auto& slot : live_temps)
    if (const char* p = slot.load())
#if defined(_WIN32)
      _unlink(p);
#else
      ::unlink(p);
#endif
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

#if defined(_WIN32)
inline constexpr std::array<int, 2> cleanup_signals{SIGINT, SIGTERM};
#else
inline constexpr std::array<int, 4> cleanup_signals{SIGINT, SIGTERM, SIGHUP, SIGPIPE};
#endif

// Called by every AtomicFile: a handler installed since (a test framework's) is replaced again.
inline void install_temp_cleanup() {
  for (const int sig : cleanup_signals) {
    const auto previous = std::signal(sig, remove_temps_and_reraise);
    if (previous == SIG_IGN) // keep "ignore" (e.g. under nohup) as the user asked
      std::signal(sig, SIG_IGN);
  }
}

} // namespace detail

namespace detail {

/// This host's name as it goes into temporary file names, or "" when it cannot (unknown, or
/// bytes that do not belong in a file name).
inline std::string host_name() {
#if defined(_WIN32)
  return {};
#else
  std::array<char, 256> buf{};
  if (::gethostname(buf.data(), buf.size() - 1) != 0)
    return {};
  const std::string_view host(buf.data());
  const bool usable = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
  });
  return usable ? std::string(host) : std::string();
#endif
}

inline std::uint64_t process_id() noexcept {
#if defined(_WIN32)
  return static_cast<std::uint64_t>(_getpid());
#else
  return static_cast<std::uint64_t>(::getpid());
#endif
}

/// Who wrote a temporary file: the part of its name after `.NAME.tmp-`, `PID-XXXXXXXX-HOST`.
struct TempOwner {
  std::uint64_t pid = 0;
  std::string_view host;
};

inline std::optional<TempOwner> parse_temp_owner(std::string_view suffix) {
  const auto dash = suffix.find('-');
  if (dash == std::string_view::npos)
    return std::nullopt;
  std::string error;
  const auto pid =
      parse_decimal(suffix.substr(0, dash), 1,
                    static_cast<std::uint64_t>(std::numeric_limits<int>::max()), error);
  const std::string_view rest = suffix.substr(dash + 1);
  if (!pid || rest.size() < 10 || rest[8] != '-' ||
      !std::all_of(rest.begin(), rest.begin() + 8,
                   [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
    return std::nullopt;
  return TempOwner{*pid, rest.substr(9)};
}

/// True only when process `pid` of this host provably no longer exists (kill(pid, 0) says ESRCH);
/// a live process, one we may not signal (EPERM) or any doubt is "not gone".
inline bool process_gone(std::uint64_t pid) noexcept {
#if defined(_WIN32)
  (void)pid;
  return false;
#else
  if (pid == 0 || pid > static_cast<std::uint64_t>(std::numeric_limits<pid_t>::max()))
    return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
#endif
}

/// Removes the temporary files that earlier runs on this host left in `dir` for the same target
/// (names `prefix` + `PID-XXXXXXXX-HOST`, HOST == `host`) and whose process PID has ended: a run
/// killed by SIGKILL or a power loss had no chance to remove its own. Anything else is kept.
/// Best effort: a failure leaves the file where it is.
inline void remove_abandoned_temps(const std::filesystem::path& dir, std::string_view prefix,
                                   std::string_view host) noexcept {
  try {
    namespace fs = std::filesystem;
    std::error_code ec;
    for (fs::directory_iterator it(dir.empty() ? fs::path(".") : dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0)
        continue;
      const auto owner = parse_temp_owner(std::string_view(name).substr(prefix.size()));
      std::error_code type_ec;
      if (owner && owner->host == host && it->is_regular_file(type_ec) &&
          !it->is_symlink(type_ec) && process_gone(owner->pid))
        fs::remove(it->path(), type_ec);
    }
  } catch (...) { // out of memory: the leftovers stay
  }
}

/// The file a path names once symbolic links are followed (each relative link from its own
/// directory), or the path itself when it is not a link. A dangling link gives the name the chain
/// ends at (a file to create there, as a shell's `>` does).
inline std::filesystem::path follow_symlinks(std::filesystem::path p) {
  namespace fs = std::filesystem;
  for (int hops = 0; hops < 40; ++hops) {
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(p, ec)))
      return p;
    fs::path link = fs::read_symlink(p, ec);
    if (ec)
      return p;
    p = link.is_absolute() ? std::move(link) : p.parent_path() / link;
  }
  throw std::runtime_error("cannot write to '" + p.string() + "': too many symbolic links");
}

} // namespace detail

/// What `-o PATH` writes to: a file that appears under its name only when complete.
///
///   * A regular file (or a new name) is written to a temporary file in the same directory,
///     which `commit()` flushes, closes and renames over it (atomic on POSIX). If the AtomicFile
///     is destroyed without a commit, or the commit fails, or the process is killed by
///     SIGINT/SIGTERM/SIGHUP/SIGPIPE, the temporary file is removed and an existing file of that
///     name is left untouched: an interrupted run never leaves a file that looks complete.
///     A replaced file keeps its permission bits (and, where allowed, its owner and group;
///     set-user/group-ID bits are dropped when the owner cannot be kept).
///   * A symbolic link (or a chain of them) is followed: the file it names is replaced, in ITS
///     directory, and the link stays a link. A dangling link creates the file it points to.
///   * An existing target that is not a regular file (a character device such as /dev/null or
///     /dev/stdout on a terminal, a FIFO, a socket) cannot be replaced: it is opened and written
///     directly (a FIFO waits for a reader), and write errors (ENOSPC on /dev/full) are reported
///     like any other. What was written cannot be taken back if the run then fails.
///
/// A long file (past `FileStreaming::cached` bytes, 1 GiB) is sent to the disk as it is written
/// and dropped from the page cache some way behind its end (Linux): a run of millions of samples
/// then neither fills the page cache with files it will not read again nor makes the kernel
/// reclaim it page by page while it writes. On this project's test machine, `generate --format
/// ids --state packed` of 10,000,000 samples took 52 CPU-seconds (41 of them in the kernel) with
/// plain writes and 22 (11) streamed; below 1 GiB a file is written plainly, which costs less
/// (streaming the files of 1,000,000 samples cost 0.3 CPU-seconds more). The file is the same.
///
/// Temporary files are named `.NAME.tmp-PID-XXXXXXXX-HOST` (PID and HOST of the writing process,
/// X random). A run killed by SIGKILL or a power loss cannot remove its own, so each AtomicFile
/// first removes leftovers for the same target whose HOST is this host and whose PID no longer
/// exists here (kill(PID, 0) fails with ESRCH): that process can no longer rename it, so removing
/// it is safe. Everything else is kept: a leftover of another host (a shared directory), of a PID
/// that is alive or that we may not signal (maybe reused: kept, never wrongly removed), or of an
/// older name scheme. The one case this cannot see is two pid namespaces (containers) with the
/// same host name writing the same target in a shared directory: the removed file's writer then
/// fails its rename loudly (exit 2); no wrong file appears. When the host name is unusable in a
/// file name or the name would exceed 255 bytes, the name is `.NAME.tmp-XXXXXXXX` and is never
/// cleaned up by a later run.
/// When a file written by an AtomicFile leaves the page cache: once `cached` bytes are written,
/// each further `step` bytes are sent to the disk, and what lies more than `lag` bytes behind the
/// end is dropped from the cache once it is on the disk.
struct FileStreaming {
  std::uint64_t cached = std::uint64_t{1} << 30;
  std::uint64_t step = std::uint64_t{8} << 20;
  std::uint64_t lag = std::uint64_t{64} << 20;
};

class AtomicFile {
public:
  /// Opens the target (in place) or creates the temporary file. Throws std::runtime_error when
  /// it cannot.
  explicit AtomicFile(std::filesystem::path target, FileStreaming streaming = {})
      : target_(std::move(target)), streaming_(streaming) {
    namespace fs = std::filesystem;
    if (target_.filename().empty())
      throw std::runtime_error("cannot write to '" + target_.string() + "': not a file name");
    std::error_code ec;
    const fs::file_status status = fs::status(target_, ec); // follows symbolic links
    if (fs::is_directory(status))
      throw std::runtime_error("cannot write to '" + target_.string() + "': it is a directory");
    if (fs::exists(status) && !fs::is_regular_file(status)) {
      open_in_place();
      return;
    }
    const fs::path replaced = detail::follow_symlinks(target_);
    if (replaced.filename().empty() || fs::is_directory(fs::status(replaced, ec)))
      throw std::runtime_error("cannot write to '" + target_.string() + "': not a file name");
    replaced_ = replaced;
    create_temp();
    keep_attributes();
  }

  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  ~AtomicFile() { discard(); }

  /// Appends bytes. Throws std::runtime_error on a write error (disk full, ...).
  void write(std::string_view bytes) {
    if (file_ == nullptr)
      throw std::logic_error("AtomicFile::write after commit or discard");
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
      throw std::runtime_error("cannot write '" + target_.string() + "': " + std::strerror(errno));
    written_ += bytes.size();
    if (written_ >= streaming_.cached && written_ - sent_ >= streaming_.step)
      stream_out();
  }

  /// Replaces `bytes.size()` bytes at `offset` (within what was written) and goes on appending
  /// at the end: for a header that is known only once the data is written (.npy shapes).
  /// Throws std::runtime_error when seeking or writing fails.
  void overwrite(std::uint64_t offset, std::string_view bytes) {
    if (file_ == nullptr)
      throw std::logic_error("AtomicFile::overwrite after commit or discard");
    const bool ok = std::fflush(file_) == 0 && seek(offset, SEEK_SET) &&
                    std::fwrite(bytes.data(), 1, bytes.size(), file_) == bytes.size() &&
                    seek(0, SEEK_END);
    if (!ok)
      throw std::runtime_error("cannot write '" + target_.string() + "': " + std::strerror(errno));
  }

  /// Makes the file appear under its name (in place: flushes and closes it). Throws
  /// std::runtime_error (after removing the temporary file) when flushing, closing or renaming
  /// fails.
  void commit() {
    if (file_ == nullptr)
      throw std::logic_error("AtomicFile::commit after commit or discard");
    const bool flushed = std::fflush(file_) == 0 && std::ferror(file_) == 0;
    const int flush_errno = errno;
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!flushed || !closed) {
      const int err = flushed ? errno : flush_errno;
      discard();
      throw std::runtime_error("cannot write '" + target_.string() + "': " + std::strerror(err));
    }
    if (!temp_name_.empty()) {
      std::error_code ec;
      std::filesystem::rename(temp_, replaced_, ec);
      if (ec) {
        discard();
        throw std::runtime_error("cannot rename the temporary file to '" + replaced_.string() +
                                 "': " + ec.message());
      }
    }
    release_slot();
    temp_name_.clear();
    committed_ = true;
  }

  /// Drops the temporary file (the target is left as it was). Safe to call more than once.
  void discard() noexcept {
    if (committed_)
      return;
    if (file_ != nullptr)
      std::fclose(file_);
    file_ = nullptr;
    if (!temp_name_.empty())
      std::remove(temp_name_.c_str());
    release_slot();
    temp_name_.clear();
  }

  const std::filesystem::path& target() const noexcept { return target_; }
  /// The temporary file's path (empty once committed or discarded, and when writing in place).
  const std::string& temp_path() const noexcept { return temp_name_; }
  /// Whether the target is written directly (a device, a FIFO) instead of replaced.
  bool in_place() const noexcept { return replaced_.empty(); }

private:
  // Sends what was written since the last call to the disk and drops what lies `lag` behind from
  // the page cache: advice to the kernel, whose failure (a file system without it) changes
  // nothing that is written.
  void stream_out() {
#if defined(__linux__)
    if (temp_name_.empty()) { // a device or a FIFO, written in place
      sent_ = written_;
      return;
    }
    if (std::fflush(file_) != 0)
      throw std::runtime_error("cannot write '" + target_.string() + "': " + std::strerror(errno));
    const int fd = ::fileno(file_);
    const auto off = [](std::uint64_t x) { return static_cast<off_t>(x); };
    (void)::sync_file_range(fd, off(sent_), off(written_ - sent_), SYNC_FILE_RANGE_WRITE);
    sent_ = written_;
    const std::uint64_t behind = sent_ > streaming_.lag ? sent_ - streaming_.lag : 0;
    if (behind > dropped_) {
      // The kernel drops only folios (up to 2 MiB, aligned) that the range covers whole: the
      // range starts at a 2 MiB boundary, so the folio cut by the last one is dropped now.
      const std::uint64_t from = dropped_ & ~((std::uint64_t{2} << 20) - 1);
      // Dropping needs clean pages: wait for this range's writes, started a while ago.
      (void)::sync_file_range(fd, off(from), off(behind - from),
                              SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                                  SYNC_FILE_RANGE_WAIT_AFTER);
      (void)::posix_fadvise(fd, off(from), off(behind - from), POSIX_FADV_DONTNEED);
      dropped_ = behind;
    }
#else
    sent_ = written_;
#endif
  }

  bool seek(std::uint64_t offset, int whence) noexcept {
#if defined(_WIN32)
    return _fseeki64(file_, static_cast<long long>(offset), whence) == 0;
#else
    return fseeko(file_, static_cast<off_t>(offset), whence) == 0;
#endif
  }

  void open_in_place() {
    file_ = std::fopen(target_.string().c_str(), "wb");
    if (file_ == nullptr)
      throw std::runtime_error("cannot open '" + target_.string() + "': " + std::strerror(errno));
  }

  void create_temp() {
    detail::install_temp_cleanup();
    const std::string name = replaced_.filename().string();
    const std::string prefix = fmt::format(".{}.tmp-", name);
    const std::string host = detail::host_name();
    if (!host.empty())
      detail::remove_abandoned_temps(replaced_.parent_path(), prefix, host);
    const std::string owner = fmt::format("{}-", detail::process_id());
    constexpr std::size_t max_name = 255; // NAME_MAX of common file systems
    const bool named_owner =
        !host.empty() && prefix.size() + owner.size() + 9 + host.size() <= max_name;
    std::random_device rd;
    for (int attempt = 0; attempt < 100 && file_ == nullptr; ++attempt) {
      temp_ = replaced_;
      // Built with fmt: GCC 12 warns falsely (-Wrestrict) on "." + std::string.
      temp_.replace_filename(named_owner ? fmt::format("{}{}{:08x}-{}", prefix, owner, rd(), host)
                                         : fmt::format("{}{:08x}", prefix, rd()));
      temp_name_ = temp_.string();
      // "x": fail rather than reuse a file that exists (C11 exclusive mode).
      file_ = std::fopen(temp_name_.c_str(), "wbx");
      if (file_ == nullptr && errno != EEXIST)
        break;
    }
    if (file_ == nullptr) {
      const int err = errno;
      temp_name_.clear();
      throw std::runtime_error("cannot create a temporary file for '" + target_.string() +
                               "': " + std::strerror(err));
    }
    for (auto& slot : detail::live_temps) {
      const char* expected = nullptr;
      if (slot.compare_exchange_strong(expected, temp_name_.c_str())) {
        slot_ = &slot;
        break;
      }
    }
  }

  /// A replaced file keeps its permission bits, owner and group (the temporary file was created
  /// with the umask's defaults and this process's owner).
  void keep_attributes() noexcept {
#if !defined(_WIN32)
    struct stat old {};
    struct stat now {};
    const int fd = ::fileno(file_);
    if (::stat(replaced_.string().c_str(), &old) != 0 || !S_ISREG(old.st_mode) ||
        ::fstat(fd, &now) != 0)
      return; // a new file: the defaults are right
    mode_t mode = old.st_mode & 07777;
    if ((old.st_uid != now.st_uid || old.st_gid != now.st_gid) &&
        ::fchown(fd, old.st_uid, old.st_gid) != 0)
      mode &= static_cast<mode_t>(~(S_ISUID | S_ISGID)); // never hand our identity to a setuid bit
    (void)::fchmod(fd, mode);
#endif
  }

  void release_slot() noexcept {
    if (slot_ != nullptr)
      slot_->store(nullptr);
    slot_ = nullptr;
  }

  std::filesystem::path target_;   // as given
  std::filesystem::path replaced_; // the regular file the temporary replaces; empty in place
  std::filesystem::path temp_;
  std::string temp_name_;
  std::FILE* file_ = nullptr;
  std::atomic<const char*>* slot_ = nullptr;
  bool committed_ = false;
  FileStreaming streaming_;
  std::uint64_t written_ = 0; // appended so far
  std::uint64_t sent_ = 0;    // sent to the disk (writes started) up to here
  std::uint64_t dropped_ = 0; // dropped from the page cache up to here
};

// --- buffered output ----------------------------------------------------------------------------

/// Where a subcommand's main output goes: stdout, or an AtomicFile when `-o FILE` is given.
/// Text is appended to `buffer()` and written in large blocks; `finish()` writes the rest and
/// (for a file) commits it. An Output destroyed without `finish()` leaves no file.
class Output {
public:
  /// `path` empty or "-" means stdout.
  explicit Output(const std::string& path = {}) {
    if (!path.empty() && path != "-")
      file_.emplace(path);
    buffer_.reserve(block);
  }

  /// The buffer to append to; call `maybe_flush()` after each record.
  std::string& buffer() noexcept { return buffer_; }

  void maybe_flush() {
    if (buffer_.size() >= block)
      flush();
  }

  /// Appends a block of records: a large one goes out directly, without a copy through the
  /// buffer (the generator writes megabytes at a time).
  void write(std::string_view bytes) {
    if (bytes.size() < block) {
      buffer_.append(bytes);
      maybe_flush();
      return;
    }
    flush();
    put(bytes);
  }

  /// Writes the buffer out now (stdout is flushed too, for interactive use).
  void flush() {
    put(buffer_);
    buffer_.clear();
  }

  /// Writes the rest; commits the file only if `commit_file` (pass false after a fatal error, so
  /// an incomplete output never appears under its name).
  void finish(bool commit_file = true) {
    if (file_ && !commit_file) {
      file_->discard();
      return;
    }
    flush();
    if (file_)
      file_->commit();
  }

private:
  void put(std::string_view bytes) {
    if (file_) {
      file_->write(bytes);
      return;
    }
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size())
      throw std::runtime_error(std::string("cannot write to stdout: ") + std::strerror(errno));
    if (std::fflush(stdout) != 0)
      throw std::runtime_error(std::string("cannot write to stdout: ") + std::strerror(errno));
  }

  static constexpr std::size_t block = std::size_t{1} << 16;
  std::string buffer_;
  std::optional<AtomicFile> file_;
};

} // namespace searchtrace::cli
