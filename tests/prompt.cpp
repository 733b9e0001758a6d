#include <searchtrace/prompt.hpp>

#include <searchtrace/render.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "seed_prompt.hpp"

using searchtrace_test::seed_prompt;

using namespace searchtrace;
using namespace std::string_view_literals;

namespace {

// The error a prompt is rejected with; a prompt that parses fails the test.
PromptError rejection(std::string_view text, bool directed = false) {
  auto r = parse_prompt(text, PromptOptions{directed});
  REQUIRE_MESSAGE(!r.ok(), "accepted: " << std::string(text));
  return r.error();
}

void check_rejected(std::string_view text, PromptErrorKind kind, std::size_t offset,
                    bool directed = false) {
  CAPTURE(text);
  const PromptError e = rejection(text, directed);
  CHECK(prompt_error_kind_name(e.kind) == prompt_error_kind_name(kind));
  CHECK(e.offset == offset);
  CHECK_FALSE(e.message.empty());
}

std::vector<NodeId> ids(std::span<const NodeId> s) {
  return {s.begin(), s.end()};
}

} // namespace

TEST_CASE("the seed prompt parses into its graph and query") {
  const auto r = parse_prompt(seed_prompt);
  REQUIRE(r.ok());
  const Prompt& p = *r;
  CHECK(p.graph.node_count() == 5u);
  CHECK(p.graph.edge_count() == 6u);
  CHECK_FALSE(p.graph.directed());
  CHECK(p.query == Query{0, 4});
  const std::vector<Edge> as_written{{1, 3}, {2, 4}, {1, 2}, {0, 1}, {0, 2}, {3, 4}};
  REQUIRE(p.graph.edges().size() == as_written.size());
  for (std::size_t i = 0; i < as_written.size(); ++i)
    CHECK(p.graph.edges()[i] == as_written[i]);
  CHECK(ids(p.graph.neighbors(2)) == std::vector<NodeId>{0, 1, 4});
}

TEST_CASE("labels become dense ids in ascending label order") {
  const auto r = parse_prompt("17,5|5,3|123,17/3,123");
  REQUIRE(r.ok());
  const Graph& g = r->graph;
  REQUIRE(g.node_count() == 4u);
  CHECK(g.label(0) == 3u);
  CHECK(g.label(1) == 5u);
  CHECK(g.label(2) == 17u);
  CHECK(g.label(3) == 123u);
  CHECK(g.edges()[0] == Edge{2, 1});
  CHECK(g.edges()[2] == Edge{3, 2});
  CHECK(r->query == Query{0, 3});
}

TEST_CASE("a parsed prompt renders back byte for byte") {
  for (const std::string_view text :
       {seed_prompt, "0,1/1,0"sv, "17,5|5,3|123,17/3,123"sv,
        "10,123|123,4294967295|10,7/10,4294967295"sv, "4,0|0,3|3,2|2,1/4,1"sv}) {
    CAPTURE(text);
    const auto r = parse_prompt(text);
    REQUIRE(r.ok());
    CHECK(render_prompt(*r) == text);
  }
  SUBCASE("directed") {
    const auto r = parse_prompt("0,1|1,0|2,1/2,0", PromptOptions{true});
    REQUIRE(r.ok());
    CHECK(render_prompt(*r) == "0,1|1,0|2,1/2,0");
  }
}

TEST_CASE("the directed option reads u,v as the arc u to v") {
  const auto undirected = parse_prompt("0,1|2,0|1,3|3,2/0,2");
  const auto directed = parse_prompt("0,1|2,0|1,3|3,2/0,2", PromptOptions{true});
  REQUIRE(undirected.ok());
  REQUIRE(directed.ok());
  CHECK(ids(undirected->graph.neighbors(0)) == std::vector<NodeId>{1, 2});
  CHECK(directed->graph.directed());
  CHECK(ids(directed->graph.neighbors(0)) == std::vector<NodeId>{1});
  CHECK(ids(directed->graph.neighbors(2)) == std::vector<NodeId>{0});
}

TEST_CASE("syntax errors name their byte") {
  SUBCASE("a byte outside the grammar") {
    check_rejected("0,1|a,2/0,2", PromptErrorKind::syntax, 4);
    CHECK(rejection("0,1|a,2/0,2").message == "unexpected character 'a'");
  }
  SUBCASE("a leading zero") {
    check_rejected("0,1|01,2/0,2", PromptErrorKind::syntax, 4);
    check_rejected("0,1/0,01", PromptErrorKind::syntax, 6);
  }
  SUBCASE("a space") {
    check_rejected("0,1 |1,2/0,2", PromptErrorKind::syntax, 3);
    check_rejected("0,1/0, 1", PromptErrorKind::syntax, 6);
    check_rejected(" 0,1/0,1", PromptErrorKind::syntax, 0);
  }
  SUBCASE("a missing comma") {
    check_rejected("0,1|1/0,1", PromptErrorKind::syntax, 5);
    CHECK(rejection("0,1|1/0,1").message == "expected ',', found '/'");
    check_rejected("0,1/0|1", PromptErrorKind::syntax, 5);
  }
  SUBCASE("trailing garbage") {
    check_rejected("0,1/0,1x", PromptErrorKind::syntax, 7);
    check_rejected("0,1/0,1,", PromptErrorKind::syntax, 7);
    check_rejected("0,1/0,1/", PromptErrorKind::syntax, 7);
    check_rejected("0,1/0,1|2,3", PromptErrorKind::syntax, 7);
    check_rejected("0,1/0,1 ", PromptErrorKind::syntax, 7);
    CHECK(rejection("0,1/0,1,").message == "expected the end of the prompt, found ','");
    // A completion is not part of the prompt: the caller splits the sample at '<'.
    check_rejected("0,1/0,1<0,(1)-1,0>=0,1", PromptErrorKind::syntax, 7);
  }
  SUBCASE("a tab") {
    check_rejected("0,1|\t1,2/0,2", PromptErrorKind::syntax, 4);
  }
  SUBCASE("a NUL byte") {
    check_rejected("0,1|1,2\0/0,2"sv, PromptErrorKind::syntax, 7);
    CHECK(rejection("0,1|1,2\0/0,2"sv).message == "unexpected byte 0x00");
  }
  SUBCASE("tokens in the wrong place") {
    check_rejected("0,1,2/0,1", PromptErrorKind::syntax, 3);
    CHECK(rejection("0,1,2/0,1").message == "expected '|' or '/', found ','");
    check_rejected("/0,1", PromptErrorKind::syntax, 0);
    check_rejected("0,1||1,2/0,1", PromptErrorKind::syntax, 4);
    check_rejected("0,(1)/0,1", PromptErrorKind::syntax, 2);
  }
}

TEST_CASE("a prompt that ends early is truncated at its length") {
  SUBCASE("the empty text") {
    check_rejected("", PromptErrorKind::truncated, 0);
  }
  SUBCASE("ends mid-edge") {
    check_rejected("0", PromptErrorKind::truncated, 1);
    check_rejected("0,", PromptErrorKind::truncated, 2);
    check_rejected("0,1|1,", PromptErrorKind::truncated, 6);
    check_rejected("0,1|", PromptErrorKind::truncated, 4);
  }
  SUBCASE("ends without '/'") {
    check_rejected("0,1|1,2", PromptErrorKind::truncated, 7);
    CHECK(rejection("0,1|1,2").message == "the prompt ends without '/' and a query");
  }
  SUBCASE("ends inside the query") {
    check_rejected("0,1/", PromptErrorKind::truncated, 4);
    check_rejected("0,1/0", PromptErrorKind::truncated, 5);
    check_rejected("0,1/0,", PromptErrorKind::truncated, 6);
  }
}

TEST_CASE("node ids beyond 2^32-1 are number_too_large at their first byte") {
  SUBCASE("just beyond 2^32-1") {
    check_rejected("0,4294967296/0,1", PromptErrorKind::number_too_large, 2);
  }
  SUBCASE("beyond 2^64") {
    check_rejected("0,1|1,18446744073709551617/0,1", PromptErrorKind::number_too_large, 6);
    check_rejected("123456789012345678901234567890,1/1,0", PromptErrorKind::number_too_large, 0);
  }
  SUBCASE("in the query") {
    check_rejected("0,1/4294967296,1", PromptErrorKind::number_too_large, 4);
    check_rejected("0,1/0,99999999999999999999", PromptErrorKind::number_too_large, 6);
  }
  SUBCASE("2^32-1 itself is a node") {
    const auto r = parse_prompt("0,4294967295/4294967295,0");
    REQUIRE(r.ok());
    CHECK(r->graph.label(1) == 4294967295u);
  }
  CHECK(prompt_error_kind_name(PromptErrorKind::number_too_large) == "number_too_large");
}

TEST_CASE("a self loop is rejected at its edge") {
  check_rejected("0,1|2,2/0,1", PromptErrorKind::self_loop, 4);
  check_rejected("3,3|0,1/0,1", PromptErrorKind::self_loop, 0);
  check_rejected("10,20|123,123/10,20", PromptErrorKind::self_loop, 6);
  CHECK(rejection("0,1|2,2/0,1").message == "self loop 2,2");
  check_rejected("0,1|2,2/0,1", PromptErrorKind::self_loop, 4, true);
}

TEST_CASE("a duplicate edge is rejected at its second occurrence") {
  SUBCASE("same orientation") {
    check_rejected("0,1|1,2|0,1/0,2", PromptErrorKind::duplicate_edge, 8);
    CHECK(rejection("0,1|1,2|0,1/0,2").message == "duplicate edge 0,1");
  }
  SUBCASE("reversed orientation") {
    check_rejected("0,1|1,2|1,0/0,2", PromptErrorKind::duplicate_edge, 8);
    CHECK(rejection("0,1|1,2|1,0/0,2").message == "duplicate edge 1,0");
    check_rejected("10,200|3,4|200,10/3,4", PromptErrorKind::duplicate_edge, 11);
  }
  SUBCASE("directed: the reversed arc is allowed, the same arc is not") {
    CHECK(parse_prompt("0,1|1,2|1,0/0,2", PromptOptions{true}).ok());
    check_rejected("0,1|1,2|0,1/0,2", PromptErrorKind::duplicate_edge, 8, true);
  }
  SUBCASE("the earliest defective edge is reported") {
    check_rejected("0,1|1,0|2,2/0,1", PromptErrorKind::duplicate_edge, 4);
    check_rejected("0,1|2,2|1,0/0,1", PromptErrorKind::self_loop, 4);
  }
}

TEST_CASE("query nodes must be nodes of the graph") {
  SUBCASE("an unknown source") {
    check_rejected("0,1|1,2/3,2", PromptErrorKind::unknown_query_node, 8);
    CHECK(rejection("0,1|1,2/3,2").message == "query source 3 is not a node of the graph");
  }
  SUBCASE("an unknown target") {
    check_rejected("0,1|1,2/0,3", PromptErrorKind::unknown_query_node, 10);
    check_rejected("10,20/10,200", PromptErrorKind::unknown_query_node, 9);
    CHECK(rejection("0,1|1,2/0,3").message == "query target 3 is not a node of the graph");
  }
  SUBCASE("both unknown: the source is reported") {
    check_rejected("0,1/5,6", PromptErrorKind::unknown_query_node, 4);
  }
  SUBCASE("an unknown node equal on both ends is unknown, not trivial") {
    check_rejected("0,1/7,7", PromptErrorKind::unknown_query_node, 4);
  }
}

TEST_CASE("a query from a node to itself is rejected") {
  check_rejected("0,1/1,1", PromptErrorKind::trivial_query, 4);
  check_rejected("0,1|1,25/25,25", PromptErrorKind::trivial_query, 9);
  CHECK(rejection("0,1/1,1").message == "query source and target are the same node 1");
}

TEST_CASE("the text must parse before the graph is checked") {
  // Decision of the parser: graph defects are looked for only in a well-formed prompt, so a
  // later lexical error wins over an earlier duplicate edge.
  check_rejected("0,1|0,1/0,x", PromptErrorKind::syntax, 10);
  check_rejected("0,1|0,1/0,4294967296", PromptErrorKind::number_too_large, 10);
  check_rejected("2,2/0", PromptErrorKind::truncated, 5);
}

TEST_CASE("error kinds have stable names") {
  CHECK(prompt_error_kind_name(PromptErrorKind::syntax) == "syntax");
  CHECK(prompt_error_kind_name(PromptErrorKind::truncated) == "truncated");
  CHECK(prompt_error_kind_name(PromptErrorKind::number_too_large) == "number_too_large");
  CHECK(prompt_error_kind_name(PromptErrorKind::self_loop) == "self_loop");
  CHECK(prompt_error_kind_name(PromptErrorKind::duplicate_edge) == "duplicate_edge");
  CHECK(prompt_error_kind_name(PromptErrorKind::unknown_query_node) == "unknown_query_node");
  CHECK(prompt_error_kind_name(PromptErrorKind::trivial_query) == "trivial_query");
}

TEST_CASE("parse_prompt returns a Result the caller must look at") {
  const auto bad = parse_prompt("0,1/1,1");
  CHECK_FALSE(bad.ok());
  CHECK(bad.error().kind == PromptErrorKind::trivial_query);
  CHECK_THROWS_WITH_AS(bad.value(), "query source and target are the same node 1", BadResultAccess);
  const auto good = parse_prompt(seed_prompt);
  CHECK(good.ok());
  CHECK_THROWS_AS(good.error(), BadResultAccess);
}

TEST_CASE("one PromptParser and one Prompt serve many prompts") {
  PromptParser parser;
  Prompt p;
  std::string big;
  for (int i = 0; i < 40; ++i)
    big += std::to_string(i) + "," + std::to_string(i + 1) + "|";
  big += "0,40/0,40";
  REQUIRE_FALSE(parser.parse(big, p).has_value());
  CHECK(p.graph.node_count() == 41u);
  CHECK(render_prompt(p) == big);

  REQUIRE_FALSE(parser.parse(seed_prompt, p).has_value());
  CHECK(p.graph.node_count() == 5u);
  CHECK(p.query == Query{0, 4});
  CHECK(render_prompt(p) == seed_prompt);

  const auto e = parser.parse("0,1|1,2|2,1/0,2", p);
  REQUIRE(e.has_value());
  CHECK(e->kind == PromptErrorKind::duplicate_edge);
  CHECK(e->offset == 8u);

  REQUIRE_FALSE(parser.parse("5,9/9,5", p, PromptOptions{true}).has_value());
  CHECK(p.graph.directed());
  CHECK(p.graph.node_count() == 2u);
  CHECK(p.query == Query{1, 0});
  CHECK(render_prompt(p) == "5,9/9,5");

  REQUIRE_FALSE(parser.parse(seed_prompt, p).has_value());
  CHECK_FALSE(p.graph.directed());
  CHECK(render_prompt(p) == seed_prompt);
}
