// The state a trace leaves implicit: a sink prints the frontier (queue or stack) and the expanded
// set after every expansion, while a TraceRecorder records the explicit trace from the same run.
// A model that writes the trace must keep exactly this state in its activations.
#include <string>
#include <string_view>

#include <fmt/core.h>
#include <searchtrace/searchtrace.hpp>

using namespace searchtrace;

class StatePrinter {
public:
  void on_expand(const auto& s, NodeId u) {
    tokens_ = fmt::format("{},(", s.graph().label(u));
    first_ = true;
  }
  void on_list(const auto& s, NodeId, NodeId v) {
    tokens_ += fmt::format("{}{}", first_ ? "" : ",", s.graph().label(v));
    first_ = false;
  }
  // After close() the frontier holds this expansion's list.
  void on_close(const auto& s, NodeId) {
    std::string frontier, expanded;
    s.for_each_in_frontier([&](NodeId v) { frontier += fmt::format(" {}", s.graph().label(v)); });
    for (NodeId v = 0; v < s.graph().node_count(); ++v)
      if (s.expanded(v))
        expanded += fmt::format(" {}", s.graph().label(v));
    const std::string_view kind = s.discipline.container; // "queue" or "stack"
    fmt::print("  {:<10} {:<22} {{{} }}\n", tokens_ + ")", fmt::format("{} [{} ]", kind, frontier),
               expanded);
  }
  void on_stop(const auto& s) {
    fmt::print("  stop: target {} listed\n", s.graph().label(s.query().target));
  }
  void on_backtrack(const auto& s, NodeId v) {
    const NodeId p = s.parent(v);
    if (p == no_node)
      fmt::print("  backtrack {} (the source)\n", s.graph().label(v));
    else
      fmt::print("  backtrack {} -> parent {}\n", s.graph().label(v), s.graph().label(p));
  }

private:
  std::string tokens_;
  bool first_ = true;
};

int main() {
  const Prompt prompt = parse_prompt("1,3|2,4|1,2|0,1|0,2|3,4/0,4").value();
  SearchScratch scratch; // buffers reused by every search
  for (const Algorithm algo : {Algorithm::bfs, Algorithm::dfs}) {
    fmt::print("{} on {}\n", algorithm_name(algo), render_prompt(prompt));
    fmt::print("  {:<10} {:<22} {}\n", "writes", "frontier (next first)", "expanded");
    Trace t;
    TraceRecorder recorder(t);
    StatePrinter printer;
    auto both = tee(recorder, printer);
    if (search(scratch, prompt.graph, prompt.query, {.algorithm = algo}, both) !=
        SearchStatus::found)
      return 1;
    fmt::print("  completion {}\n\n", render_completion(t));
  }
}
