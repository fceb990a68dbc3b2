// expect: txmath_error_activation_more_pipeline_chunks_than_layers
#include <txmath/activation_memory.hpp>
#include <txmath/presets.hpp>
// 16 stages x 4 interleaved chunks = 64 model chunks for Llama-3-8B's 32 layers.
static_assert(txmath::activation_bytes_per_gpu(txmath::presets::llama_3_8b, 4096, {.pp = 16, .interleave = 4}) >
              txmath::bytes(0));
int main() { return 0; }
