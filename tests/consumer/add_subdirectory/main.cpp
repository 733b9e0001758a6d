#include <searchtrace/fmt.hpp>
#include <searchtrace/version.hpp>

#include <fmt/core.h>

int main() {
  fmt::print("{} {}\n", searchtrace::version, searchtrace::ErrorKind::frontier_order);
}
