#pragma once
// The shared state of the path searches: a path in static single assignment ids, the
// network as label sets with their sizes, reported figures, and a map from label sets to ids.
#include <bit>

#include <txmath/einsum_path/report.hpp>

namespace txmath {
namespace detail {

// (Sized vectors of trivial types are built as (n, 0): Clang rejects libstdc++ 12's
// default-fill of them in constant evaluation.)

// A path in static single assignment ids (inputs 0..n-1, then one new id a step), flat: each
// step is its operand count followed by its operands, all in one vector (in place for the
// path of up to 8 operands: 3 ids a pairwise step, 2 a one-operand step, at most 5n - 3).
struct ssa_path {
  small_vector<std::uint32_t, 40> data;
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

// The bit width of a count: a product of counts is below 2^(the sum of their widths).
constexpr std::size_t bit_width_of(const count& c) {
  const u128 v = c.rep_value();  // (std::bit_width takes no __int128 under -std=c++20)
  const auto hi = static_cast<std::uint64_t>(v >> 64), lo = static_cast<std::uint64_t>(v);
  return hi ? 64 + static_cast<std::size_t>(std::bit_width(hi)) : static_cast<std::size_t>(std::bit_width(lo));
}
// The bit width of the product of every index size of a network: every product of distinct
// indices is below 2^(this), which bounds what a search or a replay can compute.
constexpr std::size_t sizes_bit_width(const einsum_network& net) {
  std::size_t bits = 0;
  for (const count& s : net.sizes) bits += bit_width_of(s);
  return bits;
}

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
      const detail::u128 a = value.rep_value(), b = f.rep_value();
      std::uint64_t narrow = 0;  // (in 64 bits where it fits: a 128-bit check costs more)
      if (b == 0) *this = {count(0), false};
      else if (over) return;
      else if (((a | b) >> 64) == 0 && !__builtin_mul_overflow(static_cast<std::uint64_t>(a), static_cast<std::uint64_t>(b), &narrow)) value = count::from_rep(narrow);
      else if (__builtin_mul_overflow(a, b, &r)) *this = {count::from_rep(count::max_rep), true};
      else value = count::from_rep(r);
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
  [[nodiscard]] constexpr Cost cost() const { return value; }
  // flop_count(value, n_terms, inner): the one formula, on a flagged figure.
  constexpr figure flops(std::size_t n_terms, bool inner) const {
    figure f{Cost(1u)};
    f.mul(flop_count(Cost(1u), n_terms, inner));
    f.mul(value);
    f.over = f.over || (over && !(value == Cost(0u)));
    return f;
  }
};

// A figure in 64 bits, for count arithmetic where the sizes bound every figure below 2^64
// (replay_fits_u64, short_path's three operands): figure<count>'s overflow checks and 128-bit
// products are then not needed. The same members as figure (value, over, mul, add, flops, cost).
struct narrow_figure {
  std::uint64_t value;
  static constexpr bool over = false;

  constexpr void mul(const count& f) { value *= static_cast<std::uint64_t>(f.rep_value()); }
  constexpr void add(const narrow_figure& o) { value += o.value; }
  constexpr narrow_figure flops(std::size_t n_terms, bool inner) const { return {flop_count(value, n_terms, inner)}; }
  [[nodiscard]] constexpr count cost() const { return count::from_rep(value); }
};
// The figure of value v, a figure<Cost> or a narrow_figure.
template <class Figure>
constexpr Figure figure_of(unsigned v) {
  if constexpr (std::is_same_v<Figure, narrow_figure>) return Figure{v};
  else return Figure{decltype(Figure::value)(v)};
}

// The network as label sets and the index sizes (in place up to 8 operands and 16 indices).
template <class Cost, std::size_t W>
struct path_problem {
  small_vector<label_set<W>, 8> in;
  label_set<W> out;
  small_vector<Cost, 16> size;
  constexpr Cost size_of(const label_set<W>& s) const {
    return product([&](auto&& f) { s.for_each(f); });
  }
  constexpr Cost size_of(std::span<const std::uint32_t> ids) const {
    return product([&](auto&& f) {
      for (auto d : ids) f(d);
    });
  }
  // (count:) the product of the sizes of ids, or false where it exceeds 2^128 - 1.
  constexpr bool size_fits(std::span<const std::uint32_t> ids, u128& product) const
    requires std::is_same_v<Cost, count>
  {
    return product_fits([&](auto&& f) {
      for (auto d : ids) f(d);
    }, product);
  }
  // (count:) the product of the sizes of the ids that for_each(f) passes to f, or false where
  // it exceeds 2^128 - 1. On raw values (GCC moves a count through memory at each step, a
  // store-forwarding stall), in 64 bits while the product fits, then in 128.
  template <class ForEach>
  constexpr bool product_fits(ForEach for_each, u128& product) const {
    std::uint64_t narrow = 1;
    u128 p = 0;
    bool wide = false, over = false;
    for_each([&](std::uint32_t id) {
      const u128 v = size[id].rep_value();
      std::uint64_t t = 0;
      if (!wide && (v >> 64) == 0 && !__builtin_mul_overflow(narrow, static_cast<std::uint64_t>(v), &t)) {
        narrow = t;
        return;
      }
      if (!wide) p = narrow, wide = true;
      over = over || __builtin_mul_overflow(p, v, &p);
    });
    product = wide ? p : u128{narrow};
    return !over;
  }
  // The product of the sizes of the ids that for_each(f) passes to f.
  template <class ForEach>
  constexpr Cost product(ForEach for_each) const {
    if constexpr (std::is_same_v<Cost, count>) {
      u128 p = 0;
      if (product_fits(for_each, p)) return count::from_rep(p);
      count c(1u);  // (again in checked arithmetic, for its message naming the factors)
      for_each([&](std::uint32_t id) { c = c * size[id]; });
      return c;
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
  double magnitude_log2() const { return log2_cost(magnitude).log2(); }  // (log2_cost, count)
  friend constexpr bool operator<(const signed_cost& x, const signed_cost& y) {
    if (x.negative != y.negative) return x.negative;
    return x.negative ? y.magnitude < x.magnitude : x.magnitude < y.magnitude;
  }
  friend constexpr bool operator==(const signed_cost& x, const signed_cost& y) {
    return x.negative == y.negative && x.magnitude == y.magnitude;
  }
};

// The ids still live in for_each_linear_step, kept sorted (a new id is the largest): an
// id's position is the count of live ids below it. Up to 32 operands the list itself (in place
// up to 16); beyond, a Fenwick tree over all of the path's ids, found and updated in log(ids) steps
// where the list took a binary search and an erase that moved its tail (greedy's paths: 1.8 us
// instead of 2.2 at 100 operands, 9.7 instead of 16.5 at 500; 0.33 instead of 0.30 at 20).
class live_list {
  small_vector<std::uint32_t, 16> ids_;

 public:
  constexpr explicit live_list(std::size_t n_inputs) : ids_(n_inputs, 0) {
    for (std::size_t i = 0; i < n_inputs; ++i) ids_[i] = static_cast<std::uint32_t>(i);
  }
  [[nodiscard]] constexpr std::size_t below(std::uint32_t id) const {
    return static_cast<std::size_t>(std::lower_bound(ids_.begin(), ids_.end(), id) - ids_.begin());
  }
  // A step: its ids out (at their positions `at`, ascending), `id` in.
  constexpr void step(std::span<const std::uint32_t>, const small_vector<std::size_t, 8>& at, std::uint32_t id) {
    for (auto it = at.rbegin(); it != at.rend(); ++it) ids_.erase(ids_.begin() + static_cast<std::ptrdiff_t>(*it));
    ids_.push_back(id);
  }
};
class live_tree {
  small_vector<std::uint32_t, 16> tree_;  // tree_[i]: the live ids among (i - lowbit(i), i], as id + 1

  static constexpr std::size_t low(std::size_t i) { return i & (~i + 1); }
  constexpr void add(std::uint32_t id, std::uint32_t delta) {  // (delta ~0u: minus one)
    for (std::size_t i = id + std::size_t{1}; i < tree_.size(); i += low(i)) tree_[i] += delta;
  }

 public:
  constexpr live_tree(std::size_t n_inputs, std::size_t n_ids) : tree_(n_ids + 1, 0) {
    for (std::size_t i = 1; i <= n_ids; ++i) {  // (in one pass: each node adds to its parent)
      tree_[i] += i <= n_inputs;
      if (const std::size_t up = i + low(i); up <= n_ids) tree_[up] += tree_[i];
    }
  }
  [[nodiscard]] constexpr std::size_t below(std::uint32_t id) const {
    std::size_t n = 0;
    for (std::size_t i = id; i > 0; i -= low(i)) n += tree_[i];
    return n;
  }
  constexpr void step(std::span<const std::uint32_t> out, const small_vector<std::size_t, 8>&, std::uint32_t id) {
    for (auto d : out) add(d, ~0u);
    add(id, 1);
  }
};

// An ssa path walked as linear steps: f(ids, positions) for each step, its ssa ids ascending
// and so its positions (those among the ids live before the step: opt_einsum's ssa_to_linear),
// the live ids in a live_list up to 32 operands, a live_tree beyond.
template <class Live, class F>
constexpr void for_each_linear_step(const ssa_path& ssa, std::size_t n_inputs, Live live, F&& f) {
  auto next = static_cast<std::uint32_t>(n_inputs);
  small_vector<std::uint32_t, 8> ids;
  small_vector<std::size_t, 8> con;
  for (std::size_t at = 0; at < ssa.data.size(); at += 1 + ssa.data[at]) {
    ids.assign(ssa.data.begin() + static_cast<std::ptrdiff_t>(at + 1),
               ssa.data.begin() + static_cast<std::ptrdiff_t>(at + 1 + ssa.data[at]));
    for (std::size_t i = 1; i < ids.size(); ++i)  // (sorted by insertion: a step has a few)
      for (std::size_t j = i; j > 0 && ids[j - 1] > ids[j]; --j) std::swap(ids[j - 1], ids[j]);
    con.clear();
    for (auto id : ids) con.push_back(live.below(id));
    live.step(ids, con, next++);
    f(std::span<const std::uint32_t>(ids.data(), ids.size()), std::span<const std::size_t>(con.data(), con.size()));
  }
}
template <class F>
constexpr void for_each_linear_step(const ssa_path& ssa, std::size_t n_inputs, F&& f) {
  if (n_inputs <= 32) for_each_linear_step(ssa, n_inputs, live_list(n_inputs), f);
  else for_each_linear_step(ssa, n_inputs, live_tree(n_inputs, n_inputs + ssa.size()), f);
}

// opt_einsum's ssa_to_linear: static single assignment ids -> recycled positions.
constexpr linear_path ssa_to_linear(const ssa_path& ssa, std::size_t n_inputs) {
  linear_path path;
  path.reserve(ssa.size(), ssa.data.size() - ssa.size());
  for_each_linear_step(ssa, n_inputs, [&](std::span<const std::uint32_t>, std::span<const std::size_t> con) {
    path.push_back(con.data(), con.data() + con.size());
  });
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
  scratch_vector<slot> slots_ = scratch_vector<slot>(16);
  scratch_vector<label_set<W>> keys_;
  scratch_vector<std::uint32_t> values_;

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

}  // namespace detail
}  // namespace txmath
