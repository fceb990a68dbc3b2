// expect: txmath_error_model_moe_top_k_exceeds_n_experts
#include <txmath/model.hpp>
constexpr txmath::model_config bad = txmath::validate(txmath::model_config{
    .vocab = 32000, .d_model = 4096, .n_layers = 32,
    .attention = {.n_heads = 32, .n_kv_heads = 8},
    .moe = {.n_experts = 8, .top_k = 9, .d_ff_expert = 14336}});
int main() { return 0; }
