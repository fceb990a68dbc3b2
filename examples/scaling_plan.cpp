// Compute-optimal planning for FLOP budgets 1e21..1e25: the 20-tokens-per-parameter rule
// next to the closed-form optimum of Hoffmann et al.'s fit and of the Epoch AI refit, a
// Llama-style shape for each plan, then an SVG plot of the compute-optimal loss against
// compute for both fits.
//
//   scaling_plan [out.svg]      (default: scaling.svg)
#include <cstdio>
#include <string>
#include <vector>

#include <txmath/presets.hpp>
#include <txmath/scaling.hpp>

#include "svg_plot.hpp"

namespace {

std::string count_text(double v) { return txmath::format_count(v).str(); }

void print_table() {
  using namespace txmath;
  std::printf("Compute-optimal plans, C = 6 N D (N: all parameters, D: training tokens)\n\n");
  std::printf("%-8s | %-17s | %-27s | %-27s\n", "budget", "20 tokens/param", "Hoffmann et al. 2022 fit",
              "Epoch AI 2024 refit");
  std::printf("%-8s | %8s %8s | %8s %8s %4s %4s | %8s %8s %4s %4s\n", "FLOPs", "N", "D", "N", "D", "D/N",
              "loss", "N", "D", "D/N", "loss");
  std::printf("---------+-------------------+-----------------------------+----------------------------\n");
  for (double c = 1e21; c <= 1e25 * 1.0001; c *= 10) {
    const approx_flops budget(c);
    const allocation rule = compute_optimal(budget, chinchilla_rule);
    const allocation h = compute_optimal(budget, fits::chinchilla);
    const allocation e = compute_optimal(budget, fits::epoch2024);
    std::printf("%-8s | %8s %8s | %8s %8s %4.0f %4.2f | %8s %8s %4.0f %4.2f\n", format_sci(c, 2).str().c_str(),
                count_text(rule.n.value()).c_str(), count_text(rule.d.value()).c_str(),
                count_text(h.n.value()).c_str(), count_text(h.d.value()).c_str(), h.tokens_per_param(),
                chinchilla_loss(h, fits::chinchilla), count_text(e.n.value()).c_str(),
                count_text(e.d.value()).c_str(), e.tokens_per_param(), chinchilla_loss(e, fits::epoch2024));
  }
  std::printf("\nLosses are nats per token on MassiveText, each under its own fit.\n");

  // A shape for each 20-tokens plan: Llama-2-70B's layout (RMSNorm, SwiGLU of 3.5 d, GQA
  // groups of 8, untied 32000-token vocabulary), d_model / n_layers near 102.4, heads of 128.
  std::printf("\nNearest Llama-2-70B-style shape to each 20-tokens plan\n\n");
  std::printf("%-8s | %8s | %6s %7s %6s %7s | %8s %7s\n", "budget", "plan N", "layers", "d_model", "heads",
              "d_ff", "exact N", "off by");
  const shape_options o{.aspect_ratio = 102.4, .head_dim = 128, .ffn_ratio = 3.5};
  for (double c = 1e21; c <= 1e25 * 1.0001; c *= 10) {
    const allocation plan = compute_optimal(approx_flops(c));
    const shape_match m = nearest_config(plan.n, presets::llama_2_70b, o);
    std::printf("%-8s | %8s | %6llu %7llu %6llu %7llu | %8s %+6.2f%%\n", format_sci(c, 2).str().c_str(),
                count_text(plan.n.value()).c_str(), static_cast<unsigned long long>(m.config.n_layers),
                static_cast<unsigned long long>(m.config.d_model),
                static_cast<unsigned long long>(m.config.attention.n_heads),
                static_cast<unsigned long long>(m.config.ffn.d_ff), format_count(m.n.value()).str().c_str(),
                100 * m.relative_error);
  }
}

// Seed 004's two tables: the 12 L d^2 estimate against exact counts, and who is under- or
// over-trained by the 20-tokens rule.
void print_seed_tables() {
  using namespace txmath;
  std::printf("\nParameter estimate 12 L d^2 against the exact count\n\n");
  std::printf("%-13s %4s %7s | %9s %9s %6s | %9s %6s\n", "model", "L", "d_model", "12 L d^2", "exact", "share",
              "non-emb.", "share");
  struct row {
    const char* name;
    const model_config* m;
  };
  const row rows[] = {{"GPT-2 Small", &presets::gpt2_small}, {"GPT-2 Medium", &presets::gpt2_medium},
                      {"GPT-2 Large", &presets::gpt2_large}, {"GPT-2 XL", &presets::gpt2_xl},
                      {"GPT-3 Small", &presets::gpt3_125m},  {"GPT-3 175B", &presets::gpt3_175b}};
  for (const row& r : rows) {
    const params est = params_12ld2(r.m->n_layers, r.m->d_model);
    const param_report p = param_count(*r.m);
    std::printf("%-13s %4llu %7llu | %9s %9s %5.1f%% | %9s %5.1f%%\n", r.name,
                static_cast<unsigned long long>(r.m->n_layers), static_cast<unsigned long long>(r.m->d_model),
                format_count(est.value()).str().c_str(), format_count(p.total.value()).str().c_str(),
                100 * est.to_double() / p.total.to_double(), format_count(p.non_embedding().value()).str().c_str(),
                100 * est.to_double() / p.non_embedding().to_double());
  }
  std::printf("\nTraining status by the 20-tokens rule (within a factor 1.25 counts as optimal)\n\n");
  std::printf("%-15s %6s %6s | %9s %6s | %s\n", "model", "N", "D", "optimal D", "D/N", "status");
  struct run {
    const char* name;
    double n, d;
  };
  const run runs[] = {{"GPT-3 175B", 175e9, 300e9}, {"Chinchilla 70B", 70e9, 1.4e12},
                      {"LLaMA-1 7B", 7e9, 1e12},     {"LLaMA-2 70B", 70e9, 2e12}};
  for (const run& r : runs) {
    const training_check c = check_training(approx_params(r.n), approx_tokens(r.d));
    std::printf("%-15s %6s %6s | %9s %6.1f | %s\n", r.name, count_text(r.n).c_str(), count_text(r.d).c_str(),
                count_text(c.optimal_tokens_per_param * r.n).c_str(), c.tokens_per_param,
                std::string(name_of(c.regime)).c_str());
  }
}

txmath::svg::plot loss_plot() {
  using namespace txmath;
  svg::plot p;
  p.title = "Compute-optimal loss vs training compute";
  p.x = {.label = "training compute C (FLOPs)", .kind = svg::scale::log};
  p.y = {.label = "loss L(N_opt, D_opt) (nats/token)", .kind = svg::scale::log};
  struct curve {
    const char* name;
    const parametric_fit* fit;
    bool rule;
  };
  const curve curves[] = {{"Hoffmann et al. 2022 (approach 3), optimal", &fits::chinchilla, false},
                          {"Besiroglu et al. 2024 (Epoch refit), optimal", &fits::epoch2024, false},
                          {"Hoffmann fit at 20 tokens/param", &fits::chinchilla, true},
                          {"Epoch refit at 20 tokens/param", &fits::epoch2024, true}};
  const char* colors[] = {"#1f77b4", "#d62728", "#1f77b4", "#d62728"};
  for (std::size_t i = 0; i < 4; ++i) {
    svg::series s{.name = curves[i].name, .points = {}, .color = colors[i], .dashed = curves[i].rule};
    for (int k = 0; k <= 64; ++k) {
      const approx_flops c(math::pow(10.0, 18.0 + k / 8.0));  // 1e18 .. 1e26
      const allocation a = curves[i].rule ? compute_optimal(c, chinchilla_rule) : compute_optimal(c, *curves[i].fit);
      s.points.push_back({c.value(), chinchilla_loss(a, *curves[i].fit)});
    }
    p.series.push_back(std::move(s));
  }
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "scaling.svg";
  print_table();
  print_seed_tables();
  if (!txmath::svg::save(loss_plot(), path)) {
    std::fprintf(stderr, "txmath: cannot write %s\n", path.c_str());
    return 1;
  }
  std::printf("wrote %s\n", path.c_str());
  return 0;
}
