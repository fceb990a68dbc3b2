#pragma once
// greedy's queue of candidate pairs (greedy_search in greedy.hpp): best first, opt_einsum's
// order (the rank, then the ssa ids), where obsolete entries are skipped when popped.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <type_traits>
#include <vector>

#include <txmath/einsum_path/problem.hpp>

namespace txmath {
namespace detail {

// Candidate: a pair's rank (signed_cost, or a double from a random_greedy Ranker), the ssa ids
// that break ties (id2, id1), the handles of its tensors (h1, h2) and its result's id list (k12,
// a Run). Keyed: the ranks are log2_cost's exact ones. Exact: they are a signed_cost (not NaN).
//
// Where keyed, an entry's order is one 128-bit key, compared as an integer: the log of the
// rank's magnitude, as ordered bits (descending where the rank is negative), then the ids; the
// negative ranks in queue_[0], the others in queue_[1], popped after. (before() tested the
// signs, two doubles' partial ordering and the ids: a fifth of greedy's time on MPS ladders.)
// Other ranks (count's, of 32 bytes, and the Ranker's): positions in cands_ in queue_[1], under
// before() (a heap of the candidates themselves, 48-64 bytes, made count's greedy_search 20%
// slower). Where ranks are exact, the seeds are heaped at once (make_heap, linear), the later
// ones one by one; the Ranker's are pushed one by one, as its double ranks may be NaN
// (before() is then no strict order, and the heap's layout decides).
template <class Candidate, class Run, bool Keyed, bool Exact>
class greedy_queue {
  struct keyed_entry {
    u128 key;
    std::uint32_t h1, h2;
    Run k12;
  };
  using entry = std::conditional_t<Keyed, keyed_entry, std::uint32_t>;  // (else a position in cands_)

 public:
  struct queued {
    std::uint32_t h1, h2;
    Run k12;
  };
  // Candidate a before b: opt_einsum's heap order.
  static constexpr bool before(const Candidate& a, const Candidate& b) {
    if (a.rank < b.rank) return true;
    if (b.rank < a.rank) return false;
    if (a.id2 != b.id2) return a.id2 < b.id2;
    return a.id1 < b.id1;
  }

  constexpr void reserve(std::size_t n) {
    queue_[1].reserve(n);
    if constexpr (!Keyed) cands_.reserve(n);
  }
  constexpr void push(const Candidate& c) {
    if constexpr (Keyed) {
      scratch_vector<entry>& q = queue_[c.rank.negative ? 0 : 1];
      const double l = c.rank.magnitude.log2();
      const u128 ids = u128{c.id2} << 32 | c.id1;
      q.push_back({u128{ordered_bits(c.rank.negative ? -l : l)} << 64 | ids, c.h1, c.h2, c.k12});
      if (heaped_) std::push_heap(q.begin(), q.end(), less());
    } else {
      queue_[1].push_back(static_cast<std::uint32_t>(cands_.size()));
      cands_.push_back(c);
      if (heaped_) std::push_heap(queue_[1].begin(), queue_[1].end(), less());
    }
  }
  // After the seeds: the queue is a heap from here on.
  constexpr void end_seeding() {
    if (!heaped_)
      for (auto& q : queue_) std::make_heap(q.begin(), q.end(), less());
    heaped_ = true;
  }
  [[nodiscard]] constexpr bool empty() const { return queue_[0].empty() && queue_[1].empty(); }
  // The best entry, taken off (the queue must not be empty).
  constexpr queued pop() {
    scratch_vector<entry>& q = queue_[0].empty() ? queue_[1] : queue_[0];
    std::pop_heap(q.begin(), q.end(), less());
    const entry e = q.back();
    q.pop_back();
    if constexpr (Keyed) return {e.h1, e.h2, e.k12};
    else return {cands_[e].h1, cands_[e].h2, cands_[e].k12};
  }

 private:
  scratch_vector<entry> queue_[2];
  scratch_vector<Candidate> cands_;  // (not keyed:) every candidate queued
  bool heaped_ = !Exact;

  struct entry_less {  // (a std heap has the largest on top)
    const Candidate* cands;
    constexpr bool operator()(const entry& a, const entry& b) const {
      if constexpr (Keyed) return b.key < a.key;
      else return before(cands[b], cands[a]);
    }
  };
  constexpr entry_less less() const { return {cands_.data()}; }  // (cands_ may have moved)
  // x < y exactly where ordered_bits(x) < ordered_bits(y), for x and y not NaN (-0.0 as 0.0).
  static constexpr std::uint64_t ordered_bits(double x) {
    const auto b = std::bit_cast<std::uint64_t>(x + 0.0);
    return b >> 63 ? ~b : b | std::uint64_t{1} << 63;
  }
};

}  // namespace detail
}  // namespace txmath
