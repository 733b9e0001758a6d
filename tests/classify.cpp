#include <searchtrace/classify.hpp>

#include <searchtrace/completion.hpp>
#include <searchtrace/prompt.hpp>
#include <searchtrace/render.hpp>
#include <searchtrace/search.hpp>
#include <searchtrace/tracer.hpp>
#include <searchtrace/vocabulary.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "random_graphs.hpp"
#include "support.hpp"

#include "seed_prompt.hpp"

using searchtrace_test::seed_example;
using searchtrace_test::seed_prompt;

using namespace searchtrace;
using searchtrace_test::RandomCase;
using searchtrace_test::RuntimeSearchState;
using searchtrace_test::SampleMaker;
using searchtrace_test::search;
using searchtrace_test::Shape;

// Most cases judge completions of the seed's example (seed_prompt.hpp; docs/reference.md), whose
// BFS reference is `<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4`.

namespace {

SearchOptions make(Algorithm a, StopRule s = StopRule::on_list, Listing l = Listing::unexpanded,
                   NeighborOrder n = NeighborOrder::ascending) {
  SearchOptions o;
  o.algorithm = a;
  o.stop = s;
  o.listing = l;
  o.order = n;
  return o;
}

const SearchOptions bfs = make(Algorithm::bfs);
const SearchOptions dfs = make(Algorithm::dfs);

/// "kind@offset/expansion" for every error, space separated.
std::string summary(const Verdict& v) {
  std::string s;
  for (const Deviation& d : v.errors) {
    if (!s.empty())
      s += ' ';
    s += std::string(error_kind_name(d.kind)) + '@' + std::to_string(d.offset) + '/' +
         std::to_string(d.expansion);
  }
  return s;
}

std::string judge(std::string_view completion, const SearchOptions& o = bfs,
                  std::string_view prompt = seed_prompt, bool directed = false) {
  const auto p = parse_prompt(prompt, PromptOptions{directed});
  REQUIRE(p.ok());
  return summary(classify(*p, completion, o));
}

std::string message(std::string_view completion, std::size_t i = 0, const SearchOptions& o = bfs) {
  const Verdict v = classify(seed_example(), completion, o);
  REQUIRE(v.errors.size() > i);
  return v.errors[i].message;
}

} // namespace

TEST_CASE("classify: the seed's reference completions are exact, valid and correct") {
  const Prompt p = seed_example();
  for (const auto& [text_, o] :
       {std::pair{"<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4", bfs},
        {"<0,(1, 2),1,(2, 3),2,(4) - 4,2,0>=0,2,4", bfs},
        {"<0,(1,2),1,(2,3),2,(4) -4,2,0>=0,2,4", bfs},
        {"<0,(1,2),1,(2,3),2,(4)-4,2,1,0>=0,1,2,4", dfs},
        {"<0,(1,2),1,(2,3),2,(4),3,(4)-4,2,0>=0,2,4", make(Algorithm::bfs, StopRule::on_pop)},
        {"<0,(1,2),1,(3),2,(4)-4,2,0>=0,2,4",
         make(Algorithm::bfs, StopRule::on_list, Listing::undiscovered)},
        {"<0,(1,2),1,(3,2),2,(4)-4,2,0>=0,2,4",
         make(Algorithm::bfs, StopRule::on_list, Listing::unexpanded, NeighborOrder::prompt)}}) {
    const std::string text = text_; // (clang 14 cannot capture a structured binding)
    CAPTURE(text);
    const Verdict v = classify(p, text, o);
    CHECK(v.errors.empty());
    CHECK(v.first_error() == nullptr);
    CHECK(v.valid);
    CHECK(v.exact);
    CHECK(v.answer_correct);
  }
}

TEST_CASE("classify: the blog's neighbour error reports non_edge at byte 19, then truncated") {
  const Verdict v = classify(seed_example(), "<0,(1, 2),1,(2, 3, 4)");
  REQUIRE(v.first_error() != nullptr);
  CHECK(v.first_error()->kind == ErrorKind::non_edge);
  CHECK(v.first_error()->offset == 19);
  CHECK(v.first_error()->expansion == 1);
  CHECK(v.first_error()->message == "listed 4, which is not a neighbour of 1");
  CHECK(summary(v) == "non_edge@19/1 truncated@21/2");
  CHECK_FALSE(v.valid);
  CHECK_FALSE(v.exact);
  CHECK_FALSE(v.answer_correct);
}

TEST_CASE("classify: an expansion of a non-node lists, and what it lists is adopted") {
  // Models expand invented nodes. A node listed under a non-node is non_edge and otherwise
  // adopted like any listed node (queued or stacked, with that number as its parent), so the
  // later expansion of it is no error, and a target listed there is no early_stop.
  constexpr std::string_view prompt = "1,3|2,4|1,2|0,1|0,2|3,4|3,5/0,4";
  for (const SearchOptions& o : {bfs, dfs}) {
    CAPTURE(algorithm_name(o.algorithm));
    CHECK(judge("<0,(9),9,(2),2,(1,4)-4,2,0>=0,2,4", o, prompt) ==
          "unknown_node@4/0 missing_neighbor@5/0 missing_neighbor@5/0 unknown_node@7/1 "
          "non_edge@10/1 traceback_parent@25/3");
    const auto p = parse_prompt(prompt);
    REQUIRE(p.ok());
    const Verdict v = classify(*p, "<0,(9),9,(2),2,(1,4)-4,2,0>=0,2,4", o);
    CHECK(v.errors[4].message == "listed 2, which is not a neighbour of 9");
    CHECK(v.errors[5].message == "the backtrack goes from 2 to 0, but the parent of 2 is 9");
    CHECK_FALSE(v.has(ErrorKind::not_in_frontier));
    // The target listed by a non-node: the exploration may stop there, and 9 is the target's
    // parent (a backtrack through it is not traceback_parent; 9 itself is unknown_node).
    CHECK(judge("<0,(1,2),9,(4)-4,9,0>=0,9,4", o, prompt) ==
          "unknown_node@9/1 non_edge@12/1 unknown_node@17/2 answer_invalid@22/2 "
          "unknown_node@24/2");
  }
  // The same number names one non-node wherever it stands: its listings adopt nodes with it as
  // their parent, which the backtrack may then follow.
  CHECK(judge("<0,(9),9,(4)-4,9,0>=0,9,4", bfs, prompt) ==
        "unknown_node@4/0 missing_neighbor@5/0 missing_neighbor@5/0 unknown_node@7/1 "
        "non_edge@10/1 unknown_node@15/2 answer_invalid@20/2 unknown_node@22/2");
}

TEST_CASE("classify: format errors") {
  SUBCASE("syntax: bytes after the path, a leading zero, a bad space, a wrong token") {
    CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4x") == "syntax@35/3");
    CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4 ") == "syntax@35/3");
    CHECK(judge("<0,(01,2),1,(2,3),2,(4)-4,2,0>=0,2,4") == "syntax@4/0");
    CHECK(judge("<0, (1,2),1,(2,3),2,(4)-4,2,0>=0,2,4") == "syntax@3/0");
    CHECK(judge("<0,(1,2),1,(2,3)(2,(4)-4,2,0>=0,2,4") == "syntax@16/2");
    CHECK(judge("<0,(1,2)  -4") == "syntax@9/1");
    CHECK(message("<0,(1,2),1,(2,3)(") == "expected ',' or '-', found '('");
  }
  SUBCASE("syntax stops the replay: what came before stays, nothing after is judged") {
    CHECK(judge("<0,(2,1),1,(2,3),x,(4)-4,2,0>=0,2,4") ==
          "neighbor_order@6/0 frontier_order@9/1 syntax@17/2");
    CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,1,3,4x") == "syntax@37/3");
  }
  SUBCASE("truncated at the length of the text, whatever is missing") {
    CHECK(judge("") == "truncated@0/0");
    CHECK(judge("<") == "truncated@1/0");
    CHECK(judge("<0,(1,2),1,(2,") == "truncated@14/1");
    CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,2,0>=") == "truncated@30/3");
    CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4,") == "truncated@36/3");
    CHECK(judge("<0,(1, ") == "truncated@7/0");
    CHECK(message("<0,(1,2),1,(2,") == "the completion ends where a node should be");
  }
  SUBCASE("a well-formed path that ends at the wrong node is an answer error, not truncated") {
    CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2") == "answer_mismatch@30/3 answer_invalid@30/3");
  }
  SUBCASE("unknown_node: a number that is not a node, wherever it stands") {
    CHECK(judge("<0,(1,2),1,(2,7),2,(4)-4,2,0>=0,2,4") ==
          "unknown_node@14/1 missing_neighbor@15/1");
    // An unknown expansion enters no set, and the source stays queued; the nodes it lists are
    // non_edge and adopted (queued behind the source, with 9 as their parent).
    CHECK(judge("<9,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4") ==
          "unknown_node@1/0 non_edge@4/0 non_edge@6/0 frontier_order@9/1 missing_neighbor@15/1 "
          "frontier_order@17/2 missing_neighbor@21/2 traceback_parent@27/3");
    CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,9,0>=0,2,4") == "unknown_node@25/3 answer_mismatch@30/3");
    CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,2,0>=9,2,4") ==
          "unknown_node@30/3 answer_mismatch@30/3 answer_invalid@30/3");
    CHECK(message("<0,(1,2),1,(2,7),2,(4)-4,2,0>=0,2,4") ==
          "listed node 7 is not a node of the graph");
  }
  SUBCASE("a number beyond 2^32-1 is well-formed and unknown_node") {
    CHECK(judge("<0,(1,2),1,(2,99999999999),2,(4)-4,2,0>=0,2,4") ==
          "unknown_node@14/1 missing_neighbor@25/1");
    CHECK(message("<0,(1,2),1,(2,99999999999),2,(4)-4,2,0>=0,2,4") ==
          "listed node beyond 4294967295 is not a node of the graph");
    // 4294967295 itself is a number within range; it is simply not a node of this graph.
    CHECK(message("<0,(1,2),1,(2,4294967295),2,(4)-4,2,0>=0,2,4") ==
          "listed node 4294967295 is not a node of the graph");
  }
}

TEST_CASE("classify: neighbour errors") {
  CHECK(judge("<0,(1,2),1,(2,3,4)-4,1,0>=0,1,4") == "non_edge@16/1 answer_invalid@26/2");
  CHECK(judge("<0,(1,2),1,(3),2,(4)-4,2,0>=0,2,4") == "missing_neighbor@13/1");
  CHECK(judge("<0,(1,2),1,(),2,(4)-4,2,0>=0,2,4") == "missing_neighbor@12/1 missing_neighbor@12/1");
  CHECK(judge("<0,(1,2),1,(0,2,3),2,(4)-4,2,0>=0,2,4") == "listed_expanded@12/1");
  CHECK(judge("<0,(1,2),1,(2,2,3),2,(4)-4,2,0>=0,2,4") == "duplicate_neighbor@14/1");
  CHECK(judge("<0,(2,1),1,(2,3),2,(4)-4,2,0>=0,2,4") == "neighbor_order@6/0 frontier_order@9/1");
  CHECK(message("<0,(1,2),1,(2,3,4)-4,1,0>=0,1,4") == "listed 4, which is not a neighbour of 1");
  CHECK(message("<0,(1,2),1,(3),2,(4)-4,2,0>=0,2,4") == "left out 2, an unexpanded neighbour of 1");
  CHECK(message("<0,(1,2),1,(0,2,3),2,(4)-4,2,0>=0,2,4") == "listed 0, which is already expanded");
  CHECK(message("<0,(1,2),1,(2,2,3),2,(4)-4,2,0>=0,2,4") == "listed 2 twice in the list of 1");
  CHECK(message("<0,(2,1),1,(2,3),2,(4)-4,2,0>=0,2,4") ==
        "listed 1 after 2, out of ascending order");
  SUBCASE("missing_neighbor: one per missing node, at the ')', in the required order") {
    const Verdict v = classify(seed_example(), "<0,(1,2),1,(),2,(4)-4,2,0>=0,2,4");
    REQUIRE(v.errors.size() == 2);
    CHECK(v.errors[0].message == "left out 2, an unexpanded neighbour of 1");
    CHECK(v.errors[1].message == "left out 3, an unexpanded neighbour of 1");
  }
  SUBCASE("neighbor_order: once per list, at the first node before its predecessor") {
    CHECK(judge("<0,(1,2),1,(3,2),2,(4)-4,2,0>=0,2,4") == "neighbor_order@14/1");
    const char* g = "0,1|0,2|0,3|0,4|4,5/0,5";
    // The queue follows the completion's listing: 4 is at its front.
    CHECK(judge("<0,(4,3,2,1),4,(5)-5,4,0>=0,4,5", bfs, g) == "neighbor_order@6/0");
    // A node with another error is no predecessor: 9 is unknown, so 1 follows 2.
    CHECK(judge("<0,(2,9,1,3,4),1,(),2,(),3,(),4,(5)-5,4,0>=0,4,5", bfs, g) ==
          "unknown_node@6/0 neighbor_order@8/0 frontier_order@15/1");
  }
  SUBCASE("precedence on a listed node: non_edge > listed_expanded > duplicate > order") {
    // 0 is expanded and listed twice: listed_expanded both times, never duplicate_neighbor.
    CHECK(judge("<0,(1,2),1,(0,0,2,3),2,(4)-4,2,0>=0,2,4") ==
          "listed_expanded@12/1 listed_expanded@14/1");
    // 4 is no neighbour of 1, twice: non_edge both times.
    CHECK(judge("<0,(1,2),1,(2,3,4,4)-4,1,0>=0,1,4") ==
          "non_edge@16/1 non_edge@18/1 answer_invalid@28/2");
    // A duplicate that also comes too early is a duplicate_neighbor only.
    CHECK(judge("<0,(1,2),1,(3,2,3),2,(4)-4,2,0>=0,2,4") ==
          "neighbor_order@14/1 duplicate_neighbor@16/1");
  }
  SUBCASE("directed: a listed node needs an arc from the expanded node") {
    const char* g = "0,1|1,2|2,0|1,3/0,3";
    CHECK(judge("<0,(1),1,(2,3)-3,1,0>=0,1,3", bfs, g, true).empty());
    CHECK(judge("<0,(1,2),1,(2,3)-3,1,0>=0,1,3", bfs, g, true) == "non_edge@6/0");
    const Verdict v =
        classify(*parse_prompt(g, PromptOptions{true}), "<0,(1,2),1,(2,3)-3,1,0>=0,1,3");
    CHECK(v.errors[0].message == "listed 2, but there is no arc from 0 to 2");
    CHECK(judge("<0,(1),1,(2,3)-3,1,0>=0,3", bfs, g, true) ==
          "answer_mismatch@22/2 answer_invalid@22/2");
  }
}

TEST_CASE("classify: queue and revisit errors") {
  CHECK(judge("<1,(0,2,3),0,(2),2,(4)-4,2,0>=0,2,4") == "wrong_start@1/0 traceback_parent@27/3");
  CHECK(judge("<0,(1,2),3,(1,4)-4,3,1,0>=0,1,3,4") ==
        "not_in_frontier@9/1 answer_not_shortest@26/2");
  CHECK(judge("<0,(1,2),2,(1,4)-4,2,0>=0,2,4") == "frontier_order@9/1");
  CHECK(judge("<0,(1,2),1,(2,3),0,(),2,(4)-4,2,0>=0,2,4") ==
        "reexpanded@17/2 missing_neighbor@20/2");
  CHECK(message("<1,(0,2,3),0,(2),2,(4)-4,2,0>=0,2,4") ==
        "the first expansion is 1, not the source 0");
  CHECK(message("<0,(1,2),3,(1,4)-4,3,1,0>=0,1,3,4") == "expanded 3, which was never listed");
  CHECK(message("<0,(1,2),2,(1,4)-4,2,0>=0,2,4") ==
        "expanded 2 while 1 is at the front of the queue");
  CHECK(message("<0,(1,2),2,(1,4)-4,2,0>=0,2,4", 0, dfs) ==
        "expanded 2 while 1 is on top of the stack");
  CHECK(message("<0,(1,2),1,(2,3),0,(),2,(4)-4,2,0>=0,2,4") == "expanded 0 again");
  SUBCASE("precedence on an expanded node: wrong_start > reexpanded > not_in_frontier > order") {
    // The first expansion is never anything but wrong_start, even for an unlisted node.
    CHECK(judge("<3,(1,4)-4,3>=3,4") == "wrong_start@1/0 traceback_end@12/1 answer_invalid@14/1");
    // An expanded node that is not in the frontier either: reexpanded.
    CHECK(judge("<0,(1,2),1,(2,3),1,(),2,(4)-4,2,0>=0,2,4") ==
          "reexpanded@17/2 missing_neighbor@20/2 missing_neighbor@20/2");
  }
  SUBCASE("after wrong_start the prompt's source stays in the frontier (at the front in BFS)") {
    CHECK(judge("<1,(0,2,3),2,(0,4)-4,2,1>=1,2,4") ==
          "wrong_start@1/0 frontier_order@11/1 traceback_end@24/2 answer_invalid@26/2");
    CHECK(judge("<1,(0,2,3),0,(2),2,(4)-4,2,1>=1,2,4") ==
          "wrong_start@1/0 traceback_end@28/3 answer_invalid@30/3");
  }
  SUBCASE("BFS queues in the completion's listing order, DFS stacks its first listed on top") {
    // 0 lists 2 before 1: the queue is [2, 1], so expanding 1 next is out of order.
    CHECK(judge("<0,(2,1),2,(1,4)-4,2,0>=0,2,4") == "neighbor_order@6/0");
    CHECK(judge("<0,(2,1),1,(2,3),2,(4)-4,2,0>=0,2,4") == "neighbor_order@6/0 frontier_order@9/1");
    // DFS: after (2,1) the stack has 2 on top.
    CHECK(judge("<0,(2,1),2,(1,4)-4,2,0>=0,2,4", dfs) == "neighbor_order@6/0");
    CHECK(judge("<0,(2,1),1,(2,3),2,(4)-4,2,1,0>=0,1,2,4", dfs) ==
          "neighbor_order@6/0 frontier_order@9/1");
  }
  SUBCASE("DFS parents: the lister that last moved a node to the top") {
    // 2 is listed by 0, then by 1 (moved to the top): its parent is 1.
    CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4", dfs) == "traceback_parent@27/3");
    CHECK_FALSE(
        classify(seed_example(), "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4", dfs).answer_correct);
    CHECK(message("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4", 0, dfs) ==
          "the backtrack goes from 2 to 0, but the parent of 2 is 1");
  }
}

TEST_CASE("classify: termination errors") {
  CHECK(judge("<0,(1,2),1,(2,3),2,(4),3,()-4,2,0>=0,2,4") ==
        "missed_target@23/3 missing_neighbor@26/3");
  CHECK(judge("<0,(1,2),1,(2,3)-4,2,0>=0,2,4") == "early_stop@16/2");
  CHECK(message("<0,(1,2),1,(2,3),2,(4),3,()-4,2,0>=0,2,4") ==
        "the target 4 was listed, but the exploration goes on");
  CHECK(message("<0,(1,2),1,(2,3)-4,2,0>=0,2,4") ==
        "the exploration ends before the target 4 was listed");
  SUBCASE("missed_target only once, at the first extra expansion") {
    CHECK(judge("<0,(1,2),1,(2,3),2,(4),3,(4),4,()-4,2,0>=0,2,4") == "missed_target@23/3");
  }
  SUBCASE("an extra expansion out of order: its queue error first, then missed_target") {
    CHECK(judge("<0,(1,2),1,(2,3),2,(4),3,()-4,2,1,0>=0,1,2,4", dfs) ==
          "frontier_order@23/3 missed_target@23/3 missing_neighbor@26/3");
  }
  SUBCASE("the target counts as listed even through a non-edge") {
    CHECK(judge("<0,(1,4)-4,0>=0,4") == "non_edge@6/0 missing_neighbor@7/0 answer_invalid@14/1");
  }
  SUBCASE("on_pop: the target at the front of the frontier ends the exploration") {
    const SearchOptions pop = make(Algorithm::bfs, StopRule::on_pop);
    CHECK(judge("<0,(1,2),1,(2,3),2,(4),3,(4)-4,2,0>=0,2,4", pop).empty());
    CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4", pop) == "early_stop@22/3");
    // Expanding the target at the front: missed_target, and no early_stop after it.
    CHECK(judge("<0,(1,2),1,(2,3),2,(4),3,(4),4,()-4,2,0>=0,2,4", pop) == "missed_target@29/4");
    // Popping the target out of order: it never reached the front, so the end is early.
    CHECK(judge("<0,(1,2),1,(2,3),2,(4),4,()-4,2,0>=0,2,4", pop) ==
          "frontier_order@23/3 missing_neighbor@26/3 early_stop@27/4");
    const SearchOptions dpop = make(Algorithm::dfs, StopRule::on_pop);
    CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,2,1,0>=0,1,2,4", dpop).empty());
    CHECK(judge("<0,(1,2),1,(2,3),2,(4),4,()-4,2,1,0>=0,1,2,4", dpop) ==
          "missed_target@23/3 missing_neighbor@26/3");
    CHECK(message("<0,(1,2),1,(2,3),2,(4),3,(4),4,()-4,2,0>=0,2,4", 0, pop) ==
          "the target 4 is at the front of the queue, but the exploration goes on");
    CHECK(message("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4", 0, pop) ==
          "the exploration ends before the target 4 reached the front of the queue");
  }
}

TEST_CASE("classify: traceback errors") {
  CHECK(judge("<0,(1,2),1,(2,3),2,(4)-2,0>=0,2") == "traceback_start@23/3 answer_invalid@28/3");
  CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,3,1,0>=0,1,3,4") ==
        "traceback_parent@25/3 answer_not_shortest@32/3");
  CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,2>=0,2,4") == "traceback_end@26/3 answer_mismatch@28/3");
  CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,2,0,1>=1,0,2,4") ==
        "traceback_end@29/3 answer_invalid@32/3");
  CHECK(message("<0,(1,2),1,(2,3),2,(4)-2,0>=0,2") ==
        "the backtrack starts at 2, not at the target 4");
  CHECK(message("<0,(1,2),1,(2,3),2,(4)-4,3,1,0>=0,1,3,4") ==
        "the backtrack goes from 4 to 3, but the parent of 4 is 2");
  CHECK(message("<0,(1,2),1,(2,3),2,(4)-4,2>=0,2,4") ==
        "the backtrack stops at 2, before the source 0");
  CHECK(message("<0,(1,2),1,(2,3),2,(4)-4,2,0,1>=1,0,2,4") ==
        "the backtrack goes on past the source 0");
  SUBCASE("past the source: one traceback_end, the rest is not checked") {
    CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,2,0,3,1>=1,3,0,2,4") ==
          "traceback_end@29/3 answer_invalid@34/3");
  }
  SUBCASE("a step from a node without a recorded parent is not flagged again") {
    // 3 was never listed (not_in_frontier): its step to 1 is not judged.
    CHECK(judge("<0,(1,2),3,(1,4)-4,3,1,0>=0,1,3,4") ==
          "not_in_frontier@9/1 answer_not_shortest@26/2");
    // An unknown node: the step from it is not judged either.
    CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,9,0>=0,2,4") == "unknown_node@25/3 answer_mismatch@30/3");
    // A backtrack starting at an undiscovered node: traceback_start only.
    CHECK(judge("<0,(1,2),1,(2,3)-3,1,0>=0,1,3") ==
          "early_stop@16/2 traceback_start@17/2 answer_invalid@24/2");
  }
  SUBCASE("a backtrack that starts at the source goes on past it") {
    CHECK(judge("<0,(1,2),1,(2,3),2,(4)-0,2,4>=4,2,0") ==
          "traceback_start@23/3 traceback_end@25/3 answer_invalid@30/3");
  }
}

TEST_CASE("classify: answer errors and answer_correct") {
  const Prompt p = seed_example();
  SUBCASE("a path that differs and is too long: answer_mismatch, then not_shortest") {
    const Verdict v = classify(p, "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,1,2,4");
    CHECK(summary(v) == "answer_mismatch@30/3 answer_not_shortest@30/3");
    CHECK(v.errors[0].message ==
          "the path is not the backtrack reversed (they differ from position 1)");
    CHECK(v.errors[1].message == "the path has 3 edges, a shortest one 2");
    CHECK_FALSE(v.answer_correct);
  }
  SUBCASE("answer_invalid: not from the source, not to the target, not along edges") {
    CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,4") == "answer_mismatch@30/3 answer_invalid@30/3");
    CHECK(message("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,4", 1) ==
          "the path steps from 0 to 4, which is not an edge");
    CHECK(message("<0,(1,2),1,(2,3),2,(4)-4,2,0>=1,2,4", 1) ==
          "the path starts at 1, not at the source 0");
    CHECK(message("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4,2", 1) ==
          "the path ends at 2, not at the target 4");
    CHECK(message("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4,8,4", 1) ==
          "the path goes through 8, which is not a node of the graph");
  }
  SUBCASE("a walk that repeats a node is a path of the graph but not shortest") {
    CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,0,2,4") ==
          "answer_mismatch@30/3 answer_not_shortest@30/3");
  }
  SUBCASE("BFS answer_correct looks at the path alone: any shortest path, even mismatched") {
    // Another shortest path does not exist in the seed graph; use a square 0-1-3, 0-2-3.
    const auto sq = parse_prompt("0,1|0,2|1,3|2,3/0,3");
    REQUIRE(sq.ok());
    const Verdict v = classify(*sq, "<0,(1,2),1,(3)-3,1,0>=0,2,3");
    CHECK(summary(v) == "answer_mismatch@22/2");
    CHECK(v.answer_correct);
    // After the exploration went wrong, a shortest path is still a correct answer.
    const Verdict w = classify(p, "<0,(1,2),1,(2,3)-4,2,0>=0,2,4");
    CHECK(summary(w) == "early_stop@16/2");
    CHECK(w.answer_correct);
  }
  SUBCASE("DFS answer_correct needs the reference path; DFS has no answer_not_shortest") {
    // The seed's DFS path 0,1,2,4 is not shortest and is correct.
    CHECK(classify(p, "<0,(1,2),1,(2,3),2,(4)-4,2,1,0>=0,1,2,4", dfs).answer_correct);
    // A shortest path is not the DFS answer.
    const Verdict v = classify(p, "<0,(1,2),1,(2,3),2,(4)-4,2,1,0>=0,2,4", dfs);
    CHECK(summary(v) == "answer_mismatch@32/3");
    CHECK_FALSE(v.answer_correct);
    // The reference path after an exploration that went wrong (replayed from scratch).
    const Verdict w = classify(p, "<0,(1,2),2,(1,4)-4,2,0>=0,1,2,4", dfs);
    CHECK(summary(w) == "frontier_order@9/1 answer_mismatch@24/2");
    CHECK(w.answer_correct);
  }
  SUBCASE("after a syntax error or truncation the answer is not judged") {
    const Verdict v = classify(p, "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4x");
    CHECK(summary(v) == "syntax@35/3");
    CHECK_FALSE(v.answer_correct);
    CHECK_FALSE(classify(p, "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4,").answer_correct);
  }
}

TEST_CASE("classify: policies are honoured") {
  SUBCASE("Listing::undiscovered: relisting a discovered node is listed_expanded") {
    const SearchOptions o = make(Algorithm::bfs, StopRule::on_list, Listing::undiscovered);
    CHECK(judge("<0,(1,2),1,(3),2,(4)-4,2,0>=0,2,4", o).empty());
    CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4", o) == "listed_expanded@12/1");
    CHECK(message("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4", 0, o) ==
          "listed 2, which is already discovered (listing: undiscovered)");
    CHECK(message("<0,(1,2),1,(),2,(4)-4,2,0>=0,2,4", 0, o) ==
          "left out 3, an undiscovered neighbour of 1");
    // The default policy requires the queued 2 to be listed again.
    CHECK(judge("<0,(1,2),1,(3),2,(4)-4,2,0>=0,2,4") == "missing_neighbor@13/1");
  }
  SUBCASE("NeighborOrder::prompt: the order the prompt mentions the neighbours") {
    const SearchOptions o =
        make(Algorithm::bfs, StopRule::on_list, Listing::unexpanded, NeighborOrder::prompt);
    CHECK(judge("<0,(1,2),1,(3,2),2,(4)-4,2,0>=0,2,4", o).empty());
    CHECK(judge("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4", o) == "neighbor_order@14/1");
    CHECK(message("<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4", 0, o) ==
          "listed 3 after 2, out of the prompt's order");
  }
  SUBCASE("every combination of options: the tracer's completion is exact and valid") {
    SampleMaker maker(11);
    Classifier c;
    RandomCase s;
    for (const Algorithm a : {Algorithm::bfs, Algorithm::dfs})
      for (const NeighborOrder n : {NeighborOrder::ascending, NeighborOrder::prompt})
        for (const Listing l : {Listing::unexpanded, Listing::undiscovered})
          for (const StopRule r : {StopRule::on_list, StopRule::on_pop})
            for (int i = 0; i < 60; ++i) {
              maker.draw(maker.any_shape(), make(a, r, l, n), s);
              const Verdict& v = c.classify(s.prompt, s.completion, s.options);
              CAPTURE(s.prompt_text);
              CAPTURE(s.completion);
              REQUIRE(summary(v).empty());
              CHECK((v.exact && v.valid && v.answer_correct));
              // The same completion judged under the other algorithm's core differs or agrees
              // exactly when the two reference traces do.
              SearchOptions other = s.options;
              other.algorithm = a == Algorithm::bfs ? Algorithm::dfs : Algorithm::bfs;
              const bool same = *trace(s.prompt, other) == s.trace;
              CHECK(c.classify(s.prompt, s.completion, other).valid == same);
            }
  }
}

TEST_CASE("classify: reading order, table order at one offset, found order for equal kinds") {
  // The tie-break at one offset: the table order (queue before termination).
  const Verdict v = classify(seed_example(), "<0,(1,2),1,(2,3),2,(4),3,()-4,2,1,0>=0,1,2,4", dfs);
  REQUIRE(v.errors.size() == 3);
  CHECK(v.errors[0].kind == ErrorKind::frontier_order);
  CHECK(v.errors[1].kind == ErrorKind::missed_target);
  CHECK(v.errors[0].offset == v.errors[1].offset);
  CHECK(v.first_error() == &v.errors[0]);
  CHECK(v.has(ErrorKind::missing_neighbor));
  CHECK_FALSE(v.has(ErrorKind::syntax));
}

TEST_CASE("classify: text, parsed and token-id inputs agree") {
  const Prompt p = seed_example();
  const std::string text = "<0,(1,2),1,(2,3,4),3,()-4,3,1,0>=0,1,3,4";
  const Verdict a = classify(p, text);
  const ParsedCompletion pc = parse_completion(text);
  const Verdict b = classify(p, pc);
  CHECK(a == b);
  // Token ids: offsets become token indices.
  for (const Vocabulary& voc : {Vocabulary::standard(), Vocabulary::numeral()}) {
    std::vector<int> ids;
    ParsedCompletion as_ids;
    CompletionParser().parse(text, as_ids);
    encode_completion(as_ids.trace, voc, ids);
    Classifier c;
    const Verdict& v = c.classify_ids(p, ids, voc);
    REQUIRE(v.errors.size() == a.errors.size());
    std::vector<Token> tokens;
    completion_tokens(as_ids.trace, tokens);
    for (std::size_t i = 0; i < v.errors.size(); ++i) {
      CHECK(v.errors[i].kind == a.errors[i].kind);
      CHECK(v.errors[i].expansion == a.errors[i].expansion);
      CHECK(v.errors[i].message == a.errors[i].message);
      CHECK(v.errors[i].offset < ids.size());
    }
    // The first error, non_edge on the 4 listed by 1: token 16 with commas, 10 without.
    CHECK(v.errors[0].offset == (voc.drops_commas() ? 10u : 16u));
    CHECK(c.parsed().trace == as_ids.trace);
  }
}

TEST_CASE("classify: a reused Classifier gives the same verdicts as fresh ones") {
  SampleMaker maker(5);
  Classifier reused;
  RandomCase s;
  for (int i = 0; i < 300; ++i) {
    maker.draw(maker.any_shape(), i % 2 ? dfs : bfs, s);
    std::string text = s.completion;
    // Damage some: a random byte replaced by a grammar character.
    if (i % 3 != 0)
      text[maker.rng().below(text.size())] = "0123456789,()-<>= x"[maker.rng().below(19)];
    const Verdict& v = reused.classify(s.prompt, text, s.options);
    CHECK(v == classify(s.prompt, text, s.options));
  }
}

TEST_CASE("classify: robust on damaged completions") {
  SampleMaker maker(17);
  Classifier c;
  RandomCase s;
  constexpr std::string_view alphabet = "0123456789,()-<>=| x\n\xff";
  for (int i = 0; i < 2000; ++i) {
    maker.draw(maker.any_shape(), i % 2 ? dfs : bfs, s);
    std::string text = s.completion;
    const auto edits = 1 + maker.rng().below(4);
    for (std::uint64_t e = 0; e < edits && !text.empty(); ++e) {
      const auto at = maker.rng().below(text.size() + 1);
      switch (maker.rng().below(3)) {
      case 0:
        text.insert(at, 1, alphabet[maker.rng().below(alphabet.size())]);
        break;
      case 1:
        if (at < text.size())
          text.erase(at, 1);
        break;
      default:
        if (at < text.size())
          text[at] = alphabet[maker.rng().below(alphabet.size())];
      }
    }
    const Verdict& v = c.classify(s.prompt, text, s.options);
    CAPTURE(s.prompt_text);
    CAPTURE(text);
    const ParsedCompletion& pc = c.parsed();
    // Exact means the reference trace, token for token; exact and valid coincide.
    CHECK(v.exact == (pc.complete && pc.trace == s.trace));
    CHECK(v.exact == v.valid);
    if (v.answer_correct)
      CHECK(pc.complete);
    // Errors in reading order, within the text; a syntax error is the last one.
    for (std::size_t k = 0; k < v.errors.size(); ++k) {
      const Deviation& d = v.errors[k];
      CHECK(d.offset <= text.size());
      CHECK(d.expansion <= pc.trace.expansion_count());
      CHECK_FALSE(d.message.empty());
      CHECK(d.message.find('\n') == std::string::npos);
      if (k > 0) {
        const Deviation& b = v.errors[k - 1];
        CHECK((b.offset < d.offset || (b.offset == d.offset && b.kind <= d.kind)));
      }
      if (d.kind == ErrorKind::syntax || d.kind == ErrorKind::truncated)
        CHECK(k + 1 == v.errors.size());
    }
    CHECK(v.valid == v.errors.empty());
  }
}

// --- the mutation oracle ---------------------------------------------------------------------
//
// For correct traces drawn from several graph shapes, one mutation per error kind, written
// here independently of the classifier, must make that kind the FIRST error, at the offset and
// expansion the mutation predicts. answer_invalid and answer_not_shortest cannot be first
// errors (see the test below): for them the errors must be exactly answer_mismatch and the kind.

namespace {

/// The state of the reference search just before expansion `i`.
void replay_to(const RandomCase& s, std::size_t i, RuntimeSearchState& st) {
  const Graph& g = s.prompt.graph;
  st.reset(g, s.prompt.query, s.options);
  for (std::size_t k = 0; k < i; ++k) {
    st.expand(*g.node(s.trace.expanded[k]));
    for (const Label v : s.trace.list(k))
      st.list(*g.node(v));
    st.close();
  }
}

struct Mutant {
  Trace trace;      // the mutated trace, rendered in the sample's spacing...
  std::string text; // ...or this text when has_text (byte-level mutations)
  bool has_text = false;
  std::size_t offset; // where the first error must be
  std::size_t expansion;
};

using Rng = searchtrace::Rng;

Label pick(Rng& r, const std::vector<Label>& from) {
  return from[r.below(from.size())];
}

std::vector<Label> nodes_where(const Graph& g, const std::function<bool(NodeId)>& keep) {
  std::vector<Label> out;
  for (NodeId v = 0; v < g.node_count(); ++v)
    if (keep(v))
      out.push_back(g.label(v));
  return out;
}

/// A trace rebuilt with list i replaced.
Trace with_list(const Trace& t, std::size_t i, const std::vector<Label>& list) {
  Trace out;
  for (std::size_t k = 0; k < t.expansion_count(); ++k) {
    out.begin_expansion(t.expanded[k]);
    if (k == i) {
      for (const Label v : list)
        out.list_node(v);
    } else {
      for (const Label v : t.list(k))
        out.list_node(v);
    }
  }
  out.backtrack = t.backtrack;
  out.path = t.path;
  return out;
}

std::vector<Label> list_of(const Trace& t, std::size_t i) {
  const auto l = t.list(i);
  return {l.begin(), l.end()};
}

// Where tokens of a rendered trace stand.
ParsedCompletion positions(const RandomCase& s, const Trace& t) {
  return parse_completion(render_completion(t, s.rendering));
}

std::size_t list_start(const Trace& t, std::size_t i) {
  return i == 0 ? 0 : t.list_end[i - 1];
}

using Mutator = bool (*)(const RandomCase&, Rng&, Mutant&);

bool m_syntax(const RandomCase& s, Rng& r, Mutant& m) {
  std::string t = s.completion;
  const ParsedCompletion pc = parse_completion(t);
  switch (r.below(3)) {
  case 0: { // something after the path
    constexpr std::string_view bad = "x \n\xff|)(<";
    t += bad[r.below(bad.size())];
    m.offset = s.completion.size();
    m.expansion = s.trace.expansion_count();
    break;
  }
  case 1: { // a leading zero before some node
    std::vector<std::size_t> at(pc.expanded_at);
    at.insert(at.end(), pc.listed_at.begin(), pc.listed_at.end());
    at.insert(at.end(), pc.backtrack_at.begin(), pc.backtrack_at.end());
    at.insert(at.end(), pc.path_at.begin(), pc.path_at.end());
    const std::size_t o = at[r.below(at.size())];
    t.insert(o, 1, '0');
    m.offset = o;
    m.expansion = no_offset;
    break;
  }
  default: { // a stray byte before a punctuation mark that no space precedes
    std::vector<std::size_t> at;
    for (std::size_t i = 0; i < t.size(); ++i)
      if (std::string_view(",()-<>=").find(t[i]) != std::string_view::npos &&
          (i == 0 || t[i - 1] != ' '))
        at.push_back(i);
    const std::size_t o = at[r.below(at.size())];
    constexpr std::string_view bad = "x\t;#";
    t.insert(o, 1, bad[r.below(bad.size())]);
    m.offset = o;
    m.expansion = no_offset;
  }
  }
  m.text = t;
  m.has_text = true;
  return true;
}

bool m_truncated(const RandomCase& s, Rng& r, Mutant& m) {
  const std::string& t = s.completion;
  const ParsedCompletion pc = parse_completion(t);
  // Cut before a punctuation mark up to '=' (never inside a number, never after a space the
  // spacing would leave dangling).
  std::vector<std::size_t> at{0};
  for (std::size_t i = 1; i <= pc.eq_at + 1; ++i)
    if (std::string_view(",()-<>=").find(t[i]) != std::string_view::npos && t[i - 1] != ' ')
      at.push_back(i);
  const std::size_t cut = at[r.below(at.size())];
  m.text = t.substr(0, cut);
  m.has_text = true;
  m.offset = cut;
  m.expansion = no_offset;
  return true;
}

bool m_unknown_node(const RandomCase& s, Rng& r, Mutant& m) {
  const ParsedCompletion pc = parse_completion(s.completion);
  const std::size_t e = s.trace.expansion_count();
  // Any node token but the path's later nodes (their answer errors sit at the path's start).
  struct Spot {
    std::size_t offset, expansion;
  };
  std::vector<Spot> spots;
  for (std::size_t i = 0; i < e; ++i) {
    spots.push_back({pc.expanded_at[i], i});
    for (std::size_t k = list_start(s.trace, i); k < s.trace.list_end[i]; ++k)
      spots.push_back({pc.listed_at[k], i});
  }
  for (const std::size_t o : pc.backtrack_at)
    spots.push_back({o, e});
  spots.push_back({pc.path_at[0], e});
  const Spot spot = spots[r.below(spots.size())];
  std::string label;
  if (r.chance(0.2)) {
    label = "99999999999";
  } else {
    Label l = 0;
    do
      l = static_cast<Label>(r.below(3000));
    while (s.prompt.graph.node(l));
    label = std::to_string(l);
  }
  std::size_t len = 0;
  while (spot.offset + len < s.completion.size() &&
         std::isdigit(static_cast<unsigned char>(s.completion[spot.offset + len])))
    ++len;
  m.text = s.completion;
  m.text.replace(spot.offset, len, label);
  m.has_text = true;
  m.offset = spot.offset;
  m.expansion = spot.expansion;
  return true;
}

bool m_non_edge(const RandomCase& s, Rng& r, Mutant& m) {
  const Graph& g = s.prompt.graph;
  const std::size_t i = r.below(s.trace.expansion_count());
  const NodeId u = *g.node(s.trace.expanded[i]);
  const auto far = nodes_where(g, [&](NodeId v) { return v != u && !g.adjacent(u, v); });
  if (far.empty())
    return false;
  auto list = list_of(s.trace, i);
  const std::size_t k = r.below(list.size() + 1);
  list.insert(list.begin() + static_cast<std::ptrdiff_t>(k), pick(r, far));
  m.trace = with_list(s.trace, i, list);
  m.offset = positions(s, m.trace).listed_at[list_start(m.trace, i) + k];
  m.expansion = i;
  return true;
}

bool m_missing_neighbor(const RandomCase& s, Rng& r, Mutant& m) {
  const std::size_t i = r.below(s.trace.expansion_count());
  auto list = list_of(s.trace, i);
  if (list.empty())
    return false;
  list.erase(list.begin() + static_cast<std::ptrdiff_t>(r.below(list.size())));
  m.trace = with_list(s.trace, i, list);
  m.offset = positions(s, m.trace).list_close_at[i];
  m.expansion = i;
  return true;
}

bool m_listed_expanded(const RandomCase& s, Rng& r, Mutant& m) {
  const Graph& g = s.prompt.graph;
  const std::size_t i = r.below(s.trace.expansion_count());
  RuntimeSearchState st;
  replay_to(s, i, st);
  const NodeId u = *g.node(s.trace.expanded[i]);
  st.expand(u);
  std::vector<NodeId> ref;
  st.for_each_reference_listing(u, [&](NodeId v) { ref.push_back(v); });
  // Adjacent, yet excluded by the listing policy (expanded; or discovered, under undiscovered).
  const auto excluded = nodes_where(g, [&](NodeId v) {
    return g.adjacent(u, v) && std::find(ref.begin(), ref.end(), v) == ref.end();
  });
  if (excluded.empty())
    return false;
  auto list = list_of(s.trace, i);
  const std::size_t k = r.below(list.size() + 1);
  list.insert(list.begin() + static_cast<std::ptrdiff_t>(k), pick(r, excluded));
  m.trace = with_list(s.trace, i, list);
  m.offset = positions(s, m.trace).listed_at[list_start(m.trace, i) + k];
  m.expansion = i;
  return true;
}

bool m_duplicate_neighbor(const RandomCase& s, Rng& r, Mutant& m) {
  const std::size_t i = r.below(s.trace.expansion_count());
  auto list = list_of(s.trace, i);
  if (list.empty())
    return false;
  const std::size_t k = r.below(list.size());
  const std::size_t at = k + 1 + r.below(list.size() - k);
  list.insert(list.begin() + static_cast<std::ptrdiff_t>(at), list[k]);
  m.trace = with_list(s.trace, i, list);
  m.offset = positions(s, m.trace).listed_at[list_start(m.trace, i) + at];
  m.expansion = i;
  return true;
}

bool m_neighbor_order(const RandomCase& s, Rng& r, Mutant& m) {
  const std::size_t i = r.below(s.trace.expansion_count());
  auto list = list_of(s.trace, i);
  if (list.size() < 2)
    return false;
  const std::size_t k = r.below(list.size() - 1);
  std::swap(list[k], list[k + 1]);
  m.trace = with_list(s.trace, i, list);
  m.offset = positions(s, m.trace).listed_at[list_start(m.trace, i) + k + 1];
  m.expansion = i;
  return true;
}

bool m_wrong_start(const RandomCase& s, Rng& r, Mutant& m) {
  const Graph& g = s.prompt.graph;
  const auto others = nodes_where(g, [&](NodeId v) { return v != s.prompt.query.source; });
  m.trace = s.trace;
  m.trace.expanded[0] = pick(r, others);
  m.offset = positions(s, m.trace).expanded_at[0];
  m.expansion = 0;
  return true;
}

// Replaces the node of expansion i >= 1 by one chosen from the state before it.
bool replace_expansion(const RandomCase& s, Rng& r, Mutant& m,
                       const std::function<bool(const RuntimeSearchState&, NodeId)>& eligible) {
  const std::size_t e = s.trace.expansion_count();
  if (e < 2)
    return false;
  const std::size_t i = 1 + r.below(e - 1);
  RuntimeSearchState st;
  replay_to(s, i, st);
  const Graph& g = s.prompt.graph;
  const auto candidates = nodes_where(g, [&](NodeId v) { return eligible(st, v); });
  if (candidates.empty())
    return false;
  m.trace = s.trace;
  m.trace.expanded[i] = pick(r, candidates);
  m.offset = positions(s, m.trace).expanded_at[i];
  m.expansion = i;
  return true;
}

bool m_not_in_frontier(const RandomCase& s, Rng& r, Mutant& m) {
  return replace_expansion(
      s, r, m, [](const RuntimeSearchState& st, NodeId v) { return !st.discovered(v); });
}

bool m_frontier_order(const RandomCase& s, Rng& r, Mutant& m) {
  return replace_expansion(s, r, m, [](const RuntimeSearchState& st, NodeId v) {
    NodeId front = no_node;
    st.for_each_in_frontier([&](NodeId w) {
      if (front == no_node)
        front = w;
    });
    return st.in_frontier(v) && v != front;
  });
}

bool m_reexpanded(const RandomCase& s, Rng& r, Mutant& m) {
  return replace_expansion(s, r, m,
                           [](const RuntimeSearchState& st, NodeId v) { return st.expanded(v); });
}

bool m_missed_target(const RandomCase& s, Rng& r, Mutant& m) {
  (void)r;
  const std::size_t e = s.trace.expansion_count();
  RuntimeSearchState st;
  replay_to(s, e, st);
  const NodeId front = st.next();
  if (front == no_node)
    return false;
  // One more expansion, of the node at the front, with its correct list.
  m.trace = s.trace;
  const Graph& g = s.prompt.graph;
  std::vector<Label> list;
  st.expand(front);
  st.for_each_reference_listing(front, [&](NodeId v) { list.push_back(g.label(v)); });
  m.trace.begin_expansion(g.label(front));
  for (const Label v : list)
    m.trace.list_node(v);
  m.offset = positions(s, m.trace).expanded_at[e];
  m.expansion = e;
  return true;
}

bool m_early_stop(const RandomCase& s, Rng& r, Mutant& m) {
  (void)r;
  const std::size_t e = s.trace.expansion_count();
  if (e < 2)
    return false;
  m.trace = s.trace;
  m.trace.expanded.pop_back();
  m.trace.list_end.pop_back();
  m.trace.listed.resize(m.trace.list_end.back());
  m.offset = positions(s, m.trace).dash_at;
  m.expansion = e - 1;
  return true;
}

bool m_traceback_start(const RandomCase& s, Rng& r, Mutant& m) {
  const Graph& g = s.prompt.graph;
  const auto others = nodes_where(g, [&](NodeId v) { return v != s.prompt.query.target; });
  m.trace = s.trace;
  m.trace.backtrack[0] = pick(r, others);
  m.offset = positions(s, m.trace).backtrack_at[0];
  m.expansion = s.trace.expansion_count();
  return true;
}

bool m_traceback_parent(const RandomCase& s, Rng& r, Mutant& m) {
  const auto& bt = s.trace.backtrack;
  const std::size_t j = 1 + r.below(bt.size() - 1);
  const Graph& g = s.prompt.graph;
  const auto others = nodes_where(g, [&](NodeId v) { return g.label(v) != bt[j]; });
  m.trace = s.trace;
  m.trace.backtrack[j] = pick(r, others);
  m.offset = positions(s, m.trace).backtrack_at[j];
  m.expansion = s.trace.expansion_count();
  return true;
}

bool m_traceback_end(const RandomCase& s, Rng& r, Mutant& m) {
  m.trace = s.trace;
  m.expansion = s.trace.expansion_count();
  if (r.chance(0.5)) { // stops short: without the source
    m.trace.backtrack.pop_back();
    m.offset = positions(s, m.trace).gt_at;
  } else { // goes on past the source
    const Graph& g = s.prompt.graph;
    m.trace.backtrack.push_back(g.label(static_cast<NodeId>(r.below(g.node_count()))));
    m.offset = positions(s, m.trace).backtrack_at[s.trace.backtrack.size()];
  }
  return true;
}

bool m_answer_mismatch(const RandomCase& s, Rng& r, Mutant& m) {
  const Graph& g = s.prompt.graph;
  m.trace = s.trace;
  auto& path = m.trace.path;
  switch (r.below(3)) {
  case 0: {
    const std::size_t j = r.below(path.size());
    const auto others = nodes_where(g, [&](NodeId v) { return g.label(v) != path[j]; });
    path[j] = pick(r, others);
    break;
  }
  case 1:
    path.insert(path.begin() + static_cast<std::ptrdiff_t>(r.below(path.size() + 1)),
                g.label(static_cast<NodeId>(r.below(g.node_count()))));
    break;
  default:
    path.erase(path.begin() + static_cast<std::ptrdiff_t>(r.below(path.size())));
    if (path.empty())
      return false;
  }
  m.offset = positions(s, m.trace).path_at[0];
  m.expansion = s.trace.expansion_count();
  return true;
}

bool m_answer_invalid(const RandomCase& s, Rng& r, Mutant& m) {
  const Graph& g = s.prompt.graph;
  m.trace = s.trace;
  auto& path = m.trace.path;
  // Step somewhere that is not an out-neighbour, or end elsewhere.
  const std::size_t j = r.below(path.size());
  const NodeId prev = j == 0 ? no_node : *g.node(path[j - 1]);
  const auto bad = nodes_where(g, [&](NodeId v) {
    return g.label(v) != path[j] && (prev == no_node ? true : !g.adjacent(prev, v));
  });
  if (bad.empty())
    return false;
  path[j] = pick(r, bad);
  m.offset = positions(s, m.trace).path_at[0];
  m.expansion = s.trace.expansion_count();
  return true;
}

bool m_answer_not_shortest(const RandomCase& s, Rng& r, Mutant& m) {
  const Graph& g = s.prompt.graph;
  m.trace = s.trace;
  auto& path = m.trace.path;
  // A detour u -> w -> u at some node of the path (a walk that repeats u).
  const std::size_t j = r.below(path.size());
  const NodeId u = *g.node(path[j]);
  const auto nb = g.neighbors(u);
  std::vector<NodeId> back;
  for (const NodeId w : nb)
    if (g.adjacent(w, u))
      back.push_back(w);
  if (back.empty())
    return false;
  const NodeId w = back[r.below(back.size())];
  path.insert(path.begin() + static_cast<std::ptrdiff_t>(j) + 1, {g.label(w), path[j]});
  m.offset = positions(s, m.trace).path_at[0];
  m.expansion = s.trace.expansion_count();
  return true;
}

struct Oracle {
  ErrorKind kind;
  Mutator mutate;
  bool bfs = true, dfs = true;
};

const Oracle oracles[] = {
    {ErrorKind::syntax, m_syntax},
    {ErrorKind::truncated, m_truncated},
    {ErrorKind::unknown_node, m_unknown_node},
    {ErrorKind::non_edge, m_non_edge},
    {ErrorKind::missing_neighbor, m_missing_neighbor},
    {ErrorKind::listed_expanded, m_listed_expanded},
    {ErrorKind::duplicate_neighbor, m_duplicate_neighbor},
    {ErrorKind::neighbor_order, m_neighbor_order},
    {ErrorKind::wrong_start, m_wrong_start},
    {ErrorKind::not_in_frontier, m_not_in_frontier},
    {ErrorKind::frontier_order, m_frontier_order},
    {ErrorKind::reexpanded, m_reexpanded},
    {ErrorKind::missed_target, m_missed_target},
    {ErrorKind::early_stop, m_early_stop},
    {ErrorKind::traceback_start, m_traceback_start},
    {ErrorKind::traceback_parent, m_traceback_parent},
    {ErrorKind::traceback_end, m_traceback_end},
    {ErrorKind::answer_mismatch, m_answer_mismatch},
    {ErrorKind::answer_invalid, m_answer_invalid},
    {ErrorKind::answer_not_shortest, m_answer_not_shortest, true, false},
};

void run_oracle(const SearchOptions& base, int per_kind, std::uint64_t seed) {
  SampleMaker maker(seed);
  Classifier c;
  RandomCase s;
  std::map<Shape, int> shapes_seen;
  for (const Oracle& o : oracles) {
    if (!(base.algorithm == Algorithm::bfs ? o.bfs : o.dfs))
      continue;
    int done = 0;
    for (int attempt = 0; done < per_kind && attempt < per_kind * 50; ++attempt) {
      maker.draw(maker.any_shape(), base, s);
      {
        const Verdict& v = c.classify(s.prompt, s.completion, s.options);
        CAPTURE(s.prompt_text);
        CAPTURE(s.completion);
        REQUIRE(summary(v).empty());
        REQUIRE((v.exact && v.valid && v.answer_correct));
      }
      Mutant m{};
      if (!o.mutate(s, maker.rng(), m))
        continue;
      const std::string text = m.has_text ? m.text : render_completion(m.trace, s.rendering);
      if (text == s.completion)
        continue; // a mutation that changed nothing (e.g. a path node replaced by itself)
      ++done;
      ++shapes_seen[s.shape];
      const Verdict& v = c.classify(s.prompt, text, s.options);
      CAPTURE(error_kind_name(o.kind));
      CAPTURE(s.prompt_text);
      CAPTURE(s.completion);
      CAPTURE(text);
      CAPTURE(summary(v));
      REQUIRE(v.first_error() != nullptr);
      CHECK_FALSE(v.valid);
      CHECK_FALSE(v.exact);
      const bool never_first =
          o.kind == ErrorKind::answer_invalid || o.kind == ErrorKind::answer_not_shortest;
      if (never_first) {
        REQUIRE(v.errors.size() == 2);
        CHECK(v.errors[0].kind == ErrorKind::answer_mismatch);
        CHECK(v.errors[1].kind == o.kind);
        CHECK(v.errors[1].offset == m.offset);
        CHECK_FALSE(v.answer_correct);
      } else {
        CHECK(v.first_error()->kind == o.kind);
        CHECK(v.first_error()->offset == m.offset);
        if (m.expansion != no_offset)
          CHECK(v.first_error()->expansion == m.expansion);
      }
      if (o.kind == ErrorKind::truncated)
        CHECK(v.errors.size() == 1);
    }
    CAPTURE(error_kind_name(o.kind));
    CHECK(done == per_kind);
  }
  CHECK(shapes_seen.size() == std::size(searchtrace_test::all_shapes));
}

} // namespace

TEST_CASE("classify: mutation oracle, BFS") {
  run_oracle(bfs, 300, 101);
}

TEST_CASE("classify: mutation oracle, DFS") {
  run_oracle(dfs, 300, 202);
}

TEST_CASE("classify: mutation oracle under the other policies") {
  for (const NeighborOrder n : {NeighborOrder::ascending, NeighborOrder::prompt})
    for (const Listing l : {Listing::unexpanded, Listing::undiscovered})
      for (const StopRule r : {StopRule::on_list, StopRule::on_pop})
        for (const Algorithm a : {Algorithm::bfs, Algorithm::dfs}) {
          const SearchOptions o = make(a, r, l, n);
          if (o == bfs || o == dfs)
            continue;
          run_oracle(o, 40,
                     300 + static_cast<std::uint64_t>(n) * 8 + static_cast<std::uint64_t>(l) * 4 +
                         static_cast<std::uint64_t>(r) * 2 + static_cast<std::uint64_t>(a));
        }
}

TEST_CASE("classify: answer_invalid and answer_not_shortest are never first errors") {
  // Without an earlier error the backtrack is the reference's, so a path equal to it reversed
  // is a valid (BFS: shortest) path; any other path is an answer_mismatch, which comes first at
  // the same offset (docs/reference.md, "Decisions that fix a verdict"). The oracle above checks
  // the consequence on random instances; here, the argument's premise: error-free exploration +
  // backtrack leaves only one path.
  const Prompt p = seed_example();
  const Verdict v = classify(p, "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,1,3,4");
  REQUIRE(v.first_error() != nullptr);
  CHECK(v.first_error()->kind == ErrorKind::answer_mismatch);
}

TEST_CASE("classify: a hand-built prompt whose query is outside the graph is rejected") {
  Prompt p = seed_example();
  p.query.target = 99;
  CHECK_THROWS_AS((void)classify(p, "<0,(1,2)-2,0>=0,2"), std::invalid_argument);
}

// --- the text fast path --------------------------------------------------------------------
//
// Classifier::classify(prompt, text) first matches the text against the reference completion
// (a run of the search core with a matching sink) and, when it is the reference, writes the
// verdict without parsing. Here it is checked against the replay of the parsed text
// (classify(prompt, ParsedCompletion)), which never takes that path, on reference completions in
// every accepted spacing and on damaged ones, for every policy, small and large graphs
// (beyond 64 nodes) and labels of one to ten digits.

namespace {

/// A reference completion with each optional space present or not at random, or a
/// spacing the grammar rejects (two spaces, a space elsewhere, a tab).
std::string respace(const Trace& t, Rng& rng, bool break_it) {
  std::string s = render_completion(t, Rendering::compact);
  std::string out;
  bool inside = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    inside = c == '(' ? true : c == ')' ? false : inside;
    if (c == '-' && rng.chance(0.5))
      out += ' ';
    out += c;
    if ((c == '-' || (c == ',' && inside)) && rng.chance(0.5))
      out += ' ';
  }
  if (break_it) {
    const std::size_t at = rng.below(out.size() + 1);
    out.insert(at, rng.chance(0.5) ? "  " : rng.chance(0.5) ? " " : "\t");
  }
  return out;
}

/// A damaged trace: one of several structural changes, or nothing when it does not apply.
bool damage_trace(Trace& t, const Graph& g, Rng& rng) {
  const std::size_t e = t.expansion_count();
  const auto any_label = [&] { return g.label(static_cast<NodeId>(rng.below(g.node_count()))); };
  switch (rng.below(7)) {
  case 0: // two listed nodes swapped
    for (std::size_t tries = 0; tries < 8; ++tries) {
      const std::size_t i = rng.below(e);
      const auto l = t.list(i);
      if (l.size() < 2)
        continue;
      const std::size_t b = i == 0 ? 0 : t.list_end[i - 1];
      const std::size_t k = rng.below(l.size() - 1);
      std::swap(t.listed[b + k], t.listed[b + k + 1]);
      return true;
    }
    return false;
  case 1: // a listed node left out
    if (t.listed.empty())
      return false;
    t.remove_listed(rng.below(t.listed.size()));
    return true;
  case 2: // an extra expansion at the end
    t.begin_expansion(any_label());
    return true;
  case 3: // the last expansion dropped
    if (e < 2)
      return false;
    t.expanded.pop_back();
    t.listed.resize(t.list_end[e - 2]);
    t.list_end.pop_back();
    return true;
  case 4: // a listed or expanded node replaced by another node of the graph
    if (rng.chance(0.5) && !t.listed.empty())
      t.listed[rng.below(t.listed.size())] = any_label();
    else
      t.expanded[rng.below(e)] = any_label();
    return true;
  case 5: // a backtrack step replaced, the path following it
    t.backtrack[rng.below(t.backtrack.size())] = any_label();
    t.path.assign(t.backtrack.rbegin(), t.backtrack.rend());
    return true;
  default: // the path alone changed
    t.path[rng.below(t.path.size())] = any_label();
    return true;
  }
}

/// Whether the fast path takes this text. On up to 64 nodes in ascending order it runs on the
/// graph's bit rows: that answer must be the adjacency lists' one.
bool fast_match(const Prompt& p, std::string_view text, const SearchOptions& o) {
  if (p.query.source == p.query.target)
    return false;
  std::string padded(text);
  padded.append(detail::reference_padding, '\0');
  const std::string_view view = std::string_view(padded).substr(0, text.size());
  SearchScratch scratch;
  const bool taken = with_search_state(
      scratch, p.graph, p.query, o, [&](auto& st) { return detail::matches_reference(st, view); });
  const bool on_lists =
      o.algorithm == Algorithm::dfs
          ? [&] {
              SearchState<ListSets, LifoFrontier> st(scratch, p.graph, p.query, o);
              return detail::matches_reference(st, view);
            }()
          : [&] {
              SearchState<ListSets, FifoFrontier> st(scratch, p.graph, p.query, o);
              return detail::matches_reference(st, view);
            }();
  CHECK(taken == on_lists);
  return taken;
}

/// Text through the fast path vs. the same text parsed and replayed, and parsed() afterwards.
void check_fast_path(Classifier& fast, Classifier& replay, const Prompt& p, const std::string& text,
                     const SearchOptions& o) {
  CAPTURE(text);
  (void)fast_match(p, text, o);
  const Verdict v = fast.classify(p, text, o);
  const ParsedCompletion pc = parse_completion(text);
  const Verdict& w = replay.classify(p, pc, o);
  CHECK(v == w);
  CHECK(fast.parsed() == pc);
}

/// A random connected graph of n nodes (a random tree plus `extra` edges, directed or not) with
/// distinct labels below `space`, a reachable query, as a Prompt.
Prompt random_prompt(Rng& rng, std::uint32_t n, std::uint32_t extra, std::uint64_t space,
                     bool directed) {
  std::vector<Label> labels;
  while (labels.size() < n) {
    const auto l = static_cast<Label>(rng.below(space));
    if (std::find(labels.begin(), labels.end(), l) == labels.end())
      labels.push_back(l);
  }
  std::sort(labels.begin(), labels.end());
  std::vector<Edge> edges;
  std::vector<std::uint32_t> order(n);
  for (std::uint32_t i = 0; i < n; ++i)
    order[i] = i;
  rng.shuffle(order);
  for (std::uint32_t v = 1; v < n; ++v)
    edges.push_back({order[rng.below(v)], order[v]});
  for (std::uint32_t k = 0; k < extra; ++k) {
    const auto u = static_cast<NodeId>(rng.below(n)), v = static_cast<NodeId>(rng.below(n));
    bool dup = u == v;
    for (const Edge& x : edges)
      dup = dup || (x.u == u && x.v == v) || (x.u == v && x.v == u);
    if (!dup)
      edges.push_back({u, v});
  }
  rng.shuffle(edges);
  Prompt p;
  REQUIRE(p.graph.assign(labels, edges, directed));
  // Source: the tree's root reaches everything when undirected; directed, arcs point away
  // from the root along the tree, so the root reaches every node as well.
  p.query.source = order[0];
  p.query.target = order[1 + rng.below(n - 1)];
  return p;
}

} // namespace

TEST_CASE("classify: the text fast path agrees with the replay, small graphs, every policy") {
  SampleMaker maker(4242);
  Classifier fast, replay;
  RandomCase s;
  std::size_t exact = 0, inexact = 0;
  for (const SearchOptions& o : searchtrace_test::all_options()) {
    CAPTURE(searchtrace_test::option_name(o));
    for (int i = 0; i < 120; ++i) {
      maker.draw(maker.any_shape(), o, s);
      CAPTURE(s.prompt_text);
      Rng& rng = maker.rng();
      // The reference in its rendering and in a random mix of the optional spaces.
      check_fast_path(fast, replay, s.prompt, s.completion, o);
      CHECK(fast_match(s.prompt, s.completion, o));
      const std::string spaced = respace(s.trace, rng, false);
      check_fast_path(fast, replay, s.prompt, spaced, o);
      CHECK(fast_match(s.prompt, spaced, o));
      exact += fast.verdict().exact ? 1 : 0;
      // Spacing the grammar rejects, a byte edit, a damaged trace, a cut text.
      check_fast_path(fast, replay, s.prompt, respace(s.trace, rng, true), o);
      std::string edited = s.completion;
      edited[rng.below(edited.size())] = "0123456789,()-<>= "[rng.below(18)];
      check_fast_path(fast, replay, s.prompt, edited, o);
      Trace t = s.trace;
      if (damage_trace(t, s.prompt.graph, rng)) {
        const std::string damaged = render_completion(t, s.rendering);
        check_fast_path(fast, replay, s.prompt, damaged, o);
        inexact += fast.verdict().exact ? 0 : 1;
        CHECK(fast_match(s.prompt, damaged, o) == fast.verdict().exact);
      }
      check_fast_path(fast, replay, s.prompt,
                      s.completion.substr(0, rng.below(s.completion.size())), o);
      check_fast_path(fast, replay, s.prompt, s.completion + (rng.chance(0.5) ? "," : "0"), o);
    }
  }
  CHECK(exact == 16 * 120);
  CHECK(inexact > 16 * 60);
}

TEST_CASE("classify: the text fast path agrees with the replay beyond 64 nodes") {
  Rng rng(777);
  Classifier fast, replay;
  std::size_t exact = 0;
  for (const SearchOptions& o : searchtrace_test::all_options()) {
    CAPTURE(searchtrace_test::option_name(o));
    for (int i = 0; i < 12; ++i) {
      const auto n = static_cast<std::uint32_t>(rng.between(65, 220));
      // Labels of 2 to 4 digits, or up to ten (beyond the fast path's nine: it falls back).
      const std::uint64_t space = i % 4 == 3 ? 4294967295ull : i % 2 ? 10000 : 2 * n;
      const bool directed = i % 3 == 2;
      const Prompt p =
          random_prompt(rng, n, static_cast<std::uint32_t>(rng.below(2 * n)), space, directed);
      const auto tr = trace(p, o);
      REQUIRE(tr.ok());
      const Trace& ref = *tr;
      const std::string text =
          render_completion(ref, i % 2 ? Rendering::pretty : Rendering::compact);
      check_fast_path(fast, replay, p, text, o);
      CHECK(fast.verdict().exact);
      exact += fast.verdict().exact ? 1 : 0;
      // Labels of ten digits are beyond the fast path (the replay judges them).
      Label largest = 0;
      for (const auto* part : {&ref.expanded, &ref.listed, &ref.backtrack})
        for (const Label x : *part)
          largest = std::max(largest, x);
      CHECK(fast_match(p, text, o) == (largest < 1000000000u));
      check_fast_path(fast, replay, p, respace(ref, rng, false), o);
      check_fast_path(fast, replay, p, respace(ref, rng, true), o);
      for (int d = 0; d < 4; ++d) {
        Trace t = ref;
        if (damage_trace(t, p.graph, rng))
          check_fast_path(fast, replay, p, render_completion(t), o);
      }
      check_fast_path(fast, replay, p, text.substr(0, rng.below(text.size())), o);
    }
  }
  CHECK(exact == 16 * 12);
}

TEST_CASE("classify: the text fast path on prompts without a reference") {
  Classifier fast, replay;
  // A hand-built query whose source is its target (parsed prompts reject it): no reference,
  // the replay judges the text (and throws, as `search` does, where it needs a shortest path).
  Prompt p = seed_example();
  p.query.target = p.query.source;
  for (const std::string text : {"<0,(1,2)-0>=0", "<-0>=0", "", "<0,(1,2),1,(2"}) {
    CAPTURE(text);
    bool threw = false;
    try {
      (void)replay.classify(p, parse_completion(text), bfs);
    } catch (const std::invalid_argument&) {
      threw = true;
    }
    if (threw)
      CHECK_THROWS_AS((void)fast.classify(p, text, bfs), std::invalid_argument);
    else
      check_fast_path(fast, replay, p, text, bfs);
  }
  // An unreachable target (directed): no reference either.
  const Prompt d = searchtrace_test::prompt("0,1|2,1/0,2", true);
  for (const std::string text : {"<0,(1),1,()-2,1,0>=0,1,2", "<0,(1)-2>=2"})
    check_fast_path(fast, replay, d, text, bfs);
  CHECK_FALSE(fast.verdict().valid);
}

TEST_CASE("classify: the text fast path reads whole numbers only") {
  Classifier fast, replay;
  // One-, two- and three-digit labels: a longer or shorter number, a leading zero, a prefix of
  // a label, and bytes after the path are never the reference.
  for (const auto& [prompt_text, reference] :
       {std::pair{"1,2|2,3/1,3", "<1,(2),2,(3)-3,2,1>=1,2,3"},
        {"10,20|20,30/10,30", "<10,(20),20,(30)-30,20,10>=10,20,30"},
        {"100,5|5,300/100,300", "<100,(5),5,(300)-300,5,100>=100,5,300"}}) {
    const Prompt p = searchtrace_test::prompt(prompt_text);
    const std::string ref = reference;
    CHECK(fast_match(p, ref, bfs));
    check_fast_path(fast, replay, p, ref, bfs);
    CHECK(fast.verdict().exact);
    for (std::size_t i = 0; i < ref.size(); ++i) {
      if (ref[i] < '0' || ref[i] > '9')
        continue;
      for (const std::string& variant :
           {ref.substr(0, i) + "0" + ref.substr(i), ref.substr(0, i + 1) + "7" + ref.substr(i + 1),
            ref.substr(0, i) + ref.substr(i + 1)}) {
        CHECK_FALSE(fast_match(p, variant, bfs));
        check_fast_path(fast, replay, p, variant, bfs);
        CHECK_FALSE(fast.verdict().exact);
      }
    }
    for (const std::string& tail :
         {std::string(" "), std::string("0"), std::string(","), std::string(1, '\0')}) {
      const std::string variant = ref + tail;
      CHECK_FALSE(fast_match(p, variant, bfs));
      check_fast_path(fast, replay, p, variant, bfs);
    }
  }
}
