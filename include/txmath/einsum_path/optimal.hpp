#pragma once
// optimal: dynamic programming over all subsets of the operands.
#include <txmath/einsum_path/problem.hpp>
#include <vector>

namespace txmath {
namespace detail {

// The product of the sizes of a set of at most 64 indices in 64-bit integers (the caller has
// bounded every product below 2^63), read from one table a byte of the set: for a search that
// costs many sets, 2^8 products a byte once beat a multiplication an index each time. Built
// only where the search will read it more often than it has entries (else: a product a bit).
class size_table {
 public:
  constexpr size_table(std::span<const std::uint64_t> size, std::size_t reads) : size_(size) {
    std::size_t entries = 0;
    for (std::size_t c = 0; 8 * c < size.size(); ++c) entries += std::size_t{1} << chunk_bits(size.size(), c);
    if (entries > reads || size.empty()) return;
    chunks_ = (size.size() + 7) / 8;
    // Chunk c's products at 256 c: the last chunk's only as far as its indices reach (4 indices
    // fill 16 entries: filling 256 was 15% of the instructions of `ab,ab,cd,cd->` under optimal).
    t_.assign(256 * (chunks_ - 1) + (std::size_t{1} << chunk_bits(size.size(), chunks_ - 1)), 1);
    for (std::size_t c = 0; c < chunks_; ++c)
      for (std::size_t m = 1; m < (std::size_t{1} << chunk_bits(size.size(), c)); ++m)
        t_[256 * c + m] = t_[256 * c + (m & (m - 1))] * size[8 * c + static_cast<std::size_t>(std::countr_zero(m))];
  }
  // The indices of chunk c of n: 8, or the rest in the last.
  static constexpr std::size_t chunk_bits(std::size_t n, std::size_t c) { return std::min<std::size_t>(8, n - 8 * c); }
  [[nodiscard]] constexpr std::uint64_t of(std::uint64_t set) const {
    std::uint64_t p = 1;
    if (chunks_ == 0) {
      for (; set; set &= set - 1) p *= size_[static_cast<std::size_t>(std::countr_zero(set))];
      return p;
    }
    p = t_[set & 255u];
    for (std::size_t c = 1; c < chunks_; ++c) p *= t_[256 * c + ((set >> (8 * c)) & 255u)];
    return p;
  }

 private:
  std::span<const std::uint64_t> size_;
  std::size_t chunks_ = 0;                    // bytes of the table (0: no table)
  small_vector<std::uint64_t, 512> t_;        // (in place up to 16 indices)
};

// The cheapest tree over every subset of the operands (3^n splits; at most 20 operands): each
// subset's cost is the least over its splits into two parts, where a part of one input may
// first be reduced over the indices only it carries (pre_reduce). With a memory limit, the last
// step may contract several parts at once, as opt_einsum's 'optimal' falls back to.
template <class Cost, std::size_t W>
class optimal_search {
 public:
  constexpr optimal_search(const path_problem<Cost, W>& p, const std::optional<Cost>& limit, bool pre_reduce)
      : p_(p), limit_(limit), n_(p.in.size()), full_(static_cast<std::uint32_t>((std::uint64_t{1} << n_) - 1)),
        uni_(full_ + std::size_t{1}, label_set<W>{}), keep_(full_ + std::size_t{1}, label_set<W>{}),
        keep_size_(full_ + std::size_t{1}, Cost{}), in_size_(n_, Cost{}), reduce_cost_(n_, Cost{}), reducible_(n_, 0),
        cost_(full_ + std::size_t{1}, Cost{}), ok_(full_ + std::size_t{1}, 0), flags_(full_ + std::size_t{1}, 0),
        split_(full_ + std::size_t{1}, 0), table_(sizes_u64(p), splits(n_)) {
    for (std::uint32_t s = 1; s <= full_; ++s) uni_[s] = uni_[s & (s - 1)] | p.in[static_cast<std::size_t>(std::countr_zero(s))];
    for (std::uint32_t s = 1; s <= full_; ++s) keep_[s] = uni_[s] & (p.out | uni_[full_ ^ s]);
    for (std::uint32_t s = 1; s <= full_; ++s) keep_size_[s] = size_of(keep_[s]);
    for (std::size_t j = 0; j < n_; ++j) {
      const std::uint32_t s = std::uint32_t{1} << j;
      in_size_[j] = size_of(p.in[j]);
      ok_[s] = 1;
      reducible_[j] = pre_reduce && !(keep_[s] == p.in[j]);
      if (reducible_[j]) reduce_cost_[j] = flop_count(in_size_[j], 1, true);
      if (reducible_[j]) reducible_singles_ |= s;
    }
    if constexpr (fast) {
      whole_.assign(full_ + std::size_t{1}, 0);
      for (std::uint32_t s = 1; s <= full_; ++s) whole_[s] = (s & (s - 1)) == 0 ? p.in[static_cast<std::size_t>(std::countr_zero(s))].w[0] : keep_[s].w[0];
    }
    if constexpr (prefilter) {
      size_d_.resize(p.size.size(), 0.0);  // (a fill value: clang rejects libstdc++ 12's default fill in constant evaluation)
      for (std::size_t d = 0; d < size_d_.size(); ++d) size_d_[d] = p.size[d].to_double();
      cost_d_.assign(full_ + std::size_t{1}, 0.0);
      keep_d_.resize(full_ + std::size_t{1}, 0.0);
      for (std::uint32_t s = 1; s <= full_; ++s) keep_d_[s] = keep_size_[s].to_double();
      in_d_.resize(n_, 0.0);
      for (std::size_t j = 0; j < n_; ++j) in_d_[j] = in_size_[j].to_double();
    }
  }

  [[nodiscard]] constexpr ssa_path run() {
    // (x & (x - 1)) == 0: at most one operand (std::popcount is a library call on baseline x86-64).
    for (std::uint32_t s = 1; s <= full_; ++s) {
      if ((s & (s - 1)) == 0 || (limit_ && *limit_ < keep_size_[s])) continue;  // (else: too big)
      if constexpr (fast)
        if (!limit_) {
          best_split64(s);
          continue;
        }
      best_split(s);
    }
    return emit(limit_ ? nary_groups() : std::vector<std::uint32_t>{});
  }

 private:
  // For count, each split is first bounded in doubles and only a split that may beat the best
  // so far gets exact 128-bit arithmetic (doubles err by far less than the 1e-9 margin).
  static constexpr bool prefilter = std::is_same_v<Cost, count>;
  // In 64-bit integers (where the caller has bounded every cost below 2^63) the exact sums are
  // cheap: a split is bounded exactly, by its larger part, before its step is costed.
  static constexpr bool exact64 = std::is_same_v<Cost, std::uint64_t>;
  // With at most 64 indices too, sets are words and sizes come from a size_table (best_split64).
  static constexpr bool fast = exact64 && W == 1;
  struct no_table {
    constexpr no_table(std::span<const std::uint64_t>, std::size_t) {}
  };
  static constexpr std::span<const std::uint64_t> sizes_u64(const path_problem<Cost, W>& p) {
    if constexpr (fast) return {p.size.data(), p.size.size()};
    return {};
  }
  static constexpr std::size_t splits(std::size_t n) {  // (3^n + 1) / 2 - 2^n: the splits of all subsets
    std::size_t t = 1;
    for (std::size_t i = 0; i < n; ++i) t *= 3;
    return (t + 1) / 2 - (std::size_t{1} << n);
  }
  [[nodiscard]] constexpr Cost size_of(const label_set<W>& s) const {
    if constexpr (fast) return table_.of(s.w[0]);
    return p_.size_of(s);
  }

  const path_problem<Cost, W>& p_;
  const std::optional<Cost>& limit_;
  // Arrays by subset and by input, in place up to 8 operands and 16 indices (for W = 1: a few
  // operands' search allocates nothing; larger sets spill to the heap).
  static constexpr std::size_t subsets = W == 1 ? 256 : 1, inputs = W == 1 ? 8 : 1, indices = W == 1 ? 16 : 1;
  template <class T>
  using by_subset = small_vector<T, subsets>;
  template <class T>
  using by_input = small_vector<T, inputs>;

  std::size_t n_;
  std::uint32_t full_;
  by_subset<label_set<W>> uni_, keep_;  // by subset: its inputs' indices; those its result keeps
  by_subset<Cost> keep_size_;
  by_input<Cost> in_size_, reduce_cost_;
  by_input<unsigned char> reducible_;
  by_subset<Cost> cost_;                    // by subset: its cheapest tree's cost (when ok_)
  by_subset<unsigned char> ok_, flags_;     // flags_: which single-input parts are reduced first
  by_subset<std::uint32_t> split_;          // the first part of each subset's cheapest split
  small_vector<double, indices> size_d_;    // (prefilter) index sizes, subset costs, keep_size_
  by_subset<double> cost_d_, keep_d_;       // and in_size_ as doubles
  by_input<double> in_d_;
  std::uint32_t reducible_singles_ = 0;      // the inputs that may be reduced first, as a subset
  std::conditional_t<fast, size_table, no_table> table_;
  by_subset<std::uint64_t> whole_;          // (fast) each subset's indices as a part read whole

  // best_split in 64-bit integers without a memory limit (every subset has a tree): the same
  // splits in the same order, each unreduced first, kept on strict improvement, so the same
  // choice; a split is skipped when its parts alone cost no less than the best.
  constexpr void best_split64(std::uint32_t s) {
    const std::uint32_t low = s & (~s + 1), rest = s ^ low;
    const std::uint64_t keep = keep_[s].w[0];
    std::uint64_t best = ~std::uint64_t{0};
    for (std::uint32_t sub = (rest - 1) & rest;; sub = (sub - 1) & rest) {
      const std::uint32_t a = low | sub, b = rest ^ sub;
      if (const std::uint64_t base = cost_[a] + cost_[b]; base < best) {
        const std::uint64_t u = whole_[a] | whole_[b];
        const std::uint64_t c = base + flop_count(table_.of(u), 2, (u & ~keep) != 0);
        if (c < best) best = c, split_[s] = a, flags_[s] = 0;
        if (reducible_single(a) || reducible_single(b)) best_reduced64(s, a, b, base, best);
      }
      if (sub == 0) break;
    }
    ok_[s] = 1;
    cost_[s] = best;
  }
  [[nodiscard]] constexpr bool reducible_single(std::uint32_t a) const {
    return (a & (a - 1)) == 0 && (a & reducible_singles_) != 0;
  }
  // The split a, b of s with its single-input parts reduced first (flags 1 to 3), when cheaper.
  constexpr void best_reduced64(std::uint32_t s, std::uint32_t a, std::uint32_t b, std::uint64_t base,
                                std::uint64_t& best) {
    const bool can_a = reducible_single(a), can_b = reducible_single(b);
    const std::uint64_t keep = keep_[s].w[0];
    for (unsigned f = 1; f < 4; ++f) {
      const bool ra = f & 1u, rb = f & 2u;
      if ((ra && !can_a) || (rb && !can_b)) continue;
      const std::uint64_t u = (ra ? keep_[a].w[0] : whole_[a]) | (rb ? keep_[b].w[0] : whole_[b]);
      std::uint64_t c = base + flop_count(table_.of(u), 2, (u & ~keep) != 0);
      if (ra) c += reduce_cost_[static_cast<std::size_t>(std::countr_zero(a))];
      if (rb) c += reduce_cost_[static_cast<std::size_t>(std::countr_zero(b))];
      if (c < best) best = c, split_[s] = a, flags_[s] = static_cast<unsigned char>(f);
    }
  }

  // A part of a split: one input read whole, or a subset's result (an input after reduction).
  struct part {
    label_set<W> legs;
    double size_d;  // (prefilter only)
  };
  [[nodiscard]] constexpr part part_of(std::uint32_t a, bool whole) const {
    const auto j = static_cast<std::size_t>(std::countr_zero(a));
    if constexpr (prefilter) return whole ? part{p_.in[j], in_d_[j]} : part{keep_[a], keep_d_[a]};
    return whole ? part{p_.in[j], 0.0} : part{keep_[a], 0.0};
  }

  // The elements of the larger of parts a and b (each an input read whole, or a subset's result).
  [[nodiscard]] constexpr Cost larger_part(std::uint32_t a, bool a_whole, std::uint32_t b, bool b_whole) const {
    const Cost& x = a_whole ? in_size_[static_cast<std::size_t>(std::countr_zero(a))] : keep_size_[a];
    const Cost& y = b_whole ? in_size_[static_cast<std::size_t>(std::countr_zero(b))] : keep_size_[b];
    return x < y ? y : x;
  }

  // Whether joining parts x and y of s (their costs summing to `base`) may cost less than
  // `worst`, in doubles: first by the larger part alone (no loop over indices), then by the
  // step's size under the one FLOP rule (flop_count).
  [[nodiscard]] constexpr bool may_cost_less(double base, const part& x, const part& y, std::uint32_t s,
                                             double worst) const {
    if (base + (x.size_d < y.size_d ? y.size_d : x.size_d) > worst) return false;
    double shared = 1;
    (x.legs & y.legs).for_each([&](std::uint32_t d) { shared *= size_d_[d]; });
    const double u = shared > 0 ? x.size_d * y.size_d / shared : 0.0;
    return !(base + flop_count(u, 2, !(x.legs | y.legs).subset_of(keep_[s])) > worst);
  }

  // The cheapest split of s (its parts already searched), into cost_, split_, flags_.
  constexpr void best_split(std::uint32_t s) {
    const std::uint32_t low = s & (~s + 1), rest = s ^ low;
    bool found = false;
    Cost best{};
    double best_d = 0;
    for (std::uint32_t sub = (rest - 1) & rest;; sub = (sub - 1) & rest) {
      const std::uint32_t a = low | sub, b = rest ^ sub;
      bool may_win = ok_[a] && ok_[b];
      if constexpr (prefilter)  // (the parts' costs alone, before any exact sum)
        may_win = may_win && !(found && cost_d_[a] + cost_d_[b] > best_d * (1 + 1e-9));
      if (may_win) {
        const Cost base = cost_[a] + cost_[b];
        if (!found || base < best) {
          const bool la = (a & (a - 1)) == 0, lb = (b & (b - 1)) == 0;
          const auto ja = static_cast<std::size_t>(std::countr_zero(a)), jb = static_cast<std::size_t>(std::countr_zero(b));
          for (unsigned f = 0; f < 4; ++f) {
            const bool ra = f & 1u, rb = f & 2u;
            if ((ra && !(la && reducible_[ja])) || (rb && !(lb && reducible_[jb]))) continue;
            const part x = part_of(a, la && !ra), y = part_of(b, lb && !rb);
            if constexpr (exact64)  // (the step costs at least its larger part: every size is >= 1)
              if (found && !(base + larger_part(a, la && !ra, b, lb && !rb) < best)) continue;
            if constexpr (prefilter)
              if (found && !may_cost_less(cost_d_[a] + cost_d_[b], x, y, s, best_d * (1 + 1e-9))) continue;
            const label_set<W> u = x.legs | y.legs;
            Cost c = base + flop_count(p_.size_of(u), 2, !u.subset_of(keep_[s]));
            if (ra) c = c + reduce_cost_[ja];
            if (rb) c = c + reduce_cost_[jb];
            if (!found || c < best) {
              found = true;
              best = c;
              split_[s] = a;
              flags_[s] = static_cast<unsigned char>(f);
              if constexpr (prefilter) best_d = best.to_double();
            }
          }
        }
      }
      if (sub == 0) break;
    }
    if (!found) return;
    ok_[s] = 1;
    cost_[s] = best;
    if constexpr (prefilter) cost_d_[s] = best_d;
  }

  // Under a memory limit: the parts of a last step that contracts several at once, when that
  // is cheaper than (or the only way past) a pairwise tree; empty otherwise.
  [[nodiscard]] constexpr std::vector<std::uint32_t> nary_groups() const {
    std::vector<std::uint32_t> groups;
    const Cost P = p_.size_of(uni_[full_]);
    const bool inner = (uni_[full_] - p_.out).any();
    std::vector<Cost> h(full_ + std::size_t{1});
    std::vector<std::uint32_t> pick(full_ + std::size_t{1}, 0);
    for (std::uint32_t s = 1; s <= full_; ++s) {
      const std::uint32_t low = s & (~s + 1), rest = s ^ low;
      bool found = false;
      for (std::uint32_t sub = rest;; sub = (sub - 1) & rest) {
        const std::uint32_t g = low | sub;
        if (ok_[g] && !(s == full_ && g == full_)) {
          const Cost c = cost_[g] + P + h[s ^ g];
          if (!found || c < h[s]) {
            found = true;
            h[s] = c;
            pick[s] = g;
          }
        }
        if (sub == 0) break;
      }
    }
    if (n_ >= 2) {
      const Cost nary = h[full_] - P + (inner ? P : Cost(0u));
      if (!ok_[full_] || nary < cost_[full_])
        for (std::uint32_t s = full_; s; s ^= pick[s]) groups.push_back(pick[s]);
    }
    return groups;
  }

  // The tree: each subset splits as split_[s]; flags_[s] says which of its parts, when a single
  // input, is reduced first. Steps in contraction_tree::emit's order (the first part's steps,
  // the second's, then their join), written straight from the splits (at most 20 deep).
  [[nodiscard]] constexpr ssa_path emit(const std::vector<std::uint32_t>& groups) const {
    ssa_path path;
    path.data.reserve(5 * n_);  // (n - 1 pairwise steps, at most n one-operand steps)
    auto next = static_cast<std::uint32_t>(n_);
    if (groups.empty()) {
      if (n_ >= 2) (void)emit_subset(full_, false, path, next);
      else path.push_back({0});
    } else {
      std::vector<std::uint32_t> ids;
      for (auto g : groups) ids.push_back(emit_subset(g, false, path, next));
      std::sort(ids.begin(), ids.end());
      path.push_back(ids);
    }
    return path;
  }
  // Appends the steps of subset s (an input reduced first when `reduce`); its ssa id.
  constexpr std::uint32_t emit_subset(std::uint32_t s, bool reduce, ssa_path& path, std::uint32_t& next) const {
    if ((s & (s - 1)) == 0) {
      const auto j = static_cast<std::uint32_t>(std::countr_zero(s));
      if (!reduce) return j;
      path.push_back({j});
      return next++;
    }
    const std::uint32_t a = split_[s];
    const std::uint32_t ia = emit_subset(a, (flags_[s] & 1u) != 0, path, next);
    const std::uint32_t ib = emit_subset(s ^ a, (flags_[s] & 2u) != 0, path, next);
    path.push_back({ia, ib});
    return next++;
  }
};

template <class Cost, std::size_t W>
constexpr ssa_path optimal_ssa(const path_problem<Cost, W>& p, const std::optional<Cost>& limit, bool pre_reduce) {
  const std::size_t n = p.in.size();
  if (n > 20 || (std::size_t{1} << n) * W > (std::size_t{1} << 22))
    TXMATH_FAIL(txmath_error_einsum_too_many_operands_for_optimal_use_dp_or_greedy, invalid_argument,
                "txmath: the optimal contraction order of " + std::to_string(n) +
                    " operands is too costly to search (3^n work; at most 20 operands, fewer with "
                    "many indices): use path_optimizer::dp or path_optimizer::greedy");
  return optimal_search<Cost, W>(p, limit, pre_reduce).run();
}

}  // namespace detail
}  // namespace txmath
