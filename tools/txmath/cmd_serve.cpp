// txmath serve <preset | config.json> --gpu NAME: does the model fit, how many sequences, how
// fast (serve.hpp), and what a draft model buys (speculative.hpp).
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <txmath/core/format.hpp>
#include <txmath/presets.hpp>
#include <txmath/serve.hpp>

#include "commands.hpp"
#include "gpus.hpp"
#include "writer.hpp"

namespace txmath::cli {

namespace {

constexpr const char* serve_usage =
    "usage: txmath serve <preset | path/to/config.json> --gpu NAME [options]\n"
    "  Serving on GPUs: weights, KV cache and workspace per GPU, whether `concurrency`\n"
    "  sequences of `context` tokens fit, the largest concurrency, the smallest tensor-parallel\n"
    "  size that fits, time to first token, time per output token and tokens per second.\n"
    "options (defaults in brackets):\n"
    "  --gpu NAME          a100, h100, h200, gb200, tpu-v5p (with their systems' interconnect),\n"
    "                      h800, h800-pcie, b200, mi300x, tpu-v5e, rtx4090 (one GPU only)\n"
    "  --gpus N            tensor-parallel GPUs (x --pp stages) [1]\n"
    "  --pp P              pipeline stages; --gpus counts all GPUs, tp = gpus / pp [1]\n"
    "  --weights-dtype D   bf16, fp16, fp32, fp8, int8, int4 (g128, fp16 scales), gptq-int4\n"
    "                      (g128 + 4-bit zeros), nf4, nf4-dq, or a GGUF type: Q8_0, Q6_K,\n"
    "                      Q5_K_M, Q5_K_S, Q5_1, Q5_0, Q4_K_M, Q4_K_S, Q4_1, Q4_0, Q3_K_L,\n"
    "                      Q3_K_M, Q3_K_S, Q2_K, F16, BF16 [bf16]\n"
    "  --kv-dtype D        KV cache: bf16, fp16, fp32, fp8, int8 [bf16]\n"
    "  --context C         tokens each sequence keeps (prompt + output); 8k = 8192 [4096]\n"
    "  --prompt P          prompt tokens for the time to first token [the context]\n"
    "  --concurrency K     sequences decoded together [1]\n"
    "  --block-size B      tokens per KV block [16]\n"
    "  --gpu-memory-utilization X   fraction of GPU memory used, in (0, 1] [0.9]\n"
    "  --draft MODEL --draft-len k --acceptance a\n"
    "                      speculative decoding with a draft model (preset or config.json),\n"
    "                      k drafted tokens per step [4], acceptance rate a in [0, 1] [0.8]\n"
    "  --efficiency E      roofline, or step-time (the training step-time model's fitted matmul\n"
    "                      and memory efficiencies) [roofline]\n"
    "  --json              machine-readable output\n"
    "Conventions: vLLM's KV blocks (floor((memory x utilization - weights - workspace) / block\n"
    "bytes)); times are per-op rooflines (or --efficiency step-time) with tensor-parallel\n"
    "all-reduces on the system's interconnect; fp8 weights compute at the fp8 peak where the\n"
    "GPU has one, other formats at bf16.\n";

txmath::system_spec find_gpu_system(std::string_view name) {
  const gpu_entry* g = find_gpu_entry(name);
  if (g == nullptr)
    throw txmath::invalid_argument("txmath: --gpu: unknown accelerator '" + std::string(name) + "'; known: " + gpu_keys());
  if (g->system != nullptr) return *g->system;
  return txmath::system_spec{.name = txmath::system_name(std::string_view(g->key)), .gpu = *g->gpu};
}

struct weights_name {
  const char* name;
  txmath::weight_quantization q;
};
constexpr weights_name weight_names[] = {
    {"bf16", txmath::weight_quantizations::bf16},       {"fp16", txmath::weight_quantizations::fp16},
    {"fp32", txmath::weight_quantizations::fp32},       {"fp8", txmath::weight_quantizations::fp8},
    {"int8", txmath::weight_quantizations::int8},       {"int4", txmath::weight_quantizations::int4_g128},
    {"gptq-int4", txmath::weight_quantizations::gptq_int4_g128},
    {"nf4", txmath::weight_quantizations::nf4},         {"nf4-dq", txmath::weight_quantizations::nf4_double_quant}};

txmath::weight_quantization parse_weights(std::string_view v) {
  for (const auto& w : weight_names)
    if (v == w.name) return w.q;
  try {
    return txmath::weight_quantizations::gguf(txmath::parse_gguf_ftype(v));
  } catch (const txmath::error&) {
    throw txmath::invalid_argument("txmath: --weights-dtype: unknown format '" + std::string(v) +
                                   "'; use bf16, fp16, fp32, fp8, int8, int4, gptq-int4, nf4, nf4-dq or a GGUF "
                                   "type (Q4_K_M, Q8_0, ...)");
  }
}

txmath::dtype parse_kv(std::string_view v) {
  for (const auto* n : {"bf16", "fp16", "fp32", "fp8", "int8"})
    if (v == n) return txmath::parse_dtype(v);
  throw txmath::invalid_argument("txmath: --kv-dtype: unknown KV cache dtype '" + std::string(v) +
                                 "'; use bf16, fp16, fp32, fp8 or int8");
}

struct options {
  std::string model, draft, gpu_name, weights_name = "bf16", kv_name = "bf16";
  txmath::serve_options serve{};
  std::uint64_t gpus = 1, pp = 1;
  std::uint64_t context = 4096, prompt = 0, concurrency = 1, draft_len = 4;
  double acceptance = 0.8;
  bool draft_len_given = false, acceptance_given = false, json = false;
};

options parse(int argc, char** argv) {
  options o;
  auto value = [&](int& i) -> std::string_view {
    if (i + 1 >= argc)
      throw txmath::invalid_argument("txmath: " + std::string(argv[i]) + " needs a value (see txmath serve --help)");
    return argv[++i];
  };
  for (int i = 0; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--gpu") o.gpu_name = std::string(value(i));
    else if (a == "--gpus") o.gpus = parse_size(value(i), "--gpus", 4096);
    else if (a == "--pp") o.pp = parse_size(value(i), "--pp", 1024);
    else if (a == "--weights-dtype") o.weights_name = std::string(value(i));
    else if (a == "--kv-dtype") o.kv_name = std::string(value(i));
    else if (a == "--context") o.context = parse_size(value(i), "--context", std::uint64_t{1} << 24);
    else if (a == "--prompt") o.prompt = parse_size(value(i), "--prompt", std::uint64_t{1} << 24);
    else if (a == "--concurrency") o.concurrency = parse_size(value(i), "--concurrency", std::uint64_t{1} << 20);
    else if (a == "--block-size") o.serve.block_size = parse_size(value(i), "--block-size", 4096);
    else if (a == "--gpu-memory-utilization") {
      const std::string_view v = value(i);
      o.serve.gpu_memory_utilization = parse_real(v, "--gpu-memory-utilization");
      if (!(o.serve.gpu_memory_utilization > 0 && o.serve.gpu_memory_utilization <= 1))
        throw txmath::invalid_argument("txmath: --gpu-memory-utilization: must be in (0, 1], found '" +
                                       std::string(v) + "'");
    } else if (a == "--draft") o.draft = std::string(value(i));
    else if (a == "--draft-len") {
      o.draft_len = parse_size(value(i), "--draft-len", 1024);
      o.draft_len_given = true;
    } else if (a == "--acceptance") {
      const std::string_view v = value(i);
      o.acceptance = parse_real(v, "--acceptance");
      o.acceptance_given = true;
      if (!(o.acceptance >= 0 && o.acceptance <= 1))
        throw txmath::invalid_argument("txmath: --acceptance: must be in [0, 1] (a probability), found '" +
                                       std::string(v) + "'");
    } else if (a == "--efficiency") {
      const std::string_view v = value(i);
      if (v == "roofline") o.serve.efficiency = txmath::serve_efficiency::roofline;
      else if (v == "step-time") o.serve.efficiency = txmath::serve_efficiency::step_time_model;
      else throw txmath::invalid_argument("txmath: --efficiency: expected roofline or step-time, found '" + std::string(v) + "'");
    } else if (a == "--json") o.json = true;
    else if (a.size() > 1 && a[0] == '-')
      throw txmath::invalid_argument("txmath: serve: unknown option '" + std::string(a) + "' (see txmath serve --help)");
    else if (o.model.empty()) o.model = std::string(a);
    else throw txmath::invalid_argument("txmath: serve: one model only; found '" + o.model + "' and '" + std::string(a) + "'");
  }
  if (o.model.empty()) throw txmath::invalid_argument("txmath: serve: name a preset or a config.json (see txmath serve --help)");
  if (o.gpu_name.empty()) throw txmath::invalid_argument("txmath: serve: --gpu is required (e.g. --gpu h100)");
  if ((o.draft_len_given || o.acceptance_given) && o.draft.empty())
    throw txmath::invalid_argument("txmath: serve: --draft-len and --acceptance need --draft MODEL");
  if (o.gpus % o.pp != 0)
    throw txmath::invalid_argument("txmath: --pp: " + std::to_string(o.pp) + " stages do not divide --gpus " +
                                   std::to_string(o.gpus));
  if (o.prompt > o.context)
    throw txmath::invalid_argument("txmath: --prompt: " + std::to_string(o.prompt) + " exceeds --context " +
                                   std::to_string(o.context) + " (the cache holds prompt and output)");
  o.serve.system = find_gpu_system(o.gpu_name);
  o.serve.tp = o.gpus / o.pp;
  o.serve.pp = o.pp;
  o.serve.weights = parse_weights(o.weights_name);
  o.serve.kv_cache = parse_kv(o.kv_name);
  const bool has_fp8 = o.serve.system.gpu.fp8.value() > 0;
  o.serve.compute = o.serve.weights.linear.element == txmath::dtype::fp8 && o.serve.weights.gguf == txmath::gguf_ftype::none && has_fp8
                        ? txmath::dtype::fp8
                        : txmath::dtype::bf16;
  if (o.serve.gpus() > 1 && !(o.serve.system.intra_bandwidth > 0))
    throw txmath::invalid_argument("txmath: --gpus: " + std::to_string(o.gpus) + " GPUs of --gpu " + o.gpu_name +
                                   ": no interconnect is known for it; use --gpus 1 or a100, h100, h200, gb200, tpu-v5p");
  return o;
}

std::string ms(txmath::seconds s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", s.value() * 1e3);
  return buf;
}
std::string gib(txmath::bytes b) { return txmath::format_bytes(b).str(); }

void print_table(const options& o, const model_arg& ma, const txmath::serve_report& r) {
  const auto& mem = r.memory;
  std::printf("%s on %s x %llu (tp %llu, pp %llu), weights %s, KV cache %s, block %llu tokens\n", ma.name.c_str(),
              std::string(o.serve.system.gpu.name).c_str(), static_cast<unsigned long long>(o.gpus),
              static_cast<unsigned long long>(o.serve.tp.to_u64()), static_cast<unsigned long long>(o.pp),
              o.weights_name.c_str(), o.kv_name.c_str(), static_cast<unsigned long long>(o.serve.block_size.to_u64()));
  std::printf("memory per GPU (budget %s = %.2f x %s)\n", gib(mem.budget).c_str(), o.serve.gpu_memory_utilization,
              gib(o.serve.system.gpu.memory).c_str());
  std::printf("  weights    %s\n  workspace  %s\n  KV cache   %s (%s blocks of %s)\n", gib(mem.weights).c_str(),
              gib(mem.workspace).c_str(), gib(mem.kv_cache).c_str(), grouped(mem.blocks).c_str(), gib(mem.block).c_str());
  std::printf("context %llu, concurrency %llu: %s; at most %s sequences; smallest tp that fits: %s\n",
              static_cast<unsigned long long>(o.context), static_cast<unsigned long long>(o.concurrency),
              r.fits ? "fits" : "does NOT fit", grouped(r.max_concurrency).c_str(),
              r.min_tp_that_fits == 0 ? "none" : r.min_tp_that_fits.to_string().c_str());
  std::printf("time to first token  %s (prompt %llu)\ntime per output token %s\ntokens per second    %.1f\n",
              ms(r.ttft).c_str(), static_cast<unsigned long long>(o.prompt == 0 ? o.context : o.prompt),
              ms(r.tpot).c_str(), r.tokens_per_second);
  std::printf("decode turns compute-bound at batch %s\n",
              r.compute_bound_batch == 0 ? "> 2^20" : grouped(r.compute_bound_batch).c_str());
  if (r.speculative_on)
    std::printf("speculative (%s, k %llu, a %.3g): c %.4f, %.3f tokens per step, speedup %.3fx (roofline %.3fx)\n",
                o.draft.c_str(), static_cast<unsigned long long>(o.draft_len), o.acceptance, r.speculative.cost_ratio,
                r.speculative.expected_tokens_per_step, r.speculative.speedup, r.speculative.speedup_roofline);
}

void print_json(const options& o, const model_arg& ma, const txmath::serve_report& r) {
  record j;
  j.set("model", ma.name);
  j.set("gpu", o.serve.system.gpu.name);
  j.set("gpus", txmath::count(o.gpus));
  j.set("tp", o.serve.tp);
  j.set("pp", o.serve.pp);
  j.set("weights_dtype", o.weights_name);
  j.set("kv_dtype", o.kv_name);
  j.set("context", txmath::count(o.context));
  j.set("prompt", txmath::count(o.prompt == 0 ? o.context : o.prompt));
  j.set("concurrency", txmath::count(o.concurrency));
  j.set("efficiency", o.serve.efficiency == txmath::serve_efficiency::roofline ? "roofline" : "step-time");
  j.set("fits", r.fits);
  if (r.min_tp_that_fits == 0) j.set_null("min_tp_that_fits");
  else j.set("min_tp_that_fits", r.min_tp_that_fits);
  j.set("max_concurrency", r.max_concurrency);
  j.set("memory.budget_bytes", r.memory.budget.value());
  j.set("memory.weights_bytes", r.memory.weights.value());
  j.set("memory.workspace_bytes", r.memory.workspace.value());
  j.set("memory.kv_cache_bytes", r.memory.kv_cache.value());
  j.set("memory.kv_block_bytes", r.memory.block.value());
  j.set("memory.kv_blocks", r.memory.blocks);
  j.set("ttft_seconds", r.ttft.value());
  j.set("tpot_seconds", r.tpot.value());
  j.set("tokens_per_second", r.tokens_per_second);
  if (r.compute_bound_batch == 0) j.set_null("decode_compute_bound_batch");
  else j.set("decode_compute_bound_batch", r.compute_bound_batch);
  if (r.speculative_on) {
    j.set("speculative.draft", o.draft);
    j.set("speculative.draft_len", txmath::count(o.draft_len));
    j.set("speculative.acceptance", o.acceptance);
    j.set("speculative.cost_ratio", r.speculative.cost_ratio);
    j.set("speculative.expected_tokens_per_step", r.speculative.expected_tokens_per_step);
    j.set("speculative.speedup", r.speculative.speedup);
    j.set("speculative.speedup_roofline", r.speculative.speedup_roofline);
  } else {
    j.set_null("speculative");
  }
  std::fputs(j.json().c_str(), stdout);
}

}  // namespace

int run_serve(int argc, char** argv) {
  if (const auto rc = answer_help(argc, argv, serve_usage)) return *rc;
  const options o = parse(argc, argv);
  const model_arg ma = load_model_arg(o.model);
  std::optional<model_arg> draft;
  if (!o.draft.empty()) draft = load_model_arg(o.draft);
  const txmath::serve_request req{.context = o.context, .prompt = o.prompt, .concurrency = o.concurrency,
                                  .draft = draft ? &draft->model : nullptr, .draft_len = o.draft_len,
                                  .acceptance = o.acceptance};
  const txmath::serve_report r = txmath::serve(ma.model, o.serve, req);
  if (o.json) print_json(o, ma, r);
  else print_table(o, ma, r);
  return 0;
}

}  // namespace txmath::cli
