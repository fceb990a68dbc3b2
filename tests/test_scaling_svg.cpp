// The SVG line-plot writer the examples and the txmath tool share (examples/svg_plot.hpp).
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "../examples/svg_plot.hpp"

namespace svg = txmath::svg;

namespace {
std::size_t occurrences(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + what.size())) ++n;
  return n;
}
svg::plot two_series() {
  svg::plot p;
  p.title = "Loss <vs> compute & more";
  p.x = {.label = "C (FLOPs)"};
  p.y = {.label = "loss", .kind = svg::scale::linear};
  p.series.push_back({.name = "fit A", .points = {{1e18, 3.5}, {1e20, 2.6}, {1e22, 2.2}, {1e24, 1.9}}});
  p.series.push_back({.name = "fit \"B\"", .points = {{1e18, 3.4}, {0.0, 2.0}, {-5.0, 2.0}, {1e24, 2.0}},
                      .dashed = true, .markers = true});
  return p;
}
}  // namespace

TEST_CASE("an SVG document with one polyline per series, a legend and escaped text") {
  const std::string s = svg::render(two_series());
  CHECK(s.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(s.find("</svg>\n") == s.size() - 7);
  CHECK(occurrences(s, "<polyline") == 2);
  CHECK(occurrences(s, "stroke-dasharray") == 2);  // the dashed series and its legend sample
  CHECK(s.find("Loss &lt;vs&gt; compute &amp; more") != std::string::npos);
  CHECK(s.find("fit &quot;B&quot;") != std::string::npos);
  CHECK(s.find(">fit A</text>") != std::string::npos);
  // Decade ticks on the log x axis, 1e18 .. 1e24.
  for (const char* t : {">1e18<", ">1e20<", ">1e22<", ">1e24<"}) CHECK(s.find(t) != std::string::npos);
  // A log axis cannot show x <= 0: the second series keeps 2 of its 4 points (2 markers + 1 in the legend).
  CHECK(occurrences(s, "<circle") == 3);
  // Linear y ticks at "nice" values.
  CHECK(s.find(">2.5<") != std::string::npos);
}

TEST_CASE("axes: fixed ranges, short log ranges, tick labels") {
  CHECK(svg::detail::tick_label(1e21) == "1e21");
  CHECK(svg::detail::tick_label(2e-5) == "2e-5");
  CHECK(svg::detail::tick_label(0.5) == "0.5");
  CHECK(svg::detail::tick_label(2000) == "2000");
  // A log axis spanning less than a decade falls back to 1-2-5 ticks, then to linear ones.
  const auto m = svg::detail::map_axis({.kind = svg::scale::log, .min = 1.0, .max = 6.0}, 0, 0);
  CHECK(svg::detail::ticks(m) == std::vector<double>{1.0, 2.0, 5.0});
  const auto narrow = svg::detail::map_axis({.kind = svg::scale::log, .min = 1.8, .max = 3.6}, 0, 0);
  const auto t = svg::detail::ticks(narrow);
  REQUIRE(t.size() >= 3);
  CHECK(t.front() >= 1.8);
  CHECK(t.back() <= 3.6);
  // Many decades are thinned to at most 8 labels.
  const auto wide = svg::detail::map_axis({.kind = svg::scale::log, .min = 1e-10, .max = 1e30}, 0, 0);
  CHECK(svg::detail::ticks(wide).size() <= 8);
  // An empty plot still renders.
  CHECK(svg::render(svg::plot{}).find("</svg>") != std::string::npos);
}

TEST_CASE("save writes the file, and reports a path it cannot write") {
  const std::string path = "test_scaling_svg_out.svg";
  REQUIRE(svg::save(two_series(), path));
  std::ifstream f(path);
  std::stringstream buf;
  buf << f.rdbuf();
  CHECK(buf.str() == svg::render(two_series()));
  std::remove(path.c_str());
  CHECK_FALSE(svg::save(two_series(), "/nonexistent-directory/plot.svg"));
}
