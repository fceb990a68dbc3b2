#pragma once
// Helpers shared by the tests.

namespace txmath_test {

// Returns v through a volatile read, so that the compiler cannot fold what follows: the
// checks on the result exercise the run-time path, not constant evaluation.
template <class T>
T runtime(T v) {
  volatile bool keep = true;
  return keep ? v : T{};
}

}  // namespace txmath_test
