// What every translation unit of the Python module shares: the Python-facing error type, option
// parsing, the worker pool, zero-copy numpy arrays over std::vector, and the conversions of a
// prompt or a vocabulary given either as an object or as a string.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <sys/mman.h>

#include "searchtrace/grammar.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/render.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/token_writer.hpp"
#include "searchtrace/vocabulary.hpp"

namespace searchtrace::python {

namespace py = pybind11;

/// An error that becomes an instance of a class of `searchtrace._errors` (PromptError,
/// FamilyError, ...) with `.kind`, `.offset` and, for a sample, `.index`. Thrown without the GIL
/// too: it holds no Python object.
struct Error : std::exception {
  std::string cls;
  std::string kind;
  std::size_t offset = 0;
  std::string message;
  std::optional<std::uint64_t> index;

  Error(std::string cls_, std::string kind_, std::size_t offset_, std::string message_,
        std::optional<std::uint64_t> index_ = std::nullopt)
      : cls(std::move(cls_)), kind(std::move(kind_)), offset(offset_), message(std::move(message_)),
        index(index_) {}
  const char* what() const noexcept override { return message.c_str(); }
};

/// Turns Error into the Python exception of its class (installed once by the module).
void register_error_translator();

Error prompt_error(const PromptError& e);

// --- options ------------------------------------------------------------------------------------

/// The search options from their Python spellings (those of the command-line tool; `stop` takes
/// "on_list" and "on-list" alike). A bad value is a ValueError that lists the valid ones.
SearchOptions search_options(std::string_view algo, std::string_view order,
                             std::string_view listing, std::string_view stop);
Rendering rendering_of(std::string_view name);
CompletionLayout layout_of(std::string_view name);
std::string_view order_name(NeighborOrder o) noexcept;
std::string_view listing_name(Listing l) noexcept;
std::string_view stop_name(StopRule s) noexcept;

/// 0 = every hardware thread; negative is a ValueError.
unsigned resolve_threads(int threads);

// --- conversions --------------------------------------------------------------------------------

/// A Prompt object, or a prompt text parsed with `directed` (PromptError when it does not parse).
/// `storage` holds a parsed text; the result refers to it or to the object.
const Prompt& as_prompt(py::handle obj, bool directed, Prompt& storage);

/// A Vocabulary object, or a preset name made with `label_space`.
Vocabulary as_vocabulary(py::handle obj, Label label_space);

/// Integer ids from any sequence or integer array; an id below 0 or beyond `limit` is an
/// IndexError naming its position.
std::vector<TokenId> as_ids(py::handle obj, std::size_t limit);

/// Text of a Python str (UTF-8) or bytes, without a copy; valid while `obj` lives.
std::string_view as_text(py::handle obj);

// --- numpy --------------------------------------------------------------------------------------

/// An allocator for the big output arrays: blocks of 4 MiB and more are 2 MiB aligned and
/// advised to be backed by transparent huge pages, as numpy does for its own arrays. Writing
/// fresh memory costs a page fault per 4 KiB page otherwise, which measured as much as the
/// generation itself on a virtual machine (a quarter of the time of Generator.arrays).
template <class T>
struct BigAllocator {
  using value_type = T;
  BigAllocator() = default;
  template <class U>
  BigAllocator(const BigAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < big) {
      return static_cast<T*>(::operator new(bytes));
    }
    const std::size_t rounded = (bytes + huge - 1) / huge * huge;
    void* p = std::aligned_alloc(huge, rounded);
    if (p == nullptr)
      throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    (void)madvise(p, rounded, MADV_HUGEPAGE); // advice only: any failure leaves small pages
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) < big)
      ::operator delete(p);
    else
      std::free(p);
  }
  friend bool operator==(const BigAllocator&, const BigAllocator&) noexcept {
    return true;
  }

  static constexpr std::size_t big = std::size_t{4} << 20;
  static constexpr std::size_t huge = std::size_t{2} << 20;
};

template <class T>
using BigVector = std::vector<T, BigAllocator<T>>;

/// A numpy array that owns the vector's buffer (moved, not copied).
template <class T, class A>
py::array_t<T> to_numpy(std::vector<T, A>&& v, std::vector<py::ssize_t> shape) {
  using V = std::vector<T, A>;
  auto* owned = new V(std::move(v));
  py::capsule owner(owned, [](void* p) { delete static_cast<V*>(p); });
  return py::array_t<T>(std::move(shape), owned->data(), owner);
}

template <class T, class A>
py::array_t<T> to_numpy(std::vector<T, A>&& v) {
  const auto n = static_cast<py::ssize_t>(v.size());
  return to_numpy(std::move(v), {n});
}

// --- threads ------------------------------------------------------------------------------------

/// Runs fn(worker, chunk) for chunks 0..chunks-1 on `threads` threads (the calling one included),
/// each chunk once. After the first exception no new chunk starts; the exception of the lowest
/// chunk that threw is rethrown. Chunks are handed out in increasing order, so every chunk below
/// a failing one ran: which error is reported does not depend on the thread count.
template <class Fn>
void parallel_chunks(std::size_t chunks, unsigned threads, Fn&& fn) {
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, chunks));
  std::vector<std::exception_ptr> errors(chunks);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  const auto work = [&](unsigned worker) {
    for (;;) {
      if (failed.load(std::memory_order_relaxed))
        return;
      const std::size_t c = next.fetch_add(1);
      if (c >= chunks)
        return;
      try {
        fn(worker, c);
      } catch (...) {
        errors[c] = std::current_exception();
        failed = true;
      }
    }
  };
  if (threads <= 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned w = 1; w < threads; ++w)
      pool.emplace_back(work, w);
    work(0);
    for (auto& t : pool)
      t.join();
  }
  for (const auto& e : errors)
    if (e)
      std::rethrow_exception(e);
}

// --- the parts of the module ---------------------------------------------------------------------

void init_text(py::module_& m);
void init_generate(py::module_& m);
void init_classify(py::module_& m);
void init_cursor(py::module_& m);
void init_state(py::module_& m);

} // namespace searchtrace::python
