#pragma once
// The costs of a given path: opt_einsum's contract_path bookkeeping over a linear path.
#include <txmath/einsum_path/problem.hpp>

namespace txmath {
namespace detail {

// The index sizes of a network as Cost.
template <class Cost>
constexpr std::vector<Cost> sizes_as(const einsum_network& net) {
  std::vector<Cost> size;
  size.resize(net.n_labels());
  for (std::size_t d = 0; d < net.n_labels(); ++d) size[d] = cost_of<Cost>(net.sizes[d]);
  return size;
}
// The same, held in place for up to 16 indices (the searches take a std::vector; the short
// paths of einsum_path.hpp and replay a span).
template <class Cost>
constexpr small_vector<Cost, 16> sizes_in_place(const einsum_network& net) {
  small_vector<Cost, 16> size(net.n_labels());
  for (std::size_t d = 0; d < net.n_labels(); ++d) size[d] = cost_of<Cost>(net.sizes[d]);
  return size;
}

// The index sizes as Cost for the short paths and a given path, without a copy for count (a
// view of the network's own), held in place for up to 16 indices otherwise.
template <class Cost>
class sizes_for_replay {
  static constexpr bool view = std::is_same_v<Cost, count>;
  std::conditional_t<view, std::span<const count>, small_vector<Cost, 16>> held_;

  static constexpr auto held(const einsum_network& net) {
    if constexpr (view) return std::span<const count>(net.sizes.data(), net.sizes.size());
    else return sizes_in_place<Cost>(net);
  }

 public:
  constexpr explicit sizes_for_replay(const einsum_network& net) : held_(held(net)) {}
  [[nodiscard]] constexpr std::span<const Cost> span() const { return {held_.data(), held_.size()}; }
};

// Whether step k of a linear path is as replay() reads it: distinct operands among the `left`
// that remain (`con` ascending); not empty; not after everything is one tensor.
constexpr bool path_step_ok(std::size_t k, std::span<const std::size_t> con, std::size_t left) {
  if (con.empty() || (k > 0 && left == 1)) return false;
  for (std::size_t i = 0; i < con.size(); ++i)
    if (con[i] >= left || (i > 0 && con[i] == con[i - 1])) return false;
  return true;
}
// The error for a step that is not (the message says why).
constexpr void check_path_step(const einsum_network& net, std::size_t k, std::span<const std::size_t> con,
                            std::size_t left) {
  auto fail = [&](const std::string& why) {
    TXMATH_FAIL(txmath_error_einsum_path_refers_to_a_missing_operand, invalid_argument,
                "txmath: einsum '" + net.str() + "': step " + std::to_string(k) + " of the path " + why);
  };
  if (con.empty()) fail("is empty (a step names the operands it contracts)");
  if (k > 0 && left == 1)
    fail("comes after every operand has been contracted into one (remove it and the steps after it)");
  for (std::size_t i = 0; i < con.size(); ++i)
    if (con[i] >= left || (i > 0 && con[i] == con[i - 1]))
      fail("names operand " + std::to_string(con[i]) + " but only " + std::to_string(left) +
           " distinct operands remain (positions 0 to " + std::to_string(left - 1) + ")");
}

// Replays a linear path: opt_einsum's contract_path bookkeeping (find_contraction, flop_count).
// The caller has checked that every index has a size; `size` holds them as Cost. The path must
// use every operand once and end with one tensor. Allocates nothing up to 8 operands and 16
// indices (every list here and in path_info is held in place up to about that size).
template <class Cost>
constexpr path_info<Cost> replay(const einsum_network& net, linear_path path, std::span<const Cost> size) {
  const std::size_t n_labels = net.n_labels(), n = net.operands();
  path_info<Cost> info;
  info.labels = net.labels;

  // Naive cost: one step over everything; "inner" when some index is on two inputs.
  // (stamp[d] == st: d seen in the current term; in_step[d] == k + 1: seen in step k; uni:
  // the distinct indices of the step, in order of first appearance. One allocation for all.)
  small_vector<std::uint32_t, 64> scratch(4 * n_labels, 0);
  std::uint32_t* stamp = scratch.data();
  std::uint32_t* in_step = stamp + n_labels;
  std::uint32_t* refs = in_step + n_labels;
  std::uint32_t* const uni = refs + n_labels;
  std::size_t n_uni = 0;
  std::uint32_t st = 1;
  std::size_t sum_set_sizes = 0, distinct = 0, input_ids = 0;
  figure<Cost> all{Cost(1u)};
  for (const auto& t : net.inputs) {
    ++st;
    input_ids += t.size();
    for (auto d : t)
      if (stamp[d] != st) {
        stamp[d] = st;
        ++sum_set_sizes;
        if (refs[d]++ == 0) {
          ++distinct;
          all.mul(size[d]);
        }
      }
  }
  const figure<Cost> naive = all.flops(net.operands(), sum_set_sizes > distinct);
  info.naive_flops = naive.value;
  info.overflowed.naive_flops = naive.over;
  for (auto d : net.output) ++refs[d];

  // The operands as they stand: input i is i, the result of step k is n + k.
  small_vector<std::uint32_t, 16> list(n, 0);
  for (std::size_t i = 0; i < n; ++i) list[i] = static_cast<std::uint32_t>(i);
  auto ids_of = [&](std::uint32_t o) -> std::span<const std::uint32_t> {
    if (o < n) return net.inputs[o];
    return info.steps.results[o - n];
  };
  step_list<Cost>& steps = info.steps;
  const std::size_t n_steps = path.size();
  std::size_t path_items = 0;
  for (auto l : path) path_items += l.size();
  steps.operands.reserve(n_steps, path_items);
  steps.terms.reserve(path_items, 2 * input_ids);
  steps.results.reserve(n_steps, input_ids);
  steps.costs.reserve(n_steps);
  figure<Cost> largest{Cost(1u)}, total{Cost(0u)};
  small_vector<std::size_t, 8> con;
  for (std::size_t k = 0; k < n_steps; ++k) {
    con.assign(path[k].begin(), path[k].end());
    if (!std::is_sorted(con.begin(), con.end())) std::sort(con.begin(), con.end());
    if (!path_step_ok(k, con, list.size())) check_path_step(net, k, con, list.size());
    steps.operands.push_back(std::span<const std::size_t>(con.data(), con.size()));
    // The terms, last operand first; the distinct indices of the step in order of first
    // appearance; each term drops its refs.
    n_uni = 0;
    for (auto it = con.rbegin(); it != con.rend(); ++it) {
      const std::span<const std::uint32_t> t = ids_of(list[*it]);
      list.erase(list.begin() + static_cast<std::ptrdiff_t>(*it));
      steps.terms.push_back(t);
      ++st;
      for (auto d : t)
        if (stamp[d] != st) {
          stamp[d] = st;
          --refs[d];
          if (in_step[d] != k + 1) {
            in_step[d] = static_cast<std::uint32_t>(k + 1);
            uni[n_uni++] = d;
          }
        }
    }
    figure<Cost> prod{Cost(1u)};
    bool removed = false;
    for (std::size_t i = 0; i < n_uni; ++i) {
      const std::uint32_t d = uni[i];
      prod.mul(size[d]);
      if (refs[d] == 0) removed = true;
    }
    const figure<Cost> step_flops = prod.flops(con.size(), removed);
    if (k + 1 == n_steps) {
      for (auto d : net.output) steps.results.add(d);
    } else {
      for (std::size_t i = 0; i < n_uni; ++i)
        if (refs[uni[i]] > 0) steps.results.add(uni[i]);
    }
    steps.results.close();
    figure<Cost> elements{Cost(1u)};
    for (auto d : steps.results[k]) {
      elements.mul(size[d]);
      ++refs[d];
    }
    if (k == 0 || largest.value < elements.value) largest = elements;
    if (info.max_scale < n_uni) info.max_scale = n_uni;
    total.add(step_flops);
    list.push_back(static_cast<std::uint32_t>(n + k));
    steps.costs.push_back({step_flops.value, elements.value, n_uni, step_flops.over || elements.over});
    info.overflowed.steps = info.overflowed.steps || steps.costs.back().overflowed;
  }
  // (No step is a path only for one operand that already is the result, as "->" or "ij->ij".)
  const bool nothing_to_do = n == 1 && net.inputs[0] == net.output;
  if (n > 0 && ((n_steps == 0 && !nothing_to_do) || list.size() != 1))
    TXMATH_FAIL(txmath_error_einsum_path_refers_to_a_missing_operand, invalid_argument,
                "txmath: einsum '" + net.str() + "': the path leaves " + std::to_string(list.size()) +
                    " operands uncontracted: every operand must be used once, and the last step leave one tensor" +
                    (n_steps == 0 ? " (the path has no step)" : ""));
  info.largest_intermediate = largest.value;
  info.overflowed.largest_intermediate = largest.over;
  info.opt_flops = total.value;
  info.overflowed.opt_flops = total.over;
  info.path = std::move(path);
  return info;
}

}  // namespace detail
}  // namespace txmath
