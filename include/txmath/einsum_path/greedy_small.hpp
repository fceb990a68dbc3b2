#pragma once
// greedy on a small network, without allocating: opt_einsum's ssa_greedy_optimize as
// greedy_search<count, 1> runs it (same ranks, same ties, so the same path), with every set a
// bit mask and every list a fixed array. For up to 64 operands and 128 indices, where each
// size it ranks by fits 64 bits; elsewhere it declines and greedy_search decides. (A call of
// greedy on a few operands otherwise spends most of its time making greedy_search's lists.)
#include <algorithm>
#include <bit>
#include <optional>

#include <txmath/einsum_path/greedy.hpp>

namespace txmath {
namespace detail {

// The search, on sets of handles of type Handles (std::uint64_t for up to 32 operands, u128
// for up to 64: a handle is one distinct key ever seen, at most n inputs and n - 1 results)
// and sets of index ids of type Ids (std::uint64_t for up to 64 indices, u128 for 128).
template <class Handles, class Ids>
class greedy_small_search {
 public:
  static constexpr std::size_t max_operands = 4 * sizeof(Handles), max_indices = 8 * sizeof(Ids);

  // The ssa path greedy_search<count, 1> finds for `net`, or nothing where this one declines.
  [[nodiscard]] static constexpr std::optional<ssa_path> of(const einsum_network& net) {
    greedy_small_search g(net);
    if (!g.ok_) return std::nullopt;
    return g.run();
  }

 private:
  using ids = Ids;  // a set of index ids
  static constexpr std::size_t max_handles = 2 * max_operands - 1, max_candidates = max_operands > 32 ? 255 : 160;

  // A queued pair: opt_einsum's (rank, id2, id1) with id1 < id2 its ssa ids; h1 holds id1.
  struct candidate {
    i128 rank;  // size12 - size1 - size2 (each below 2^64)
    std::uint32_t id2, id1;
    std::uint8_t h1, h2;
    ids k12;
  };
  static constexpr bool before(const candidate& a, const candidate& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    if (a.id2 != b.id2) return a.id2 < b.id2;
    return a.id1 < b.id1;
  }

  const einsum_network& net_;
  std::uint64_t size_[max_indices];
  ids output_ = 0;              // the output, and the indices on every input
  // (Arrays written before they are read are not zeroed: a call is a few hundred ns.)
  ids key_[max_handles];        // each handle's index set
  std::uint64_t foot_[max_handles];  // its size
  std::uint32_t ssa_[max_handles];
  Handles alive_ = 0;               // the live handles
  std::size_t handles_ = 0;
  Handles holders_[max_indices];  // the live handles holding each summed index (zeroed up to n_labels)
  // The handles by key beyond 16 operands (a scan of every handle at each lookup made the search
  // quadratic: 10% of a 60-tensor ladder in add_inputs alone): open addressing on twice the
  // slots of the handles, each the handle + 1 (0: empty). Keys are distinct: a key seen again
  // is the same handle, merged or revived.
  static constexpr std::size_t index_slots = std::bit_ceil(2 * max_handles);
  std::uint8_t index_[index_slots];
  bool indexed_ = false;
  ids ref2_ = 0, ref3_ = 0;     // the summed indices 2 or more (3 or more) live tensors hold
  candidate cands_[max_candidates];
  std::uint8_t queue_[max_candidates];  // a heap of positions in cands_, best on top
  std::size_t n_cands_ = 0, n_queue_ = 0;
  std::uint32_t next_ = 0;       // the next ssa id
  bool ok_ = true;               // false once something does not fit: the caller declines
  ssa_path path_;

  constexpr explicit greedy_small_search(const einsum_network& net) : net_(net) {
    for (std::size_t d = 0; d < net.n_labels(); ++d) {
      const u128 s = net.sizes[d].rep_value();
      ok_ = ok_ && (s >> 64) == 0;
      size_[d] = static_cast<std::uint64_t>(s);
      holders_[d] = 0;
    }
  }

  static constexpr ids bit(std::size_t d) { return ids{1} << d; }
  static constexpr Handles handle_bit(std::size_t h) { return Handles{1} << h; }
  static constexpr std::size_t lowest(std::uint64_t m) { return static_cast<std::size_t>(std::countr_zero(m)); }
  static constexpr std::size_t lowest(u128 m) {
    const auto lo = static_cast<std::uint64_t>(m);
    return lo ? lowest(lo) : 64 + lowest(static_cast<std::uint64_t>(m >> 64));
  }
  constexpr ids summed(ids key) const { return key & ~output_; }
  // The product of the sizes of a set; 0 (and ok_ false) when beyond 64 bits. (No size is 0:
  // a network with one takes the short path.)
  constexpr std::uint64_t product(ids s) {
    std::uint64_t p = 1;
    for (; s; s &= s - 1)
      if (__builtin_mul_overflow(p, size_[lowest(s)], &p)) {
        ok_ = false;
        return 0;
      }
    return p;
  }
  constexpr void add_step(std::uint32_t a, std::uint32_t b) { path_.push_back({a, b}); }
  // The live handle with this key, else the dead one (revived by the caller), else handles_.
  constexpr std::size_t handle_of(ids key) const {
    if (indexed_) {
      const std::size_t i = slot_of(key);
      return index_[i] ? index_[i] - std::size_t{1} : handles_;
    }
    std::size_t h = 0;
    while (h < handles_ && key_[h] != key) ++h;
    return h;
  }
  // The slot of key in index_, or the empty slot where it would go.
  constexpr std::size_t slot_of(ids key) const {
    std::uint64_t x = static_cast<std::uint64_t>(key);
    if constexpr (sizeof(ids) > 8) x ^= static_cast<std::uint64_t>(key >> 64) * 0xC2B2AE3D27D4EB4Full;
    std::size_t i = static_cast<std::size_t>((x * 0x9E3779B97F4A7C15ull) >> 40) & (index_slots - 1);
    while (index_[i] && key_[index_[i] - 1] != key) i = (i + 1) & (index_slots - 1);
    return i;
  }
  constexpr void make(std::size_t h, ids key, std::uint32_t ssa) {
    if (h == handles_) {
      if (indexed_) index_[slot_of(key)] = static_cast<std::uint8_t>(h + 1);
      ++handles_;
    }
    key_[h] = key;
    foot_[h] = product(key);
    ssa_[h] = ssa;
    alive_ |= handle_bit(h);
  }
  // (Two or three bits set, without std::popcount: a library call unless built for POPCNT.)
  constexpr void count_refs(std::size_t d) {
    const Handles two_or_more = holders_[d] & (holders_[d] - 1), three_or_more = two_or_more & (two_or_more - 1);
    ref2_ = two_or_more ? ref2_ | bit(d) : ref2_ & ~bit(d);
    ref3_ = three_or_more ? ref3_ | bit(d) : ref3_ & ~bit(d);
  }
  constexpr void hold(std::size_t h) {
    for (ids s = summed(key_[h]); s; s &= s - 1) holders_[lowest(s)] |= handle_bit(h), count_refs(lowest(s));
  }
  constexpr void drop(std::size_t h) {
    alive_ &= ~handle_bit(h);
    for (ids s = summed(key_[h]); s; s &= s - 1) holders_[lowest(s)] &= ~handle_bit(h), count_refs(lowest(s));
  }

  [[nodiscard]] constexpr std::optional<ssa_path> run() {
    const std::size_t n = net_.operands();
    path_.reserve(n);
    add_inputs();
    if (ok_) seed_queue();
    while (ok_ && n_queue_ > 0) {
      const candidate c = pop();
      if (!(alive_ & handle_bit(c.h1)) || !(alive_ & handle_bit(c.h2))) continue;  // obsolete
      const std::size_t h12 = contract(c);
      offer(h12, partners(h12, c.k12));
    }
    if (ok_) outer_products();
    if (!ok_) return std::nullopt;
    return std::move(path_);
  }

  // The inputs as handles; identical index sets multiplied elementwise first (Hadamard). An
  // index on every input counts as an output index.
  constexpr void add_inputs() {
    const std::size_t n = net_.operands();
    ids in[max_operands]{}, common = ~ids{0};
    for (std::size_t i = 0; i < n; ++i) {
      for (auto d : net_.inputs[i]) in[i] |= bit(d);
      common &= in[i];
    }
    for (auto d : net_.output) output_ |= bit(d);
    output_ |= common;
    next_ = static_cast<std::uint32_t>(n);
    indexed_ = n > 16;
    if (indexed_)
      for (auto& slot : index_) slot = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::size_t h = handle_of(in[i]);
      if (h < handles_) {
        add_step(ssa_[h], i);
        ssa_[h] = next_++;
      } else {
        make(h, in[i], i);
      }
    }
    for (std::size_t h = 0; h < handles_; ++h) hold(h);
  }

  // The first candidates: for each summed index, each holder (in ssa order) offered those
  // after it. Declines when the queue could outgrow its array: it holds at most one candidate
  // a holder here but the last of each index, and one a contraction after (n - 1 at most).
  constexpr void seed_queue() {
    std::size_t bound = net_.operands() - 1;
    for (std::size_t d = 0; d < net_.n_labels(); ++d)
      for (Handles m = holders_[d] & (holders_[d] - 1); m; m &= m - 1) ++bound;
    if (bound > max_candidates) {
      ok_ = false;
      return;
    }
    std::uint8_t keys[max_operands];
    for (std::size_t d = 0; d < net_.n_labels(); ++d) {
      std::size_t len = 0;
      for (Handles m = holders_[d]; m; m &= m - 1) {  // (insertion by ssa id: a few holders)
        std::size_t j = len++;
        for (; j > 0 && ssa_[lowest(m)] < ssa_[keys[j - 1]]; --j) keys[j] = keys[j - 1];
        keys[j] = static_cast<std::uint8_t>(lowest(m));
      }
      for (std::size_t i = 0; i + 1 < len; ++i) {
        Handles later = 0;
        for (std::size_t j = i + 1; j < len; ++j) later |= handle_bit(keys[j]);
        offer(keys[i], later);
      }
    }
  }

  // What a pair's result keeps (opt_einsum's k12): the output's indices, and those another
  // live tensor holds (reference count >= 3 when both hold it, >= 2 when one does).
  constexpr ids kept(std::size_t h1, std::size_t h2) const {
    const ids either = key_[h1] | key_[h2], two = key_[h1] & key_[h2];
    return (either & output_) | (two & ref3_) | ((either ^ two) & ref2_);
  }
  // Queues the best pair of h1 with a handle of `h2s` (opt_einsum pushes only its minimum).
  constexpr void offer(std::size_t h1, Handles h2s) {
    if (!h2s || !ok_) return;
    candidate best{0, 0, 0, 0, 0, 0};
    for (Handles m = h2s; m; m &= m - 1) {
      const std::size_t h2 = lowest(m);
      const ids k12 = kept(h1, h2);
      const i128 rank = static_cast<i128>(product(k12)) - static_cast<i128>(foot_[h1]) - static_cast<i128>(foot_[h2]);
      candidate c{rank, ssa_[h2], ssa_[h1], static_cast<std::uint8_t>(h1), static_cast<std::uint8_t>(h2), k12};
      if (c.id1 > c.id2) std::swap(c.id1, c.id2), std::swap(c.h1, c.h2);
      if (m == h2s || before(c, best)) best = c;
    }
    cands_[n_cands_] = best;
    queue_[n_queue_++] = static_cast<std::uint8_t>(n_cands_++);
    std::push_heap(queue_, queue_ + n_queue_, heap_less{cands_});
  }
  struct heap_less {
    const candidate* c;
    constexpr bool operator()(std::uint8_t a, std::uint8_t b) const { return before(c[b], c[a]); }
  };
  constexpr candidate pop() {
    std::pop_heap(queue_, queue_ + n_queue_, heap_less{cands_});
    return cands_[queue_[--n_queue_]];
  }

  // Contracts the pair of c: one step, and one more when its result's index set is that of a
  // live tensor (a Hadamard product). Returns the result's handle.
  constexpr std::size_t contract(const candidate& c) {
    drop(c.h1);
    drop(c.h2);
    add_step(ssa_[c.h1], ssa_[c.h2]);
    const std::uint32_t id12 = next_++;
    const std::size_t h12 = handle_of(c.k12);
    if (h12 < handles_ && (alive_ & handle_bit(h12))) {
      add_step(ssa_[h12], id12);
      ssa_[h12] = next_++;
      return h12;
    }
    make(h12, c.k12, id12);
    hold(h12);
    return h12;
  }
  // The live tensors sharing a summed index with h12.
  constexpr Handles partners(std::size_t h12, ids k12) const {
    Handles h2s = 0;
    for (ids s = summed(k12); s; s &= s - 1) h2s |= holders_[lowest(s)];
    return h2s & ~handle_bit(h12);
  }

  // Outer products of what is left, smallest first (ties: the smaller ssa id), each result
  // going back among them (opt_einsum's heap of (size of the output part, ssa id)).
  struct outer {
    std::uint64_t size;
    std::uint32_t ssa;
    ids key;
  };
  static constexpr bool outer_before(const outer& a, const outer& b) {
    return a.size != b.size ? a.size < b.size : a.ssa < b.ssa;
  }
  static constexpr outer take_least(outer* fq, std::size_t& n) {
    std::size_t at = 0;
    for (std::size_t i = 1; i < n; ++i)
      if (outer_before(fq[i], fq[at])) at = i;
    const outer least = fq[at];
    fq[at] = fq[--n];
    return least;
  }
  constexpr void outer_products() {
    if ((alive_ & (alive_ - 1)) == 0) return;  // (one tensor left: the usual end)
    outer fq[max_handles];
    std::size_t n = 0;
    for (Handles m = alive_; m; m &= m - 1) {
      const std::size_t h = lowest(m);
      fq[n++] = {product(key_[h] & output_), ssa_[h], key_[h]};
    }
    outer a = take_least(fq, n);
    while (n > 0) {
      const outer b = take_least(fq, n);
      add_step(std::min(a.ssa, b.ssa), std::max(a.ssa, b.ssa));
      const ids k12 = (a.key | b.key) & output_;
      const outer made{product(k12), next_++, k12};
      bool some_less = false;  // (heappushpop: the least of the rest, if less than made)
      for (std::size_t i = 0; i < n; ++i) some_less = some_less || outer_before(fq[i], made);
      if (some_less) {
        a = take_least(fq, n);
        fq[n++] = made;
      } else {
        a = made;
      }
    }
  }
};

// greedy on up to 64 operands and 128 indices without allocating (greedy_small_search).
struct greedy_small {
  // The ssa path greedy_search<count, 1> finds for `net`, or nothing where greedy_small
  // declines (more than 64 operands or 128 indices, too many candidates, a size beyond 64 bits).
  [[nodiscard]] static constexpr std::optional<ssa_path> of(const einsum_network& net) {
    const std::size_t n = net.operands();
    if (n < 2) return std::nullopt;
    // (Three sizes: 128-bit sets cost a ladder of 40 tensors 15%, where 64 bits hold its indices.)
    using narrow = greedy_small_search<std::uint64_t, std::uint64_t>;
    using more_operands = greedy_small_search<u128, std::uint64_t>;
    using wide = greedy_small_search<u128, u128>;
    if (n <= narrow::max_operands && net.n_labels() <= narrow::max_indices) return narrow::of(net);
    if (n <= more_operands::max_operands && net.n_labels() <= more_operands::max_indices) return more_operands::of(net);
    if (n <= wide::max_operands && net.n_labels() <= wide::max_indices) return wide::of(net);
    return std::nullopt;
  }
};

// greedy's path: greedy_small's where it takes the network, greedy_search's otherwise. (In
// log2_cost too: greedy_small ranks exactly, as opt_einsum, where greedy_search's log2 ranks
// may round two different ranks to one.)
template <class Cost, std::size_t W>
[[nodiscard]] constexpr ssa_path greedy_ssa(const einsum_network& net, const path_problem<Cost, W>& p) {
  if (auto ssa = greedy_small::of(net)) return std::move(*ssa);
  return greedy_ssa(p);
}

}  // namespace detail
}  // namespace txmath
