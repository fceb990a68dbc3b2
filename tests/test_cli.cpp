// The txmath tool, run as a user runs it: `txmath report` on config.json files written from
// models.json gives the exact published parameter counts through its --json output; the
// FLOPs it prints agree with seed 001's worked example; bad input exits non-zero with a
// message naming the file and the field.
#include <doctest/doctest.h>

#ifndef TXMATH_TOOL
#error "tests/test_cli.cpp is built only with the txmath tool (TXMATH_TOOL names it)"
#endif

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <txmath/detail/json.hpp>
#include <txmath/presets.hpp>

namespace {

struct result {
  int status = -1;  // the exit code; -1 when the tool did not exit normally (a crash)
  std::string out;  // stdout and stderr together
};

std::string quote(std::string_view s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

result run(const std::string& args) {
  result r;
  const std::string cmd = quote(TXMATH_TOOL) + " " + args + " 2>&1";
  std::FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

txmath::json::value run_json(const std::string& args) {
  const result r = run("report " + args + " --json");
  CAPTURE(args);
  CAPTURE(r.out);
  REQUIRE(r.status == 0);
  return txmath::json::parse(r.out);
}

std::string reference(std::string_view f) { return std::string(TXMATH_REFERENCE_DIR) + "/" + std::string(f); }

std::filesystem::path scratch_dir() {
  auto d = std::filesystem::temp_directory_path() / ("txmath_test_cli_" + std::to_string(::getpid()));
  std::filesystem::create_directories(d);
  return d;
}

}  // namespace

TEST_CASE("txmath report --json: exact parameter counts of every models.json model") {
  const auto models = txmath::json::parse_file(reference("models.json")).at("models");
  for (const auto& m : models.elements()) {
    const std::string name = m.at("name").as_string();
    CAPTURE(name);
    const auto j = run_json(quote(reference("configs/" + name + ".json")));
    CHECK(j.at("params").at("total").as_count() == m.at("exact_params").as_count());
    if (auto a = m.find("active_params"))
      CHECK(j.at("params").at("active").as_count() == a->at("torch_active_incl_embeddings").as_count());
    // The by-component figures add up to the total.
    txmath::count sum = 0;
    for (const auto& [k, v] : j.at("params").at("by_component").members()) sum += v.as_count();
    CHECK(sum == j.at("params").at("total").as_count());
    // The preset of the same name, by name.
    if (txmath::find_preset(name))
      CHECK(run_json(name).at("params").at("total").as_count() == m.at("exact_params").as_count());
  }
}

TEST_CASE("txmath report --json: the keys and figures checked against independent arithmetic") {
  const std::string llama = quote(std::string(TXMATH_SOURCE_DIR) + "/examples/configs/llama-3-8b.json");
  const auto j = run_json(llama + " --seq 4096 --batch 8 --dtype bf16");
  for (const char* key : {"total", "active", "by_component", "non_embedding"}) CHECK(j.at("params").contains(key));
  for (const char* key : {"forward_per_token", "training_per_token", "training_per_run"})
    CHECK(j.at("flops").contains(key));
  for (const char* key : {"weights_bytes", "kv_cache_bytes", "training_state_bytes", "activations_bytes"})
    CHECK(j.at("memory").contains(key));
  // bf16 weights: 2 bytes per parameter (8,030,261,248 parameters).
  CHECK(j.at("memory").at("weights_bytes").as_count() == txmath::count(16'060'522'496));
  // KV cache: K and V (2) x 8 kv heads x 128 x 32 layers x 2 bytes x 4096 tokens x 8 sequences = 4 GiB.
  CHECK(j.at("memory").at("kv_cache_bytes").as_count() == txmath::count(2 * 8 * 128 * 32 * 2) * 4096 * 8);
  // Adam in mixed precision: 16 bytes per parameter.
  CHECK(j.at("memory").at("training_state_bytes").as_count() == txmath::count(16) * 8'030'261'248);
  // Training = forward + backward (2 x forward) for matmul FLOPs.
  CHECK(j.at("flops").at("training_per_token").as_count() == txmath::count(3) * j.at("flops").at("forward_per_token").as_count());
  // Time: FLOPs / (GPUs x peak x MFU), with H100 SXM bf16 989.4 TFLOP/s (dense).
  const auto run_flops = j.at("flops").at("training_per_run").as_double();
  CHECK(j.at("time").at("training_seconds").as_double() == doctest::Approx(run_flops / (1024 * 989.4e12 * 0.4)));
  CHECK(j.at("time").at("cost_usd").as_double() ==
        doctest::Approx(j.at("time").at("training_seconds").as_double() / 3600 * 1024 * 2.0));
  // 20 tokens per parameter by default; --tokens overrides.
  CHECK(j.at("settings").at("tokens").as_count() == txmath::count(20) * 8'030'261'248);
  CHECK(run_json(llama + " --tokens 15T").at("settings").at("tokens").as_count() == txmath::count(15'000'000'000'000));
  CHECK(run_json(llama + " --tokens 1.5e12").at("settings").at("tokens").as_count() == txmath::count(1'500'000'000'000));
}

TEST_CASE("txmath report: seed 001's GPT-2 XL forward FLOPs") {
  // Seed 001 (b): GPT-2 XL shape with a SwiGLU FFN, untied, 1,024 tokens: 4.513e12 forward
  // FLOPs = 48 blocks x (attention projections 8 T D^2, QK^T and AV 4 T^2 D, FFN 6 T D F)
  // + LM head 2 T D V.
  const auto j = run_json("gpt2-xl-swiglu-untied --seq 1024 --batch 1");
  const txmath::count T = 1024, D = 1600, F = 6400, V = 50257;
  const txmath::count expected = txmath::count(48) * (8 * T * D * D + 4 * T * T * D + 6 * T * D * F) + 2 * T * D * V;
  CHECK(expected == txmath::count(4'513'336'524'800));
  CHECK(j.at("flops").at("forward_per_step").as_count() == expected);
}

TEST_CASE("txmath report --csv and the table") {
  const auto csv = run("report gpt2 --csv");
  CHECK(csv.status == 0);
  CHECK(csv.out.rfind("key,value\n", 0) == 0);
  CHECK(csv.out.find("\nparams.total,124439808\n") != std::string::npos);
  CHECK(csv.out.find("\nparams.by_component.embedding,38597376\n") != std::string::npos);
  const auto table = run("report " + quote(std::string(TXMATH_SOURCE_DIR) + "/examples/configs/llama-3-8b.json"));
  CHECK(table.status == 0);
  CHECK(table.out.find("8,030,261,248") != std::string::npos);
  CHECK(table.out.find("KV cache") != std::string::npos);
  const auto help = run("report --help");
  CHECK(help.status == 0);
  CHECK(help.out.find("--tokens N") != std::string::npos);
}

TEST_CASE("txmath report: bad input exits non-zero with a message, never a crash") {
  const auto dir = scratch_dir();
  struct bad {
    const char* file_text;  // nullptr: no file, the arguments alone
    const char* args;
    const char* expected;
  };
  const bad cases[] = {
      {R"({"model_type":"bert","vocab_size":30522})", "", "model_type: unsupported model type \"bert\""},
      {R"({"model_type":"llama","vocab_size":32000,"hidden_size":4096,"num_hidden_layers":0})", "",
       "num_hidden_layers: must be at least 1, found 0"},
      {R"({"model_type":"llama","vocab_size":32000,"hidden_size":4096,"num_hidden_layers":32,)"
       R"("num_attention_heads":32,"num_key_value_heads":5,"intermediate_size":11008})", "",
       "num_key_value_heads: 5 does not divide num_attention_heads = 32"},
      {R"({"model_type":"llama","vocab_size":32000,"hidden_size":4096,)", "", "found end of input"},
      {R"({"model_type":"llama","vocab_size":32000,"hidden_size":"4096"})", "", "hidden_size: expected a positive integer"},
      // Sizes at the loader's limits: accepted, but the default 20 tokens per parameter
      // overflows 128 bits; the message says what to lower.
      {R"({"model_type":"mixtral","vocab_size":16777216,"hidden_size":1048576,"num_hidden_layers":65536,)"
       R"("num_attention_heads":65536,"intermediate_size":1048576,"num_local_experts":65536,)"
       R"("num_experts_per_tok":65536})", "", "exceeds 2^128; lower --tokens"},
      {nullptr, "no-such-model", "'no-such-model' is neither a preset nor a config.json file"},
      {nullptr, "gpt2 --seq abc", "--seq: expected a positive integer"},
      {nullptr, "gpt2 --mfu 1.5", "--mfu: must be in (0, 1]"},
      {nullptr, "gpt2 --gpu v100", "--gpu: unknown accelerator 'v100'"},
      {nullptr, "gpt2 --dtype fp7", "--dtype: unknown dtype 'fp7'"},
      {nullptr, "gpt2 --tokens 1.5", "--tokens: expected a positive whole number"},
      {nullptr, "gpt2 --frobnicate", "unknown option '--frobnicate'"},
      {nullptr, "gpt2 --seq", "--seq needs a value"},
      {nullptr, "/nonexistent/config.json", "cannot open /nonexistent/config.json"},
  };
  int k = 0;
  for (const auto& c : cases) {
    std::string args = c.args;
    std::string file;
    if (c.file_text) {
      file = (dir / ("bad" + std::to_string(k++) + ".json")).string();
      std::ofstream(file) << c.file_text;
      args = quote(file) + " " + args;
    }
    const result r = run("report " + args);
    CAPTURE(args);
    CAPTURE(r.out);
    CHECK(r.status == 1);
    CHECK(r.out.rfind("txmath: ", 0) == 0);
    CHECK(r.out.find(c.expected) != std::string::npos);
    if (c.file_text && std::string_view(c.expected).find("2^128") == std::string_view::npos)
      CHECK(r.out.find("txmath: " + file + ":") == 0);  // names the file
  }
  CHECK(run("report").status == 2);  // no model: usage
  CHECK(run("frobnicate").status == 2);
  std::filesystem::remove_all(dir);
}

TEST_CASE("txmath plot context: seed 001 (e), GPT-2 XL from 1,024 to 16,384 tokens") {
  const auto dir = scratch_dir();
  const std::string svg = (dir / "context.svg").string();
  const result r = run("plot context --model gpt2-xl-swiglu-untied --from 1024 --to 16384 --json --out " + quote(svg));
  CAPTURE(r.out);
  REQUIRE(r.status == 0);
  const auto j = txmath::json::parse(r.out);
  const auto rows = j.at("rows");
  REQUIRE(rows.size() == 5);  // 1k, 2k, 4k, 8k, 16k
  const auto first = rows.at(0), last = rows.at(4);
  CHECK(first.at("seq").as_count() == txmath::count(1024));
  CHECK(last.at("seq").as_count() == txmath::count(16384));
  // The seed: 4.51 TFLOPs -> 149.5 TFLOPs; QK^T and AV from about 7% to about 55%. (Its
  // "x 33.2" is a slip: 149.5 / 4.513 = 33.13.)
  CHECK(first.at("forward_flops").as_double() == doctest::Approx(4.513e12).epsilon(0.001));
  CHECK(last.at("forward_flops").as_double() == doctest::Approx(149.5e12).epsilon(0.001));
  CHECK(last.at("forward_flops").as_double() / first.at("forward_flops").as_double() == doctest::Approx(149.5 / 4.513).epsilon(0.001));
  CHECK(first.at("attention_core").as_double() == doctest::Approx(0.07).epsilon(0.03));
  CHECK(last.at("attention_core").as_double() == doctest::Approx(0.55).epsilon(0.005));
  // The shares of each row add up to 1.
  for (const auto& row : rows.elements())
    CHECK(row.at("attention_core").as_double() + row.at("attention_projections").as_double() +
              row.at("ffn").as_double() + row.at("head").as_double() ==
          doctest::Approx(1.0));
  // The SVG file.
  std::ifstream in(svg);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("<svg") != std::string::npos);
  CHECK(text.find("attention QK^T, AV") != std::string::npos);
  CHECK(run("plot context").status == 1);  // --model is required
  CHECK(run("plot nothing --model gpt2").status == 2);
  std::filesystem::remove_all(dir);
}

