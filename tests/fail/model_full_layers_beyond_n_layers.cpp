// expect: txmath_error_model_layer_list_names_a_layer_beyond_n_layers
#include <txmath/params.hpp>
constexpr auto p = txmath::param_count(txmath::model_config{
    .vocab = 32000, .d_model = 4096, .n_layers = 32,
    .attention = {.n_heads = 32, .sliding_window = 4096, .full_layers = txmath::layer_set::of({5, 40})},
    .ffn = {.d_ff = 11008}});
int main() { return 0; }
