// expect: txmath_error_lora_targets_match_no_module
#include <txmath/finetune.hpp>
#include <txmath/presets.hpp>
// w1 names Mixtral's routed experts: a dense Llama has none.
static_assert(txmath::lora_parameters(txmath::presets::llama_2_7b, {.rank = 8, .targets = txmath::lora_targets::w1}) > 0);
int main() { return 0; }
