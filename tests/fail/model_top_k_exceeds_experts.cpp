// expect: txmath_error_model_moe_top_k_exceeds_n_experts
#include <txmath/params.hpp>
constexpr auto m = txmath::validate(txmath::model_config{
    .vocab = 32000, .d_model = 4096, .n_layers = 32, .attention = {.n_heads = 32},
    .ffn = {.d_ff = 14336}, .moe = {.n_experts = 8, .top_k = 9, .d_ff_expert = 14336}});
int main() { return 0; }
