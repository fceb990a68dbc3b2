// txmath report <preset | config.json>: parameters, FLOPs, memory, time and cost of a model.
// This file parses the flags, calls txmath::make_report (report.hpp) and renders its
// account as a table, JSON or CSV; it computes nothing itself.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <txmath/core/format.hpp>
#include <txmath/plan.hpp>
#include <txmath/presets.hpp>
#include <txmath/report.hpp>

#include "commands.hpp"
#include "gpus.hpp"
#include "report_json.hpp"
#include "writer.hpp"

namespace txmath::cli {

namespace {

constexpr const char* report_usage =
    "usage: txmath report <preset | path/to/config.json> [options]\n"
    "  The parameters, FLOPs, memory, time and cost of a model, from a preset name (txmath\n"
    "  report --list) or a Hugging Face config.json.\n"
    "options (defaults in brackets):\n"
    "  --seq N            tokens per sequence [4096, or the model's context if shorter]; 8k = 8192\n"
    "  --batch N          sequences per step: training micro-batch, KV cache, inference [8]\n"
    "  --tokens N         training tokens of a run, e.g. 15T, 300B, at most 1e30 [20 x parameters]\n"
    "  --dtype T          sets the three below at once: fp32, bf16, fp16, fp8, int8, int4 [bf16]\n"
    "  --weights-dtype T  inference weights [bf16]\n"
    "  --kv-dtype T       the KV cache [bf16]\n"
    "  --compute-dtype T  the peak FLOP/s used for every time [bf16]\n"
    "  --flash on|off     FlashAttention: activations keep no seq x seq scores [on]\n"
    "  --gpu NAME         a100, h100, h800, h800-pcie, h200, b200, mi300x, tpu-v5e, tpu-v5p,\n"
    "                     rtx4090 [h100]\n"
    "  --gpus N           GPUs of the training run [1024]\n"
    "  --mfu X            model FLOPs utilization of the run, in (0, 1] [0.4]\n"
    "  --price X          US dollars per GPU-hour, 0 or more [2.0]\n"
    "layout (as txmath plan; with --system, a Layout section: step time, MFU, memory per GPU\n"
    "of one step of --batch sequences; sizes not given are 1):\n"
    "  --system NAME      a system preset (txmath plan --systems) or a system .json file\n"
    "  --tp T --pp P --dp D --ep E --cp C --micro-batch M --interleave V\n"
    "  --recompute none|selective|full --sequence-parallel on|off --zero 0|1|2|3 [none, off, 0]\n"
    "  --json | --csv     machine-readable output (exact integers; keys in the README)\n"
    "  --list             the preset names\n"
    "Conventions: FLOPs count matmuls (a multiply-add is 2), causal attention in full (every\n"
    "query against every key of its window), backward = 2 x forward; training state is\n"
    "mixed-precision Adam, 16 bytes per parameter (ZeRO); activations are the tensors the\n"
    "lowered model keeps for the backward pass (16-bit, no dropout), one GPU. Inference:\n"
    "weights + KV cache against one GPU's memory, else the smallest tensor-parallel degree\n"
    "(1, 2, 4, ... 64) that holds them; times are one\n"
    "rank's roofline (no communication), reading each weight once a step (every expert of an\n"
    "MoE), an untied input embedding only in its gathered rows.\n";

const txmath::accelerator& find_gpu(std::string_view name) {
  if (const gpu_entry* g = find_gpu_entry(name)) return *g->gpu;
  throw txmath::invalid_argument("txmath: --gpu: unknown accelerator '" + std::string(name) + "'; known: " + gpu_keys());
}

enum class output { table, json, csv };

struct options {
  std::string model;
  std::uint64_t seq = 0;  // 0: the default
  std::optional<txmath::dtype> dtype, weights, kv, compute;
  txmath::report_options report{};
  std::string system;              // --system, "" for none
  txmath::plan_options layout{};   // the layout flags as plan reads them (0 / -1: not given)
  txmath::system_spec system_spec{};
  std::vector<std::string> given;  // the flags as typed, for messages about their effect
  output format = output::table;
};

txmath::dtype dtype_flag(std::string_view flag, std::string_view v) {
  try {
    return txmath::parse_dtype(v);
  } catch (const txmath::error&) {
    throw txmath::invalid_argument("txmath: " + std::string(flag) + ": unknown dtype '" + std::string(v) +
                                   "'; use fp32, bf16, fp16, fp8, int8 or int4");
  }
}

void set_real(options& o, std::string_view flag, std::string_view v) {
  const double x = parse_real(v, flag);
  if (flag == "--mfu") {
    if (!(x > 0 && x <= 1))
      throw txmath::invalid_argument("txmath: --mfu: must be in (0, 1] (write 40% as 0.4), found " + std::string(v));
    o.report.mfu = x;
  } else {
    if (!(x >= 0))
      throw txmath::invalid_argument("txmath: --price: must be 0 or more (US dollars per GPU-hour), found " +
                                     std::string(v));
    o.report.price_per_gpu_hour = x;
  }
}

constexpr std::string_view valued_flags[] = {"--seq", "--batch", "--tokens", "--dtype", "--weights-dtype",
                                             "--kv-dtype", "--compute-dtype", "--gpu", "--gpus", "--mfu",
                                             "--price", "--flash"};

void set_option(options& o, std::string_view a, std::string_view v) {
  if (a == "--seq") o.seq = parse_size(v, "--seq");
  else if (a == "--batch") o.report.batch = parse_size(v, "--batch");
  else if (a == "--tokens") o.report.tokens = parse_amount(v, "--tokens");
  else if (a == "--dtype") o.dtype = dtype_flag(a, v);
  else if (a == "--weights-dtype") o.weights = dtype_flag(a, v);
  else if (a == "--kv-dtype") o.kv = dtype_flag(a, v);
  else if (a == "--compute-dtype") o.compute = dtype_flag(a, v);
  else if (a == "--gpu") o.report.gpu = &find_gpu(v);
  else if (a == "--gpus") o.report.gpus = parse_size(v, "--gpus");
  else if (a == "--mfu" || a == "--price") set_real(o, a, v);
  else if (a == "--flash") {
    (void)parse_layout_flag(a, v, o.layout);
    o.report.flash_attention = o.layout.flash_attention;
  } else if (a == "--system") o.system = std::string(v);
  else (void)parse_layout_flag(a, v, o.layout);
  o.given.push_back(std::string(a) + " " + std::string(v));
}

options parse_options(int argc, char** argv) {
  options o;
  for (int i = 0; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--json") o.format = output::json;
    else if (a == "--csv") o.format = output::csv;
    else if (a.size() > 1 && a[0] == '-') {
      if (std::find(std::begin(valued_flags), std::end(valued_flags), a) == std::end(valued_flags) &&
          !is_layout_flag(a) && a != "--system")
        throw txmath::invalid_argument("txmath: report: unknown option '" + std::string(a) +
                                       "' (see txmath report --help)");
      if (i + 1 >= argc)
        throw txmath::invalid_argument("txmath: " + std::string(a) + " needs a value (see txmath report --help)");
      set_option(o, a, argv[++i]);
    } else if (o.model.empty()) o.model = std::string(a);
    else throw txmath::invalid_argument("txmath: report: one model only; found '" + o.model + "' and '" + std::string(a) + "'");
  }
  if (o.model.empty()) throw txmath::invalid_argument("txmath: report: name a preset or a config.json (see txmath report --help)");
  if (o.system.empty() && any_layout_fixed(o.layout))
    throw txmath::invalid_argument("txmath: report: the layout flags (--tp, --pp, --dp, --ep, --cp, --micro-batch, "
                                   "--interleave, --recompute, --sequence-parallel, --zero) need --system NAME "
                                   "(txmath plan --systems lists them)");
  const txmath::dtype all = o.dtype.value_or(txmath::dtype::bf16);
  o.report.weights = o.weights.value_or(all);
  o.report.kv_cache = o.kv.value_or(all);
  o.report.compute = o.compute.value_or(all);
  return o;
}

// ---- the table -----------------------------------------------------------------------------

std::string fmt_sci(double v) { return txmath::format_sci(v).str(); }
std::string fmt_bytes(txmath::bytes b) { return txmath::format_bytes(b).str(); }
std::string fmt_seconds(txmath::seconds s) { return txmath::format_seconds(s).str(); }
// 11604.3 -> "11,604"; beyond 1e15, scientific.
std::string fmt_whole(double v) {
  if (!(v < 1e15)) return fmt_sci(v);
  return grouped(txmath::count(static_cast<unsigned long long>(v + 0.5)));
}
std::string fmt_pct(double share) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * share);
  return buf;
}
std::string fmt_real(double v) { return shortest_decimal(v, "a figure"); }
std::string u(std::uint64_t v) { return std::to_string(v); }

void print_model(const model_arg& ma) {
  const txmath::model_config& m = ma.model;
  std::printf("txmath report: %s (%s%s%s)\n", ma.name.c_str(), ma.model_type.c_str(),
              ma.model_type.empty() ? "" : ", ", ma.source.c_str());
  std::printf("  d_model %s, %s layers, %s heads", u(m.d_model).c_str(), u(m.n_layers).c_str(),
              u(m.attention.n_heads).c_str());
  if (m.attention.kind == txmath::attention_kind::mla)
    std::printf(" (MLA: q/k head %s, v head %s, kv_lora_rank %s)",
                u(m.attention.qk_nope_head_dim + m.attention.qk_rope_head_dim).c_str(),
                u(m.attention.v_head_dim).c_str(), u(m.attention.kv_lora_rank).c_str());
  else
    std::printf(" (%s kv, head_dim %s)", u(m.kv_heads()).c_str(), u(m.head_dim()).c_str());
  std::printf(", d_ff %s, vocab %s", u(m.ffn.d_ff).c_str(), u(m.vocab).c_str());
  if (m.is_moe())
    std::printf(", %s experts (top %s, d_ff %s)", u(m.moe.n_experts).c_str(), u(m.moe.top_k).c_str(),
                u(m.moe.d_ff_expert).c_str());
  if (m.n_sliding_layers() != 0)
    std::printf(", sliding window %s on %s layers", u(m.attention.sliding_window).c_str(),
                u(m.n_sliding_layers()).c_str());
  if (ma.max_context) std::printf(", context %s", u(ma.max_context).c_str());
  std::printf("\n\n");
}

void print_params(const txmath::model_config& m, const txmath::param_report& p) {
  std::printf("%-18s %19s %17s %7s\n", "Parameters", "total", "active", "share");
  for (std::size_t c = 0; c < txmath::n_components; ++c) {
    if (p.by_component[c].value() == 0) continue;
    const std::string name(txmath::name_of(static_cast<txmath::component>(c)));
    std::printf("  %-16s %19s %17s %7s\n", name.c_str(), grouped(p.by_component[c].value()).c_str(),
                grouped(p.active_by_component[c].value()).c_str(),
                fmt_pct(p.by_component[c].to_double() / p.total.to_double()).c_str());
  }
  std::printf("  %-16s %19s %17s\n", "total", grouped(p.total.value()).c_str(), grouped(p.active.value()).c_str());
  std::printf("  (%s total, %s active; tied embeddings: %s)\n\n", txmath::format_count(p.total.value()).str().c_str(),
              txmath::format_count(p.active.value()).str().c_str(), m.tied_embeddings ? "yes" : "no");
}

void print_flops(const txmath::model_report& rep) {
  const auto& step = rep.flops.per_step;
  const std::string title = "FLOPs per token (seq " + u(rep.settings.seq_len) + ")";
  std::printf("%-26s %17s %15s %7s\n", title.c_str(), "forward", "training", "share");
  const double toks = step.tokens.to_double();
  auto row = [&](const char* name, txmath::flops fwd, txmath::flops train) {
    if (fwd.value() == 0 && train.value() == 0) return;
    std::printf("  %-24s %17s %15s %7s\n", name, fmt_sci(fwd.to_double() / toks).c_str(),
                fmt_sci(train.to_double() / toks).c_str(), fmt_pct(step.forward.share_of(fwd)).c_str());
  };
  using txmath::component;
  row("attention projections", step.forward.attention_projections(), step.training.attention_projections());
  row("attention QK^T, AV", step.forward.attention_core, step.training.attention_core);
  row("ffn", step.forward[component::ffn], step.training[component::ffn]);
  row("experts", step.forward[component::experts], step.training[component::experts]);
  row("shared experts", step.forward[component::shared_experts], step.training[component::shared_experts]);
  row("router", step.forward[component::router], step.training[component::router]);
  row("lm head", step.forward[component::head] + step.forward[component::embedding],
      step.training[component::head] + step.training[component::embedding]);
  row("total", step.forward.total, step.training.total);
  std::printf("  per step (%s x %s tokens): forward %s, training %s\n", u(rep.settings.batch).c_str(),
              u(rep.settings.seq_len).c_str(), fmt_sci(step.forward.total.to_double()).c_str(),
              fmt_sci(step.training.total.to_double()).c_str());
  std::printf("  per run (%s tokens): training %s (6ND with active N: %s)\n\n",
              txmath::format_count(rep.settings.tokens).str().c_str(),
              fmt_sci(rep.flops.training_per_run.to_double()).c_str(), fmt_sci(rep.flops.six_n_d.to_double()).c_str());
}

void print_memory(const txmath::model_config& m, const txmath::model_report& rep) {
  const auto& s = rep.settings;
  const auto& mem = rep.memory;
  const std::string shape = u(s.batch) + " x " + u(s.seq_len);
  std::printf("Memory\n");
  std::printf("  %-34s %12s\n", ("weights (" + std::string(txmath::name_of(s.weights)) + ")").c_str(),
              fmt_bytes(mem.weights).c_str());
  std::printf("  %-34s %12s   (%s per GPU, ZeRO-3 over %s)\n", "training state (Adam, 16 B/param)",
              fmt_bytes(mem.training_state).c_str(), fmt_bytes(mem.training_state_per_gpu_zero3).c_str(),
              s.gpus.to_string().c_str());
  std::printf("  %-34s %12s   (full recompute: %s)\n",
              ("activations (" + shape + ", flash " + (s.flash_attention ? "on" : "off") + ")").c_str(),
              fmt_bytes(mem.activations).c_str(), fmt_bytes(mem.activations_full_recompute).c_str());
  std::string kv_detail = fmt_bytes(mem.kv_cache_per_token) + " per token";
  if (mem.kv_cache != mem.kv_cache_without_windows)
    kv_detail += "; sliding window " + u(m.attention.sliding_window) + " on " + u(m.n_sliding_layers()) + " of " +
                 u(m.n_layers) + " layers, " + fmt_bytes(mem.kv_cache_without_windows) + " without";
  std::printf("  %-34s %12s   (%s)\n\n",
              ("KV cache (" + shape + ", " + std::string(txmath::name_of(s.kv_cache)) + ")").c_str(),
              fmt_bytes(mem.kv_cache).c_str(), kv_detail.c_str());
}

void print_time(const txmath::model_report& rep) {
  const auto& s = rep.settings;
  std::printf("Training time and cost (%s x %s, %s peak %s FLOP/s, MFU %s)\n", s.gpus.to_string().c_str(),
              std::string(s.gpu->name).c_str(), std::string(txmath::name_of(s.compute)).c_str(),
              fmt_sci(rep.training.peak.value()).c_str(), fmt_real(s.mfu).c_str());
  std::printf("  %-34s %12s   (%s GPU-hours, $%s at $%s/GPU-hour)\n\n", "training run",
              fmt_seconds(rep.training.time).c_str(), fmt_whole(rep.training.gpu_hours).c_str(),
              fmt_whole(rep.training.cost).c_str(), fmt_real(s.price_per_gpu_hour).c_str());
}

void print_inference(const txmath::model_report& rep) {
  const auto& s = rep.settings;
  const auto& a = rep.inference;
  const std::string gpu(s.gpu->name);
  std::printf("Inference (%s x %s, weights %s, KV cache %s, on %s with %s)\n", u(s.batch).c_str(),
              u(s.seq_len).c_str(), std::string(txmath::name_of(s.weights)).c_str(),
              std::string(txmath::name_of(s.kv_cache)).c_str(), gpu.c_str(), fmt_bytes(a.gpu_memory).c_str());
  std::string verdict = a.fits_one_gpu ? "fits one GPU" : "does not fit one GPU";
  if (!a.fits_one_gpu && a.min_tp_that_fits != 0)
    verdict += "; fits with tensor parallelism " + a.min_tp_that_fits.to_string() + ", " +
               fmt_bytes(a.memory_per_gpu) + " a GPU";
  if (a.min_tp_that_fits == 0) verdict += ", nor 64 with tensor parallelism";
  std::printf("  %-34s %12s   (%s)\n", "weights + KV cache", fmt_bytes(a.weights + a.kv_cache).c_str(), verdict.c_str());
  if (a.min_tp_that_fits == 0) {
    std::printf("  no prefill or decode time: the model does not fit\n\n");
    return;
  }
  const std::string where = a.min_tp_that_fits == 1 ? "one GPU" : "TP " + a.min_tp_that_fits.to_string() + " (" + a.min_tp_that_fits.to_string() + " GPUs)";
  auto line = [&](const std::string& what, const txmath::inference_step& st) {
    std::printf("  %-34s %12s   (%s-bound, %s; %s tokens/s)\n", what.c_str(), fmt_seconds(st.roof.time()).c_str(),
                st.roof.compute_bound() ? "compute" : "memory", where.c_str(), fmt_whole(st.tokens_per_second).c_str());
  };
  line("prefill (" + u(s.batch) + " x " + u(s.seq_len) + ")", a.prefill);
  line("decode step (" + u(s.batch) + " at " + u(s.seq_len) + ")", a.decode);
  std::printf("\n");
}

void print_layout(const txmath::model_report& rep) {
  if (!rep.layout.present) return;
  const auto& s = rep.settings;
  const txmath::training_layout& l = rep.layout.layout;
  const txmath::step_estimate& e = rep.layout.estimate;
  std::printf("Layout (%s: %s x %s; tp %s, pp %s, dp %s, ep %s, cp %s, micro-batch %s, interleave %s,\n"
              "        recompute %s, sequence parallel %s, ZeRO %d, flash %s; %s x %s tokens a step)\n",
              std::string(s.system->name.view()).c_str(), rep.layout.gpus.to_string().c_str(),
              std::string(s.system->gpu.name).c_str(), l.tp.to_string().c_str(), l.pp.to_string().c_str(),
              l.dp.to_string().c_str(), l.ep.to_string().c_str(), l.cp.to_string().c_str(),
              l.micro_batch.to_string().c_str(), l.interleave.to_string().c_str(), recompute_name(l.recompute_mode),
              l.sequence_parallel ? "on" : "off", int(l.zero), l.flash_attention ? "on" : "off", u(s.batch).c_str(),
              u(s.seq_len).c_str());
  std::printf("  %-34s %12s   (training state %s + activations %s; HBM %s)\n", "memory per GPU",
              fmt_bytes(e.memory_per_gpu).c_str(), fmt_bytes(e.state_per_gpu).c_str(),
              fmt_bytes(e.activations_per_gpu).c_str(), fmt_bytes(rep.layout.gpu_memory).c_str());
  std::printf("  %-34s %12s   (compute %s, recompute %s, communication %s, bubble %s, optimizer %s)\n",
              ("step time (" + e.micro_batches.to_string() + " micro-batches)").c_str(),
              fmt_seconds(txmath::seconds(e.step_seconds)).c_str(), fmt_seconds(txmath::seconds(e.parts.compute)).c_str(),
              fmt_seconds(txmath::seconds(e.parts.recompute)).c_str(),
              fmt_seconds(txmath::seconds(e.parts.communication)).c_str(),
              fmt_seconds(txmath::seconds(e.parts.bubble)).c_str(), fmt_seconds(txmath::seconds(e.parts.optimizer)).c_str());
  std::printf("  %-34s %12s   (Megatron's count %s; %s TFLOP/s a GPU)\n\n", "MFU", fmt_pct(e.mfu).c_str(),
              fmt_pct(e.mfu_megatron).c_str(), fmt_whole(e.tflops_per_gpu).c_str());
}

void print_table(const model_arg& ma, const txmath::model_report& rep, const std::vector<std::string>& notes) {
  print_model(ma);
  print_params(ma.model, rep.params);
  print_flops(rep);
  print_memory(ma.model, rep);
  print_time(rep);
  print_inference(rep);
  print_layout(rep);
  for (const auto& n : notes) std::printf("note: %s\n", n.c_str());
}

// The account, with the flags that shaped it named when the library refuses a result.
txmath::model_report account(const model_arg& ma, const options& o) {
  try {
    return txmath::make_report(ma.model, o.report);
  } catch (const txmath::overflow_error& e) {
    throw txmath::overflow_error(std::string(e.what()) +
                                 "\ntxmath: report: a figure of this model exceeds 2^128; lower --tokens, --seq or "
                                 "--batch, or check the config's sizes");
  } catch (const txmath::invalid_argument& e) {
    std::string flags;
    for (const auto& g : o.given) flags += (flags.empty() ? "" : ", ") + g;
    throw txmath::invalid_argument(std::string(e.what()) + "\ntxmath: report: with " +
                                   (flags.empty() ? std::string("the defaults") : flags) +
                                   " (see txmath report --help for the flags and their limits)");
  }
}

}  // namespace

int run_report(int argc, char** argv) {
  if (const auto rc = answer_help(argc, argv, report_usage)) return *rc;
  for (int i = 0; i < argc; ++i)
    if (std::strcmp(argv[i], "--list") == 0) {
      for (const auto& e : txmath::preset_list()) std::printf("%s\n", std::string(e.name).c_str());
      return 0;
    }
  options o = parse_options(argc, argv);
  const model_arg ma = load_model_arg(o.model);
  std::uint64_t seq = o.seq;
  if (seq == 0) seq = ma.max_context != 0 && ma.max_context < 4096 ? ma.max_context : 4096;
  o.report.seq_len = seq;
  o.report.max_context = ma.max_context;
  if (!o.system.empty()) {
    o.system_spec = load_system(o.system);
    o.report.system = &o.system_spec;
    o.report.layout = fixed_layout(o.layout);
  }
  const txmath::model_report rep = account(ma, o);
  std::vector<std::string> notes = ma.notes;  // the config reader's, then the report's
  for (const std::string& n : txmath::note_texts(rep)) notes.push_back(n);
  if (o.format != output::table) {
    std::fputs(report_machine_readable(ma, rep, notes, o.format == output::csv).c_str(), stdout);
    return 0;
  }
  print_table(ma, rep, notes);
  return 0;
}

}  // namespace txmath::cli
