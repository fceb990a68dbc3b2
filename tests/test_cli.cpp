// The txmath tool, run as a user runs it: `txmath report` on config.json files written from
// models.json gives the exact published parameter counts through its --json output; the
// FLOPs it prints agree with seed 001's worked example; bad input exits non-zero with a
// message naming the file and the field.
#include <doctest/doctest.h>

#ifndef TXMATH_TOOL
#error "tests/test_cli.cpp is built only with the txmath tool (TXMATH_TOOL names it)"
#endif

#include "cli_support.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <txmath/json.hpp>
#include <txmath/presets.hpp>
#include <txmath/version.hpp>

namespace {

using txmath_cli_test::quote;
using txmath_cli_test::result;
using txmath_cli_test::run;

txmath::json::value run_json(const std::string& args) { return txmath_cli_test::run_json_of("report " + args); }

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


// ---- issue 14: a report a practitioner can trust ------------------------------------------------

namespace {
constexpr std::uint64_t GiB = std::uint64_t{1} << 30, MiB = std::uint64_t{1} << 20;
std::string llama_config() { return quote(std::string(TXMATH_SOURCE_DIR) + "/examples/configs/llama-3-8b.json"); }
// The one CSV row of `key`, its value field as written.
std::string csv_value(const std::string& csv, const std::string& key) {
  const auto at = csv.find("\n" + key + ",");
  if (at == std::string::npos) return "<no row " + key + ">";
  const auto start = at + key.size() + 2;
  return csv.substr(start, csv.find('\n', start) - start);
}
}  // namespace

TEST_CASE("txmath report: inputs are read with a stated size limit") {
  // /dev/zero never ends and /dev/urandom neither: the read stops at 16 MiB with an error.
  for (const char* dev : {"/dev/zero", "/dev/urandom"}) {
    const result r = run(std::string("report ") + dev);
    CAPTURE(r.out);
    CHECK(r.status == 1);
    CHECK(r.out.find(std::string("txmath: ") + dev + ": larger than 16 MiB, txmath's limit for a config.json") == 0);
  }
  // A regular file one byte over the limit, and one under it (then a JSON error, not a size one).
  const auto dir = scratch_dir();
  const std::string big = (dir / "big.json").string();
  {
    std::ofstream f(big);
    f << "{" << std::string((16u << 20) - 1, ' ') << "}";  // 16 MiB + 1 bytes
  }
  CHECK(run("report " + quote(big)).out.find("larger than 16 MiB") != std::string::npos);
  std::filesystem::resize_file(big, 16u << 20);
  const result under = run("report " + quote(big));
  CHECK(under.status == 1);
  CHECK(under.out.find("larger than") == std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("txmath report: no inf or NaN reaches the output; the error names the flag and value") {
  struct bad {
    const char* args;
    const char* expected;
  };
  const bad cases[] = {
      // mfu 5e-324 is in (0, 1], but the time it gives is beyond a double.
      {"gpt2 --mfu 5e-324", "training time in seconds is inf"},
      {"gpt2 --mfu 5e-324", "with --mfu 5e-324"},
      // $1e308 x 5,802 GPU-hours.
      {"llama-3-8b --price 1e308", "the run's cost is inf"},
      {"llama-3-8b --price 1e308", "with --price 1e308"},
      {"gpt2 --price nan", "--price: expected a finite number"},
      {"gpt2 --price inf", "--price: expected a finite number"},
      {"gpt2 --price -1", "--price: must be 0 or more"},
      {"gpt2 --mfu nan", "--mfu: expected a finite number"},
      {"gpt2 --mfu 0", "--mfu: must be in (0, 1]"},
      // Limits stated in the message.
      {"gpt2 --tokens 1e40", "--tokens: expected a positive whole number up to 1e30"},
      {"gpt2 --tokens 1000000000000000000000000000001", "up to 1e30"},
      {"gpt2 --seq 2000000000000", "--seq: expected a positive integer up to 2^40"},
      {"gpt2 --gpus 0", "--gpus: expected a positive integer up to 2^40"},
      {"gpt2 --flash maybe", "--flash: expected on or off, found 'maybe'"},
      {"gpt2 --kv-dtype fp7", "--kv-dtype: unknown dtype 'fp7'"},
      {"gpt2 --weights-dtype q4", "--weights-dtype: unknown dtype 'q4'"},
      {"gpt2 --compute-dtype x", "--compute-dtype: unknown dtype 'x'"},
  };
  for (const auto& c : cases) {
    const result r = run(std::string("report ") + c.args);
    CAPTURE(c.args);
    CAPTURE(r.out);
    CHECK(r.status == 1);
    CHECK(r.out.rfind("txmath: ", 0) == 0);
    CHECK(r.out.find(c.expected) != std::string::npos);
    CHECK(r.out.find("$inf") == std::string::npos);
  }
  // 1e30 itself passes the flag's check (the limit is inclusive); GPT-2's run FLOPs then
  // exceed 128 bits, which is said with what to lower.
  const result at_limit = run("report gpt2 --tokens 1e30");
  CHECK(at_limit.status == 1);
  CHECK(at_limit.out.find("exceeds 2^128; lower --tokens") != std::string::npos);
  CHECK(run_json("gpt2 --tokens 1e20").at("settings").at("tokens_exact").as_string() ==
        std::string("1") + std::string(20, '0'));
}

TEST_CASE("txmath report --json and plot --json: names with quotes, backslashes and control characters") {
  const auto dir = scratch_dir();
  const std::string file = (dir / "odd.json").string();
  // _name_or_path holds a quote, a backslash, a comma, a tab and a newline (JSON escapes).
  const std::string name = "my \"model\", v2\\b\tx\ny";
  std::ofstream(file) << R"({"_name_or_path": "my \"model\", v2\\b\tx\ny", "model_type": "gpt2",)"
                      << R"("vocab_size": 50257, "n_embd": 768, "n_layer": 12, "n_head": 12, "n_positions": 1024})";
  const auto j = run_json(quote(file));
  CHECK(j.at("model").at("name").as_string() == name);
  const result p = run("plot context --model " + quote(file) + " --json --out " + quote((dir / "p.svg").string()));
  REQUIRE(p.status == 0);
  CHECK(txmath::json::parse(p.out).at("model").as_string() == name);
  // CSV: the field is quoted, its quotes doubled, nothing JSON-escaped (RFC 4180).
  const result c = run("report " + quote(file) + " --csv");
  REQUIRE(c.status == 0);
  CHECK(c.out.find("\nmodel.name,\"my \"\"model\"\", v2\\b\tx\ny\"\n") != std::string::npos);
  // A file name that is not UTF-8 (byte 0xFF) names the model: JSON gets U+FFFD for it.
  const std::string latin = (dir / "caf\xff.json").string();
  std::ofstream(latin) << R"({"model_type": "gpt2", "vocab_size": 50257, "n_embd": 768, "n_layer": 12,)"
                       << R"("n_head": 12, "n_positions": 1024})";
  CHECK(run_json(quote(latin)).at("model").at("name").as_string() == "caf\xEF\xBF\xBD");
  std::filesystem::remove_all(dir);
}

TEST_CASE("txmath report: shortest decimals, and exact integers beyond 2^53 as strings too") {
  const result c = run("report gpt2 --csv --mfu 0.4 --price 2.5");
  REQUIRE(c.status == 0);
  CHECK(csv_value(c.out, "settings.mfu") == "0.4");  // not 0.40000000000000002
  CHECK(csv_value(c.out, "settings.price_per_gpu_hour") == "2.5");
  const result j = run("report " + llama_config() + " --json");
  REQUIRE(j.status == 0);
  CHECK(j.out.find("\"mfu\": 0.4,") != std::string::npos);
  const auto doc = txmath::json::parse(j.out);
  // Llama-3-8B's run: 161 B tokens -> 8.27e21 FLOPs, beyond 2^53: a number and its string.
  const auto flops = doc.at("flops");
  const txmath::count run_flops = flops.at("training_per_run").as_count();
  CHECK(run_flops > txmath::count(std::uint64_t{1} << 53));
  CHECK(flops.at("training_per_run_exact").as_string() == run_flops.to_string());
  // 6ND = 6 x 8,030,261,248 x 160,605,224,960 (20 tokens a parameter), by hand.
  CHECK(flops.at("six_n_d_exact").as_string() ==
        (txmath::count(6) * 8'030'261'248 * (txmath::count(20) * 8'030'261'248)).to_string());
  // Figures below 2^53 have no string twin.
  CHECK(!doc.at("params").contains("total_exact"));
  // CSV has the exact digits once (no _exact rows).
  CHECK(run("report " + llama_config() + " --csv").out.find("_exact") == std::string::npos);
}

TEST_CASE("txmath report: inference states fit per GPU and the smallest TP degree that fits") {
  // Llama-3.1-405B in fp8 on H200: 405,853,388,800 bytes (378 GiB) of weights; TP 2 holds
  // 189 GiB a GPU > 141; TP 4 holds 94.5 GiB + a quarter of the 7.875 GiB fp8 cache.
  const auto big = run_json("llama-3.1-405b --dtype fp8 --gpu h200");
  CHECK(big.at("inference").at("fits_one_gpu").as_bool() == false);
  CHECK(big.at("inference").at("min_tp_that_fits").as_count() == txmath::count(4));
  const auto table = run("report llama-3.1-405b --dtype fp8 --gpu h200");
  CHECK(table.out.find("-bound, one GPU") == std::string::npos);  // no "prefill ... (compute-bound, one GPU)"
  CHECK(table.out.find("does not fit one GPU; fits with tensor parallelism 4") != std::string::npos);
  CHECK(table.out.find("TP 4 (4 GPUs)") != std::string::npos);
  // Mixtral-8x7B, bf16: 2 x 46,702,792,704 bytes = 87 GiB > 80 GiB of an H100: TP 2.
  const auto mixtral = run_json(quote(reference("configs/mixtral-8x7b.json")));
  CHECK(mixtral.at("inference").at("fits_one_gpu").as_bool() == false);
  CHECK(mixtral.at("inference").at("min_tp_that_fits").as_count() == txmath::count(2));
  // Llama-3-8B fits one H100; tokens per second = tokens of the step / its time.
  const auto small = run_json(llama_config());
  const auto inf = small.at("inference");
  CHECK(inf.at("fits_one_gpu").as_bool());
  CHECK(inf.at("min_tp_that_fits").as_count() == txmath::count(1));
  CHECK(inf.at("prefill").at("tokens_per_second").as_double() ==
        doctest::Approx(8 * 4096 / inf.at("prefill").at("seconds").as_double()));
  CHECK(inf.at("decode").at("tokens_per_second").as_double() ==
        doctest::Approx(8 / inf.at("decode").at("seconds").as_double()));
  // No degree up to 64 holds 405B on 24 GiB cards at 8 x 128k in bf16: the KV cache is
  // 2 x 8 x 128 x 126 x 2 bytes x 131072 x 8 = 1,008 GiB and splits over at most the 8 KV
  // heads (126 GiB a rank): null, and no times.
  const auto none = run_json("llama-3.1-405b --gpu rtx4090 --seq 128k");
  CHECK(none.at("inference").at("min_tp_that_fits").is_null());
  CHECK(none.at("inference").at("decode").is_null());
  CHECK(run("report llama-3.1-405b --gpu rtx4090 --seq 128k").out.find("no prefill or decode time") != std::string::npos);
}

TEST_CASE("txmath report: decode reads only the gathered rows of the untied input embedding") {
  // Llama-3-8B, batch 8, bf16: every weight once but the 128256 x 4096 input table, of which
  // 8 rows; plus the 4 GiB KV cache.
  const auto inf = run_json(llama_config()).at("inference");
  const txmath::count read = txmath::count(2) * (txmath::count(8'030'261'248) - 128256 * 4096 + 8 * 4096);
  CHECK(inf.at("decode").at("bytes_per_gpu").as_count() == read + (txmath::count(4) * GiB));
  CHECK(inf.at("decode").at("seconds").as_double() == doctest::Approx((read + (txmath::count(4) * GiB)).to_double() / 3.35e12));
}

TEST_CASE("txmath report: --flash on|off, said in the output") {
  // Derived activations of Llama-3-8B at 8 x 4096 (test_activation_memory.cpp's hand
  // derivation, test_report.cpp's sums): with FlashAttention 8 x (32 layers x 570,949,632 +
  // 32,768 token ids + 67,108,864 head inputs + 2,101,346,304 fp32 logits) = 163,511,009,280 B;
  // without it each layer keeps 32 x 4096^2 x 2 bytes of probabilities instead of the
  // 4096 x 128-byte logsumexp: + 8 x 32 x (2,147,483,648 / 2 - 524,288) = 438,254,698,496 B.
  const auto on = run_json(llama_config());
  CHECK(on.at("settings").at("flash_attention").as_bool());
  CHECK(on.at("memory").at("activations_bytes").as_count() == txmath::count(163'511'009'280));
  const auto off = run_json(llama_config() + " --flash off");
  CHECK(!off.at("settings").at("flash_attention").as_bool());
  CHECK(off.at("memory").at("activations_bytes").as_count() ==
        txmath::count(163'511'009'280) + txmath::count(8 * 32) * (1'073'741'824 - 524'288));
  CHECK(off.at("memory").at("activations_bytes").as_count() == txmath::count(438'254'698'496));
  const result table = run("report " + llama_config());
  CHECK(table.out.find("activations (8 x 4096, flash on)") != std::string::npos);
  CHECK(table.out.find("note: FlashAttention assumed") != std::string::npos);
  CHECK(run("report " + llama_config() + " --flash off").out.find("flash off") != std::string::npos);
}

TEST_CASE("txmath report: --weights-dtype, --kv-dtype, --compute-dtype, and --dtype for all three") {
  const std::uint64_t n = 8'030'261'248;
  const auto split = run_json(llama_config() + " --weights-dtype int4 --kv-dtype fp8 --compute-dtype fp8");
  CHECK(split.at("memory").at("weights_bytes").as_count() == txmath::count(n / 2));  // 4 bits a weight
  CHECK(split.at("memory").at("kv_cache_bytes").as_count() == txmath::count(2) * GiB);  // 1 byte: half of 4 GiB
  CHECK(split.at("time").at("peak_flop_per_s").as_double() == doctest::Approx(1978.9e12));  // H100 fp8 dense
  CHECK(split.at("settings").at("weights_dtype").as_string() == "int4");
  const auto all = run_json(llama_config() + " --dtype fp8");
  CHECK(all.at("settings").at("weights_dtype").as_string() == "fp8");
  CHECK(all.at("settings").at("kv_dtype").as_string() == "fp8");
  CHECK(all.at("settings").at("compute_dtype").as_string() == "fp8");
  // A specific flag wins over --dtype, in either order.
  for (const char* args : {" --dtype fp8 --kv-dtype bf16", " --kv-dtype bf16 --dtype fp8"}) {
    const auto j = run_json(llama_config() + args);
    CHECK(j.at("settings").at("kv_dtype").as_string() == "bf16");
    CHECK(j.at("memory").at("weights_bytes").as_count() == txmath::count(n));
  }
}

TEST_CASE("txmath report: Mistral-7B's sliding window is stated where it changes the KV cache") {
  // 128 KiB a token (2 x 8 x 128 x 32 layers x 2 bytes) x the 4,096-token window = 512 MiB;
  // every token of 32k kept would be 4 GiB.
  const result r = run("report mistral-7b --seq 32k --batch 1");
  CAPTURE(r.out);
  CHECK(r.out.find("512 MiB   (128 KiB per token; sliding window 4096 on 32 of 32 layers, 4.00 GiB without)") !=
        std::string::npos);
  CHECK(r.out.find("note: sliding window: 32 of 32 layers") != std::string::npos);
  const auto j = run_json("mistral-7b --seq 32k --batch 1");
  CHECK(j.at("memory").at("kv_cache_bytes").as_count() == txmath::count(512) * MiB);
  CHECK(j.at("memory").at("kv_cache_bytes_without_windows").as_count() == txmath::count(4) * GiB);
  CHECK(j.at("model").at("sliding_window").as_count() == txmath::count(4096));
}

TEST_CASE("txmath: every subcommand answers --help, and --version prints the version") {
  for (const char* cmd : {"einsum", "path", "report", "plot"}) {
    for (const char* flag : {"--help", "-h"}) {
      const result r = run(std::string(cmd) + " " + flag);
      CAPTURE(cmd);
      CHECK(r.status == 0);
      CHECK(r.out.rfind("usage: txmath " + std::string(cmd), 0) == 0);
    }
  }
  CHECK(run("path \"ij,jk->ik\" i=2 --help").status == 0);  // anywhere on the line
  CHECK(run("--help").status == 0);
  const result v = run("--version");
  CHECK(v.status == 0);
  CHECK(v.out == std::string("txmath ") + TXMATH_VERSION_STRING + "\n");
}

TEST_CASE("txmath path: a refused --optimize is answered with flag values, not C++ names") {
  // 24 operands a_b, b_c, ... x_y -> a_y: beyond the 20 operands the exact search takes.
  std::string spec, sizes;
  const std::string letters = "abcdefghijklmnopqrstuvwxyz";
  // (appended piece by piece: GCC 12 -O3 warns falsely on const char* + std::string here)
  for (std::size_t i = 0; i < 24; ++i) {
    if (i != 0) spec += ',';
    spec.append(letters, i, 2);
  }
  for (std::size_t i = 0; i < 25; ++i) {
    sizes += ' ';
    sizes += letters[i];
    sizes += "=2";
  }
  const result r = run("path " + quote(spec + "->ay") + sizes + " --optimize optimal");
  CAPTURE(r.out);
  CHECK(r.status == 1);
  CHECK(r.out.find("24 operands") != std::string::npos);
  CHECK(r.out.find("--optimize dp") != std::string::npos);
  CHECK(r.out.find("path_optimizer::") == std::string::npos);
}

TEST_CASE("txmath plot context --csv and --json share the writers") {
  const auto dir = scratch_dir();
  const std::string svg = quote((dir / "c.svg").string());
  const result c = run("plot context --model gpt2-xl-swiglu-untied --from 1024 --to 2048 --csv --out " + svg);
  REQUIRE(c.status == 0);
  CHECK(c.out.rfind("key,value\n", 0) == 0);
  // Seed 001 (b): 4,513,336,524,800 forward FLOPs at 1,024 tokens, exact.
  CHECK(csv_value(c.out, "rows.0.forward_flops") == "4513336524800");
  CHECK(csv_value(c.out, "rows.0.seq") == "1024");
  std::filesystem::remove_all(dir);
}

TEST_CASE("txmath report --system with layout flags: the same figures as txmath plan for that layout") {
  // Two front ends, one step model: report's layout.* against plan's one fixed layout.
  const std::string layout =
      " --system dgx-h100 --seq 4096 --tp 2 --pp 2 --dp 2 --micro-batch 1 --interleave 2 --recompute selective"
      " --sequence-parallel on --zero 1";
  const auto rep = run_json("llama-3-8b --batch 16" + layout).at("layout");
  const result p = run("plan llama-3-8b --gpus 8 --global-batch 16 --ep 1 --cp 1 --json" + layout);
  CAPTURE(p.out);
  REQUIRE(p.status == 0);
  const auto plan = txmath::json::parse(p.out).at("layouts").at(0);
  CHECK(rep.at("gpus").as_count() == 8);
  CHECK(rep.at("micro_batches").as_count() == 8);  // 16 sequences / (dp 2 x micro-batch 1)
  CHECK(rep.at("recompute").as_string() == "selective");
  CHECK(rep.at("sequence_parallel").as_bool());
  CHECK(rep.at("memory_per_gpu_bytes").as_count() == plan.at("memory_per_gpu_bytes").as_count());
  CHECK(rep.at("activations_per_gpu_bytes").as_count() == plan.at("activations_per_gpu_bytes").as_count());
  CHECK(rep.at("state_per_gpu_bytes").as_count() == plan.at("state_per_gpu_bytes").as_count());
  // plan prints 6 significant digits.
  CHECK(rep.at("step_seconds").as_double() == doctest::Approx(plan.at("step_seconds").as_double()).epsilon(1e-5));
  CHECK(rep.at("mfu").as_double() == doctest::Approx(plan.at("mfu").as_double()).epsilon(1e-5));
  CHECK(rep.at("tflops_per_gpu").as_double() == doctest::Approx(plan.at("tflops_per_gpu").as_double()).epsilon(1e-5));
  CHECK(rep.at("breakdown").at("bubble").as_double() ==
        doctest::Approx(plan.at("breakdown").at("bubble").as_double()).epsilon(1e-5));
}

TEST_CASE("txmath report --system: one GPU, hand-checked memory, MFU and breakdown identities") {
  // Llama-3-8B, 8 x 4096 in one micro-batch on one H100: the layout's activations are the
  // report's one-GPU account, 163,511,009,280 B (test_report.cpp's derivation), and the state
  // the ZeRO paper's 16 bytes a parameter: 16 x 8,030,261,248 = 128,484,179,968 B. Sum:
  // 291,995,189,248 B, more than the 80 GiB (85,899,345,920 B) of an H100: said in a note.
  const auto j = run_json(llama_config() + " --system dgx-h100 --micro-batch 8");
  const auto l = j.at("layout");
  CHECK(l.at("gpus").as_count() == 1);
  CHECK(l.at("micro_batches").as_count() == 1);
  CHECK(l.at("activations_per_gpu_bytes").as_count() == txmath::count(163'511'009'280));
  CHECK(l.at("activations_per_gpu_bytes").as_count() == j.at("memory").at("activations_bytes").as_count());
  CHECK(l.at("state_per_gpu_bytes").as_count() == txmath::count(128'484'179'968));
  CHECK(l.at("memory_per_gpu_bytes").as_count() == txmath::count(291'995'189'248));
  CHECK(l.at("gpu_memory_bytes").as_count() == txmath::count(85'899'345'920));
  CHECK(!l.at("fits").as_bool());
  // The parts add up to the step; MFU = the step's model FLOPs / (step time x 1 GPU x H100's
  // dense bf16 peak, 989.4 TFLOP/s).
  const auto b = l.at("breakdown");
  const double step = l.at("step_seconds").as_double();
  CHECK(b.at("compute").as_double() + b.at("recompute").as_double() + b.at("communication").as_double() +
            b.at("bubble").as_double() + b.at("optimizer").as_double() ==
        doctest::Approx(step));
  CHECK(b.at("communication").as_double() == 0);  // one GPU: nothing to exchange
  CHECK(b.at("bubble").as_double() == 0);
  const double model_flops = j.at("flops").at("training_per_step").as_count().to_double();
  CHECK(l.at("mfu").as_double() == doctest::Approx(model_flops / (step * 989.4e12)));
  const result table = run("report " + llama_config() + " --system dgx-h100 --micro-batch 8");
  CHECK(table.out.find("Layout (dgx-h100: 1 x H100 SXM") != std::string::npos);
  CHECK(table.out.find("memory per GPU") != std::string::npos);
  CHECK(table.out.find("note: layout: 272 GiB per GPU") != std::string::npos);
  // Without --system the report has no layout keys (its JSON is unchanged).
  CHECK(run("report " + llama_config() + " --json").out.find("\"layout\"") == std::string::npos);
}

TEST_CASE("txmath report: the layout flags are validated as plan validates them") {
  const std::pair<const char*, const char*> cases[] = {
      {"llama-3-8b --tp 2", "the layout flags (--tp, --pp"},
      {"llama-3-8b --tp 2", "need --system NAME"},
      {"llama-3-8b --system dgx-h100 --recompute some", "--recompute: expected none, selective or full, found 'some'"},
      {"llama-3-8b --system dgx-h100 --zero 4", "--zero: expected 0, 1, 2 or 3, found '4'"},
      {"llama-3-8b --system dgx-h100 --sequence-parallel yes", "--sequence-parallel: expected on or off, found 'yes'"},
      {"llama-3-8b --system dgx-h100 --tp 0", "--tp: expected a positive integer"},
      {"llama-3-8b --system dgx-h100 --tp 3", "tp = 3 must divide the 32 attention heads"},
      {"llama-3-8b --system dgx-h100 --pp 33", "pp = 33 exceeds the 32 layers"},
      {"llama-3-8b --system nowhere", "unknown system 'nowhere'"},
      {"llama-3-8b --system dgx-h100 --dp 3", "global batch 8 is not a multiple of dp x micro-batch = 3"},
  };
  for (const auto& [args, words] : cases) {
    const result r = run(std::string("report ") + args);
    CAPTURE(args);
    CAPTURE(r.out);
    CHECK(r.status != 0);
    CHECK(r.out.find("txmath:") != std::string::npos);
    CHECK(r.out.find(words) != std::string::npos);
  }
  // The same values refused by plan, in the same words.
  const result p = run("plan llama-3-8b --system dgx-h100 --gpus 8 --seq 4096 --global-batch 8 --recompute some");
  CHECK(p.out.find("--recompute: expected none, selective or full, found 'some'") != std::string::npos);
  // --flash off reaches the layout, and the report says FlashAttention is off.
  const auto off = run_json("llama-3-8b --system dgx-h100 --tp 8 --flash off");
  CHECK(!off.at("layout").at("flash").as_bool());
  bool said = false;
  const auto notes = off.at("notes");
  for (std::size_t i = 0; i < notes.size(); ++i) said = said || notes.at(i).as_string().find("FlashAttention off") == 0;
  CHECK(said);
}
