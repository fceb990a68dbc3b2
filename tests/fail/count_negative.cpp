// expect: txmath_error_count_from_negative_value
#include <txmath/core/count.hpp>
constexpr txmath::count c = -1;
int main() { return 0; }
