// ordered_ids (einsum_path/ordered_ids.hpp), the positions behind ssa_to_linear and replay,
// against opt_einsum's own bookkeeping: a list of the standing operands, erased from as they
// are contracted (its ssa_to_linear shifts the ids above each one down; contract_path pops
// positions from a list), and opt_einsum's ssa_to_linear docstring example.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include <txmath/einsum_path.hpp>

namespace {
using namespace txmath;
using detail::ordered_ids;

// A pseudo-random walk: contract two standing operands (or one) at random positions, checking
// every position and id against the list. Returns whether all agreed.
constexpr bool agrees_with_a_list(std::uint32_t n, std::uint64_t seed) {
  std::vector<std::uint32_t> list;  // the oracle: ascending ids, erased from
  for (std::uint32_t i = 0; i < n; ++i) list.push_back(i);
  ordered_ids ids(2 * n, n);  // (at most one new id a step, fewer than 2n steps here)
  std::uint32_t next = n;
  while (list.size() > 1 && next < 2 * n) {
    if (ids.size() != list.size()) return false;
    for (std::uint32_t p = 0; p < list.size(); ++p)
      if (ids.at(p) != list[p] || ids.position(list[p]) != p) return false;
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    const auto a = static_cast<std::uint32_t>((seed >> 33) % list.size());
    const auto b = static_cast<std::uint32_t>((seed >> 13) % list.size());
    for (std::uint32_t p : {std::max(a, b), std::min(a, b)}) {  // (the higher first; once if a == b)
      if (p == std::min(a, b) && a == b) break;
      ids.erase(list[p]);
      list.erase(list.begin() + static_cast<std::ptrdiff_t>(p));
    }
    ids.insert(next);
    list.push_back(next++);
  }
  return ids.size() == list.size() && ids.at(0) == list[0];
}

// opt_einsum's ssa_to_linear docstring: [(0, 3), (2, 4), (1, 5)] -> [(0, 3), (1, 2), (0, 1)].
constexpr bool docstring_example() {
  detail::ssa_path ssa;
  ssa.push_back({0, 3});
  ssa.push_back({2, 4});
  ssa.push_back({1, 5});
  const linear_path p = detail::ssa_to_linear(ssa, 4);
  const std::vector<std::vector<std::size_t>> want{{0, 3}, {1, 2}, {0, 1}};
  if (p.size() != want.size()) return false;
  for (std::size_t k = 0; k < want.size(); ++k)
    if (!std::ranges::equal(p[k], want[k])) return false;
  return true;
}

static_assert(agrees_with_a_list(9, 1));
static_assert(agrees_with_a_list(17, 2));
static_assert(docstring_example());

TEST_CASE("ordered_ids: positions and ids as a list erased from, many sizes") {
  CHECK(docstring_example());
  for (std::uint32_t n = 1; n <= 130; ++n)
    for (std::uint64_t seed = 1; seed <= 3; ++seed) CHECK(agrees_with_a_list(n, seed * 1000 + n));
}

// ssa_to_linear on the path greedy finds for a network of 300 tensors, against opt_einsum's
// algorithm written out (the ids above each contracted one shift down by one).
TEST_CASE("ssa_to_linear: as opt_einsum's on a long path") {
  const std::uint32_t n = 300;
  detail::ssa_path ssa;
  // (7, 3), then each other input with the last result: ids far apart in every step.
  ssa.push_back({7, 3});
  for (std::uint32_t i = 0, last = n; i < n; ++i)
    if (i != 7 && i != 3) ssa.push_back({i, last++});
  std::vector<std::uint32_t> ids(2 * n);
  for (std::uint32_t i = 0; i < ids.size(); ++i) ids[i] = i;
  const linear_path p = detail::ssa_to_linear(ssa, n);
  REQUIRE(p.size() == ssa.size());
  std::size_t at = 0;
  for (std::size_t k = 0; k < ssa.size(); ++k, at += 1 + ssa.data[at]) {
    std::vector<std::size_t> want;
    for (std::size_t i = at + 1; i <= at + ssa.data[at]; ++i) want.push_back(ids[ssa.data[i]]);
    for (std::size_t i = at + 1; i <= at + ssa.data[at]; ++i)
      for (std::size_t j = ssa.data[i]; j < ids.size(); ++j) --ids[j];
    std::sort(want.begin(), want.end());
    CHECK(std::ranges::equal(p[k], want));
  }
}
}  // namespace
