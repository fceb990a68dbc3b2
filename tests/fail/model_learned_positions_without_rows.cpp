// expect: txmath_error_model_learned_positions_need_max_positions
#include <txmath/params.hpp>
constexpr auto p = txmath::param_count(txmath::model_config{
    .vocab = 50257, .d_model = 768, .n_layers = 12, .attention = {.n_heads = 12},
    .ffn = {.d_ff = 3072}, .position = txmath::position_kind::learned});
int main() { return 0; }
