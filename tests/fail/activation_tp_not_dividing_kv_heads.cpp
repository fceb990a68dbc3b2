// expect: txmath_error_activation_tensor_parallel_size_must_divide_heads_and_ffn
#include <txmath/activation_memory.hpp>
#include <txmath/presets.hpp>
// Llama-3-8B has 8 kv heads: tensor parallelism over 16 ranks cannot split them.
static_assert(txmath::activation_bytes_per_layer(txmath::presets::llama_3_8b, 4096, {.tp = 16}) > txmath::bytes(0));
int main() { return 0; }
