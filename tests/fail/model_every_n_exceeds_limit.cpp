// expect: txmath_error_model_field_exceeds_its_limit
// Issue 14: moe.every_n = 2^64 - 1 after 2 dense layers once passed validate and counted 0
// MoE layers while is_moe_layer(2) was true.
#include <txmath/params.hpp>
constexpr auto p = txmath::param_count(txmath::model_config{
    .vocab = 32000, .d_model = 4096, .n_layers = 32, .attention = {.n_heads = 32}, .ffn = {.d_ff = 11008},
    .moe = {.n_experts = 8, .top_k = 2, .d_ff_expert = 14336, .first_k_dense = 2, .every_n = ~0ull}});
int main() { return 0; }
