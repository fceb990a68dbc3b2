// Compute-optimal planning for FLOP budgets 1e21..1e25: the 20-tokens-per-parameter rule
// next to the closed-form optimum of Hoffmann et al.'s fit and of the Epoch AI refit, then an
// SVG plot of the compute-optimal loss against compute for both fits.
//
//   scaling_plan [out.svg]      (default: scaling.svg)
#include <cstdio>
#include <string>
#include <vector>

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
  if (!txmath::svg::save(loss_plot(), path)) {
    std::fprintf(stderr, "txmath: cannot write %s\n", path.c_str());
    return 1;
  }
  std::printf("wrote %s\n", path.c_str());
  return 0;
}
