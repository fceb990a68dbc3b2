// expect: txmath_error_model_d_model_not_divisible_by_n_heads_and_no_head_dim_given
#include <txmath/params.hpp>
// 1600 is not a multiple of 24 heads, and no head_dim is given.
constexpr auto p = txmath::param_count(txmath::model_config{
    .vocab = 50257, .d_model = 1600, .n_layers = 48, .attention = {.n_heads = 24}, .ffn = {.d_ff = 6400}});
int main() { return 0; }
