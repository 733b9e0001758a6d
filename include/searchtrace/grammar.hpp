// The token grammar, defined once: token kinds, their spellings in every rendering, and the
// whitespace a reader accepts around them (docs/reference.md, 'Sample format'). The renderer,
// the lexer and the fast readers all read these tables, so a new dialect is one `Dialect` value.
//
//   Dialect tables → render.hpp (writing) and accepted_padding → lexer.hpp, completion.hpp,
//                                                                 detail/match.hpp (reading)
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace searchtrace {

/// Node labels as written: non-negative integers, one token each.
using Label = std::uint32_t;

/// Every token of the grammar. `node` carries a label; the others are punctuation.
enum class TokenKind : std::uint8_t {
  node,
  bar,    // |   separates edges
  slash,  // /   ends the edge list
  comma,  // ,   separates nodes (redundant once a node is one token)
  lt,     // <   opens the completion
  gt,     // >   closes the backtrack
  lparen, // (   opens a neighbour list
  rparen, // )   closes a neighbour list
  dash,   // -   separates exploration and backtrack
  eq,     // =   introduces the answer path
};

inline constexpr std::size_t token_kind_count = 10;

struct Token {
  TokenKind kind = TokenKind::node;
  Label value = 0; // the label when kind == node, 0 otherwise

  friend constexpr bool operator==(const Token&, const Token&) = default;
};

constexpr Token node_token(Label label) noexcept {
  return {TokenKind::node, label};
}
constexpr Token punct_token(TokenKind kind) noexcept {
  return {kind, 0};
}

/// Indexed by TokenKind; node has none.
inline constexpr std::array<char, token_kind_count> punct_char{'\0', '|', '/', ',', '<',
                                                               '>',  '(', ')', '-', '='};

constexpr std::string_view token_kind_name(TokenKind kind) noexcept {
  constexpr std::array<std::string_view, token_kind_count> names{
      "node", "'|'", "'/'", "','", "'<'", "'>'", "'('", "')'", "'-'", "'='"};
  return names[static_cast<std::size_t>(kind)];
}

/// Where a token stands: the pretty rendering spaces commas differently inside a neighbour list.
enum class Context : std::uint8_t { outside_list, inside_list };

/// One rendering of the grammar: the exact text of each punctuation token in each context.
/// Whitespace is rendering, not grammar: every spelling is its bare character with optional
/// spaces around it.
struct Dialect {
  std::string_view name;
  std::array<std::string_view, token_kind_count> outside;
  std::array<std::string_view, token_kind_count> inside;

  constexpr std::string_view spell(TokenKind kind, Context ctx) const noexcept {
    const auto i = static_cast<std::size_t>(kind);
    return ctx == Context::inside_list ? inside[i] : outside[i];
  }
};

/// The renderings every implementation must produce byte for byte.
enum class Rendering : std::uint8_t { compact, pretty };

inline constexpr Dialect compact_dialect{
    "compact",
    {"", "|", "/", ",", "<", ">", "(", ")", "-", "="},
    {"", "|", "/", ",", "<", ">", "(", ")", "-", "="},
};

inline constexpr Dialect pretty_dialect{
    "pretty",
    {"", "|", "/", ",", "<", ">", "(", ")", " - ", "="},
    {"", "|", "/", ", ", "<", ">", "(", ")", " - ", "="},
};

inline constexpr std::array<const Dialect*, 2> dialects{&compact_dialect, &pretty_dialect};

constexpr const Dialect& dialect(Rendering r) noexcept {
  return *dialects[static_cast<std::size_t>(r)];
}

constexpr std::string_view rendering_name(Rendering r) noexcept {
  return dialect(r).name;
}

namespace detail {

struct Padding {
  std::uint8_t before = 0;
  std::uint8_t after = 0;
};

// Spaces that are all the spelling count as before.
constexpr Padding padding_of(std::string_view spelling) noexcept {
  const std::size_t first = spelling.find_first_not_of(' '), last = spelling.find_last_not_of(' ');
  if (first == std::string_view::npos)
    return {static_cast<std::uint8_t>(spelling.size()), 0};
  return {static_cast<std::uint8_t>(first), static_cast<std::uint8_t>(spelling.size() - 1 - last)};
}

/// The most spaces any dialect puts before/after a token in a context: a reader accepts, for
/// each side independently, none or exactly that many (docs/reference.md, 'Decisions that fix a
/// verdict': spacing).
struct PaddingTable {
  std::array<std::array<Padding, token_kind_count>, 2> pad{};

  constexpr Padding at(TokenKind kind, Context ctx) const noexcept {
    return pad[static_cast<std::size_t>(ctx)][static_cast<std::size_t>(kind)];
  }
};

constexpr PaddingTable make_padding_table() noexcept {
  PaddingTable t;
  for (const Dialect* d : dialects) {
    for (std::size_t c = 0; c < 2; ++c) {
      for (std::size_t k = 1; k < token_kind_count; ++k) {
        const auto ctx = static_cast<Context>(c);
        const Padding p = padding_of(d->spell(static_cast<TokenKind>(k), ctx));
        auto& cell = t.pad[c][k];
        cell.before = std::max(cell.before, p.before);
        cell.after = std::max(cell.after, p.after);
      }
    }
  }
  return t;
}

inline constexpr PaddingTable accepted_padding = make_padding_table();

// The fast readers (scan_completion, MatchEmitter) take each side's optional space in turn,
// which accepts exactly what the lexer does only while no padding exceeds one space.
static_assert(
    [] {
      for (const auto& ctx : accepted_padding.pad)
        for (const Padding& p : ctx)
          if (p.before > 1 || p.after > 1)
            return false;
      return true;
    }(),
    "the fast readers accept paddings of at most one space");

/// The punctuation kind a byte spells, if any.
constexpr bool punct_kind_of(char c, TokenKind& out) noexcept {
  for (std::size_t k = 1; k < token_kind_count; ++k) {
    if (punct_char[k] == c) {
      out = static_cast<TokenKind>(k);
      return true;
    }
  }
  return false;
}

} // namespace detail

/// The prompt's tokens: edges `u,v` joined by `|`, then `/` and `source,target`; `edge_at(i)`
/// gives the i-th edge as written, as a pair of labels.
template <class EdgeAt, class Emit>
constexpr void for_each_prompt_token(std::size_t edge_count, EdgeAt&& edge_at, Label source,
                                     Label target, Emit&& emit) {
  for (std::size_t i = 0; i < edge_count; ++i) {
    if (i > 0)
      emit(punct_token(TokenKind::bar), Context::outside_list);
    const auto [u, v] = edge_at(i);
    emit(node_token(u), Context::outside_list);
    emit(punct_token(TokenKind::comma), Context::outside_list);
    emit(node_token(v), Context::outside_list);
  }
  emit(punct_token(TokenKind::slash), Context::outside_list);
  emit(node_token(source), Context::outside_list);
  emit(punct_token(TokenKind::comma), Context::outside_list);
  emit(node_token(target), Context::outside_list);
}

} // namespace searchtrace
