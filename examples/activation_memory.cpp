// Activation memory of training, derived from the model: what one layer keeps for the
// backward pass, tensor by tensor, and the peak per GPU under a few training layouts. The
// chosen layout must keep its activations under a budget, or this file does not compile.
//
// Copy it, change the model, the sequence length or the layouts, and rebuild.
#include <cstdio>
#include <string>

#include <txmath/activation_memory.hpp>
#include <txmath/core/format.hpp>
#include <txmath/presets.hpp>

using namespace txmath;
using namespace txmath::literals;

constexpr const model_config& model = presets::llama_3_70b;
constexpr count seq = 8192;

// Megatron-style: TP 8 with sequence parallelism, 4 pipeline stages of 5 interleaved chunks,
// selective recompute, FlashAttention (the layout's default).
constexpr training_layout layout{.tp = 8, .pp = 4, .micro_batch = 1, .interleave = 5,
                                 .recompute_mode = recompute::selective, .sequence_parallel = true};
static_assert(activation_bytes_per_gpu(model, seq, layout) <= 40_GiB,
              "the first pipeline stage keeps more than 40 GiB of activations");

int main() {
  const activation_memory account(model);  // lowered once, evaluated per layout

  std::printf("one layer of Llama-3-70B, %s tokens, on one GPU of the layout:\n", seq.to_string().c_str());
  for (const activation_tensor& t : account.tensors(seq, layout))
    std::printf("  %-12s %-28s %-18s %s\n", std::string(t.op).c_str(), std::string(t.role).c_str(),
                std::string(name_of(t.kind)).c_str(), format_bytes(t.size).str().c_str());
  std::printf("  total %s\n\n", format_bytes(account.layer(seq, layout).total()).str().c_str());

  const activation_peak peak = account.peak(seq, layout);
  std::printf("peak on stage %s: %s layer passes, %s\n", std::to_string(peak.stage).c_str(),
              peak.layer_passes.to_string().c_str(), format_bytes(peak.kept.total()).str().c_str());
  for (std::size_t k = 0; k < n_activation_kinds; ++k)
    if (peak.kept.by_kind[k] != bytes(0))
      std::printf("  %-18s %s\n", std::string(name_of(static_cast<activation_kind>(k))).c_str(),
                  format_bytes(peak.kept.by_kind[k]).str().c_str());

  std::printf("\nper GPU under other layouts:\n");
  const struct { const char* name; training_layout l; } others[] = {
      {"tp 8, pp 4, no recompute", {.tp = 8, .pp = 4, .sequence_parallel = true}},
      {"tp 8, pp 4, full recompute", {.tp = 8, .pp = 4, .recompute_mode = recompute::full, .sequence_parallel = true}},
      {"tp 8, pp 4, unfused attention", {.tp = 8, .pp = 4, .sequence_parallel = true, .flash_attention = false}},
      {"tp 8, pp 4, cp 2", {.tp = 8, .pp = 4, .cp = 2, .sequence_parallel = true}},
  };
  for (const auto& o : others)
    std::printf("  %-32s %s\n", o.name, format_bytes(account.peak(seq, o.l).kept.total()).str().c_str());
}
