#pragma once
// Contraction order of a many-operand einsum, reported as opt_einsum's contract_path does:
//
//   auto net = txmath::parse_network("ij,jk,kl->il", {{'i', 10}, {'j', 20}, {'k', 30}, {'l', 40}});
//   auto info = txmath::contract_path(net, {.optimize = txmath::path_optimizer::optimal});
//   info.path            // [[0, 1], [0, 1]]: linear (recycled) ids, as opt_einsum;
//                        // info.path[k] and info.steps[k] are views into info
//   info.naive_flops, info.opt_flops, info.largest_intermediate, info.step_spec(0)
//
//   constexpr auto p = txmath::contract_path(txmath::einsum<"ij,jk,kl->il">, sizes);  // compile time
//
// Optimizers:
//   optimal  exact minimum of the reported FLOPs over every pairwise contraction tree, outer
//            products included, each input optionally pre-reduced over indices only it
//            carries; dynamic programming over all subsets (3^n work; up to 20 operands).
//            With a memory limit the last step may contract all remaining tensors at once,
//            as opt_einsum's 'optimal' does.
//   dp       opt_einsum's 'dp': dynamic programming over connected subsets only, disconnected
//            parts joined by outer products, cost capping; scales to 20-30+ operands on
//            sparse networks. `minimize` picks the objective (flops by default: the exact
//            reported FLOPs; opt_einsum_flops is opt_einsum's own proxy, sum of the products
//            of the step's indices).
//   greedy   opt_einsum's 'greedy' (same heuristic and tie-breaking), for 500+ operands; up to
//            64 operands and 128 indices on bit masks, without allocating (greedy_small.hpp);
//            with a memory limit, opt_einsum's branch search with one branch, as opt_einsum does.
//   random_greedy  cotengrust's random greedy: random_greedy_options::trials passes of greedy
//            (the first plain, the others with perturbed ranks), keeping the cheapest path;
//            never costlier than greedy (einsum_path/random_greedy.hpp; no memory limit).
//   auto_    optimal up to 10 operands, dp up to 20 (greedy where dp's budget refuses),
//            greedy beyond.
// Costs use the cost type given as template argument (count, log2_cost, boost cpp_int).
// One or two operands (or an index of size 0) are reported as the one step over every operand
// without a replay (detail::one_step); three take a short path where the answer is known
// without searching (detail::short_path); up to 8 operands, parsing, the exact searches, greedy
// and the report allocate nothing.
//
// Every search is bounded: an index of size 0 makes the one step over every operand the path
// (it costs 0 FLOPs), dp keeps to path_options::budget, optimal to 20 operands. With count,
// greedy ranks a pair exactly while its sizes fit in 128 bits and by log2 beyond, in the same
// search (so it finds opt_einsum's path, ranked in Python integers, except where two ranks
// beyond 2^128 are too close for a double); another search whose arithmetic overflows 128 bits
// runs again in log2_cost; a reported figure beyond 2^128 - 1 is flagged in
// path_info::overflowed instead of blocking the path. No fixed capacity bounds the operands or
// indices of a step (step_cost() costs any step).
#include <cstddef>
#include <optional>
#include <vector>

#include <txmath/einsum_path/dp.hpp>
#include <txmath/einsum_path/greedy.hpp>
#include <txmath/einsum_path/greedy_small.hpp>
#include <txmath/einsum_path/optimal.hpp>
#include <txmath/einsum_path/options.hpp>
#include <txmath/einsum_path/problem.hpp>
#include <txmath/einsum_path/random_greedy.hpp>
#include <txmath/einsum_path/replay.hpp>
#include <txmath/einsum_path/report.hpp>
#include <txmath/einsum_path/short_path.hpp>

namespace txmath {
namespace detail {

// The memory limit in elements as Cost (none: nullopt). A limit beyond any Cost is no limit.
template <class Cost>
constexpr std::optional<Cost> limit_of(const einsum_network& net, std::span<const Cost> size, const memory_limit& m) {
  if (m.what == memory_limit::kind::elements) return cost_of<Cost>(m.elements);
  if (m.what == memory_limit::kind::unlimited) return std::nullopt;
  auto elements = [&](const std::vector<std::uint32_t>& t) {  // repeated indices count repeatedly
    figure<Cost> e{Cost(1u)};
    for (auto d : t) e.mul(size[d]);
    return e.value;  // (held at the largest count when it overflows)
  };
  Cost largest = elements(net.output);
  for (const auto& t : net.inputs)
    if (const Cost e = elements(t); largest < e) largest = e;
  return largest;
}

// The network as label sets, with its sizes as Cost.
template <class Cost, std::size_t W>
constexpr path_problem<Cost, W> problem_of(const einsum_network& net, small_vector<Cost, 16> size) {
  path_problem<Cost, W> p;
  p.in.reserve(net.operands());
  p.size = std::move(size);
  for (const auto& t : net.inputs) {  // (each set built in place: one built on the stack and
    label_set<W>& s = p.in.emplace_back();  // copied in was read back before its stores landed)
    for (auto d : t) s.set(d);
  }
  for (auto d : net.output) p.out.set(d);
  return p;
}

// The path `o` finds, or nothing when dp gave up (`work` says why).
template <class Cost, std::size_t W>
constexpr ssa_path search(const einsum_network& net, small_vector<Cost, 16> size, const path_options& opt,
                          path_optimizer o, dp_work& work) {
  const path_problem<Cost, W> p = problem_of<Cost, W>(net, std::move(size));
  const std::optional<Cost> limit = limit_of<Cost>(net, {p.size.data(), p.size.size()}, opt.limit);
  if (o == path_optimizer::optimal) return optimal_ssa(p, limit, opt.pre_reduce);
  if (o == path_optimizer::dp) {
    ssa_path ssa = dp_ssa(p, limit, opt.minimize, opt.combo_factor, opt.search_outer, opt.cap, work);
    if (!work.stopped()) return ssa;
    if (opt.optimize != path_optimizer::auto_)
      TXMATH_FAIL(txmath_error_einsum_dp_search_too_large_use_greedy, invalid_argument,
                  "txmath: einsum of " + std::to_string(net.operands()) + " operands: " + work.reason() +
                      ": use path_optimizer::greedy (path_optimizer::auto_ falls back to it)");
  }
  if (o == path_optimizer::random_greedy) {
    if (limit)
      TXMATH_FAIL(txmath_error_einsum_random_greedy_option_out_of_range, invalid_argument,
                  "txmath: path_optimizer::random_greedy takes no memory limit: use path_optimizer::greedy");
    return random_greedy_ssa(net, p, opt.random);
  }
  if (limit) return branch1_ssa(p, *limit);  // greedy, or auto_'s fallback from dp
  return greedy_ssa(net, p);
}

// Whether a search in count arithmetic cannot overflow: every cost it computes is at most the
// product of all index sizes, times a factor for the operands (a step's flop_count, a sum over
// the steps) and dp's combo_factor. An upper bound from bit widths, so it works at compile time.
constexpr std::size_t search_bits(const einsum_network& net, const path_options& opt) {
  std::size_t bits = 2 * static_cast<std::size_t>(std::bit_width(net.operands())) + 3 + sizes_bit_width(net);
  if (opt.minimize == dp_minimize::combo || opt.minimize == dp_minimize::limit)
    bits += static_cast<std::size_t>(std::bit_width(opt.combo_factor)) + 1;
  return bits;
}
constexpr bool search_fits_in_count(const einsum_network& net, const path_options& opt) {
  return search_bits(net, opt) <= 127;
}

// optimal without a memory limit in 64-bit integers, where search_bits bounds every cost it
// computes below 2^63: the same comparisons as in count, in the same order, so the same path,
// without 128-bit arithmetic or the doubles that stand in for it.
constexpr bool optimal_in_u64(const einsum_network& net, const path_options& opt, path_optimizer o) {
  return o == path_optimizer::optimal && opt.limit.what == memory_limit::kind::unlimited && search_bits(net, opt) <= 63;
}
template <std::size_t W>
constexpr ssa_path optimal_u64(const einsum_network& net, const path_options& opt) {
  small_vector<std::uint64_t, 16> size(net.n_labels(), 0);
  for (std::size_t d = 0; d < net.n_labels(); ++d) size[d] = static_cast<std::uint64_t>(net.sizes[d].rep_value());
  return optimal_ssa(problem_of<std::uint64_t, W>(net, std::move(size)), std::optional<std::uint64_t>{}, opt.pre_reduce);
}

// The search in Cost; for count, in log2_cost when count arithmetic overflows (then the search
// compares costs to ~15 significant digits, and the replay reports them exactly or flagged).
// `sizes`: the index sizes in Cost, as the replay holds them (copied, not made again: in
// log2_cost, a log2 call an index).
template <class Cost, std::size_t W>
constexpr ssa_path search_any_size(const einsum_network& net, std::span<const Cost> sizes, const path_options& opt,
                                   path_optimizer o, dp_work& work) {
  const auto held = [&] { return small_vector<Cost, 16>(sizes.begin(), sizes.end()); };
  if constexpr (std::is_same_v<Cost, count>) {
    if (optimal_in_u64(net, opt, o)) return optimal_u64<W>(net, opt);
    if (!std::is_constant_evaluated()) {
#if defined(__cpp_exceptions)
      try {
        return search<count, W>(net, held(), opt, o, work);
      } catch (const overflow_error&) {
        work = dp_work{opt.budget};
      }
#else
      if (search_fits_in_count(net, opt)) return search<count, W>(net, held(), opt, o, work);
#endif
      return search<log2_cost, W>(net, sizes_in_place<log2_cost>(net), opt, o, work);
    }
  }
  return search<Cost, W>(net, held(), opt, o, work);
}

template <class Cost, std::size_t W>
constexpr path_info<Cost> contract_path_w(const einsum_network& net, const path_options& opt) {
  const std::size_t n = net.operands();
  if (opt.optimize == path_optimizer::random_greedy) check_random_greedy(opt.random);
  const sizes_for_replay<Cost> size(net);  // (no copy for count; no allocation up to 16 indices)
  const std::span<const Cost> sizes = size.span();
  if (n <= 2 || has_size_zero(net)) return one_step<Cost, W>(net, sizes);  // (as opt_einsum)
  if (n == 3)
    if (auto path = short_path::of<Cost>(net, sizes, opt)) return replay<Cost>(net, std::move(*path), sizes);
  path_optimizer o = opt.optimize;
  if (o == path_optimizer::auto_) o = n <= 10 ? path_optimizer::optimal : n <= 20 ? path_optimizer::dp : path_optimizer::greedy;
  // (greedy_small before the search's problem is built: 13% of a small greedy call. Where it
  // declines, search() tries it once more before greedy_search; a decline is early or rare.)
  if (o == path_optimizer::greedy && opt.limit.what == memory_limit::kind::unlimited)
    if (auto ssa = greedy_small::of(net)) return replay_ssa<Cost>(net, *ssa, sizes);
  dp_work work{opt.budget};
  return replay_ssa<Cost>(net, search_any_size<Cost, W>(net, sizes, opt, o, work), sizes);
}
}  // namespace detail

// The contraction order of `net` and its costs, as opt_einsum's contract_path.
template <class Cost = count>
constexpr path_info<Cost> contract_path(const einsum_network& net, const path_options& opt = {}) {
  net.check_sizes();
  const std::size_t L = net.n_labels();
  if (L <= 64) return detail::contract_path_w<Cost, 1>(net, opt);
  if (L <= 256) return detail::contract_path_w<Cost, 4>(net, opt);
  if (L <= 1024) return detail::contract_path_w<Cost, 16>(net, opt);
  TXMATH_FAIL(txmath_error_einsum_too_many_distinct_indices_for_path_search, invalid_argument,
              "txmath: einsum '" + utf8_prefix(net.str(), 60) + "...' has " + std::to_string(L) +
                  " distinct indices; path search handles at most 1024");
}

// Frees the memory this thread's path searches keep for the next search (blocks a search freed:
// at most 8 MiB a thread, detail/block_cache.hpp; freed anyway when the thread ends). For a
// thread that is done with contract_path but lives on.
inline void release_path_search_memory() noexcept { detail::block_cache::release(); }

// The costs of a given path (linear ids, as opt_einsum).
template <class Cost = count>
constexpr path_info<Cost> contract_path(const einsum_network& net, linear_path path) {
  net.check_sizes();
  const detail::sizes_for_replay<Cost> size(net);
  return detail::replay<Cost>(net, std::move(path), size.span());
}

namespace detail {
// A set of index ids of any size (a step of a path may hold all of a network's indices).
struct id_set {
  std::vector<std::uint64_t> w;

  constexpr explicit id_set(std::size_t n_labels) : w((n_labels + 63) / 64, 0) {}
  constexpr void set(std::uint32_t id) { w[id >> 6] |= std::uint64_t{1} << (id & 63); }
  friend constexpr id_set operator|(id_set a, const id_set& b) {
    for (std::size_t i = 0; i < a.w.size(); ++i) a.w[i] |= b.w[i];
    return a;
  }
  friend constexpr bool has_outside(const id_set& a, const id_set& b) {
    for (std::size_t i = 0; i < a.w.size(); ++i)
      if (a.w[i] & ~b.w[i]) return true;
    return false;
  }
  constexpr count product(const std::vector<count>& size) const {
    count p = 1;
    for (std::size_t i = 0; i < w.size(); ++i)
      for (std::uint64_t x = w[i]; x; x &= x - 1) p *= size[i * 64 + static_cast<std::size_t>(std::countr_zero(x))];
    return p;
  }
};
}  // namespace detail

// The einsum cost of step k of a path (cost()'s rules: FLOPs, multiply-adds, bytes in `type`,
// backward FLOPs), for a step of any number of operands and indices. Exact counts: a figure
// beyond 2^128 - 1 throws overflow_error.
template <class Cost>
constexpr einsum_cost step_cost(const einsum_network& net, const path_info<Cost>& info, std::size_t k,
                                dtype type = dtype::bf16, std::uint32_t needs_grad = ~0u) {
  const contraction_step<Cost> s = info.steps[k];
  std::vector<detail::id_set> in;
  in.reserve(s.terms.size());
  detail::id_set all(net.n_labels()), out(net.n_labels());
  einsum_cost c;
  for (const auto t : s.terms) {
    in.emplace_back(net.n_labels());
    for (auto d : t) in.back().set(d);
    all = all | in.back();
    c.bytes_read += bytes_of(net.elements({t.begin(), t.end()}), type);
  }
  for (auto d : s.result) out.set(d);
  c.bytes_written = bytes_of(net.elements({s.result.begin(), s.result.end()}), type);
  const count prod = all.product(net.sizes);
  const bool inner = has_outside(all, out);
  c.flops = txmath::flops(detail::flop_count(prod, in.size(), inner));
  c.macs = detail::mac_count(prod, in.size(), inner);
  c.backward_flops = txmath::flops(detail::backward_flop_count(
      std::span<const detail::id_set>(in), out, needs_grad, [&](const detail::id_set& used) { return used.product(net.sizes); }));
  return c;
}

// The compile-time face: a fixed spec and its sizes give a fixed-capacity report.
struct fixed_path_info {
  static constexpr std::size_t max_steps = 2 * einsum_spec::max_operands;
  std::uint8_t path[max_steps][einsum_spec::max_operands]{};
  std::uint8_t step_operands[max_steps]{};
  std::size_t n_steps = 0;
  count step_flops[max_steps]{};
  count naive_flops{}, opt_flops{}, largest_intermediate{};
  std::size_t max_scale = 0;
};
// (A template only so that including this header instantiates none of the search code.)
template <int = 0>
constexpr fixed_path_info contract_path(const einsum_spec& spec, const index_sizes& sizes,
                                        const path_options& opt = {}) {
  const path_info<count> info = contract_path<count>(to_network(spec, sizes), opt);
  fixed_path_info r;
  r.n_steps = info.path.size();
  for (std::size_t k = 0; k < info.path.size(); ++k) {
    r.step_operands[k] = static_cast<std::uint8_t>(info.path[k].size());
    for (std::size_t i = 0; i < info.path[k].size(); ++i) r.path[k][i] = static_cast<std::uint8_t>(info.path[k][i]);
    r.step_flops[k] = info.steps[k].flops;
  }
  r.naive_flops = info.naive_flops;
  r.opt_flops = info.opt_flops;
  r.largest_intermediate = info.largest_intermediate;
  r.max_scale = info.max_scale;
  return r;
}

}  // namespace txmath
