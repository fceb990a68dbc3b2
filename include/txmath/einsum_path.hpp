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
//   greedy   opt_einsum's 'greedy' (same heuristic and tie-breaking), for 500+ operands; with
//            a memory limit, opt_einsum's branch search with one branch, as opt_einsum does.
//   auto_    optimal up to 10 operands, dp up to 20 (greedy where dp's budget refuses),
//            greedy beyond.
// Costs use the cost type given as template argument (count, log2_cost, boost cpp_int).
//
// Every search is bounded: an index of size 0 makes the one step over every operand the path
// (it costs 0 FLOPs), dp keeps to path_options::budget, optimal to 20 operands. With count, a
// search whose arithmetic overflows 128 bits runs again in log2_cost, and a reported figure
// beyond 2^128 - 1 is flagged in path_info::overflowed instead of blocking the path. No
// fixed capacity bounds the operands or indices of a step (step_cost() costs any step).
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <txmath/core/count.hpp>
#include <txmath/core/error.hpp>
#include <txmath/detail/einsum_cost_type.hpp>
#include <txmath/detail/einsum_network.hpp>
#include <txmath/einsum.hpp>

TXMATH_DEFINE_ERROR(txmath_error_einsum_path_refers_to_a_missing_operand, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_no_contraction_order_fits_the_memory_limit, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_too_many_operands_for_optimal_use_dp_or_greedy, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_too_many_distinct_indices_for_path_search, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_dp_search_too_large_use_greedy, invalid_argument)

namespace txmath {

enum class path_optimizer { auto_, optimal, dp, greedy };

// dp objectives, as opt_einsum's DynamicProgramming(minimize=...).
// (`exact_flops`, not `flops`: an enumerator named like the type txmath::flops shadows it.)
enum class dp_minimize {
  exact_flops,       // the FLOPs contract_path reports (flop_count per step) -- txmath's default
  opt_einsum_flops,  // opt_einsum's 'flops': sum of the products of each step's indices
  size,              // the largest intermediate
  write,             // the sum of intermediate sizes
  combo,             // sum of (step product + factor * intermediate size)
  limit              // sum of max(step product, factor * intermediate size)
};

// opt_einsum's memory_limit: none, 'max_input' (the largest input or output, in elements),
// or a number of elements that no intermediate may exceed (0 is a real limit here).
struct memory_limit {
  enum class kind { unlimited, max_input, elements };
  kind what = kind::unlimited;
  count elements{};
  static constexpr memory_limit none() { return {}; }
  static constexpr memory_limit max_input() { return {kind::max_input, count{}}; }
  static constexpr memory_limit of(count n) { return {kind::elements, n}; }
};

// A bound on dp's work, so that a network too large for dp is refused (with path_optimizer::dp)
// or handed to greedy (with auto_) instead of running for minutes and exhausting memory. The
// defaults let dp finish random 3-regular networks of 30 tensors (2^24 pairs at most in
// tests/test_einsum_robust.cpp's seeds) and the 6 x 6 lattice of bond 2 (between 2^28 and
// 2^30 pairs, seconds); dp on 50 such tensors stops at 2^30 pairs (about 20 s, 600 MiB).
struct search_budget {
  std::uint64_t pairs = std::uint64_t{1} << 30;  // pairs of subsets examined, all rounds together
  std::uint64_t bytes = std::uint64_t{1} << 30;  // memory held for subsets and waiting pairs
};

struct path_options {
  path_optimizer optimize = path_optimizer::auto_;
  memory_limit limit{};
  dp_minimize minimize = dp_minimize::exact_flops;  // dp only
  unsigned combo_factor = 64;                 // dp combo/limit only (any unsigned: 2^32 - 1 too)
  bool search_outer = false;                  // dp only: also consider outer products
  // optimal only: let an input first sum, in a one-operand step, the indices no other tensor
  // carries (opt_einsum's 'optimal' never does; its 'dp' always does). Off, optimal searches
  // exactly opt_einsum's space of pairwise trees.
  bool pre_reduce = true;
  // dp only: opt_einsum's cost_cap. With it each round searches under a cost cap, raised until
  // a tree fits; the first tree found is the optimum, as costs only grow up a tree, and the cap
  // pays off on large networks. Without it one round finds the same optimum (ties aside).
  // auto_: no cap for groups of at most 6 tensors under the flops objective, the cap otherwise
  // (opt_einsum's default, so under its objectives ties resolve as in opt_einsum).
  enum class cost_cap { auto_, on, off } cap = cost_cap::auto_;
  search_budget budget{};  // dp only
};

// A list of lists in two vectors (two allocations, not one a list): list k holds
// items[end(k - 1), end(k)). Lists read as spans, valid while the ragged is unchanged.
template <class T>
class ragged {
 public:
  class view;  // consecutive lists of a ragged

  constexpr ragged() = default;
  constexpr ragged(std::initializer_list<std::initializer_list<T>> lists) {
    for (const auto& l : lists) push_back(l.begin(), l.end());
  }
  constexpr ragged(const std::vector<std::vector<T>>& lists) {  // implicit: the nested form
    for (const auto& l : lists) push_back(l.data(), l.data() + l.size());
  }

  constexpr std::size_t size() const { return ends_.size(); }
  constexpr bool empty() const { return ends_.empty(); }
  constexpr std::size_t offset(std::size_t k) const { return k ? ends_[k - 1] : 0; }  // items before list k
  constexpr std::span<const T> operator[](std::size_t k) const {
    return {items_.data() + offset(k), ends_[k] - offset(k)};
  }
  constexpr view lists(std::size_t first, std::size_t n) const { return {items_.data(), ends_.data(), first, n}; }
  constexpr view all() const { return lists(0, size()); }
  constexpr auto begin() const { return all().begin(); }
  constexpr auto end() const { return all().end(); }
  constexpr std::vector<std::vector<T>> nested() const {
    std::vector<std::vector<T>> r;
    for (auto l : *this) r.emplace_back(l.begin(), l.end());
    return r;
  }
  friend constexpr bool operator==(const ragged&, const ragged&) = default;

  constexpr void reserve(std::size_t lists, std::size_t items) {
    ends_.reserve(lists);
    items_.reserve(items);
  }
  constexpr void push_back(const T* first, const T* last) {
    items_.insert(items_.end(), first, last);
    close();
  }
  constexpr void push_back(std::span<const T> l) { push_back(l.data(), l.data() + l.size()); }
  constexpr void add(const T& x) { items_.push_back(x); }  // to the list being built ...
  constexpr void close() { ends_.push_back(items_.size()); }  // ... which this ends

 private:
  std::vector<T> items_;
  std::vector<std::size_t> ends_;
};

template <class T>
class ragged<T>::view {
 public:
  constexpr view(const T* items, const std::size_t* ends, std::size_t first, std::size_t n)
      : items_(items), ends_(ends), first_(first), n_(n) {}
  constexpr std::size_t size() const { return n_; }
  constexpr bool empty() const { return n_ == 0; }
  constexpr std::span<const T> operator[](std::size_t i) const {
    const std::size_t k = first_ + i, b = k ? ends_[k - 1] : 0;
    return {items_ + b, ends_[k] - b};
  }
  class iterator {  // holds its own copy of the view: ragged::begin() makes a temporary one
   public:
    constexpr iterator(const view& v, std::size_t i) : v_(v), i_(i) {}
    constexpr std::span<const T> operator*() const { return v_[i_]; }
    constexpr iterator& operator++() { return ++i_, *this; }
    constexpr bool operator==(const iterator& o) const { return i_ == o.i_; }

   private:
    view v_;
    std::size_t i_;
  };
  constexpr iterator begin() const { return {*this, 0}; }
  constexpr iterator end() const { return {*this, n_}; }

 private:
  const T* items_;
  const std::size_t* ends_;
  std::size_t first_, n_;
};

// A path in opt_einsum's linear form: step k contracts the operands at positions path[k] of
// the list as it stands, removes them and appends the result. Built from the nested form
// ({{1, 2}, {0, 1}} or a vector of vectors); path[k] is a span.
using linear_path = ragged<std::size_t>;

// One step of a path: a view into the path_info that made it, valid while that is unchanged.
template <class Cost = count>
struct contraction_step {
  std::span<const std::size_t> operands;  // positions in the current list, ascending
  ragged<std::uint32_t>::view terms;      // index ids of the operands, in opt_einsum's order
  std::span<const std::uint32_t> result;  // index ids of the result
  Cost flops{};                           // flop_count of the step
  Cost result_elements{};
  std::size_t scale = 0;                  // number of distinct indices in the step
  bool overflowed = false;                // flops or result_elements beyond a count (see path_info)
};

// The steps of a path, flat (a few allocations for the whole path); steps[k] is a view.
template <class Cost = count>
struct step_list {
  ragged<std::size_t> operands;  // step k's operands, ascending
  ragged<std::uint32_t> terms;   // one list an operand: step k's are operands.offset(k) onwards
  ragged<std::uint32_t> results;
  struct costs_of_step {
    Cost flops{}, result_elements{};
    std::size_t scale = 0;
    bool overflowed = false;
  };
  std::vector<costs_of_step> costs;

  constexpr std::size_t size() const { return costs.size(); }
  constexpr bool empty() const { return costs.empty(); }
  constexpr contraction_step<Cost> operator[](std::size_t k) const {
    return {operands[k], terms.lists(operands.offset(k), operands[k].size()), results[k],
            costs[k].flops, costs[k].result_elements, costs[k].scale, costs[k].overflowed};
  }
  class iterator {
   public:
    constexpr iterator(const step_list* s, std::size_t k) : s_(s), k_(k) {}
    constexpr contraction_step<Cost> operator*() const { return (*s_)[k_]; }
    constexpr iterator& operator++() { return ++k_, *this; }
    constexpr bool operator==(const iterator& o) const { return k_ == o.k_; }

   private:
    const step_list* s_;
    std::size_t k_;
  };
  constexpr iterator begin() const { return {this, 0}; }
  constexpr iterator end() const { return {this, size()}; }
};

// opt_einsum's PathInfo.
template <class Cost = count>
struct path_info {
  std::vector<char32_t> labels;  // the letter of each index id
  linear_path path;
  step_list<Cost> steps;
  Cost naive_flops{};            // everything in one n-ary step (opt_einsum's naive_cost)
  Cost opt_flops{};              // sum of the steps
  Cost largest_intermediate{};   // elements of the largest step result (1 with no step)
  std::size_t max_scale = 0;
  // The figures beyond the range of a count (2^128 - 1), which then hold that value and are
  // not exact: the path is found and replayed all the same (a naive cost of a few hundred
  // tensors is easily beyond it, while the path's is small). Other cost types never overflow:
  // replay the path with log2_cost (or boost's cpp_int) for those figures.
  struct overflow_flags {
    bool naive_flops = false, opt_flops = false, largest_intermediate = false;
    bool steps = false;  // some step's flops or result_elements (see its `overflowed`)
    constexpr bool any() const { return naive_flops || opt_flops || largest_intermediate || steps; }
  } overflowed{};

  // The einsum of step i: "kl,jk->lj".
  std::string step_spec(std::size_t i) const {
    const auto s = steps[i];
    auto put = [&](std::span<const std::uint32_t> t) {
      std::string r;
      for (auto id : t) r += detail::label_text(labels[id]);
      return r;
    };
    std::string out;
    for (std::size_t k = 0; k < s.terms.size(); ++k) {
      if (k) out += ',';  // (not "," + put(...): GCC 12 -O3 warns falsely on that insert)
      out += put(s.terms[k]);
    }
    return out + "->" + put(s.result);
  }
};

namespace detail {
// (Sized vectors of trivial types are built as (n, 0): Clang rejects libstdc++ 12's
// default-fill of them in constant evaluation.)

// A path in static single assignment ids (inputs 0..n-1, then one new id a step), flat: each
// step is its operand count followed by its operands, all in one vector.
struct ssa_path {
  std::vector<std::uint32_t> data;
  std::size_t steps = 0;

  constexpr void reserve(std::size_t n) { data.reserve(3 * n); }
  constexpr std::size_t size() const { return steps; }
  constexpr void push_back(std::initializer_list<std::uint32_t> step) { push_back(step.begin(), step.end()); }
  constexpr void push_back(const std::vector<std::uint32_t>& step) { push_back(step.data(), step.data() + step.size()); }
  constexpr void push_back(const std::uint32_t* first, const std::uint32_t* last) {
    data.push_back(static_cast<std::uint32_t>(last - first));
    data.insert(data.end(), first, last);
    ++steps;
  }
};

template <class Cost>
constexpr Cost cost_of(count c) {
  return cost_traits<Cost>::from_count(c);
}

// A reported figure: exact while it fits. A count beyond 2^128 - 1 holds that value and is
// flagged `over` (a factor 0 makes it exact again); other cost types just compute.
template <class Cost>
struct figure {
  Cost value;
  bool over = false;

  constexpr void mul(const Cost& f) {
    if constexpr (std::is_same_v<Cost, count>) {
      detail::u128 r = 0;
      if (f == count(0)) *this = {count(0), false};
      else if (!over && __builtin_mul_overflow(value.rep_value(), f.rep_value(), &r)) *this = {count::from_rep(count::max_rep), true};
      else if (!over) value = count::from_rep(r);
    } else {
      value = value * f;
    }
  }
  constexpr void add(const figure& o) {
    if constexpr (std::is_same_v<Cost, count>) {
      detail::u128 r = 0;
      over = over || o.over || __builtin_add_overflow(value.rep_value(), o.value.rep_value(), &r);
      value = over ? count::from_rep(count::max_rep) : count::from_rep(r);
    } else {
      value = value + o.value;
    }
  }
  // flop_count(value, n_terms, inner): the one formula, on a flagged figure.
  constexpr figure flops(std::size_t n_terms, bool inner) const {
    figure f{Cost(1u)};
    f.mul(flop_count(Cost(1u), n_terms, inner));
    f.mul(value);
    f.over = f.over || (over && !(value == Cost(0u)));
    return f;
  }
};

// Product of the sizes of the labels in a set.
template <class Cost, std::size_t W>
struct path_problem {
  std::vector<label_set<W>> in;
  label_set<W> out;
  std::vector<Cost> size;
  constexpr Cost size_of(const label_set<W>& s) const {
    return product([&](auto&& f) { s.for_each(f); });
  }
  constexpr Cost size_of(std::span<const std::uint32_t> ids) const {
    return product([&](auto&& f) {
      for (auto d : ids) f(d);
    });
  }
  // The product of the sizes of the ids that for_each(f) passes to f.
  template <class ForEach>
  constexpr Cost product(ForEach for_each) const {
    if constexpr (std::is_same_v<Cost, count>) {
      // On raw values (GCC moves a count through memory at each step, a store-forwarding
      // stall), in 64 bits while the product fits, then in checked 128-bit arithmetic.
      std::uint64_t narrow = 1;
      detail::u128 p = 0;
      bool wide = false;
      for_each([&](std::uint32_t id) {
        const detail::u128 v = size[id].rep_value();
        std::uint64_t t = 0;
        if (!wide && (v >> 64) == 0 && !__builtin_mul_overflow(narrow, static_cast<std::uint64_t>(v), &t)) {
          narrow = t;
          return;
        }
        if (!wide) p = narrow, wide = true;
        p = count::mul_rep(p, v);
      });
      return count::from_rep(wide ? p : detail::u128{narrow});
    } else if constexpr (std::is_same_v<Cost, log2_cost>) {
      double l = 0;  // log2 of a product: a sum (a size 0 gives -inf, the log2 of 0)
      for_each([&](std::uint32_t id) { l += size[id].log2(); });
      return log2_cost::from_log2(l);
    } else {
      Cost p(1u);
      for_each([&](std::uint32_t id) { p = p * size[id]; });
      return p;
    }
  }
};

// a - b - c as a sign and magnitude (the greedy heuristic; costs are unsigned).
template <class Cost>
struct signed_cost {
  bool negative = false;
  Cost magnitude{};
  static constexpr signed_cost diff(const Cost& a, const Cost& b) {
    if (b < a || b == a) return {false, a - b};
    return {true, b - a};
  }
  // a - b - c. For log2 costs in one pass (one log2 call instead of two): scaled by the
  // largest term, the others are exp2 of their distance to it.
  static constexpr signed_cost diff(const Cost& a, const Cost& b, const Cost& c) {
    if constexpr (std::is_same_v<Cost, log2_cost>) {
      const double la = a.log2(), lb = b.log2(), lc = c.log2();
      const double m = la > lb ? (la > lc ? la : lc) : (lb > lc ? lb : lc);
      if (a.is_zero() && b.is_zero() && c.is_zero()) return {};
      auto scaled = [m](double l) { return l == m ? 1.0 : std::exp2(l - m); };
      const double v = scaled(la) - scaled(lb) - scaled(lc);
      return {v < 0, log2_cost::from_log2(m + std::log2(v < 0 ? -v : v))};
    } else {
      return diff(a, b + c);
    }
  }
  friend constexpr bool operator<(const signed_cost& x, const signed_cost& y) {
    if (x.negative != y.negative) return x.negative;
    return x.negative ? y.magnitude < x.magnitude : x.magnitude < y.magnitude;
  }
  friend constexpr bool operator==(const signed_cost& x, const signed_cost& y) {
    return x.negative == y.negative && x.magnitude == y.magnitude;
  }
};

// opt_einsum's ssa_to_linear: static single assignment ids -> recycled positions.
constexpr linear_path ssa_to_linear(const ssa_path& ssa, std::size_t n_inputs) {
  std::vector<std::uint32_t> ids(n_inputs, 0);
  for (std::size_t i = 0; i < n_inputs; ++i) ids[i] = static_cast<std::uint32_t>(i);
  auto next = static_cast<std::uint32_t>(n_inputs);
  linear_path path;
  path.reserve(ssa.size(), ssa.data.size() - ssa.size());
  std::vector<std::size_t> con;
  for (std::size_t at = 0; at < ssa.data.size(); at += 1 + ssa.data[at]) {
    con.clear();
    for (std::size_t i = at + 1; i <= at + ssa.data[at]; ++i)
      con.push_back(static_cast<std::size_t>(std::lower_bound(ids.begin(), ids.end(), ssa.data[i]) - ids.begin()));
    std::sort(con.begin(), con.end());
    for (auto it = con.rbegin(); it != con.rend(); ++it) ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(*it));
    ids.push_back(next++);
    path.push_back(con);
  }
  return path;
}

// Open-addressing map from label sets to small integers (constexpr: no std::unordered_map).
// The table holds hashes and positions only; the keys (up to 128 bytes each) sit once in a
// packed list, so growing the table moves 16 bytes a key.
template <std::size_t W>
class set_index {
  struct slot {
    std::uint64_t hash = 0;
    std::uint32_t at = 0;  // position in keys_ and values_, + 1; 0 = empty
  };
  std::vector<slot> slots_ = std::vector<slot>(16);
  std::vector<label_set<W>> keys_;
  std::vector<std::uint32_t> values_;

  constexpr std::size_t probe(const label_set<W>& k, std::uint64_t h) const {
    std::size_t i = static_cast<std::size_t>(h) & (slots_.size() - 1);
    while (slots_[i].at != 0 && !(slots_[i].hash == h && keys_[slots_[i].at - 1] == k))
      i = (i + 1) & (slots_.size() - 1);
    return i;
  }

 public:
  static constexpr std::uint32_t npos = ~std::uint32_t{0};
  constexpr set_index() = default;
  constexpr explicit set_index(std::size_t expected) {  // room for `expected` keys, no regrowth
    std::size_t n = 16;
    while (n < 2 * expected + 2) n *= 2;
    slots_.assign(n, slot{});
    keys_.reserve(expected);
    values_.reserve(expected);
  }
  constexpr std::uint32_t find(const label_set<W>& k) const {
    const std::size_t i = probe(k, k.hash());
    return slots_[i].at != 0 ? values_[slots_[i].at - 1] : npos;
  }
  constexpr void insert(const label_set<W>& k, std::uint32_t v) {
    const std::uint64_t h = k.hash();
    std::size_t i = probe(k, h);
    if (slots_[i].at != 0) {
      values_[slots_[i].at - 1] = v;
      return;
    }
    keys_.push_back(k);
    values_.push_back(v);
    if (2 * keys_.size() > slots_.size()) {
      slots_.assign(slots_.size() * 2, slot{});
      for (std::uint32_t j = 0; j < keys_.size(); ++j) {
        const std::uint64_t hj = keys_[j].hash();
        std::size_t x = static_cast<std::size_t>(hj) & (slots_.size() - 1);
        while (slots_[x].at != 0) x = (x + 1) & (slots_.size() - 1);
        slots_[x] = {hj, j + 1};
      }
      return;
    }
    slots_[i] = {h, static_cast<std::uint32_t>(keys_.size())};
  }
};

// ---- greedy: opt_einsum's ssa_greedy_optimize, same heuristic and tie-breaking ---------------
template <class Cost, std::size_t W>
constexpr ssa_path greedy_ssa(const path_problem<Cost, W>& p) {
  const std::size_t n = p.in.size();
  ssa_path path;
  if (n == 1) {
    path.push_back({0});
    return path;
  }
  // An index on every tensor can only go in the last step: treat it as an output index.
  label_set<W> common = p.in[0];
  for (const auto& s : p.in) common = common & s;
  const label_set<W> output = p.out | common;

  // Index sets as ascending id lists, runs of one pool: tensors hold a few indices of up to
  // 1024, and the queue holds a set per candidate.
  struct run {
    std::uint32_t at = 0, len = 0;
  };
  std::vector<std::uint32_t> pool;
  pool.reserve(8 * n);
  auto ids_of = [&](run r) { return std::span<const std::uint32_t>(pool.data() + r.at, r.len); };
  auto dense = [&](run r) {
    label_set<W> s;
    for (auto d : ids_of(r)) s.set(d);
    return s;
  };

  struct tensor {
    run key;
    std::uint32_t ssa;
    bool alive;
    Cost footprint;
  };
  std::vector<tensor> t;           // one per distinct key ever seen (a handle)
  t.reserve(2 * n);
  set_index<W> handle_of(2 * n);   // key -> handle (at most one new key a step)
  path.reserve(n);
  auto next = static_cast<std::uint32_t>(n);

  // Identical index sets are multiplied elementwise first (Hadamard products).
  for (std::uint32_t id = 0; id < n; ++id) {
    const std::uint32_t h = handle_of.find(p.in[id]);
    if (h != set_index<W>::npos) {
      path.push_back({t[h].ssa, id});
      t[h].ssa = next++;
    } else {
      handle_of.insert(p.in[id], static_cast<std::uint32_t>(t.size()));
      const auto at = static_cast<std::uint32_t>(pool.size());
      p.in[id].for_each([&](std::uint32_t d) { pool.push_back(d); });
      t.push_back({{at, static_cast<std::uint32_t>(pool.size()) - at}, id, true, p.size_of(p.in[id])});
    }
  }
  const std::size_t n_labels = p.size.size();
  auto for_each_summed = [&](run r, auto f) {
    for (auto d : ids_of(r))
      if (!output.test(d)) f(d);
  };
  // The live tensors holding each summed index, in one array: index d's list starts at
  // first[d] and never outgrows its first length, as a contraction drops both operands from
  // the lists of their indices before its result joins those of its own (all among theirs).
  // len[d] is opt_einsum's reference count of d.
  std::vector<std::uint32_t> first(n_labels + 1, 0), len(n_labels, 0);
  for (const auto& x : t) for_each_summed(x.key, [&](std::uint32_t d) { ++first[d + 1]; });
  for (std::size_t d = 0; d < n_labels; ++d) first[d + 1] += first[d];
  std::vector<std::uint32_t> holders(first[n_labels], 0);
  auto hold = [&](std::uint32_t d, std::uint32_t h) { holders[first[d] + len[d]++] = h; };
  auto drop = [&](std::uint32_t d, std::uint32_t h) {
    std::uint32_t* v = holders.data() + first[d];
    for (std::uint32_t i = 0; i < len[d]; ++i)
      if (v[i] == h) {
        v[i] = v[--len[d]];
        return;
      }
  };
  for (std::uint32_t h = 0; h < t.size(); ++h) for_each_summed(t[h].key, [&](std::uint32_t d) { hold(d, h); });

  struct candidate {
    signed_cost<Cost> cost;
    std::uint32_t id2, id1, h1, h2;
    run k12;
  };
  auto before = [](const candidate& a, const candidate& b) {  // a < b
    if (a.cost < b.cost) return true;
    if (b.cost < a.cost) return false;
    if (a.id2 != b.id2) return a.id2 < b.id2;
    return a.id1 < b.id1;
  };
  auto heap_cmp = [&](const candidate& a, const candidate& b) { return before(b, a); };
  std::vector<candidate> queue;

  // The result of contracting h1 and h2 keeps the output indices and those some other live
  // tensor holds (opt_einsum: reference count >= 3 on both operands, >= 2 on one). Written to
  // k12 (room for n_labels ids); returns its length.
  auto result_of = [&](std::uint32_t h1, std::uint32_t h2, std::uint32_t* k12) {
    const auto a = ids_of(t[h1].key), b = ids_of(t[h2].key);
    std::uint32_t* out = k12;
    std::size_t i = 0, j = 0;
    auto keep = [&](std::uint32_t d, std::uint32_t refs) {
      *out = d;
      out += len[d] >= refs || output.test(d);
    };
    while (i < a.size() && j < b.size()) {
      if (a[i] < b[j]) keep(a[i++], 2);
      else if (b[j] < a[i]) keep(b[j++], 2);
      else keep(a[i++], 3), ++j;
    }
    while (i < a.size()) keep(a[i++], 2);
    while (j < b.size()) keep(b[j++], 2);
    return static_cast<std::uint32_t>(out - k12);
  };
  auto make = [&](std::uint32_t h1, std::uint32_t h2, const Cost& size12) {
    candidate c{signed_cost<Cost>::diff(size12, t[h1].footprint, t[h2].footprint), 0, 0, h1, h2, {}};
    std::uint32_t id1 = t[h1].ssa, id2 = t[h2].ssa;
    if (id1 > id2) {
      std::swap(c.h1, c.h2);
      std::swap(id1, id2);
    }
    c.id1 = id1;
    c.id2 = id2;
    return c;
  };
  std::vector<std::uint32_t> k12_buffers(2 * n_labels, 0);
  std::uint32_t* best_k12 = k12_buffers.data();
  std::uint32_t* try_k12 = best_k12 + n_labels;
  auto push_best = [&](std::uint32_t h1, const std::uint32_t* from, const std::uint32_t* to) {
    if (from == to) return;
    candidate best;
    if constexpr (std::is_same_v<Cost, log2_cost>) {
      // A log2 size is a sum, so each partner costs only its own indices: the result holds
      // what h1 keeps (reference count >= 2 or output), less the indices only the pair held,
      // plus what h2 alone keeps. (h1's result grows large in big networks, h2's stay small.)
      const label_set<W> in1 = dense(t[h1].key);
      double kept1 = 0;
      for (auto d : ids_of(t[h1].key))
        if (len[d] >= 2 || output.test(d)) kept1 += p.size[d].log2();
      for (const std::uint32_t* h2 = from; h2 != to; ++h2) {
        double l = kept1;
        for (auto d : ids_of(t[*h2].key)) {
          const bool out = output.test(d);
          if (in1.test(d)) l -= out || len[d] >= 3 ? 0.0 : p.size[d].log2();
          else l += out || len[d] >= 2 ? p.size[d].log2() : 0.0;
        }
        const candidate c = make(h1, *h2, log2_cost::from_log2(l));
        if (h2 == from || before(c, best)) best = c;
      }
      best.k12.len = result_of(best.h1, best.h2, best_k12);
    } else {
      for (const std::uint32_t* h2 = from; h2 != to; ++h2) {
        const std::uint32_t n12 = result_of(h1, *h2, try_k12);
        const candidate c = make(h1, *h2, p.size_of(std::span<const std::uint32_t>(try_k12, n12)));
        if (h2 == from || before(c, best)) {
          best = c;
          best.k12.len = n12;
          std::swap(best_k12, try_k12);
        }
      }
    }
    best.k12.at = static_cast<std::uint32_t>(pool.size());
    pool.insert(pool.end(), best_k12, best_k12 + best.k12.len);
    queue.push_back(best);
    std::push_heap(queue.begin(), queue.end(), heap_cmp);
  };

  // (Sorted in place: later uses do not depend on the order, push_best's is total.)
  for (std::uint32_t d = 0; d < n_labels; ++d) {
    std::uint32_t* keys = holders.data() + first[d];
    std::sort(keys, keys + len[d], [&](std::uint32_t a, std::uint32_t b) { return t[a].ssa < t[b].ssa; });
    for (std::size_t i = 0; i + 1 < len[d]; ++i) push_best(keys[i], keys + i + 1, keys + len[d]);
  }

  std::vector<std::uint32_t> k2s;
  std::vector<std::uint32_t> seen(t.size() + n, 0);
  std::uint32_t stamp = 0;
  while (!queue.empty()) {
    std::pop_heap(queue.begin(), queue.end(), heap_cmp);
    const candidate c = queue.back();
    queue.pop_back();
    if (!t[c.h1].alive || !t[c.h2].alive) continue;  // obsolete
    const std::uint32_t s1 = t[c.h1].ssa, s2 = t[c.h2].ssa;
    t[c.h1].alive = false;
    t[c.h2].alive = false;
    for_each_summed(t[c.h1].key, [&](std::uint32_t d) { drop(d, c.h1); });
    for_each_summed(t[c.h2].key, [&](std::uint32_t d) { drop(d, c.h2); });
    path.push_back({s1, s2});
    const std::uint32_t id12 = next++;
    const label_set<W> k12 = dense(c.k12);
    std::uint32_t h12 = handle_of.find(k12);
    if (h12 != set_index<W>::npos && t[h12].alive) {
      path.push_back({t[h12].ssa, id12});
      t[h12].ssa = next++;
    } else {
      const tensor made{c.k12, id12, true, p.size_of(ids_of(c.k12))};
      if (h12 == set_index<W>::npos) {
        h12 = static_cast<std::uint32_t>(t.size());
        handle_of.insert(k12, h12);
        t.push_back(made);
        seen.push_back(0);
      } else {
        t[h12] = made;
      }
      for_each_summed(c.k12, [&](std::uint32_t d) { hold(d, h12); });
    }
    // New candidates: the best partner of the new tensor.
    ++stamp;
    k2s.clear();
    seen[h12] = stamp;
    for_each_summed(c.k12, [&](std::uint32_t d) {
      for (std::uint32_t i = first[d]; i < first[d] + len[d]; ++i)
        if (const std::uint32_t h = holders[i]; seen[h] != stamp) {
          seen[h] = stamp;
          k2s.push_back(h);
        }
    });
    push_best(h12, k2s.data(), k2s.data() + k2s.size());
  }

  // Outer products of what is left, smallest first.
  struct outer {
    Cost size;
    std::uint32_t ssa;
    label_set<W> key;
  };
  auto outer_after = [](const outer& a, const outer& b) {
    if (b.size < a.size) return true;
    if (a.size < b.size) return false;
    return a.ssa > b.ssa;
  };
  std::vector<outer> fq;
  for (const auto& x : t)
    if (x.alive) {
      const label_set<W> key = dense(x.key);
      fq.push_back({p.size_of(key & output), x.ssa, key});
    }
  std::make_heap(fq.begin(), fq.end(), outer_after);
  std::pop_heap(fq.begin(), fq.end(), outer_after);
  outer a = fq.back();
  fq.pop_back();
  while (!fq.empty()) {
    std::pop_heap(fq.begin(), fq.end(), outer_after);
    const outer b = fq.back();
    fq.pop_back();
    path.push_back({std::min(a.ssa, b.ssa), std::max(a.ssa, b.ssa)});
    const label_set<W> k12 = (a.key | b.key) & output;
    outer made{p.size_of(k12), next++, k12};
    if (!fq.empty() && outer_after(made, fq.front())) {  // heappushpop
      std::pop_heap(fq.begin(), fq.end(), outer_after);
      a = fq.back();
      fq.back() = made;
      std::push_heap(fq.begin(), fq.end(), outer_after);
    } else {
      a = made;
    }
  }
  return path;
}

// ---- greedy under a memory limit: opt_einsum's BranchBound(nbranch=1) ----------------------------
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

// ---- optimal: dynamic programming over all subsets ---------------------------------------------
template <class Cost, std::size_t W>
constexpr ssa_path optimal_ssa(const path_problem<Cost, W>& p, const std::optional<Cost>& limit, bool pre_reduce) {
  const std::size_t n = p.in.size();
  if (n > 20 || (std::size_t{1} << n) * W > (std::size_t{1} << 22))
    TXMATH_FAIL(txmath_error_einsum_too_many_operands_for_optimal_use_dp_or_greedy, invalid_argument,
                "txmath: the optimal contraction order of " + std::to_string(n) +
                    " operands is too costly to search (3^n work; at most 20 operands, fewer with "
                    "many indices): use path_optimizer::dp or path_optimizer::greedy");
  const std::uint32_t full = static_cast<std::uint32_t>((std::uint64_t{1} << n) - 1);
  const std::size_t N = std::size_t{full} + 1;
  std::vector<label_set<W>> uni(N), keep(N);
  for (std::uint32_t s = 1; s <= full; ++s) uni[s] = uni[s & (s - 1)] | p.in[static_cast<std::size_t>(std::countr_zero(s))];
  for (std::uint32_t s = 1; s <= full; ++s) keep[s] = uni[s] & (p.out | uni[full ^ s]);

  std::vector<Cost> cost(N);
  std::vector<unsigned char> ok(N, 0), flags(N, 0);
  std::vector<std::uint32_t> split(N, 0);
  // A leaf may be pre-reduced over indices only it carries (a one-operand step).
  std::vector<Cost> reduce_cost(n);
  std::vector<unsigned char> reducible(n, 0);
  for (std::size_t j = 0; j < n; ++j) {
    const std::uint32_t s = std::uint32_t{1} << j;
    ok[s] = 1;
    reducible[j] = pre_reduce && !(keep[s] == p.in[j]);
    if (reducible[j]) reduce_cost[j] = flop_count(p.size_of(p.in[j]), 1, true);
  }
  for (std::uint32_t s = 1; s <= full; ++s) {
    if (std::popcount(s) < 2) continue;
    if (limit && *limit < p.size_of(keep[s])) continue;  // this intermediate is too big
    const std::uint32_t low = s & (~s + 1), rest = s ^ low;
    bool found = false;
    Cost best{};
    for (std::uint32_t sub = (rest - 1) & rest;; sub = (sub - 1) & rest) {
      const std::uint32_t a = low | sub, b = rest ^ sub;
      if (ok[a] && ok[b]) {
        const Cost base = cost[a] + cost[b];
        if (!found || base < best) {
          const bool la = std::popcount(a) == 1, lb = std::popcount(b) == 1;
          const std::size_t ja = static_cast<std::size_t>(std::countr_zero(a)), jb = static_cast<std::size_t>(std::countr_zero(b));
          for (unsigned f = 0; f < 4; ++f) {
            const bool ra = f & 1u, rb = f & 2u;
            if ((ra && !(la && reducible[ja])) || (rb && !(lb && reducible[jb]))) continue;
            const label_set<W> sa = la && !ra ? p.in[ja] : keep[a];
            const label_set<W> sb = lb && !rb ? p.in[jb] : keep[b];
            const label_set<W> u = sa | sb;
            Cost c = base + flop_count(p.size_of(u), 2, !u.subset_of(keep[s]));
            if (ra) c = c + reduce_cost[ja];
            if (rb) c = c + reduce_cost[jb];
            if (!found || c < best) {
              found = true;
              best = c;
              split[s] = a;
              flags[s] = static_cast<unsigned char>(f);
            }
          }
        }
      }
      if (sub == 0) break;
    }
    if (found) {
      ok[s] = 1;
      cost[s] = best;
    }
  }

  // With a memory limit, the last step may contract several groups at once (opt_einsum's
  // 'optimal' falls back to that when a pairwise result is too big).
  std::vector<std::uint32_t> groups;
  if (limit) {
    const Cost P = p.size_of(uni[full]);
    const bool inner = (uni[full] - p.out).any();
    std::vector<Cost> h(N);
    std::vector<std::uint32_t> pick(N, 0);
    for (std::uint32_t s = 1; s <= full; ++s) {
      const std::uint32_t low = s & (~s + 1), rest = s ^ low;
      bool found = false;
      for (std::uint32_t sub = rest;; sub = (sub - 1) & rest) {
        const std::uint32_t g = low | sub;
        if (ok[g] && !(s == full && g == full)) {
          const Cost c = cost[g] + P + h[s ^ g];
          if (!found || c < h[s]) {
            found = true;
            h[s] = c;
            pick[s] = g;
          }
        }
        if (sub == 0) break;
      }
    }
    if (n >= 2) {
      const Cost nary = h[full] - P + (inner ? P : Cost(0u));
      if (!ok[full] || nary < cost[full])
        for (std::uint32_t s = full; s; s ^= pick[s]) groups.push_back(pick[s]);
    }
  }

  ssa_path path;
  path.reserve(2 * n);
  auto next = static_cast<std::uint32_t>(n);
  struct emitter {
    const std::vector<std::uint32_t>& split;
    const std::vector<unsigned char>& flags;
    ssa_path& path;
    std::uint32_t& next;
    constexpr std::uint32_t run(std::uint32_t s) {
      if (std::popcount(s) == 1) return static_cast<std::uint32_t>(std::countr_zero(s));
      const std::uint32_t a = split[s], b = s ^ a;
      std::uint32_t ia = run(a);
      if (flags[s] & 1u) {
        path.push_back({ia});
        ia = next++;
      }
      std::uint32_t ib = run(b);
      if (flags[s] & 2u) {
        path.push_back({ib});
        ib = next++;
      }
      path.push_back({ia, ib});
      return next++;
    }
  } e{split, flags, path, next};
  if (groups.empty()) {
    if (n >= 2) e.run(full);
    else path.push_back({0});
  } else {
    std::vector<std::uint32_t> ids;
    for (auto g : groups) ids.push_back(e.run(g));
    std::sort(ids.begin(), ids.end());
    path.push_back(ids);
  }
  return path;
}

// dp's cost caps, opt_einsum's sequence: from the elements of the group's output indices,
// times the smallest index size (at least 2) a round. A cap is held at the largest count where
// the product overflows (a cap that admits every tree a count can cost): raising never throws.
template <class Cost>
struct dp_caps {
  Cost cap, increment;

  template <std::size_t W>
  static constexpr dp_caps of(const path_problem<Cost, W>& p, const label_set<W>& g_inds) {
    dp_caps c{p.size_of(g_inds & p.out), Cost(2u)};
    if (c.cap < Cost(1u)) c.cap = Cost(1u);  // (a size 0 would hold every cap at 0 for ever)
    bool any = false;
    Cost lo{};
    g_inds.for_each([&](std::uint32_t d) {
      if (!any || p.size[d] < lo) lo = p.size[d];
      any = true;
    });
    if (any && Cost(2u) < lo) c.increment = lo;
    return c;
  }
  constexpr Cost next() const {
    if constexpr (std::is_same_v<Cost, count>)
      if (count::from_rep(count::max_rep / increment.rep_value()) < cap) return count::from_rep(count::max_rep);
    return cap * increment;
  }
  // No tree costs less than its largest input (each input is in a step over all its indices),
  // so the caps below that are skipped; the caps stay those of the sequence, so the last round
  // is the same.
  template <std::size_t W>
  constexpr void skip_below_largest_input(const path_problem<Cost, W>& p, const std::vector<label_set<W>>& inputs,
                                          const std::vector<std::uint32_t>& g) {
    Cost largest = cap;
    for (auto k : g)
      if (const Cost e = p.size_of(inputs[k]); largest < e) largest = e;
    while (cap < largest && !(largest < next())) cap = next();
  }
  // After a round that found no tree: the next cap, or an error when no cap can help (only a
  // memory limit keeps a group from every tree).
  constexpr void raise(bool capped, const Cost& naive, const std::optional<Cost>& limit) {
    if (!capped || naive < cap || !(cap < next()))
      TXMATH_FAIL(txmath_error_einsum_no_contraction_order_fits_the_memory_limit, invalid_argument,
                  limit ? "txmath: no contraction order keeps every intermediate within memory_limit = " +
                              cost_traits<Cost>::to_string(*limit) + " elements: raise the limit"
                        : std::string("txmath: dp found no contraction tree under any cost cap (an internal "
                                      "error: please report it with the einsum)"));
    cap = next();
  }
};

// dp over one group of at most 8 tensors under the flops objective: dp_ssa's search (same
// caps, outer products when asked) on arrays of S entries indexed by subset, with no
// allocation. Returns how each subset of the best tree splits.
template <std::size_t W, std::size_t S>
struct small_group {
  std::uint64_t split[S]{};  // the first part of each subset
  label_set<W> legs;         // the indices of the result
};
template <class Cost, std::size_t W, std::size_t S>
constexpr small_group<W, S> dp_small_group(const path_problem<Cost, W>& p, const std::vector<label_set<W>>& inputs,
                                           const std::vector<std::uint32_t>& g, const std::optional<Cost>& limit,
                                           bool capped, bool search_outer, const Cost& naive) {
  const std::size_t m_g = g.size();
  label_set<W> uni_of[S]{}, legs[S]{};  // uni_of[s]: the indices of the inputs in s
  Cost cost[S]{};
  // The subsets of each size nn as found, at order[first[nn]], room for C(m_g, nn).
  std::uint64_t order[S]{};
  constexpr std::uint8_t binomial[9][9] = {{1},
                                          {1, 1},
                                          {1, 2, 1},
                                          {1, 3, 3, 1},
                                          {1, 4, 6, 4, 1},
                                          {1, 5, 10, 10, 5, 1},
                                          {1, 6, 15, 20, 15, 6, 1},
                                          {1, 7, 21, 35, 35, 21, 7, 1},
                                          {1, 8, 28, 56, 70, 56, 28, 8, 1}};
  std::size_t first[10]{}, n_of[9]{};
  for (std::size_t nn = 1; nn <= m_g; ++nn) first[nn] = first[nn - 1] + binomial[m_g][nn - 1];
  std::uint16_t made[S]{};  // the round that found each subset, from 1 (0: not found)
  // Most pairs fail the cost cap, which doubles decide first (as in dp_ssa): the cost and the
  // result size of each subset found (set when found, read only then).
  constexpr bool prefilter = std::is_same_v<Cost, count>;
  double cost_d[S], mem_d[S];
  small_group<W, S> r;
  const std::uint64_t all = (std::uint64_t{1} << m_g) - 1;
  for (std::uint64_t s = 1; s <= all; ++s) uni_of[s] = uni_of[s & (s - 1)] | inputs[g[static_cast<std::size_t>(std::countr_zero(s))]];
  for (std::size_t k = 0; k < m_g; ++k) {
    legs[std::uint64_t{1} << k] = inputs[g[k]];
    cost[std::uint64_t{1} << k] = Cost(0u);
    cost_d[std::uint64_t{1} << k] = 0;
    mem_d[std::uint64_t{1} << k] = prefilter && capped ? cost_traits<Cost>::to_double(p.size_of(inputs[g[k]])) : 0.0;
    order[first[1] + n_of[1]++] = std::uint64_t{1} << k;
  }
  dp_caps<Cost> caps{};  // (read only when capped)
  if (capped) {
    caps = dp_caps<Cost>::of(p, uni_of[all]);
    caps.skip_below_largest_input(p, inputs, g);
  }
  for (std::size_t round = 1;; ++round) {
    const Cost cap = caps.cap;  // (this round's, a local)
    const double cap_d = prefilter && capped ? cost_traits<Cost>::to_double(cap) * (1 + 1e-9) : 0.0;
    for (std::size_t nn = 2; nn <= m_g; ++nn)
      for (std::size_t m = 1; m <= nn / 2; ++m)
        for (std::size_t i = first[m], i_end = i + n_of[m], j_begin = first[nn - m], j_end = j_begin + n_of[nn - m];
             i < i_end; ++i)
          for (std::size_t j = j_begin; j < j_end; ++j) {
            const std::uint64_t s1 = order[i], s2 = order[j], s = s1 | s2;
            if ((s1 & s2) || (m == nn - m && !(s1 < s2))) continue;
            // A subset found in an earlier round is final: that round found it at its least
            // cost within a smaller cap, and the cost of a tree bounds those of its subtrees.
            if (std::size_t{made[s]} - 1 < round - 1) continue;  // (made in 1 .. round - 1)
            const label_set<W> cut = (legs[s1] & legs[s2]) - p.out;
            if (!search_outer && !cut.any()) continue;
            const label_set<W> uni = legs[s1] | legs[s2];
            const label_set<W> kept = uni - (cut - uni_of[all ^ s]);
            if constexpr (prefilter) if (capped) {  // (doubles err by far less than the margin)
              double shared = 1;
              (legs[s1] & legs[s2]).for_each([&](std::uint32_t d) { shared *= p.size[d].to_double(); });
              if (cost_d[s1] + cost_d[s2] + (uni == kept ? 1.0 : 2.0) * (mem_d[s1] * mem_d[s2] / shared) > cap_d)
                continue;
            }
            const Cost c = cost[s1] + cost[s2] + flop_count(p.size_of(uni), 2, !(uni == kept));
            if (capped && cap < c) continue;
            if (made[s] && !(c < cost[s])) continue;
            Cost mem{};
            if (limit || (prefilter && capped)) mem = p.size_of(kept);
            if (limit && *limit < mem) continue;
            if (!made[s]) order[first[nn] + n_of[nn]++] = s;
            made[s] = static_cast<std::uint16_t>(round);
            cost[s] = c;
            legs[s] = kept;
            if constexpr (prefilter) if (capped) {
              cost_d[s] = c.to_double();
              mem_d[s] = mem.to_double();
            }
            r.split[s] = s1;
          }
    if (m_g == 1 || made[all]) break;
    caps.raise(capped, naive, limit);
  }
  r.legs = legs[all];
  return r;
}

// dp's account of its work against path_options::budget. dp stops (and returns no path) when
// a group of connected tensors is beyond what it searches; `why` says which limit was met.
struct dp_work {
  enum class stop { none, budget, group_too_large, level_too_large };
  search_budget budget;
  stop why = stop::none;
  std::uint64_t pairs = 0;  // pairs of subsets examined so far
  std::uint64_t bytes = 0;  // memory held for subsets and waiting pairs (an estimate)
  std::size_t tensors = 0;  // the size of the group being searched
  std::size_t level = 0;    // the subset size being built when it stopped

  // Adds `n` pairs examined, with `held` bytes now held; false once over budget.
  constexpr bool charge(std::uint64_t n, std::uint64_t held) {
    pairs += n;
    bytes = held;
    if (pairs > budget.pairs || bytes > budget.bytes) why = stop::budget;
    return why == stop::none;
  }
  constexpr bool stopped() const { return why != stop::none; }
  constexpr void stop_at(stop w, std::size_t group, std::size_t lvl) {
    why = w;
    tensors = group;
    level = lvl;
  }
  // Why dp gave up, for a message (the caller adds what to do).
  std::string reason() const {
    switch (why) {
      case stop::group_too_large:
        return "dp searches connected groups of at most 64 tensors; this network has " + std::to_string(tensors) +
               " connected tensors";
      case stop::level_too_large:
        return "dp holds at most 2^24 subsets of one size; this network has " + std::to_string(level) + " of them";
      default:
        return "dp's search of this network is beyond its work budget: it had examined " + std::to_string(pairs) +
               " pairs of subsets and held about " + std::to_string(bytes >> 20) + " MiB when it reached subsets of " +
               std::to_string(level) + " of a group of " + std::to_string(tensors) + " tensors (budget: " +
               std::to_string(budget.pairs) + " pairs, " + std::to_string(budget.bytes >> 20) +
               " MiB, path_options::budget)";
    }
  }
};

// ---- dp: opt_einsum's DynamicProgramming, same enumeration order and cost capping -----------
template <class Cost, std::size_t W>
constexpr ssa_path dp_ssa(const path_problem<Cost, W>& p, const std::optional<Cost>& limit,
                          dp_minimize minimize, unsigned combo_factor, bool search_outer,
                          path_options::cost_cap use_cap, dp_work& work) {
  const std::size_t n = p.in.size();
  const std::size_t n_labels = p.size.size();
  // Indices on one input and not the output are summed first, in a one-operand step.
  label_set<W> once = p.out, twice;  // on at least one / two of the inputs and the output
  for (const auto& s : p.in) {
    twice = twice | (once & s);
    once = once | s;
  }
  const label_set<W> single = once - twice;

  // The contraction tree: leaves (optionally reduced) and pairs.
  struct node {
    int a = -1, b = -1;
    std::uint32_t leaf = 0;
    bool reduce = false;
  };
  std::vector<node> tree;
  std::vector<label_set<W>> inputs;      // after the one-operand reductions
  std::vector<int> contraction;          // tree node of each
  std::vector<int> done_nodes;           // inputs reduced to scalars
  tree.reserve(4 * n);
  inputs.reserve(n);
  contraction.reserve(n);
  for (std::uint32_t j = 0; j < n; ++j) {
    const label_set<W> reduced = p.in[j] - single;
    if (!reduced.any() && p.in[j].any()) {
      tree.push_back({-1, -1, j, true});
      done_nodes.push_back(static_cast<int>(tree.size() - 1));
    } else {
      inputs.push_back(reduced);
      tree.push_back({-1, -1, j, !(reduced == p.in[j])});
      contraction.push_back(static_cast<int>(tree.size() - 1));
    }
  }
  std::vector<int> sub_nodes = done_nodes;
  std::vector<Cost> sub_sizes(done_nodes.size(), Cost(1u));

  if (!inputs.empty()) {
    // Connected components (joined by summed indices), in opt_einsum's order.
    label_set<W> all;
    for (const auto& s : inputs) all = all | s;
    const label_set<W> i_sum = all - p.out;
    std::vector<std::vector<std::uint32_t>> subgraphs;
    std::vector<unsigned char> unused(inputs.size(), 1);
    for (std::uint32_t first = 0; first < inputs.size(); ++first) {
      if (!unused[first]) continue;
      unused[first] = 0;
      std::vector<std::uint32_t> g, q;
      g.reserve(inputs.size());
      q.reserve(inputs.size());
      q.push_back(first);
      while (!q.empty()) {
        const std::uint32_t j = q.back();
        q.pop_back();
        g.push_back(j);
        const label_set<W> tmp = i_sum & inputs[j];
        for (std::uint32_t k = 0; k < inputs.size(); ++k)
          if (unused[k] && tmp.intersects(inputs[k])) {
            unused[k] = 0;
            q.push_back(k);
          }
      }
      std::sort(g.begin(), g.end());
      subgraphs.push_back(std::move(g));
    }
    if (search_outer) {
      subgraphs.assign(1, {});
      for (std::uint32_t j = 0; j < inputs.size(); ++j) subgraphs[0].push_back(j);
    }

    // A bound of every tree's cost (held at the largest count where it overflows, as the caps).
    figure<Cost> naive{Cost(1u)};
    for (const auto& s : p.size) naive.mul(s);
    naive.mul(Cost(static_cast<unsigned>(inputs.size())));
    if (minimize == dp_minimize::combo || minimize == dp_minimize::limit) {
      naive.mul(Cost(combo_factor == 0 ? 1u : combo_factor));
      naive.add(naive);  // x (factor + 1) <= x 2 factor, and factor + 1 may not fit an unsigned
    }
    const Cost factor(combo_factor);

    for (const auto& g : subgraphs) {
      const std::size_t m_g = g.size();
      if (m_g > 64) {
        work.stop_at(dp_work::stop::group_too_large, m_g, 0);
        return {};
      }
      const bool capped = use_cap == path_options::cost_cap::on ||
                          (use_cap == path_options::cost_cap::auto_ && (minimize != dp_minimize::exact_flops || m_g > 6));
      if (W <= 4 && minimize == dp_minimize::exact_flops && m_g <= 8) {
        // A small group: arrays indexed by subset, sized to the group.
        auto add_tree = [&](const auto& r) {
          struct builder {
            std::vector<node>& tree;
            const std::uint64_t* split;
            const std::vector<int>& contraction;
            const std::vector<std::uint32_t>& g;
            constexpr int run(std::uint64_t s) {
              if (!(s & (s - 1))) return contraction[g[static_cast<std::size_t>(std::countr_zero(s))]];
              const int a = run(split[s]);
              const int b = run(s ^ split[s]);
              tree.push_back({a, b, 0, false});
              return static_cast<int>(tree.size() - 1);
            }
          } b{tree, r.split, contraction, g};
          sub_nodes.push_back(b.run((std::uint64_t{1} << m_g) - 1));
          sub_sizes.push_back(p.size_of(r.legs));
        };
        if (m_g <= 4) add_tree(dp_small_group<Cost, W, 16>(p, inputs, g, limit, capped, search_outer, naive.value));
        else if (m_g <= 6) add_tree(dp_small_group<Cost, W, 64>(p, inputs, g, limit, capped, search_outer, naive.value));
        else add_tree(dp_small_group<Cost, W, 256>(p, inputs, g, limit, capped, search_outer, naive.value));
        continue;
      }
      // Which tensors of the component hold each label (bit k = g[k]).
      std::vector<std::uint64_t> holders(n_labels, 0);
      label_set<W> g_inds;
      for (std::size_t k = 0; k < m_g; ++k) {
        inputs[g[k]].for_each([&](std::uint32_t d) { holders[d] |= std::uint64_t{1} << k; });
        g_inds = g_inds | inputs[g[k]];
      }
      const std::uint64_t g_all = m_g == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << m_g) - 1;

      struct entry {
        std::uint64_t s;
        label_set<W> legs;
        Cost cost;
        int node;
        double cost_d = 0, mem_d = 1;  // cost and size of legs as doubles (the prefilter below)
      };
      constexpr std::uint32_t npos = ~std::uint32_t{0};  // no entry
      struct level {
        std::vector<entry> e;
        struct scan_t {                    // e[i].s and e[i].legs again, packed: the pair
          std::uint64_t s;                 // scan reads only these
          label_set<W> legs;
        };
        std::vector<scan_t> scan;
        struct slot_t {
          std::uint64_t key = 0;           // s + 1, 0 = empty
          std::uint32_t pos = 0;           // where that s is in e
        };
        std::vector<slot_t> slots;         // open addressing (none for leaves)
        constexpr void reserve(std::size_t n) {
          e.reserve(n);
          scan.reserve(n);
        }
        constexpr std::size_t slot(std::uint64_t s) const {
          std::size_t i = static_cast<std::size_t>((s * 0x9E3779B97F4A7C15ull) >> 20) & (slots.size() - 1);
          while (slots[i].key != 0 && slots[i].key != s + 1) i = (i + 1) & (slots.size() - 1);
          return i;
        }
        constexpr std::uint32_t find(std::uint64_t s) const {
          if (slots.empty()) return ~std::uint32_t{0};
          const slot_t& x = slots[slot(s)];
          return x.key ? x.pos : ~std::uint32_t{0};
        }
        constexpr void set(std::uint32_t k, const entry& x) {
          e[k] = x;
          scan[k].legs = x.legs;
        }
        constexpr void push(const entry& x) {
          e.push_back(x);
          scan.push_back({x.s, x.legs});
        }
        constexpr void add(const entry& x) {
          if (2 * (e.size() + 1) > slots.size()) {
            slots.assign(slots.empty() ? 16 : slots.size() * 2, slot_t{});
            for (std::uint32_t k = 0; k < e.size(); ++k) slots[slot(e[k].s)] = {e[k].s + 1, k};
          }
          slots[slot(x.s)] = {x.s + 1, static_cast<std::uint32_t>(e.size())};
          push(x);
        }
      };
      std::vector<level> x(m_g + 1);
      x[1].reserve(m_g);
      // Room for at most 64 subsets a level, about C(m_g, nn) below that: fewer regrowths.
      for (std::size_t nn = 2, c = m_g; nn <= m_g; ++nn) {
        c = c * (m_g + 1 - nn) / nn;
        if (c > 64) c = 64;
        x[nn].reserve(c);
      }
      // Exact costs are 128-bit products; most pairs fail the cost cap, which doubles decide
      // first (below). Doubles err by far less than the margin, so no pair within the cap is
      // lost; a pair the doubles let through is decided exactly.
      constexpr bool prefilter = std::is_same_v<Cost, count>;
      std::vector<double> size_d(prefilter ? n_labels : 0, 0.0);
      if constexpr (prefilter)
        for (std::size_t d = 0; d < n_labels; ++d) size_d[d] = cost_traits<Cost>::to_double(p.size[d]);
      auto product_d = [&](const label_set<W>& set) {
        double r = 1;
        set.for_each([&](std::uint32_t d) { r *= size_d[d]; });
        return r;
      };
      for (std::size_t k = 0; k < m_g; ++k) {
        entry leaf{std::uint64_t{1} << k, inputs[g[k]], Cost(0u), contraction[g[k]]};
        if constexpr (prefilter) leaf.mem_d = product_d(leaf.legs);
        x[1].push(leaf);
      }

      dp_caps<Cost> caps{};  // (read only when capped)
      if (capped) caps = dp_caps<Cost>::of(p, g_inds);

      // The waiting pairs of each (level nn, part size m). Only for the flops objective: the
      // order in which pairs are tried decides which of two equally cheap trees is kept, and
      // there equal cost means equal FLOPs; under the other objectives opt_einsum's order is
      // kept exactly.
      struct pair_list {
        std::size_t rows = 0, cols = 0;  // the part of x[m] x x[nn - m] scanned
        // Joinable pairs over the caps so far: (key << 48) | (a << 24) | b for x[m].e[a] and
        // x[nn - m].e[b], `key` a lower bound of their cost (below).
        std::vector<std::uint64_t> pairs;
      };
      // A positive double's top 16 bits (sign, exponent, 4 bits of mantissa) order as the
      // double does: key(c) > key(cap) means c > cap. (0 without the doubles: always tried.)
      auto key_of = [](double c) -> std::uint64_t { return std::bit_cast<std::uint64_t>(c) >> 48; };
      const bool cache_pairs = capped && minimize == dp_minimize::exact_flops;
      if (cache_pairs) caps.skip_below_largest_input(p, inputs, g);  // (opt_einsum's caps otherwise)
      std::vector<pair_list> pairs(cache_pairs ? (m_g + 1) * (m_g + 1) : 0);
      std::vector<std::uint32_t> hits;  // (scratch of the pair scan)
      std::uint64_t waiting = 0;        // pairs waiting, all lists together
      auto held = [&] {
        return tree.size() * (sizeof(node) + sizeof(entry) + sizeof(typename level::scan_t) + sizeof(typename level::slot_t)) +
               waiting * sizeof(std::uint64_t);
      };
      work.tensors = m_g;
      while (true) {
        const Cost cap = caps.cap;  // (this round's, a local: the pair test below reads it often)
        const double cap_d = prefilter && capped ? cost_traits<Cost>::to_double(cap) * (1 + 1e-9) : 0.0;
        const std::uint64_t cap_key = prefilter ? key_of(cap_d) : 0;
        for (std::size_t nn = 2; nn <= m_g && !work.stopped(); ++nn) {
          level& xn = x[nn];
          // Joins e1 and e2 (disjoint; `cut`: their shared summed legs) into level nn when it
          // is the cheapest way to s within the cap.
          // Returns false when only this round's cap kept the pair out.
          auto try_pair = [&](const entry& e1, const entry& e2, const label_set<W>& cut) {
            if constexpr (prefilter) if (capped && !cache_pairs) {  // (waiting pairs are filtered)
              // A lower bound of the pair's cost in every mode (size: the larger part).
              double lb = e1.cost_d > e2.cost_d ? e1.cost_d : e2.cost_d;
              if (minimize != dp_minimize::size) lb = e1.cost_d + e2.cost_d;
              if (lb > cap_d) return false;
              if (minimize != dp_minimize::size && minimize != dp_minimize::write)
                if (lb + e1.mem_d * e2.mem_d / product_d(e1.legs & e2.legs) > cap_d) return false;  // + the union's size
            }
            const std::uint64_t s = e1.s | e2.s;
            const std::uint64_t r = g_all & ~s;
            const label_set<W> uni = e1.legs | e2.legs;
            auto legs_of = [&] {
              label_set<W> legs = uni;
              cut.for_each([&](std::uint32_t d) {
                if (!(holders[d] & r)) {
                  label_set<W> bit;
                  bit.set(d);
                  legs = legs - bit;
                }
              });
              return legs;
            };
            label_set<W> legs;
            Cost cost{}, mem{};
            bool have_legs = false;
            switch (minimize) {
              case dp_minimize::opt_einsum_flops:
                cost = e1.cost + e2.cost + p.size_of(uni);
                break;
              case dp_minimize::exact_flops:
                legs = legs_of();
                have_legs = true;
                cost = e1.cost + e2.cost + flop_count(p.size_of(uni), 2, !(uni == legs));
                break;
              case dp_minimize::size: {
                legs = legs_of();
                have_legs = true;
                mem = p.size_of(legs);
                cost = e1.cost;
                if (cost < e2.cost) cost = e2.cost;
                if (cost < mem) cost = mem;
                break;
              }
              case dp_minimize::write:
                legs = legs_of();
                have_legs = true;
                mem = p.size_of(legs);
                cost = e1.cost + e2.cost + mem;
                break;
              case dp_minimize::combo:
              case dp_minimize::limit: {
                legs = legs_of();
                have_legs = true;
                mem = p.size_of(legs);
                const Cost f = p.size_of(uni);
                const Cost w = factor * mem;
                const Cost step = minimize == dp_minimize::combo ? Cost(f + w) : (f < w ? w : f);
                cost = e1.cost + e2.cost + step;
                break;
              }
            }
            if (capped && cap < cost) return false;
            const std::uint32_t old = xn.find(s);
            if (old != npos && !(cost < xn.e[old].cost)) return true;
            if (!have_legs) {
              legs = legs_of();
              mem = p.size_of(legs);
            } else if (minimize == dp_minimize::exact_flops) {
              mem = p.size_of(legs);
            }
            if (limit && *limit < mem) return true;
            tree.push_back({e1.node, e2.node, 0, false});
            const int nd = static_cast<int>(tree.size() - 1);
            entry made{s, legs, cost, nd};
            if constexpr (prefilter) {
              made.cost_d = cost_traits<Cost>::to_double(cost);
              made.mem_d = cost_traits<Cost>::to_double(mem);
            }
            if (old != npos) xn.set(old, made);
            else xn.add(made);
            return true;
          };
          work.level = nn;
          for (std::size_t m = 1; m <= nn / 2 && !work.stopped(); ++m) {
            const level& x1 = x[m];
            const level& x2 = x[nn - m];
            const bool same_size = m == nn - m;
            // The pairs worth joining: disjoint, and sharing a summed index (or any, when
            // searching outer products).
            // (Sizes and arrays read once: the scan's stores could alias them for the compiler.)
            const std::size_t n1 = x1.e.size(), n2 = x2.e.size();
            const auto* scan1 = x1.scan.data();
            const auto* scan2 = x2.scan.data();
            auto joinable = [&](std::size_t a, std::size_t b, label_set<W>& cut) {
              const std::uint64_t s1 = scan1[a].s, s2 = scan2[b].s;
              if ((s1 & s2) || (same_size && !(s1 < s2))) return false;
              cut = (scan1[a].legs & scan2[b].legs) - p.out;
              return search_outer || cut.any();
            };
            label_set<W> cut;
            if (!cache_pairs) {
              if (!work.charge(std::uint64_t{n1} * n2, held())) break;
              for (std::size_t a = 0; a < n1; ++a)
                for (std::size_t b = 0; b < n2; ++b)
                  if (joinable(a, b, cut)) try_pair(x1.e[a], x2.e[b], cut);
              continue;
            }
            // Each cost-cap round scans again the same levels, grown a little. But a level's
            // entries never change after their round (a round finds every subset within its cap
            // at its least cost: a later round only adds subsets), so a joinable pair's cost is
            // known when it is found: it waits, with a lower bound of that cost, for a round
            // whose cap may admit it, and each round scans only the rows and columns added since.
            pair_list& known = pairs[nn * (m_g + 1) + m];
            std::size_t kept = 0;
            for (const std::uint64_t w : known.pairs) {
              if ((w >> 48) <= cap_key) {  // (most wait on: nothing else to compute for them)
                const std::size_t a = (w >> 24) & 0xFFFFFF, b = w & 0xFFFFFF;
                cut = (scan1[a].legs & scan2[b].legs) - p.out;
                if (try_pair(x1.e[a], x2.e[b], cut)) continue;
              }
              known.pairs[kept++] = w;
            }
            waiting -= known.pairs.size() - kept;
            known.pairs.resize(kept);
            if (n1 >> 24 || n2 >> 24) {
              work.stop_at(dp_work::stop::level_too_large, m_g, n1 > n2 ? n1 : n2);
              break;
            }
            const std::size_t rows = known.rows, cols = known.cols;
            // (Not resize: libstdc++ 12 writes the new elements before their lifetime begins,
            // which Clang's constant evaluator rejects.)
            if (hits.size() < n2) hits.assign(n2, 0);
            for (std::size_t a = 0; a < n1; ++a) {
              const std::size_t b0 = a < rows ? cols : 0, waited = known.pairs.size();
              if (!work.charge(n2 - b0, held())) break;
              // Row a's joinable pairs, found without a branch a pair (whose outcome is random).
              const std::uint64_t s1 = scan1[a].s;
              const label_set<W> legs1 = scan1[a].legs - p.out;
              std::size_t k = 0;
              for (std::size_t b = b0; b < n2; ++b) {
                const std::uint64_t s2 = scan2[b].s;
                hits[k] = static_cast<std::uint32_t>(b);
                k += static_cast<std::size_t>(((s1 & s2) == 0) & (!same_size | (s1 < s2)) &
                                              (search_outer | legs1.intersects(scan2[b].legs)));
              }
              for (std::size_t h = 0; h < k; ++h) {
                const std::size_t b = hits[h];
                const entry& e1 = x1.e[a];
                const entry& e2 = x2.e[b];
                cut = legs1 & scan2[b].legs;
                double cost_d = 0;  // (without the doubles every round tries the pair)
                if constexpr (prefilter) {
                  // The union's size, and flop_count's inner: a shared index no other tensor
                  // holds (in one pass over the shared indices).
                  const std::uint64_t r = g_all & ~(e1.s | e2.s);
                  double shared_size = 1;
                  bool summed = false;
                  (scan1[a].legs & scan2[b].legs).for_each([&](std::uint32_t d) {
                    shared_size *= size_d[d];
                    summed |= cut.test(d) && !(holders[d] & r);
                  });
                  cost_d = e1.cost_d + e2.cost_d + (summed ? 2.0 : 1.0) * (e1.mem_d * e2.mem_d / shared_size);
                }
                if ((prefilter && cost_d > cap_d) || !try_pair(e1, e2, cut))
                  known.pairs.push_back((key_of(cost_d) << 48) | (std::uint64_t{a} << 24) | b);
              }
              waiting += known.pairs.size() - waited;
            }
            known.rows = n1;
            known.cols = n2;
          }
        }
        if (work.stopped()) return {};
        if (!x[m_g].e.empty()) break;
        caps.raise(capped, naive.value, limit);
      }
      const entry& top = x[m_g].e.front();
      sub_nodes.push_back(top.node);
      sub_sizes.push_back(p.size_of(top.legs));
    }
  }

  // Join the parts by outer products, smallest first (stable, as Python's sorted).
  std::vector<std::size_t> order(sub_nodes.size(), 0);
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (std::size_t i = 1; i < order.size(); ++i)  // stable insertion sort (std::stable_sort is not constexpr)
    for (std::size_t j = i; j > 0 && sub_sizes[order[j]] < sub_sizes[order[j - 1]]; --j) std::swap(order[j], order[j - 1]);
  int root = sub_nodes[order[0]];
  for (std::size_t i = 1; i < order.size(); ++i) {
    tree.push_back({root, sub_nodes[order[i]], 0, false});
    root = static_cast<int>(tree.size() - 1);
  }
  ssa_path path;
  path.reserve(2 * n);
  auto next = static_cast<std::uint32_t>(n);
  struct emitter {
    const std::vector<node>& tree;
    ssa_path& path;
    std::uint32_t& next;
    constexpr std::uint32_t run(int id) {
      const node& nd = tree[static_cast<std::size_t>(id)];
      if (nd.a < 0) {
        if (!nd.reduce) return nd.leaf;
        path.push_back({nd.leaf});
        return next++;
      }
      const std::uint32_t a = run(nd.a);
      const std::uint32_t b = run(nd.b);
      path.push_back({a, b});
      return next++;
    }
  } e{tree, path, next};
  e.run(root);
  return path;
}

// The index sizes of a network as Cost.
template <class Cost>
constexpr std::vector<Cost> sizes_as(const einsum_network& net) {
  std::vector<Cost> size;
  size.resize(net.n_labels());
  for (std::size_t d = 0; d < net.n_labels(); ++d) size[d] = cost_of<Cost>(net.sizes[d]);
  return size;
}

// Checks a linear path as replay() reads it: step k names distinct operands among the
// `left` that remain; no step is empty; none comes after everything is one tensor.
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
// use every operand once and end with one tensor.
template <class Cost>
constexpr path_info<Cost> replay(const einsum_network& net, linear_path path, const std::vector<Cost>& size) {
  const std::size_t n_labels = net.n_labels(), n = net.operands();
  path_info<Cost> info;
  info.labels = net.labels;

  // Naive cost: one step over everything; "inner" when some index is on two inputs.
  // (stamp[d] == st: d seen in the current term; in_step[d] == k + 1: seen in step k; uni:
  // the distinct indices of the step, in order of first appearance. One allocation for all.)
  std::vector<std::uint32_t> scratch(4 * n_labels, 0);
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
  std::vector<std::uint32_t> list(n, 0);
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
  std::vector<std::size_t> con;
  for (std::size_t k = 0; k < n_steps; ++k) {
    con.assign(path[k].begin(), path[k].end());
    if (!std::is_sorted(con.begin(), con.end())) std::sort(con.begin(), con.end());
    check_path_step(net, k, con, list.size());
    steps.operands.push_back(con);
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

// The memory limit in elements as Cost (none: nullopt). A limit beyond any Cost is no limit.
template <class Cost>
constexpr std::optional<Cost> limit_of(const einsum_network& net, const std::vector<Cost>& size, const memory_limit& m) {
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

// The path `o` finds, or nothing when dp gave up (`work` says why).
template <class Cost, std::size_t W>
constexpr ssa_path search(const einsum_network& net, const std::vector<Cost>& size, const path_options& opt,
                          path_optimizer o, dp_work& work) {
  path_problem<Cost, W> p;
  p.in.reserve(net.operands());
  p.size = size;
  for (const auto& t : net.inputs) {
    label_set<W> s;
    for (auto d : t) s.set(d);
    p.in.push_back(s);
  }
  for (auto d : net.output) p.out.set(d);
  const std::optional<Cost> limit = limit_of(net, size, opt.limit);
  if (o == path_optimizer::optimal) return optimal_ssa(p, limit, opt.pre_reduce);
  if (o == path_optimizer::dp) {
    ssa_path ssa = dp_ssa(p, limit, opt.minimize, opt.combo_factor, opt.search_outer, opt.cap, work);
    if (!work.stopped()) return ssa;
    if (opt.optimize != path_optimizer::auto_)
      TXMATH_FAIL(txmath_error_einsum_dp_search_too_large_use_greedy, invalid_argument,
                  "txmath: einsum of " + std::to_string(net.operands()) + " operands: " + work.reason() +
                      ": use path_optimizer::greedy (path_optimizer::auto_ falls back to it)");
  }
  if (limit) return branch1_ssa(p, *limit);  // greedy, or auto_'s fallback from dp
  return greedy_ssa(p);
}

// Whether a search in count arithmetic cannot overflow: every cost it computes is at most the
// product of all index sizes, times a factor for the operands (a step's flop_count, a sum over
// the steps) and dp's combo_factor. An upper bound from bit widths, so it works at compile time.
constexpr bool search_fits_in_count(const einsum_network& net, const path_options& opt) {
  std::size_t bits = 2 * static_cast<std::size_t>(std::bit_width(net.operands())) + 3;
  for (const count& s : net.sizes) {
    const detail::u128 v = s.rep_value();  // (std::bit_width takes no __int128 under -std=c++20)
    const auto hi = static_cast<std::uint64_t>(v >> 64), lo = static_cast<std::uint64_t>(v);
    bits += hi ? 64 + static_cast<std::size_t>(std::bit_width(hi)) : static_cast<std::size_t>(std::bit_width(lo));
  }
  if (opt.minimize == dp_minimize::combo || opt.minimize == dp_minimize::limit)
    bits += static_cast<std::size_t>(std::bit_width(opt.combo_factor)) + 1;
  return bits <= 127;
}

// The search in Cost; for count, in log2_cost when count arithmetic overflows (then the search
// compares costs to ~15 significant digits, and the replay reports them exactly or flagged).
template <class Cost, std::size_t W>
constexpr ssa_path search_any_size(const einsum_network& net, const std::vector<Cost>& size, const path_options& opt,
                                   path_optimizer o, dp_work& work) {
  if constexpr (std::is_same_v<Cost, count>) {
    if (!std::is_constant_evaluated()) {
#if defined(__cpp_exceptions)
      try {
        return search<count, W>(net, size, opt, o, work);
      } catch (const overflow_error&) {
        work = dp_work{opt.budget};
      }
#else
      if (search_fits_in_count(net, opt)) return search<count, W>(net, size, opt, o, work);
#endif
      return search<log2_cost, W>(net, sizes_as<log2_cost>(net), opt, o, work);
    }
  }
  return search<Cost, W>(net, size, opt, o, work);
}

// Whether an index of some input has size 0: every path then has an order costing 0 FLOPs
// (the one step over every operand), which is the answer.
constexpr bool has_size_zero(const einsum_network& net) {
  for (const auto& t : net.inputs)
    for (auto d : t)
      if (net.sizes[d] == 0) return true;
  return false;
}

template <class Cost, std::size_t W>
constexpr path_info<Cost> contract_path_w(const einsum_network& net, const path_options& opt) {
  const std::vector<Cost> size = sizes_as<Cost>(net);
  const std::size_t n = net.operands();
  linear_path path;
  if (n <= 2 || has_size_zero(net)) {  // as opt_einsum for two: one step over everything
    for (std::size_t i = 0; i < n; ++i) path.add(i);
    path.close();
  } else {
    path_optimizer o = opt.optimize;
    if (o == path_optimizer::auto_) o = n <= 10 ? path_optimizer::optimal : n <= 20 ? path_optimizer::dp : path_optimizer::greedy;
    dp_work work{opt.budget};
    path = ssa_to_linear(search_any_size<Cost, W>(net, size, opt, o, work), n);
  }
  return replay<Cost>(net, std::move(path), size);
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
              "txmath: einsum '" + detail::utf8_prefix(net.str(), 60) + "...' has " + std::to_string(L) +
                  " distinct indices; path search handles at most 1024");
}

// The costs of a given path (linear ids, as opt_einsum).
template <class Cost = count>
constexpr path_info<Cost> contract_path(const einsum_network& net, linear_path path) {
  net.check_sizes();
  return detail::replay<Cost>(net, std::move(path), detail::sizes_as<Cost>(net));
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
