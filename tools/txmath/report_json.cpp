// The keys of `txmath report --json` / --csv (report_json.hpp): one renderer of make_report's
// struct, shared by the CLI (cmd_report.cpp) and the web page's engine (tools/web), so the two
// write the same keys and values.
#include "report_json.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "writer.hpp"

namespace txmath::cli {

namespace {

const char* recompute_text(txmath::recompute r) {
  return r == txmath::recompute::none ? "none" : r == txmath::recompute::selective ? "selective" : "full";
}

// A per-token figure: exact when it divides, else a double.
void set_per_token(record& r, std::string_view key, txmath::count total, txmath::count tokens) {
  if (total % tokens == 0) r.set(key, total / tokens);
  else r.set(key, total.to_double() / tokens.to_double());
}

void set_model(record& r, const model_arg& ma) {
  const txmath::model_config& m = ma.model;
  const bool mla = m.attention.kind == txmath::attention_kind::mla;
  r.set("model.name", ma.name).set("model.source", ma.source).set("model.model_type", ma.model_type);
  r.set("model.d_model", txmath::count(m.d_model)).set("model.n_layers", txmath::count(m.n_layers));
  r.set("model.n_heads", txmath::count(m.attention.n_heads)).set("model.n_kv_heads", txmath::count(m.kv_heads()));
  // MLA has no single head_dim: the query/key head (nope + rope dims).
  r.set("model.head_dim", txmath::count(mla ? m.attention.qk_nope_head_dim + m.attention.qk_rope_head_dim : m.head_dim()));
  r.set("model.attention", mla ? "mla" : "standard");
  r.set("model.d_ff", txmath::count(m.ffn.d_ff)).set("model.vocab", txmath::count(m.vocab));
  r.set("model.n_experts", txmath::count(m.moe.n_experts)).set("model.top_k", txmath::count(m.moe.top_k));
  r.set("model.tied_embeddings", m.tied_embeddings);
  r.set("model.sliding_window", txmath::count(m.attention.sliding_window));
  r.set("model.sliding_layers", txmath::count(m.n_sliding_layers()));
  r.set("model.max_context", txmath::count(ma.max_context));
}

void set_settings(record& r, const txmath::report_options& s) {
  r.set("settings.seq", txmath::count(s.seq_len)).set("settings.batch", txmath::count(s.batch));
  r.set("settings.tokens", s.tokens);
  r.set("settings.weights_dtype", txmath::name_of(s.weights)).set("settings.kv_dtype", txmath::name_of(s.kv_cache));
  r.set("settings.compute_dtype", txmath::name_of(s.compute));
  r.set("settings.flash_attention", s.flash_attention);
  r.set("settings.gpu", s.gpu->name).set("settings.gpus", s.gpus);
  r.set("settings.mfu", s.mfu).set("settings.price_per_gpu_hour", s.price_per_gpu_hour);
}

void set_params_and_flops(record& r, const txmath::model_report& rep) {
  const auto& p = rep.params;
  r.set("params.total", p.total.value()).set("params.active", p.active.value());
  r.set("params.non_embedding", p.non_embedding().value());
  r.set("params.active_excluding_input_embedding", p.active_excluding_input_embedding().value());
  for (std::size_t c = 0; c < txmath::n_components; ++c)
    r.set("params.by_component." + std::string(txmath::name_of(static_cast<txmath::component>(c))), p.by_component[c].value());
  for (std::size_t c = 0; c < txmath::n_components; ++c)
    r.set("params.active_by_component." + std::string(txmath::name_of(static_cast<txmath::component>(c))),
          p.active_by_component[c].value());
  const auto& step = rep.flops.per_step;
  set_per_token(r, "flops.forward_per_token", step.forward.total.value(), step.tokens.value());
  set_per_token(r, "flops.training_per_token", step.training.total.value(), step.tokens.value());
  r.set("flops.forward_per_step", step.forward.total.value()).set("flops.training_per_step", step.training.total.value());
  r.set("flops.training_per_run", rep.flops.training_per_run.value()).set("flops.six_n_d", rep.flops.six_n_d.value());
  for (std::size_t c = 0; c < txmath::n_components; ++c)
    r.set("flops.forward_per_step_by_component." + std::string(txmath::name_of(static_cast<txmath::component>(c))),
          step.forward.by_component[c].value());
  r.set("flops.forward_per_step_attention_core", step.forward.attention_core.value());
}

void set_memory_and_time(record& r, const txmath::model_report& rep) {
  const auto& m = rep.memory;
  r.set("memory.weights_bytes", m.weights.value()).set("memory.training_state_bytes", m.training_state.value());
  r.set("memory.training_state_bytes_per_gpu_zero3", m.training_state_per_gpu_zero3.value());
  r.set("memory.activations_bytes", m.activations.value());
  r.set("memory.activations_full_recompute_bytes", m.activations_full_recompute.value());
  r.set("memory.kv_cache_bytes", m.kv_cache.value()).set("memory.kv_cache_bytes_per_token", m.kv_cache_per_token.value());
  r.set("memory.kv_cache_bytes_without_windows", m.kv_cache_without_windows.value());
  r.set("time.peak_flop_per_s", rep.training.peak.value());
  r.set("time.training_seconds", rep.training.time.value());
  r.set("time.gpu_hours", rep.training.gpu_hours).set("time.cost_usd", rep.training.cost);
}

void set_inference(record& r, const txmath::inference_account& a) {
  r.set("inference.weights_bytes", a.weights.value()).set("inference.kv_cache_bytes", a.kv_cache.value());
  r.set("inference.gpu_memory_bytes", a.gpu_memory.value());
  r.set("inference.fits_one_gpu", a.fits_one_gpu);
  if (a.min_tp_that_fits == 0) {
    r.set_null("inference.min_tp_that_fits").set_null("inference.memory_per_gpu_bytes");
    r.set_null("inference.prefill").set_null("inference.decode");
    return;
  }
  r.set("inference.min_tp_that_fits", a.min_tp_that_fits);
  r.set("inference.memory_per_gpu_bytes", a.memory_per_gpu.value());
  for (const auto& [name, s] : {std::pair{"prefill", &a.prefill}, std::pair{"decode", &a.decode}}) {
    const std::string k = std::string("inference.") + name + ".";
    r.set(k + "flops", s->flops.value()).set(k + "bytes_per_gpu", s->bytes_per_gpu.value());
    r.set(k + "seconds", s->roof.time().value());
    r.set(k + "bound", s->roof.compute_bound() ? "compute" : "memory");
    r.set(k + "tokens_per_second", s->tokens_per_second);
  }
}

// The layout section (only with --system): layout.* keys.
void set_layout(record& r, const txmath::model_report& rep) {
  if (!rep.layout.present) return;
  const txmath::training_layout& l = rep.layout.layout;
  const txmath::step_estimate& e = rep.layout.estimate;
  r.set("layout.system", std::string(rep.settings.system->name.view()));
  r.set("layout.gpu", rep.settings.system->gpu.name).set("layout.gpus", rep.layout.gpus);
  r.set("layout.tp", l.tp).set("layout.pp", l.pp).set("layout.dp", l.dp).set("layout.ep", l.ep).set("layout.cp", l.cp);
  r.set("layout.micro_batch", l.micro_batch).set("layout.interleave", l.interleave);
  r.set("layout.recompute", recompute_text(l.recompute_mode)).set("layout.sequence_parallel", l.sequence_parallel);
  r.set("layout.zero", txmath::count(l.zero)).set("layout.flash", l.flash_attention);
  r.set("layout.global_batch", txmath::count(rep.settings.batch)).set("layout.micro_batches", e.micro_batches);
  r.set("layout.step_seconds", e.step_seconds);
  r.set("layout.memory_per_gpu_bytes", e.memory_per_gpu.value());
  r.set("layout.state_per_gpu_bytes", e.state_per_gpu.value());
  r.set("layout.activations_per_gpu_bytes", e.activations_per_gpu.value());
  r.set("layout.gpu_memory_bytes", rep.layout.gpu_memory.value());
  r.set("layout.fits", e.memory_per_gpu <= rep.layout.gpu_memory);
  r.set("layout.mfu", e.mfu).set("layout.mfu_megatron", e.mfu_megatron).set("layout.tflops_per_gpu", e.tflops_per_gpu);
  r.set("layout.breakdown.compute", e.parts.compute).set("layout.breakdown.recompute", e.parts.recompute);
  r.set("layout.breakdown.communication", e.parts.communication).set("layout.breakdown.bubble", e.parts.bubble);
  r.set("layout.breakdown.optimizer", e.parts.optimizer);
}

}  // namespace

std::string report_machine_readable(const model_arg& ma, const txmath::model_report& rep,
                                    const std::vector<std::string>& notes, bool csv) {
  record r;
  set_model(r, ma);
  set_settings(r, rep.settings);
  set_params_and_flops(r, rep);
  set_memory_and_time(r, rep);
  set_inference(r, rep.inference);
  set_layout(r, rep);
  r.set("notes", notes);
  return csv ? r.csv() : r.json();
}

}  // namespace txmath::cli
