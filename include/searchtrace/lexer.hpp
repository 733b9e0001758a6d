// The one reader of text: bytes to tokens with their byte offsets, under grammar.hpp's tables.
// Parsers sit on top of it and never look at bytes.
//
//   text → Lexer (pull) → PromptParser, CompletionParser
//   bytes one at a time → PushLexer → CompletionCursor
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "searchtrace/detail/utf8.hpp"
#include "searchtrace/grammar.hpp"

namespace searchtrace {

namespace detail {

// One lookup per byte instead of a scan of the punctuation table: the lexer is every parser's
// hot loop. Values below token_kind_count are punctuation kinds.
inline constexpr std::uint8_t byte_digit = 0xFE;
inline constexpr std::uint8_t byte_other = 0xFF;

constexpr std::array<std::uint8_t, 256> make_byte_classes() noexcept {
  std::array<std::uint8_t, 256> t{};
  for (auto& c : t)
    c = byte_other;
  for (int c = '0'; c <= '9'; ++c)
    t[static_cast<std::size_t>(c)] = byte_digit;
  for (std::size_t k = 1; k < token_kind_count; ++k)
    t[static_cast<unsigned char>(punct_char[k])] = static_cast<std::uint8_t>(k);
  return t;
}

inline constexpr std::array<std::uint8_t, 256> byte_classes = make_byte_classes();

constexpr std::uint8_t byte_class(char c) noexcept {
  return byte_classes[static_cast<unsigned char>(c)];
}

inline constexpr std::uint64_t max_label_value = 0xFFFFFFFFull;

constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

/// Saturates past Label's range: such a number is well-formed but names no node.
constexpr void add_digit(std::uint64_t& value, char c) noexcept {
  if (value <= max_label_value)
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
}

inline std::string unexpected_byte_message(char c) {
  const auto b = static_cast<unsigned char>(c);
  if (b >= 0x21 && b < 0x7F)
    return std::string("unexpected character '") + c + "'";
  return std::string("unexpected byte 0x") + hex_digits[b >> 4] + hex_digits[b & 15];
}

/// The spacing rules (grammar.hpp's padding table) and what they need to know of the tokens read
/// so far; the Lexer and the PushLexer both read spaces through it.
class Spacing {
public:
  /// None after a node, or at the start.
  std::size_t after() const noexcept {
    return have_prev_ && prev_ != TokenKind::node ? accepted_padding.at(prev_, prev_ctx_).after : 0;
  }
  /// None before a node.
  std::size_t before(TokenKind next) const noexcept {
    if (next == TokenKind::node)
      return 0;
    return accepted_padding.at(next, inside_ ? Context::inside_list : Context::outside_list).before;
  }
  bool allows(std::size_t spaces, TokenKind next) const noexcept {
    const std::size_t a = after(), b = before(next);
    return spaces == 0 || spaces == a || spaces == b || spaces == a + b;
  }
  /// Of spaces that `allows` rejects, the index of the first one no reading allows.
  std::size_t first_bad(std::size_t spaces, TokenKind next) const noexcept {
    const std::size_t a = after(), b = before(next);
    std::size_t ok = 0;
    for (const std::size_t allowed : {a, b, a + b})
      if (allowed <= spaces && allowed > ok)
        ok = allowed;
    return ok;
  }
  void note(TokenKind k) noexcept {
    if (k != TokenKind::node)
      prev_ctx_ = inside_ ? Context::inside_list : Context::outside_list;
    if (k == TokenKind::lparen)
      inside_ = true;
    else if (k == TokenKind::rparen)
      inside_ = false;
    prev_ = k;
    have_prev_ = true;
  }
  /// Between a `(` and its `)`, where a comma takes the list spelling.
  bool inside_list() const noexcept { return inside_; }

private:
  bool inside_ = false;
  bool have_prev_ = false;
  TokenKind prev_ = TokenKind::node;
  Context prev_ctx_ = Context::outside_list;
};

} // namespace detail

struct Lexeme {
  Token token;
  std::size_t offset = 0; // first byte
  std::size_t length = 0; // bytes of the token itself, without padding
  bool too_large = false; // a node whose digits exceed Label's range (value saturates)
};

namespace detail {

constexpr Lexeme number_lexeme(std::uint64_t value, std::size_t offset, std::size_t length) {
  const bool big = value > max_label_value;
  return {node_token(static_cast<Label>(big ? max_label_value : value)), offset, length, big};
}

} // namespace detail

struct LexError {
  std::size_t offset = 0;
  std::string message;
};

enum class LexStatus : std::uint8_t { token, end, error };

/// Reads one token at a time. Any whitespace but the padding the grammar allows, any other
/// byte, and a leading zero are errors at their byte.
class Lexer {
public:
  explicit Lexer(std::string_view text) noexcept : text_(text) {}

  /// After `error`, `error()` says what and where.
  LexStatus next(Lexeme& out) {
    if (!skip_padding())
      return LexStatus::error;
    if (pos_ == text_.size())
      return LexStatus::end;
    const char c = text_[pos_];
    const std::uint8_t cls = detail::byte_class(c);
    if (cls == detail::byte_digit) {
      if (c == '0' && pos_ + 1 < text_.size() && detail::is_digit(text_[pos_ + 1]))
        return fail(pos_, "leading zero in a number");
      std::uint64_t value = 0;
      std::size_t end = pos_;
      while (end < text_.size() && detail::is_digit(text_[end]))
        detail::add_digit(value, text_[end++]);
      out = detail::number_lexeme(value, pos_, end - pos_);
      pos_ = end;
      spacing_.note(TokenKind::node);
      return LexStatus::token;
    }
    if (cls == detail::byte_other)
      return fail(pos_, detail::unexpected_byte_message(c));
    const auto kind = static_cast<TokenKind>(cls);
    out = {punct_token(kind), pos_++, 1};
    spacing_.note(kind);
    return LexStatus::token;
  }

  const LexError& error() const noexcept { return error_; }
  std::size_t position() const noexcept { return pos_; }
  std::string_view text() const noexcept { return text_; }
  bool inside_list() const noexcept { return spacing_.inside_list(); }

private:
  LexStatus fail(std::size_t offset, std::string message) {
    error_.offset = offset;
    error_.message = std::move(message);
    return LexStatus::error;
  }

  bool skip_padding() {
    std::size_t spaces = 0;
    while (pos_ + spaces < text_.size() && text_[pos_ + spaces] == ' ')
      ++spaces;
    if (spaces == 0)
      return true;
    TokenKind next = TokenKind::node; // a digit, another byte or the end: no leading padding
    if (pos_ + spaces < text_.size()) {
      const std::uint8_t cls = detail::byte_class(text_[pos_ + spaces]);
      if (cls < token_kind_count)
        next = static_cast<TokenKind>(cls);
    }
    if (spacing_.allows(spaces, next)) {
      pos_ += spaces;
      return true;
    }
    fail(pos_ + spacing_.first_bad(spaces, next), "unexpected space");
    return false;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  detail::Spacing spacing_;
  LexError error_;
};

/// The lexer in push mode, for text that arrives a byte at a time (a decoder, CompletionCursor),
/// under the same rules: a number ends at its first non-digit; spaces wait for the byte after
/// them to say whether they are allowed.
class PushLexer {
public:
  /// What one byte did: ended a `number`, then was a punctuation `token`, or an `error` (this
  /// byte or the spaces before it; see `error_info()`), or neither (still being typed).
  struct Step {
    bool number = false;
    bool token = false;
    bool error = false;
    Lexeme number_lexeme;
    Lexeme token_lexeme;
  };

  void reset() noexcept { *this = PushLexer(); }

  Step feed(char c, std::size_t at) {
    Step step;
    if (detail::is_digit(c)) {
      if (digits_ == 0) {
        if (!spaces_fit(TokenKind::node, step))
          return step;
        spaces_ = 0;
        number_ = 0;
        number_at_ = at;
      } else if (digits_ == 1 && number_ == 0) {
        return fail(step, number_at_, "leading zero in a number");
      }
      detail::add_digit(number_, c);
      ++digits_;
      return step;
    }
    end_number(step);
    if (c == ' ') {
      if (spaces_ == 0)
        spaces_at_ = at;
      ++spaces_;
      return step;
    }
    const std::uint8_t cls = detail::byte_class(c);
    if (cls == detail::byte_other)
      return fail(step, at, detail::unexpected_byte_message(c));
    const auto kind = static_cast<TokenKind>(cls);
    if (!spaces_fit(kind, step))
      return step;
    spaces_ = 0;
    step.token = true;
    step.token_lexeme = {punct_token(kind), at, 1};
    spacing_.note(kind);
    return step;
  }

  /// A number being typed is complete; pending spaces are left to the caller's grammar.
  Step finish() {
    Step step;
    end_number(step);
    return step;
  }

  const LexError& error_info() const noexcept { return error_; }

  // What is being typed, for a caller that judges prefixes.
  std::size_t digits() const noexcept { return digits_; }
  std::uint64_t number() const noexcept { return number_; } // saturates past 2^32-1
  std::size_t pending_spaces() const noexcept { return spaces_; }
  std::size_t spaces_at() const noexcept { return spaces_at_; }
  const detail::Spacing& spacing() const noexcept { return spacing_; }

private:
  Step& fail(Step& step, std::size_t offset, std::string message) {
    step.error = true;
    error_.offset = offset;
    error_.message = std::move(message);
    return step;
  }

  bool spaces_fit(TokenKind next, Step& step) {
    if (spaces_ == 0 || spacing_.allows(spaces_, next))
      return true;
    fail(step, spaces_at_ + spacing_.first_bad(spaces_, next), "unexpected space");
    return false;
  }

  void end_number(Step& step) {
    if (digits_ == 0)
      return;
    step.number = true;
    step.number_lexeme = detail::number_lexeme(number_, number_at_, digits_);
    digits_ = 0;
    spacing_.note(TokenKind::node);
  }

  detail::Spacing spacing_;
  std::size_t digits_ = 0;
  std::uint64_t number_ = 0;
  std::size_t number_at_ = 0;
  std::size_t spaces_ = 0;
  std::size_t spaces_at_ = 0;
  LexError error_;
};

} // namespace searchtrace
