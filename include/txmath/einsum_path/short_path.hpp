#pragma once
// The short paths: one to three operands need no search machinery (no label sets, no sizes
// as a std::vector, no search arrays), so that a transformer's einsum is costed without
// allocating. (One or two operands take the one step over everything, as opt_einsum:
// replay.hpp's one_step.) Three: the trees the exact searches (optimal, dp, auto_'s optimal)
// compare are compared here, exactly, in the order those searches meet them, keeping the
// first of least cost as they do: the answer is the searched one, ties and pre-reductions
// included; greedy's first pair is chosen by greedy's ranks and ties.
#include <algorithm>

#include <txmath/einsum_path/problem.hpp>

namespace txmath {
namespace detail {

// Whether an index of some input has size 0: every path then has an order costing 0 FLOPs
// (the one step over every operand), which is the answer.
constexpr bool has_size_zero(const einsum_network& net) {
  for (const auto& t : net.inputs)
    for (auto d : t)
      if (net.sizes[d] == 0) return true;
  return false;
}

class short_path {
 public:
  // The path of a network of 3 operands, or nothing where the search must decide (fewer
  // operands, or an index of size 0, take the one step over everything: replay.hpp's one_step).
  template <class Cost>
  static constexpr std::optional<linear_path> of(const einsum_network& net, std::span<const Cost> size,
                                                 const path_options& opt) {
    if constexpr (std::is_same_v<Cost, count>) {
      if (net.operands() != 3 || net.n_labels() > 64) return std::nullopt;
      if (same_as_search(opt)) {
        const bool pre_reduce = opt.optimize != path_optimizer::dp && opt.pre_reduce;
        if (fits_u64(net)) return three<narrow_figure>(net, size, pre_reduce).searched_tree(opt.optimize);
        const three<figure<count>> t(net, size, pre_reduce);
        if (!t.fits()) return std::nullopt;  // (the search decides, in log2_cost if need be)
        return t.searched_tree(opt.optimize);
      }
      if (greedy_unlimited(opt) && fits_u64(net)) return three<narrow_figure>(net, size, false).greedy_tree();
    }
    return std::nullopt;  // (greedy_small or the search decides)
  }

 private:
  using ids = std::uint64_t;  // a set of index ids (all below 64)

  static constexpr ids set_of(std::span<const std::uint32_t> t) {
    ids s = 0;
    for (auto d : t) s |= ids{1} << d;
    return s;
  }
  // Where the searches compare just the trees below: no memory limit (which admits other trees)
  // and, for dp, the exact FLOPs objective over connected pairs (not search_outer).
  static constexpr bool same_as_search(const path_options& opt) {
    const auto o = opt.optimize;
    if (opt.limit.what != memory_limit::kind::unlimited) return false;
    if (o == path_optimizer::auto_ || o == path_optimizer::optimal) return true;
    return o == path_optimizer::dp && opt.minimize == dp_minimize::exact_flops && !opt.search_outer;
  }

  // greedy without a memory limit (which makes it opt_einsum's branch search).
  static constexpr bool greedy_unlimited(const path_options& opt) {
    return opt.optimize == path_optimizer::greedy && opt.limit.what == memory_limit::kind::unlimited;
  }

  // Whether every figure of three's trees is below 2^64 (at most 16 times the product of all
  // the sizes: see three::fits): they are then compared in 64-bit integers.
  static constexpr bool fits_u64(const einsum_network& net) { return 4 + sizes_bit_width(net) <= 64; }

  // The steps of a tree over three inputs, written straight as a linear path: each step's
  // positions among the live ids in ssa order (opt_einsum's ssa_to_linear), of which at most
  // three live at once. (An ssa path and its general conversion were a sixth of a call's
  // instructions on `ab,cd,de->be` under optimal, which reduces two inputs first.)
  class linear_steps {
   public:
    // Reduces id a alone: the result's id.
    constexpr std::uint32_t one(std::uint32_t a) {
      const std::size_t at = position(a);
      remove(at);
      path_.push_back(&at, &at + 1);
      return add();
    }
    // Contracts ids a and b: the result's id.
    constexpr std::uint32_t two(std::uint32_t a, std::uint32_t b) {
      const std::size_t pa = position(a), pb = position(b);
      const std::size_t at[2] = {std::min(pa, pb), std::max(pa, pb)};
      remove(at[1]);
      remove(at[0]);
      path_.push_back(at, at + 2);
      return add();
    }
    [[nodiscard]] constexpr linear_path take_path() { return std::move(path_); }

   private:
    std::uint32_t live_[3] = {0, 1, 2};  // ascending: a new id is the largest
    std::size_t n_ = 3;
    std::uint32_t next_ = 3;
    linear_path path_;

    [[nodiscard]] constexpr std::size_t position(std::uint32_t id) const {
      std::size_t p = 0;
      while (live_[p] != id) ++p;
      return p;
    }
    constexpr void remove(std::size_t at) {
      for (--n_; at < n_; ++at) live_[at] = live_[at + 1];
    }
    constexpr std::uint32_t add() {
      live_[n_++] = next_;
      return next_++;
    }
  };

  // Three operands as index sets, and the costs of their trees. A tree is ((i j) k): the pair
  // i < j first, each operand read whole or (flags) reduced first over the indices only it has.
  // Figure: figure<count>, or narrow_figure where fits_u64.
  template <class Figure>
  class three {
   public:
    constexpr three(const einsum_network& net, std::span<const count> size, bool pre_reduce) : size_(size) {
      for (std::size_t j = 0; j < 3; ++j) in_[j] = set_of(net.inputs[j]);
      out_ = set_of(net.output);
      for (std::size_t j = 0; j < 3; ++j) {
        kept_[j] = in_[j] & (out_ | in_[(j + 1) % 3] | in_[(j + 2) % 3]);
        reducible_[j] = pre_reduce && kept_[j] != in_[j];
      }
    }
    // Whether every cost of a tree fits a count: each is at most 16 times the product of all
    // the sizes (at most 5 steps of at most 3 times it).
    [[nodiscard]] constexpr bool fits() const {
      Figure all = product(in_[0] | in_[1] | in_[2] | out_);
      all.mul(count(16u));
      return !all.over;
    }
    // The searched tree of optimizer o (optimal, auto_ or dp).
    [[nodiscard]] constexpr std::optional<linear_path> searched_tree(path_optimizer o) const {
      if (o == path_optimizer::dp) return dp_tree();  // (not ?:, which GCC 12 cannot evaluate here at compile time)
      return optimal_tree();
    }

    // optimal's choice: the splits of {0, 1, 2} as it enumerates them, {0, 2} | {1}, {0, 1} | {2},
    // {0} | {1, 2}, the pair's own flags first chosen as its subset's, then the flags of the
    // single part, in order; the first of least cost. Nothing where a figure overflows.
    [[nodiscard]] constexpr std::optional<linear_path> optimal_tree() const {
      constexpr std::size_t order[3][3] = {{0, 2, 1}, {0, 1, 2}, {1, 2, 0}};
      Figure best{};
      std::size_t arg = 0;
      unsigned arg_pair = 0, arg_single = 0;
      for (std::size_t t = 0; t < 3; ++t) {
        const std::size_t i = order[t][0], j = order[t][1], k = order[t][2];
        const pair p = best_pair(i, j);
        if (p.over) return std::nullopt;
        for (unsigned rk = 0; rk < 2; ++rk) {
          if (rk && !reducible_[k]) continue;
          Figure c = p.cost;
          c.add(join(p.legs, legs(k, rk), out_));
          if (rk) c.add(reduce_cost(k));
          if (c.over) return std::nullopt;
          if ((t == 0 && rk == 0) || c.value < best.value) best = c, arg = t, arg_pair = p.flags, arg_single = rk;
        }
      }
      const std::size_t i = order[arg][0], j = order[arg][1], k = order[arg][2];
      if (arg_pair == 0 && arg_single == 0) return linear_path{{i, j}, {0, 1}};  // (no step reduces first)
      linear_steps steps;
      const bool single_first = k == 0;  // ({0} | {1, 2}): the single part's steps come first
      const std::uint32_t ks = single_first ? leaf(k, arg_single, steps) : 0;
      const std::uint32_t ip = leaf(i, arg_pair & 1u, steps), jp = leaf(j, arg_pair & 2u, steps);
      const std::uint32_t pid = steps.two(ip, jp);
      if (single_first) steps.two(ks, pid);
      else steps.two(pid, leaf(k, arg_single, steps));
      return steps.take_path();
    }

    // greedy's choice, as greedy_small makes it (opt_einsum's ssa_greedy_optimize), where every
    // size fits 64 bits: two inputs of one index set first (the first such pair); else the
    // pair sharing a summed index (outside the output and the indices every input holds) of
    // least rank, the size of what it keeps less the sizes of the two, ties to the smaller
    // ssa ids, the larger compared first; else the two of least size over the output (ties:
    // the smaller id). The last step joins what is left.
    [[nodiscard]] constexpr linear_path greedy_tree() const {
      constexpr std::size_t pairs[3][2] = {{0, 1}, {0, 2}, {1, 2}};  // (in opt_einsum's tie order)
      for (const auto& [i, j] : pairs)
        if (in_[i] == in_[j]) return {{i, j}, {0, 1}};
      const ids out = out_ | (in_[0] & in_[1] & in_[2]);
      std::optional<std::size_t> arg;
      std::int64_t best = 0;
      for (std::size_t t = 0; t < 3; ++t) {
        const std::size_t i = pairs[t][0], j = pairs[t][1], k = 3 - i - j;
        if ((in_[i] & in_[j] & ~out) == 0) continue;
        const auto rank = static_cast<std::int64_t>(product((in_[i] | in_[j]) & (out | in_[k])).value) -
                          static_cast<std::int64_t>(product(in_[i]).value) - static_cast<std::int64_t>(product(in_[j]).value);
        if (!arg || rank < best) best = rank, arg = t;
      }
      if (!arg) {  // (outer products: leave out the largest over the output, the later on a tie)
        std::size_t last = 0;
        for (std::size_t k = 1; k < 3; ++k)
          if (!(product(in_[k] & out).value < product(in_[last] & out).value)) last = k;
        arg = 2 - last;  // (the pair without it)
      }
      return {{pairs[*arg][0], pairs[*arg][1]}, {0, 1}};
    }

    // dp's choice, as dp.hpp makes it: each input first reduced over the indices on no other
    // term (one left with none is a scalar part); the others in groups joined by summed indices
    // (a group of three compares the joins of a single to a pair in dp's order, (1 2) 0, (0 2) 1,
    // (0 1) 2, each pair and join sharing a summed index, keeping the first of least cost); the
    // parts, scalars first, then the groups by their first input, joined by outer products
    // smallest first (a stable sort). Nothing where a figure overflows.
    [[nodiscard]] constexpr std::optional<linear_path> dp_tree() const {
      ids once = out_, twice = 0;
      for (const ids t : in_) twice |= once & t, once |= t;
      ids red[3]{};
      tree tr;
      part parts[3]{};
      std::size_t n_parts = 0, kept[3]{}, n_kept = 0;
      for (std::size_t j = 0; j < 3; ++j) {
        red[j] = in_[j] & ~(once & ~twice);
        if (red[j] == 0 && in_[j] != 0) parts[n_parts++] = {tr.leaf(j, true), one()};
        else kept[n_kept++] = j;
      }
      const ids summed = (red[0] | red[1] | red[2]) & ~out_;
      auto linked = [&](std::size_t x, std::size_t y) { return (summed & red[x] & red[y]) != 0; };
      bool used[3]{};
      for (std::size_t f = 0; f < n_kept; ++f) {
        if (used[f]) continue;
        std::size_t g[3] = {kept[f], 0, 0}, m = 1;
        used[f] = true;
        for (std::size_t pass = 0; pass < 2; ++pass)  // (a group of three is found within two passes)
          for (std::size_t k = f + 1; k < n_kept; ++k)
            if (!used[k] && (linked(kept[f], kept[k]) || (m > 1 && linked(g[1], kept[k])))) used[k] = true, g[m++] = kept[k];
        if (m == 3) std::sort(g, g + 3);
        if (m == 2 && g[1] < g[0]) std::swap(g[0], g[1]);
        const std::optional<part> pt = dp_group(g, m, red, tr);
        if (!pt) return std::nullopt;
        parts[n_parts++] = *pt;
      }
      for (std::size_t i = 1; i < n_parts; ++i)  // (stable: only a strictly smaller part moves ahead)
        for (std::size_t j = i; j > 0 && parts[j].size.value < parts[j - 1].size.value; --j) std::swap(parts[j], parts[j - 1]);
      int root = parts[0].root;
      for (std::size_t i = 1; i < n_parts; ++i) root = tr.join(root, parts[i].root);
      linear_steps steps;
      (void)tr.emit(root, steps);
      return steps.take_path();
    }

   private:
    std::span<const count> size_;
    ids in_[3]{}, out_ = 0, kept_[3]{};  // kept_[j]: the indices of input j another term holds
    bool reducible_[3]{};

    static constexpr Figure one() { return figure_of<Figure>(1u); }
    // The product of the sizes in a set, flagged when beyond a count.
    [[nodiscard]] constexpr Figure product(ids s) const {
      Figure p = one();
      for (; s; s &= s - 1) p.mul(size_[static_cast<std::size_t>(std::countr_zero(s))]);
      return p;
    }
    // The FLOPs of contracting terms x and y when `keep` (the rest and the output) remain.
    [[nodiscard]] constexpr Figure join(ids x, ids y, ids keep) const {
      return product(x | y).flops(2, ((x | y) & ~keep) != 0);
    }
    [[nodiscard]] constexpr Figure reduce_cost(std::size_t j) const { return product(in_[j]).flops(1, true); }
    [[nodiscard]] constexpr ids legs(std::size_t j, bool reduced) const { return reduced ? kept_[j] : in_[j]; }

    // dp's tree of at most three leaves (dp.hpp's contraction_tree, in place).
    class tree {
     public:
      constexpr int leaf(std::size_t input, bool reduce) { return add({-1, -1, static_cast<std::uint32_t>(input), reduce}); }
      constexpr int join(int a, int b) { return add({a, b, 0, false}); }
      // Appends the steps of subtree `at` (a's, b's, then their join); its ssa id.
      constexpr std::uint32_t emit(int at, linear_steps& steps) const {
        const node& nd = nodes_[static_cast<std::size_t>(at)];
        if (nd.a < 0) return three::leaf(nd.input, nd.reduce, steps);
        const std::uint32_t a = emit(nd.a, steps), b = emit(nd.b, steps);
        return steps.two(a, b);
      }

     private:
      struct node {
        int a, b;
        std::uint32_t input;
        bool reduce;
      };
      node nodes_[5]{};  // 3 leaves and 2 joins
      std::size_t n_ = 0;
      constexpr int add(const node& nd) {
        nodes_[n_] = nd;
        return static_cast<int>(n_++);
      }
    };
    struct part {
      int root;
      Figure size;  // the elements of its result
    };
    // A group of dp: its m inputs (ascending) with their reduced indices `red`; each input is
    // reduced first where red differs from it. Nothing where a figure overflows.
    constexpr std::optional<part> dp_group(const std::size_t (&g)[3], std::size_t m, const ids (&red)[3], tree& tr) const {
      auto leaf_of = [&](std::size_t j) { return tr.leaf(j, red[j] != in_[j]); };
      if (m == 1) return checked({leaf_of(g[0]), product(red[g[0]])});
      if (m == 2) {
        const ids cut = red[g[0]] & red[g[1]] & ~out_;
        const int a = leaf_of(g[0]);
        return checked({tr.join(a, leaf_of(g[1])), product((red[g[0]] | red[g[1]]) & ~cut)});
      }
      constexpr std::size_t order[3][3] = {{1, 2, 0}, {0, 2, 1}, {0, 1, 2}};
      Figure best{};
      std::optional<std::size_t> arg;
      ids legs = 0;
      for (std::size_t t = 0; t < 3; ++t) {
        const std::size_t i = order[t][0], j = order[t][1], k = order[t][2];
        const ids cut = red[i] & red[j] & ~out_, r = (red[i] | red[j]) & ~(cut & ~red[k]), cut2 = r & red[k] & ~out_;
        if (cut == 0 || cut2 == 0) continue;
        Figure c = join(red[i], red[j], red[k] | out_);
        c.add(join(r, red[k], out_));
        if (c.over) return std::nullopt;
        if (!arg || c.value < best.value) best = c, arg = t, legs = (r | red[k]) & ~cut2;
      }
      if (!arg) return std::nullopt;
      const int single = leaf_of(order[*arg][2]), a = leaf_of(order[*arg][0]);
      return checked({tr.join(single, tr.join(a, leaf_of(order[*arg][1]))), product(legs)});
    }
    static constexpr std::optional<part> checked(const part& p) {
      if (p.size.over) return std::nullopt;
      return p;
    }

    // The pair i < j as optimal's subset {i, j} chooses it: flags 0 to 3 (bit 0: i reduced
    // first, bit 1: j), the first of least cost.
    struct pair {
      Figure cost;
      ids legs;
      unsigned flags;
      bool over;  // some choice's figure overflowed
    };
    [[nodiscard]] constexpr pair best_pair(std::size_t i, std::size_t j) const {
      const std::size_t k = 3 - i - j;
      const ids keep = (in_[i] | in_[j]) & (out_ | in_[k]);
      pair best{{}, keep, 0, false};
      for (unsigned f = 0; f < 4; ++f) {
        const bool ri = f & 1u, rj = f & 2u;
        if ((ri && !reducible_[i]) || (rj && !reducible_[j])) continue;
        Figure c = join(legs(i, ri), legs(j, rj), keep);
        if (ri) c.add(reduce_cost(i));
        if (rj) c.add(reduce_cost(j));
        best.over = best.over || c.over;
        if (f == 0 || c.value < best.cost.value) best.cost = c, best.flags = f;
      }
      return best;
    }
    // An input as a leaf: its own ssa id, or that of the step reducing it first.
    static constexpr std::uint32_t leaf(std::size_t j, bool reduce, linear_steps& steps) {
      if (!reduce) return static_cast<std::uint32_t>(j);
      return steps.one(static_cast<std::uint32_t>(j));
    }
  };
};

}  // namespace detail
}  // namespace txmath
