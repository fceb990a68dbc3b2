// A project that uses an installed txmath (or txmath as a subdirectory).
#include <txmath/txmath.hpp>

#include <cstdio>

int main() {
  using namespace txmath::literals;
  static_assert(15_T == txmath::count(15'000'000'000'000ULL));
  std::printf("txmath %s\n", TXMATH_VERSION_STRING);
  return 0;
}
