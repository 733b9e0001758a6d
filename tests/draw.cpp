#include <searchtrace/draw.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include <searchtrace/prompt.hpp>

#include "support.hpp"

using namespace searchtrace;

namespace {

Prompt prompt_of(std::string_view text, bool directed = false) {
  Prompt p;
  PromptParser parser;
  const auto e = parser.parse(text, p, PromptOptions{directed});
  REQUIRE_MESSAGE(!e, text);
  return p;
}

// The flowchart of the blog post's "Scenario 1" (the seed), copied verbatim from its text: the
// lines from "flowchart TD" to the path comment.
constexpr std::string_view seed_flowchart = R"(flowchart TD
%% --- Graph Structure ---
subgraph Graph["Graph Input: 1,3 | 2,4 | 1,2 | 0,1 | 0,2 | 3,4"]
0((0)) ---> 1((1))
0((0)) ===> 2((2))
1((1)) ---> 3((3))
1((1)) ---> 2((2))
2((2)) ===> 4((4))
3((3)) ---> 4((4))
end
%% --- Final Path Highlight ---
)";

} // namespace

TEST_CASE("draw: the seed's prompt gives the seed's Mermaid flowchart, edge for edge") {
  const Prompt p = prompt_of("1,3|2,4|1,2|0,1|0,2|3,4/0,4");
  CHECK(to_mermaid(p, picture_search(p)) == seed_flowchart);
  // The reference completion judged: the same picture, with the verdict as a comment.
  const SearchPicture judged = picture_completion(p, "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4");
  CHECK(to_mermaid(p, judged) ==
        std::string(seed_flowchart) + "%% verdict: valid (exact)\n");
}
