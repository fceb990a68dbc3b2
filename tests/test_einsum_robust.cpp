// The einsum engine on the inputs that used to hang, exhaust memory, overflow or slip through
// (issue 15): size-0 indices, dp beyond its budget, costs beyond 128 bits, intermediates of
// more than 16 indices, conflicting sizes, bad user paths, combo_factor = 2^32 - 1, invalid
// UTF-8. Expected values are derived by hand in the comments (FLOPs by opt_einsum's
// flop_count rule: product of the step's index sizes x (operands - 1 + 1 if an index is
// summed away)), or are algebraic identities between independent computations.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include <txmath/einsum_random.hpp>
#include <txmath/einsum_path.hpp>

using namespace txmath;

namespace {
constexpr count pow2(int k) { return count::from_rep(detail::u128{1} << k); }

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const txmath::error& e) {
    return e.what();
  }
  return "";
}

// Whether a message is strict UTF-8 throughout (the parser's own decoder, which the UTF-8
// test case below checks against hand-picked byte sequences).
bool valid_utf8(std::string_view s) {
  for (std::size_t pos = 0; pos < s.size();)
    if (decode_utf8(s, pos) == 0) return false;
  return true;
}

// A chain of n matrices, "ab,bc,...": labels from opt_einsum's get_symbol (non-ASCII past 52).
std::string chain_spec(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) s += ',';
    s += label_text(einsum_symbol(static_cast<std::uint32_t>(i))) +
         label_text(einsum_symbol(static_cast<std::uint32_t>(i + 1)));
  }
  return s + "->" + label_text(einsum_symbol(0)) + label_text(einsum_symbol(static_cast<std::uint32_t>(n)));
}
einsum_network uniform(std::string_view spec, count size) {
  einsum_network net = parse_network(spec);
  for (std::size_t d = 0; d < net.n_labels(); ++d) net.set_size(net.labels[d], size);
  return net;
}

}  // namespace

TEST_CASE("a size-0 index: the cost is 0 and the search returns at once") {
  // Any index of size 0 makes the product of all sizes 0, so the one step over every operand
  // costs 0 FLOPs, the least any order can cost: that is the path. (dp's cost cap used to
  // start at the product of the output sizes, 0, and never rise: this did not return.)
  const auto net = parse_network("ab,bc,cd,de,ef,fg,gh->ah",
                                 {{'a', 0}, {'b', 3}, {'c', 3}, {'d', 3}, {'e', 5}, {'f', 2}, {'g', 3}, {'h', 4}});
  for (auto o : {path_optimizer::dp, path_optimizer::optimal, path_optimizer::greedy, path_optimizer::auto_}) {
    const auto info = contract_path<count>(net, {.optimize = o});
    CHECK(info.path == linear_path{{0, 1, 2, 3, 4, 5, 6}});
    CHECK(info.opt_flops == 0);
    CHECK(info.naive_flops == 0);
    CHECK(info.largest_intermediate == 0);  // the output a x h holds 0 x 4 elements
    CHECK(contract_path<log2_cost>(net, {.optimize = o}).opt_flops.is_zero());
  }
  // A 12-matrix chain with one size 0, no flag (auto: dp for 11-20 operands).
  einsum_network chain = uniform(chain_spec(12), 3);
  chain.set_size(einsum_symbol(5), 0);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(contract_path<count>(chain).opt_flops == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
  // At compile time too.
  constexpr auto p = contract_path(einsum<"ab,bc,cd,de->ae">, {{'a', 2}, {'b', 0}, {'c', 3}, {'d', 4}, {'e', 5}},
                                   {.optimize = path_optimizer::dp});
  static_assert(p.opt_flops == 0 && p.n_steps == 1 && p.step_operands[0] == 4);
  // A size 1 is an ordinary size. "ab,bc,cd->ad" with a = 2, b = c = 1, d = 8: (ab,bc) then
  // (ac,cd) costs 2 x abc + 2 x acd = 4 + 32 = 36; (bc,cd) then (ab,bd) 2 x bcd + 2 x abd =
  // 16 + 32 = 48; the outer product (ab,cd) then the rest abcd + 2 x abcd = 48. Least: 36.
  const auto ones = parse_network("ab,bc,cd->ad", {{'a', 2}, {'b', 1}, {'c', 1}, {'d', 8}});
  for (auto o : {path_optimizer::dp, path_optimizer::optimal, path_optimizer::greedy})
    CHECK(contract_path<count>(ones, {.optimize = o}).opt_flops == 36);
}

TEST_CASE("dp keeps to a work budget: it refuses naming the figures, auto falls back to greedy") {
  // A 16-tensor random regular network: auto picks dp for it. With a budget of 1000 pairs dp
  // gives up; auto then returns greedy's path, and dp itself refuses, saying what it did.
  const auto net = random_network(16, 3, 2, 5);
  path_options tight{.optimize = path_optimizer::auto_};
  tight.budget.pairs = 1000;
  const auto fallback = contract_path<count>(net, tight);
  const auto greedy = contract_path<count>(net, {.optimize = path_optimizer::greedy});
  CHECK(fallback.path == greedy.path);
  CHECK(fallback.opt_flops == greedy.opt_flops);
  tight.optimize = path_optimizer::dp;
  const std::string e = error_of([&] { (void)contract_path<count>(net, tight); });
  CHECK(e.find("txmath: einsum of 16 operands: dp's search of this network is beyond its work budget") == 0);
  CHECK(e.find("budget: 1000 pairs") != std::string::npos);
  CHECK(e.find("use path_optimizer::greedy") != std::string::npos);
  // With the default budget dp finishes it, at least as cheaply as greedy.
  CHECK(contract_path<count>(net, {.optimize = path_optimizer::dp}).opt_flops <= greedy.opt_flops);

  // dp on 50 tensors used to run for minutes and end in std::bad_alloc (7 GB): now it stops
  // at its budget (by default 2^30 pairs, about 20 s; here 2^22 to keep the test short).
  const auto big = random_network(50, 3, 2, 7);
  path_options capped{.optimize = path_optimizer::dp};
  capped.budget.pairs = std::uint64_t{1} << 22;
  const auto t0 = std::chrono::steady_clock::now();
  const std::string e50 = error_of([&] { (void)contract_path<count>(big, capped); });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  MESSAGE("dp on 50 tensors refused after ", seconds, " s: ", e50);
  CHECK(e50.find("beyond its work budget: it had examined 41943") != std::string::npos);  // 2^22 = 4194304
  CHECK(seconds < 30);
  // auto_ never gives dp 50 tensors (greedy past 20), and a dp refusal under auto_ is greedy.
  CHECK(contract_path<count>(big).path == contract_path<count>(big, {.optimize = path_optimizer::greedy}).path);
  // The budget's pairs: a 3-regular random network of 30 tensors needs at most 2^24 of them
  // (the default is 2^30), so dp finishes it.
  path_options thirty{.optimize = path_optimizer::dp};
  thirty.budget.pairs = std::uint64_t{1} << 24;
  CHECK(contract_path<count>(random_network(30, 3, 2, 1), thirty).path.size() == 29);
  // A memory budget holds too.
  path_options small_memory{.optimize = path_optimizer::dp};
  small_memory.budget.bytes = 1 << 16;
  CHECK(error_of([&] { (void)contract_path<count>(big, small_memory); }).find("beyond its work budget") !=
        std::string::npos);
}

TEST_CASE("costs beyond 128 bits never block a path; the report flags them") {
  // A chain of 1000 matrices, every size 64: any order contracts two 64 x 64 matrices a step,
  // 2 x 64^3 FLOPs, so the path costs 999 x 2 x 64^3 = 523,763,712 whatever the order; the
  // naive step over all 1001 indices, 64^1001 x 1000, is far beyond 2^128.
  const auto chain = uniform(chain_spec(1000), 64);
  const auto info = contract_path<count>(chain);
  CHECK(info.path.size() == 999);
  CHECK(info.opt_flops == count(999) * 2 * 64 * 64 * 64);
  CHECK(info.largest_intermediate == 64 * 64);
  CHECK(info.overflowed.naive_flops);
  CHECK_FALSE(info.overflowed.opt_flops);
  CHECK_FALSE(info.overflowed.largest_intermediate);
  CHECK_FALSE(info.overflowed.steps);
  // log2 of the naive cost: 1001 x 6 + log2(1000), from the log2_cost replay of the same path.
  CHECK(contract_path<log2_cost>(chain, info.path).naive_flops.log2() == doctest::Approx(6006 + std::log2(1000.0)));

  // The overlap of a 20-site MPS, bond 64 (40 tensors): the naive cost is 64^38 x 2^20 x 40.
  // The zipper order (left to right: A1 B1, then each site's A_i and B_i into the environment)
  // costs by hand 2dD^2 + 18 x (2dD^3 + 2dD^3) + 2dD^2 + 2dD = 37,781,760 with d = 2, D = 64;
  // the replay of that path must say so, and auto's path (greedy at 40) may not cost more.
  const auto mps = mps_overlap(20, 2, 64);
  linear_path zipper;
  // Positions: A_i is i, B_i is 20 + i; each result goes last. Step 1: A1 B1.
  zipper.push_back(std::vector<std::size_t>{0, 20});
  for (std::size_t i = 1; i < 20; ++i) {
    // The list is now A_i..A_19 (20 - i of them), B_i..B_19, then the environment E.
    const std::size_t left = 20 - i, env = 2 * left;
    zipper.push_back(std::vector<std::size_t>{0, env});       // E with A_i -> after B's
    zipper.push_back(std::vector<std::size_t>{left - 1, 2 * left - 1});  // B_i with it
  }
  const auto z = contract_path<count>(mps, zipper);
  CHECK(z.opt_flops == 37781760);
  CHECK(z.overflowed.naive_flops);
  const auto found = contract_path<count>(mps);
  CHECK(found.path.size() == 39);
  CHECK(found.opt_flops <= z.opt_flops);
  CHECK_FALSE(found.overflowed.opt_flops);
  CHECK(contract_path<log2_cost>(mps, found.path).naive_flops.log2() ==
        doctest::Approx(38 * 6 + 20 + std::log2(40.0)));
  MESSAGE("MPS overlap, 20 sites, bond 64: zipper ", z.opt_flops.to_string(true), " FLOPs, auto (greedy) ",
          found.opt_flops.to_string(true));

  // A network whose product of sizes passes 2^128 (a 4-chain, every size N = 2^40: 5 indices,
  // 2^200): the search falls back to log2 arithmetic and the report stays exact. Each step of
  // a chain order contracts two N x N matrices, 2 N^3 = 2^121, and there are 3 of them.
  const auto wide = uniform("ab,bc,cd,de->ae", pow2(40));
  for (auto o : {path_optimizer::dp, path_optimizer::optimal, path_optimizer::greedy}) {
    const auto w = contract_path<count>(wide, {.optimize = o});
    CHECK(w.opt_flops == count(3) * pow2(121));
    CHECK_FALSE(w.overflowed.opt_flops);
    CHECK(w.overflowed.naive_flops);
  }
}

TEST_CASE("no cap of 16 indices on an intermediate, in the search or in a step's cost") {
  // The step of "abcdefghijklmnopq,q->abcdefghijklmnop", every size 2: 17 indices, q summed:
  // FLOPs 2 x 2^17, multiply-adds 2^17. Backward: dA = dOut (16 indices) x B (q) has all 17
  // indices and sums none: 2^17; dB = dOut x A sums the 16 others: 2 x 2^17. Bytes (bf16):
  // A 2^17 x 2 + B 2 x 2 read, 2^16 x 2 written.
  const auto net = uniform("abcdefghijklmnopq,q->abcdefghijklmnop", 2);
  const auto info = contract_path<count>(net);
  const einsum_cost c = step_cost(net, info, 0);
  CHECK(c.flops.value() == pow2(18));
  CHECK(c.macs == pow2(17));
  CHECK(c.backward_flops.value() == 3 * pow2(17));
  CHECK(c.bytes_read.value() == pow2(18) + 4);
  CHECK(c.bytes_written.value() == pow2(17));
  // The intermediate "jklmnopqwabcdefghiz" of 19 indices (sizes 1 make every order cost the
  // same, so optimal may form it): each step is costed without an einsum_spec.
  const auto wide = uniform("abcdefghiz,jklmnopqz,jklmnopqw->abcdefghiw", 1);
  const auto p = contract_path<count>(wide);
  for (std::size_t k = 0; k < p.steps.size(); ++k) CHECK(step_cost(wide, p, k).flops.value() == p.steps[k].flops);
  // An implicit output of 18 indices (each seen once): the fixed form says it cannot hold it
  // (found by tests/fuzz/fuzz_einsum.cpp: it used to write past its 16 slots); the network
  // form reads it.
  CHECK(error_of([] { (void)parse_einsum("abcdefghiz,jqnlpokmzw"); })
            .find("the implicit output (the indices seen once) has more than 16 indices") != std::string::npos);
  CHECK(parse_network("abcdefghiz,jqnlpokmzw").output.size() == 18);
  // Where an einsum_spec can hold the step, step_cost agrees with cost() on it.
  const auto small = parse_network("abc,bcd,de->ae", {{'a', 3}, {'b', 4}, {'c', 5}, {'d', 6}, {'e', 7}});
  const auto ps = contract_path<count>(small);
  for (std::size_t k = 0; k < ps.steps.size(); ++k) {
    index_sizes s;
    for (std::size_t d = 0; d < small.n_labels(); ++d) s.set(small.labels[d], small.sizes[d]);
    const einsum_cost want = cost(parse_einsum(ps.step_spec(k)), s);
    const einsum_cost got = step_cost(small, ps, k);
    CHECK(got.flops == want.flops);
    CHECK(got.macs == want.macs);
    CHECK(got.backward_flops == want.backward_flops);
    CHECK(got.bytes_read == want.bytes_read);
    CHECK(got.bytes_written == want.bytes_written);
  }
}

TEST_CASE("exact input rules: one size an index, paths that use every operand once") {
  CHECK(error_of([] { (void)index_sizes{{'i', 2}, {'j', 3}, {'i', 7}}; }) ==
        "txmath: index 'i' is given two sizes, 2 and 7: give each index one size");
  CHECK(index_sizes{{'i', 2}, {'i', 2}}.size() == 1);  // the same size twice is no conflict

  const auto net = parse_network("ab,bc,cd->ad", {{'a', 2}, {'b', 3}, {'c', 4}, {'d', 5}});
  CHECK(contract_path<count>(net, {{0, 1}, {0, 1}}).path.size() == 2);
  CHECK(error_of([&] { (void)contract_path<count>(net, {{0, 1}}); }) ==
        "txmath: einsum 'ab,bc,cd->ad': the path leaves 2 operands uncontracted: every operand must be used "
        "once, and the last step leave one tensor");
  CHECK(error_of([&] { (void)contract_path<count>(net, linear_path{}); }).find("(the path has no step)") !=
        std::string::npos);
  CHECK(error_of([&] { (void)contract_path<count>(net, {{}, {0, 1, 2}}); }) ==
        "txmath: einsum 'ab,bc,cd->ad': step 0 of the path is empty (a step names the operands it contracts)");
  CHECK(error_of([&] { (void)contract_path<count>(net, {{0, 1}, {0, 1}, {0}}); }) ==
        "txmath: einsum 'ab,bc,cd->ad': step 2 of the path comes after every operand has been contracted into "
        "one (remove it and the steps after it)");
  CHECK(error_of([&] { (void)contract_path<count>(net, {{0, 0}, {0, 1}}); }).find("names operand 0 but") !=
        std::string::npos);
  // A one-operand einsum needs its one step ("ii->i" takes the diagonal), unless the operand
  // already is the result (opt_einsum's path for "->" is []).
  const auto diag = parse_network("ii->i", {{'i', 3}});
  CHECK(contract_path<count>(diag, {{0}}).opt_flops == 3);
  CHECK(error_of([&] { (void)contract_path<count>(diag, linear_path{}); }).find("(the path has no step)") !=
        std::string::npos);
  CHECK(contract_path<count>(parse_network("->"), linear_path{}).opt_flops == 0);

  // combo_factor = 2^32 - 1 used to wrap (factor + 1 = 0) and blame a memory limit never set.
  // "ab,bc,cd->ad" with a=2, b=10, c=100, d=3: (ab,bc) first costs 2000 + F x 200 then
  // 600 + F x 6; (bc,cd) first 3000 + F x 30 then 60 + F x 6. With F = 2^32 - 1 the second
  // is cheaper (its intermediate is 30 elements, not 200): path [[1, 2], [0, 1]].
  const auto combo_net = parse_network("ab,bc,cd->ad", {{'a', 2}, {'b', 10}, {'c', 100}, {'d', 3}});
  path_options combo{.optimize = path_optimizer::dp, .minimize = dp_minimize::combo, .combo_factor = ~0u};
  CHECK(contract_path<count>(combo_net, combo).path == linear_path{{1, 2}, {0, 1}});
  combo.minimize = dp_minimize::limit;
  CHECK(contract_path<count>(combo_net, combo).path == linear_path{{1, 2}, {0, 1}});
  // And with F = 1 the FLOPs decide: 2600 + 206 < 3060 + 36, (ab,bc) first.
  combo = {.optimize = path_optimizer::dp, .minimize = dp_minimize::combo, .combo_factor = 1};
  CHECK(contract_path<count>(combo_net, combo).path == linear_path{{0, 1}, {0, 1}});
}

TEST_CASE("strict UTF-8: overlong forms, surrogates and code points past U+10FFFF are not letters") {
  // (RFC 3629: C0 AF is an overlong '/', ED A0 80 the surrogate U+D800, F4 90 80 80 is
  // U+110000, F5 cannot start a character, 80 cannot either, E2 82 is cut short.)
  for (std::string_view bad : {"a\xC0\xAF,b", "a\xED\xA0\x80,b", "a\xF4\x90\x80\x80,b", "a\xF5\x80\x80\x80,b",
                               "a\x80,b", "a\xE2\x82", "a\xE0\x80\x80,b", "a\xF0\x80\x80\x80,b"}) {
    const std::string e = error_of([&] { (void)parse_network(bad); });
    CAPTURE(e);
    CHECK(e.find("at position 1: '\\x") != std::string::npos);
    CHECK(e.find("is not an index letter") != std::string::npos);
    CHECK(valid_utf8(e));
    CHECK(error_of([&] { (void)parse_einsum(bad); }) == e);
  }
  // The largest code points of each length are letters: U+07FF, U+FFFF (not a surrogate),
  // U+10FFFF; and U+E000 just past the surrogates.
  CHECK(parse_network("\xDF\xBF\xEF\xBF\xBF,\xF4\x8F\xBF\xBF\xEE\x80\x80").n_labels() == 4);
  // A message never splits a character: '1' after two 2-byte letters names itself whole, and
  // the spec in the message is intact.
  const std::string e = error_of([] { (void)parse_network("\xC3\xA9\xC3\xA9,1"); });
  CHECK(e == "txmath: einsum spec '\xC3\xA9\xC3\xA9,1' at position 5: '1' is not an index letter "
             "(use a-z, A-Z or non-ASCII letters)");
  // A non-ASCII character that is not a letter (a control) is shown escaped, whole.
  CHECK(error_of([] { (void)parse_network("a\x01"); }).find("'\\x01'") != std::string::npos);
  // A network of more than 1024 indices of 2-byte letters: the spec is cut in the message at
  // a character boundary.
  const auto huge = uniform(chain_spec(1100), 2);
  const std::string h = error_of([&] { (void)contract_path<count>(huge); });
  CHECK(h.find("distinct indices; path search handles at most 1024") != std::string::npos);
  CHECK(valid_utf8(h));
}
