// `txmath einsum` and `txmath path` run as a user runs them, on the inputs of issue 15 that
// used to hang, crash or print NaN: every one gets a path, exact figures (or figures beyond
// 2^128 shown as powers of two, said so), or an error naming the value, the field and the
// limit. Figures are derived by hand in the comments.
#include <doctest/doctest.h>

#ifndef TXMATH_TOOL
#error "tests/test_cli_einsum.cpp is built only with the txmath tool (TXMATH_TOOL names it)"
#endif

#include "cli_support.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>

#include <txmath/einsum_random.hpp>
#include <txmath/einsum.hpp>
#include <txmath/json.hpp>

namespace {

using txmath_cli_test::quote;
using txmath_cli_test::result;
using txmath_cli_test::run;

bool has(const result& r, std::string_view s) { return r.out.find(s) != std::string::npos; }

// A network as command-line arguments: its spec, quoted, and each index's size.
std::string network_args(const txmath::einsum_network& net) {
  std::string args = quote(net.str());
  for (std::size_t d = 0; d < net.n_labels(); ++d) {  // (appended piece by piece: g++-12's
    args += ' ';                                       // -Wrestrict misfires on a + chain here)
    args += txmath::label_text(net.labels[d]);
    args += '=';
    args += net.sizes[d].to_string();
  }
  return args;
}

// A chain of n matrices "ab,bc,...->a?" and its sizes, every index `size`.
std::string chain_args(std::size_t n, const std::string& size) {
  std::string spec, sizes;
  for (std::size_t i = 0; i <= n; ++i) {
    const std::string l = txmath::label_text(txmath::einsum_symbol(static_cast<std::uint32_t>(i)));
    if (i < n) spec += (i ? "," : "") + l + txmath::label_text(txmath::einsum_symbol(static_cast<std::uint32_t>(i + 1)));
    sizes += " " + l + "=" + size;
  }
  return quote(spec + "->a" + txmath::label_text(txmath::einsum_symbol(static_cast<std::uint32_t>(n)))) + sizes;
}

// The overlap of a 20-site matrix-product state, bond 64, physical 2: 40 tensors.
std::string mps_args() {
  auto sym = [next = 0u]() mutable { return txmath::label_text(txmath::einsum_symbol(next++)); };
  std::string p[20], b[19], c[19], sizes;
  for (auto& x : p) x = sym(), sizes += " " + x + "=2";
  for (auto& x : b) x = sym(), sizes += " " + x + "=64";
  for (auto& x : c) x = sym(), sizes += " " + x + "=64";
  std::string spec;
  for (const auto* bond : {b, c})
    for (int i = 0; i < 20; ++i) {
      if (!spec.empty()) spec += ",";
      spec += (i > 0 ? bond[i - 1] : "") + p[i] + (i < 19 ? bond[i] : "");
    }
  return quote(spec + "->") + sizes;
}

}  // namespace

TEST_CASE("txmath path: a size-0 index returns at once with 0 FLOPs") {
  const auto t0 = std::chrono::steady_clock::now();
  const result r = run("path 'ab,bc,cd,de,ef,fg,gh->ah' a=0 b=3 c=3 d=3 e=5 f=2 g=3 h=4 --optimize dp");
  CAPTURE(r.out);
  CHECK(r.status == 0);
  CHECK(has(r, "optimized FLOPs        0\n"));
  CHECK(has(r, "speedup                undefined (0 optimized FLOPs)"));
  CHECK(has(r, "intensity (FLOP/byte)  undefined (0 FLOPs)"));  // 122 bytes are moved, nothing computed
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
  // The 12-matrix chain, one size 0, no flag.
  std::string chain = chain_args(12, "3");
  chain.replace(chain.find(" f=3"), 4, " f=0");
  const result c = run("path " + chain);
  CAPTURE(c.out);
  CHECK(c.status == 0);
  CHECK(has(c, "optimized FLOPs        0\n"));
}

TEST_CASE("txmath path: costs beyond 2^128 are shown as powers of two, the path's exactly") {
  // 1000 matrices of 64 x 64: 999 steps of 2 x 64^3 = 523,763,712 FLOPs in any order; the
  // naive cost 64^1001 x 1000 = 2^(6006 + log2 1000) = 2^6015.966.
  const result r = run("path " + chain_args(1000, "64"));
  CHECK(r.status == 0);
  CHECK(has(r, "optimized FLOPs        523,763,712\n"));
  CHECK(has(r, "naive FLOPs            2^6015.966 (beyond 2^128)"));
  CHECK(has(r, "note: figures beyond 2^128 - 1 are shown as powers of two (log2_cost)"));
  const result j = run("path " + chain_args(1000, "64") + " --json");
  REQUIRE(j.status == 0);
  const auto v = txmath::json::parse(j.out);
  CHECK(v["opt_flops"].as_double() == 523763712.0);
  CHECK(v["naive_flops"].is_null());
  CHECK(v["overflowed"][0].as_string() == "naive_flops");
  CHECK(v["log2"]["naive_flops"].as_double() == doctest::Approx(6006 + std::log2(1000.0)));

  // The 40-tensor MPS overlap: a path of 39 steps; its FLOPs exact (no more than the zipper
  // order's 37,781,760: tests/test_einsum_robust.cpp), the naive cost 2^(38 x 6 + 20 + log2 40).
  const result m = run("path " + mps_args() + " --json");
  CAPTURE(m.out);
  REQUIRE(m.status == 0);
  const auto mv = txmath::json::parse(m.out);
  CHECK(mv["opt_flops"].as_double() <= 37781760.0);
  CHECK(mv["opt_flops"].as_double() > 0.0);
  CHECK(mv["log2"]["naive_flops"].as_double() == doctest::Approx(38 * 6 + 20 + std::log2(40.0)));
}

TEST_CASE("txmath path: intermediates of more than 16 indices are costed") {
  // Every size 2: FLOPs 2 x 2^17 = 262,144, multiply-adds 2^17, backward 3 x 2^17 = 393,216
  // (derivation in tests/test_einsum_robust.cpp).
  std::string sizes;
  for (char c = 'a'; c <= 'q'; ++c) sizes += std::string(" ") + c + "=2";
  const result r = run("path 'abcdefghijklmnopq,q->abcdefghijklmnop'" + sizes);
  CAPTURE(r.out);
  CHECK(r.status == 0);
  CHECK(has(r, "multiply-adds          131,072\n"));
  CHECK(has(r, "backward FLOPs         393,216\n"));
  std::string ones;
  for (char c : std::string("abcdefghizjklmnopqw")) ones += std::string(" ") + c + "=1";
  const result w = run("path 'abcdefghiz,jklmnopqz,jklmnopqw->abcdefghiw'" + ones);
  CAPTURE(w.out);
  CHECK(w.status == 0);
  CHECK_FALSE(has(w, "more than 16"));
}

TEST_CASE("txmath einsum/path: bad input is an error naming the value and the limit") {
  const result dup = run("einsum 'ij,jk->ik' i=2 j=3 k=4 i=7");
  CHECK(dup.status == 1);
  CHECK(dup.out == "txmath: index 'i' is given two sizes, 2 and 7: give each index one size\n");
  CHECK(run("einsum 'ij,jk->ik' i=2 j=3 k=4 i=2").status == 0);  // the same size twice is fine

  const result big = run("einsum 'ij,jk->ik' i=340282366920938463463374607431768211456 j=3 k=4");
  CHECK(big.status == 1);
  CHECK(big.out == "txmath: size of 'i' is 340282366920938463463374607431768211456, more than the largest size, "
                   "340282366920938463463374607431768211455 (2^128 - 1)\n");
  // 2^64 is a size (it used to print just "stoull").
  const result wide = run("einsum 'ij,jk->ik' i=18446744073709551616 j=3 k=4");
  CHECK(wide.status == 0);
  CHECK(has(wide, "FLOPs                  442,721,857,769,029,238,784\n"));  // 2 x 2^64 x 3 x 4

  const result utf = run("path " + quote("i\xc0\xafj,jk") + " i=2 j=2 k=2");
  CHECK(utf.status == 1);
  CHECK(utf.out == "txmath: einsum spec 'i\\xC0\\xAFj,jk' at position 1: '\\xC0' is not an index letter "
                   "(use a-z, A-Z or non-ASCII letters)\n");

  // dp refuses what it cannot search, in command-line words (auto takes greedy instead): here
  // a connected group of more than 64 tensors, refused at once. (Its work budget refuses the
  // same way, after ~20 s at the default: tested in the library with a small budget.)
  const auto net = txmath::random_network(80, 3, 2, 7);
  const std::string args = network_args(net);
  const result dp = run("path " + args + " --optimize dp");
  CAPTURE(dp.out);
  CHECK(dp.status == 1);
  CHECK(has(dp, "txmath: einsum of 80 operands: dp searches connected groups of at most 64 tensors"));
  CHECK(has(dp, ": use --optimize greedy (--optimize auto falls back to it)\n"));
  CHECK_FALSE(has(dp, "path_optimizer"));
  CHECK(run("path " + args).status == 0);
}

TEST_CASE("txmath path --dp-pairs: dp's work budget from the command line, bounded and checked") {
  // The 6 x 6 lattice of bond 2 takes between 2^24 and 2^25 of dp's pairs
  // (tests/test_einsum_dp.cpp); its optimum, 9,096 FLOPs, is opt_einsum's dp's
  // (scripts/einsum_lattice_dp.py 6x6).
  const auto net = txmath::lattice_network(6, 6, 2);
  const std::string args = network_args(net);
  const result tight = run("path " + args + " --optimize dp --dp-pairs 16777216");
  CAPTURE(tight.out);
  CHECK(tight.status == 1);
  CHECK(has(tight, "txmath: einsum of 36 operands: dp's search of this network is beyond its work budget"));
  CHECK(has(tight, "(budget: 16777216 pairs, 1024 MiB; --dp-pairs N raises the pairs): use --optimize greedy"));
  const result enough = run("path " + args + " --optimize dp --dp-pairs 33554432");
  CAPTURE(enough.out);
  CHECK(enough.status == 0);
  CHECK(has(enough, "optimized FLOPs        9,096\n"));
  // Under auto a refusal is greedy's path (auto gives dp at most 20 operands: a 4 x 4 lattice).
  const auto small = txmath::lattice_network(4, 4, 2);
  const std::string small_args = network_args(small);
  const result fallback = run("path " + small_args + " --dp-pairs 1");
  const result greedy = run("path " + small_args + " --optimize greedy");
  CHECK(fallback.status == 0);
  CHECK(fallback.out == greedy.out);
  // Out of range, or with an optimizer that has no budget: an error naming the flag and limit.
  CHECK(run("path 'ij,jk' i=2 j=2 k=2 --dp-pairs 0").out ==
        "txmath: --dp-pairs must be an integer from 1 to 1099511627776, got '0'\n");
  CHECK(run("path 'ij,jk' i=2 j=2 k=2 --dp-pairs 1099511627777").out ==
        "txmath: --dp-pairs must be an integer from 1 to 1099511627776, got '1099511627777'\n");
  CHECK(run("path 'ij,jk' i=2 j=2 k=2 --dp-pairs").out == "txmath: --dp-pairs needs a value, e.g. 8589934592 (2^33)\n");
  CHECK(run("path 'ij,jk' i=2 j=2 k=2 --optimize greedy --dp-pairs 5").out ==
        "txmath: --dp-pairs is an option of --optimize dp and auto\n");
}

TEST_CASE("txmath path: the step table's columns line up with non-ASCII index letters") {
  // Each row ends with its FLOPs right-aligned: every row of the table (header included) is
  // as long in characters, whatever bytes its letters take (printf's %-30s counted bytes).
  const std::string alpha = "\u03b1", beta = "\u03b2", gamma = "\u03b3";  // (two bytes each in UTF-8)
  const result r = run("path " + quote(alpha + beta + "," + beta + gamma + "," + gamma + "d->" + alpha + "d") + " " +
                       alpha + "=2 " + beta + "=3 " + gamma + "=4 d=5");
  CAPTURE(r.out);
  REQUIRE(r.status == 0);
  const auto at = r.out.find("  step contraction");
  REQUIRE(at != std::string::npos);
  std::size_t rows = 0, width = 0;
  for (std::size_t b = at, e; b < r.out.size(); b = e + 1) {
    e = r.out.find('\n', b);
    std::size_t chars = 0;
    for (std::size_t i = b; i < e; ++i) chars += (static_cast<unsigned char>(r.out[i]) & 0xC0) != 0x80;
    if (rows++ == 0) width = chars;
    CHECK(chars == width);
  }
  CHECK(rows == 3);  // the header and two steps
}

TEST_CASE("txmath einsum --json: 0 FLOPs and 0 bytes have no intensity (null, never NaN)") {
  const result r = run("einsum 'ij,jk->ik' i=0 j=0 k=0 --json");
  CAPTURE(r.out);
  REQUIRE(r.status == 0);
  const auto v = txmath::json::parse(r.out);
  CHECK(v["flops"].as_double() == 0.0);
  CHECK(v["intensity"].is_null());
  CHECK(r.out.find("nan") == std::string::npos);
  const result t = run("einsum 'ij,jk->ik' i=0 j=0 k=0");
  CHECK(has(t, "intensity (FLOP/byte)  undefined (0 FLOPs)"));
  CHECK(t.out.find("nan") == std::string::npos);
  CHECK(t.out.find("inf") == std::string::npos);
}
