#pragma once
// Parameter counts of a model: total and active (used per token), by component. Each count
// is the sum of the weight-operand elements of the model's lowered einsums (layers.hpp).
//
//   constexpr auto p = txmath::param_count(txmath::presets::mixtral_8x7b);
//   p.total, p.active, p[txmath::component::experts], p.active_of(txmath::component::experts)
//
// Convention (the HF `sum(p.numel())` count): unique trainable parameters; a tied head is
// counted once, under `embedding`; buffers (rotary tables, causal masks) are not parameters.
// `active` counts everything a token uses: embeddings, attention, norms, the router, the
// shared experts and top_k of the n_experts routed experts. Other conventions are accessors:
// active_excluding_input_embedding() (DeepSeek's "activated parameters") and non_embedding()
// (Kaplan, Pythia, Qwen: without token, position and output tables).
#include <cstddef>

#include <txmath/core/quantity.hpp>
#include <txmath/layers.hpp>
#include <txmath/model.hpp>

namespace txmath {

struct param_report {
  txmath::params total{};
  txmath::params active{};
  txmath::params by_component[n_components]{};
  txmath::params active_by_component[n_components]{};
  bool tied_embeddings = false;

  [[nodiscard]] constexpr txmath::params operator[](component c) const { return by_component[static_cast<std::size_t>(c)]; }
  [[nodiscard]] constexpr txmath::params total_of(component c) const { return (*this)[c]; }
  [[nodiscard]] constexpr txmath::params active_of(component c) const {
    return active_by_component[static_cast<std::size_t>(c)];
  }
  // Without the token, position and output tables: Kaplan's N, Pythia's and Qwen's
  // "non-embedding" figures.
  [[nodiscard]] constexpr txmath::params non_embedding() const {
    return total - (*this)[component::embedding] - (*this)[component::position] - (*this)[component::head];
  }
  // Active parameters without the input embedding table (a lookup, not compute): DeepSeek's
  // "activated parameters". A tied table is still used by the head, so it stays in.
  [[nodiscard]] constexpr txmath::params active_excluding_input_embedding() const {
    return tied_embeddings ? active : active - active_of(component::embedding);
  }
};

// Sums the parameters of an already lowered model.
constexpr param_report param_count(const lowered_model& ops, bool tied_embeddings) {
  param_report r;
  r.tied_embeddings = tied_embeddings;
  for (const auto& op : ops) {
    const auto c = static_cast<std::size_t>(op.part);
    r.by_component[c] += txmath::params(op.params());
    r.active_by_component[c] += txmath::params(op.active_params());
  }
  for (std::size_t c = 0; c < n_components; ++c) {
    r.total += r.by_component[c];
    r.active += r.active_by_component[c];
  }
  return r;
}

constexpr param_report param_count(const model_config& m) { return param_count(lower(m), m.tied_embeddings); }

}  // namespace txmath
