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

// Whether every figure of a replay of `net` in `n_steps` steps is below 2^64: a product of
// distinct indices is below 2^(the sum of their bit widths), the output's (repeats counted)
// too; a step's operand factor is at most max(n, 2); the sum has n_steps terms.
constexpr bool replay_fits_u64(const einsum_network& net, std::size_t n_steps) {
  const std::size_t factor = static_cast<std::size_t>(std::bit_width(std::max<std::size_t>(net.operands(), 2))) +
                             static_cast<std::size_t>(std::bit_width(std::max<std::size_t>(n_steps, 1)));
  if (factor >= 63) return false;
  const std::size_t spare = 63 - factor;
  if (sizes_bit_width(net) > spare) return false;
  std::size_t out = 0;
  for (auto d : net.output)
    if ((out += bit_width_of(net.sizes[d])) > spare) return false;
  return true;
}

// The total of a replay's step FLOPs in log2_cost: log2_sum's scaled sum, with a figure's add,
// cost and over (path_replay's total is a Figure for the other cost types).
struct log2_step_total {
  log2_sum sum;
  static constexpr bool over = false;
  void add(const figure<log2_cost>& f) { sum.add(f.value); }
  log2_cost cost() const { return sum.value(); }
};

// The bookkeeping of replay(): the network's index references and the path_info being filled,
// one step at a time, each named by its operands' positions and ids (the callers keep the
// operands as they stand: replay_in in a list, replay_ssa_in as live ids). `Figure` is
// figure<Cost>, or narrow_figure where 64 bits hold every figure.
template <class Cost, class Figure>
class path_replay {
 public:
  constexpr path_replay(const einsum_network& net, std::span<const Cost> size, path_info<Cost>& info)
      : net_(net), size_(size), info_(info), steps_(info.steps), n_(net.operands()), left_(n_),
        scratch_(4 * net.n_labels(), 0) {
    const std::size_t L = net.n_labels();
    stamp_ = scratch_.data(), in_step_ = stamp_ + L, refs_ = in_step_ + L, uni_ = refs_ + L;
  }

  // Naive cost: one step over everything; "inner" when some index is on two inputs. Counts the
  // references of each index (the inputs and the output) and returns the inputs' ids.
  constexpr std::size_t naive() {
    std::size_t sum_set_sizes = 0, distinct = 0, input_ids = 0;
    Figure all = one();
    std::uint32_t *const stamp = stamp_, *const refs = refs_;
    for (const auto& t : net_.inputs) {
      const std::uint32_t st = ++st_;
      input_ids += t.size();
      for (auto d : t)
        if (stamp[d] != st) {
          stamp[d] = st;
          ++sum_set_sizes;
          if (refs[d]++ == 0) {
            ++distinct;
            all.mul(size_[d]);
          }
        }
    }
    const Figure naive = all.flops(n_, sum_set_sizes > distinct);
    info_.naive_flops = naive.cost();
    info_.overflowed.naive_flops = naive.over;
    for (auto d : net_.output) ++refs_[d];
    return input_ids;
  }

  // Step k of `n_steps` contracts the operands at positions `con` (ascending, checked by the
  // caller), whose ids are `ids` (input i is i, step k's result n + k).
  constexpr void step(std::size_t k, std::size_t n_steps, std::span<const std::size_t> con,
                      std::span<const std::uint32_t> ids) {
    steps_.operands.push_back(con);
    const std::size_t n_uni = take_terms(k, ids);
    // The product of the step's indices, whether one is summed away, and (but for the last
    // step, whose result is the output) the result: the step's indices that are still referred to.
    const bool last = k + 1 == n_steps;
    Figure prod = one(), elements = one();
    bool removed = false;
    for (std::size_t i = 0; i < n_uni; ++i) {
      const std::uint32_t d = uni_[i];
      prod.mul(size_[d]);
      if (refs_[d] == 0) removed = true;
      else if (!last) add_result(d, elements);
    }
    if (last)
      for (auto d : net_.output) add_result(d, elements);
    steps_.results.close();
    const Figure step_flops = prod.flops(con.size(), removed);
    if (k == 0 || largest_.value < elements.value) largest_ = elements;
    if (info_.max_scale < n_uni) info_.max_scale = n_uni;
    total_.add(step_flops);
    left_ = left_ - con.size() + 1;
    auto& costs = steps_.costs.emplace_back();  // (filled in place: copying a 48-byte temporary
    costs.flops = step_flops.cost();             // in cost 5% of a replay)
    costs.result_elements = elements.cost();
    costs.scale = n_uni;
    costs.overflowed = step_flops.over || elements.over;
    info_.overflowed.steps = info_.overflowed.steps || step_flops.over || elements.over;
  }

  // The totals, once every step is replayed (the path must leave one tensor).
  constexpr void finish(std::size_t n_steps) {
    // (No step is a path only for one operand that already is the result, as "->" or "ij->ij".)
    const bool nothing_to_do = n_ == 1 && net_.inputs[0] == net_.output;
    if (n_ > 0 && ((n_steps == 0 && !nothing_to_do) || left_ != 1))
      TXMATH_FAIL(txmath_error_einsum_path_refers_to_a_missing_operand, invalid_argument,
                  "txmath: einsum '" + net_.str() + "': the path leaves " + std::to_string(left_) +
                      " operands uncontracted: every operand must be used once, and the last step leave one tensor" +
                      (n_steps == 0 ? " (the path has no step)" : ""));
    info_.largest_intermediate = largest_.cost();
    info_.overflowed.largest_intermediate = largest_.over;
    info_.opt_flops = total_.cost();
    info_.overflowed.opt_flops = total_.over;
  }

 private:
  const einsum_network& net_;
  std::span<const Cost> size_;
  path_info<Cost>& info_;
  step_list<Cost>& steps_;
  std::size_t n_, left_;
  // stamp_[d] == st_: d seen in the current term; in_step_[d] == k + 1: seen in step k; refs_[d]:
  // the operands and output that hold d; uni_: the distinct indices of the step, in order of
  // first appearance. One allocation for all.
  small_vector<std::uint32_t, 64> scratch_;
  std::uint32_t *stamp_, *in_step_, *refs_, *uni_;
  std::uint32_t st_ = 1;
  Figure largest_ = one();
  std::conditional_t<std::is_same_v<Figure, figure<log2_cost>>, log2_step_total, Figure> total_ = zero();

  static constexpr Figure one() { return figure_of<Figure>(1u); }
  static constexpr auto zero() {
    if constexpr (std::is_same_v<Figure, figure<log2_cost>>) return log2_step_total{};
    else return figure_of<Figure>(0u);
  }
  constexpr std::span<const std::uint32_t> ids_of(std::uint32_t o) const {
    if (o < n_) return net_.inputs[o];
    return steps_.results[o - n_];
  }
  // Takes step k's operands' terms (last operand first) into the steps and drops their
  // references; returns the number of distinct indices, listed in uni_.
  constexpr std::size_t take_terms(std::size_t k, std::span<const std::uint32_t> ids) {
    std::size_t n_uni = 0;
    std::uint32_t *const stamp = stamp_, *const in_step = in_step_, *const refs = refs_, *const uni = uni_;
    const auto step = static_cast<std::uint32_t>(k + 1);  // (locals: the stores could alias members)
    for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
      const std::span<const std::uint32_t> t = ids_of(*it);
      steps_.terms.push_back(t);
      const std::uint32_t st = ++st_;
      for (auto d : t)
        if (stamp[d] != st) {
          stamp[d] = st;
          --refs[d];
          if (in_step[d] != step) {
            in_step[d] = step;
            uni[n_uni++] = d;
          }
        }
    }
    return n_uni;
  }
  constexpr void add_result(std::uint32_t d, Figure& elements) {
    steps_.results.add(d);
    elements.mul(size_[d]);
    ++refs_[d];
  }
};

// Reserves the step lists of `info` for `n_steps` steps naming `path_items` operands in all.
template <class Cost>
constexpr void reserve_steps(path_info<Cost>& info, std::size_t n_steps, std::size_t path_items,
                             std::size_t input_ids) {
  step_list<Cost>& steps = info.steps;
  steps.operands.reserve(n_steps, path_items);
  steps.terms.reserve(path_items, 2 * input_ids);
  steps.results.reserve(n_steps, input_ids);
  steps.costs.reserve(n_steps);
}

// replay() with its figures in `Figure`: the operands as they stand in a list (input i is i,
// step k's result n + k), from which each step's positions are taken.
template <class Cost, class Figure>
constexpr path_info<Cost> replay_in(const einsum_network& net, linear_path&& path, std::span<const Cost> size) {
  path_info<Cost> info;
  info.labels = net.labels;
  path_replay<Cost, Figure> r(net, size, info);
  const std::size_t input_ids = r.naive();
  const std::size_t n_steps = path.size();
  std::size_t path_items = 0;
  for (auto l : path) path_items += l.size();
  reserve_steps(info, n_steps, path_items, input_ids);
  small_vector<std::uint32_t, 16> list(net.operands(), 0);
  for (std::size_t i = 0; i < list.size(); ++i) list[i] = static_cast<std::uint32_t>(i);
  small_vector<std::size_t, 8> sorted;
  small_vector<std::uint32_t, 8> ids;
  for (std::size_t k = 0; k < n_steps; ++k) {
    std::span<const std::size_t> con = path[k];
    if (!std::is_sorted(con.begin(), con.end())) {
      sorted.assign(con.begin(), con.end());
      std::sort(sorted.begin(), sorted.end());
      con = {sorted.data(), sorted.size()};
    }
    if (!path_step_ok(k, con, list.size())) check_path_step(net, k, con, list.size());
    ids.clear();
    for (auto c : con) ids.push_back(list[c]);
    for (auto it = con.rbegin(); it != con.rend(); ++it) list.erase(list.begin() + static_cast<std::ptrdiff_t>(*it));
    list.push_back(static_cast<std::uint32_t>(net.operands() + k));
    r.step(k, n_steps, con, ids);
  }
  r.finish(n_steps);
  info.path = std::move(path);
  return info;
}

// The same from a search's ssa path (its own, so valid): each step's positions are found from
// its ids as ssa_to_linear finds them (for_each_linear_step), and the linear path is built as
// the steps are replayed, instead of in a pass of its own before.
template <class Cost, class Figure>
constexpr path_info<Cost> replay_ssa_in(const einsum_network& net, const ssa_path& ssa, std::span<const Cost> size) {
  path_info<Cost> info;
  info.labels = net.labels;
  path_replay<Cost, Figure> r(net, size, info);
  const std::size_t input_ids = r.naive();
  const std::size_t n_steps = ssa.size(), path_items = ssa.data.size() - n_steps;
  reserve_steps(info, n_steps, path_items, input_ids);
  info.path.reserve(n_steps, path_items);
  std::size_t k = 0;
  for_each_linear_step(ssa, net.operands(), [&](std::span<const std::uint32_t> ids, std::span<const std::size_t> con) {
    info.path.push_back(con.data(), con.data() + con.size());
    r.step(k++, n_steps, con, ids);
  });
  r.finish(n_steps);
  return info;
}

// Replays a linear path: opt_einsum's contract_path bookkeeping (find_contraction, flop_count).
// The caller has checked that every index has a size; `size` holds them as Cost. The path must
// use every operand once and end with one tensor. Allocates nothing up to 8 operands and 16
// indices (every list here and in path_info is held in place up to about that size).
template <class Cost>
constexpr path_info<Cost> replay(const einsum_network& net, linear_path path, std::span<const Cost> size) {
  if constexpr (std::is_same_v<Cost, count>)
    if (replay_fits_u64(net, path.size())) return replay_in<Cost, narrow_figure>(net, std::move(path), size);
  return replay_in<Cost, figure<Cost>>(net, std::move(path), size);
}

// replay() of a search's ssa path: the report of ssa_to_linear(ssa) in one pass.
template <class Cost>
constexpr path_info<Cost> replay_ssa(const einsum_network& net, const ssa_path& ssa, std::span<const Cost> size) {
  if constexpr (std::is_same_v<Cost, count>)
    if (replay_fits_u64(net, ssa.size())) return replay_ssa_in<Cost, narrow_figure>(net, ssa, size);
  return replay_ssa_in<Cost, figure<Cost>>(net, ssa, size);
}

// The report of the path of one step over every operand (one or two operands, or an index
// of size 0), read off the terms in one pass: the step's product is the naive cost's, its
// result is the output. The same report as replay() of that path (test_einsum_small compares
// them), without replay's per-index bookkeeping, which is most of a two-operand call.
template <class Cost, std::size_t W>
constexpr path_info<Cost> one_step(const einsum_network& net, std::span<const Cost> size) {
  const std::size_t n = net.operands();
  label_set<W> seen, twice, out;  // the indices of the inputs, those on two or more, the output's
  // The product of the distinct indices in the order replay() meets them, inputs first to last
  // for the naive cost, last to first for the step (the order matters to log2_cost's rounding).
  figure<Cost> all{Cost(1u)}, prod{Cost(1u)}, elements{Cost(1u)};
  for (const auto& t : net.inputs) {
    label_set<W> s;
    for (auto d : t) s.set(d);
    twice = twice | (seen & s);
    for (auto d : t)
      if (!seen.test(d)) seen.set(d), all.mul(size[d]);
  }
  if constexpr (std::is_same_v<Cost, count>) {
    prod = all;  // (exact: the order is no matter)
  } else {
    label_set<W> met;
    for (std::size_t i = n; i-- > 0;)
      for (auto d : net.inputs[i])
        if (!met.test(d)) met.set(d), prod.mul(size[d]);
  }
  for (auto d : net.output) out.set(d);
  path_info<Cost> info;
  info.labels = net.labels;
  for (std::size_t i = 0; i < n; ++i) info.path.add(i);
  info.path.close();
  step_list<Cost>& steps = info.steps;
  steps.operands.push_back(info.path[0]);
  for (std::size_t i = n; i-- > 0;) steps.terms.push_back(net.inputs[i]);  // (last operand first)
  steps.results.push_back(net.output);
  for (auto d : net.output) elements.mul(size[d]);
  const figure<Cost> naive = all.flops(n, twice.any()), flops = prod.flops(n, (seen - out).any());
  const std::size_t scale = seen.size();
  steps.costs.push_back({flops.cost(), elements.cost(), scale, flops.over || elements.over});
  info.naive_flops = naive.cost();
  info.opt_flops = flops.cost();
  info.largest_intermediate = elements.cost();
  info.max_scale = scale;
  info.overflowed = {naive.over, flops.over, elements.over, flops.over || elements.over};
  return info;
}

}  // namespace detail
}  // namespace txmath
