#pragma once
// Working storage of the path searches that outlives a call: a per-thread cache of freed blocks
// of 4 KiB to 2 MiB, which the next search takes back instead of asking malloc for memory it
// has just given away. glibc returns the top of its heap to the system once 128 KiB of it is
// free (M_TRIM_THRESHOLD) and maps every block from 128 KiB on afresh (M_MMAP_THRESHOLD), so a
// search of a few hundred KiB, called again and again, faulted all of it back in at each call:
// timed alone, greedy on 500 random tensors took 2.5x its time, dp on a 4 x 4 lattice 3x, dp
// on 16 random tensors 3.9x, on a 2-core KVM machine (~70-110 page faults a call:
// benchmarks/results/block_cache_2026-12-05.md). The cache keeps at most kept_per_size blocks
// of each power-of-two size (the searches hold several of a size at once) and at most
// max_kept_bytes in all (8 MiB a thread, given back when the thread ends). Constant
// evaluation never reaches it, nor WebAssembly: its heap is never given back to a system, and
// WASI has no destructors of thread_local objects (no __cxa_thread_atexit).
#include <bit>
#include <cstddef>
#include <memory>
#include <new>
#include <vector>

#if defined(__wasm__)
#define TXMATH_DETAIL_BLOCK_CACHE 0
#else
#define TXMATH_DETAIL_BLOCK_CACHE 1
#endif

namespace txmath::detail {

class block_cache {
 public:
  static constexpr unsigned min_shift = 12, max_shift = 21;  // blocks of 4 KiB to 2 MiB
  static constexpr std::size_t min_bytes = std::size_t{1} << min_shift, max_bytes = std::size_t{1} << max_shift;
  static constexpr unsigned kept_per_size = 8;
  static constexpr std::size_t max_kept_bytes = std::size_t{8} << 20;

  // Whether a request of `bytes` goes through the cache (smaller and larger ones go to
  // operator new directly: malloc serves small ones from its free lists, and larger ones are
  // rare and long).
  [[nodiscard]] static constexpr bool serves(std::size_t bytes) {
    return TXMATH_DETAIL_BLOCK_CACHE && bytes >= min_bytes && bytes <= max_bytes;
  }
  // Whether an array of n T goes through the cache (a T the blocks' alignment fits, n * sizeof(T)
  // computed only where it cannot wrap).
  template <class T>
  [[nodiscard]] static constexpr bool serves_array(std::size_t n) {
    return alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__ && n <= max_bytes / sizeof(T) && serves(n * sizeof(T));
  }

  // A block of at least `bytes` (serves(bytes)), of this thread's cache if it holds one.
  [[nodiscard]] static void* take(std::size_t bytes) {
    const unsigned k = size_class(bytes);
#if TXMATH_DETAIL_BLOCK_CACHE
    if (!closed_) {
      block_cache& c = of_this_thread();
      if (c.n_[k] > 0) {
        c.kept_bytes_ -= block_bytes(k);
        return c.kept_[k][--c.n_[k]];
      }
    }
#endif
    return ::operator new(block_bytes(k));
  }
  // Gives back a block take(bytes) returned, to this thread's cache while it has room.
  static void give(void* p, std::size_t bytes) noexcept {
#if TXMATH_DETAIL_BLOCK_CACHE
    const unsigned k = size_class(bytes);
    if (!closed_) {
      block_cache& c = of_this_thread();
      if (c.n_[k] < kept_per_size && c.kept_bytes_ + block_bytes(k) <= max_kept_bytes) {
        c.kept_[k][c.n_[k]++] = p;
        c.kept_bytes_ += block_bytes(k);
        return;
      }
    }
#else
    (void)bytes;
#endif
    ::operator delete(p);
  }

  // Frees this thread's kept blocks.
  static void release() noexcept {
#if TXMATH_DETAIL_BLOCK_CACHE
    if (!closed_) of_this_thread().free_kept();
#endif
  }

  block_cache() = default;
  block_cache(const block_cache&) = delete;
  block_cache& operator=(const block_cache&) = delete;
  ~block_cache() {
    closed_ = true;  // (a block freed later, as by an object of static storage, goes to operator delete)
    free_kept();
  }

 private:
  static constexpr unsigned classes = max_shift - min_shift + 1;
  [[nodiscard]] static constexpr unsigned size_class(std::size_t bytes) {
    return static_cast<unsigned>(std::bit_width(bytes - 1)) - min_shift;  // (bytes >= 2^min_shift)
  }
  [[nodiscard]] static constexpr std::size_t block_bytes(unsigned k) { return std::size_t{1} << (k + min_shift); }
  void free_kept() noexcept {
    for (unsigned k = 0; k < classes; ++k) {
      for (unsigned i = 0; i < n_[k]; ++i) ::operator delete(kept_[k][i]);
      n_[k] = 0;
    }
    kept_bytes_ = 0;
  }
#if TXMATH_DETAIL_BLOCK_CACHE
  static block_cache& of_this_thread() {
    thread_local block_cache cache;
    return cache;
  }
#endif
  // Set once this thread's cache is destroyed (a trivially destructible thread_local: still
  // readable then).
  static inline thread_local bool closed_ = false;

  void* kept_[classes][kept_per_size] = {};
  unsigned n_[classes] = {};
  std::size_t kept_bytes_ = 0;
};

// std::allocator, but blocks the cache serves come from it at run time (the searches' vectors).
template <class T>
struct scratch_allocator {
  using value_type = T;

  constexpr scratch_allocator() noexcept = default;
  template <class U>
  constexpr scratch_allocator(const scratch_allocator<U>&) noexcept {}  // NOLINT: rebinding

  [[nodiscard]] constexpr T* allocate(std::size_t n) {
    if (std::is_constant_evaluated() || !block_cache::serves_array<T>(n)) return std::allocator<T>{}.allocate(n);
    return static_cast<T*>(block_cache::take(n * sizeof(T)));
  }
  constexpr void deallocate(T* p, std::size_t n) noexcept {
    if (std::is_constant_evaluated() || !block_cache::serves_array<T>(n)) return std::allocator<T>{}.deallocate(p, n);
    block_cache::give(p, n * sizeof(T));
  }
  template <class U>
  friend constexpr bool operator==(const scratch_allocator&, const scratch_allocator<U>&) noexcept {
    return true;
  }
};

// A std::vector of a search's working storage.
template <class T>
using scratch_vector = std::vector<T, scratch_allocator<T>>;

}  // namespace txmath::detail
