#pragma once
// A small SVG line-plot writer for the examples: named series of (x, y) points on linear or
// logarithmic axes, with grid, ticks and a legend. Standard library only.
//
//   txmath::svg::plot p{.title = "Loss vs compute",
//                       .x = {.label = "FLOPs"}, .y = {.label = "loss"}};
//   p.series.push_back({.name = "fit A", .points = {{1e20, 2.5}, {1e22, 2.1}}});
//   txmath::svg::save(p, "plot.svg");
//
// Points that a log axis cannot show (x or y <= 0) and non-finite points are skipped.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace txmath::svg {

struct point {
  double x = 0;
  double y = 0;
};

struct series {
  std::string name{};
  std::vector<point> points{};
  std::string color{};  // any SVG colour; empty picks the next one of the palette
  bool dashed = false;
  bool line = true;     // join the points
  bool markers = false; // draw a dot at each point
};

enum class scale { linear, log };

struct axis {
  std::string label{};
  scale kind = scale::log;
  double min = 0;  // min == max (the default): fit the data
  double max = 0;
};

// Where the legend sits inside the plot area; `best` picks the place that covers the fewest
// data points.
enum class legend_at { best, top_right, top_left, bottom_right, bottom_left, middle_left, middle_right };

struct plot {
  std::string title{};
  legend_at legend = legend_at::best;
  axis x{};
  axis y{};
  std::vector<txmath::svg::series> series{};
  int width = 800;
  int height = 500;
};

namespace detail {

inline std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

inline std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// Tick label: 1e+21 -> "1e21", 0.5 -> "0.5", 2000 -> "2000".
inline std::string tick_label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  std::string s = buf;
  const auto e = s.find('e');
  if (e == std::string::npos) return s;
  std::string mant = s.substr(0, e), exp = s.substr(e + 1);
  const bool neg = !exp.empty() && exp[0] == '-';
  if (!exp.empty() && (exp[0] == '+' || exp[0] == '-')) exp.erase(0, 1);
  while (exp.size() > 1 && exp[0] == '0') exp.erase(0, 1);
  return mant + "e" + (neg ? "-" : "") + exp;
}

struct mapped_axis {
  scale kind;
  double lo, hi;  // in transformed units (log10 for log axes)
  double f(double v) const { return kind == scale::log ? std::log10(v) : v; }
  double t(double v) const { return (f(v) - lo) / (hi - lo); }  // 0..1
  bool shows(double v) const { return std::isfinite(v) && (kind == scale::linear || v > 0); }
};

inline mapped_axis map_axis(const axis& a, double data_min, double data_max) {
  mapped_axis m{a.kind, 0, 1};
  double lo = data_min, hi = data_max;
  if (a.min != a.max) lo = a.min, hi = a.max;
  if (!(lo <= hi)) lo = hi = (a.kind == scale::log ? 1.0 : 0.0);  // no data
  m.lo = m.f(lo);
  m.hi = m.f(hi);
  if (m.hi - m.lo < 1e-12) {  // a single value: open a window around it
    m.lo -= 0.5;
    m.hi += 0.5;
  } else if (a.min == a.max) {  // fitted to data: leave a margin
    const double pad = 0.04 * (m.hi - m.lo);
    m.lo -= pad;
    m.hi += pad;
  }
  return m;
}

// "Nice" linear ticks: steps of 1, 2 or 5 times a power of ten, about `want` of them.
inline std::vector<double> linear_ticks(double lo, double hi, int want) {
  std::vector<double> out;
  const double raw = (hi - lo) / want;
  if (!(raw > 0)) return out;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return out;
}

inline std::vector<double> ticks(const mapped_axis& m) {
  if (m.kind == scale::linear) return linear_ticks(m.lo, m.hi, 6);
  // Log axis: decades; 1-2-5 within decades when the range is short; linear when shorter.
  const double vlo = std::pow(10.0, m.lo), vhi = std::pow(10.0, m.hi);
  std::vector<double> out;
  for (const auto& mants : {std::vector<double>{1.0}, std::vector<double>{1.0, 2.0, 5.0}}) {
    out.clear();
    for (int e = static_cast<int>(std::floor(m.lo)); e <= static_cast<int>(std::ceil(m.hi)); ++e)
      for (double k : mants) {
        const double v = k * std::pow(10.0, e);
        if (v >= vlo * (1 - 1e-9) && v <= vhi * (1 + 1e-9)) out.push_back(v);
      }
    if (out.size() > 8 && mants.size() == 1) {  // many decades: label every few
      std::vector<double> thin;
      const std::size_t every = (out.size() + 7) / 8;
      for (std::size_t i = 0; i < out.size(); i += every) thin.push_back(out[i]);
      return thin;
    }
    if (out.size() >= 3) return out;
  }
  return linear_ticks(vlo, vhi, 5);
}

inline const char* palette(std::size_t i) {
  static const char* colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                 "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  return colors[i % (sizeof colors / sizeof colors[0])];
}

}  // namespace detail

// The plot as an SVG document.
inline std::string render(const plot& p) {
  const double W = p.width, H = p.height;
  const double left = 78, right = 20, top = p.title.empty() ? 20 : 44, bottom = 56;
  const double pw = W - left - right, ph = H - top - bottom;

  // Data range over the points each axis can show.
  const detail::mapped_axis probe_x{p.x.kind, 0, 1}, probe_y{p.y.kind, 0, 1};
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  for (const auto& s : p.series)
    for (const auto& pt : s.points)
      if (probe_x.shows(pt.x) && probe_y.shows(pt.y)) {
        xmin = std::min(xmin, pt.x), xmax = std::max(xmax, pt.x);
        ymin = std::min(ymin, pt.y), ymax = std::max(ymax, pt.y);
      }
  const auto mx = detail::map_axis(p.x, xmin, xmax);
  const auto my = detail::map_axis(p.y, ymin, ymax);
  auto X = [&](double v) { return left + mx.t(v) * pw; };
  auto Y = [&](double v) { return top + (1 - my.t(v)) * ph; };
  using detail::num;

  std::string o;
  o += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(W) + "\" height=\"" + num(H) +
       "\" viewBox=\"0 0 " + num(W) + " " + num(H) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  o += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  if (!p.title.empty())
    o += "<text x=\"" + num(W / 2) + "\" y=\"26\" text-anchor=\"middle\" font-size=\"15\">" +
         detail::escape(p.title) + "</text>\n";

  // Grid and ticks.
  for (double v : detail::ticks(mx)) {
    const double x = X(v);
    if (x < left - 0.5 || x > left + pw + 0.5) continue;
    o += "<line x1=\"" + num(x) + "\" y1=\"" + num(top) + "\" x2=\"" + num(x) + "\" y2=\"" + num(top + ph) +
         "\" stroke=\"#e0e0e0\"/>\n";
    o += "<text x=\"" + num(x) + "\" y=\"" + num(top + ph + 16) + "\" text-anchor=\"middle\">" +
         detail::tick_label(v) + "</text>\n";
  }
  for (double v : detail::ticks(my)) {
    const double y = Y(v);
    if (y < top - 0.5 || y > top + ph + 0.5) continue;
    o += "<line x1=\"" + num(left) + "\" y1=\"" + num(y) + "\" x2=\"" + num(left + pw) + "\" y2=\"" + num(y) +
         "\" stroke=\"#e0e0e0\"/>\n";
    o += "<text x=\"" + num(left - 6) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\">" +
         detail::tick_label(v) + "</text>\n";
  }
  o += "<rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(pw) + "\" height=\"" + num(ph) +
       "\" fill=\"none\" stroke=\"#333\"/>\n";
  o += "<text x=\"" + num(left + pw / 2) + "\" y=\"" + num(H - 14) + "\" text-anchor=\"middle\">" +
       detail::escape(p.x.label) + "</text>\n";
  o += "<text transform=\"translate(18 " + num(top + ph / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
       detail::escape(p.y.label) + "</text>\n";

  // Series, clipped to the plot area.
  o += "<clipPath id=\"plot-area\"><rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(pw) +
       "\" height=\"" + num(ph) + "\"/></clipPath>\n<g clip-path=\"url(#plot-area)\">\n";
  std::vector<std::string> colors;
  for (std::size_t i = 0; i < p.series.size(); ++i) {
    const auto& s = p.series[i];
    colors.push_back(s.color.empty() ? detail::palette(i) : s.color);
    std::string pts;
    for (const auto& pt : s.points)
      if (mx.shows(pt.x) && my.shows(pt.y)) pts += num(X(pt.x)) + "," + num(Y(pt.y)) + " ";
    if (s.line && !pts.empty())
      o += "<polyline fill=\"none\" stroke=\"" + colors.back() + "\" stroke-width=\"2\"" +
           (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + " points=\"" + pts + "\"/>\n";
    if (s.markers)
      for (const auto& pt : s.points)
        if (mx.shows(pt.x) && my.shows(pt.y))
          o += "<circle cx=\"" + num(X(pt.x)) + "\" cy=\"" + num(Y(pt.y)) + "\" r=\"3.5\" fill=\"" + colors.back() +
               "\"/>\n";
  }
  o += "</g>\n";

  // Legend, inside the plot where p.legend puts it.
  if (!p.series.empty()) {
    std::size_t longest = 0;
    for (const auto& s : p.series) longest = std::max(longest, s.name.size());
    const double lw = 44 + 6.8 * static_cast<double>(longest), lh = 8 + 18.0 * static_cast<double>(p.series.size());
    auto place = [&](legend_at where) {  // top-left corner of the legend box
      const bool at_left = where == legend_at::top_left || where == legend_at::bottom_left ||
                           where == legend_at::middle_left;
      const bool at_top = where == legend_at::top_right || where == legend_at::top_left;
      const bool at_middle = where == legend_at::middle_left || where == legend_at::middle_right;
      return std::pair{at_left ? left + 8 : left + pw - lw - 8,
                       at_top ? top + 8 : at_middle ? top + (ph - lh) / 2 : top + ph - lh - 8};
    };
    legend_at where = p.legend;
    if (where == legend_at::best) {
      std::size_t fewest = static_cast<std::size_t>(-1);
      for (legend_at c : {legend_at::top_right, legend_at::top_left, legend_at::bottom_right,
                          legend_at::bottom_left, legend_at::middle_right, legend_at::middle_left}) {
        const auto [x0, y0] = place(c);
        std::size_t covered = 0;
        for (const auto& sr : p.series)
          for (const auto& pt : sr.points)
            if (mx.shows(pt.x) && my.shows(pt.y) && X(pt.x) >= x0 - 4 && X(pt.x) <= x0 + lw + 4 &&
                Y(pt.y) >= y0 - 4 && Y(pt.y) <= y0 + lh + 4)
              ++covered;
        if (covered < fewest) fewest = covered, where = c;
      }
    }
    const auto [lx, ly] = place(where);
    o += "<rect x=\"" + num(lx) + "\" y=\"" + num(ly) + "\" width=\"" + num(lw) + "\" height=\"" + num(lh) +
         "\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#999\"/>\n";
    for (std::size_t i = 0; i < p.series.size(); ++i) {
      const auto& s = p.series[i];
      const double y = ly + 14 + 18.0 * static_cast<double>(i);
      if (s.line)
        o += "<line x1=\"" + num(lx + 8) + "\" y1=\"" + num(y - 4) + "\" x2=\"" + num(lx + 34) + "\" y2=\"" +
             num(y - 4) + "\" stroke=\"" + colors[i] + "\" stroke-width=\"2\"" +
             (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>\n";
      if (s.markers)
        o += "<circle cx=\"" + num(lx + 21) + "\" cy=\"" + num(y - 4) + "\" r=\"3.5\" fill=\"" + colors[i] + "\"/>\n";
      o += "<text x=\"" + num(lx + 40) + "\" y=\"" + num(y) + "\">" + detail::escape(s.name) + "</text>\n";
    }
  }
  o += "</svg>\n";
  return o;
}

// Writes the plot to `path`; false when the file cannot be written.
inline bool save(const plot& p, const std::string& path) {
  std::ofstream f(path, std::ios::binary);
  if (!f) return false;
  f << render(p);
  return static_cast<bool>(f);
}

}  // namespace txmath::svg
