// Text and token ids: prompts and completions written in a rendering or a vocabulary. A
// completion's tokens come from the TokenWriter (token_writer.hpp), given emitters here that
// write text (any dialect; the compact one fast), collect tokens or encode ids.
//
//   Trace or search events → TokenWriter → TextEmitter / CompactTextEmitter / CompactWordEmitter
//                                          (text), IdEmitter (ids), TokenCollector, TokenCounter
//   Prompt → for_each_prompt_token or node words → text, tokens, ids
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "searchtrace/grammar.hpp"
#include "searchtrace/hints.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/token_writer.hpp"
#include "searchtrace/trace.hpp"
#include "searchtrace/vocabulary.hpp"

namespace searchtrace {

namespace detail {

/// Two digits per entry; a one-digit number is its entry's second byte.
inline constexpr char digit_pairs[201] =
    "0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546"
    "4748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293"
    "949596979899";

/// 0..99 for one two-byte store: the digits (in memory order), then the length.
struct SmallLabelText {
  char digits[2];
  std::uint8_t length;
};

constexpr std::array<SmallLabelText, 100> make_small_label_text() noexcept {
  std::array<SmallLabelText, 100> t{};
  for (std::size_t v = 0; v < 100; ++v) {
    const bool two = v >= 10;
    t[v].digits[0] = two ? static_cast<char>('0' + v / 10) : static_cast<char>('0' + v);
    t[v].digits[1] = two ? static_cast<char>('0' + v % 10) : '\0';
    t[v].length = two ? 2 : 1;
  }
  return t;
}

inline constexpr std::array<SmallLabelText, 100> small_label_text = make_small_label_text();

/// Writes v in decimal at p (up to 10 bytes; room for 2 even when v < 10) and returns the end.
/// Labels below 100 (the usual label spaces) are one two-byte copy.
inline char* write_label(char* p, Label v) noexcept {
  if (v < 100) {
    const SmallLabelText& t = small_label_text[v];
    std::memcpy(p, t.digits, 2);
    return p + t.length;
  }
  char buf[10];
  char* end = buf + sizeof buf;
  char* q = end;
  while (v >= 100) {
    const Label r = v % 100;
    v /= 100;
    q -= 2;
    q[0] = digit_pairs[2 * r];
    q[1] = digit_pairs[2 * r + 1];
  }
  if (v >= 10) {
    q -= 2;
    q[0] = digit_pairs[2 * v];
    q[1] = digit_pairs[2 * v + 1];
  } else {
    *--q = static_cast<char>('0' + v);
  }
  for (char* r = q; r != end; ++r)
    *p++ = *r;
  return p;
}

/// " - " is 3.
inline constexpr std::size_t max_punct_bytes = 3;
inline constexpr std::size_t max_label_bytes = 10;

/// Writes through a raw pointer into room reserved beforehand (`append_with`): one size
/// computation per text instead of a capacity check per token.
struct TextEmitter {
  char* p;
  const Dialect* d;
  std::uint32_t tokens = 0;
  void node(Label v, Context) noexcept {
    p = write_label(p, v);
    ++tokens;
  }
  void punct(TokenKind k, Context ctx) noexcept {
    ++tokens;
    const std::string_view s = d->spell(k, ctx);
    if (s.size() == 1) {
      *p++ = s[0];
      return;
    }
    for (const char c : s)
      *p++ = c;
  }
  void symbol(char c) noexcept {
    *p++ = c;
    ++tokens;
  }
  void operator()(Token t, Context ctx) noexcept {
    if (t.kind == TokenKind::node)
      node(t.value, ctx);
    else
      punct(t.kind, ctx);
  }
};

constexpr bool spells_bare(const Dialect& d) noexcept {
  for (std::size_t k = 1; k < token_kind_count; ++k)
    for (const Context c : {Context::outside_list, Context::inside_list})
      if (d.spell(static_cast<TokenKind>(k), c) != std::string_view(&punct_char[k], 1))
        return false;
  return true;
}
static_assert(spells_bare(compact_dialect), "CompactTextEmitter writes the compact dialect");

/// The compact dialect's writer: a token is one store or a label's digits, no spelling to look
/// up. Unlike TextEmitter it inlines into the token writer (whose out-of-line calls took a tenth
/// of dataset generation's instructions).
struct CompactTextEmitter {
  char* p;
  void node(Label v, Context) noexcept { p = write_label(p, v); }
  void punct(TokenKind k, Context) noexcept { *p++ = punct_char[static_cast<std::size_t>(k)]; }
  void symbol(char c) noexcept { *p++ = c; }
  void operator()(Token t, Context ctx) noexcept {
    if (t.kind == TokenKind::node)
      node(t.value, ctx);
    else
      punct(t.kind, ctx);
  }
};

/// Appends what `write(char*&)` writes, given an upper bound on its size.
template <class Write>
void append_with(std::string& out, std::size_t bound, Write&& write) {
  const std::size_t old = out.size();
  out.resize(old + bound);
  char* p = out.data() + old;
  write(p);
  out.resize(static_cast<std::size_t>(p - out.data()));
}

/// Upper bounds on the bytes of a rendered completion and prompt.
inline std::size_t completion_bytes_bound(const Trace& t) noexcept {
  const std::size_t labels =
      t.expanded.size() + t.listed.size() + t.backtrack.size() + t.path.size();
  const std::size_t punct = 4 * t.expanded.size() + labels + 8;
  return labels * max_label_bytes + punct * max_punct_bytes;
}

inline std::size_t prompt_bytes_bound(const Prompt& p) noexcept {
  const std::size_t m = p.graph.edge_count();
  return (2 * m + 2) * max_label_bytes + (2 * m + 2) * max_punct_bytes;
}

template <class Out>
struct IdEmitter {
  Out* out;
  const Vocabulary* v;
  void node(Label x, Context) { v->encode(node_token(x), *out); }
  void punct(TokenKind k, Context) { v->encode(punct_token(k), *out); }
  void symbol(char c) { out->push_back(static_cast<typename Out::value_type>(v->symbol_id(c))); }
  void operator()(Token t, Context) { v->encode(t, *out); }
};

struct TokenCollector {
  std::vector<Token>* out;
  void node(Label x, Context) { out->push_back(node_token(x)); }
  void punct(TokenKind k, Context) { out->push_back(punct_token(k)); }
  void operator()(Token t, Context) { out->push_back(t); }
};

struct TokenCounter {
  std::uint32_t count = 0;
  void node(Label, Context) noexcept { ++count; }
  void punct(TokenKind, Context) noexcept { ++count; }
  void symbol(char) noexcept { ++count; }
};

template <class Emit>
void for_each_prompt_token(const Prompt& p, Emit&& emit) {
  const Graph& g = p.graph;
  // Raw pointers by value: read through `g` they would be reloaded after every byte stored.
  const Edge* const edges = g.edges().data();
  const Label* const labels = g.labels().data();
  searchtrace::for_each_prompt_token(
      g.edge_count(),
      [edges, labels](std::size_t i) {
        const Edge e = edges[i];
        return std::pair{labels[e.u], labels[e.v]};
      },
      g.label(p.query.source), g.label(p.query.target), emit);
}

/// Writes the completion's text at p (room: `completion_bytes_bound(t)`) and returns its end.
template <CompletionLayout Layout = CompletionLayout::trace>
SEARCHTRACE_FLATTEN char* write_completion(char* p, const Trace& t, Rendering r) {
  if (r == Rendering::compact) {
    TokenWriter<CompactTextEmitter, Layout> w({p});
    write_trace(w, t);
    return w.emitter().p;
  }
  TokenWriter<TextEmitter, Layout> w({p, &dialect(r)});
  write_trace(w, t);
  return w.emitter().p;
}

template <class F>
decltype(auto) with_layout(CompletionLayout l, F&& f) {
  switch (l) {
  case CompletionLayout::pause:
    return f(std::integral_constant<CompletionLayout, CompletionLayout::pause>{});
  case CompletionLayout::path:
    return f(std::integral_constant<CompletionLayout, CompletionLayout::path>{});
  case CompletionLayout::trace:
    break;
  }
  return f(std::integral_constant<CompletionLayout, CompletionLayout::trace>{});
}

} // namespace detail

/// `layout`: what the completion shows of the search.
inline void append_completion(std::string& out, const Trace& t, Rendering r = Rendering::compact,
                              CompletionLayout layout = CompletionLayout::trace) {
  detail::append_with(out, detail::completion_bytes_bound(t), [&](char*& p) {
    p = detail::with_layout(layout, [&](auto l) { return detail::write_completion<l()>(p, t, r); });
  });
}

inline std::string render_completion(const Trace& t, Rendering r = Rendering::compact,
                                     CompletionLayout layout = CompletionLayout::trace) {
  std::string s;
  append_completion(s, t, r, layout);
  return s;
}

namespace detail {

/// At most 64 nodes, labels of at most 7 digits (a label and its punctuation fit 8 bytes), and
/// an edge.
inline bool fits_prompt_words(const Prompt& p) noexcept {
  const Graph& g = p.graph;
  return g.node_count() <= 64 && g.edge_count() > 0 && g.labels().back() < 10'000'000;
}

/// Each node's label followed by ',' and by '|' as 8-byte words, and their lengths: a node with
/// its punctuation is one store and a pointer bump, reaching past the text (the bounds leave room).
struct NodeWords {
  std::uint64_t then_comma[64];
  std::uint64_t then_bar[64];
  std::uint8_t length[64];
};

inline void fill_node_words(NodeWords& w, const Graph& g) noexcept {
  const std::size_t n = g.node_count();
  const Label* const labels = g.labels().data();
  // Put together in registers: bytes stored and read back as a word stall on store forwarding.
  const auto at = [](char c, std::size_t i) {
    const auto b = static_cast<std::uint64_t>(static_cast<unsigned char>(c));
    return std::endian::native == std::endian::little ? b << (8 * i) : b << (56 - 8 * i);
  };
  for (std::size_t u = 0; u < n; ++u) {
    std::uint64_t word = 0;
    std::size_t digits = 0;
    if (labels[u] < 100) {
      const SmallLabelText& t = small_label_text[labels[u]];
      word = at(t.digits[0], 0) | at(t.digits[1], 1);
      digits = t.length;
    } else {
      char text[16];
      digits = static_cast<std::size_t>(write_label(text, labels[u]) - text);
      for (std::size_t i = 0; i < digits; ++i)
        word |= at(text[i], i);
    }
    w.then_comma[u] = word | at(',', digits);
    w.then_bar[u] = word | at('|', digits);
    w.length[u] = static_cast<std::uint8_t>(digits + 1);
  }
}

inline char* put_word(char* p, const std::uint64_t* words, const NodeWords& w, NodeId u) noexcept {
  std::memcpy(p, &words[u], 8);
  return p + w.length[u];
}

/// The prompt's text (`u,v|...|u,v/s,t`) from the node words: an edge is two 8-byte stores where
/// the token walker writes four tokens (tests/render.cpp compares the two).
SEARCHTRACE_FLATTEN inline char* write_prompt_words(char* q, const Prompt& p, const NodeWords& w) {
  const Graph& g = p.graph;
  const Label* const labels = g.labels().data();
  const Edge* const edges = g.edges().data();
  const std::size_t m = g.edge_count();
  for (std::size_t i = 0; i < m; ++i) {
    const Edge e = edges[i];
    q = put_word(q, w.then_comma, w, e.u);
    q = put_word(q, w.then_bar, w, e.v);
  }
  q[-1] = '/'; // the last edge's '|'
  q = write_label(q, labels[p.query.source]);
  *q++ = ',';
  return write_label(q, labels[p.query.target]);
}

/// The compact dialect's writer for a graph that fits NodeWords, written while the search runs:
/// a node is one 8-byte store (bytes past its digits are overwritten by the next token) and a
/// pointer bump. Room: completion_bytes_bound_for(graph).
struct CompactWordEmitter {
  char* p;
  const NodeWords* w;
  std::uint32_t tokens = 0;
  void node_id(NodeId v, Context) noexcept {
    std::memcpy(p, &w->then_comma[v], 8);
    p += w->length[v] - 1;
    ++tokens;
  }
  void punct(TokenKind k, Context) noexcept {
    *p++ = punct_char[static_cast<std::size_t>(k)];
    ++tokens;
  }
  void symbol(char c) noexcept {
    *p++ = c;
    ++tokens;
  }
};

/// With 8 bytes of slack for word stores.
inline std::size_t completion_bytes_bound_for(const Graph& g) noexcept {
  const std::size_t n = g.node_count();
  const std::size_t listed = g.directed() ? g.edge_count() : 2 * g.edge_count();
  const std::size_t labels = 3 * n + listed; // expanded, listed, backtrack, path
  return labels * (max_label_bytes + max_punct_bytes) + 4 * n * max_punct_bytes + 16;
}

/// Writes the prompt's text at p (room: `prompt_bytes_bound(pr)`) and returns its end.
SEARCHTRACE_FLATTEN inline char* write_prompt(char* p, const Prompt& pr) {
  if (fits_prompt_words(pr)) {
    NodeWords w;
    fill_node_words(w, pr.graph);
    return write_prompt_words(p, pr, w);
  }
  CompactTextEmitter emit{p};
  for_each_prompt_token(pr, emit);
  return emit.p;
}

} // namespace detail

/// The edges in prompt order, as written, then the query.
inline void append_prompt(std::string& out, const Prompt& p) {
  detail::append_with(out, detail::prompt_bytes_bound(p),
                      [&](char*& w) { w = detail::write_prompt(w, p); });
}

inline std::string render_prompt(const Prompt& p) {
  std::string s;
  append_prompt(s, p);
  return s;
}

/// Commas included.
inline void completion_tokens(const Trace& t, std::vector<Token>& out) {
  TokenWriter<detail::TokenCollector> w({&out});
  write_trace(w, t);
}

inline void prompt_tokens(const Prompt& p, std::vector<Token>& out) {
  detail::for_each_prompt_token(p, detail::TokenCollector{&out});
}

/// Commas included, without rendering.
inline std::uint32_t completion_token_count(const Trace& t,
                                            CompletionLayout layout = CompletionLayout::trace) {
  return detail::with_layout(layout, [&](auto l) {
    TokenWriter<detail::TokenCounter, l()> w({});
    write_trace(w, t);
    return w.emitter().count;
  });
}

/// `Out`: any container of integers. Throws std::out_of_range for a label outside the
/// vocabulary's label space (or, in the pause layout, a vocabulary without '$').
template <class Out>
void encode_completion(const Trace& t, const Vocabulary& v, Out& out,
                       CompletionLayout layout = CompletionLayout::trace) {
  detail::with_layout(layout, [&](auto l) {
    TokenWriter<detail::IdEmitter<Out>, l()> w({&out, &v});
    write_trace(w, t);
  });
}

template <class Out>
void encode_prompt(const Prompt& p, const Vocabulary& v, Out& out) {
  detail::for_each_prompt_token(p, detail::IdEmitter<Out>{&out, &v});
}

/// Tokens of ids, dropped commas restored. False at the first id that is not a grammar token
/// (its index to `bad_index`).
template <class Id>
bool decode_tokens(std::span<const Id> ids, const Vocabulary& v, std::vector<Token>& out,
                   std::size_t* bad_index = nullptr) {
  const bool restore = v.drops_commas();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto t = v.token(static_cast<TokenId>(ids[i]));
    if (!t) {
      if (bad_index)
        *bad_index = i;
      return false;
    }
    if (restore && !out.empty() && Vocabulary::comma_between(out.back().kind, t->kind))
      out.push_back(punct_token(TokenKind::comma));
    out.push_back(*t);
  }
  return true;
}

/// The inverse of lexing, for decoded ids.
inline void append_tokens(std::string& out, std::span<const Token> tokens,
                          Rendering r = Rendering::compact) {
  const std::size_t bound =
      tokens.size() * std::max(detail::max_label_bytes, detail::max_punct_bytes);
  detail::append_with(out, bound, [&](char*& p) {
    detail::TextEmitter emit{p, &dialect(r)};
    bool inside = false;
    for (const Token t : tokens) {
      if (t.kind == TokenKind::rparen)
        inside = false;
      emit(t, inside ? Context::inside_list : Context::outside_list);
      if (t.kind == TokenKind::lparen)
        inside = true;
    }
    p = emit.p;
  });
}

} // namespace searchtrace
