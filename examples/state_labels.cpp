// The implicit state as data: the seed's sample in the numeral vocabulary, token by token, with
// the frontier (in the order it is expanded) and the expanded set after each token, read from
// the Eigen matrices of searchtrace/state.hpp. A probe learns to read these from a model's
// hidden state at the same positions.
#include <string>

#include <fmt/core.h>
#include <searchtrace/searchtrace.hpp>
#include <searchtrace/state.hpp>

using namespace searchtrace;

int main() {
  const Prompt prompt = parse_prompt("1,3|2,4|1,2|0,1|0,2|3,4/0,4").value();
  const Vocabulary vocab = Vocabulary::numeral();
  const SampleState s = sample_state(prompt, {}, vocab);
  fmt::print("{} tokens, {} node labels; the completion starts at row {}\n", s.ids.size(),
             s.label_space, s.completion_start);
  fmt::print("{:>4} {:>5}  {:<12} {:<8} {:<12} {}\n", "row", "token", "phase", "current",
             "frontier", "expanded");
  for (Eigen::Index t = static_cast<Eigen::Index>(s.completion_start);
       t < static_cast<Eigen::Index>(s.ids.size()); ++t) {
    std::string frontier, expanded;
    for (std::int16_t rank = 0;; ++rank) {
      Eigen::Index at = -1;
      for (Eigen::Index v = 0; v < s.frontier_rank.cols(); ++v)
        if (s.frontier_rank(t, v) == rank)
          at = v;
      if (at < 0)
        break;
      frontier += fmt::format("{}{}", frontier.empty() ? "" : " ", at);
    }
    for (Eigen::Index v = 0; v < s.expanded.cols(); ++v)
      if (s.expanded(t, v))
        expanded += fmt::format("{}{}", expanded.empty() ? "" : " ", v);
    const std::string current = s.current(t) < 0 ? "-" : std::to_string(s.current(t));
    fmt::print("{:>4} {:>5}  {:<12} {:<8} [{:<10}] {{{}}}\n", t,
               vocab.spelling(s.ids[static_cast<std::size_t>(t)]),
               phase_name(static_cast<Phase>(s.phase(t))), current, frontier, expanded);
  }
}
