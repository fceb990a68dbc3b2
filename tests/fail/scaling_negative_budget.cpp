// expect: txmath_error_scaling_input_must_be_positive_and_finite
// A negative FLOP budget has no compute-optimal plan: in constant evaluation, a compile error.
#include <txmath/scaling.hpp>
constexpr txmath::allocation plan = txmath::compute_optimal(txmath::approx_flops(-1e21));
int main() { return 0; }
