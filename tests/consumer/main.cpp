// A project that uses txmath (installed, as a subdirectory, or fetched), built with strict
// warnings: -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Werror.
#include <txmath/txmath.hpp>

#include <cstdio>
#include <string>

int main() {
  using namespace txmath;
  using namespace txmath::literals;
  static_assert(15_T == count(15'000'000'000'000ULL));
  static_assert(param_count(presets::llama_3_8b).total == params(8'030'261'248));
  static_assert(decimal_to_double("0.1").value == 0.1);
  const auto step = flops_per_step(presets::llama_3_8b, {.seq_len = 4096, .batch = 8});
  const auto kv = kv_cache_bytes(presets::gemma_2_9b, 8192, 4);
  const auto cfg = parse_hf_config(R"({"model_type":"llama","vocab_size":32000,"hidden_size":4096,)"
                                   R"("num_hidden_layers":32,"num_attention_heads":32,"intermediate_size":11008})");
  const auto doc = json::parse(R"({"layers": 1.28e2, "dropout": 0.1})");
  if (doc.at("layers").as_count() != count(128) || doc.at("dropout").as_double() != 0.1) return 1;
  const std::string version = TXMATH_VERSION_STRING;
  std::printf("txmath %s: %s training FLOPs, %s KV bytes, %s params\n", version.c_str(),
              step.training.total.value().to_string().c_str(), kv.value().to_string().c_str(),
              param_count(cfg.model).total.value().to_string().c_str());
  if (version != TXMATH_CONSUMER_EXPECTED_VERSION) {
    std::printf("version.hpp says %s, the CMake package %s\n", version.c_str(), TXMATH_CONSUMER_EXPECTED_VERSION);
    return 1;
  }
  return TXMATH_VERSION == TXMATH_VERSION_MAJOR * 10000 + TXMATH_VERSION_MINOR * 100 + TXMATH_VERSION_PATCH ? 0 : 1;
}
