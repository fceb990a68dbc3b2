// txmath plan <preset | config.json> --system NAME --gpus N --seq S --global-batch B [...]:
// the fastest training layouts that fit (plan.hpp), or one layout when every size is given.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

#include <txmath/plan.hpp>
#include <txmath/system.hpp>

#include "commands.hpp"
#include "writer.hpp"

namespace txmath::cli {

namespace {

constexpr const char* plan_usage =
    "usage: txmath plan <preset | config.json> --system NAME --gpus N --seq S --global-batch B\n"
    "         [--tp T --pp P --dp D --ep E --cp C --micro-batch M --interleave V\n"
    "          --recompute none|selective|full --sequence-parallel on|off --zero 0|1|2|3\n"
    "          --flash on|off] [--top K] [--json]\n"
    "       txmath plan --systems\n"
    "  The fastest training layouts of a model on N GPUs of a system that fit in memory, with\n"
    "  their step time, breakdown, memory per GPU and MFU. A size given fixes it; the others\n"
    "  are searched (all given: that one layout).\n"
    "  --system NAME  a preset (txmath plan --systems) or a system .json file\n"
    "  --global-batch sequences per step; with a suffix, tokens: 16M = 16 x 2^20 tokens\n"
    "                 (Llama 3's 2,048 x 8,192), 4194304T = 4,194,304 tokens\n"
    "  --seq S        tokens per sequence (8k = 8192)\n"
    "  --top K        layouts shown, best first [5]\n"
    "  --flash        FlashAttention [on]; the search never turns it off by itself\n"
    "  --json         {\"evaluated\", \"search_seconds\", \"layouts\": [...]}, best first\n"
    "Model: bf16 compute, mixed-precision Adam (16 bytes per parameter), HBM minus a 10%\n"
    "reserve; step time from the lowered einsums (README, Training layouts).\n";

struct options {
  std::string model, system;
  count gpus = 0, seq = 0;
  std::string global_batch;
  plan_options plan{};
  bool json = false;
};

options parse(int argc, char** argv) {
  options o;
  auto value = [&](int& i) -> std::string_view {
    if (i + 1 >= argc) throw invalid_argument("txmath: " + std::string(argv[i]) + " needs a value (see txmath plan --help)");
    return argv[++i];
  };
  auto size = [&](int& i) { return count(parse_size(value(i), argv[i])); };
  for (int i = 0; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--system") o.system = std::string(value(i));
    else if (a == "--gpus") o.gpus = size(i);
    else if (a == "--seq") o.seq = size(i);
    else if (a == "--global-batch") o.global_batch = std::string(value(i));
    else if (is_layout_flag(a)) parse_layout_flag(a, value(i), o.plan);
    else if (a == "--top") o.plan.top = parse_size(value(i), "--top");
    else if (a == "--json") o.json = true;
    else if (a.size() > 1 && a[0] == '-')
      throw invalid_argument("txmath: plan: unknown option '" + std::string(a) + "' (see txmath plan --help)");
    else if (o.model.empty()) o.model = std::string(a);
    else throw invalid_argument("txmath: plan: one model only; found '" + o.model + "' and '" + std::string(a) + "'");
  }
  if (o.model.empty()) throw invalid_argument("txmath: plan: name a preset or a config.json (see txmath plan --help)");
  auto need = [](bool missing, const char* flag) {
    if (missing) throw invalid_argument(std::string("txmath: plan: ") + flag + " is required (see txmath plan --help)");
  };
  need(o.system.empty(), "--system");
  need(o.gpus == 0, "--gpus");
  need(o.seq == 0, "--seq");
  need(o.global_batch.empty(), "--global-batch");
  o.plan.gpus = o.gpus;
  return o;
}

// Sequences per step: a plain number, or tokens with an M (x 2^20) or T (x 1) suffix.
count global_batch_sequences(std::string_view text, count seq) {
  const char last = text.empty() ? '\0' : text.back();
  if (last != 'M' && last != 'T') return count(parse_size(text, "--global-batch"));
  const count mult = last == 'M' ? count(std::uint64_t{1} << 20) : count(1);
  const count tokens = count(parse_size(text.substr(0, text.size() - 1), "--global-batch")) * mult;
  if (tokens % seq != 0)
    throw invalid_argument("txmath: --global-batch " + std::string(text) + " = " + grouped(tokens) +
                           " tokens is not a whole number of --seq " + grouped(seq) + " sequences");
  return tokens / seq;
}

int list_systems() {
  std::printf("%-12s %-14s %8s %12s %12s  %s\n", "system", "accelerator", "domain", "intra GB/s", "inter GB/s", "HBM");
  for (const system_spec* s : systems::all)
    std::printf("%-12s %-14s %8s %12.0f %12.2f  %.0f GiB\n", std::string(s->name.view()).c_str(),
                std::string(s->gpu.name).c_str(), s->gpus_per_domain.to_string().c_str(), s->intra_bandwidth / 1e9,
                s->inter_bandwidth / 1e9, s->gpu.memory.to_double() / (1u << 30));
  std::printf("Bandwidths per GPU and direction; domain: GPUs joined by NVLink (or a TPU slice's ICI).\n");
  return 0;
}

void print_json(const plan_result& r, double seconds) {
  record j;
  j.set("evaluated", count(r.evaluated)).set("fitting", count(r.fitting)).set("search_seconds", seconds);
  j.set("memory_budget_bytes", r.memory_budget.value());
  j.set(std::string_view("layouts"), std::vector<std::string>{});  // [] even when none fits
  for (const auto& kept : r.layouts) {
    const auto& l = kept.layout;
    const auto& e = kept.estimate;
    record& x = j.append("layouts");
    x.set("tp", l.tp).set("pp", l.pp).set("dp", l.dp).set("ep", l.ep).set("cp", l.cp);
    x.set("micro_batch", l.micro_batch).set("interleave", l.interleave);
    x.set("recompute", recompute_name(l.recompute_mode)).set("sequence_parallel", l.sequence_parallel);
    x.set("zero", count(l.zero)).set("flash", l.flash_attention);
    x.set("fits", e.memory_per_gpu <= r.memory_budget).set("step_seconds", e.step_seconds);
    x.set("memory_per_gpu_bytes", e.memory_per_gpu.value());
    x.set("state_per_gpu_bytes", e.state_per_gpu.value());
    x.set("activations_per_gpu_bytes", e.activations_per_gpu.value());
    x.set("mfu", e.mfu).set("mfu_megatron", e.mfu_megatron).set("tflops_per_gpu", e.tflops_per_gpu);
    x.set("micro_batches", e.micro_batches);
    x.set("breakdown.compute", e.parts.compute).set("breakdown.recompute", e.parts.recompute);
    x.set("breakdown.communication", e.parts.communication).set("breakdown.bubble", e.parts.bubble);
    x.set("breakdown.optimizer", e.parts.optimizer);
    x.set("breakdown.communication_by_kind.tp", e.parts.comm.tp).set("breakdown.communication_by_kind.ep", e.parts.comm.ep);
    x.set("breakdown.communication_by_kind.cp", e.parts.comm.cp).set("breakdown.communication_by_kind.pp", e.parts.comm.pp);
    x.set("breakdown.communication_by_kind.dp", e.parts.comm.dp);
  }
  std::fputs(j.json().c_str(), stdout);
}

void print_table(const options& o, const model_arg& m, const system_spec& s, count batch, const plan_result& r,
                 double seconds) {
  const double gib = 1u << 30;
  std::printf("txmath plan: %s on %s x %s (%s), seq %s, global batch %s sequences (%s tokens)\n", m.name.c_str(),
              grouped(o.gpus).c_str(), std::string(s.gpu.name).c_str(), std::string(s.name.view()).c_str(),
              grouped(o.seq).c_str(), grouped(batch).c_str(), grouped(batch * o.seq).c_str());
  std::printf("evaluated %s layouts in %.3f s; %s fit in %.1f GiB per GPU (HBM less a %.0f%% reserve)\n",
              grouped(r.evaluated).c_str(), seconds, grouped(r.fitting).c_str(), r.memory_budget.to_double() / gib,
              100 * o.plan.memory_reserve);
  if (r.layouts.empty()) return;
  std::printf("%3s %4s %4s %5s %3s %3s %3s %2s %-9s %3s %4s %5s %9s %8s %6s %7s | %8s %8s %8s %8s %8s\n", "#", "tp", "pp",
              "dp", "ep", "cp", "mb", "v", "recompute", "sp", "zero", "flash", "step (s)", "mem GiB", "MFU", "TFLOP/s",
              "compute", "recomp", "comm", "bubble", "optim");
  for (std::size_t i = 0; i < r.layouts.size(); ++i) {
    const auto& l = r.layouts[i].layout;
    const auto& e = r.layouts[i].estimate;
    std::printf("%3zu %4s %4s %5s %3s %3s %3s %2s %-9s %3s %4d %5s %9.3f %8.1f %5.1f%% %7.1f | %8.3f %8.3f %8.3f %8.3f %8.3f\n",
                i + 1, l.tp.to_string().c_str(), l.pp.to_string().c_str(), l.dp.to_string().c_str(),
                l.ep.to_string().c_str(), l.cp.to_string().c_str(), l.micro_batch.to_string().c_str(),
                l.interleave.to_string().c_str(), recompute_name(l.recompute_mode), l.sequence_parallel ? "on" : "off",
                int(l.zero), l.flash_attention ? "on" : "off", e.step_seconds, e.memory_per_gpu.to_double() / gib,
                100 * e.mfu, e.tflops_per_gpu, e.parts.compute, e.parts.recompute, e.parts.communication,
                e.parts.bubble, e.parts.optimizer);
  }
  std::printf("MFU: model FLOPs (matmuls, causal attention in full, no recompute) / peak; Megatron's count: --json\n");
}

// Progress on a terminal once a search has run for a second.
struct progress_state {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  bool shown = false;
};
void show_progress(double done, void* context) {
  auto& p = *static_cast<progress_state*>(context);
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - p.start).count();
  if (t < 1.0 && !p.shown) return;
  p.shown = true;
  std::fprintf(stderr, "\rtxmath plan: %3.0f%% searched (%.1f s)", 100 * done, t);
  if (done >= 1.0) std::fputs("\n", stderr);
}

}  // namespace

int run_plan(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--help" || a == "-h") return std::fputs(plan_usage, stdout), 0;
    if (a == "--systems") return list_systems();
  }
  options o = parse(argc, argv);
  const model_arg m = load_model_arg(o.model);
  const system_spec s = load_system(o.system);
  const count batch = global_batch_sequences(o.global_batch, o.seq);
  const step_model model(m.model, {.seq = o.seq, .global_batch = batch});
  progress_state progress;
  if (isatty(fileno(stderr))) {
    o.plan.progress = show_progress;
    o.plan.progress_context = &progress;
  }
  const auto t0 = std::chrono::steady_clock::now();
  plan_result r = plan(model, s, o.plan);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Every size given and it does not fit: show it anyway (its memory says by how much).
  const bool shown_unfit = r.layouts.empty() && r.evaluated == 1;
  if (shown_unfit) {
    const training_layout l = fixed_layout(o.plan);
    r.layouts.push_back({l, model.evaluate(s, l)});
  }
  if (o.json) print_json(r, seconds);
  else print_table(o, m, s, batch, r, seconds);
  if (shown_unfit) {
    std::fprintf(stderr, "txmath: plan: this layout needs %.1f GiB per GPU, more than the %.1f GiB available\n",
                 r.layouts[0].estimate.memory_per_gpu.to_double() / (1u << 30), r.memory_budget.to_double() / (1u << 30));
    return 1;
  }
  if (r.evaluated == 0) {
    std::fprintf(stderr,
                 "txmath: plan: no layout of %s GPUs suits %s with a global batch of %s sequences (tp must divide "
                 "the heads, pp at most the layers, cp the sequence, dp x micro-batch the global batch)\n",
                 grouped(o.gpus).c_str(), m.name.c_str(), grouped(batch).c_str());
    return 1;
  }
  if (r.layouts.empty()) {
    std::fprintf(stderr, "txmath: plan: no layout of %s GPUs fits in %.1f GiB per GPU (%s evaluated)\n",
                 grouped(o.gpus).c_str(), r.memory_budget.to_double() / (1u << 30), grouped(r.evaluated).c_str());
    return 1;
  }
  return 0;
}

}  // namespace txmath::cli
