// txmath plot context --model X: the shares of a forward pass's FLOPs against the context
// length, as an SVG line plot and a table (seed 001 (e): GPT-2 XL from 1,024 to 16,384 tokens).
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include <txmath/core/format.hpp>
#include <txmath/flops.hpp>

#include "../../examples/svg_plot.hpp"
#include "commands.hpp"
#include "writer.hpp"

namespace txmath::cli {

namespace {

constexpr const char* plot_usage =
    "usage: txmath plot context --model <preset | config.json> [options]\n"
    "  Writes an SVG of the shares of a forward pass's FLOPs (attention QK^T and AV, attention\n"
    "  projections, FFN and experts, LM head) against the context length, and prints them.\n"
    "options (defaults in brackets):\n"
    "  --out FILE     the SVG file [context.svg]\n"
    "  --from N       shortest context [256]; 8k = 8192\n"
    "  --to N         longest context [131072]\n"
    "  --json | --csv print the table as JSON or CSV (writer.hpp's escaping and decimals)\n"
    "FLOPs are matmul FLOPs of one sequence, causal attention counted in full.\n";

struct shares {
  std::uint64_t seq;
  txmath::count total;  // forward FLOPs of one sequence, exact
  double core, projections, ffn, head;
};

shares at(const txmath::model_config& m, std::uint64_t seq) {
  const auto r = txmath::flops_per_sequence(m, {.seq_len = seq}).forward;
  const double head = (r[txmath::component::head] + r[txmath::component::embedding]).to_double();
  return {seq, r.total.value(), r.share_of(r.attention_core), r.share_of(r.attention_projections()),
          r.share_of(r.ffn_all()), r.total.value() == 0 ? 0.0 : head / r.total.to_double()};
}

}  // namespace

int run_plot(int argc, char** argv) {
  if (const auto rc = answer_help(argc, argv, plot_usage)) return *rc;
  if (std::strcmp(argv[0], "context") != 0) {
    std::fputs(plot_usage, stderr);
    std::fprintf(stderr, "txmath: plot: unknown plot '%s' (there is: context)\n", argv[0]);
    return 2;
  }
  std::string model, out = "context.svg";
  std::uint64_t from = 256, to = 131072;
  bool json = false, csv = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) throw txmath::invalid_argument("txmath: " + std::string(a) + " needs a value");
      return argv[++i];
    };
    if (a == "--model") model = value();
    else if (a == "--out") out = value();
    else if (a == "--from") from = parse_size(value(), "--from");
    else if (a == "--to") to = parse_size(value(), "--to");
    else if (a == "--json") json = true;
    else if (a == "--csv") csv = true;
    else throw txmath::invalid_argument("txmath: plot context: unknown argument '" + std::string(a) + "' (see --help)");
  }
  if (model.empty()) throw txmath::invalid_argument("txmath: plot context: --model is required (a preset or a config.json)");
  if (from >= to) throw txmath::invalid_argument("txmath: plot context: --from must be below --to");
  const model_arg ma = load_model_arg(model);

  // Powers of two from `from` to `to` (and `to` itself), plus the seed's 1,024 and 16,384.
  std::vector<shares> rows;
  for (std::uint64_t s = from; s < to; s *= 2) rows.push_back(at(ma.model, s));
  rows.push_back(at(ma.model, to));

  svg::plot p;
  p.title = "Forward FLOPs by part vs context length: " + ma.name;
  p.x = {.label = "context length (tokens)", .kind = svg::scale::log};
  p.y = {.label = "share of forward FLOPs (%)", .kind = svg::scale::linear, .min = 0, .max = 100};
  const char* names[] = {"attention QK^T, AV", "attention projections", "FFN and experts", "LM head"};
  for (int k = 0; k < 4; ++k) {
    svg::series s{.name = names[k], .points = {}};
    s.markers = true;
    for (const auto& r : rows) {
      const double v[] = {r.core, r.projections, r.ffn, r.head};
      s.points.push_back({static_cast<double>(r.seq), 100 * v[k]});
    }
    p.series.push_back(s);
  }
  if (!svg::save(p, out)) throw txmath::invalid_argument("txmath: plot context: cannot write " + out);

  if (json || csv) {
    record r;
    r.set("model", ma.name).set("svg", out);
    for (const auto& row : rows) {
      record& e = r.append("rows");
      e.set("seq", txmath::count(row.seq)).set("forward_flops", row.total);
      e.set("attention_core", row.core).set("attention_projections", row.projections);
      e.set("ffn", row.ffn).set("head", row.head);
    }
    std::fputs((json ? r.json() : r.csv()).c_str(), stdout);
    return 0;
  }
  std::printf("Forward FLOPs of one sequence, by part: %s\n", ma.name.c_str());
  std::printf("%10s %12s %12s %12s %12s %12s\n", "context", "FLOPs", "QK^T, AV", "projections", "FFN", "LM head");
  for (const auto& r : rows)
    std::printf("%10llu %12s %11.1f%% %11.1f%% %11.1f%% %11.1f%%\n", (unsigned long long)r.seq,
                txmath::format_sci(r.total.to_double()).str().c_str(), 100 * r.core, 100 * r.projections, 100 * r.ffn,
                100 * r.head);
  std::printf("wrote %s\n", out.c_str());
  return 0;
}

}  // namespace txmath::cli
