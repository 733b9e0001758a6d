#include <searchtrace/result.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

using searchtrace::BadResultAccess;
using searchtrace::Result;

namespace {

struct Failure {
  int code = 0;
  std::string message;
};

struct Point {
  int x = 0;
  int y = 0;
};

} // namespace

TEST_CASE("a Result can hold a value") {
  Result<Point, Failure> r(Point{3, 4});
  CHECK(r.ok());
  CHECK(static_cast<bool>(r));
  CHECK(r.value().x == 3);
  CHECK((*r).y == 4);
  CHECK(r->x == 3);
  r->x = 7; // mutable access goes to the held value
  CHECK(r.value().x == 7);
  const auto& c = r;
  CHECK(c.value().y == 4);
  CHECK(c->y == 4);
  CHECK((*c).x == 7);
}

TEST_CASE("a Result can hold an error") {
  const Result<Point, Failure> r(Failure{2, "no such point"});
  CHECK_FALSE(r.ok());
  CHECK_FALSE(static_cast<bool>(r));
  CHECK(r.error().code == 2);
  CHECK(r.error().message == "no such point");

  SUBCASE("value() throws BadResultAccess with the error's message") {
    CHECK_THROWS_WITH_AS(r.value(), "no such point", BadResultAccess);
    CHECK_THROWS_AS(*r, BadResultAccess);
    CHECK_THROWS_AS((void)r->x, BadResultAccess);
  }
  SUBCASE("on a mutable and on an rvalue Result too") {
    Result<Point, Failure> m(Failure{1, "gone"});
    CHECK_THROWS_WITH_AS(m.value(), "gone", BadResultAccess);
    CHECK_THROWS_WITH_AS(std::move(m).value(), "gone", BadResultAccess);
  }
  SUBCASE("BadResultAccess is a std::runtime_error") {
    try {
      (void)r.value();
      FAIL("value() did not throw");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()) == "no such point");
    }
  }
}

TEST_CASE("error() on a value throws instead of reading garbage") {
  const Result<int, Failure> r(5);
  CHECK_THROWS_AS(r.error(), BadResultAccess);
}

TEST_CASE("an rvalue Result moves its value out") {
  Result<std::unique_ptr<int>, Failure> r(std::make_unique<int>(42));
  REQUIRE(r.ok());
  std::unique_ptr<int> owned = std::move(r).value();
  REQUIRE(owned != nullptr);
  CHECK(*owned == 42);
}
