#include <searchtrace/chart.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace searchtrace;

namespace {

std::size_t count(const std::string& s, std::string_view what) {
  std::size_t k = 0;
  for (std::size_t at = 0; (at = s.find(what, at)) != std::string::npos; at += what.size())
    ++k;
  return k;
}

const std::string hostile = "<script>alert(1)</script>\"' ]]> --> \xff";

} // namespace

TEST_CASE("chart: grouped bars, one per series and group, as tall as the rate") {
  std::vector<ChartSeries> series{{"3x4", {0.5, 1.0, std::nullopt}, {4, 2, 0}},
                                  {hostile, {0.25, 0.0, 1.0}, {}}};
  std::string out;
  append_bar_chart_svg(out, "Exact match", {"G15_2_4", "G20_5_6", hostile}, series);
  CHECK(out.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\"", 0) == 0);
  CHECK(out.substr(out.size() - 6) == "</svg>");
  // Five values, five bars (plus the two legend swatches); the plot is 180 high.
  CHECK(count(out, "<rect ") == 5 + 2);
  CHECK(out.find("height=\"90\" fill=\"#1f77b4\"><title>3x4, G15_2_4: 50.00% of 4</title>") !=
        std::string::npos);
  CHECK(out.find("height=\"180\" fill=\"#ff7f0e\">") != std::string::npos);
  CHECK(out.find("<script") == std::string::npos);
  CHECK(out.find("&lt;script&gt;") != std::string::npos);
  CHECK(out.find('\xff') == std::string::npos);
}

TEST_CASE("chart: a chart stays bounded however many groups and series") {
  std::vector<std::string> groups;
  ChartSeries one{"m", {}, {}};
  for (int i = 0; i < 1000; ++i) {
    groups.push_back("family " + std::to_string(i));
    one.values.push_back(0.5);
  }
  std::vector<ChartSeries> series(100, one);
  std::string out;
  append_bar_chart_svg(out, "t", groups, series);
  CHECK(count(out, "<rect ") == 40 * 12 + 12);
  CHECK(out.find("(the first 40 of 1000 groups)") != std::string::npos);
  CHECK(out.find("(the first 12 of 100 series)") != std::string::npos);
  CHECK(out.size() < 200000);
}

TEST_CASE("chart: stacked bars split a row by its shares") {
  std::string out;
  append_stacked_bars_svg(out, "First errors", {"3x4 / G15_2_4", "6x8 / G15_2_4"},
                          {"format", "neighbors", "queue"}, {{0.5, 0.25, 0.25}, {}}, {4, 0});
  CHECK(out.find("width=\"210\" height=\"14\" fill=\"#1f77b4\"><title>3x4 / G15_2_4, format: "
                 "50.00% of 4</title>") != std::string::npos);
  CHECK(out.find("width=\"105\" height=\"14\" fill=\"#2ca02c\">") != std::string::npos);
  CHECK(out.find("no data") != std::string::npos);
}

TEST_CASE("chart: lines join the points of consecutive values") {
  std::string out;
  append_line_chart_svg(out, "Exact match by path length", "path length", {2, 3, 4, 5},
                        {{"3x4", {1.0, 0.5, std::nullopt, 0.0}, {3, 2, 0, 1}}});
  CHECK(count(out, "<circle ") == 3);
  // Two pieces: 2-3, then 5 alone (a move, no line).
  CHECK(out.find("d=\"M68,30L228,120M548,210\"") != std::string::npos);
  CHECK(out.find("<title>3x4, path length 5: 0.00% of 1</title>") != std::string::npos);
}
