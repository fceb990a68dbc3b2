// expect: txmath_error_price_must_be_finite_and_not_negative
// A negative price per device-hour is refused in constant evaluation too.
#include <txmath/hardware.hpp>
constexpr double c = txmath::run_cost(txmath::seconds(3600), 8, -2.0);
int main() { return 0; }
