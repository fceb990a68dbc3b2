#pragma once
// Shared by the libFuzzer target (fuzz_einsum.cpp) and the always-built replay test
// (tests/test_einsum_fuzz_replay.cpp): runs one input through the einsum spec parser and the
// path search and checks the invariants. A broken invariant throws std::logic_error (libFuzzer
// reports the uncaught exception as a crash). Malformed input must be a txmath::invalid_argument
// whose message starts with "txmath:" and is valid UTF-8.
//
// Input: byte 0 chooses the search (bits 0-1: auto, optimal, dp, greedy; bit 2: log2_cost
// instead of count; bit 3: memory limit max_input; bits 4-6: dp's objective), the bytes up to
// the first '\n' are the spec, and the bytes after it the index sizes, one a label id in
// order, repeated cyclically: b < 200 is the size b % 8 (0 and 1 included), b >= 200 is
// 2^(b - 200), up to 2^55 (so that products pass 2^128).
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <txmath/einsum_path.hpp>

namespace txmath_fuzz {

inline void require(bool ok, const std::string& what) {
  if (!ok) throw std::logic_error("einsum fuzz invariant broken: " + what);
}

inline bool valid_utf8(std::string_view s) {
  for (std::size_t pos = 0; pos < s.size();)
    if (txmath::decode_utf8(s, pos) == 0) return false;
  return true;
}

inline void check_message(const txmath::error& e) {
  const std::string_view m = e.what();
  require(m.rfind("txmath:", 0) == 0, "message without 'txmath:': " + std::string(m));
  require(valid_utf8(m), "message is not valid UTF-8");
}

// The replay of a path in the same cost type gives the same figures; log2 figures are never
// NaN; with a size-0 index the path costs 0.
template <class Cost>
void check_path(const txmath::einsum_network& net, const txmath::path_info<Cost>& info, bool has_zero) {
  const auto again = txmath::contract_path<Cost>(net, info.path);
  require(again.opt_flops == info.opt_flops && again.naive_flops == info.naive_flops,
          "replaying the path changes its cost");
  require(info.path.size() >= 1 && info.steps.size() == info.path.size(), "a path without steps");
  if constexpr (std::is_same_v<Cost, txmath::log2_cost>) {
    require(!std::isnan(info.opt_flops.log2()) && !std::isnan(info.naive_flops.log2()), "NaN in a log2 cost");
    if (has_zero) require(info.opt_flops.is_zero(), "a size-0 index but a nonzero cost");
  } else {
    if (has_zero) require(info.opt_flops == 0 && !info.overflowed.opt_flops, "a size-0 index but a nonzero cost");
    for (std::size_t k = 0; k < info.steps.size(); ++k) {
      try {
        const auto c = txmath::step_cost(net, info, k);
        require(info.steps[k].overflowed || c.flops.value() == info.steps[k].flops, "step_cost disagrees with the path");
      } catch (const txmath::overflow_error& e) {  // (its backward FLOPs or bytes may pass 2^128)
        check_message(e);
      }
    }
  }
}

inline void search(const txmath::einsum_network& net, std::uint8_t mode, bool has_zero) {
  using namespace txmath;
  path_options opt;
  const path_optimizer o[] = {path_optimizer::auto_, path_optimizer::optimal, path_optimizer::dp, path_optimizer::greedy};
  opt.optimize = o[mode & 3];
  if (opt.optimize == path_optimizer::optimal && net.operands() > 12) opt.optimize = path_optimizer::greedy;
  if (mode & 8) opt.limit = memory_limit::max_input();
  if (opt.optimize == path_optimizer::greedy && (mode & 0x40)) {  // (the objective bits only matter to dp)
    opt.optimize = path_optimizer::random_greedy;
    opt.random.trials = 4;
    opt.random.seed = mode;
  }
  const dp_minimize m[] = {dp_minimize::exact_flops, dp_minimize::opt_einsum_flops, dp_minimize::size,
                           dp_minimize::write, dp_minimize::combo, dp_minimize::limit};
  opt.minimize = m[((mode >> 4) & 7) % 6];
  opt.combo_factor = (mode & 0x80) ? ~0u : 64;
  opt.budget.pairs = 1 << 16;  // (keeps a fuzz run fast; dp then refuses large networks)
  opt.budget.bytes = 1 << 24;
  try {
    if (mode & 4) check_path(net, contract_path<log2_cost>(net, opt), has_zero);
    else check_path(net, contract_path<count>(net, opt), has_zero);
  } catch (const invalid_argument& e) {  // dp's budget, a memory limit no order fits, > 1024 labels
    check_message(e);
  }
}

inline void check_einsum(std::string_view input) {
  using namespace txmath;
  if (input.empty() || input.size() > 2048) return;
  const auto mode = static_cast<std::uint8_t>(input[0]);
  const std::size_t nl = input.find('\n', 1);
  const std::string_view spec = input.substr(1, nl == std::string_view::npos ? std::string_view::npos : nl - 1);
  const std::string_view sizes = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);

  einsum_network net;
  try {
    net = parse_network(spec);
  } catch (const invalid_argument& e) {
    check_message(e);
    // The fixed-capacity parser rejects what the network parser rejects (and more: capacity).
    bool fixed_ok = true;
    try {
      (void)parse_einsum(spec);
    } catch (const invalid_argument& f) {
      check_message(f);
      fixed_ok = false;
    }
    require(!fixed_ok || spec.empty(), "parse_einsum accepts what parse_network rejects");
    return;
  }
  require(valid_utf8(net.str()), "the canonical spec is not valid UTF-8");
  try {  // where the fixed form holds it, both parsers read the same einsum
    require(parse_einsum(spec).str() == net.str(), "parse_einsum and parse_network disagree");
  } catch (const invalid_argument& e) {
    check_message(e);
  }
  if (net.operands() > 64) return;
  bool has_zero = false;
  for (std::size_t d = 0; d < net.n_labels(); ++d) {
    const auto b = sizes.empty() ? std::uint8_t{2} : static_cast<std::uint8_t>(sizes[d % sizes.size()]);
    const count size = b < 200 ? count(b % 8) : count::from_rep(detail::u128{1} << (b - 200 > 55 ? 55 : b - 200));
    net.set_size(net.labels[d], size);
  }
  for (const auto& t : net.inputs)
    for (auto d : t) has_zero = has_zero || net.sizes[d] == 0;
  search(net, mode, has_zero);
}

}  // namespace txmath_fuzz
