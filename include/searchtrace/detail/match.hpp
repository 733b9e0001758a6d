// The classifier's fast path: does a text equal the reference completion? The search loop runs
// with the TokenWriter as its sink and an emitter that compares each token with the text instead
// of writing it, so the reference is never materialised and the search stops at the first
// difference.
//
//   prompt → search loop → TokenWriter → MatchEmitter ⇄ text  →  matched? (else: parse, replay)
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "searchtrace/completion.hpp"
#include "searchtrace/grammar.hpp"
#include "searchtrace/graph.hpp"
#include "searchtrace/hints.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/token_writer.hpp"

namespace searchtrace::detail {

/// 0..99 as the first two bytes of a text (memory order), with the mask of the bytes a label
/// uses, for matching labels without dividing.
struct SmallLabels {
  std::uint16_t bytes[100];
  std::uint16_t mask[100];
  std::uint8_t length[100];
};

constexpr SmallLabels make_small_labels() noexcept {
  SmallLabels t{};
  const auto pack = [](unsigned first, unsigned second) {
    return static_cast<std::uint16_t>(
        std::endian::native == std::endian::little ? first | second << 8 : first << 8 | second);
  };
  for (unsigned i = 0; i < 100; ++i) {
    t.bytes[i] = i < 10 ? pack('0' + i, 0) : pack('0' + i / 10, '0' + i % 10);
    t.mask[i] = i < 10 ? pack(0xFF, 0) : pack(0xFF, 0xFF);
    t.length[i] = i < 10 ? 1 : 2;
  }
  return t;
}

inline constexpr SmallLabels small_labels = make_small_labels();

/// Reads the label x at p (NUL-padded text) and advances p past it, or returns false. The
/// caller's check of the next byte (punctuation or the end) rejects a longer number.
inline bool match_label(const char*& p, const char* end, Label x) noexcept {
  if (x < 100) [[likely]] {
    std::uint16_t two;
    std::memcpy(&two, p, 2);
    if ((two & small_labels.mask[x]) != small_labels.bytes[x])
      return false;
    p += small_labels.length[x];
    return true;
  }
  Label y = 0;
  const char* q = scan_label(p, end, y);
  if (q == nullptr || y != x)
    return false;
  p = q;
  return true;
}

/// NUL bytes after a text given to `matches_reference`: NUL matches nothing, so no read needs a
/// bounds check (a label reads 2 bytes, padding up to 3).
inline constexpr std::size_t reference_padding = 4;

/// Compares the tokens with a NUL-padded text; a token that differs clears `matched` and leaves
/// p, which therefore never passes the end. Optional spaces per grammar.hpp's padding table.
struct MatchEmitter {
  const char* p;
  const char* end;
  const Label* labels;
  bool matched = true;

  bool ok() const noexcept { return matched; }

  // Branches, not selects: on the texts that cost (those that reach the end) all go one way.
  SEARCHTRACE_HOT_INLINE void node_id(NodeId v, Context) noexcept {
    if (!match_label(p, end, labels[v]))
      matched = false;
  }
  SEARCHTRACE_HOT_INLINE void punct(TokenKind k, Context c) noexcept {
    // k and c are constants where the writer calls this, so the table lookups fold away.
    const Padding pad = accepted_padding.at(k, c);
    if (pad.before != 0 && *p == ' ')
      ++p;
    if (*p != punct_char[static_cast<std::size_t>(k)]) {
      matched = false;
      return;
    }
    ++p;
    if (pad.after != 0 && *p == ' ')
      ++p;
  }
};

/// Whether `text` (followed by `reference_padding` NULs) is the reference completion of `st`'s
/// search in some accepted spacing: exactly the texts CompletionParser reads, without error,
/// into the reference trace.
template <class State>
SEARCHTRACE_FLATTEN bool matches_reference(State& st, std::string_view text) {
  TokenWriter<MatchEmitter> w({text.data(), text.data() + text.size(), st.labels()});
  if (run_search(st, w) != SearchStatus::found)
    return false;
  const MatchEmitter& m = w.emitter();
  return m.matched && m.p == m.end;
}

} // namespace searchtrace::detail
