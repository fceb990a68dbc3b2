#pragma once
// A vector that holds its first N elements in place and spills to the heap beyond them, so
// that an einsum of a few operands is parsed, searched and reported without allocating (an
// allocation costs about as much as costing a whole pairwise step). Works in constant
// evaluation: the heap block is a transient new[]. Making an empty vector writes no element:
// the in-place array of a trivial T is left uninitialized (C++20 allows that; only elements
// below size() are ever read); a trivially copyable T with a default value (count, whose
// default is 0) sits at run time in raw bytes, where its objects are created implicitly as
// they are assigned (an implicit-lifetime type), and in constant evaluation, where raw bytes
// cannot be read as a T, on the heap from the first element on. (Zeroing 16 counts in place
// took a fifth of parsing a pairwise spec.) Only for default-constructible T (ids, letters,
// counts, and small_vectors of them).
#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <new>
#include <ranges>
#include <type_traits>
#include <utility>
#include <vector>

#include <txmath/detail/block_cache.hpp>

namespace txmath::detail {

template <class T, std::size_t N>
class small_vector {
  static_assert(N > 0 && std::is_default_constructible_v<T>);

 public:
  using value_type = T;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using reference = T&;
  using const_reference = const T&;
  using iterator = T*;
  using const_iterator = const T*;

  constexpr small_vector() {}  // (not `= default`: the in-place array stays uninitialized)
  constexpr explicit small_vector(std::size_t n) { resize(n); }
  constexpr small_vector(std::size_t n, const T& v) { assign(n, v); }
  constexpr small_vector(std::initializer_list<T> l) { assign(l.begin(), l.end()); }
  template <std::input_iterator It>
  constexpr small_vector(It first, It last) {
    assign(first, last);
  }
  constexpr small_vector(const std::vector<T>& v) { assign(v.begin(), v.end()); }  // NOLINT: implicit, as the nested form
  constexpr small_vector(const small_vector& o) { assign(o.begin(), o.end()); }
  constexpr small_vector(small_vector&& o) noexcept { take(o); }
  constexpr small_vector& operator=(const small_vector& o) {
    if (this != &o) assign(o.begin(), o.end());
    return *this;
  }
  constexpr small_vector& operator=(small_vector&& o) noexcept {
    if (this != &o) {
      release();
      take(o);
    }
    return *this;
  }
  constexpr ~small_vector() {
    if (heap_) delete_block();  // (the test saves a call to operator delete[] a vector)
  }
  constexpr operator std::vector<T>() const { return std::vector<T>(begin(), end()); }  // NOLINT: as a std::vector

  [[nodiscard]] constexpr std::size_t size() const { return size_; }
  [[nodiscard]] constexpr bool empty() const { return size_ == 0; }
  [[nodiscard]] constexpr std::size_t capacity() const { return cap_; }
  [[nodiscard]] constexpr T* data() { return ptr_; }
  [[nodiscard]] constexpr const T* data() const { return ptr_; }
  constexpr T* begin() { return data(); }
  constexpr T* end() { return data() + size_; }
  constexpr const T* begin() const { return data(); }
  constexpr const T* end() const { return data() + size_; }
  constexpr auto rbegin() const { return std::reverse_iterator<const T*>(end()); }
  constexpr auto rend() const { return std::reverse_iterator<const T*>(begin()); }
  constexpr T& operator[](std::size_t i) { return data()[i]; }
  constexpr const T& operator[](std::size_t i) const { return data()[i]; }
  constexpr T& front() { return data()[0]; }
  constexpr const T& front() const { return data()[0]; }
  constexpr T& back() { return data()[size_ - 1]; }
  constexpr const T& back() const { return data()[size_ - 1]; }

  constexpr void reserve(std::size_t n) {
    if (n > capacity()) grow_to(n);
  }
  constexpr void clear() { size_ = 0; }
  constexpr void push_back(const T& v) {
    if (size_ == capacity()) {
      const T copy = v;  // (v may be an element of this vector)
      grow_to(2 * size_);
      data()[size_++] = copy;
      return;
    }
    data()[size_++] = v;
  }
  constexpr void push_back(T&& v) {
    if (size_ == capacity()) {
      T moved = std::move(v);  // (v may be an element of this vector)
      grow_to(2 * size_);
      data()[size_++] = std::move(moved);
      return;
    }
    data()[size_++] = std::move(v);
  }
  template <class... A>
  constexpr T& emplace_back(A&&... a) {
    if (size_ == capacity()) grow_to(2 * size_);
    if constexpr (sizeof...(A) == 0) data()[size_] = T();
    else data()[size_] = T(std::forward<A>(a)...);
    return data()[size_++];
  }
  constexpr void pop_back() { --size_; }
  constexpr void resize(std::size_t n) { resize(n, T()); }
  constexpr void resize(std::size_t n, const T& v) {
    reserve(n);
    for (std::size_t i = size_; i < n; ++i) data()[i] = v;
    size_ = n;
  }
  constexpr void assign(std::size_t n, const T& v) {
    size_ = 0;
    resize(n, v);
  }
  template <std::input_iterator It>
  constexpr void assign(It first, It last) {
    size_ = 0;
    if constexpr (std::is_pointer_v<It> && std::is_same_v<std::remove_cv_t<std::remove_pointer_t<It>>, T>) {
      append(first, last);
    } else {
      if constexpr (std::forward_iterator<It>) reserve(static_cast<std::size_t>(std::distance(first, last)));
      for (; first != last; ++first) push_back(*first);
    }
  }
  constexpr T* insert(const T* pos, const T& v) {
    const auto at = static_cast<std::size_t>(pos - begin());
    push_back(v);
    std::rotate(begin() + at, end() - 1, end());
    return begin() + at;
  }
  // Appends [first, last) (a range outside this vector).
  constexpr void append(const T* first, const T* last) {
    const auto n = static_cast<std::size_t>(last - first);
    grow_for(n);
    T* out = data() + size_;
    for (std::size_t i = 0; i < n; ++i) out[i] = first[i];  // (std::copy calls memmove: slower for a few)
    size_ += n;
  }
  template <std::input_iterator It>
  constexpr T* insert(const T* pos, It first, It last) {
    const auto at = static_cast<std::size_t>(pos - begin()), old = size_;
    if constexpr (std::forward_iterator<It>) grow_for(static_cast<std::size_t>(std::distance(first, last)));
    for (; first != last; ++first) push_back(*first);
    std::rotate(begin() + at, begin() + old, end());
    return begin() + at;
  }
  constexpr T* erase(const T* pos) {
    const auto at = static_cast<std::size_t>(pos - begin());
    T* p = begin();
    for (std::size_t i = at + 1; i < size_; ++i) p[i - 1] = std::move(p[i]);  // (not std::move: see append)
    --size_;
    return begin() + at;
  }

  // Equal to any contiguous range of the same elements (another small_vector, a std::vector).
  template <class R>
    requires std::ranges::contiguous_range<R> && std::is_same_v<std::ranges::range_value_t<R>, T>
  friend constexpr bool operator==(const small_vector& a, const R& b) {
    return std::equal(a.begin(), a.end(), std::ranges::begin(b), std::ranges::end(b));
  }

 private:
  // In place: uninitialized for a trivial T (ids, letters); raw bytes at run time for a
  // trivially copyable T with a default value (counts: see the top); value-initialized
  // otherwise (small_vectors).
  static constexpr bool raw = std::is_trivially_default_constructible_v<T>;
  static constexpr bool lazy = !raw && std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>;
  struct raw_array {
    T a[N];
    constexpr T* data() { return a; }
  };
  struct lazy_array {
    alignas(T) unsigned char bytes[N * sizeof(T)];
    constexpr T* data() {  // (no in-place room in constant evaluation)
      if (std::is_constant_evaluated()) return nullptr;
      return std::launder(reinterpret_cast<T*>(bytes));
    }
  };
  struct value_array {
    T a[N]{};
    constexpr T* data() { return a; }
  };
  using in_place = std::conditional_t<raw, raw_array, std::conditional_t<lazy, lazy_array, value_array>>;
  in_place inline_;
  T* ptr_ = inline_.data();  // inline_.data() or heap_
  T* heap_ = nullptr;
  std::size_t size_ = 0, cap_ = in_place_capacity();

  static constexpr bool small_copy = (raw || lazy) && std::is_trivially_copyable_v<T> && sizeof(in_place) <= 128;
  static constexpr std::size_t in_place_capacity() { return lazy && std::is_constant_evaluated() ? 0 : N; }
  // Room for n more, growing geometrically as push_back does (growing to the exact size made
  // a run of appends quadratic: a path_info's term lists at 500 operands, 3.5 MB a call).
  constexpr void grow_for(std::size_t n) {
    if (size_ + n > capacity()) grow_to(std::max(size_ + n, 2 * size_));
  }
  constexpr void grow_to(std::size_t n) {
    if (n < 2 * N) n = 2 * N;
    T* p = new_block(n);
    std::move(begin(), end(), p);
    release();
    ptr_ = heap_ = p;
    cap_ = n;
  }
  constexpr void release() {
    if (heap_) delete_block();
    heap_ = nullptr;
    ptr_ = inline_.data();
    cap_ = in_place_capacity();
  }
  // A heap block of n elements; a raw or lazy T's of the block cache (block_cache.hpp) at run time
  // where it serves the size: a large network's lists, made at each call, reuse the memory of
  // the last call's (their elements are written before read, as in place).
  [[nodiscard]] static constexpr bool cached(std::size_t n) {
    return (raw || lazy) && !std::is_constant_evaluated() && block_cache::serves_array<T>(n);
  }
  static constexpr T* new_block(std::size_t n) {
    if (cached(n)) return static_cast<T*>(block_cache::take(n * sizeof(T)));
    return raw ? new T[n] : new T[n]();  // (a trivial T's new elements are written before read)
  }
  constexpr void delete_block() {  // (heap_ has cap_ elements)
    if (cached(cap_)) block_cache::give(heap_, cap_ * sizeof(T));
    else delete[] heap_;
  }
  constexpr void take(small_vector& o) {
    if (o.heap_) {
      ptr_ = heap_ = o.heap_, cap_ = o.cap_;
      o.heap_ = nullptr, o.ptr_ = o.inline_.data(), o.cap_ = in_place_capacity();
    } else if (small_copy && !std::is_constant_evaluated()) {
      __builtin_memcpy(static_cast<void*>(&inline_), &o.inline_, sizeof(in_place));  // (a few moves; std::move calls memmove)
    } else {
      for (std::size_t i = 0; i < o.size_; ++i) ptr_[i] = std::move(o.ptr_[i]);  // (not std::move: see append)
    }
    size_ = o.size_;
    o.size_ = 0;
  }
};

}  // namespace txmath::detail
