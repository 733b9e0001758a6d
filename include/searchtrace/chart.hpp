// Plain SVG charts, written by the library for the evaluation report (report.hpp): grouped bars
// (a rate per group per series, as the seed's table of exact match per family per model),
// stacked bars (shares that sum to 1, as the first-error categories of a cell) and lines (a rate
// against an integer, as accuracy against path length or graph size). Rates are in [0, 1] and
// drawn on a 0-100% axis; a missing value draws nothing. Every name is untrusted text and is
// escaped; each mark carries a <title> with its exact figure (a tooltip in browsers).
//
// Size: a chart draws at most `max_groups` groups (bars, x values) and `max_series` series and
// says how many it left out, so its size is bounded whatever the input.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "searchtrace/markup.hpp"

namespace searchtrace {

/// One series: a name and a value per group (or per x), nothing where undefined; `counts` (if
/// not empty) gives the number of samples behind each value, shown in the tooltips.
struct ChartSeries {
  std::string name;
  std::vector<std::optional<double>> values;
  std::vector<std::size_t> counts;
};

struct ChartLimits {
  std::size_t max_groups = 40;
  std::size_t max_series = 12;
};

/// The colour of series or segment i (a fixed palette, distinguishable and printable).
inline std::string_view chart_color(std::size_t i) noexcept {
  static constexpr std::array<std::string_view, 12> palette{
      "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
      "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"};
  return palette[i % palette.size()];
}

namespace detail {

inline void append_num(std::string& out, double x) {
  const long tenths = static_cast<long>(x * 10.0 + (x < 0 ? -0.5 : 0.5));
  if (tenths < 0)
    out += '-';
  const unsigned long a = static_cast<unsigned long>(tenths < 0 ? -tenths : tenths);
  out += std::to_string(a / 10);
  if (a % 10 != 0) {
    out += '.';
    out += static_cast<char>('0' + a % 10);
  }
}

inline void append_percent_text(std::string& out, double rate) {
  const long hundredths = static_cast<long>(rate * 10000.0 + 0.5);
  out += std::to_string(hundredths / 100);
  out += '.';
  const long frac = hundredths % 100;
  out += static_cast<char>('0' + frac / 10);
  out += static_cast<char>('0' + frac % 10);
  out += '%';
}

// A name cut to fit a label, escaped for SVG text.
inline void append_svg_name(std::string& out, std::string_view name, std::size_t max_chars) {
  std::string clean;
  append_clean_text_cut(clean, name, max_chars);
  append_html_escaped(out, clean);
}

inline void chart_open(std::string& out, std::string_view title, double width, double height) {
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"";
  append_num(out, width);
  out += "\" height=\"";
  append_num(out, height);
  out += "\" viewBox=\"0 0 ";
  append_num(out, width);
  out += ' ';
  append_num(out, height);
  out += "\" font-family=\"Helvetica,Arial,sans-serif\" font-size=\"11\" role=\"img\">"
         "<title>";
  append_svg_name(out, title, 200);
  out += "</title><text x=\"8\" y=\"16\" font-size=\"13\" font-weight=\"bold\">";
  append_svg_name(out, title, 120);
  out += "</text>";
}

// The y axis from 0 to 100% at x0, between y_top and y_bottom, with grid lines to x1.
inline void percent_axis(std::string& out, double x0, double x1, double y_top, double y_bottom) {
  for (int k = 0; k <= 4; ++k) {
    const double y = y_bottom - (y_bottom - y_top) * k / 4.0;
    out += "<line x1=\"";
    append_num(out, x0);
    out += "\" x2=\"";
    append_num(out, x1);
    out += "\" y1=\"";
    append_num(out, y);
    out += "\" y2=\"";
    append_num(out, y);
    out += k == 0 ? "\" stroke=\"#444\"/>" : "\" stroke=\"#e3e3e3\"/>";
    out += "<text x=\"";
    append_num(out, x0 - 4);
    out += "\" y=\"";
    append_num(out, y + 4);
    out += "\" text-anchor=\"end\">";
    out += std::to_string(25 * k);
    out += "%</text>";
  }
}

// The legend: a swatch and a name per entry, in rows, from y on; returns the height used.
inline double legend(std::string& out, const std::vector<std::string_view>& names, double x0,
                     double y, double width) {
  double x = x0, rows = 1;
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::string clean;
    append_clean_text_cut(clean, names[i], 40);
    const double w = 22 + 6.2 * static_cast<double>(clean.size());
    if (x + w > width && x > x0) {
      x = x0;
      y += 16;
      ++rows;
    }
    out += "<rect x=\"";
    append_num(out, x);
    out += "\" y=\"";
    append_num(out, y - 9);
    out += "\" width=\"10\" height=\"10\" fill=\"";
    out += chart_color(i);
    out += "\"/><text x=\"";
    append_num(out, x + 14);
    out += "\" y=\"";
    append_num(out, y);
    out += "\">";
    append_html_escaped(out, clean);
    out += "</text>";
    x += w;
  }
  return rows * 16;
}

inline void omitted_note(std::string& out, std::size_t shown, std::size_t total,
                         std::string_view what, double x, double y) {
  if (shown >= total)
    return;
  out += "<text x=\"";
  append_num(out, x);
  out += "\" y=\"";
  append_num(out, y);
  out += "\" fill=\"#a00\">(the first ";
  out += std::to_string(shown);
  out += " of ";
  out += std::to_string(total);
  out += ' ';
  out += what;
  out += ")</text>";
}

inline void tooltip(std::string& out, std::string_view series, std::string_view group, double value,
                    std::optional<std::size_t> count) {
  out += "<title>";
  std::string text;
  append_clean_text_cut(text, series, 80);
  text += ", ";
  append_clean_text_cut(text, group, 80);
  text += ": ";
  append_percent_text(text, value);
  if (count) {
    text += " of ";
    text += std::to_string(*count);
  }
  append_html_escaped(out, text);
  out += "</title>";
}

} // namespace detail

/// Grouped bars: for each group (e.g. a family), one bar per series (e.g. a model).
inline void append_bar_chart_svg(std::string& out, std::string_view title,
                                 const std::vector<std::string>& groups,
                                 const std::vector<ChartSeries>& series,
                                 const ChartLimits& limits = {}) {
  const std::size_t g = std::min(groups.size(), limits.max_groups);
  const std::size_t s = std::min(series.size(), limits.max_series);
  const double bar = 14, left = 48, top = 30, plot = 180;
  // Room under each group for its name (about 7 px a character, up to 10 characters).
  const double gap = std::max(14.0, 72.0 - static_cast<double>(s) * bar);
  const double width =
      std::max(420.0, left + 20 + static_cast<double>(g) * (static_cast<double>(s) * bar + gap));
  std::vector<std::string_view> names;
  for (std::size_t i = 0; i < s; ++i)
    names.push_back(series[i].name);
  std::string body;
  const double bottom = top + plot;
  detail::percent_axis(body, left, width - 10, top, bottom);
  for (std::size_t j = 0; j < g; ++j) {
    const double x0 =
        left + gap / 2 + static_cast<double>(j) * (static_cast<double>(s) * bar + gap);
    for (std::size_t i = 0; i < s; ++i) {
      const auto& v = j < series[i].values.size() ? series[i].values[j] : std::nullopt;
      if (!v)
        continue;
      const double h = plot * std::clamp(*v, 0.0, 1.0);
      body += "<rect x=\"";
      detail::append_num(body, x0 + static_cast<double>(i) * bar);
      body += "\" y=\"";
      detail::append_num(body, bottom - h);
      body += "\" width=\"";
      detail::append_num(body, bar - 1);
      body += "\" height=\"";
      detail::append_num(body, h);
      body += "\" fill=\"";
      body += chart_color(i);
      body += "\">";
      detail::tooltip(body, series[i].name, groups[j], *v,
                      j < series[i].counts.size() ? std::optional(series[i].counts[j])
                                                  : std::nullopt);
      body += "</rect>";
    }
    body += "<text x=\"";
    detail::append_num(body, x0 + static_cast<double>(s) * bar / 2);
    body += "\" y=\"";
    detail::append_num(body, bottom + 14);
    body += "\" text-anchor=\"middle\">";
    detail::append_svg_name(body, groups[j], 10);
    body += "</text>";
  }
  std::string foot;
  const double legend_h = detail::legend(foot, names, left, bottom + 36, width);
  detail::omitted_note(foot, g, groups.size(), "groups", left, bottom + 40 + legend_h);
  detail::omitted_note(foot, s, series.size(), "series", left, bottom + 56 + legend_h);
  detail::chart_open(out, title, width, bottom + 64 + legend_h);
  out += body;
  out += foot;
  out += "</svg>";
}

/// Stacked bars: one horizontal bar per row (e.g. a model on a family), its segments the shares
/// of each category (e.g. the first-error categories), which sum to 1; a row without shares is
/// drawn empty with "no data".
inline void append_stacked_bars_svg(std::string& out, std::string_view title,
                                    const std::vector<std::string>& rows,
                                    const std::vector<std::string_view>& segments,
                                    const std::vector<std::vector<double>>& shares,
                                    const std::vector<std::size_t>& counts = {},
                                    const ChartLimits& limits = {}) {
  const std::size_t n = std::min(rows.size(), limits.max_groups);
  const double left = 170, top = 30, row_h = 18, plot_w = 420;
  const double width = left + plot_w + 20;
  std::string body;
  for (std::size_t r = 0; r < n; ++r) {
    const double y = top + static_cast<double>(r) * row_h;
    body += "<text x=\"";
    detail::append_num(body, left - 6);
    body += "\" y=\"";
    detail::append_num(body, y + 12);
    body += "\" text-anchor=\"end\">";
    detail::append_svg_name(body, rows[r], 30);
    body += "</text>";
    if (r >= shares.size() || shares[r].empty()) {
      body += "<text x=\"";
      detail::append_num(body, left + 4);
      body += "\" y=\"";
      detail::append_num(body, y + 12);
      body += "\" fill=\"#888\">no data</text>";
      continue;
    }
    double x = left;
    for (std::size_t c = 0; c < shares[r].size() && c < segments.size(); ++c) {
      const double w = plot_w * std::clamp(shares[r][c], 0.0, 1.0);
      if (w <= 0)
        continue;
      body += "<rect x=\"";
      detail::append_num(body, x);
      body += "\" y=\"";
      detail::append_num(body, y + 2);
      body += "\" width=\"";
      detail::append_num(body, w);
      body += "\" height=\"";
      detail::append_num(body, row_h - 4);
      body += "\" fill=\"";
      body += chart_color(c);
      body += "\">";
      detail::tooltip(body, rows[r], segments[c], shares[r][c],
                      r < counts.size() ? std::optional(counts[r]) : std::nullopt);
      body += "</rect>";
      x += w;
    }
  }
  const double bottom = top + static_cast<double>(n) * row_h;
  for (int k = 0; k <= 4; ++k) {
    const double x = left + plot_w * k / 4.0;
    body += "<text x=\"";
    detail::append_num(body, x);
    body += "\" y=\"";
    detail::append_num(body, bottom + 14);
    body += "\" text-anchor=\"middle\">";
    body += std::to_string(25 * k);
    body += "%</text>";
  }
  std::string foot;
  const double legend_h = detail::legend(foot, segments, 8, bottom + 36, width);
  detail::omitted_note(foot, n, rows.size(), "rows", 8, bottom + 40 + legend_h);
  detail::chart_open(out, title, width, bottom + 50 + legend_h);
  out += body;
  out += foot;
  out += "</svg>";
}

/// Lines: for each series a rate at each x (e.g. exact match against path length), points joined
/// where consecutive x have values.
inline void append_line_chart_svg(std::string& out, std::string_view title,
                                  std::string_view x_label, const std::vector<std::uint64_t>& xs,
                                  const std::vector<ChartSeries>& series,
                                  const ChartLimits& limits = {}) {
  const std::size_t g = std::min(xs.size(), limits.max_groups);
  const std::size_t s = std::min(series.size(), limits.max_series);
  const double left = 48, top = 30, plot = 180;
  const double step = g > 1 ? std::max(24.0, 480.0 / static_cast<double>(g - 1)) : 0;
  const double width = std::max(440.0, left + 40 + static_cast<double>(g > 0 ? g - 1 : 0) * step);
  const double bottom = top + plot;
  const auto x_at = [&](std::size_t j) { return left + 20 + static_cast<double>(j) * step; };
  std::string body;
  detail::percent_axis(body, left, width - 10, top, bottom);
  for (std::size_t j = 0; j < g; ++j) {
    body += "<text x=\"";
    detail::append_num(body, x_at(j));
    body += "\" y=\"";
    detail::append_num(body, bottom + 14);
    body += "\" text-anchor=\"middle\">";
    body += std::to_string(xs[j]);
    body += "</text>";
  }
  body += "<text x=\"";
  detail::append_num(body, (left + width) / 2);
  body += "\" y=\"";
  detail::append_num(body, bottom + 30);
  body += "\" text-anchor=\"middle\" fill=\"#444\">";
  detail::append_svg_name(body, x_label, 60);
  body += "</text>";
  std::vector<std::string_view> names;
  for (std::size_t i = 0; i < s; ++i) {
    names.push_back(series[i].name);
    const auto& vals = series[i].values;
    std::string path;
    bool pen = false;
    for (std::size_t j = 0; j < g; ++j) {
      const auto& v = j < vals.size() ? vals[j] : std::nullopt;
      if (!v) {
        pen = false;
        continue;
      }
      path += pen ? 'L' : 'M';
      detail::append_num(path, x_at(j));
      path += ',';
      detail::append_num(path, bottom - plot * std::clamp(*v, 0.0, 1.0));
      pen = true;
    }
    if (!path.empty()) {
      body += "<path fill=\"none\" stroke-width=\"2\" stroke=\"";
      body += chart_color(i);
      body += "\" d=\"";
      body += path;
      body += "\"/>";
    }
    for (std::size_t j = 0; j < g; ++j) {
      const auto& v = j < vals.size() ? vals[j] : std::nullopt;
      if (!v)
        continue;
      body += "<circle r=\"3.5\" fill=\"";
      body += chart_color(i);
      body += "\" cx=\"";
      detail::append_num(body, x_at(j));
      body += "\" cy=\"";
      detail::append_num(body, bottom - plot * std::clamp(*v, 0.0, 1.0));
      body += "\">";
      detail::tooltip(body, series[i].name, std::string(x_label) + " " + std::to_string(xs[j]), *v,
                      j < series[i].counts.size() ? std::optional(series[i].counts[j])
                                                  : std::nullopt);
      body += "</circle>";
    }
  }
  std::string foot;
  const double legend_h = detail::legend(foot, names, left, bottom + 50, width);
  detail::omitted_note(foot, g, xs.size(), "values", left, bottom + 54 + legend_h);
  detail::omitted_note(foot, s, series.size(), "series", left, bottom + 70 + legend_h);
  detail::chart_open(out, title, width, bottom + 78 + legend_h);
  out += body;
  out += foot;
  out += "</svg>";
}

} // namespace searchtrace
