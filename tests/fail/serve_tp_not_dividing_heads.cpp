// expect: txmath_error_serve_tensor_parallel_size_does_not_divide_the_model
#include <txmath/presets.hpp>
#include <txmath/serve.hpp>
// Llama-2-7B's 32 attention heads do not split over 3 GPUs.
static_assert(txmath::serve_memory_per_gpu(txmath::presets::llama_2_7b, {.tp = 3}).blocks > 0);
int main() { return 0; }
