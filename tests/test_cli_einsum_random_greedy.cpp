// `txmath path --optimize random-greedy [--trials N] [--seed S]` as a user runs it: greedy's
// cost is reported beside the randomized one (text row "greedy FLOPs", JSON key
// "greedy_opt_flops") and equals what `--optimize greedy` reports; the randomized cost is never
// above it; flags out of range are errors naming the flag and the limit.
#include <doctest/doctest.h>

#ifndef TXMATH_TOOL
#error "tests/test_cli_einsum_random_greedy.cpp is built only with the txmath tool (TXMATH_TOOL names it)"
#endif

#include "cli_support.hpp"

#include <string>
#include <string_view>

#include <txmath/json.hpp>
#include <txmath/einsum_network.hpp>
#include <txmath/einsum_random.hpp>

namespace {

using txmath_cli_test::quote;
using txmath_cli_test::result;
using txmath_cli_test::run;
using txmath_cli_test::run_json_of;

bool has(const result& r, std::string_view s) { return r.out.find(s) != std::string::npos; }

// A network as the tool's arguments: its text and each label's size.
std::string args_of(const txmath::einsum_network& net) {
  std::string a = quote(net.str());
  for (std::size_t d = 0; d < net.n_labels(); ++d) {  // (appended piece by piece: g++ 12's -Wrestrict
    std::string size = txmath::label_text(net.labels[d]);  // misfires on " " + string)
    size += '=';
    size += net.sizes[d].to_string();
    a += ' ';
    a += quote(size);
  }
  return a;
}

}  // namespace

TEST_CASE("txmath path --optimize random-greedy: greedy's cost beside it, never below it") {
  // 100 tensors, 3-regular: costs fit in a count (about 2^62 for greedy), so both are exact.
  const std::string net = args_of(txmath::random_network(100, 3, 2, 100));
  const auto rg = run_json_of("path " + net + " --optimize random-greedy --trials 32 --seed 0");
  const auto greedy = run_json_of("path " + net + " --optimize greedy");
  const txmath::count ours = rg.at("opt_flops").as_count(), beside = rg.at("greedy_opt_flops").as_count();
  CHECK(beside == greedy.at("opt_flops").as_count());
  CHECK(ours <= beside);
  CHECK(ours < beside);  // 32 passes find a cheaper path here (tests/reference/einsum_random_greedy.json)
  // The same seed, the same path; one trial is greedy's path.
  const auto again = run_json_of("path " + net + " --optimize random-greedy --seed 0");
  CHECK(again.at("opt_flops").as_count() == ours);
  const auto one = run_json_of("path " + net + " --optimize random-greedy --trials 1 --seed 99");
  CHECK(one.at("opt_flops").as_count() == beside);
  // The text report has the row, and the gain over greedy.
  const result text = run("path " + net + " --optimize random-greedy --trials 8 --seed 5");
  CHECK(text.status == 0);
  CHECK(has(text, "greedy FLOPs"));
  CHECK(has(text, "gain over greedy"));
  // Other optimizers have no greedy figure.
  CHECK(!greedy.at("opt_flops").is_null());
  CHECK(run("path " + net + " --optimize greedy --json").out.find("greedy_opt_flops") == std::string::npos);
}

TEST_CASE("txmath path --optimize random-greedy: beyond 2^128 both figures as powers of two") {
  // 300 tensors: greedy's cost is about 2^148, beyond a count: null in JSON, log2 given.
  const std::string net = args_of(txmath::random_network(300, 3, 2, 300));
  const auto rg = run_json_of("path " + net + " --optimize random-greedy --trials 4");
  CHECK(rg.at("greedy_opt_flops").is_null());
  CHECK(rg.at("opt_flops").is_null());
  const double ours = rg.at("log2").at("opt_flops").as_double(), beside = rg.at("log2").at("greedy_opt_flops").as_double();
  CHECK(ours <= beside);
  CHECK(beside > 128);
}

TEST_CASE("txmath path: random-greedy flags out of range are errors naming the flag and the limit") {
  const std::string net = "'ab,bc,cd->ad' a=2 b=3 c=4 d=5";
  auto refused = [&](const std::string& flags, std::string_view what) {
    const result r = run("path " + net + " " + flags);
    CAPTURE(flags);
    CAPTURE(r.out);
    CHECK(r.status != 0);
    CHECK(has(r, what));
  };
  refused("--optimize random-greedy --trials 0", "txmath: --trials must be an integer from 1 to 65536, got '0'");
  refused("--optimize random-greedy --trials 65537", "from 1 to 65536, got '65537'");
  refused("--optimize random-greedy --trials -3", "got '-3'");
  refused("--optimize random-greedy --seed 18446744073709551616", "--seed must be an integer from 0 to 18446744073709551615");
  refused("--optimize random-greedy --trials", "--trials needs a value");
  refused("--trials 8", "--trials and --seed are options of --optimize random-greedy");
  refused("--optimize greedy --seed 1", "--trials and --seed are options of --optimize random-greedy");
  refused("--optimize random", "use dp, greedy, random-greedy, optimal or auto");
  // The largest seed is a seed.
  CHECK(run("path " + net + " --optimize random-greedy --seed 18446744073709551615").status == 0);
  const result help = run("path --help");
  CHECK(has(help, "random-greedy"));
  CHECK(has(help, "--trials"));
}
