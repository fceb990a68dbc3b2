// `txmath serve` and `txmath finetune` run as a user runs them: the JSON keys of the issue with
// figures worked by hand in tests/test_serve.cpp and tests/test_finetune.cpp (vLLM's block
// count, PEFT's printed counts, GGUF file sizes), and bad flags exiting with a message that
// names the flag, the value and the limit, never a crash.
#include <doctest/doctest.h>

#ifndef TXMATH_TOOL
#error "tests/test_cli_serve.cpp is built only with the txmath tool (TXMATH_TOOL names it)"
#endif

#include "cli_support.hpp"

#include <cstdio>
#include <string>
#include <string_view>

#include <txmath/json.hpp>

namespace {

using txmath_cli_test::quote;
using txmath_cli_test::result;
using txmath_cli_test::run;

txmath::json::value run_json(const std::string& args) { return txmath_cli_test::run_json_of(args); }

std::string reference(std::string_view f) { return std::string(TXMATH_REFERENCE_DIR) + "/" + std::string(f); }

}  // namespace

TEST_CASE("txmath serve --json: Llama-3-70B with an fp8 KV cache on 8 H100s") {
  // test_serve.cpp works these out: 17,640,734,720 B of weights per GPU, 180,815 blocks of
  // 327,680 B, 88 sequences of 32k; tp = 4 holds 30, so 8 is the smallest that fits 64.
  const auto j = run_json("serve llama-3-70b --gpu h100 --gpus 8 --kv-dtype fp8 --context 32k --concurrency 64");
  CHECK(j.at("fits").as_bool());
  CHECK(j.at("max_concurrency").as_count() == txmath::count(88));
  CHECK(j.at("min_tp_that_fits").as_count() == txmath::count(8));
  CHECK(j.at("memory").at("weights_bytes").as_count() == txmath::count(17'640'734'720));
  CHECK(j.at("memory").at("kv_cache_bytes").as_count() == txmath::count(180'815) * 327'680);
  CHECK(j.at("ttft_seconds").as_double() > 0);
  CHECK(j.at("tpot_seconds").as_double() > 0);
  CHECK(j.at("tokens_per_second").as_double() == doctest::Approx(64 / j.at("tpot_seconds").as_double()));
  CHECK(j.at("speculative").is_null());
  CHECK(j.at("efficiency").as_string() == "roofline");
  // The step-time model's efficiencies only slow it down.
  const auto e = run_json("serve llama-3-70b --gpu h100 --gpus 8 --kv-dtype fp8 --context 32k --concurrency 64 --efficiency step-time");
  CHECK(e.at("tpot_seconds").as_double() > j.at("tpot_seconds").as_double());
  CHECK(e.at("max_concurrency").as_count() == txmath::count(88));
  // The same model with a bf16 cache: 44 sequences, so 64 do not fit, at no tp.
  const auto b = run_json("serve llama-3-70b --gpu h100 --gpus 8 --context 32k --concurrency 64");
  CHECK(!b.at("fits").as_bool());
  CHECK(b.at("max_concurrency").as_count() == txmath::count(44));
  CHECK(b.at("min_tp_that_fits").is_null());
}

TEST_CASE("txmath serve: vLLM's blocks, GGUF weights, a config.json, speculative decoding") {
  // Llama-3-8B on one H100: 28,775 blocks of 2 MiB; 56 sequences of 8k.
  const auto j = run_json("serve " + quote(reference("configs/llama-3-8b.json")) + " --gpu h100 --context 8k");
  CHECK(j.at("memory").at("kv_cache_bytes").as_count() == txmath::count(28'775) * 2'097'152);
  CHECK(j.at("max_concurrency").as_count() == txmath::count(56));
  // Llama-2-7B as Q4_0: 3,825,065,984 B of tensors (TheBloke's file: 3.83 GB).
  const auto q = run_json("serve llama-2-7b --gpu rtx4090 --weights-dtype Q4_0 --context 4096");
  CHECK(q.at("memory").at("weights_bytes").as_count() == txmath::count(3'825'065'984));
  // A GPU without a known interconnect (TPU v5e, 16 GiB): 15,461,882,265 B of budget less
  // 13,476,831,232 of bf16 weights and 640,942,080 of workspace leave 160 blocks of 8 MiB,
  // short of the 256 one 4096-token sequence needs; no tensor-parallel size beyond one GPU
  // is tried.
  const auto small = run_json("serve llama-2-7b --gpu tpu-v5e --context 4096");
  CHECK(!small.at("fits").as_bool());
  CHECK(small.at("max_concurrency").as_count() == txmath::count(0));
  CHECK(small.at("min_tp_that_fits").is_null());
  // A draft: the keys of the issue; a = 0.8, k = 5: (1 - 0.8^6) / 0.2 = 3.68928 tokens a step.
  const auto s = run_json("serve llama-3-70b --gpu h100 --gpus 8 --draft llama-3-8b --draft-len 5 --acceptance 0.8");
  CHECK(s.at("speculative").at("expected_tokens_per_step").as_double() == doctest::Approx(3.68928));
  const double c = s.at("speculative").at("cost_ratio").as_double();
  CHECK(s.at("speculative").at("speedup").as_double() == doctest::Approx(3.68928 / (5 * c + 1)));
}

TEST_CASE("txmath finetune --json: PEFT's counts and the memory breakdown") {
  // Llama-2-7B, r = 8 on q_proj, v_proj: PEFT prints 4,194,304 of 6,742,609,920 (0.0622 %).
  const auto j = run_json("finetune llama-2-7b --lora-rank 8 --lora-targets q_proj,v_proj --seq 512 --gradient-checkpointing");
  CHECK(j.at("params").at("trainable").as_count() == txmath::count(4'194'304));
  CHECK(j.at("params").at("total").as_count() == txmath::count(6'742'609'920));
  CHECK(j.at("params").at("trainable_percent").as_double() == doctest::Approx(100.0 * 4'194'304 / 6'742'609'920.0));
  CHECK(j.at("params").at("peft").as_string() ==
        "trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622");
  // By hand in test_finetune.cpp: 13,476,831,232 + 67,108,864 + 208,146,432.
  CHECK(j.at("memory").at("total_bytes").as_count() == txmath::count(13'752'086'528));
  txmath::count parts = 0;
  for (const char* k : {"base_weights_bytes", "adapter_weights_bytes", "gradients_bytes", "optimizer_bytes", "activations_bytes"})
    parts += j.at("memory").at(k).as_count();
  CHECK(parts == j.at("memory").at("total_bytes").as_count());
  // QLoRA: the base as NF4 with double quantization, 3,865,591,808 B.
  const auto q = run_json("finetune llama-2-7b --base-dtype nf4 --seq 512 --gradient-checkpointing");
  CHECK(q.at("memory").at("base_weights_bytes").as_count() == txmath::count(3'865'591'808));
  // Full fine-tuning beside it: 16 B per parameter.
  CHECK(q.at("full_finetuning").at("memory").at("optimizer_bytes").as_count() +
            q.at("full_finetuning").at("memory").at("gradients_bytes").as_count() +
            q.at("full_finetuning").at("memory").at("base_weights_bytes").as_count() ==
        txmath::count(6'738'415'616) * 16);
  // Llama-3-8B, all linear layers at r = 16: 41,943,040 trainable.
  CHECK(run_json("finetune llama-3-8b --lora-rank 16 --lora-targets all-linear").at("params").at("trainable").as_count() ==
        txmath::count(41'943'040));
}

TEST_CASE("txmath serve and finetune: bad flags exit 1 naming the flag, never a crash") {
  struct bad {
    const char* args;
    const char* says;
  };
  const bad cases[] = {
      {"serve llama-2-7b --gpu h100 --gpus 0", "--gpus"},
      {"serve llama-2-7b --gpu h100 --gpus -2", "--gpus"},
      {"serve llama-2-7b --gpu h100 --gpus 99999", "exceeds the limit of 4096"},
      {"serve llama-2-7b --gpu h100 --gpus 3", "tensor-parallel size 3 does not divide attention.n_heads = 32"},
      {"serve llama-2-7b --gpu h100 --context 0", "--context"},
      {"serve llama-2-7b --gpu h100 --context 99999999999", "--context: 99999999999 exceeds the limit"},
      {"serve llama-2-7b --gpu h100 --context 4k2", "--context"},
      {"serve llama-2-7b --gpu h100 --concurrency 0", "--concurrency"},
      {"serve llama-2-7b --gpu h100 --block-size 0", "--block-size"},
      {"serve llama-2-7b --gpu h100 --prompt 9000 --context 8192", "--prompt: 9000 exceeds --context 8192"},
      {"serve llama-2-7b --gpu h100 --gpu-memory-utilization 1.5", "--gpu-memory-utilization: must be in (0, 1]"},
      {"serve llama-2-7b --gpu h100 --gpu-memory-utilization nan", "--gpu-memory-utilization"},
      {"serve llama-2-7b --gpu h100 --weights-dtype int3", "--weights-dtype: unknown format 'int3'"},
      {"serve llama-2-7b --gpu h100 --kv-dtype int4", "--kv-dtype: unknown KV cache dtype 'int4'"},
      {"serve llama-2-7b --gpu h100 --draft llama-3-8b --acceptance 2", "--acceptance: must be in [0, 1]"},
      {"serve llama-2-7b --gpu h100 --draft llama-3-8b --draft-len 0", "--draft-len"},
      {"serve llama-2-7b --gpu h100 --draft-len 4", "need --draft"},
      {"serve llama-2-7b --gpu h100 --draft no-such-model", "no-such-model"},
      {"serve llama-2-7b --gpu h100 --gpus 4 --pp 3", "--pp: 3 stages do not divide --gpus 4"},
      {"serve llama-2-7b --gpu h100 --gpus 64 --pp 64", "pp = 64 exceeds n_layers = 32"},
      {"serve llama-2-7b --gpu mi300x --gpus 2", "no interconnect is known"},
      {"serve llama-2-7b --gpu h99", "--gpu: unknown accelerator 'h99'"},
      {"serve llama-2-7b", "--gpu is required"},
      {"serve llama-2-7b --gpu h100 --frob", "unknown option '--frob'"},
      {"serve llama-2-7b --gpu h100 --efficiency fast", "--efficiency: expected roofline or step-time, found 'fast'"},
      {"serve llama-2-7b --gpu b200 --efficiency step-time", "system 'b200' has no fitted efficiencies"},
      {"serve llama-2-7b --gpu", "--gpu needs a value"},
      {"finetune llama-2-7b --lora-rank 0", "--lora-rank"},
      {"finetune llama-2-7b --lora-rank 100000", "--lora-rank: 100000 exceeds the limit of 65536"},
      {"finetune llama-2-7b --lora-targets q_proj,foo", "--lora-targets: unknown LoRA target module 'foo'"},
      {"finetune llama-2-7b --lora-targets w1", "match no linear layer"},
      {"finetune llama-2-7b --base-dtype int4", "--base-dtype: expected bf16 or nf4"},
      {"finetune llama-2-7b --seq -5", "--seq"},
      {"finetune llama-2-7b --batch 0", "--batch"},
      {"finetune", "usage"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.args);
    const result r = run(c.args);
    CAPTURE(r.out);
    CHECK(r.status >= 1);
    CHECK(r.status <= 2);
    CHECK(r.out.find(c.says) != std::string::npos);
    if (r.status == 1) CHECK(r.out.rfind("txmath: ", 0) == 0);
  }
  CHECK(run("serve --help").status == 0);
  CHECK(run("finetune --help").out.find("--lora-targets") != std::string::npos);
}
