#include <searchtrace/version.hpp>

#include <fmt/core.h>

int main() {
  fmt::print("{}\n", searchtrace::version);
}
