// txmath finetune <preset | config.json> --lora-rank R --lora-targets q_proj,v_proj: LoRA's
// trainable parameters as PEFT prints them and the memory of LoRA / QLoRA against full
// fine-tuning (finetune.hpp).
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include <txmath/core/format.hpp>
#include <txmath/finetune.hpp>

#include "commands.hpp"
#include "writer.hpp"

namespace txmath::cli {

namespace {

constexpr const char* finetune_usage =
    "usage: txmath finetune <preset | path/to/config.json> [options]\n"
    "  LoRA adapters' trainable parameters (as PEFT's print_trainable_parameters prints them)\n"
    "  and the memory of LoRA or QLoRA fine-tuning on one GPU, with full fine-tuning beside it.\n"
    "options (defaults in brackets):\n"
    "  --lora-rank R          adapter rank r [8]\n"
    "  --lora-targets LIST    PEFT module names, comma-separated: q_proj, k_proj, v_proj, o_proj,\n"
    "                         gate_proj, up_proj, down_proj (also MoE experts named so), w1, w2, w3\n"
    "                         (Mixtral's experts), q_a_proj, q_b_proj, kv_a_proj_with_mqa,\n"
    "                         kv_b_proj (MLA), or all-linear [q_proj,v_proj]\n"
    "  --base-dtype bf16|nf4  the frozen base: bf16, or NF4 with double quantization (QLoRA) [bf16]\n"
    "  --seq S                tokens per sequence; 4k = 4096 [2048]\n"
    "  --batch B              sequences per micro-batch [1]\n"
    "  --gradient-checkpointing   keep only each layer's input for the backward pass\n"
    "  --json                 machine-readable output\n"
    "Conventions: adapters train in fp32 with Adam (16 bytes per trainable parameter, PEFT's\n"
    "default); full fine-tuning is mixed-precision Adam (16 bytes per parameter); activations\n"
    "from the lowered model (flash attention, bf16), plus LoRA's rank-r intermediates.\n";

struct options {
  std::string model, targets_text = "q_proj,v_proj", base_name = "bf16";
  txmath::finetune_options ft{};
  bool json = false;
};

options parse(int argc, char** argv) {
  options o;
  auto value = [&](int& i) -> std::string_view {
    if (i + 1 >= argc)
      throw txmath::invalid_argument("txmath: " + std::string(argv[i]) + " needs a value (see txmath finetune --help)");
    return argv[++i];
  };
  for (int i = 0; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--lora-rank") o.ft.lora.rank = parse_size(value(i), "--lora-rank", 65536);
    else if (a == "--lora-targets") o.targets_text = std::string(value(i));
    else if (a == "--base-dtype") o.base_name = std::string(value(i));
    else if (a == "--seq") o.ft.seq = parse_size(value(i), "--seq", std::uint64_t{1} << 24);
    else if (a == "--batch") o.ft.batch = parse_size(value(i), "--batch", std::uint64_t{1} << 20);
    else if (a == "--gradient-checkpointing") o.ft.gradient_checkpointing = true;
    else if (a == "--json") o.json = true;
    else if (a.size() > 1 && a[0] == '-')
      throw txmath::invalid_argument("txmath: finetune: unknown option '" + std::string(a) +
                                     "' (see txmath finetune --help)");
    else if (o.model.empty()) o.model = std::string(a);
    else throw txmath::invalid_argument("txmath: finetune: one model only; found '" + o.model + "' and '" + std::string(a) + "'");
  }
  if (o.model.empty())
    throw txmath::invalid_argument("txmath: finetune: name a preset or a config.json (see txmath finetune --help)");
  try {
    o.ft.lora.targets = txmath::parse_lora_targets(o.targets_text);
  } catch (const txmath::invalid_argument& e) {
    throw txmath::invalid_argument("txmath: --lora-targets: " + std::string(e.what()).substr(8));
  }
  if (o.base_name == "bf16") o.ft.base = txmath::weight_quantizations::bf16;
  else if (o.base_name == "nf4") o.ft.base = txmath::weight_quantizations::nf4_double_quant;
  else throw txmath::invalid_argument("txmath: --base-dtype: expected bf16 or nf4, found '" + o.base_name + "'");
  return o;
}

std::string gib(txmath::bytes b) { return txmath::format_bytes(b).str(); }

void set_memory(record& j, const std::string& at, const txmath::finetune_memory& m) {
  j.set(at + ".total_bytes", m.total().value());
  j.set(at + ".base_weights_bytes", m.base_weights.value());
  j.set(at + ".adapter_weights_bytes", m.adapter_weights.value());
  j.set(at + ".gradients_bytes", m.gradients.value());
  j.set(at + ".optimizer_bytes", m.optimizer.value());
  j.set(at + ".activations_bytes", m.activations.value());
}

void print_memory(const char* title, const txmath::finetune_memory& m) {
  std::printf("%s: %s\n  base weights %s, adapters %s, gradients %s, optimizer %s, activations %s\n", title,
              gib(m.total()).c_str(), gib(m.base_weights).c_str(), gib(m.adapter_weights).c_str(),
              gib(m.gradients).c_str(), gib(m.optimizer).c_str(), gib(m.activations).c_str());
}

}  // namespace

int run_finetune(int argc, char** argv) {
  if (const auto rc = answer_help(argc, argv, finetune_usage)) return *rc;
  const options o = parse(argc, argv);
  const model_arg ma = load_model_arg(o.model);
  const txmath::peft_counts p = txmath::peft_parameter_count(ma.model, o.ft.lora);
  const txmath::finetune_memory lora = txmath::finetune_memory_of(ma.model, o.ft);
  txmath::finetune_options full_opts = o.ft;
  full_opts.full = true;
  const txmath::finetune_memory full = txmath::finetune_memory_of(ma.model, full_opts);
  if (o.json) {
    record j;
    j.set("model", ma.name);
    j.set("lora.rank", o.ft.lora.rank);
    j.set("lora.targets", o.targets_text);
    j.set("base_dtype", o.base_name);
    j.set("seq", o.ft.seq);
    j.set("batch", o.ft.batch);
    j.set("gradient_checkpointing", o.ft.gradient_checkpointing);
    j.set("params.trainable", p.trainable.value());
    j.set("params.total", p.total.value());
    j.set("params.trainable_percent", p.trainable_percent());
    j.set("params.peft", txmath::peft_summary(p));
    set_memory(j, "memory", lora);
    set_memory(j, "full_finetuning.memory", full);
    std::fputs(j.json().c_str(), stdout);
    return 0;
  }
  std::printf("%s, LoRA r = %s on %s, base %s, seq %s x batch %s%s\n%s\n", ma.name.c_str(),
              o.ft.lora.rank.to_string().c_str(), o.targets_text.c_str(), o.base_name.c_str(),
              o.ft.seq.to_string().c_str(), o.ft.batch.to_string().c_str(),
              o.ft.gradient_checkpointing ? ", gradient checkpointing" : "", txmath::peft_summary(p).c_str());
  print_memory(o.base_name == "nf4" ? "QLoRA memory" : "LoRA memory", lora);
  print_memory("full fine-tuning memory", full);
  return 0;
}

}  // namespace txmath::cli
