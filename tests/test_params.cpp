// Parameter counts against published exact counts.
//
// Sources: tests/reference/models.json (exact sum(p.numel()) of the HF checkpoints, with its
// own citations), seed 001 (the SwiGLU/untied GPT-2 XL variant, 2,127,057,600), the Pythia
// model card (non-embedding counts of all eight sizes), and the HF API safetensors totals
// named next to each figure below.
#include <doctest/doctest.h>

#include <string>

#include <txmath/json.hpp>
#include <txmath/params.hpp>
#include <txmath/presets.hpp>

using txmath::component;
using txmath::param_count;
namespace presets = txmath::presets;

namespace {
constexpr txmath::count total(const txmath::model_config& m) { return param_count(m).total.value(); }
constexpr txmath::count active(const txmath::model_config& m) { return param_count(m).active.value(); }
}  // namespace

// ---- compile time: models.json exact_params ----
static_assert(total(presets::gpt2_small) == 124'439'808);
static_assert(total(presets::gpt2_medium) == 354'823'168);
static_assert(total(presets::gpt2_large) == 774'030'080);
static_assert(total(presets::gpt2_xl) == 1'557'611'200);
static_assert(total(presets::gpt_j_6b) == 6'050'882'784);
static_assert(total(presets::pythia_160m) == 162'322'944);
static_assert(total(presets::opt_1_3b) == 1'315'758'080);
static_assert(total(presets::llama_2_7b) == 6'738'415'616);
static_assert(total(presets::llama_3_8b) == 8'030'261'248);
static_assert(total(presets::mistral_7b) == 7'241'732'096);
static_assert(total(presets::mixtral_8x7b) == 46'702'792'704);
static_assert(total(presets::qwen2_5_7b) == 7'615'616'512);
static_assert(total(presets::gemma_7b) == 8'537'680'896);
static_assert(total(presets::qwen3_30b_a3b) == 30'532'122'624);
static_assert(total(presets::deepseek_v2_lite) == 15'706'484'224);
// models.json torch_active (embeddings included) and torch_active_excl_input_embedding.
static_assert(active(presets::mixtral_8x7b) == 12'879'925'248);
static_assert(active(presets::qwen3_30b_a3b) == 3'353'032'704);
static_assert(active(presets::deepseek_v2_lite) == 2'661'150'208);
static_assert(param_count(presets::deepseek_v2_lite).active_excluding_input_embedding().value() == 2'451'435'008);
// Seed 001 (a): SwiGLU FFN, untied embeddings, GPT-2 XL shape.
static_assert(total(presets::gpt2_xl_swiglu_untied) == 2'127'057'600);
// Dense models: active == total.
static_assert(active(presets::llama_3_8b) == total(presets::llama_3_8b));

TEST_CASE("every model of models.json: exact total and active parameters") {
  const auto doc = txmath::json::parse_file(TXMATH_REFERENCE_DIR "/models.json");
  const auto models = doc.at("models");
  REQUIRE(models.size() == 15);
  for (std::size_t i = 0; i < models.size(); ++i) {
    const auto m = models.at(i);
    const std::string name = m.at("name").as_string();
    CAPTURE(name);
    const txmath::model_config* cfg = txmath::find_preset(name);
    REQUIRE(cfg != nullptr);
    const auto p = param_count(*cfg);  // run time: the preset is read through a pointer
    CHECK(p.total.value() == m.at("exact_params").as_count());
    const auto extras = m.at("torch_extras");
    if (auto a = extras.find("torch_active")) CHECK(p.active.value() == a->as_count());
    else CHECK(p.active == p.total);
    if (auto a = extras.find("torch_active_excl_input_embedding"))
      CHECK(p.active_excluding_input_embedding().value() == a->as_count());
    if (auto e = extras.find("embedding")) CHECK(p[component::embedding].value() == e->as_count());
    // "Non-embedding" conventions: Pythia (total - embed_in - embed_out), Qwen (total - embed
    // - lm_head), Gemma (total - the tied table).
    for (const char* key : {"non_embedding_pythia_convention", "non_embedding_qwen_convention", "non_embedding"})
      if (auto e = extras.find(key)) CHECK(p.non_embedding().value() == e->as_count());
    // OPT without its 2 extra position rows (keras-hub's count).
    if (auto e = extras.find("torch_count_no_pos_offset")) {
      auto no_offset = *cfg;
      no_offset.position_offset = 0;
      CHECK(param_count(no_offset).total.value() == e->as_count());
    }
  }
}

TEST_CASE("seed 001 (a): the SwiGLU / untied GPT-2 XL, component by component") {
  // Seed 001: embeddings 2 x V x D = 160,822,400; per block attention 4 D^2 = 10,240,000,
  // FFN 3 D F = 30,720,000, norms 2 D = 3,200; final norm 1,600.
  const auto p = param_count(presets::gpt2_xl_swiglu_untied);
  CHECK(p[component::embedding].value() + p[component::head].value() == 160'822'400);
  CHECK(p[component::attention].value() == 48 * txmath::count(10'240'000));
  CHECK(p[component::ffn].value() == 48 * txmath::count(30'720'000));
  CHECK(p[component::norms].value() == 48 * txmath::count(3'200) + 1'600);
  CHECK(p.total.value() == 2'127'057'600);
}

TEST_CASE("Pythia: non-embedding counts of the model card, all eight sizes") {
  // EleutherAI Pythia model card, "Non-Embedding Params" column.
  struct row {
    const txmath::model_config& m;
    std::uint64_t non_embedding;
  };
  const row rows[] = {{presets::pythia_70m, 18'915'328},      {presets::pythia_160m, 85'056'000},
                      {presets::pythia_410m, 302'311'424},    {presets::pythia_1b, 805'736'448},
                      {presets::pythia_1_4b, 1'208'602'624},  {presets::pythia_2_8b, 2'517'652'480},
                      {presets::pythia_6_9b, 6'444'163'072},  {presets::pythia_12b, 11'327'027'200}};
  for (const auto& r : rows) CHECK(param_count(r.m).non_embedding().value() == r.non_embedding);
}

TEST_CASE("other presets: exact published totals") {
  // HF API safetensors.total (parameters plus any fp32 rotary inv_freq buffers) or GGUF
  // general.parameter_count, as collected in public model tables:
  //   Llama-2-13B 13,015,866,880 = 13,015,864,320 + 40 x 64 inv_freq buffers
  //   Llama-2-70B 68,976,653,312 = 68,976,648,192 + 80 x 64
  CHECK(total(presets::llama_2_13b) + 40 * 64 == 13'015'866'880);
  CHECK(total(presets::llama_2_70b) + 80 * 64 == 68'976'653'312);
  CHECK(total(presets::llama_3_70b) == 70'553'706'496);      // meta-llama/Llama-3.1-70B
  CHECK(total(presets::llama_3_1_405b) == 405'853'388'800);  // meta-llama/Llama-3.1-405B
  CHECK(total(presets::qwen2_5_72b) == 72'706'203'648);      // keras-hub qwen2.5_instruct_72b_en
  CHECK(total(presets::gemma_2_9b) == 9'241'705'984);        // keras-hub gemma2_9b_en, GGUF
  CHECK(total(presets::phi_3_mini) == 3'821'079'552);        // keras-hub phi3_mini_4k_instruct_en
  CHECK(total(presets::olmo_2_7b) == 7'298'617'344);         // allenai/OLMo-2-1124-7B
  CHECK(total(presets::mixtral_8x22b) == 140'630'071'296);   // a public model table (HF total)
}

TEST_CASE("other presets: rounded published figures") {
  auto near = [](txmath::count n, double published, double rel) {
    const double x = n.to_double();
    return x > published * (1 - rel) && x < published * (1 + rel);
  };
  // GPT-3 paper Table 2.1 (rounded to 2-3 digits; "350M" is 355.9M exactly here).
  CHECK(near(total(presets::gpt3_125m), 125e6, 0.01));
  CHECK(near(total(presets::gpt3_350m), 350e6, 0.02));
  CHECK(near(total(presets::gpt3_760m), 760e6, 0.01));
  CHECK(near(total(presets::gpt3_1_3b), 1.3e9, 0.015));
  CHECK(near(total(presets::gpt3_2_7b), 2.7e9, 0.02));
  CHECK(near(total(presets::gpt3_6_7b), 6.7e9, 0.01));
  CHECK(near(total(presets::gpt3_13b), 13.0e9, 0.01));
  CHECK(near(total(presets::gpt3_175b), 175.0e9, 0.005));
  // Falcon-7B model card "7B"; Mixtral 8x22B "141B total, 39B active" (Mistral AI).
  CHECK(near(total(presets::falcon_7b), 7e9, 0.02));
  CHECK(near(active(presets::mixtral_8x22b), 39e9, 0.01));
  // DeepSeek-V3 README: "671B total, 37B activated" (without the 14B MTP module).
  CHECK(near(total(presets::deepseek_v3), 671e9, 0.001));
  CHECK(near(active(presets::deepseek_v3), 37e9, 0.02));
  // Qwen3-30B-A3B model card: "3.3B activated".
  CHECK(near(active(presets::qwen3_30b_a3b), 3.3e9, 0.02));
}

TEST_CASE("breakdown: components sum to the totals; active = total outside the experts") {
  for (const auto& e : txmath::preset_list()) {
    CAPTURE(e.name);
    const auto p = param_count(*e.config);
    txmath::params sum{}, active_sum{};
    for (std::size_t c = 0; c < txmath::n_components; ++c) {
      sum += p.by_component[c];
      active_sum += p.active_by_component[c];
      if (static_cast<component>(c) != component::experts)
        CHECK(p.by_component[c] == p.active_by_component[c]);
    }
    CHECK(sum == p.total);
    CHECK(active_sum == p.active);
  }
  // Routed experts: active = top_k / n_experts of total (Mixtral: 2 of 8).
  const auto mx = param_count(presets::mixtral_8x7b);
  CHECK(mx.active_of(component::experts).value() * 4 == mx[component::experts].value());
  // Tied head: no head parameters, the table counted once under embedding.
  const auto g2 = param_count(presets::gpt2_small);
  CHECK(g2[component::head].value() == 0);
  CHECK(g2[component::embedding].value() == 50257 * 768);
  CHECK(g2[component::position].value() == 1024 * 768);
  CHECK(txmath::name_of(component::shared_experts) == "shared_experts");
}

TEST_CASE("run-time configs: a GQA change moves exactly the k and v projections") {
  // Llama-2-70B with n_kv_heads 8 vs 64 (MHA): the difference is 2 x d x (64 - 8) x 128 per layer.
  auto mha = presets::llama_2_70b;
  volatile std::uint64_t kv = 64;  // not a constant
  mha.attention.n_kv_heads = kv;
  const auto diff = param_count(mha).total.value() - total(presets::llama_2_70b);
  CHECK(diff == txmath::count(80) * 2 * 8192 * (64 - 8) * 128);
}

TEST_CASE("presets: lookup and listing") {
  static_assert(txmath::find_preset("llama-3-8b") == &presets::llama_3_8b);
  static_assert(txmath::find_preset("no-such-model") == nullptr);
  CHECK(txmath::find_preset(std::string("deepseek-v3")) == &presets::deepseek_v3);
  CHECK(txmath::find_preset("mistral-7b") == &presets::mistral_7b);
  CHECK(txmath::preset_list().size() >= 40);
  for (const auto& e : txmath::preset_list()) CHECK(txmath::find_preset(e.name) == e.config);
}
