// expect: txmath_error_count_overflow_in_multiplication
// 2^64 * 2^64 does not fit 128 bits: in constant evaluation this is a compile error.
#include <txmath/core/count.hpp>
constexpr txmath::count big = txmath::pow(txmath::count(2), 64);
constexpr txmath::count too_big = big * big;
int main() { return 0; }
