// expect: txmath_error_scaling_shape_search_needs_a_dense_standard_attention_base
// nearest_config varies a dense shape; a mixture-of-experts base is rejected.
#include <txmath/presets.hpp>
#include <txmath/scaling.hpp>
constexpr auto shape = txmath::nearest_config(txmath::approx_params(7e10), txmath::presets::mixtral_8x7b);
int main() { return 0; }
