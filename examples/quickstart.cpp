// Parse the seed's prompt, trace it with BFS and DFS, print both renderings.
#include <fmt/core.h>
#include <searchtrace/searchtrace.hpp>

int main() {
  using namespace searchtrace;
  const Prompt prompt = parse_prompt("1,3|2,4|1,2|0,1|0,2|3,4/0,4").value();
  fmt::print("prompt      {}\n", render_prompt(prompt));
  for (const Algorithm algo : {Algorithm::bfs, Algorithm::dfs}) {
    const Trace t = trace(prompt, {.algorithm = algo}).value();
    fmt::print("{} compact {}\n", algorithm_name(algo), render_completion(t));
    fmt::print("{} pretty  {}\n", algorithm_name(algo), render_completion(t, Rendering::pretty));
  }
}
