#pragma once
// Greedy under a memory limit: opt_einsum's BranchBound(nbranch=1), the search path_optimizer::
// greedy runs where a memory limit is given (included by greedy.hpp).
#include <algorithm>
#include <optional>

#include <txmath/einsum_path/problem.hpp>

namespace txmath {
namespace detail {

template <class Cost, std::size_t W>
constexpr ssa_path branch1_ssa(const path_problem<Cost, W>& p, const Cost& limit) {
  std::vector<label_set<W>> in = p.in;
  std::vector<std::uint32_t> remaining;
  for (std::uint32_t i = 0; i < in.size(); ++i) remaining.push_back(i);
  const std::size_t n_labels = p.size.size();
  ssa_path path, best_path;
  Cost flops(0u), size(0u);
  std::optional<Cost> best_flops, best_size;
  std::vector<std::optional<Cost>> best_progress(2 * in.size() + 2);

  auto better = [&](const Cost& f, const Cost& s) {
    if (!best_flops) return true;
    if (f < *best_flops) return true;
    if (*best_flops < f) return false;
    return !best_size || s < *best_size;
  };
  struct cand {
    signed_cost<Cost> cost;
    Cost flops12, new_flops, new_size;
    std::uint32_t i, j;
    label_set<W> k12;
  };
  auto cand_less = [](const cand& a, const cand& b) {
    if (a.cost < b.cost) return true;
    if (b.cost < a.cost) return false;
    if (a.flops12 != b.flops12) return a.flops12 < b.flops12;
    if (a.new_flops != b.new_flops) return a.new_flops < b.new_flops;
    if (a.new_size != b.new_size) return a.new_size < b.new_size;
    if (a.i != b.i) return a.i < b.i;
    return a.j < b.j;
  };
  std::vector<std::uint32_t> refs(n_labels, 0);
  while (true) {
    if (remaining.size() == 1) {
      best_flops = flops;
      best_size = size;
      best_path = path;
      break;
    }
    std::fill(refs.begin(), refs.end(), 0u);
    for (auto r : remaining) in[r].for_each([&](std::uint32_t d) { ++refs[d]; });
    std::optional<cand> chosen;
    auto assess = [&](std::uint32_t i, std::uint32_t j) {
      const label_set<W>& k1 = in[i];
      const label_set<W>& k2 = in[j];
      const label_set<W> either = k1 | k2, shared = k1 & k2;
      label_set<W> k12;
      bool inner = false;
      either.for_each([&](std::uint32_t d) {
        const bool keep = p.out.test(d) || refs[d] > (k1.test(d) ? 1u : 0u) + (k2.test(d) ? 1u : 0u);
        if (keep) k12.set(d);
        else if (shared.test(d)) inner = true;
      });
      const Cost flops12 = flop_count(p.size_of(either), 2, inner);
      const Cost size12 = p.size_of(k12);
      const Cost new_flops = flops + flops12;
      const Cost new_size = size < size12 ? size12 : size;
      if (!better(new_flops, new_size)) return;
      auto& bp = best_progress[in.size()];
      if (!bp || new_flops < *bp) bp = new_flops;
      else if (*bp * Cost(4u) < new_flops) return;
      if (limit < size12) {  // too big: end the path with one step over all that remains
        label_set<W> all;
        for (auto r : remaining) all = all | in[r];
        const Cost f = flops + flop_count(p.size_of(all), remaining.size(), (all - p.out).any());
        if (!best_flops || f < *best_flops) {
          best_flops = f;
          best_path = path;
          best_path.push_back(remaining);
        }
        return;
      }
      cand c{signed_cost<Cost>::diff(size12, p.size_of(k1) + p.size_of(k2)), flops12, new_flops, new_size, i, j, k12};
      if (!chosen || cand_less(c, *chosen)) chosen = c;
    };
    for (std::size_t a = 0; a < remaining.size(); ++a)
      for (std::size_t b = a + 1; b < remaining.size(); ++b)
        if (in[remaining[a]].intersects(in[remaining[b]])) assess(remaining[a], remaining[b]);
    if (!chosen)  // only outer products left
      for (std::size_t a = 0; a < remaining.size(); ++a)
        for (std::size_t b = a + 1; b < remaining.size(); ++b) assess(remaining[a], remaining[b]);
    if (!chosen) break;
    path.push_back({chosen->i, chosen->j});
    remaining.erase(std::find(remaining.begin(), remaining.end(), chosen->i));
    remaining.erase(std::find(remaining.begin(), remaining.end(), chosen->j));
    remaining.push_back(static_cast<std::uint32_t>(in.size()));
    in.push_back(chosen->k12);
    flops = chosen->new_flops;
    size = chosen->new_size;
  }
  return best_path;
}

}  // namespace detail
}  // namespace txmath
