// Activation memory for `txmath report`. Kept apart from cmd_report.cpp only because
// <txmath/activations.hpp> and <txmath/flops.hpp> both define txmath::recompute today;
// fold it back when one of them is renamed.
#include <txmath/activations.hpp>

#include "commands.hpp"

namespace txmath::cli {
activation_figures activation_memory(const txmath::model_config& m, txmath::count seq, txmath::count batch) {
  activation_figures a;
  a.none = txmath::activation_bytes(m, seq, batch, {});
  txmath::activation_options full;
  full.recompute_mode = txmath::recompute::full;
  a.full = txmath::activation_bytes(m, seq, batch, full);
  return a;
}
}  // namespace txmath::cli
