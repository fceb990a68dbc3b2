// expect: txmath_error_scaling_input_must_be_positive_and_finite
// A user-supplied fit with a non-positive exponent has no optimum.
#include <txmath/scaling.hpp>
constexpr txmath::parametric_fit bad{.E = 1.7, .A = 400, .B = 400, .alpha = 0.3, .beta = 0.0};
constexpr txmath::allocation plan = txmath::compute_optimal(txmath::approx_flops(1e21), bad);
int main() { return 0; }
