#pragma once
// Budgets over serving and training layouts: the sequences one serving replica holds
// (serve.hpp) and a training layout's memory per GPU and step time (step_time.hpp), as
// figures for TXMATH_BUDGET (budget.hpp). Apart from budget.hpp because those two headers
// (the lowering, the step model, systems) double budget.hpp's include cost.
#include <txmath/budget.hpp>
#include <txmath/serve.hpp>
#include <txmath/step_time.hpp>

namespace txmath::budgets {

// Sequences of `context` tokens one serving replica holds at once (serve.hpp: the KV blocks
// vLLM's rule leaves next to the weights and workspace, per GPU of `o`'s layout).
[[nodiscard]] constexpr budget_term<count> serving_concurrency(const model_config& m, const serve_options& o,
                                                               count context) {
  return term("concurrent sequences", max_concurrency(serve_memory_per_gpu(m, o), context, o.block_size));
}

// One GPU's memory under a training layout on a system (step_time.hpp): the ZeRO-sharded
// training state of the largest stage and the most loaded stage's peak activations.
[[nodiscard]] constexpr budget_sum<bytes> layout_memory(const model_config& m, const step_options& o,
                                                        const system_spec& s, const training_layout& l) {
  const step_estimate e = step_model(m, o).evaluate(s, l);
  return term("training state", e.state_per_gpu) + term("activations", e.activations_per_gpu);
}

// One training step's time under a layout on a system (step_time.hpp), by part: compute,
// recompute, exposed communication, pipeline bubble, optimizer (parts that are zero left out).
[[nodiscard]] constexpr budget_sum<seconds> step_time(const model_config& m, const step_options& o,
                                                      const system_spec& s, const training_layout& l) {
  const step_breakdown b = step_model(m, o).evaluate(s, l).parts;
  const budget_term<seconds> parts[] = {term("compute", seconds(b.compute)), term("recompute", seconds(b.recompute)),
                                        term("communication", seconds(b.communication)),
                                        term("bubble", seconds(b.bubble)), term("optimizer", seconds(b.optimizer))};
  budget_sum<seconds> sum;
  for (const auto& part : parts)
    if (part.value != seconds(0.0)) sum.add(part);
  return sum;
}

}  // namespace txmath::budgets
