#pragma once
// A training layout: how one training step of a model is split over devices. Shared by the
// activation-memory account (activation_memory.hpp), the step-time model and the layout
// search. Conventions are Megatron-LM's:
// - devices = tp * pp * cp * dp; expert parallelism is carved out of the data-parallel ranks
//   (ep divides dp), so it adds no devices;
// - micro_batch counts sequences per micro-batch on one data-parallel rank;
// - interleave is the number of model chunks per pipeline stage (1: plain 1F1B);
// - zero is the ZeRO stage over the data-parallel ranks (0: none).
#include <cstdint>

#include <txmath/core/count.hpp>
#include <txmath/recompute.hpp>

namespace txmath {

struct training_layout {
  count tp = 1;           // tensor-parallel ranks
  count pp = 1;           // pipeline stages
  count dp = 1;           // data-parallel replicas
  count ep = 1;           // expert-parallel ranks (within the data-parallel ranks)
  count cp = 1;           // context-parallel ranks (the sequence split, ring attention)
  count micro_batch = 1;  // sequences per micro-batch
  count interleave = 1;   // model chunks per pipeline stage (virtual stages)
  recompute recompute_mode = recompute::none;
  bool sequence_parallel = false;  // Megatron SP: shards norm/dropout regions over tp
  std::uint8_t zero = 0;           // ZeRO stage 0, 1, 2 or 3 over the data-parallel ranks
  bool flash_attention = true;     // fused attention: no s x s score tensor is stored

  [[nodiscard]] constexpr count devices() const { return tp * pp * cp * dp; }
};

}  // namespace txmath
