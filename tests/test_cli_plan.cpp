// txmath plan, run as a user runs it: its --json layouts are what the library's search and
// step model give (same count, same figures), fixed flags are kept, a token-counted global
// batch becomes sequences, systems can be listed or read from a file, and bad layouts exit
// non-zero with a message naming the flag and the limit.
#include <doctest/doctest.h>

#ifndef TXMATH_TOOL
#error "tests/test_cli_plan.cpp is built only with the txmath tool (TXMATH_TOOL names it)"
#endif

#include "cli_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <txmath/json.hpp>
#include <txmath/plan.hpp>
#include <txmath/presets.hpp>

namespace {

using txmath_cli_test::quote;
using txmath_cli_test::result;
using txmath_cli_test::run;

txmath::json::value run_json(const std::string& args) { return txmath_cli_test::run_json_of("plan " + args); }

}  // namespace

TEST_CASE("txmath plan --json: the library's search, best first, with every key") {
  const auto j = run_json("llama-3-8b --system dgx-h100 --gpus 64 --seq 8192 --global-batch 256 --top 3");
  const txmath::step_model m(txmath::presets::llama_3_8b, {.seq = 8192, .global_batch = 256});
  const auto r = txmath::plan(m, txmath::systems::dgx_h100, {.gpus = 64, .top = 3});
  CHECK(j.at("evaluated").as_count() == r.evaluated);
  CHECK(j.at("search_seconds").as_double() >= 0);
  const auto layouts = j.at("layouts");
  REQUIRE(layouts.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto l = layouts.at(i);
    const auto& want = r.layouts[i];
    CHECK(l.at("tp").as_count() == want.layout.tp);
    CHECK(l.at("pp").as_count() == want.layout.pp);
    CHECK(l.at("dp").as_count() == want.layout.dp);
    CHECK(l.at("ep").as_count() == want.layout.ep);
    CHECK(l.at("cp").as_count() == want.layout.cp);
    CHECK(l.at("micro_batch").as_count() == want.layout.micro_batch);
    CHECK(l.at("interleave").as_count() == want.layout.interleave);
    CHECK(l.at("zero").as_count() == want.layout.zero);
    CHECK(l.at("recompute").is_string());
    CHECK(l.at("sequence_parallel").as_bool() == want.layout.sequence_parallel);
    CHECK(l.at("flash").as_bool());
    CHECK(l.at("memory_per_gpu_bytes").as_count() == want.estimate.memory_per_gpu.value());
    CHECK(l.at("step_seconds").as_double() == doctest::Approx(want.estimate.step_seconds).epsilon(1e-5));
    CHECK(l.at("mfu").as_double() == doctest::Approx(want.estimate.mfu).epsilon(1e-5));
    CHECK(l.at("tflops_per_gpu").as_double() == doctest::Approx(want.estimate.tflops_per_gpu).epsilon(1e-5));
    // The breakdown adds up to the step.
    double sum = 0;
    for (const auto& [k, v] : l.at("breakdown").members())
      if (v.is_number()) sum += v.as_double();
    CHECK(sum == doctest::Approx(l.at("step_seconds").as_double()).epsilon(1e-5));
    double comm = 0;
    for (const auto& [k, v] : l.at("breakdown").at("communication_by_kind").members()) comm += v.as_double();
    CHECK(comm == doctest::Approx(l.at("breakdown").at("communication").as_double()).epsilon(1e-5));
    if (i > 0) CHECK(layouts.at(i - 1).at("step_seconds").as_double() <= l.at("step_seconds").as_double());
  }
}

TEST_CASE("txmath plan: given flags fix their dimension; all given is one layout") {
  const auto j = run_json("llama-3-8b --system dgx-h100 --gpus 64 --seq 8192 --global-batch 256 --tp 2 "
                          "--recompute selective --sequence-parallel on --top 20");
  for (const auto& l : j.at("layouts").elements()) {
    CHECK(l.at("tp").as_count() == 2);
    CHECK(l.at("recompute").as_string() == "selective");
    CHECK(l.at("sequence_parallel").as_bool());
  }
  const auto one = run_json("llama-3-8b --system dgx-h100 --gpus 64 --seq 8192 --global-batch 256 --tp 2 --pp 2 "
                            "--dp 16 --ep 1 --cp 1 --micro-batch 2 --interleave 2 --recompute none "
                            "--sequence-parallel off --zero 1 --flash on");
  CHECK(one.at("evaluated").as_count() == 1);
  REQUIRE(one.at("layouts").size() == 1);
  const txmath::step_model m(txmath::presets::llama_3_8b, {.seq = 8192, .global_batch = 256});
  const auto e = m.evaluate(txmath::systems::dgx_h100,
                            {.tp = 2, .pp = 2, .dp = 16, .micro_batch = 2, .interleave = 2, .zero = 1});
  CHECK(one.at("layouts").at(0).at("step_seconds").as_double() == doctest::Approx(e.step_seconds).epsilon(1e-5));
  CHECK(one.at("layouts").at(0).at("fits").as_bool());
  // Without FlashAttention the 8,192 x 8,192 scores do not fit: shown, and the exit says so.
  const result unfit = run("plan llama-3-8b --system dgx-h100 --gpus 64 --seq 8192 --global-batch 256 --tp 2 --pp 2 "
                           "--dp 16 --ep 1 --cp 1 --micro-batch 2 --interleave 2 --recompute none "
                           "--sequence-parallel off --zero 1 --flash off --json");
  CHECK(unfit.status == 1);
  CHECK(unfit.out.find("\"fits\": false") != std::string::npos);
  CHECK(unfit.out.find("more than the 72.0 GiB available") != std::string::npos);
}

TEST_CASE("txmath plan: a global batch in tokens; systems by name, list or file") {
  // 16M = 16 x 2^20 tokens = 2,048 sequences of 8,192 (Llama 3's batch).
  const result r = run("plan llama-3.1-405b --system dgx-h100 --gpus 16384 --seq 8192 --global-batch 16M --top 1");
  CAPTURE(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.find("global batch 2,048 sequences (16,777,216 tokens)") != std::string::npos);
  CHECK(run("plan llama-3-8b --system dgx-h100 --gpus 8 --seq 8192 --global-batch 65536T --json").out.find("\"layouts\"") !=
        std::string::npos);
  const result list = run("plan --systems");
  CHECK(list.status == 0);
  for (const char* name : {"dgx-a100", "dgx-h100", "hgx-h200", "gb200-nvl72", "tpu-v5p"})
    CHECK(list.out.find(name) != std::string::npos);
  const auto dir = std::filesystem::temp_directory_path() / ("txmath_test_cli_plan_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "cluster.json";
  std::ofstream(file) << R"({"name": "my-a100", "accelerator": "A100 SXM 80GB", "gpus_per_domain": 8,
                             "intra_domain_gb_per_s": 300, "inter_domain_gb_per_s": 25})";
  const auto a = run_json("gpt3-1.3b --system " + quote(file.string()) + " --gpus 16 --seq 2048 --global-batch 32 --top 1");
  const txmath::step_model m(txmath::presets::gpt3_1_3b, {.seq = 2048, .global_batch = 32});
  const auto want = txmath::plan(m, txmath::systems::dgx_a100, {.gpus = 16, .top = 1});
  CHECK(a.at("layouts").at(0).at("step_seconds").as_double() ==
        doctest::Approx(want.layouts[0].estimate.step_seconds).epsilon(1e-5));
  std::filesystem::remove_all(dir);
  CHECK(run("plan --help").out.find("--global-batch") != std::string::npos);
}

TEST_CASE("txmath plan: bad layouts and flags name the value and the limit") {
  const std::string base = "plan llama-3-8b --system dgx-h100 --seq 8192 --global-batch 256 ";
  struct bad {
    std::string args, message;
  };
  const bad cases[] = {
      {base + "--gpus 48 --tp 3", "txmath: layout: tp = 3 must divide the 32 attention heads"},
      {base + "--gpus 64 --pp 64", "txmath: layout: pp = 64 exceeds the 32 layers"},
      {base + "--gpus 64 --tp 3", "does not factor as tp x pp x cp x dp"},
      {base + "--gpus 64 --tp 8 --pp 4 --cp 1 --dp 4", "their product is 128"},
      {"plan mixtral-8x7b --system dgx-h100 --seq 4096 --global-batch 64 --gpus 48 --ep 3",
       "txmath: layout: ep = 3 must divide the 8 experts"},
      {base + "--gpus 64 --system dgx-z", "unknown system 'dgx-z'"},
      {base + "--gpus 64 --zero 4", "--zero: expected 0, 1, 2 or 3"},
      {base + "--gpus 64 --recompute some", "--recompute: expected none, selective or full"},
      {"plan llama-3-8b --system dgx-h100 --gpus 8 --seq 8192 --global-batch 1000T", "is not a whole number of --seq"},
      {"plan llama-3-8b --system dgx-h100 --seq 8192 --global-batch 64", "--gpus is required"},
      {base + "--gpus 64 --bogus 1", "unknown option '--bogus'"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.args);
    const result r = run(c.args);
    CAPTURE(r.out);
    CHECK(r.status == 1);
    CHECK(r.out.find(c.message) != std::string::npos);
  }
  // Nothing fits: the 405B model on 8 GPUs.
  const result none = run("plan llama-3.1-405b --system dgx-h100 --gpus 8 --seq 8192 --global-batch 64");
  CHECK(none.status == 1);
  CHECK(none.out.find("no layout of 8 GPUs fits") != std::string::npos);
}
