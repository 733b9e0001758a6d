// Random samples for the completion, cursor and classifier tests: small graphs of several
// shapes (random connected, tree, grid, path-star, dense, directed), random labels, a reachable
// query, and the reference trace under given options. Deliberately independent of family.hpp:
// these tests judge the classifier, not the samplers.
#pragma once

#include <searchtrace/prompt.hpp>
#include <searchtrace/random.hpp>
#include <searchtrace/render.hpp>
#include <searchtrace/search.hpp>
#include <searchtrace/tracer.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace searchtrace_test {

enum class Shape { connected, tree, grid, pathstar, dense, directed };

inline constexpr Shape all_shapes[] = {Shape::connected, Shape::tree,  Shape::grid,
                                       Shape::pathstar,  Shape::dense, Shape::directed};

inline const char* shape_name(Shape s) {
  constexpr const char* names[] = {"connected", "tree", "grid", "pathstar", "dense", "directed"};
  return names[static_cast<int>(s)];
}

/// One sample: the prompt, the options, the reference trace and its text.
struct RandomCase {
  Shape shape = Shape::connected;
  std::string prompt_text;
  searchtrace::Prompt prompt;
  searchtrace::SearchOptions options;
  searchtrace::Trace trace;
  std::string completion; // compact or pretty, at random
  searchtrace::Rendering rendering = searchtrace::Rendering::compact;
};

class SampleMaker {
public:
  explicit SampleMaker(std::uint64_t seed) : rng_(seed) {}

  searchtrace::Rng& rng() { return rng_; }

  /// Draws a sample of this shape under these options.
  void draw(Shape shape, const searchtrace::SearchOptions& o, RandomCase& out) {
    using namespace searchtrace;
    for (;;) {
      edges_.clear();
      std::uint32_t n = 0;
      std::uint32_t forced_source = ~0u, forced_target = ~0u;
      switch (shape) {
      case Shape::connected:
      case Shape::directed:
        n = static_cast<std::uint32_t>(rng_.between(3, 13));
        tree(n);
        extra(n, rng_.below(n + 1));
        break;
      case Shape::tree:
        n = static_cast<std::uint32_t>(rng_.between(2, 14));
        tree(n);
        break;
      case Shape::grid: {
        const auto w = static_cast<std::uint32_t>(rng_.between(2, 4));
        const auto h = static_cast<std::uint32_t>(rng_.between(2, 4));
        n = w * h;
        for (std::uint32_t y = 0; y < h; ++y)
          for (std::uint32_t x = 0; x < w; ++x) {
            if (x + 1 < w)
              edges_.push_back({y * w + x, y * w + x + 1});
            if (y + 1 < h)
              edges_.push_back({y * w + x, (y + 1) * w + x});
          }
        break;
      }
      case Shape::pathstar: {
        const auto degree = static_cast<std::uint32_t>(rng_.between(2, 4));
        const auto length = static_cast<std::uint32_t>(rng_.between(1, 3));
        n = 1 + degree * length;
        for (std::uint32_t a = 0; a < degree; ++a)
          for (std::uint32_t k = 0; k < length; ++k)
            edges_.push_back({k == 0 ? 0 : 1 + a * length + k - 1, 1 + a * length + k});
        forced_source = 0;
        forced_target = 1 + static_cast<std::uint32_t>(rng_.below(degree)) * length + length - 1;
        break;
      }
      case Shape::dense:
        n = static_cast<std::uint32_t>(rng_.between(4, 7));
        tree(n);
        for (std::uint32_t u = 0; u < n; ++u)
          for (std::uint32_t v = u + 1; v < n; ++v)
            if (!has(u, v) && rng_.chance(0.7))
              edges_.push_back({u, v});
        break;
      }
      const bool directed = shape == Shape::directed;
      if (directed)
        for (auto& e : edges_)
          if (rng_.chance(0.5))
            std::swap(e.first, e.second);
      // Query: a target reachable from the source.
      std::uint32_t s = forced_source, t = forced_target;
      if (s == ~0u) {
        s = static_cast<std::uint32_t>(rng_.below(n));
        reachable(n, s, directed);
        reach_.erase(std::remove(reach_.begin(), reach_.end(), s), reach_.end());
        if (reach_.empty())
          continue;
        t = reach_[rng_.below(reach_.size())];
      }
      // Labels: n distinct values of the label space, at random (sometimes beyond 9 digits'
      // worth of small numbers, so that multi-digit nodes are common).
      const std::uint32_t space = rng_.chance(0.2) ? 1000 : 50;
      labels_.clear();
      while (labels_.size() < n) {
        const auto l = static_cast<std::uint32_t>(rng_.below(space));
        if (std::find(labels_.begin(), labels_.end(), l) == labels_.end())
          labels_.push_back(l);
      }
      rng_.shuffle(edges_);
      std::string text;
      for (std::size_t i = 0; i < edges_.size(); ++i) {
        auto [a, b] = edges_[i];
        if (!directed && rng_.chance(0.5))
          std::swap(a, b);
        if (i > 0)
          text += '|';
        text += std::to_string(labels_[a]) + ',' + std::to_string(labels_[b]);
      }
      text += '/' + std::to_string(labels_[s]) + ',' + std::to_string(labels_[t]);
      auto parsed = parse_prompt(text, PromptOptions{directed});
      REQUIRE_MESSAGE(parsed.ok(), text);
      out.shape = shape;
      out.prompt_text = text;
      out.prompt = std::move(parsed).value();
      out.options = o;
      auto tr = trace(out.prompt, o);
      REQUIRE_MESSAGE(tr.ok(), text);
      out.trace = std::move(tr).value();
      out.rendering = rng_.chance(0.5) ? Rendering::pretty : Rendering::compact;
      out.completion = render_completion(out.trace, out.rendering);
      return;
    }
  }

  /// A shape at random.
  Shape any_shape() { return all_shapes[rng_.below(std::size(all_shapes))]; }

private:
  bool has(std::uint32_t u, std::uint32_t v) const {
    for (const auto& [a, b] : edges_)
      if ((a == u && b == v) || (a == v && b == u))
        return true;
    return false;
  }

  void tree(std::uint32_t n) {
    for (std::uint32_t v = 1; v < n; ++v)
      edges_.push_back({static_cast<std::uint32_t>(rng_.below(v)), v});
  }

  void extra(std::uint32_t n, std::uint64_t count) {
    for (std::uint64_t k = 0; k < count; ++k) {
      const auto u = static_cast<std::uint32_t>(rng_.below(n));
      const auto v = static_cast<std::uint32_t>(rng_.below(n));
      if (u != v && !has(u, v))
        edges_.push_back({u, v});
    }
  }

  void reachable(std::uint32_t n, std::uint32_t s, bool directed) {
    reach_.assign(1, s);
    std::vector<bool> seen(n, false);
    seen[s] = true;
    for (std::size_t i = 0; i < reach_.size(); ++i)
      for (const auto& [a, b] : edges_) {
        const std::uint32_t u = reach_[i];
        if (a == u && !seen[b]) {
          seen[b] = true;
          reach_.push_back(b);
        } else if (!directed && b == u && !seen[a]) {
          seen[a] = true;
          reach_.push_back(a);
        }
      }
  }

  searchtrace::Rng rng_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges_;
  std::vector<std::uint32_t> labels_;
  std::vector<std::uint32_t> reach_;
};

} // namespace searchtrace_test
