// expect: txmath_error_layout_tp_must_divide_heads
#include <txmath/presets.hpp>
#include <txmath/step_time.hpp>
// tp = 3 does not divide Llama-3-8B's 32 attention heads: a constant evaluation names the error.
static_assert(txmath::step_model(txmath::presets::llama_3_8b, {.seq = 4096, .global_batch = 8})
                  .evaluate(txmath::systems::dgx_h100, {.tp = 3})
                  .step_seconds > 0);
int main() {}
