// expect: txmath_error_model_size_must_be_positive
#include <txmath/params.hpp>
constexpr auto p = txmath::param_count(txmath::model_config{
    .vocab = 32000, .d_model = 0, .n_layers = 32, .attention = {.n_heads = 32}, .ffn = {.d_ff = 11008}});
int main() { return 0; }
