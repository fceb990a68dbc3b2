#pragma once
// ordered_ids: the operands of a path as they stand, in ascending id, with positions in log
// time (a Fenwick tree of counts). opt_einsum's ssa_to_linear and contract_path keep them in
// a list and erase from it, a shift of the whole tail each operand: quadratic in the operands.
#include <bit>
#include <cstdint>

#include <txmath/detail/small_vector.hpp>

namespace txmath {
namespace detail {

// Ids 0..n_ids-1, the first n_alive of them alive; an id leaves (erase) or joins (insert).
// position(id) is the number of alive ids below id; at(pos) the alive id at that position.
class ordered_ids {
  small_vector<std::uint32_t, 48> tree_;  // tree_[i]: alive ids in [i - lowbit(i), i), 1-based
  std::uint32_t top_ = 0;                 // the largest power of two <= n_ids (0 if none)
  std::uint32_t alive_ = 0;

  static constexpr std::uint32_t low_bit(std::uint32_t i) { return i & (~i + 1); }

 public:
  constexpr ordered_ids(std::size_t n_ids, std::size_t n_alive)
      : tree_(n_ids + 1, 0), top_(n_ids ? std::bit_floor(static_cast<std::uint32_t>(n_ids)) : 0),
        alive_(static_cast<std::uint32_t>(n_alive)) {
    const auto n = static_cast<std::uint32_t>(n_ids);
    for (std::uint32_t i = 1; i <= n; ++i) {  // (built in one pass, each node passing its count up)
      if (i <= n_alive) ++tree_[i];
      if (const std::uint32_t up = i + low_bit(i); up <= n) tree_[up] += tree_[i];
    }
  }
  [[nodiscard]] constexpr std::uint32_t size() const { return alive_; }
  constexpr void insert(std::uint32_t id) {
    ++alive_;
    for (std::uint32_t i = id + 1; i < tree_.size(); i += low_bit(i)) ++tree_[i];
  }
  constexpr void erase(std::uint32_t id) {
    --alive_;
    for (std::uint32_t i = id + 1; i < tree_.size(); i += low_bit(i)) --tree_[i];
  }
  [[nodiscard]] constexpr std::uint32_t position(std::uint32_t id) const {
    std::uint32_t below = 0;
    for (std::uint32_t i = id; i > 0; i -= low_bit(i)) below += tree_[i];
    return below;
  }
  // (pos < size(): the descent finds the last node whose prefix holds at most pos alive ids.)
  [[nodiscard]] constexpr std::uint32_t at(std::uint32_t pos) const {
    std::uint32_t i = 0;
    for (std::uint32_t step = top_; step > 0; step >>= 1)
      if (i + step < tree_.size() && tree_[i + step] <= pos) {
        i += step;
        pos -= tree_[i];
      }
    return i;  // (1-based node i + 1 is id i)
  }
};

}  // namespace detail
}  // namespace txmath
