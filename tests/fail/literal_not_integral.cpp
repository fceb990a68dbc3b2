// expect: txmath_error_count_from_non_integral_or_out_of_range_double
// 1.0001 thousand is not a whole number.
#include <txmath/core/count.hpp>
using namespace txmath::literals;
constexpr txmath::count c = 1.0001_K;
int main() { return 0; }
