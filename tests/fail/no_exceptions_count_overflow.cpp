// expect: txmath_error_count_overflow_in_multiplication
// Without exceptions (here forced by the macro), constant evaluation still fails at compile
// time with the error's name, as with exceptions (core/error.hpp).
#define TXMATH_NO_EXCEPTIONS 1
#include <txmath/core/count.hpp>

constexpr txmath::count big = txmath::count(1ull << 63) * 2;
constexpr txmath::count too_big = big * big;
