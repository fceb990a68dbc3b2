// expect: txmath_error_result_is_not_finite_check_the_inputs
// mfu 5e-324 is in (0, 1] but the time it gives is beyond a double: a compile error, not inf.
#include <txmath/hardware.hpp>
constexpr txmath::seconds t = txmath::training_time(txmath::flops(txmath::count(1'000'000'000'000ULL) * 1'000'000'000'000ULL),
                                                    1024, txmath::tflop_per_s(989.4), 5e-324);
int main() { return 0; }
