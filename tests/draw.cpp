#include <searchtrace/draw.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include <searchtrace/dataset.hpp>
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
  CHECK(to_mermaid(p, judged) == std::string(seed_flowchart) + "%% verdict: valid (exact)\n");
}

TEST_CASE("draw: Mermaid of a directed graph writes each arc as given, grouped by its tail") {
  const Prompt p = prompt_of("2,1|0,2|1,3|0,1/0,3", true);
  CHECK(to_mermaid(p, picture_search(p)) == R"(flowchart TD
%% --- Graph Structure ---
subgraph Graph["Graph Input: 2,1 | 0,2 | 1,3 | 0,1"]
0((0)) ---> 2((2))
0((0)) ===> 1((1))
1((1)) ===> 3((3))
2((2)) ---> 1((1))
end
%% --- Final Path Highlight ---
)");
}

TEST_CASE("draw: Mermaid of a model's answer: its path, invented steps after the path comment") {
  const Prompt p = prompt_of("1,3|2,4|1,2|0,1|0,2|3,4/0,4");
  const SearchPicture pic = picture_completion(p, "<0,(1,2),1,(2,3),2,(4)-4,1,0>=0,1,4");
  PictureCaption caption;
  caption.model = "6x8";
  caption.family = "G15_2_4";
  const std::string m = to_mermaid(p, pic, caption);
  CHECK(m.find("0((0)) ===> 1((1))\n") != std::string::npos);
  CHECK(m.find("0((0)) ---> 2((2))\n") != std::string::npos);
  CHECK(m.find("end\n%% --- Final Path Highlight ---\n1((1)) -.-> 4((4))\n%% model: 6x8\n"
               "%% family: G15_2_4\n%% verdict: ") != std::string::npos);
}

TEST_CASE("draw: DOT draws the state, the errors and a legend") {
  const Prompt p = prompt_of("1,3|2,4|1,2|0,1|0,2|3,4/0,4");
  const std::string ref = to_dot(p, picture_search(p));
  CHECK(ref.rfind("digraph searchtrace {\n", 0) == 0);
  CHECK(ref.find("n0 [id=\"n0\", label=\"0\\n#1\"") != std::string::npos);
  CHECK(ref.find("n3 [id=\"n3\", label=\"3\\nq1\"") != std::string::npos);
  CHECK(ref.find("n4 [id=\"n4\", label=\"4\\nq2\", shape=doublecircle") != std::string::npos);
  CHECK(ref.find("n0 -> n2 [id=\"e0_2\", dir=forward, color=\"#1f78b4\"") != std::string::npos);
  CHECK(ref.find("n0 -> n1 [id=\"e0_1\", dir=forward, color=\"black\"") != std::string::npos);
  CHECK(ref.find("n1 -> n2 [id=\"e1_2\", dir=none]") != std::string::npos);
  CHECK(ref.find("legend [shape=plaintext") != std::string::npos);
  CHECK(ref.find("class=\"late") == std::string::npos);

  const std::string bad = to_dot(p, picture_completion(p, "<0,(1,2,3),2,(1,4)-4,2,0>=0,2,4"));
  CHECK(bad.find("n0 -> n3 [id=\"x0_3\", class=\"late invented\", constraint=false, "
                 "style=dashed, color=\"#e31a1c\"") != std::string::npos);
  CHECK(bad.find("n2 [id=\"n2\", label=\"2\\n#2\", fillcolor=\"#c6dbef\", color=\"#e31a1c\", "
                 "penwidth=3") != std::string::npos);
  CHECK(bad.find("frontier_order: expanded 2 while 1 is at the front of the queue") !=
        std::string::npos);

  const std::string plain =
      to_dot(p, picture_completion(p, "<0,(1,2,9)"), {}, DotOptions{DotStyle::plain});
  CHECK(
      plain.find("n5 [id=\"n5\", label=\"9\", shape=box, style=dashed, class=\"late phantom\"]") !=
      std::string::npos);
  CHECK(plain.find("legend") == std::string::npos);
  CHECK(plain.find("fillcolor") == std::string::npos);
}

namespace {

// Runs `dot -Tsvg` on the text; returns its exit status and what it wrote to stderr, or nothing
// when Graphviz is not installed.
struct DotRun {
  int status = 0;
  std::string errors;
  std::string svg;
};

std::optional<DotRun> run_dot(const std::string& text) {
  if (std::system("command -v dot >/dev/null 2>&1") != 0)
    return std::nullopt;
  const auto dir =
      std::filesystem::temp_directory_path() / ("searchtrace_draw_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto in = dir / "in.dot", out = dir / "out.svg", err = dir / "err.txt";
  std::ofstream(in, std::ios::binary) << text;
  const std::string cmd =
      "dot -Tsvg '" + in.string() + "' -o '" + out.string() + "' 2>'" + err.string() + "'";
  DotRun r;
  r.status = std::system(cmd.c_str());
  const auto slurp = [](const std::filesystem::path& f) {
    std::ifstream s(f, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(s), {});
  };
  r.errors = slurp(err);
  r.svg = slurp(out);
  std::filesystem::remove_all(dir);
  return r;
}

// Damaged copies of a correct completion: a list with an invented node and a number that is no
// node, the first two expansions swapped, the text cut in half, a wrong answer.
std::vector<std::string> damaged(const Prompt& p, const std::string& good) {
  std::vector<std::string> out;
  const std::size_t open = good.find('(');
  // A label of the graph that is not a neighbour of the source.
  std::string stranger;
  for (NodeId v = 0; v < p.graph.node_count(); ++v)
    if (v != p.query.source && !p.graph.adjacent(p.query.source, v)) {
      stranger = std::to_string(p.graph.label(v));
      break;
    }
  if (!stranger.empty())
    out.push_back(good.substr(0, open + 1) + stranger + "," + good.substr(open + 1));
  out.push_back(good.substr(0, open + 1) + "999," + good.substr(open + 1));
  out.push_back(good.substr(0, good.size() / 2));
  const std::size_t eq = good.find('=');
  out.push_back(good.substr(0, eq + 1) + std::to_string(p.graph.label(p.query.source)) + "," +
                std::to_string(p.graph.label(p.query.target)));
  const std::size_t second = good.find("),");
  if (second != std::string::npos) {
    const std::size_t third = good.find("),", second + 2);
    if (third != std::string::npos)
      out.push_back(good.substr(0, open - 2) + good.substr(second + 2, third + 1 - second - 2) +
                    "," + good.substr(open - 2, second + 1 - (open - 2)) + good.substr(third + 1));
  }
  return out;
}

} // namespace

TEST_CASE("draw: DOT renders with dot -Tsvg without a warning, for every family") {
  if (!run_dot("digraph { a }")) {
    MESSAGE("skipped: Graphviz (dot) is not installed");
    return;
  }
  const char* families[] = {"G15_2_4",
                            "G20_5_6",
                            "er(n=20,p=0.15,dist=3..5)",
                            "tree(n=15)",
                            "grid(w=5,h=4,dist=4..6)",
                            "pathstar(degree=5,length=4)",
                            "dag(layers=5,width=3)",
                            "G15_2_4(directed=true)"};
  for (const char* spec : families) {
    for (const Algorithm algo : {Algorithm::bfs, Algorithm::dfs}) {
      DatasetOptions o;
      o.family_spec = spec;
      o.seed = 3;
      o.search.algorithm = algo;
      auto gen = Generator::create(o);
      REQUIRE_MESSAGE(gen, spec);
      Sample s;
      REQUIRE(!gen->generate(0, s));
      const std::string good(s.completion_text());
      std::vector<std::string> texts = damaged(s.prompt, good);
      texts.push_back(good);
      std::string all;
      // One run of dot per sample and style; the reference first.
      for (const DotStyle style : {DotStyle::state, DotStyle::plain}) {
        DotOptions d;
        d.style = style;
        const auto ref = run_dot(to_dot(s.prompt, picture_search(s.prompt, o.search), {}, d));
        CHECK_MESSAGE(ref->status == 0, spec);
        CHECK_MESSAGE(ref->errors.empty(), spec, ": ", ref->errors);
        for (const std::string& t : texts) {
          PictureCaption c;
          c.completion = t;
          const auto r = run_dot(to_dot(s.prompt, picture_completion(s.prompt, t, o.search), c, d));
          CHECK_MESSAGE(r->status == 0, spec, " ", t);
          CHECK_MESSAGE(r->errors.empty(), spec, " ", t, ": ", r->errors);
        }
      }
    }
  }
}

TEST_CASE("draw: hostile names and completions still give DOT and Mermaid that parse") {
  const Prompt p = prompt_of("1,3|2,4|1,2|0,1|0,2|3,4/0,4");
  const std::string hostile = "<script>alert(1)</script>\"' ]]> --> \\N \\\" \n%% end\n"
                              "\x01\xff\xc3(\xed\xa0\x80";
  const std::string completion = "<0,(1,2)," + hostile + "1,(2)";
  PictureCaption c;
  c.model = hostile;
  c.family = hostile;
  c.origin = hostile;
  c.completion = completion;
  const SearchPicture pic = picture_completion(p, completion);
  // Mermaid: every line is one the writer makes; the hostile text only inside comments.
  const std::string m = to_mermaid(p, pic, c);
  std::size_t comments = 0;
  for (std::size_t at = 0; at < m.size();) {
    const std::size_t nl = m.find('\n', at);
    REQUIRE(nl != std::string::npos);
    const std::string line = m.substr(at, nl - at);
    at = nl + 1;
    if (line.rfind("%% ", 0) == 0) {
      ++comments;
      continue;
    }
    const bool known = line == "flowchart TD" || line == "end" ||
                       line.rfind("subgraph Graph[\"Graph Input: ", 0) == 0 ||
                       line.find("((") != std::string::npos;
    CHECK_MESSAGE(known, line);
    CHECK(line.find('<') == std::string::npos);
  }
  CHECK(comments == 2 + 4); // the two of the seed, model, family, origin, verdict
  const auto r = run_dot(to_dot(p, pic, c));
  if (!r) {
    MESSAGE("skipped the Graphviz half: dot is not installed");
    return;
  }
  CHECK(r->status == 0);
  CHECK_MESSAGE(r->errors.empty(), r->errors);
  CHECK(r->svg.find("<script") == std::string::npos);
  CHECK(r->svg.find("&lt;script&gt;") != std::string::npos);
}
