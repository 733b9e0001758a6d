// The one reader of text: bytes to tokens with their byte offsets, under the grammar tables of
// grammar.hpp. Prompt and completion parsers sit on top of it and never look at bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "searchtrace/grammar.hpp"

namespace searchtrace {

namespace detail {

// One lookup per byte instead of a scan of the punctuation table: the lexer is the hot loop of
// every parser. Values below token_kind_count are punctuation kinds.
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

} // namespace detail

/// A token as read, with where it stands in the text.
struct Lexeme {
  Token token;
  std::size_t offset = 0; // first byte
  std::size_t length = 0; // bytes of the token itself, without padding
  bool too_large = false; // a node whose digits exceed Label's range (value saturates)
};

/// Why the text stopped being a token stream.
struct LexError {
  std::size_t offset = 0;
  std::string message;
};

enum class LexStatus : std::uint8_t { token, end, error };

/// Reads one token at a time. Spaces are accepted only where some dialect puts them
/// (SPEC §7.1); any other whitespace, any other byte and a leading zero are errors at their byte.
class Lexer {
public:
  explicit Lexer(std::string_view text) noexcept : text_(text) {}

  /// Reads the next token into `out`. After `error`, `error()` says what and where.
  LexStatus next(Lexeme& out) {
    if (!skip_padding())
      return LexStatus::error;
    if (pos_ == text_.size())
      return LexStatus::end;
    const char c = text_[pos_];
    const std::uint8_t cls = detail::byte_class(c);
    out.offset = pos_;
    out.too_large = false;
    if (cls == detail::byte_digit) {
      if (c == '0' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1]))
        return fail(pos_, "leading zero in a number");
      std::uint64_t value = 0;
      std::size_t end = pos_;
      while (end < text_.size() && is_digit(text_[end])) {
        if (value <= max_label)
          value = value * 10 + static_cast<std::uint64_t>(text_[end] - '0');
        ++end;
      }
      out.too_large = value > max_label;
      out.token = node_token(static_cast<Label>(out.too_large ? max_label : value));
      out.length = end - pos_;
      pos_ = end;
      prev_ = TokenKind::node;
      have_prev_ = true;
      return LexStatus::token;
    }
    if (cls == detail::byte_other)
      return fail(pos_, unexpected_byte_message(c));
    const auto kind = static_cast<TokenKind>(cls);
    out.token = punct_token(kind);
    out.length = 1;
    prev_ctx_ = inside_ ? Context::inside_list : Context::outside_list;
    if (kind == TokenKind::lparen)
      inside_ = true;
    else if (kind == TokenKind::rparen)
      inside_ = false;
    prev_ = kind;
    have_prev_ = true;
    ++pos_;
    return LexStatus::token;
  }

  const LexError& error() const noexcept { return error_; }
  std::size_t position() const noexcept { return pos_; }
  std::string_view text() const noexcept { return text_; }
  /// True between a `(` and its `)`: where a comma takes the list spelling.
  bool inside_list() const noexcept { return inside_; }

private:
  static constexpr std::uint64_t max_label = 0xFFFFFFFFull;

  static constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

  static std::string unexpected_byte_message(char c) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x21 && b < 0x7F)
      return std::string("unexpected character '") + c + "'";
    static constexpr char hex[] = "0123456789abcdef";
    return std::string("unexpected byte 0x") + hex[b >> 4] + hex[b & 15];
  }

  LexStatus fail(std::size_t offset, std::string message) {
    error_.offset = offset;
    error_.message = std::move(message);
    return LexStatus::error;
  }

  // Accepts the spaces between the previous token and the next one: none, the previous token's
  // trailing padding, the next token's leading padding, or both.
  bool skip_padding() {
    std::size_t spaces = 0;
    while (pos_ + spaces < text_.size() && text_[pos_ + spaces] == ' ')
      ++spaces;
    if (spaces == 0)
      return true;
    const Context next_ctx = inside_ ? Context::inside_list : Context::outside_list;
    const std::size_t after = have_prev_ && prev_ != TokenKind::node
                                  ? detail::accepted_padding.at(prev_, prev_ctx_).after
                                  : 0;
    std::size_t before = 0;
    if (pos_ + spaces < text_.size()) {
      const std::uint8_t next = detail::byte_class(text_[pos_ + spaces]);
      if (next < token_kind_count)
        before = detail::accepted_padding.at(static_cast<TokenKind>(next), next_ctx).before;
    }
    if (spaces == after || spaces == before || spaces == after + before) {
      pos_ += spaces;
      return true;
    }
    // The first space that no reading allows.
    std::size_t ok = 0;
    for (std::size_t allowed : {after, before, after + before})
      if (allowed <= spaces && allowed > ok)
        ok = allowed;
    fail(pos_ + ok, "unexpected space");
    return false;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  bool inside_ = false;
  bool have_prev_ = false;
  TokenKind prev_ = TokenKind::node;
  Context prev_ctx_ = Context::outside_list;
  LexError error_;
};

} // namespace searchtrace
