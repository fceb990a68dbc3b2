// The path searches' block cache (detail/block_cache.hpp): blocks of 4 KiB to 2 MiB freed by a
// search are kept per thread and taken back by the next one, within the stated bounds, and
// given back when the thread ends (the ASan build's leak check); constant evaluation never
// reaches it. Each run-time check runs in a thread of its own, whose cache starts empty.
#include <doctest/doctest.h>

#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

#include <txmath/einsum_path.hpp>  // (detail::block_cache, scratch_vector)
#include <txmath/einsum_random.hpp>

// Every allocation of this program of 4 KiB or more is counted, and every block given back.
// (GCC sees the new-expressions it inlines end in free() and warns; malloc and free are the
// pair here.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
namespace {
thread_local std::size_t large_news = 0, frees = 0;
}
void* operator new(std::size_t n) {
  if (n >= txmath::detail::block_cache::min_bytes) ++large_news;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  if (p) ++frees;
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  if (p) ++frees;
  std::free(p);
}

using namespace txmath;
using detail::block_cache;

namespace {
template <class F>
void in_new_thread(F f) {
  std::thread t(f);
  t.join();
}

// 0 + 1 + ... + (n - 1), through a scratch_vector and a small_vector that spills to the heap.
constexpr std::uint64_t sum_below(std::uint32_t n) {
  detail::scratch_vector<std::uint32_t> v;
  detail::small_vector<std::uint32_t, 4> w;
  for (std::uint32_t i = 0; i < n; ++i) {
    v.push_back(i);
    w.push_back(i);
  }
  std::uint64_t s = 0;
  for (std::size_t i = 0; i < v.size(); ++i) s += v[i] + w[i];
  return s / 2;
}
}  // namespace

TEST_CASE("block cache: constant evaluation and run time give the same vectors") {
  static_assert(sum_below(3000) == 3000ull * 2999 / 2);  // (12 KB: a cached size at run time)
  CHECK(sum_below(3000) == 3000ull * 2999 / 2);
  CHECK(sum_below(600000) == 600000ull * 599999 / 2);  // (2.4 MB: beyond the cache)
}

TEST_CASE("block cache: a freed block is taken back by the next request of its size class") {
  in_new_thread([] {
    const void* first = nullptr;
    {
      detail::scratch_vector<std::uint32_t> v(2000);  // 8000 bytes: the 8 KiB class
      first = v.data();
    }
    const std::size_t news = large_news;
    detail::scratch_vector<std::uint32_t> w(1500);  // 6000 bytes: the same class
    CHECK(w.data() == first);
    CHECK(large_news == news);
    detail::scratch_vector<std::uint32_t> x(3000);  // 12000 bytes: the 16 KiB class, not kept yet
    CHECK(large_news == news + 1);
    detail::scratch_vector<std::uint32_t> small(100);  // 400 bytes: malloc's
    CHECK(large_news == news + 1);
  });
}

TEST_CASE("block cache: at most kept_per_size blocks a size and max_kept_bytes in all") {
  in_new_thread([] {
    constexpr std::size_t bytes = block_cache::min_bytes;
    std::vector<void*> blocks;
    for (unsigned i = 0; i < block_cache::kept_per_size + 2; ++i) blocks.push_back(block_cache::take(bytes));
    const std::size_t freed = frees;
    for (void* p : blocks) block_cache::give(p, bytes);
    CHECK(frees == freed + 2);  // (the two beyond kept_per_size)
    const std::size_t news = large_news;
    for (unsigned i = 0; i < block_cache::kept_per_size; ++i) blocks[i] = block_cache::take(bytes);
    CHECK(large_news == news);  // (the kept ones)
    // The largest blocks fill max_kept_bytes: a block of any size is then given back.
    constexpr std::size_t fill = block_cache::max_kept_bytes / block_cache::max_bytes;
    static_assert(fill <= block_cache::kept_per_size);
    std::vector<void*> large;
    for (std::size_t i = 0; i < fill + 1; ++i) large.push_back(block_cache::take(block_cache::max_bytes));
    const std::size_t before_large = frees;
    for (void* p : large) block_cache::give(p, block_cache::max_bytes);
    CHECK(frees == before_large + 1);
    const std::size_t before = frees;
    block_cache::give(block_cache::take(2 * bytes), 2 * bytes);
    CHECK(frees == before + 1);
    for (unsigned i = 0; i < block_cache::kept_per_size; ++i) block_cache::give(blocks[i], bytes);
    CHECK(frees == before + 1 + block_cache::kept_per_size);  // (the cache is full)
  });
}

TEST_CASE("block cache: a search called again takes every large block from the cache") {
  in_new_thread([] {
    const einsum_network net = random_network(500, 3, 2, 7);
    const path_options greedy{.optimize = path_optimizer::greedy};
    const log2_cost first = contract_path<log2_cost>(net, greedy).opt_flops;  // (its blocks kept)
    const std::size_t news = large_news;
    CHECK(contract_path<log2_cost>(net, greedy).opt_flops == first);
    CHECK(large_news == news);
    const einsum_network lattice = lattice_network(4, 4, 2);
    const path_options dp{.optimize = path_optimizer::dp};
    const count dp_first = contract_path<count>(lattice, dp).opt_flops;
    const std::size_t dp_news = large_news;
    CHECK(contract_path<count>(lattice, dp).opt_flops == dp_first);
    CHECK(large_news == dp_news);
  });
}

TEST_CASE("block cache: release_path_search_memory frees what this thread keeps") {
  in_new_thread([] {
    const einsum_network net = random_network(100, 3, 2, 3);
    const count first = contract_path(net).opt_flops;
    const std::size_t freed = frees, news = large_news;
    release_path_search_memory();
    CHECK(frees > freed);  // (the blocks the search kept)
    CHECK(contract_path(net).opt_flops == first);
    CHECK(large_news > news);  // (taken from operator new again)
    release_path_search_memory();
    const std::size_t after = frees;
    release_path_search_memory();  // (nothing left)
    CHECK(frees == after);
  });
}

TEST_CASE("block cache: a block freed in another thread goes to that thread's cache") {
  // (A report made in one thread and dropped in another, as by a worker pool: the block is
  // kept by the thread that frees it and given back when that thread ends; the ASan build
  // checks that nothing leaks and nothing is freed twice.)
  in_new_thread([] {
    detail::scratch_vector<std::uint32_t> made(5000, 7);  // (20 KB: the 32 KiB class)
    const void* block = made.data();
    in_new_thread([&made, block] {
      detail::scratch_vector<std::uint32_t> moved = std::move(made);
      CHECK(moved.data() == block);
      CHECK(moved[4999] == 7);
      moved = detail::scratch_vector<std::uint32_t>();  // (freed here, into this thread's cache)
      const std::size_t news = large_news;
      detail::scratch_vector<std::uint32_t> again(6000);  // (24 KB: the same class)
      CHECK(again.data() == block);
      CHECK(large_news == news);
    });
    CHECK(made.empty());
  });
}
