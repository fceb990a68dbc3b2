#pragma once
// id_list_map: greedy's map from index sets, kept as ascending id lists, to handles.
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include <txmath/detail/block_cache.hpp>

namespace txmath {
namespace detail {

// Open-addressing map from index sets, as ascending id lists kept elsewhere, to handles: hashed
// and compared on their few ids (a set_index hashes all W words of a label_set). Sized once
// for `capacity` keys; never grows.
class id_list_map {
  struct entry {  // (8 bytes, not 16 with the whole hash: half the table to clear and probe)
    std::uint32_t hash = 0;  // the hash's top 32 bits (its low bits pick the slot)
    std::uint32_t at = 0;    // handle + 1; 0 = empty
  };
  scratch_vector<entry> slots_;  // (one allocation)
  static constexpr std::uint32_t top(std::uint64_t h) { return static_cast<std::uint32_t>(h >> 32); }

 public:
  static constexpr std::uint32_t npos = ~std::uint32_t{0};
  constexpr explicit id_list_map(std::size_t capacity) {
    std::size_t n = 16;
    while (n < 2 * capacity + 2) n *= 2;
    slots_.assign(n, entry{});
  }
  // A sum of the ids' own mixes, then one mix of it: the ids' multiplies are independent (a
  // chain h = (h ^ d) * c, h ^= h >> 29 waited on each one, and greedy's results on large
  // networks hold tens of ids). A sum loses no order, as the lists ascend.
  static constexpr std::uint64_t hash(std::span<const std::uint32_t> ids) {
    std::uint64_t s = ids.size();
    for (auto d : ids) {
      const std::uint64_t x = (std::uint64_t{d} + 1) * 0x9E3779B97F4A7C15ull;
      s += (x ^ (x >> 29)) * 0xBF58476D1CE4E5B9ull;
    }
    s ^= s >> 31;
    return s * 0x94D049BB133111EBull;
  }
  // The handle of `ids` (ids_of(handle) gives a handle's list), or the free slot to insert it
  // at as `slot`.
  template <class IdsOf>
  constexpr std::uint32_t find(std::span<const std::uint32_t> ids, std::uint64_t h, IdsOf ids_of, std::size_t& slot) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
      if (slots_[i].at == 0) {
        slot = i;
        return npos;
      }
      if (slots_[i].hash == top(h) && std::ranges::equal(ids_of(slots_[i].at - 1), ids)) return slots_[i].at - 1;
    }
  }
  constexpr void insert(std::size_t slot, std::uint64_t h, std::uint32_t handle) {
    slots_[slot] = {top(h), handle + 1};
  }
};

}  // namespace detail
}  // namespace txmath
