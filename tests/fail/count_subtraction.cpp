// expect: txmath_error_count_overflow_in_subtraction
#include <txmath/core/count.hpp>
constexpr txmath::count c = txmath::count(3) - txmath::count(4);
int main() { return 0; }
