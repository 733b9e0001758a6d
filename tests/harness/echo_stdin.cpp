// Test helper for searchtrace_add_cli_test(): copies stdin to stdout byte for byte, writes its
// remaining arguments to stderr (one per line), then exits with the status given as argv[1]
// (default 0), or calls std::abort() if argv[1] is "abort".
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  int c = 0;
  while ((c = std::getchar()) != EOF) {
    std::putchar(c);
  }
  for (int i = 2; i < argc; ++i) {
    std::fprintf(stderr, "%s\n", argv[i]);
  }
  std::fflush(nullptr);
  if (argc > 1 && std::strcmp(argv[1], "abort") == 0) {
    std::abort();
  }
  return argc > 1 ? std::atoi(argv[1]) : 0;
}
