// expect: txmath_error_budget_sum_has_more_than_8_terms
// expect-gcc-c++20: txmath_error_budget_sum_has_more_than_8_terms
// expect-clang-c++20: txmath_error_budget_sum_has_more_than_8_terms
// expect-clang-c++2c: txmath_error_budget_sum_has_more_than_8_terms
// A sum holds at most 8 labelled terms (its message must stay readable); a 9th is an error.
#include <txmath/budget.hpp>

using namespace txmath;
using namespace txmath::literals;

constexpr budget_term<bytes> part = term("part", 1_GiB);
TXMATH_BUDGET(part + part + part + part + part + part + part + part + part <= 16_GiB);
