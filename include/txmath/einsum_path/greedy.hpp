#pragma once
// greedy: opt_einsum's ssa_greedy_optimize as a class (greedy_search); with it, its branch
// search with one branch under a memory limit (branch1_ssa, einsum_path/branch1.hpp).
#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>

#include <txmath/einsum_path/branch1.hpp>
#include <txmath/einsum_path/greedy_outer.hpp>
#include <txmath/einsum_path/greedy_queue.hpp>
#include <txmath/einsum_path/greedy_rank.hpp>
#include <txmath/einsum_path/id_list_map.hpp>
#include <txmath/einsum_path/problem.hpp>

namespace txmath {
namespace detail {

// opt_einsum's rank of a candidate pair: size12 - size1 - size2, in exact Cost arithmetic;
// a new tensor offers only its best partner to the queue (its push_all = False).
struct exact_rank {};

// ---- greedy: opt_einsum's ssa_greedy_optimize, same heuristic and tie-breaking ---------------
// Ranker exact_rank is opt_einsum's greedy. Any other Ranker ranks a pair in a double from
// natural logs of the sizes, `ranker(ln size1, ln size2, ln size12)`, and reads them with
// `ranker.ln_of(index)` (random_greedy.hpp); the queue works as with exact_rank. Construct,
// then run() once.
template <class Cost, std::size_t W, class Ranker = exact_rank>
class greedy_search {
  static constexpr bool exact = std::is_same_v<Ranker, exact_rank>;
  static constexpr bool masks = W == 1 && exact && std::is_same_v<Cost, count>;  // (narrow_size12_mask)
  static constexpr bool is_count = std::is_same_v<Cost, count>;
  using rank_type = std::conditional_t<exact, std::conditional_t<is_count, count_rank, signed_cost<Cost>>, double>;
  struct no_log {};
  using log_type = std::conditional_t<exact, no_log, double>;  // a tensor's ln size, if ranked by it
  using beyond_log = std::conditional_t<is_count, double, no_log>;  // (count: log2 of the footprint)

  // Index sets as ascending id lists, runs of one pool: tensors hold a few indices of up to
  // 1024, and the queue holds a set per candidate.
  struct id_run {
    std::uint32_t at = 0, len = 0;
  };
  struct tensor {
    id_run key;
    std::uint32_t ssa;
    bool alive;
    bool narrow;  // (count:) footprint and each index size below 2^64
    bool beyond;  // (count:) footprint beyond 2^128 - 1 (then only its log2 is known)
    std::uint64_t mask;  // (masks:) the key as a bit mask
    Cost footprint;
    [[no_unique_address]] log_type ln_size;
    [[no_unique_address]] beyond_log footprint_log2;
  };
  struct candidate {
    rank_type rank;
    std::uint32_t id2, id1, h1, h2;
    id_run k12;
  };

  const path_problem<Cost, W>& p_;
  Ranker ranker_;
  label_set<W> output_;                 // the output, and the indices on every tensor
  scratch_vector<std::uint32_t> pool_;  // the id lists: the first pool_end_ (grown by doubling;
  std::uint32_t pool_end_ = 0;          // push_back does not inline, and costs in a hot loop)
  scratch_vector<tensor> t_;            // one per distinct key ever seen (a handle)
  id_list_map handle_of_;               // key -> handle (at most one new key a step)
  // The live tensors holding each summed index, in one array: index d's list starts at
  // idx_[d].first and never outgrows its first length, as a contraction drops both operands
  // from the lists of their indices before its result joins those of its own (all among
  // theirs). idx_[d].len is opt_einsum's reference count of d.
  // An output index has no holders list; its len is kept_always, so that a pair keeps it as it
  // keeps an index other tensors hold (reference count >= 3).
  // What offer_best_by_log reads of an index: greedy_index_state (greedy_rank.hpp).
  using index_state = greedy_index_state;
  static constexpr bool by_log = !exact || std::is_same_v<Cost, log2_cost>;
  // (count, beyond 64 indices, at run time, from 4 partners:) partners sized in logs as on the
  // log path, only those that may rank first ranked exactly (pruned_rank): merging a big
  // tensor's list with each partner was most of the search on large networks.
  static constexpr bool pruned = exact && is_count && W > 1;
  static constexpr std::ptrdiff_t prune_from = 4;
  scratch_vector<index_state> idx_;
  // holders_, and the scratch lists below, are parts of one array (scratch_): one allocation.
  scratch_vector<std::uint32_t> scratch_;
  std::uint32_t* holders_ = nullptr;
  static constexpr std::uint32_t kept_always = 3;
  // The queue (greedy_queue.hpp): heaps of entries, best on top; lists while seeding where exact.
  static constexpr bool keyed = exact && std::is_same_v<Cost, log2_cost>;
  using queue_type = greedy_queue<candidate, id_run, keyed, exact>;
  queue_type queue_;
  [[no_unique_address]] std::conditional_t<keyed, greedy_rank_memo<rank_type>, no_log> memo_{};
  std::uint32_t *k12_buffers_ = nullptr, *k2s_ = nullptr, *seen_ = nullptr;
  std::uint32_t stamp_ = 0, in1_stamp_ = 0, next_ = 0;  // next_: the next ssa id
  bool narrow_sizes_ = false;
  bool logs_ready_ = by_log;  // (count:) idx_[d].log filled (log2_size)
  // (masks:) the indices some 2 (ref2_) or 3 (ref3_) live tensors hold, and the output.
  std::uint64_t ref2_ = 0, ref3_ = 0, out_mask_ = 0;
  ssa_path path_;

 public:
  constexpr explicit greedy_search(const path_problem<Cost, W>& p, Ranker ranker = {})
      : p_(p), ranker_(ranker), handle_of_(2 * p.in.size()) {}
  // (Not copied: holders_ and the scratch pointers point into its own scratch_.)
  greedy_search(const greedy_search&) = delete;
  greedy_search& operator=(const greedy_search&) = delete;

  [[nodiscard]] constexpr ssa_path run() {
    const std::size_t n = p_.in.size();
    if (n == 1) {
      path_.push_back({0});
      return std::move(path_);
    }
    add_inputs();
    index_holders();
    seed_queue();
    queue_.end_seeding();
    while (!queue_.empty()) {
      const auto c = queue_.pop();
      if (!t_[c.h1].alive || !t_[c.h2].alive) continue;  // obsolete
      const std::uint32_t h12 = contract(c.h1, c.h2, c.k12);
      offer_partners(h12, c.k12);
    }
    outer_products();
    return std::move(path_);
  }

 private:
  constexpr void add_step(std::uint32_t a, std::uint32_t b) {  // (ssa_path's push_back inserts a range)
    path_.data.push_back(2);
    path_.data.push_back(a);
    path_.data.push_back(b);
    ++path_.steps;
  }
  constexpr std::span<const std::uint32_t> ids_of(id_run r) const { return {pool_.data() + r.at, r.len}; }
  constexpr label_set<W> dense(id_run r) const {
    label_set<W> s;
    for (auto d : ids_of(r)) s.set(d);
    return s;
  }
  // The result of the pair (h1, h2) as result_of keeps it, written at the pool's end (room made
  // for the union of their keys first: no scratch list to copy from, no memmove call).
  constexpr id_run store_result(std::uint32_t h1, std::uint32_t h2) {
    const std::uint32_t at = pool_end_, room = t_[h1].key.len + t_[h2].key.len;
    if (pool_.size() < at + room) pool_.resize(2 * (at + room), 0);
    pool_end_ = at + result_of(h1, h2, pool_.data() + at);
    return {at, pool_end_ - at};
  }
  constexpr double ln_size_of(std::span<const std::uint32_t> ids) const {
    double l = 0;
    for (auto d : ids) l += ranker_.ln_of(d);
    return l;
  }
  // Fills x field by field (a tensor built whole and copied in was written to the stack in
  // pieces and read back in 16-byte blocks: a store-forwarding stall at each new tensor).
  constexpr void set_tensor(tensor& x, id_run key, std::uint32_t ssa) {
    x.key = key;
    x.ssa = ssa;
    x.alive = true;
    x.narrow = false;
    x.beyond = false;
    if constexpr (is_count) {
      u128 size = 0;
      x.beyond = !p_.size_fits(ids_of(key), size);
      if (x.beyond && std::is_constant_evaluated()) (void)p_.size_of(ids_of(key));  // (throws: no log2 there)
      if (x.beyond || (exact && logs_ready_)) x.footprint_log2 = log2_size(ids_of(key));
      x.footprint = count::from_rep(size);
      x.narrow = narrow_sizes_ && !x.beyond && (size >> 64) == 0;
    } else {
      x.footprint = p_.size_of(ids_of(key));
    }
    std::uint64_t mask = 0;
    if constexpr (masks)
      for (auto d : ids_of(key)) mask |= std::uint64_t{1} << d;
    x.mask = mask;
    if constexpr (!exact) x.ln_size = ln_size_of(ids_of(key));
  }
  constexpr void add_tensor(id_run key, std::uint32_t ssa) { set_tensor(t_.emplace_back(), key, ssa); }

  // The inputs as tensors. An index on every tensor can only go in the last step: it counts
  // as an output index. Identical index sets are multiplied elementwise first (Hadamard).
  constexpr void add_inputs() {
    const std::size_t n = p_.in.size();
    idx_.assign(p_.size.size(), index_state{});
    if constexpr (std::is_same_v<Cost, count>) {
      narrow_sizes_ = true;
      for (std::size_t d = 0; d < p_.size.size(); ++d) {
        narrow_sizes_ = narrow_sizes_ && (p_.size[d].rep_value() >> 64) == 0;
        idx_[d].narrow = static_cast<std::uint64_t>(p_.size[d].rep_value());
      }
    }
    label_set<W> common = p_.in[0];
    for (const auto& s : p_.in) common = common & s;
    output_ = p_.out | common;
    if constexpr (masks) out_mask_ = output_.w[0];
    pool_.resize(8 * n, 0);
    t_.reserve(2 * n);
    path_.reserve(n);
    next_ = static_cast<std::uint32_t>(n);
    for (std::uint32_t id = 0; id < n; ++id) {
      const std::uint32_t at = pool_end_;
      p_.in[id].for_each([&](std::uint32_t d) {
        if (pool_.size() == pool_end_) pool_.resize(2 * pool_end_ + 1, 0);
        pool_[pool_end_++] = d;
      });
      const id_run key{at, pool_end_ - at};
      std::size_t slot = 0;
      const std::uint64_t hash = id_list_map::hash(ids_of(key));
      const std::uint32_t h = handle_of_.find(ids_of(key), hash, handle_ids(), slot);
      if (h != id_list_map::npos) {
        pool_end_ = at;
        add_step(t_[h].ssa, id);
        t_[h].ssa = next_++;
        continue;
      }
      handle_of_.insert(slot, hash, static_cast<std::uint32_t>(t_.size()));
      add_tensor(key, id);
    }
  }
  constexpr auto handle_ids() const {
    return [this](std::uint32_t h) { return ids_of(t_[h].key); };
  }

  template <class F>
  constexpr void for_each_summed(id_run r, F f) const {
    for (auto d : ids_of(r))
      if (!output_.test(d)) f(d);
  }
  constexpr void hold(std::uint32_t d, std::uint32_t h) {
    holders_[idx_[d].first + idx_[d].len++] = h;
    count_refs(d);
  }
  // What follows d's reference count: the masks' bits, or the log path's terms.
  constexpr void count_refs(std::uint32_t d) {
    index_state& x = idx_[d];
    if constexpr (masks) {
      const std::uint64_t bit = std::uint64_t{1} << d;
      ref2_ = x.len >= 2 ? ref2_ | bit : ref2_ & ~bit;
      ref3_ = x.len >= 3 ? ref3_ | bit : ref3_ & ~bit;
    }
    if constexpr (by_log || pruned) {
      x.term[0] = x.len >= 2 ? x.log : 0.0;
      x.term[1] = x.len >= 3 ? -0.0 : -x.log;
    }
  }
  constexpr void drop(std::uint32_t d, std::uint32_t h) {
    std::uint32_t* const v = holders_ + idx_[d].first;
    const std::uint32_t len = idx_[d].len;  // (a local: the store to v[i] may alias it)
    for (std::uint32_t i = 0; i < len; ++i)
      if (v[i] == h) {
        v[i] = v[len - 1];
        idx_[d].len = len - 1;
        count_refs(d);
        return;
      }
  }
  constexpr void index_holders() {
    const std::size_t n_labels = p_.size.size();
    for (const auto& x : t_) for_each_summed(x.key, [&](std::uint32_t d) { ++idx_[d].len; });
    std::uint32_t total = 0;  // (lengths to starts)
    for (auto& x : idx_) x.first = total, total += std::exchange(x.len, 0);
    // holders, then k12_buffers_ (2 per index), then seen_ and k2s_ (one per handle: a handle
    // per distinct key, at most n + n - 1).
    const std::size_t n = p_.in.size();
    scratch_.assign(total + 2 * n_labels + 4 * n, 0);
    holders_ = scratch_.data();
    k12_buffers_ = holders_ + total;
    seen_ = k12_buffers_ + 2 * n_labels;
    k2s_ = seen_ + 2 * n;
    if constexpr (by_log)
      for (std::uint32_t d = 0; d < n_labels; ++d) idx_[d].log = log_of(d);
    for (std::uint32_t h = 0; h < t_.size(); ++h)
      for_each_summed(t_[h].key, [&](std::uint32_t d) { holders_[idx_[d].first + idx_[d].len++] = h; });
    output_.for_each([&](std::uint32_t d) { idx_[d].len = kept_always; });
    for (std::uint32_t d = 0; d < n_labels; ++d) count_refs(d);  // (once an index, not once a holder)
    // Each summed index seeds at most its holders' count of candidates, each step one more.
    queue_.reserve(total + n);
  }


  // The result of contracting h1 and h2 keeps the output indices and those some other live
  // tensor holds (opt_einsum: reference count >= 3 on both operands, >= 2 on one). Written to
  // k12 (room for every index); returns its length.
  constexpr std::uint32_t result_of(std::uint32_t h1, std::uint32_t h2, std::uint32_t* k12) const {
    std::uint32_t* out = k12;
    if constexpr (masks) {  // (the bits of kept_mask, ascending: no merge of two lists)
      for (std::uint64_t keep = kept_mask(h1, h2); keep; keep &= keep - 1) *out++ = static_cast<std::uint32_t>(std::countr_zero(keep));
      return static_cast<std::uint32_t>(out - k12);
    }
    // (On the log path the union is merged with selects: for_each_union's branches were
    // mispredicted there; not in count's narrow_size12 and result_of, which selects made 30%
    // and 4% slower on random n=100.)
    for_each_union<by_log>(h1, h2, [&](std::uint32_t d, std::uint32_t refs) {
      *out = d;
      out += idx_[d].len >= refs;
    });
    return static_cast<std::uint32_t>(out - k12);
  }
  // Calls f(d, refs) for each index d of h1 or h2 in ascending id, refs being the reference
  // count at which d outlives the pair (3 when both hold it, else 2); the merge steps by
  // selects where `selects`, else by branches (which is faster depends on the caller).
  template <bool selects = false, class F>
  constexpr void for_each_union(std::uint32_t h1, std::uint32_t h2, F f) const {
    const auto a = ids_of(t_[h1].key), b = ids_of(t_[h2].key);
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
      if constexpr (selects) {
        const std::uint32_t x = a[i], y = b[j];
        f(x < y ? x : y, x == y ? 3u : 2u);
        i += x <= y;
        j += y <= x;
      } else {
        if (a[i] < b[j]) f(a[i++], 2u);
        else if (b[j] < a[i]) f(b[j++], 2u);
        else f(a[i++], 3u), ++j;
      }
    }
    while (i < a.size()) f(a[i++], 2u);
    while (j < b.size()) f(b[j++], 2u);
  }
  // The pair (h1, h2) with its rank, the smaller ssa id first.
  constexpr candidate make(std::uint32_t h1, std::uint32_t h2, const rank_type& rank) const {
    candidate c{rank, t_[h2].ssa, t_[h1].ssa, h1, h2, {}};
    if (c.id1 > c.id2) {
      std::swap(c.h1, c.h2);
      std::swap(c.id1, c.id2);
    }
    return c;
  }

  // Queues the best partner of h1 among [from, to).
  constexpr void offer(std::uint32_t h1, const std::uint32_t* from, const std::uint32_t* to) {
    if (from == to) return;
    if constexpr (pruned)
      if (!std::is_constant_evaluated() && to - from >= prune_from) {
        if (!logs_ready_) fill_logs();
        return offer_best_by_log(h1, from, to);
      }
    if constexpr (exact && !std::is_same_v<Cost, log2_cost>) offer_best_exact(h1, from, to);
    else offer_best_by_log(h1, from, to);
  }
  constexpr void offer_best_exact(std::uint32_t h1, const std::uint32_t* from, const std::uint32_t* to) {
    rank_type best_rank{};
    const std::uint32_t* best = from;
    for (const std::uint32_t* h2 = from; h2 != to; ++h2) {
      const rank_type rank = exact_rank_of(h1, *h2);
      if (h2 == from || rank < best_rank || (!(best_rank < rank) && ssa_before(h1, *h2, *best))) {
        best_rank = rank;
        best = h2;
      }
    }
    candidate c = make(h1, *best, best_rank);
    c.k12 = store_result(c.h1, c.h2);
    queue_.push(c);
  }
  // Whether the pair (h1, a) comes before (h1, b) on a tie of ranks: opt_einsum compares the
  // larger ssa id of each pair, then the smaller.
  constexpr bool ssa_before(std::uint32_t h1, std::uint32_t a, std::uint32_t b) const {
    const std::uint32_t s1 = t_[h1].ssa, sa = t_[a].ssa, sb = t_[b].ssa;
    const std::uint32_t hi_a = s1 < sa ? sa : s1, hi_b = s1 < sb ? sb : s1;
    if (hi_a != hi_b) return hi_a < hi_b;
    return (s1 < sa ? s1 : sa) < (s1 < sb ? s1 : sb);
  }
  // size12 - size1 - size2 of the pair, exactly. For count, in 64-bit arithmetic where every
  // size fits (the same value: a sum of three terms below 2^64 fits in a signed 128-bit one),
  // and a count_rank beyond 128 bits.
  constexpr rank_type exact_rank_of(std::uint32_t h1, std::uint32_t h2) {
    if constexpr (is_count) {
      std::uint64_t size12 = 0;
      if (t_[h1].narrow && t_[h2].narrow && (masks ? narrow_size12_mask(h1, h2, size12) : narrow_size12(h1, h2, size12))) {
        const i128 r = static_cast<i128>(size12) - static_cast<i128>(t_[h1].footprint.rep_value()) -
                       static_cast<i128>(t_[h2].footprint.rep_value());
        return {static_cast<u128>(r < 0 ? -r : r), 0, r < 0, false};
      }
    }
    std::uint32_t* k12 = k12_buffers_;
    const std::span<const std::uint32_t> ids12(k12, result_of(h1, h2, k12));
    if constexpr (is_count) return count_rank_of(h1, h2, ids12);
    else return signed_cost<Cost>::diff(p_.size_of(ids12), t_[h1].footprint, t_[h2].footprint);
  }
  // (count:) the rank of (h1, h2) whose result holds ids12: exact where it fits, else beyond.
  constexpr count_rank count_rank_of(std::uint32_t h1, std::uint32_t h2, std::span<const std::uint32_t> ids12) {
    const tensor &a = t_[h1], &b = t_[h2];
    u128 size12 = 0;
    count_rank r;
    if (!a.beyond && !b.beyond && p_.size_fits(ids12, size12) &&
        count_rank::exact_of(size12, a.footprint.rep_value(), b.footprint.rep_value(), r))
      return r;
    if (std::is_constant_evaluated())  // (throws as before count_rank: no log2 at compile time)
      return count_rank::of(signed_cost<count>::diff(p_.size_of(ids12), a.footprint + b.footprint));
    const double l12 = log2_size(ids12);  // (first: it fills the footprints' logs)
    return count_rank::beyond_of(l12, a.footprint_log2, b.footprint_log2);
  }
  // (count:) the logs of the sizes (each index's in idx_[d].log, each tensor's footprint's),
  // filled at the first pruned offer or size beyond a count, and log2 of the product of ids'.
  void fill_logs() {
    for (std::uint32_t d = 0; d < idx_.size(); ++d) {
      idx_[d].log = log2_cost(p_.size[d]).log2();
      if constexpr (pruned) count_refs(d);
    }
    logs_ready_ = true;
    for (auto& x : t_)
      if (!x.beyond) x.footprint_log2 = log2_size(ids_of(x.key));
  }
  double log2_size(std::span<const std::uint32_t> ids) {
    if (!logs_ready_) fill_logs();
    double l = 0;
    for (auto d : ids) l += idx_[d].log;
    return l;
  }
  // (masks:) what result_of keeps, as a bit mask: opt_einsum's k12 = (either & output) | (two &
  // refs >= 3) | (one & refs >= 2).
  constexpr std::uint64_t kept_mask(std::uint32_t h1, std::uint32_t h2) const {
    const std::uint64_t either = t_[h1].mask | t_[h2].mask, two = t_[h1].mask & t_[h2].mask;
    return (either & out_mask_) | (two & ref3_) | ((either ^ two) & ref2_);
  }
  // The same as narrow_size12 on bit masks.
  constexpr bool narrow_size12_mask(std::uint32_t h1, std::uint32_t h2, std::uint64_t& size12) const {
    std::uint64_t keep = kept_mask(h1, h2), prod = 1;
    for (; keep; keep &= keep - 1)
      if (__builtin_mul_overflow(prod, idx_[static_cast<std::size_t>(std::countr_zero(keep))].narrow, &prod)) return false;
    size12 = prod;
    return true;
  }
  // The size of the result of (h1, h2) as result_of keeps it, when it fits in 64 bits.
  constexpr bool narrow_size12(std::uint32_t h1, std::uint32_t h2, std::uint64_t& size12) const {
    std::uint64_t prod = 1;
    bool fits = true;
    for_each_union(h1, h2, [&](std::uint32_t d, std::uint32_t refs) {
      if (idx_[d].len >= refs) fits = fits && !__builtin_mul_overflow(prod, idx_[d].narrow, &prod);
    });
    size12 = prod;
    return fits;
  }
  // The log of an index size: log2 for log2_cost's exact rank, the Ranker's ln otherwise.
  constexpr double log_of(std::uint32_t d) const {
    if constexpr (exact) return p_.size[d].log2();
    else return ranker_.ln_of(d);
  }
  // In logs a size is a sum, so each partner costs only its own indices: the result holds what
  // h1 keeps (reference count >= 2 or output), less the indices only the pair held, plus what
  // h2 alone keeps. (h1's result grows large in big networks, h2's stay small.)
  constexpr void offer_best_by_log(std::uint32_t h1, const std::uint32_t* from, const std::uint32_t* to) {
    const std::uint32_t stamp = ++in1_stamp_;  // h1's indices: idx_[d].in1 == stamp
    index_state* const idx = idx_.data();
    double kept1 = 0;
    for (auto d : ids_of(t_[h1].key)) {
      idx[d].in1 = stamp;
      kept1 += idx[d].term[0];  // (+ 0.0 where d is not kept: the same, as no log is -0.0)
    }
    greedy_kept_product p1{};
    if constexpr (pruned)
      if (narrow_sizes_ && !t_[h1].beyond) p1 = greedy_kept_product_of(ids_of(t_[h1].key), idx);
    candidate best{};
    double best_log2 = 0;  // (exact:) log2 of best's magnitude
    for (const std::uint32_t* h2 = from; h2 != to; ++h2) {
      double l = kept1;
      for (auto d : ids_of(t_[*h2].key)) l += greedy_partner_term(idx[d], stamp);
      if constexpr (exact)
        if (h2 != from && greedy_surely_worse(best.rank.negative, best_log2, l, footprint_log2(h1), footprint_log2(*h2)))
          continue;
      candidate c;
      if constexpr (pruned) c = make(h1, *h2, pruned_rank(h1, *h2, p1, stamp));
      else c = make(h1, *h2, rank_of(h1, *h2, l));
      if (h2 == from || queue_type::before(c, best)) {
        best = c;
        if constexpr (exact) best_log2 = best.rank.magnitude_log2();
      }
    }
    best.k12 = store_result(best.h1, best.h2);
    queue_.push(best);
  }
  // log2 of a tensor's footprint (count: kept once the logs are filled; log2_cost: the footprint).
  constexpr double footprint_log2(std::uint32_t h) const {
    if constexpr (is_count) return t_[h].footprint_log2;
    else return t_[h].footprint.log2();
  }
  // (pruned:) a partner's rank from h1's kept product (greedy_kept_product): exact where it
  // fits, else as exact_rank_of ranks it.
  constexpr count_rank pruned_rank(std::uint32_t h1, std::uint32_t h2, const greedy_kept_product& p1, std::uint32_t stamp) {
    u128 size12 = 0;
    count_rank r;
    if (!t_[h2].beyond && greedy_pruned_size12(p1, ids_of(t_[h2].key), idx_.data(), stamp, size12) &&
        count_rank::exact_of(size12, t_[h1].footprint.rep_value(), t_[h2].footprint.rep_value(), r))
      return r;
    return exact_rank_of(h1, h2);
  }
  // The rank of the pair (h1, h2) whose result has log size l (log_of's base). With log2_cost,
  // from the memo (greedy_rank_memo) where it has it. (One call of diff: with two, GCC inlined
  // neither.)
  constexpr rank_type rank_of(std::uint32_t h1, std::uint32_t h2, double l) {
    if constexpr (exact) {
      typename greedy_rank_memo<rank_type>::entry* m = nullptr;
      const double l1 = footprint_log2(h1), l2 = footprint_log2(h2);
      if constexpr (keyed) {
        m = memo_.at(l, l1, l2);
        if (m && m->holds(l, l1, l2)) {
          memo_.hit();
          return m->rank;
        }
      }
      const rank_type rank = signed_cost<Cost>::diff(log2_cost::from_log2(l), t_[h1].footprint, t_[h2].footprint);
      if (m) *m = {l, l1, l2, rank};
      return rank;
    } else {
      return ranker_(t_[h1].ln_size, t_[h2].ln_size, l);
    }
  }

  // The first candidates: for each summed index, each holder with those after it (in ssa
  // order; sorted in place: later uses do not depend on the order, offer's is total).
  constexpr void seed_queue() {
    for (std::uint32_t d = 0; d < idx_.size(); ++d) {
      if (output_.test(d)) continue;
      std::uint32_t* keys = holders_ + idx_[d].first;
      const std::uint32_t len = idx_[d].len;
      auto ssa_less = [&](std::uint32_t a, std::uint32_t b) { return t_[a].ssa < t_[b].ssa; };
      if (len > 32) std::sort(keys, keys + len, ssa_less);
      else  // (by insertion: most lists hold 2 or 3, already in order, as handles were made in ssa order)
        for (std::uint32_t i = 1; i < len; ++i)
          for (std::uint32_t j = i; j > 0 && ssa_less(keys[j], keys[j - 1]); --j) std::swap(keys[j - 1], keys[j]);
      for (std::size_t i = 0; i + 1 < len; ++i) offer(keys[i], keys + i + 1, keys + len);
    }
  }

  // Contracts the pair (h1, h2) into k12: one step, and one more when the result's index set is
  // that of a live tensor (a Hadamard product). Returns the result's handle.
  constexpr std::uint32_t contract(std::uint32_t h1, std::uint32_t h2, id_run k12) {
    t_[h1].alive = false;
    t_[h2].alive = false;
    for_each_summed(t_[h1].key, [&](std::uint32_t d) { drop(d, h1); });
    for_each_summed(t_[h2].key, [&](std::uint32_t d) { drop(d, h2); });
    add_step(t_[h1].ssa, t_[h2].ssa);
    const std::uint32_t id12 = next_++;
    std::size_t slot = 0;
    const std::uint64_t hash = id_list_map::hash(ids_of(k12));
    std::uint32_t h12 = handle_of_.find(ids_of(k12), hash, handle_ids(), slot);
    if (h12 != id_list_map::npos && t_[h12].alive) {
      add_step(t_[h12].ssa, id12);
      t_[h12].ssa = next_++;
      return h12;
    }
    if (h12 == id_list_map::npos) {
      h12 = static_cast<std::uint32_t>(t_.size());
      handle_of_.insert(slot, hash, h12);
      add_tensor(k12, id12);
    } else {
      set_tensor(t_[h12], k12, id12);
    }
    for_each_summed(k12, [&](std::uint32_t d) { hold(d, h12); });
    return h12;
  }

  // New candidates: the live tensors sharing a summed index with the new one (each once).
  // (On locals: a store through seen or k2s may alias any member of 32 bits, which the compiler
  // then read again at each holder.)
  constexpr void offer_partners(std::uint32_t h12, id_run k12) {
    const std::uint32_t stamp = ++stamp_;
    std::uint32_t *const seen = seen_, *const k2s = k2s_;
    std::uint32_t n2 = 0;
    seen[h12] = stamp;
    for_each_summed(k12, [&](std::uint32_t d) {
      const std::uint32_t* const v = holders_ + idx_[d].first;
      for (std::uint32_t i = 0, len = idx_[d].len; i < len; ++i)
        if (const std::uint32_t h = v[i]; seen[h] != stamp) {
          seen[h] = stamp;
          k2s[n2++] = h;
        }
    });
    offer(h12, k2s, k2s + n2);
  }

  // The tensors left, joined by outer products (greedy_outer.hpp).
  constexpr void outer_products() {
    std::size_t live = 0;
    for (const auto& x : t_)
      if (x.alive) ++live;
    if (live < 2) return;  // (the usual end: one tensor left, and no allocation)
    std::vector<greedy_left<Cost, W>> left;
    left.reserve(live);
    for (const auto& x : t_)
      if (x.alive) {
        const label_set<W> key = dense(x.key);
        left.push_back({p_.size_of(key & output_), x.ssa, key});
      }
    greedy_outer_products(p_, output_, std::move(left), next_, path_);
  }

};

// opt_einsum's greedy.
template <class Cost, std::size_t W>
[[nodiscard]] constexpr ssa_path greedy_ssa(const path_problem<Cost, W>& p) {
  return greedy_search<Cost, W>(p).run();
}

}  // namespace detail
}  // namespace txmath
