#include <searchtrace/family.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "support.hpp"

using namespace searchtrace;
using searchtrace_test::family;

TEST_CASE("the seed's families parse, G<n>_<a>_<b> meaning connected(n, dist=a..b)") {
  for (const char* spec : {"G15_2_4", "G17_2_4", "G20_2_4", "G15_5_6", "G17_5_6", "G20_5_6"}) {
    const Family f = family(spec);
    CHECK(f.spec() == spec);
    CHECK(f.topology() == Topology::connected);
    CHECK_FALSE(f.directed());
    CHECK(f.label_space() == 50);
  }
  const Family g15 = family("G15_2_4");
  const FamilyParams& p = g15.params();
  CHECK(p.n == 15);
  CHECK(p.m == 22); // ⌊3n/2⌋
  CHECK(p.dist_min == 2);
  CHECK(p.dist_max == 4);
  CHECK(p.shuffle);
  CHECK(p.flip);
  CHECK(family("G15_2_4").min_nodes() == 15);
  CHECK(family("G15_2_4").max_nodes() == 15);
  // The long form is the same family, with the same canonical spec.
  CHECK(family("connected(n=15, dist=2..4)").spec() == "G15_2_4");
  CHECK(family("connected(n=15,dist=2..4)").params() == p);
}

TEST_CASE("spec syntax: keys, defaults, spaces and the canonical form") {
  CHECK(family("er(n=20,p=0.15,dist=3..5)").spec() == "er(n=20,p=0.15,dist=3..5)");
  CHECK(family(" er ( p = 0.150 , n=20 , dist=3..5 ) ").spec() == "er(n=20,p=0.15,dist=3..5)");
  CHECK(family("G15_2_4(L=100)").spec() == "G15_2_4(L=100)");
  CHECK(family("G15_2_4(L=50)").spec() == "G15_2_4");
  CHECK(family("G15_2_4()").spec() == "G15_2_4");
  CHECK(family("G15_2_4(m=22)").spec() == "G15_2_4");
  CHECK(family("G15_2_4(avgdeg=4)").params().m == 30);
  CHECK(family("G15_2_4(avgdeg=4)").spec() == "G15_2_4(m=30)");
  CHECK(family("connected(n=15)").spec() == "connected(n=15)");
  CHECK(family("connected(n=15)").params().dist_max == FamilyParams::unbounded);
  CHECK(family("tree(n=9,dist=3)").params().dist_min == 3);
  CHECK(family("tree(n=9,dist=3)").params().dist_max == 3);
  CHECK(family("tree(n=9,dist=3..3)").spec() == "tree(n=9,dist=3)");
  CHECK(family("grid(w=4,h=3)").spec() == "grid(w=4,h=3)");
  CHECK(family("grid(w=4,h=3)").params().connected);
  CHECK(family("grid(w=4,h=3,holes=2,connected=false)").spec() ==
        "grid(w=4,h=3,holes=2,connected=false)");
  CHECK(family("pathstar(length=4,degree=3)").spec() == "pathstar(degree=3,length=4)");
  CHECK(family("dag(layers=3,width=2)").directed());
  CHECK(family("dag(layers=3,width=2,directed=true)").spec() == "dag(layers=3,width=2)");
  CHECK(family("dag(layers=3,width=2,directed=false,p=0.25)").spec() ==
        "dag(layers=3,width=2,p=0.25,directed=false)");
  CHECK(family("G8_1_3(unique=true,maxdeg=5,shuffle=false,flip=false,directed=true)").spec() ==
        "G8_1_3(unique=true,maxdeg=5,directed=true,shuffle=false)");
  CHECK(family("G8_1_3(flip=false)").spec() == "G8_1_3(flip=false)");
  CHECK(family("G8_1_3(unique=1)").params().unique);
  CHECK(family("pathstar(degree=2,length=3)").max_distance() == 3);
  CHECK(family("er(n=20,p=1)").min_nodes() == 2);
  CHECK(family("er(n=20,p=1)").max_nodes() == 20);
  // A canonical spec parses to the same family.
  for (const char* spec : {"er(n=20,p=0.15,dist=3..5)", "G8_1_3(unique=true,maxdeg=5)",
                           "grid(w=5,h=3,holes=3,dist=2..5)", "dag(layers=5,width=2,p=0.3)",
                           "connected(n=12,m=30,directed=true)", "G15_2_4(L=1000,shuffle=false)",
                           "connected(n=9,dist=2..1024)"}) {
    const Family f = family(spec);
    CHECK(family(f.spec()).params() == f.params());
    CHECK(family(f.spec()).spec() == f.spec());
  }
}

TEST_CASE("describe names the topology, the query, the labels and the prompt order") {
  const std::string d = family("G15_2_4").describe();
  CHECK(d.find("15 nodes, 22 edges") != std::string::npos);
  CHECK(d.find("Prüfer") != std::string::npos);
  CHECK(d.find("distance 2..4") != std::string::npos);
  CHECK(d.find("0..49") != std::string::npos);
  CHECK(d.find("edges shuffled, endpoints in random order") != std::string::npos);
  CHECK(family("pathstar(degree=3,length=2)").describe().find("centre") != std::string::npos);
  CHECK(family("dag(layers=3,width=2)").describe().find("directed") != std::string::npos);
  CHECK(family("G9_1_2(unique=true,shuffle=false)").describe().find("unique shortest path") !=
        std::string::npos);
}

TEST_CASE("bad specs are errors naming the offending byte") {
  struct Bad {
    const char* spec;
    std::size_t offset;
    FamilyErrorKind kind;
    const char* message;
  };
  const Bad bad[] = {
      {"", 0, FamilyErrorKind::syntax, "empty family spec"},
      {"foo(n=3)", 0, FamilyErrorKind::unknown_name, "unknown family 'foo'"},
      {"G15_2", 5, FamilyErrorKind::unknown_name, "expected G<n>_<a>_<b>"},
      {"G15_2_4x", 7, FamilyErrorKind::unknown_name, "expected G<n>_<a>_<b>"},
      {"G15_4_2", 0, FamilyErrorKind::bad_value, "dist range 4..2 is reversed"},
      {"G15_0_2", 0, FamilyErrorKind::bad_value, "at least 1"},
      {"er(n=20,q=0.1)", 8, FamilyErrorKind::unknown_key, "unknown key 'q' for er"},
      {"er(n=20,p=0.1,w=3)", 14, FamilyErrorKind::unknown_key, "unknown key 'w' for er"},
      {"tree(n=5,connected=true)", 9, FamilyErrorKind::unknown_key, "connected by construction"},
      {"er(n=20,p)", 9, FamilyErrorKind::syntax, "expected '=' after 'p'"},
      {"er(n 20,p=0.1)", 5, FamilyErrorKind::syntax, "expected '=' after 'n'"},
      {"er(n=,p=0.1)", 5, FamilyErrorKind::syntax, "missing value for 'n'"},
      {"er(n=abc,p=0.1)", 5, FamilyErrorKind::bad_value, "bad value 'abc' for n"},
      {"er(n=20,p=1e-3)", 10, FamilyErrorKind::bad_value, "bad value '1e-3' for p"},
      {"er(n=20,p=-0.5)", 10, FamilyErrorKind::bad_value, "bad value '-0.5' for p"},
      {"er(n=20,p=1.5)", 10, FamilyErrorKind::bad_value, "p must be in (0, 1]"},
      {"er(n=20,p=0)", 10, FamilyErrorKind::bad_value, "p must be in (0, 1]"},
      {"er(n=20,p=0.1,unique=maybe)", 21, FamilyErrorKind::bad_value, "expected true or false"},
      {"er(n=20,p=0.1,dist=5..3)", 19, FamilyErrorKind::bad_value, "dist range 5..3 is reversed"},
      {"er(n=20,p=0.1,dist=a..3)", 19, FamilyErrorKind::bad_value, "expected a..b or a"},
      {"er(n=20,p=0.1,dist=0..3)", 19, FamilyErrorKind::bad_value, "at least 1"},
      {"er(n=20,n=21,p=0.1)", 8, FamilyErrorKind::duplicate_key, "given twice"},
      {"er(n=20)", 8, FamilyErrorKind::missing_key, "needs n, p; missing p"},
      {"er(n=20,p=0.1", 13, FamilyErrorKind::syntax, "ends before ')'"},
      {"er(n=20,p=0.1) x", 15, FamilyErrorKind::syntax, "unexpected text after ')'"},
      {"er(n=20;p=0.1)", 7, FamilyErrorKind::syntax, "expected ',' or ')'"},
      {"er[n=20]", 2, FamilyErrorKind::syntax, "expected '(' or the end"},
      {"G2000_2_4", 1, FamilyErrorKind::bad_value, "2000 nodes is more than the maximum of 1024"},
      {"tree(n=99999999999)", 7, FamilyErrorKind::bad_value, "too large"},
      {"grid(w=40,h=40)", 12, FamilyErrorKind::bad_value,
       "1600 nodes is more than the maximum of 1024"},
      {"G15_2_4(n=16)", 8, FamilyErrorKind::duplicate_key, "fixed by the name"},
      {"G15_2_4(dist=3)", 8, FamilyErrorKind::duplicate_key, "fixed by the name"},
      {"G15_2_4(L=10)", 10, FamilyErrorKind::infeasible,
       "L=10 labels cannot name 15 distinct nodes"},
      {"G15_2_4(L=2000000)", 10, FamilyErrorKind::bad_value, "more than the maximum"},
      {"G15_2_4(m=10)", 10, FamilyErrorKind::infeasible, "m=10 edges cannot connect 15 nodes"},
      {"G15_2_4(m=200)", 10, FamilyErrorKind::infeasible, "more than the 105 node pairs"},
      {"G15_2_4(m=20,avgdeg=3)", 13, FamilyErrorKind::duplicate_key, "give m or avgdeg, not both"},
      {"G15_2_4(mindeg=4)", 15, FamilyErrorKind::infeasible, "mindeg=4 needs at least 30 edges"},
      {"G15_2_4(maxdeg=2)", 15, FamilyErrorKind::infeasible, "maxdeg=2 allows at most 15 edges"},
      {"G15_2_4(mindeg=3,maxdeg=2,m=100)", 15, FamilyErrorKind::infeasible,
       "mindeg=3 is more than maxdeg=2"},
      {"tree(n=5,mindeg=2)", 16, FamilyErrorKind::infeasible, "mindeg must be at most 1"},
      {"grid(w=0,h=3)", 7, FamilyErrorKind::bad_value, "at least 1"},
      {"grid(w=2,h=1,holes=1)", 19, FamilyErrorKind::infeasible, "fewer than 2 nodes"},
      {"pathstar(degree=3)", 18, FamilyErrorKind::missing_key, "missing length"},
      {"pathstar(degree=3,length=4,dist=1..3)", 32, FamilyErrorKind::infeasible,
       "path-star query spans one arm"},
      {"dag(layers=1,width=3)", 11, FamilyErrorKind::bad_value, "at least 2 layers"},
      {"dag(layers=3,width=3,p=1.5)", 23, FamilyErrorKind::bad_value, "p must be in [0, 1]"},
  };
  for (const Bad& b : bad) {
    const std::string spec = b.spec;
    CAPTURE(spec);
    const auto r = parse_family(b.spec);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().offset == b.offset);
    CHECK(family_error_kind_name(r.error().kind) == family_error_kind_name(b.kind));
    CHECK_MESSAGE(r.error().message.find(b.message) != std::string::npos, r.error().message);
  }
}

TEST_CASE("a number spelt in hundreds of digits is shown short in messages and descriptions") {
  // The spec grammar has no exponent, so 1e308 is 309 digits; the canonical spec keeps them
  // (it must read back), a message or a description shows the shortest form.
  const std::string huge = "1" + std::string(308, '0');
  const auto er = parse_family("er(n=20,p=" + huge + ")");
  REQUIRE_FALSE(er.ok());
  CHECK(er.error().message == "p must be in (0, 1], got 1e+308");
  const auto dag = parse_family("dag(layers=3,width=3,p=" + huge + ")");
  REQUIRE_FALSE(dag.ok());
  CHECK(dag.error().message == "p must be in [0, 1], got 1e+308");
  const auto dense = parse_family("G15_2_4(avgdeg=" + huge + ")");
  REQUIRE_FALSE(dense.ok());
  CHECK(dense.error().message == "avgdeg 1e+308 is too large for n=15");
  const std::string tiny = "0." + std::string(322, '0') + "5";
  const Family sparse = family("er(n=20,p=" + tiny + ")");
  CHECK(sparse.spec().find(tiny) != std::string::npos);
  CHECK(sparse.describe().find("p=5e-323") != std::string::npos);
}

TEST_CASE("constraints that no graph of a family can meet are rejected at parse time") {
  const auto r = parse_family("G4_5_6");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().offset == 0);
  CHECK(r.error().message ==
        "dist=5..6 cannot be met: no shortest path of this family is longer than 3 (4 nodes)");
  const auto g = parse_family("grid(w=3,h=3,dist=5..9)");
  REQUIRE_FALSE(g.ok());
  CHECK(g.error().offset == 18);
  CHECK(g.error().message.find("longer than 4") != std::string::npos);
  const auto d = parse_family("dag(layers=3,width=4,dist=3)");
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().message.find("longer than 2") != std::string::npos);
  // Undirected, the layers no longer bound the distance.
  CHECK(parse_family("dag(layers=3,width=4,dist=3,directed=false)").ok());
  // Holes and orientations can make paths longer than the grid's extent.
  CHECK(parse_family("grid(w=3,h=3,holes=2,dist=5..6)").ok());
}
