// txmath einsum / txmath path: the cost of one einsum and the contraction order of many.
//   txmath einsum "btd,df->btf" b=8 t=1024 d=4096 f=14336 [--dtype bf16] [--json]
//   txmath path "ij,jk,kl->il" i=10 j=20 k=30 l=40 [--optimize dp|greedy|optimal] [--json]
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <txmath/einsum.hpp>
#include <txmath/einsum_path.hpp>

#include "commands.hpp"

namespace txmath::cli {
namespace {
// A ratio for people: four significant digits (2294, 20.00, 0.1250).
std::string four_digits(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", x);
  return buf;
}

struct args {
  std::string spec;
  std::vector<std::pair<char32_t, count>> sizes;
  path_optimizer optimize = path_optimizer::auto_;
  dtype type = dtype::bf16;
  bool json = false;
};

[[noreturn]] void fail(const std::string& what) { throw txmath::invalid_argument("txmath: " + what); }

args parse_args(int argc, char** argv, bool path_command) {
  args a;
  for (int i = 0; i < argc; ++i) {
    const std::string_view s = argv[i];
    if (s == "--json") {
      a.json = true;
    } else if (s == "--optimize" && path_command) {
      if (++i >= argc) fail("--optimize needs a value: dp, greedy or optimal");
      const std::string_view o = argv[i];
      if (o == "dp") a.optimize = path_optimizer::dp;
      else if (o == "greedy") a.optimize = path_optimizer::greedy;
      else if (o == "optimal") a.optimize = path_optimizer::optimal;
      else if (o == "auto") a.optimize = path_optimizer::auto_;
      else fail("unknown optimizer '" + std::string(o) + "' (use dp, greedy, optimal or auto)");
    } else if (s == "--dtype") {
      if (++i >= argc) fail("--dtype needs a value, e.g. bf16");
      a.type = parse_dtype(argv[i]);
    } else if (a.spec.empty() && s.find('=') == std::string_view::npos) {
      a.spec = s;
    } else {
      const auto eq = s.find('=');
      if (eq == std::string_view::npos || eq == 0) fail("expected index=size, got '" + std::string(s) + "'");
      std::size_t pos = 0;
      const std::string_view label = s.substr(0, eq);
      const char32_t c = detail::decode_utf8(label, pos);
      if (c == 0 || pos != label.size()) fail("'" + std::string(label) + "' is not one index letter");
      const std::string value(s.substr(eq + 1));
      if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos)
        fail("size of '" + std::string(label) + "' must be a non-negative integer, got '" + value + "'");
      a.sizes.emplace_back(c, count(std::stoull(value)));
    }
  }
  if (a.spec.empty()) fail("missing the einsum spec, e.g. \"ij,jk->ik\"");
  return a;
}

std::string path_json(const linear_path& p) {
  std::string s = "[";
  for (std::size_t k = 0; k < p.size(); ++k) {
    s += k ? ", [" : "[";
    for (std::size_t i = 0; i < p[k].size(); ++i) s += (i ? ", " : "") + std::to_string(p[k][i]);
    s += "]";
  }
  return s + "]";
}

std::string json_string(std::string_view v) {
  std::string s = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') s += '\\';
    s += c;
  }
  return s + "\"";
}

int run(int argc, char** argv, bool path_command) {
  const args a = parse_args(argc, argv, path_command);
  einsum_network net = parse_network(a.spec);
  for (const auto& [label, size] : a.sizes) net.set_size(label, size);
  net.check_sizes();
  path_options opt;
  opt.optimize = a.optimize;
  const path_info<count> info = contract_path<count>(net, opt);

  // The whole einsum's own cost (one step) where the fixed form holds it: bytes, backward.
  // (A flag and a value, not std::optional: GCC 12 -O3 warns maybe-uninitialized on it.)
  bool has_whole = net.operands() <= einsum_spec::max_operands && net.n_labels() <= einsum_spec::max_indices;
  einsum_cost whole_cost{};
  if (has_whole) {
    index_sizes s;
    for (std::size_t d = 0; d < net.n_labels(); ++d) s.set(net.labels[d], net.sizes[d]);
    whole_cost = cost(parse_einsum(a.spec), s, einsum_dtypes::uniform(a.type));
  }
  // Along the path: each step's multiply-adds and gradient einsums, costed as any einsum.
  if (path_command) {
    einsum_cost along{};
    bool ok = true;
    for (std::size_t i = 0; i < info.steps.size() && ok; ++i) {
      if (info.steps[i].scale > einsum_spec::max_indices || info.steps[i].terms.size() > einsum_spec::max_operands) {
        ok = false;
        break;
      }
      index_sizes s;
      for (const auto& t : info.steps[i].terms)
        for (auto d : t) s.set(net.labels[d], net.sizes[d]);
      const einsum_cost c = cost(parse_einsum(info.step_spec(i)), s, einsum_dtypes::uniform(a.type));
      along.macs += c.macs;
      along.backward_flops += c.backward_flops;
    }
    has_whole = ok;
    whole_cost = along;
  }
  const einsum_cost* whole = has_whole ? &whole_cost : nullptr;
  count in_elems = 0;
  for (const auto& t : net.inputs) in_elems += net.elements(t);
  const txmath::bytes moved = bytes_of(in_elems, a.type) + bytes_of(net.elements(net.output), a.type);
  // `einsum` reports the einsum in one step; `path` the contraction order it found.
  const count flops = path_command ? info.opt_flops : (whole ? whole->flops.value() : info.naive_flops);
  const double intensity = flops.to_double() / moved.value().to_double();

  if (a.json) {
    std::printf("{\"spec\": %s, \"flops\": %s, \"naive_flops\": %s, \"opt_flops\": %s, "
                "\"largest_intermediate\": %s, \"path\": %s, \"bytes\": %s, \"intensity\": %.17g, "
                "\"backward_flops\": %s}\n",
                json_string(net.str()).c_str(), flops.to_string().c_str(), info.naive_flops.to_string().c_str(),
                info.opt_flops.to_string().c_str(), info.largest_intermediate.to_string().c_str(),
                path_json(info.path).c_str(), moved.value().to_string().c_str(), intensity,
                whole ? whole->backward_flops.value().to_string().c_str() : "null");
    return 0;
  }
  auto row = [](const char* name, const std::string& v) { std::printf("  %-22s %s\n", name, v.c_str()); };
  std::printf("%s\n", net.str().c_str());
  row("FLOPs", flops.to_string(true));
  if (whole) {
    row("multiply-adds", whole->macs.to_string(true));
    row("backward FLOPs", whole->backward_flops.value().to_string(true));
  }
  row(("bytes moved (" + std::string(name_of(a.type)) + ")").c_str(), moved.value().to_string(true));
  row("intensity (FLOP/byte)", four_digits(intensity));
  row("naive FLOPs", info.naive_flops.to_string(true));
  row("optimized FLOPs", info.opt_flops.to_string(true));
  row("speedup", four_digits(info.naive_flops.to_double() / info.opt_flops.to_double()) + "x");
  row("largest intermediate", info.largest_intermediate.to_string(true) + " elements");
  row("path", path_json(info.path));
  if (path_command) {
    std::printf("  %-4s %-30s %22s\n", "step", "contraction", "FLOPs");
    for (std::size_t i = 0; i < info.steps.size(); ++i)
      std::printf("  %-4zu %-30s %22s\n", i, info.step_spec(i).c_str(), info.steps[i].flops.to_string(true).c_str());
  }
  return 0;
}

}  // namespace

int run_einsum(int argc, char** argv) { return run(argc, argv, false); }
int run_path(int argc, char** argv) { return run(argc, argv, true); }

}  // namespace txmath::cli
