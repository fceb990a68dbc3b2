// txmath report <preset | config.json>: parameters, FLOPs, memory, time and cost of a model.
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <txmath/activations.hpp>
#include <txmath/core/format.hpp>
#include <txmath/flops.hpp>
#include <txmath/hardware.hpp>
#include <txmath/kv_cache.hpp>
#include <txmath/memory.hpp>
#include <txmath/params.hpp>

#include "commands.hpp"

namespace txmath::cli {

namespace {

constexpr const char* report_usage =
    "usage: txmath report <preset | path/to/config.json> [options]\n"
    "  The parameters, FLOPs, memory, time and cost of a model, from a preset name (txmath\n"
    "  report --list) or a Hugging Face config.json.\n"
    "options (defaults in brackets):\n"
    "  --seq N        tokens per sequence [4096, or the model's context if shorter]; 8k = 8192\n"
    "  --batch N      sequences per step, for activations, KV cache and per-step FLOPs [8]\n"
    "  --tokens N     training tokens of a run, e.g. 15T, 300B [20 x total parameters]\n"
    "  --dtype T      weights, KV cache and compute: fp32, bf16, fp16, fp8, int8, int4 [bf16]\n"
    "  --gpu NAME     a100, h100, h800, h800-pcie, h200, b200, mi300x, tpu-v5e, tpu-v5p,\n"
    "                 rtx4090 [h100]\n"
    "  --gpus N       GPUs of the training run [1024]\n"
    "  --mfu X        model FLOPs utilization of the run, in (0, 1] [0.4]\n"
    "  --price X      US dollars per GPU-hour [2.0]\n"
    "  --json | --csv machine-readable output (exact integers; keys in the README)\n"
    "  --list         the preset names\n"
    "Conventions: FLOPs count matmuls (a multiply-add is 2), causal attention in full (every\n"
    "query against every key of its window), backward = 2 x forward; training state is\n"
    "mixed-precision Adam, 16 bytes per parameter (ZeRO); activations per Korthikanti et al.\n"
    "(GPT-style block, 16-bit); inference figures are one GPU's roofline, reading every weight\n"
    "once per step (all experts of an MoE: an upper bound at small batch).\n";

struct accelerator_name {
  const char* key;
  const txmath::accelerator* hw;
};
constexpr accelerator_name gpu_names[] = {
    {"a100", &txmath::accelerators::a100_sxm_80gb}, {"h100", &txmath::accelerators::h100_sxm},
    {"h800", &txmath::accelerators::h800_sxm},      {"h800-pcie", &txmath::accelerators::h800_pcie},
    {"h200", &txmath::accelerators::h200_sxm},      {"b200", &txmath::accelerators::b200},
    {"mi300x", &txmath::accelerators::mi300x},      {"tpu-v5e", &txmath::accelerators::tpu_v5e},
    {"tpu-v5p", &txmath::accelerators::tpu_v5p},    {"rtx4090", &txmath::accelerators::rtx_4090}};

const txmath::accelerator& find_gpu(std::string_view name) {
  for (const auto& g : gpu_names)
    if (name == g.key || name == g.hw->name) return *g.hw;
  std::string list;
  for (const auto& g : gpu_names) list += (list.empty() ? "" : ", ") + std::string(g.key);
  throw txmath::invalid_argument("txmath: --gpu: unknown accelerator '" + std::string(name) + "'; known: " + list);
}

enum class output { table, json, csv };

struct options {
  std::string model;
  std::uint64_t seq = 0;  // 0: the default
  std::uint64_t batch = 8;
  std::optional<txmath::count> tokens;
  txmath::dtype dtype = txmath::dtype::bf16;
  const txmath::accelerator* gpu = &txmath::accelerators::h100_sxm;
  std::uint64_t gpus = 1024;
  double mfu = 0.4;
  double price = 2.0;
  output format = output::table;
};

// ---- output: one tree of named values, written as JSON or CSV ---------------------------

struct node {
  std::string key;
  std::string json;  // the value as JSON text; empty for an object
  std::vector<node> children;

  node& at(std::string_view k) {
    for (auto& c : children)
      if (c.key == k) return c;
    children.push_back({std::string(k), "", {}});
    return children.back();
  }
  void set(std::string_view path, std::string value) {
    node* n = this;
    for (std::size_t dot; (dot = path.find('.')) != std::string_view::npos; path.remove_prefix(dot + 1))
      n = &n->at(path.substr(0, dot));
    n->at(path).json = std::move(value);
  }
};

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}
std::string json_number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
std::string json_number(txmath::count c) { return c.to_string(); }

void write_json(const node& n, std::string& out, int indent) {
  if (n.children.empty()) {
    out += n.json.empty() ? "{}" : n.json;
    return;
  }
  out += "{\n";
  for (std::size_t i = 0; i < n.children.size(); ++i) {
    out += std::string(static_cast<std::size_t>(indent + 2), ' ') + json_string(n.children[i].key) + ": ";
    write_json(n.children[i], out, indent + 2);
    out += i + 1 < n.children.size() ? ",\n" : "\n";
  }
  out += std::string(static_cast<std::size_t>(indent), ' ') + "}";
}
void write_csv(const node& n, const std::string& prefix, std::string& out) {
  for (const auto& c : n.children) {
    const std::string path = prefix.empty() ? c.key : prefix + "." + c.key;
    if (c.children.empty()) {
      std::string v = c.json;
      if (v.size() >= 2 && v.front() == '"') {  // CSV-quote strings
        v = v.substr(1, v.size() - 2);
        std::string q = "\"";
        for (char ch : v) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
        v = q + "\"";
      }
      out += path + "," + v + "\n";
    } else {
      write_csv(c, path, out);
    }
  }
}

// ---- the report ---------------------------------------------------------------------------

options parse_options(int argc, char** argv) {
  options o;
  auto value = [&](int& i) -> std::string_view {
    if (i + 1 >= argc)
      throw txmath::invalid_argument("txmath: " + std::string(argv[i]) + " needs a value (see txmath report --help)");
    return argv[++i];
  };
  for (int i = 0; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--seq") o.seq = parse_size(value(i), "--seq");
    else if (a == "--batch") o.batch = parse_size(value(i), "--batch");
    else if (a == "--tokens") o.tokens = parse_amount(value(i), "--tokens");
    else if (a == "--dtype") {
      const std::string_view v = value(i);
      try {
        o.dtype = txmath::parse_dtype(v);
      } catch (const txmath::error&) {
        throw txmath::invalid_argument("txmath: --dtype: unknown dtype '" + std::string(v) +
                                       "'; use fp32, bf16, fp16, fp8, int8 or int4");
      }
    } else if (a == "--gpu") o.gpu = &find_gpu(value(i));
    else if (a == "--gpus") o.gpus = parse_size(value(i), "--gpus");
    else if (a == "--mfu") {
      o.mfu = parse_real(value(i), "--mfu");
      if (!(o.mfu > 0 && o.mfu <= 1))
        throw txmath::invalid_argument("txmath: --mfu: must be in (0, 1] (write 40% as 0.4), found " +
                                       std::string(argv[i]));
    } else if (a == "--price") {
      o.price = parse_real(value(i), "--price");
      if (!(o.price >= 0)) throw txmath::invalid_argument("txmath: --price: must not be negative");
    } else if (a == "--json") o.format = output::json;
    else if (a == "--csv") o.format = output::csv;
    else if (a.size() > 1 && a[0] == '-')
      throw txmath::invalid_argument("txmath: report: unknown option '" + std::string(a) + "' (see txmath report --help)");
    else if (o.model.empty()) o.model = std::string(a);
    else throw txmath::invalid_argument("txmath: report: one model only; found '" + o.model + "' and '" + std::string(a) + "'");
  }
  if (o.model.empty()) throw txmath::invalid_argument("txmath: report: name a preset or a config.json (see txmath report --help)");
  return o;
}

std::string fmt_count(txmath::count c) { return grouped(c); }
std::string fmt_sci(double v) { return txmath::format_sci(v).str(); }
std::string fmt_bytes(txmath::bytes b) { return txmath::format_bytes(b).str(); }
// 11604.3 -> "11,604"; beyond 1e15, scientific.
std::string fmt_whole(double v) {
  if (!(v < 1e15)) return fmt_sci(v);
  return grouped(txmath::count::from_floating(static_cast<long double>(static_cast<unsigned long long>(v + 0.5))));
}
std::string fmt_pct(double share) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * share);
  return buf;
}
// A per-token figure: exact when it divides, else a double.
std::string per_token_json(txmath::count total, txmath::count tokens) {
  if (total % tokens == 0) return (total / tokens).to_string();
  return json_number(total.to_double() / tokens.to_double());
}

int report(int argc, char** argv);

}  // namespace

// Absurd but accepted sizes can push a per-run figure past 128 bits: say which input to shrink.
int run_report(int argc, char** argv) {
  try {
    return report(argc, argv);
  } catch (const txmath::overflow_error& e) {
    throw txmath::overflow_error(std::string(e.what()) +
                                 "\ntxmath: report: a figure of this model exceeds 2^128; lower --tokens, --seq or "
                                 "--batch, or check the config's sizes");
  }
}

namespace {

int report(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(report_usage, stdout);
      return 0;
    }
    if (std::strcmp(argv[i], "--list") == 0) {
      for (const auto& e : txmath::preset_list()) std::printf("%s\n", std::string(e.name).c_str());
      return 0;
    }
  }
  if (argc == 0) {
    std::fputs(report_usage, stderr);
    return 2;
  }
  const options o = parse_options(argc, argv);
  const model_arg ma = load_model_arg(o.model);
  const txmath::model_config& m = ma.model;
  std::vector<std::string> notes = ma.notes;

  // Settings, with defaults resolved.
  std::uint64_t seq = o.seq;
  if (seq == 0) seq = ma.max_context != 0 && ma.max_context < 4096 ? ma.max_context : 4096;
  if (ma.max_context != 0 && seq > ma.max_context)
    notes.push_back("--seq " + std::to_string(seq) + " exceeds the model's context of " +
                    std::to_string(ma.max_context) + " tokens");
  const auto p = txmath::param_count(m);
  const txmath::count run_tokens = o.tokens ? *o.tokens : txmath::count(20) * p.total.value();
  if (!o.tokens) notes.push_back("--tokens defaults to 20 tokens per parameter (Chinchilla's rule of thumb)");

  // FLOPs.
  const txmath::flop_options fo{.seq_len = seq, .batch = o.batch};
  const auto step = txmath::flops_per_step(m, fo);
  const auto run = txmath::flops_per_run(m, txmath::tokens(run_tokens), fo);
  const auto six_nd = txmath::six_n_d(p.active, txmath::tokens(run_tokens));
  const txmath::count step_tokens = step.tokens.value();

  // Memory.
  const txmath::bytes weights = txmath::weight_bytes(p.total, o.dtype);
  const auto state = txmath::training_state_bytes(p.total, txmath::training_precisions::mixed_bf16_adam);
  const auto state_sharded = txmath::training_state_bytes(
      p.total, txmath::training_precisions::mixed_bf16_adam, txmath::sharding::zero3, txmath::count(o.gpus));
  struct {
    txmath::bytes none, full;
  } act{txmath::activation_bytes(m, txmath::count(seq), txmath::count(o.batch), {}),
        txmath::activation_bytes(m, txmath::count(seq), txmath::count(o.batch),
                                 {.recompute_mode = txmath::recompute::full})};
  const txmath::bytes kv = txmath::kv_cache_bytes(m, txmath::count(seq), txmath::count(o.batch), o.dtype);
  const txmath::bytes kv_token = txmath::kv_cache_bytes_per_token(m, o.dtype);

  // Time and cost.
  const txmath::flop_rate peak = txmath::peak(*o.gpu, o.dtype);
  const txmath::seconds train_time =
      txmath::training_time(run.training.total, txmath::count(o.gpus), peak, o.mfu);
  const double gpu_hours = txmath::device_hours(train_time, txmath::count(o.gpus));
  const double cost = txmath::run_cost(train_time, txmath::count(o.gpus), o.price);
  const auto prefill = txmath::prefill_flops(m, seq, o.batch);
  const auto prefill_roof = txmath::roofline(prefill.forward.total, weights + kv, *o.gpu, o.dtype);
  const auto decode = txmath::decode_step_flops(m, seq, o.batch);
  const auto decode_roof = txmath::roofline(decode.forward.total, weights + kv, *o.gpu, o.dtype);

  // MLA has no single head_dim: report the query/key head (nope + rope dims).
  const bool mla = m.attention.kind == txmath::attention_kind::mla;
  const std::uint64_t head_dim =
      mla ? m.attention.qk_nope_head_dim + m.attention.qk_rope_head_dim : m.head_dim();

  if (o.format != output::table) {
    node root;
    root.set("model.name", json_string(ma.name));
    root.set("model.source", json_string(ma.source));
    root.set("model.model_type", json_string(ma.model_type));
    root.set("model.d_model", json_number(txmath::count(m.d_model)));
    root.set("model.n_layers", json_number(txmath::count(m.n_layers)));
    root.set("model.n_heads", json_number(txmath::count(m.attention.n_heads)));
    root.set("model.n_kv_heads", json_number(txmath::count(m.kv_heads())));
    root.set("model.head_dim", json_number(txmath::count(head_dim)));
    root.set("model.attention", json_string(mla ? "mla" : "standard"));
    root.set("model.d_ff", json_number(txmath::count(m.ffn.d_ff)));
    root.set("model.vocab", json_number(txmath::count(m.vocab)));
    root.set("model.n_experts", json_number(txmath::count(m.moe.n_experts)));
    root.set("model.top_k", json_number(txmath::count(m.moe.top_k)));
    root.set("model.tied_embeddings", m.tied_embeddings ? "true" : "false");
    root.set("model.max_context", json_number(txmath::count(ma.max_context)));
    root.set("settings.seq", json_number(txmath::count(seq)));
    root.set("settings.batch", json_number(txmath::count(o.batch)));
    root.set("settings.tokens", json_number(run_tokens));
    root.set("settings.dtype", json_string(txmath::name_of(o.dtype)));
    root.set("settings.gpu", json_string(o.gpu->name));
    root.set("settings.gpus", json_number(txmath::count(o.gpus)));
    root.set("settings.mfu", json_number(o.mfu));
    root.set("settings.price_per_gpu_hour", json_number(o.price));
    root.set("params.total", json_number(p.total.value()));
    root.set("params.active", json_number(p.active.value()));
    root.set("params.non_embedding", json_number(p.non_embedding().value()));
    root.set("params.active_excluding_input_embedding", json_number(p.active_excluding_input_embedding().value()));
    for (std::size_t c = 0; c < txmath::n_components; ++c) {
      const std::string name(txmath::name_of(static_cast<txmath::component>(c)));
      root.set("params.by_component." + name, json_number(p.by_component[c].value()));
    }
    for (std::size_t c = 0; c < txmath::n_components; ++c) {
      const std::string name(txmath::name_of(static_cast<txmath::component>(c)));
      root.set("params.active_by_component." + name, json_number(p.active_by_component[c].value()));
    }
    root.set("flops.forward_per_token", per_token_json(step.forward.total.value(), step_tokens));
    root.set("flops.training_per_token", per_token_json(step.training.total.value(), step_tokens));
    root.set("flops.forward_per_step", json_number(step.forward.total.value()));
    root.set("flops.training_per_step", json_number(step.training.total.value()));
    root.set("flops.training_per_run", json_number(run.training.total.value()));
    root.set("flops.six_n_d", json_number(six_nd.value()));
    for (std::size_t c = 0; c < txmath::n_components; ++c) {
      const std::string name(txmath::name_of(static_cast<txmath::component>(c)));
      root.set("flops.forward_per_step_by_component." + name, json_number(step.forward.by_component[c].value()));
    }
    root.set("flops.forward_per_step_attention_core", json_number(step.forward.attention_core.value()));
    root.set("memory.weights_bytes", json_number(weights.value()));
    root.set("memory.training_state_bytes", json_number(state.total().value()));
    root.set("memory.training_state_bytes_per_gpu_zero3", json_number(state_sharded.total().value()));
    root.set("memory.activations_bytes", json_number(act.none.value()));
    root.set("memory.activations_full_recompute_bytes", json_number(act.full.value()));
    root.set("memory.kv_cache_bytes", json_number(kv.value()));
    root.set("memory.kv_cache_bytes_per_token", json_number(kv_token.value()));
    root.set("time.peak_flop_per_s", json_number(peak.value()));
    root.set("time.training_seconds", json_number(train_time.value()));
    root.set("time.gpu_hours", json_number(gpu_hours));
    root.set("time.cost_usd", json_number(cost));
    root.set("time.prefill_seconds", json_number(prefill_roof.time().value()));
    root.set("time.prefill_bound", json_string(prefill_roof.compute_bound() ? "compute" : "memory"));
    root.set("time.decode_step_seconds", json_number(decode_roof.time().value()));
    root.set("time.decode_bound", json_string(decode_roof.compute_bound() ? "compute" : "memory"));
    std::string list = "[";
    for (std::size_t i = 0; i < notes.size(); ++i) list += (i ? ", " : "") + json_string(notes[i]);
    root.set("notes", list + "]");
    std::string out;
    if (o.format == output::json) {
      write_json(root, out, 0);
      out += "\n";
    } else {
      out = "key,value\n";
      write_csv(root, "", out);
    }
    std::fputs(out.c_str(), stdout);
    return 0;
  }

  // ---- the table -------------------------------------------------------------------------
  std::printf("txmath report: %s (%s%s%s)\n", ma.name.c_str(), ma.model_type.c_str(),
              ma.model_type.empty() ? "" : ", ", ma.source.c_str());
  std::printf("  d_model %llu, %llu layers, %llu heads", (unsigned long long)m.d_model,
              (unsigned long long)m.n_layers, (unsigned long long)m.attention.n_heads);
  if (mla)
    std::printf(" (MLA: q/k head %llu, v head %llu, kv_lora_rank %llu)", (unsigned long long)head_dim,
                (unsigned long long)m.attention.v_head_dim, (unsigned long long)m.attention.kv_lora_rank);
  else
    std::printf(" (%llu kv, head_dim %llu)", (unsigned long long)m.kv_heads(), (unsigned long long)head_dim);
  std::printf(", d_ff %llu, vocab %llu", (unsigned long long)m.ffn.d_ff, (unsigned long long)m.vocab);
  if (m.is_moe())
    std::printf(", %llu experts (top %llu, d_ff %llu)", (unsigned long long)m.moe.n_experts,
                (unsigned long long)m.moe.top_k, (unsigned long long)m.moe.d_ff_expert);
  if (ma.max_context) std::printf(", context %llu", (unsigned long long)ma.max_context);
  std::printf("\n\n");

  std::printf("%-18s %19s %17s %7s\n", "Parameters", "total", "active", "share");
  for (std::size_t c = 0; c < txmath::n_components; ++c) {
    if (p.by_component[c].value() == 0) continue;
    const std::string name(txmath::name_of(static_cast<txmath::component>(c)));
    std::printf("  %-16s %19s %17s %7s\n", name.c_str(), fmt_count(p.by_component[c].value()).c_str(),
                fmt_count(p.active_by_component[c].value()).c_str(),
                fmt_pct(p.by_component[c].to_double() / p.total.to_double()).c_str());
  }
  std::printf("  %-16s %19s %17s\n", "total", fmt_count(p.total.value()).c_str(), fmt_count(p.active.value()).c_str());
  std::printf("  (%s total, %s active; tied embeddings: %s)\n\n", txmath::format_count(p.total.value()).str().c_str(),
              txmath::format_count(p.active.value()).str().c_str(), m.tied_embeddings ? "yes" : "no");

  const std::string flops_title = "FLOPs per token (seq " + std::to_string(seq) + ")";
  std::printf("%-26s %17s %15s %7s\n", flops_title.c_str(), "forward", "training", "share");
  const double toks = step_tokens.to_double();
  auto row = [&](const char* name, txmath::flops fwd, txmath::flops train) {
    if (fwd.value() == 0 && train.value() == 0) return;
    std::printf("  %-24s %17s %15s %7s\n", name, fmt_sci(fwd.to_double() / toks).c_str(),
                fmt_sci(train.to_double() / toks).c_str(), fmt_pct(step.forward.share_of(fwd)).c_str());
  };
  row("attention projections", step.forward.attention_projections(), step.training.attention_projections());
  row("attention QK^T, AV", step.forward.attention_core, step.training.attention_core);
  row("ffn", step.forward[txmath::component::ffn], step.training[txmath::component::ffn]);
  row("experts", step.forward[txmath::component::experts], step.training[txmath::component::experts]);
  row("shared experts", step.forward[txmath::component::shared_experts],
      step.training[txmath::component::shared_experts]);
  row("router", step.forward[txmath::component::router], step.training[txmath::component::router]);
  row("lm head", step.forward[txmath::component::head] + step.forward[txmath::component::embedding],
      step.training[txmath::component::head] + step.training[txmath::component::embedding]);
  row("total", step.forward.total, step.training.total);
  std::printf("  per step (%llu x %llu tokens): forward %s, training %s\n", (unsigned long long)o.batch,
              (unsigned long long)seq, fmt_sci(step.forward.total.to_double()).c_str(),
              fmt_sci(step.training.total.to_double()).c_str());
  std::printf("  per run (%s tokens): training %s (6ND with active N: %s)\n\n",
              txmath::format_count(run_tokens).str().c_str(), fmt_sci(run.training.total.to_double()).c_str(),
              fmt_sci(six_nd.to_double()).c_str());

  const std::string dt(txmath::name_of(o.dtype));
  std::printf("Memory\n");
  std::printf("  %-34s %12s\n", ("weights (" + dt + ")").c_str(), fmt_bytes(weights).c_str());
  std::printf("  %-34s %12s   (%s per GPU, ZeRO-3 over %llu)\n", "training state (Adam, 16 B/param)",
              fmt_bytes(state.total()).c_str(), fmt_bytes(state_sharded.total()).c_str(), (unsigned long long)o.gpus);
  std::printf("  %-34s %12s   (full recompute: %s)\n",
              ("activations (" + std::to_string(o.batch) + " x " + std::to_string(seq) + ")").c_str(),
              fmt_bytes(act.none).c_str(), fmt_bytes(act.full).c_str());
  std::printf("  %-34s %12s   (%s per token)\n\n",
              ("KV cache (" + std::to_string(o.batch) + " x " + std::to_string(seq) + ", " + dt + ")").c_str(),
              fmt_bytes(kv).c_str(), fmt_bytes(kv_token).c_str());

  std::printf("Time and cost (%llu x %s, %s peak %s FLOP/s, MFU %.2f)\n", (unsigned long long)o.gpus,
              std::string(o.gpu->name).c_str(), dt.c_str(), fmt_sci(peak.value()).c_str(), o.mfu);
  std::printf("  %-34s %12s   (%s GPU-hours, $%s at $%.2f/GPU-hour)\n", "training run",
              txmath::format_seconds(train_time).str().c_str(), fmt_whole(gpu_hours).c_str(),
              fmt_whole(cost).c_str(), o.price);
  std::printf("  %-34s %12s   (%s-bound, one GPU)\n",
              ("prefill (" + std::to_string(o.batch) + " x " + std::to_string(seq) + ")").c_str(),
              txmath::format_seconds(prefill_roof.time()).str().c_str(),
              prefill_roof.compute_bound() ? "compute" : "memory");
  std::printf("  %-34s %12s   (%s-bound, one GPU)\n",
              ("decode step (" + std::to_string(o.batch) + " at " + std::to_string(seq) + ")").c_str(),
              txmath::format_seconds(decode_roof.time()).str().c_str(),
              decode_roof.compute_bound() ? "compute" : "memory");
  for (const auto& n : notes) std::printf("note: %s\n", n.c_str());
  return 0;
}

}  // namespace

}  // namespace txmath::cli
