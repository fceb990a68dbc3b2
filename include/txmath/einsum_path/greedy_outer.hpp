#pragma once
// greedy's last steps (greedy.hpp): the outer products of the tensors left when no pair shares
// a summed index, as opt_einsum's ssa_greedy_optimize ends.
#include <algorithm>
#include <cstdint>
#include <vector>

#include <txmath/einsum_path/problem.hpp>

namespace txmath {
namespace detail {

// A tensor left: its size over the output's indices, ssa id and indices.
template <class Cost, std::size_t W>
struct greedy_left {
  Cost size;
  std::uint32_t ssa;
  label_set<W> key;
};

// Joins `left` (two or more) by outer products, smallest first (ties: the larger ssa id first,
// as opt_einsum's heap of (size, ssa id)); each result takes the id `next` (then advanced).
template <class Cost, std::size_t W>
constexpr void greedy_outer_products(const path_problem<Cost, W>& p, const label_set<W>& output,
                                     std::vector<greedy_left<Cost, W>> fq, std::uint32_t& next, ssa_path& path) {
  using left = greedy_left<Cost, W>;
  const auto after = [](const left& a, const left& b) {
    if (b.size < a.size) return true;
    if (a.size < b.size) return false;
    return a.ssa > b.ssa;
  };
  std::make_heap(fq.begin(), fq.end(), after);
  std::pop_heap(fq.begin(), fq.end(), after);
  left a = fq.back();
  fq.pop_back();
  while (!fq.empty()) {
    std::pop_heap(fq.begin(), fq.end(), after);
    const left b = fq.back();
    fq.pop_back();
    path.push_back({std::min(a.ssa, b.ssa), std::max(a.ssa, b.ssa)});
    const label_set<W> k12 = (a.key | b.key) & output;
    left made{p.size_of(k12), next++, k12};
    if (!fq.empty() && after(made, fq.front())) {  // heappushpop
      std::pop_heap(fq.begin(), fq.end(), after);
      a = fq.back();
      fq.back() = made;
      std::push_heap(fq.begin(), fq.end(), after);
    } else {
      a = made;
    }
  }
}

}  // namespace detail
}  // namespace txmath
