// What every `searchtrace` subcommand shares: exit codes, input lines from FILEs or stdin,
// `line N, offset K: message` diagnostics, the enum options (--algo, --rendering, the search
// policies) and AtomicFile, the only way a subcommand writes a file.
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
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#else
#include <unistd.h>
#endif

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "searchtrace/grammar.hpp"
#include "searchtrace/search.hpp"

namespace searchtrace::cli {

// --- stderr -------------------------------------------------------------------------------------

/// Writes a diagnostic to stderr. Never throws: a failed write to stderr (a full disk, a closed
/// descriptor) loses the message, never the run's work or its exit code.
template <class... Args>
void eprint(fmt::format_string<Args...> format, Args&&... args) noexcept {
  try {
    const std::string text = fmt::format(format, std::forward<Args>(args)...);
    (void)std::fwrite(text.data(), 1, text.size(), stderr);
  } catch (...) {
    // formatting ran out of memory: nothing sensible is left to report it with
  }
}

// --- exit codes ---------------------------------------------------------------------------------

inline constexpr int exit_ok = 0;
inline constexpr int exit_bad_lines = 1; // the run went through, some input lines were reported
inline constexpr int exit_usage = 2;     // bad command line, unreadable input, unwritable output

/// Runs a subcommand body; an exception that escapes it (I/O failure, out of memory) becomes a
/// message on stderr and exit code 2 instead of std::terminate.
template <class Body>
int run_guarded(std::string_view command, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    eprint("searchtrace {}: error: {}\n", command, e.what());
  } catch (...) {
    eprint("searchtrace {}: error: unknown exception\n", command);
  }
  return exit_usage;
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

/// `--max-line-bytes N`.
inline CLI::Option* add_max_line_option(CLI::App& app, std::size_t& out) {
  return app
      .add_option(
          "--max-line-bytes", out,
          "Skip (and report) input lines longer than N bytes (a line costs at most 2N of memory)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber.description(""))
      ->type_name("N");
}

/// Reports problems with input lines as `[FILE: ]line N, offset K: message` on stderr, and counts
/// them. The file prefix appears whenever FILE arguments were given (so that `grep` output of a
/// multi-file run stays unambiguous); offsets are byte offsets in the line, from 0.
class Diagnostics {
public:
  void line_error(const LineRef& at, std::size_t offset, std::string_view message) {
    ++bad_lines_;
    if (at.file.empty())
      eprint("line {}, offset {}: {}\n", at.line, offset, message);
    else
      eprint("{}: line {}, offset {}: {}\n", at.file, at.line, offset, message);
  }

  /// A problem that is not about one line (an unreadable file): exit code 2.
  void fatal(std::string_view message) {
    ++fatal_;
    eprint("searchtrace: {}\n", message);
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

/// A file that appears under its name only when complete. Writes go to a temporary file in the
/// same directory (so the final rename is atomic on POSIX); `commit()` flushes, closes and
/// renames it over the target. If the AtomicFile is destroyed without a commit, or the commit
/// fails, or the process is killed by SIGINT/SIGTERM/SIGHUP/SIGPIPE, the temporary file is
/// removed and an existing file of that name is left untouched: an interrupted run never leaves a
/// file that looks complete.
class AtomicFile {
public:
  /// Creates the temporary file. Throws std::runtime_error when it cannot.
  explicit AtomicFile(std::filesystem::path target) : target_(std::move(target)) {
    if (target_.filename().empty())
      throw std::runtime_error("cannot write to '" + target_.string() + "': not a file name");
    std::error_code ec;
    if (std::filesystem::is_directory(target_, ec))
      throw std::runtime_error("cannot write to '" + target_.string() + "': it is a directory");
    detail::install_temp_cleanup();
    std::random_device rd;
    for (int attempt = 0; attempt < 100 && file_ == nullptr; ++attempt) {
      temp_ = target_;
      // Built with fmt: GCC 12 warns falsely (-Wrestrict) on "." + std::string.
      temp_.replace_filename(fmt::format(".{}.tmp-{:08x}", target_.filename().string(), rd()));
      temp_name_ = temp_.string();
      // "x": fail rather than reuse a file that exists (C11 exclusive mode).
      file_ = std::fopen(temp_name_.c_str(), "wbx");
      if (file_ == nullptr && errno != EEXIST)
        break;
    }
    if (file_ == nullptr)
      throw std::runtime_error("cannot create a temporary file for '" + target_.string() +
                               "': " + std::strerror(errno));
    for (auto& slot : detail::live_temps) {
      const char* expected = nullptr;
      if (slot.compare_exchange_strong(expected, temp_name_.c_str())) {
        slot_ = &slot;
        break;
      }
    }
  }

  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  ~AtomicFile() { discard(); }

  /// Appends bytes. Throws std::runtime_error on a write error (disk full, ...).
  void write(std::string_view bytes) {
    if (file_ == nullptr)
      throw std::logic_error("AtomicFile::write after commit or discard");
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
      throw std::runtime_error("cannot write '" + temp_name_ + "': " + std::strerror(errno));
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
      throw std::runtime_error("cannot write '" + temp_name_ + "': " + std::strerror(errno));
  }

  /// Makes the file appear under its name. Throws std::runtime_error (after removing the
  /// temporary file) when flushing, closing or renaming fails.
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
    std::error_code ec;
    std::filesystem::rename(temp_, target_, ec);
    if (ec) {
      discard();
      throw std::runtime_error("cannot rename the temporary file to '" + target_.string() +
                               "': " + ec.message());
    }
    release_slot();
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
  /// The temporary file's path (empty once committed or discarded).
  const std::string& temp_path() const noexcept { return temp_name_; }

private:
  bool seek(std::uint64_t offset, int whence) noexcept {
#if defined(_WIN32)
    return _fseeki64(file_, static_cast<long long>(offset), whence) == 0;
#else
    return fseeko(file_, static_cast<off_t>(offset), whence) == 0;
#endif
  }

  void release_slot() noexcept {
    if (slot_ != nullptr)
      slot_->store(nullptr);
    slot_ = nullptr;
  }

  std::filesystem::path target_;
  std::filesystem::path temp_;
  std::string temp_name_;
  std::FILE* file_ = nullptr;
  std::atomic<const char*>* slot_ = nullptr;
  bool committed_ = false;
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
