#pragma once
// How greedy (greedy.hpp) ranks a candidate pair beside Cost's own arithmetic: count_rank, a
// rank in count that goes on beyond 128 bits; what it knows of an index (greedy_index_state)
// and the sizes of a partner's result from it (in logs, greedy_partner_term; exactly,
// greedy_kept_product); greedy_surely_worse, the test that lets it skip a partner sized in
// logs; greedy_rank_memo, the last ranks computed on the log path.
#include <array>
#include <bit>
#include <cstdint>
#include <limits>
#include <span>

#include <txmath/einsum_path/problem.hpp>

namespace txmath {
namespace detail {

// A rank in count: exact where the three sizes and size1 + size2 fit in 128 bits; beyond, its
// sign and log2, to ~15 significant digits (opt_einsum's Python integers have no bound), so
// that a path whose pairs outgrow a count is still found in one search, ranked exactly
// wherever the sizes allow. Ordered by the value: the log2 of the magnitude first (monotone in
// it), then an exact rank before a beyond one, then two exact ones exactly; so on exact ranks
// alone, the exact order.
struct count_rank {
  u128 magnitude = 0;  // (exact)
  double beyond_log2 = 0;  // (beyond:) log2 of the magnitude
  bool negative = false, beyond = false;

  constexpr count_rank() = default;
  constexpr count_rank(u128 m, double l, bool n, bool b) : magnitude(m), beyond_log2(l), negative(n), beyond(b) {}
  // Copied member by member, the magnitude in two 64-bit halves: a rank is written in pieces
  // (its halves from two registers, its flags a byte each), and the implicit copy read it back
  // in 16-byte blocks right after, a store-forwarding stall (perf: about half the samples of
  // greedy's seeding in count on a 60-site MPS overlap, benchmarks/results/greedy_large_*).
  constexpr count_rank(const count_rank& o) { *this = o; }
  constexpr count_rank& operator=(const count_rank& o) {
    lo_hi(magnitude, static_cast<std::uint64_t>(o.magnitude), static_cast<std::uint64_t>(o.magnitude >> 64));
    beyond_log2 = o.beyond_log2;
    negative = o.negative;
    beyond = o.beyond;
    return *this;
  }

  static constexpr count_rank of(const signed_cost<count>& r) { return {r.magnitude.rep_value(), 0, r.negative, false}; }
  // The exact rank size12 - size1 - size2 in r; false where size1 + size2 passes 2^128 - 1.
  static constexpr bool exact_of(u128 size12, u128 size1, u128 size2, count_rank& r) {
    u128 sum = 0;
    if (__builtin_add_overflow(size1, size2, &sum)) return false;
    const bool negative = size12 < sum;
    r = {negative ? sum - size12 : size12 - sum, 0, negative, false};
    return true;
  }
  // The rank 2^l12 - 2^l1 - 2^l2 from the log2 of the three sizes (beyond).
  static count_rank beyond_of(double l12, double l1, double l2) {
    const auto d = signed_cost<log2_cost>::diff(log2_cost::from_log2(l12), log2_cost::from_log2(l1), log2_cost::from_log2(l2));
    return {0, d.magnitude.log2(), d.negative, true};
  }
  double magnitude_log2() const { return beyond ? beyond_log2 : log2_cost(count::from_rep(magnitude)).log2(); }
  friend constexpr bool operator<(const count_rank& x, const count_rank& y) {
    if (x.beyond || y.beyond) return beyond_less(x, y);
    if (x.negative != y.negative) return x.negative;
    return x.negative ? y.magnitude < x.magnitude : x.magnitude < y.magnitude;
  }

 private:
  // (Out of line: inlined, it kept operator< itself from being inlined in the queue's heap.)
  [[gnu::noinline]] static bool beyond_less(const count_rank& x, const count_rank& y) {
    const int cx = x.sign(), cy = y.sign();
    if (cx != cy) return cx < cy;
    if (cx != 0) {
      const double lx = x.magnitude_log2(), ly = y.magnitude_log2();
      if (lx != ly) return cx > 0 ? lx < ly : ly < lx;
    }
    return !x.beyond && y.beyond;
  }
  static constexpr void lo_hi(u128& x, std::uint64_t lo, std::uint64_t hi) { x = u128{hi} << 64 | lo; }
  constexpr int sign() const {
    if (beyond ? beyond_log2 == -std::numeric_limits<double>::infinity() : magnitude == 0) return 0;
    return negative ? -1 : 1;
  }
};

// What greedy reads of an index as it sizes a partner's result sits in one place (one cache
// line, not three): what the index adds to a result's log size (term, kept up to date with
// len), its reference count (len: opt_einsum's; kept_always for an output index), whether the
// tensor offering partners holds it (in1 == that offer's stamp), its list of holders (first),
// and, in count, its size in 64 bits (narrow), if all fit.
struct greedy_index_state {
  double log = 0;
  // (log path:) what the index adds to a pair's log size where one tensor of the pair holds it
  // (term[0]: its log if a second live tensor keeps it, else 0.0) and where both do (term[1]:
  // -log if no third keeps it, else -0.0, as l - 0.0 is l + -0.0).
  double term[2] = {0, 0};
  std::uint64_t narrow = 0;
  std::uint32_t first = 0, len = 0, in1 = 0;
};
// What an index of the partner adds to the result's log size: an indexed load, not a branch on
// in1 (mispredicted one time in three).
constexpr double greedy_partner_term(const greedy_index_state& x, std::uint32_t stamp) { return x.term[x.in1 == stamp]; }

// (count:) the exact product of the sizes a tensor of indices ids1 keeps whatever its partner
// (reference count >= 2, or output), if it fits: a partner's result size is that, divided by
// the sizes only the pair holds, times those the partner alone keeps (as the log path's sum),
// so that sizing a partner walks its short list, not the tensor's long one.
struct greedy_kept_product {
  u128 value = 0;
  bool fits = false;
};
constexpr greedy_kept_product greedy_kept_product_of(std::span<const std::uint32_t> ids1, const greedy_index_state* idx) {
  greedy_kept_product p{1, true};
  for (auto d : ids1)
    if (idx[d].len >= 2) p.fits = p.fits && !__builtin_mul_overflow(p.value, idx[d].narrow, &p.value);
  return p;
}
// The result size of the pair of a tensor of kept product p1 (its indices marked in1 == stamp)
// and one of indices ids2, in size12; false where it does not fit in 128 bits.
constexpr bool greedy_pruned_size12(const greedy_kept_product& p1, std::span<const std::uint32_t> ids2,
                                    const greedy_index_state* idx, std::uint32_t stamp, u128& size12) {
  bool fits = p1.fits;
  u128 dropped = 1, added = 1;
  for (auto d : ids2) {
    const greedy_index_state& x = idx[d];
    if (x.in1 == stamp) {
      if (x.len < 3) fits = fits && !__builtin_mul_overflow(dropped, x.narrow, &dropped);
    } else if (x.len >= 2) {
      fits = fits && !__builtin_mul_overflow(added, x.narrow, &added);
    }
  }
  return fits && !__builtin_mul_overflow(p1.value / dropped, added, &size12);
}

// Whether a pair whose sizes are 2^l (result), 2^l1 and 2^l2 surely ranks after `best` (of sign
// best_negative and magnitude 2^best_log2), so that its rank need not be computed (two exp2
// and one log2 in log2_cost, a merge and a product in count: most of a partner's cost). Where
// l exceeds max(l1, l2) + 1 by k > 0, the difference is positive and computed as such: its
// scaled terms give 1 - 2^(l1 - l) - 2^(l2 - l) >= 1 - 2^-k > 0 (exp2 and log2 err by under
// 1e-15, hence the margins of 1e-9). Its log2 is then at least l + log2(1 - 2^-k): l - 1 for
// k >= 1, l - 0.2 for k >= 3 (log2(7/8) = -0.193). Any NaN or infinity fails the tests. (In
// count, of the exact rank: the bound holds for the exact sizes, whose logs l, l1 and l2 are
// sums to ~1e-11.)
constexpr bool greedy_surely_worse(bool best_negative, double best_log2, double l, double l1, double l2) {
  const double k = l - (l1 < l2 ? l2 : l1) - 1;
  if (!(k > 1e-9)) return false;
  if (best_negative) return true;
  if (!(k >= 1)) return false;
  return (k >= 3 ? l - 0.2 : l - 1) - 1e-9 > best_log2;
}

// The last ranks computed on the log path of log2_cost, by their three log sizes: 64 entries,
// by the top 6 bits of a hash. A network of repeated shapes asks for few distinct ranks (27
// among the 278 greedy computes on an MPS ladder of 40 sites), and each costs two exp2 and a
// log2. A random network repeats almost none (10 among 2,018 at 500 tensors): the memo is left
// after 64 lookups where fewer than 16 found their rank (its misses cost 4% at 100 tensors).
template <class Rank>
class greedy_rank_memo {
 public:
  struct entry {
    double l = std::numeric_limits<double>::quiet_NaN(), l1 = 0, l2 = 0;  // (a NaN never matches)
    Rank rank{};
    constexpr bool holds(double l_, double l1_, double l2_) const { return l == l_ && l1 == l1_ && l2 == l2_; }
  };
  // The entry for the rank of log sizes (l, l1, l2): the one that holds it, if any, or the
  // one to fill; nullptr where the memo was left.
  constexpr entry* at(double l, double l1, double l2) {
    if (tries_ == 64 && hits_ < 16) return nullptr;
    tries_ += tries_ < 64;
    const std::uint64_t mix = (std::bit_cast<std::uint64_t>(l) ^ std::bit_cast<std::uint64_t>(l1 + 2 * l2)) * 0x9E3779B97F4A7C15ull;
    return &entries_[mix >> 58];
  }
  constexpr void hit() { ++hits_; }

 private:
  std::array<entry, 64> entries_{};
  std::uint32_t tries_ = 0, hits_ = 0;
};

}  // namespace detail
}  // namespace txmath
