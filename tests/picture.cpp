#include <searchtrace/picture.hpp>

#include <doctest/doctest.h>

#include <string_view>
#include <vector>

using namespace searchtrace;

namespace {

Prompt seed_prompt() {
  Prompt p;
  PromptParser parser;
  REQUIRE(!parser.parse("1,3|2,4|1,2|0,1|0,2|3,4/0,4", p));
  return p;
}

// On the seed's graph labels 0..4 are ids 0..4.
const std::vector<NodeId> ids(std::initializer_list<NodeId> l) {
  return l;
}

} // namespace

TEST_CASE("picture: the reference search of the seed's prompt") {
  const Prompt p = seed_prompt();
  const SearchPicture pic = picture_search(p);
  CHECK(pic.found);
  CHECK_FALSE(pic.judged);
  CHECK(pic.expansions == ids({0, 1, 2}));
  CHECK(pic.first_expansion == std::vector<std::uint32_t>{1, 2, 3, 0, 0});
  CHECK(pic.parent == ids({no_node, 0, 0, 1, 2}));
  // 1 lists 2 again (queued, not expanded); 2 lists 4, which is never popped.
  CHECK(pic.frontier == ids({3, 4}));
  CHECK(pic.frontier_rank(4) == 1);
  CHECK(pic.frontier_rank(0) == -1);
  CHECK(pic.listed.size() == 5);
  CHECK(pic.missing.empty());
  CHECK(pic.backtrack == ids({4, 2, 0}));
  CHECK(pic.path == ids({0, 2, 4}));
  SearchOptions dfs;
  dfs.algorithm = Algorithm::dfs;
  CHECK(picture_search(p, dfs).path == ids({0, 1, 2, 4}));
}

TEST_CASE("picture: an unreachable target shows the whole exploration") {
  Prompt p;
  PromptParser parser;
  REQUIRE(!parser.parse("0,1|2,3/0,3", p));
  const SearchPicture pic = picture_search(p);
  CHECK_FALSE(pic.found);
  CHECK(pic.expansions == ids({0, 1}));
  CHECK(pic.path.empty());
}

TEST_CASE("picture: a completion's errors are placed on what they are about") {
  const Prompt p = seed_prompt();

  SUBCASE("out of queue order: the node") {
    const SearchPicture pic = picture_completion(p, "<0,(1,2),2,(1,4)-4,2,0>=0,2,4");
    REQUIRE(pic.marks.size() == 1);
    CHECK(pic.marks[0].error.kind == ErrorKind::frontier_order);
    CHECK(pic.marks[0].target == MarkTarget::node);
    CHECK(pic.marks[0].u == 2);
    // The state the completion implies: 2 expanded second, 1 still queued.
    CHECK(pic.first_expansion[2] == 2);
    CHECK(pic.frontier == ids({1, 4}));
  }
  SUBCASE("an invented neighbour: the edge, which the graph does not have") {
    const SearchPicture pic = picture_completion(p, "<0,(1,2,3),1,(2,3),2,(4)-4,2,0>=0,2,4");
    REQUIRE(!pic.marks.empty());
    CHECK(pic.marks[0].error.kind == ErrorKind::non_edge);
    CHECK(pic.marks[0].target == MarkTarget::edge);
    CHECK(pic.marks[0].u == 0);
    CHECK(pic.marks[0].v == 3);
    CHECK(pic.parent[3] == 0); // adopted as listed by 0
  }
  SUBCASE("a missing neighbour: the edge that should have been listed") {
    const SearchPicture pic = picture_completion(p, "<0,(1),1,(2,3),2,(4)-4,2,1,0>=0,1,2,4");
    REQUIRE(!pic.marks.empty());
    CHECK(pic.marks[0].error.kind == ErrorKind::missing_neighbor);
    CHECK(pic.marks[0].target == MarkTarget::edge);
    CHECK(pic.marks[0].u == 0);
    CHECK(pic.marks[0].v == 2);
    CHECK(pic.missing.size() == 1);
  }
  SUBCASE("a number that is no node: a phantom") {
    const SearchPicture pic = picture_completion(p, "<0,(1,2,9),1,(2,3),2,(4)-4,2,0>=0,2,4");
    REQUIRE(!pic.marks.empty());
    CHECK(pic.marks[0].error.kind == ErrorKind::unknown_node);
    CHECK(pic.marks[0].target == MarkTarget::edge);
    CHECK(pic.is_phantom(pic.marks[0].v));
    CHECK(pic.label(p.graph, pic.marks[0].v) == 9);
    CHECK(pic.phantom_labels == std::vector<Label>{9});
  }
  SUBCASE("a wrong traceback step, a wrong answer, a truncation") {
    const SearchPicture pic = picture_completion(p, "<0,(1,2),1,(2,3),2,(4)-4,1,0>=0,1,4");
    REQUIRE(pic.marks.size() >= 2);
    CHECK(pic.marks[0].error.kind == ErrorKind::traceback_parent);
    CHECK(pic.marks[0].target == MarkTarget::edge);
    CHECK(pic.marks[0].u == 4);
    CHECK(pic.marks[0].v == 1);
    CHECK(pic.marks.back().target == MarkTarget::path);
    const SearchPicture cut = picture_completion(p, "<0,(1,2),1,(2");
    REQUIRE(cut.marks.size() == 1);
    CHECK(cut.marks[0].error.kind == ErrorKind::truncated);
    CHECK(cut.marks[0].target == MarkTarget::text);
    CHECK_FALSE(cut.found);
  }
  SUBCASE("a re-expansion") {
    const SearchPicture pic = picture_completion(p, "<0,(1,2),1,(2,3),1,()-4,2,0>=0,2,4");
    REQUIRE(!pic.marks.empty());
    CHECK(pic.marks[0].error.kind == ErrorKind::reexpanded);
    CHECK(pic.marks[0].target == MarkTarget::node);
    CHECK(pic.marks[0].u == 1);
    CHECK(pic.expansions == ids({0, 1, 1}));
    CHECK(pic.first_expansion[1] == 2);
  }
  SUBCASE("the reference completion: valid, nothing placed") {
    const SearchPicture pic = picture_completion(p, "<0,(1, 2),1,(2, 3),2,(4) - 4,2,0>=0,2,4");
    CHECK(pic.judged);
    CHECK(pic.verdict.valid);
    CHECK(pic.marks.empty());
    CHECK(pic.path == picture_search(p).path);
  }
}
