// expect: txmath_error_model_n_kv_heads_must_divide_n_heads
#include <txmath/params.hpp>
// 32 query heads cannot be shared by 6 kv heads.
constexpr auto p = txmath::param_count(txmath::model_config{
    .vocab = 32000, .d_model = 4096, .n_layers = 32, .attention = {.n_heads = 32, .n_kv_heads = 6},
    .ffn = {.d_ff = 11008}});
int main() { return 0; }
