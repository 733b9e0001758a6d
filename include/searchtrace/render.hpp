// The one writer of text and token ids: prompts and traces to tokens, to text in a rendering,
// and to ids in a vocabulary, all from the token walkers and tables of grammar.hpp/trace.hpp.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "searchtrace/grammar.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/trace.hpp"
#include "searchtrace/vocabulary.hpp"

namespace searchtrace {

namespace detail {

inline void append_label(std::string& out, Label v) {
  char buf[10];
  char* end = buf + sizeof buf;
  char* p = end;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out.append(p, end);
}

struct TextEmitter {
  std::string& out;
  const Dialect& d;
  void operator()(Token t, Context ctx) const {
    if (t.kind == TokenKind::node)
      append_label(out, t.value);
    else
      out.append(d.spell(t.kind, ctx));
  }
};

template <class Out>
struct IdEmitter {
  Out& out;
  const Vocabulary& v;
  void operator()(Token t, Context) const { v.encode(t, out); }
};

struct TokenCollector {
  std::vector<Token>& out;
  void operator()(Token t, Context) const { out.push_back(t); }
};

template <class Emit>
void for_each_prompt_token(const Prompt& p, Emit&& emit) {
  const Graph& g = p.graph;
  searchtrace::for_each_prompt_token(
      g.edge_count(),
      [&](std::size_t i) {
        const Edge e = g.edges()[i];
        return std::pair{g.label(e.u), g.label(e.v)};
      },
      g.label(p.query.source), g.label(p.query.target), emit);
}

} // namespace detail

/// Appends the completion's text in a rendering (SPEC §1).
inline void append_completion(std::string& out, const Trace& t, Rendering r = Rendering::compact) {
  for_each_completion_token(t, detail::TextEmitter{out, dialect(r)});
}

inline std::string render_completion(const Trace& t, Rendering r = Rendering::compact) {
  std::string s;
  append_completion(s, t, r);
  return s;
}

/// Appends the prompt's text: its edges in prompt order, as written, then the query.
inline void append_prompt(std::string& out, const Prompt& p) {
  detail::for_each_prompt_token(p, detail::TextEmitter{out, compact_dialect});
}

inline std::string render_prompt(const Prompt& p) {
  std::string s;
  append_prompt(s, p);
  return s;
}

/// The tokens of a completion (commas included).
inline void completion_tokens(const Trace& t, std::vector<Token>& out) {
  for_each_completion_token(t, detail::TokenCollector{out});
}

inline void prompt_tokens(const Prompt& p, std::vector<Token>& out) {
  detail::for_each_prompt_token(p, detail::TokenCollector{out});
}

/// Appends the ids of a completion; `Out` is any container of integers (uint16_t for a
/// memory-mapped dataset, TokenId in memory). Throws std::out_of_range for a label outside the
/// vocabulary's label space.
template <class Out>
void encode_completion(const Trace& t, const Vocabulary& v, Out& out) {
  for_each_completion_token(t, detail::IdEmitter<Out>{out, v});
}

template <class Out>
void encode_prompt(const Prompt& p, const Vocabulary& v, Out& out) {
  detail::for_each_prompt_token(p, detail::IdEmitter<Out>{out, v});
}

/// Tokens of an id sequence, with dropped commas restored. Returns false at the first id that is
/// not a grammar token (a special or an unused layout symbol), whose index goes to `bad_index`.
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

/// Text of a token sequence in a rendering (the inverse of lexing, for decoded ids).
inline void append_tokens(std::string& out, std::span<const Token> tokens,
                          Rendering r = Rendering::compact) {
  const detail::TextEmitter emit{out, dialect(r)};
  bool inside = false;
  for (const Token t : tokens) {
    if (t.kind == TokenKind::rparen)
      inside = false;
    emit(t, inside ? Context::inside_list : Context::outside_list);
    if (t.kind == TokenKind::lparen)
      inside = true;
  }
}

} // namespace searchtrace
