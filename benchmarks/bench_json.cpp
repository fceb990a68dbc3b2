// The JSON reader (json.hpp) and the decimal reader (core/decimal.hpp): a Hugging Face
// config.json (Llama 3 8B's, 26 members) parsed and read as the config loader does; a
// synthetic 1 MiB-class document (4,096 objects of keys, integers, decimals, escaped and
// non-ASCII strings, nested arrays) parsed and walked; and decimal_to_double on a config
// file's numbers and on 17-digit ones. Throughput is in bytes (parsing) or numbers per second.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <txmath/core/decimal.hpp>
#include <txmath/json.hpp>

namespace {

// examples/configs/llama-3-8b.json, verbatim.
constexpr std::string_view llama_3_8b = R"({
  "architectures": [
    "LlamaForCausalLM"
  ],
  "attention_bias": false,
  "attention_dropout": 0.0,
  "bos_token_id": 128000,
  "eos_token_id": 128001,
  "hidden_act": "silu",
  "hidden_size": 4096,
  "initializer_range": 0.02,
  "intermediate_size": 14336,
  "max_position_embeddings": 8192,
  "model_type": "llama",
  "num_attention_heads": 32,
  "num_hidden_layers": 32,
  "num_key_value_heads": 8,
  "pretraining_tp": 1,
  "rms_norm_eps": 1e-05,
  "rope_scaling": null,
  "rope_theta": 500000.0,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.40.0.dev0",
  "use_cache": true,
  "vocab_size": 128256
}
)";

// A deterministic document of `n` records, each with every kind of value.
std::string synthetic(std::size_t n) {
  std::string s = "{\"records\": [\n";
  for (std::size_t i = 0; i < n; ++i) {
    const std::string k = std::to_string(i);
    s += "  {\"id\": " + k + ", \"name\": \"layer_" + k + "\\t\\u00e9\\\"q\\\"\", \"scale\": " + k +
         ".0625e-3, \"sizes\": [" + k + ", 4096, 14336, 1.5e2], \"tags\": {\"moe\": " +
         (i % 2 == 0 ? "true" : "false") + ", \"window\": null, \"text\": \"gr\xC3\xBC\xC3\x9F \xE6\x97\xA5\"}}";
    s += i + 1 < n ? ",\n" : "\n";
  }
  return s + "]}\n";
}

void config_json(benchmark::State& state) {
  std::uint64_t sum = 0;
  for (auto _ : state) {
    const auto v = txmath::json::parse(llama_3_8b, {.source = "config.json"});
    sum += v.at("hidden_size").as_uint64() + v.at("num_hidden_layers").as_uint64() + v.at("vocab_size").as_uint64();
    benchmark::DoNotOptimize(v.at("rms_norm_eps").as_double());
  }
  benchmark::DoNotOptimize(sum);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * llama_3_8b.size()));
}

void large_document(benchmark::State& state) {
  const std::string text = synthetic(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    const auto v = txmath::json::parse(text);
    std::uint64_t ids = 0;
    for (const txmath::json::value r : v.at("records").elements()) ids += r.at("id").as_uint64();
    benchmark::DoNotOptimize(ids);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.counters["bytes"] = static_cast<double>(text.size());
}

void decimal(benchmark::State& state, std::initializer_list<std::string_view> numbers) {
  double sum = 0;
  for (auto _ : state)
    for (const std::string_view t : numbers) {
      benchmark::DoNotOptimize(t.data());
      sum += txmath::decimal_to_double(t).value;
    }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * numbers.size()));
}

}  // namespace

BENCHMARK(config_json);
BENCHMARK(large_document)->Arg(4096)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decimal, config_numbers, {"0.02", "1e-05", "500000.0", "0.0", "1e-06", "10000.0"});
BENCHMARK_CAPTURE(decimal, digits_17, {"0.30000000000000004", "2.2250738585072014e-308", "1.7976931348623157e308",
                                       "6.0221407599999999e23", "4.9406564584124654e-324"});
