#pragma once
// dp: opt_einsum's DynamicProgramming over connected subsets, with cost capping and a work
// budget. Indices on one input only are summed first (one-operand steps); each group of tensors
// connected by summed indices is searched alone (dp_search; dp_small_group for at most 10
// tensors); the groups' results are joined by outer products, smallest first.
#include <txmath/einsum_path/dp_caps.hpp>
#include <txmath/einsum_path/dp_objective.hpp>
#include <txmath/einsum_path/dp_search.hpp>
#include <txmath/einsum_path/dp_small.hpp>
#include <txmath/einsum_path/tree.hpp>

namespace txmath {
namespace detail {

// The inputs after their one-operand reductions, as tree leaves.
template <std::size_t W>
struct dp_leaves {
  small_vector<label_set<W>, 8> inputs;  // the inputs that keep an index
  small_vector<int, 8> node;             // the tree node of each
  small_vector<int, 8> scalars;          // the tree nodes of the inputs reduced to scalars
};
template <class Cost, std::size_t W>
constexpr dp_leaves<W> dp_reduce_inputs(const path_problem<Cost, W>& p, contraction_tree& tree) {
  label_set<W> once = p.out, twice;  // on at least one / two of the inputs and the output
  for (const auto& s : p.in) {
    twice = twice | (once & s);
    once = once | s;
  }
  const label_set<W> single = once - twice;
  dp_leaves<W> r;
  r.inputs.reserve(p.in.size());
  r.node.reserve(p.in.size());
  for (std::uint32_t j = 0; j < p.in.size(); ++j) {
    const label_set<W> reduced = p.in[j] - single;
    if (!reduced.any() && p.in[j].any()) {
      r.scalars.push_back(tree.leaf(j, true));
    } else {
      r.inputs.push_back(reduced);
      r.node.push_back(tree.leaf(j, !(reduced == p.in[j])));
    }
  }
  return r;
}

// The groups of inputs joined by summed indices, in opt_einsum's order (each ascending); with
// search_outer, one group of every input. (In place up to 8 inputs, as the lists below.)
using dp_group_list = small_vector<small_vector<std::uint32_t, 8>, 4>;
template <std::size_t W>
constexpr dp_group_list dp_groups(std::span<const label_set<W>> inputs, const label_set<W>& out, bool search_outer) {
  const auto n = static_cast<std::uint32_t>(inputs.size());
  dp_group_list groups;
  if (search_outer) {
    groups.assign(1, {});
    for (std::uint32_t j = 0; j < n; ++j) groups[0].push_back(j);
    return groups;
  }
  label_set<W> all;
  for (const auto& s : inputs) all = all | s;
  const label_set<W> summed = all - out;
  small_vector<unsigned char, 16> unused(n, 1);
  for (std::uint32_t first = 0; first < n; ++first) {
    if (!unused[first]) continue;
    unused[first] = 0;
    small_vector<std::uint32_t, 8> g, todo{first};
    while (!todo.empty()) {
      const std::uint32_t j = todo.back();
      todo.pop_back();
      g.push_back(j);
      const label_set<W> tmp = summed & inputs[j];
      for (std::uint32_t k = 0; k < n; ++k)
        if (unused[k] && tmp.intersects(inputs[k])) {
          unused[k] = 0;
          todo.push_back(k);
        }
    }
    std::sort(g.begin(), g.end());
    groups.push_back(std::move(g));
  }
  return groups;
}

// A bound of every tree's cost under `minimize` (held at the largest count where it overflows,
// as the caps): the product of all sizes, times the inputs, times 2 factor for combo/limit.
template <class Cost, std::size_t W>
constexpr Cost dp_naive(const path_problem<Cost, W>& p, std::size_t n_inputs, dp_minimize minimize,
                        unsigned combo_factor) {
  figure<Cost> naive{Cost(1u)};
  for (const auto& s : p.size) naive.mul(s);
  naive.mul(Cost(static_cast<unsigned>(n_inputs)));
  if (minimize == dp_minimize::combo || minimize == dp_minimize::limit) {
    naive.mul(Cost(combo_factor == 0 ? 1u : combo_factor));
    naive.add(naive);  // x (factor + 1) <= x 2 factor, and factor + 1 may not fit an unsigned
  }
  return naive.value;
}

// A searched group: its tree's root and the size of its result (root -1: dp gave up).
template <class Cost>
struct dp_part {
  int root = -1;
  Cost size{};
};

// A group of at most 10 tensors under the exact FLOPs: arrays indexed by subset, sized to it.
template <class Cost, std::size_t W, std::size_t S>
constexpr dp_part<Cost> dp_small_part(const dp_group<Cost, W>& grp, const dp_settings<Cost>& set,
                                      contraction_tree& tree) {
  const auto r = dp_small_group<Cost, W, S>(grp.p, grp.inputs, grp.g, set.limit, set.capped, set.search_outer, set.naive);
  const int root = tree.add_split((std::uint64_t{1} << grp.g.size()) - 1, [&](std::uint64_t s) { return r.split[s]; },
                                  [&](std::size_t k) { return grp.node[grp.g[k]]; });
  return {root, grp.p.size_of(r.legs)};
}

template <class Cost, std::size_t W, class Objective>
constexpr dp_part<Cost> dp_search_part(const dp_group<Cost, W>& grp, const dp_settings<Cost>& set, Objective obj,
                                       contraction_tree& tree, dp_work& work) {
  const std::size_t m_g = grp.g.size();
  if (m_g > 64) {
    work.stop_at(dp_work::stop::group_too_large, m_g, 0);
    return {};
  }
  // A group of one or two tensors has one tree: it is taken without a search's arrays (which
  // were a quarter of dp on four-operand Hadamard pairs, `ab,ab,cd,cd->`). (Under a memory
  // limit a pair goes to the search, which refuses it when over.)
  if (m_g == 1) return {grp.node[grp.g[0]], grp.p.size_of(grp.inputs[grp.g[0]])};
  if (m_g == 2 && !set.limit) {
    const label_set<W>& a = grp.inputs[grp.g[0]];
    const label_set<W>& b = grp.inputs[grp.g[1]];
    return {tree.join(grp.node[grp.g[0]], grp.node[grp.g[1]]), grp.p.size_of((a | b) - ((a & b) - grp.p.out))};
  }
  if constexpr (std::is_same_v<Objective, dp_exact_flops>)
    if (W <= 4 && m_g <= 10) {
      if (m_g <= 4) return dp_small_part<Cost, W, 16>(grp, set, tree);
      if (m_g <= 6) return dp_small_part<Cost, W, 64>(grp, set, tree);
      if (m_g <= 8) return dp_small_part<Cost, W, 256>(grp, set, tree);
      return dp_small_part<Cost, W, 1024>(grp, set, tree);
    }
  dp_search<Cost, W, Objective> search(grp, set, obj, tree, work);
  const int root = search.run();
  if (root < 0) return {};
  return {root, search.result_size()};
}

// Joins the parts by outer products, smallest first (stable, as Python's sorted); the root.
template <class Cost>
constexpr int dp_join_parts(small_vector<dp_part<Cost>, 8> parts, contraction_tree& tree) {
  for (std::size_t i = 1; i < parts.size(); ++i)  // stable insertion sort (std::stable_sort is not constexpr)
    for (std::size_t j = i; j > 0 && parts[j].size < parts[j - 1].size; --j) std::swap(parts[j], parts[j - 1]);
  int root = parts[0].root;
  for (std::size_t i = 1; i < parts.size(); ++i) root = tree.join(root, parts[i].root);
  return root;
}

// ---- dp: opt_einsum's DynamicProgramming, same enumeration order and cost capping -----------
template <class Cost, std::size_t W>
constexpr ssa_path dp_ssa(const path_problem<Cost, W>& p, const std::optional<Cost>& limit, dp_minimize minimize,
                          unsigned combo_factor, bool search_outer, path_options::cost_cap use_cap, dp_work& work) {
  const std::size_t n = p.in.size();
  contraction_tree tree;
  tree.reserve(4 * n);
  const dp_leaves<W> leaves = dp_reduce_inputs(p, tree);
  small_vector<dp_part<Cost>, 8> parts;
  for (const int s : leaves.scalars) parts.push_back({s, Cost(1u)});
  const Cost naive = dp_naive(p, leaves.inputs.size(), minimize, combo_factor);
  for (const auto& g : dp_groups<W>(leaves.inputs, p.out, search_outer)) {
    dp_settings<Cost> set{limit, Cost(combo_factor), naive, true, search_outer};
    set.capped = use_cap == path_options::cost_cap::on ||
                 (use_cap == path_options::cost_cap::auto_ && (minimize != dp_minimize::exact_flops || g.size() > 6));
    const dp_group<Cost, W> grp{p, leaves.inputs, g, leaves.node};
    const dp_part<Cost> part = with_objective(minimize, [&](auto objective) {
      return dp_search_part<Cost, W, decltype(objective)>(grp, set, objective, tree, work);
    });
    if (part.root < 0) return {};
    parts.push_back(part);
  }
  ssa_path path;
  path.data.reserve(5 * n);  // (n one-operand steps of 2 entries, n - 1 pairs of 3: in place up to 8)
  auto next = static_cast<std::uint32_t>(n);
  (void)tree.emit(dp_join_parts<Cost>(std::move(parts), tree), path, next);
  return path;
}

}  // namespace detail
}  // namespace txmath
