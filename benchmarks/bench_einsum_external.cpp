// Speed of contract_path on einsums we did not write: opt_einsum's own test expressions (the
// `tests` list of its tests/test_contract.py, with the shapes of its testing.build_shapes), as
// scripts/opt_einsum_test_cases.py extracted them into benchmarks/data/. Each is timed from the
// spec TEXT and the shapes, as bench_einsum.cpp's path benchmarks, under "external/<optimizer>/
// <spec>" for auto, greedy, dp and optimal, with the path's FLOPs as the counter opt_flops;
// scripts/external_speed.py times opt_einsum's contract_path(expr, *shapes, shapes=True) on the
// same, prints the ratios and checks that no txmath path costs more than opt_einsum's. The cases are
// small (1 to 7 operands): what they measure is mostly the fixed cost of a call. With
// TXMATH_EXTERNAL_CASES=FILE in the environment the cases are read from FILE instead (the same
// form; a case's "optimizers" list, if any, limits the optimizers it is timed under, and its
// "name", if any, stands for the spec in the benchmark's name):
// scripts/variety_cases.py writes such a file.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include <txmath/einsum_path.hpp>
#include <txmath/json.hpp>

namespace {
using namespace txmath;

struct external_case {
  std::string spec;
  std::vector<std::vector<count>> shapes;
  std::vector<std::string> optimizers;  // (empty: every one)
  std::string name;                     // (the spec unless the file names it)
  bool timed_under(const std::string& o) const {
    return optimizers.empty() || std::find(optimizers.begin(), optimizers.end(), o) != optimizers.end();
  }
};

std::vector<external_case> read_cases() {
  const char* file = std::getenv("TXMATH_EXTERNAL_CASES");
  const json::value doc = json::parse_file(file && *file ? file : TXMATH_BENCH_DATA_DIR "/opt_einsum_test_cases.json");
  std::vector<external_case> cases;
  for (json::value c : doc.at("cases").elements()) {
    external_case e{c.at("spec").as_string(), {}, {}, {}};
    e.name = c.contains("name") ? c.at("name").as_string() : e.spec;
    for (json::value shape : c.at("shapes").elements()) {
      e.shapes.emplace_back();
      for (json::value d : shape.elements()) e.shapes.back().push_back(d.as_count());
    }
    if (c.contains("optimizers"))
      for (json::value o : c.at("optimizers").elements()) e.optimizers.push_back(o.as_string());
    cases.push_back(std::move(e));
  }
  return cases;
}

void run_case(benchmark::State& state, const external_case& c, path_optimizer o) {
  for (auto _ : state) {
    einsum_network net = parse_network(c.spec);
    net.set_shapes(c.shapes);
    const auto info = contract_path(net, {.optimize = o});
    benchmark::DoNotOptimize(info.opt_flops);
  }
  // The path's cost, which scripts/external_speed.py compares with opt_einsum's opt_cost.
  einsum_network net = parse_network(c.spec);
  net.set_shapes(c.shapes);
  state.counters["opt_flops"] = contract_path(net, {.optimize = o}).opt_flops.to_double();
}

// Registered before main (benchmark_main's) runs; a missing or bad data file is reported and
// leaves no external benchmark.
const bool registered = [] {
  try {
    const std::pair<const char*, path_optimizer> optimizers[] = {{"auto", path_optimizer::auto_},
                                                                 {"greedy", path_optimizer::greedy},
                                                                 {"dp", path_optimizer::dp},
                                                                 {"optimal", path_optimizer::optimal}};
    for (const external_case& c : read_cases())
      for (const auto& [name, o] : optimizers) {
        if (!c.timed_under(name)) continue;
        const std::string full = std::string("external/") + name + "/" + c.name;
        benchmark::RegisterBenchmark(full.c_str(), [c, o = o](benchmark::State& s) { run_case(s, c, o); })
            ->Unit(benchmark::kMicrosecond);
      }
    return true;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_einsum_external: %s\n", e.what());
    return false;
  }
}();

}  // namespace
