// A value or an error the caller must look at: what parsers and tracers return instead of
// throwing from deep inside (C++20 has no std::expected).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace searchtrace {

/// Thrown by `Result::value()` when the result holds an error: the message is the error's.
class BadResultAccess : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Either a T or an E. E must have a `message` member (a std::string).
template <class T, class E>
class [[nodiscard]] Result {
public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(E error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  /// The value; throws BadResultAccess with the error's message when there is none.
  T& value() & {
    check();
    return std::get<0>(v_);
  }
  const T& value() const& {
    check();
    return std::get<0>(v_);
  }
  T&& value() && {
    check();
    return std::get<0>(std::move(v_));
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// The error; only meaningful when !ok().
  const E& error() const& {
    if (ok())
      throw BadResultAccess("searchtrace: Result::error() called on a value");
    return std::get<1>(v_);
  }

private:
  void check() const {
    if (!ok())
      throw BadResultAccess(std::get<1>(v_).message);
  }

  std::variant<T, E> v_;
};

} // namespace searchtrace
