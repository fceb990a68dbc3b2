#pragma once
// Activation recomputation policies, shared by the FLOP and the activation-memory accounts.
#include <cstdint>

namespace txmath {

enum class recompute : std::uint8_t {
  none,       // keep every activation the backward pass reads
  selective,  // recompute attention's QK^T, softmax and AV (Korthikanti et al. 2022)
  full,       // keep only each layer's input; recompute the whole block in the backward pass
  block = full,  // the scaling book's name for full recomputation ("block remat")
};

}  // namespace txmath
