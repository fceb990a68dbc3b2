#pragma once
// Shared by the libFuzzer target (fuzz_hf_config.cpp) and the always-built replay test
// (tests/test_hf_config_fuzz_replay.cpp): runs one input through the config.json loader and
// checks the invariants. The only acceptable failure is a txmath::invalid_argument whose
// message starts with "txmath: "; anything else escapes (libFuzzer reports it as a crash),
// and a config that loads must be one the rest of the library accepts without error.
#include <stdexcept>
#include <string>
#include <string_view>

#include <txmath/flops.hpp>
#include <txmath/hf_config.hpp>
#include <txmath/kv_cache.hpp>
#include <txmath/params.hpp>

namespace txmath_fuzz {

inline void require_hf(bool ok, const std::string& what) {
  if (!ok) throw std::logic_error("hf_config fuzz invariant broken: " + what);
}

// Returns true when the input loaded.
inline bool check_hf_config(std::string_view text) {
  txmath::hf_config c;
  try {
    c = txmath::parse_hf_config(text, "fuzz.json");
  } catch (const txmath::invalid_argument& e) {
    const std::string_view what = e.what();
    require_hf(what.substr(0, 18) == "txmath: fuzz.json:", "message without the source prefix: " + std::string(what));
    return false;
  }
  // A loaded config is valid, and the library's sums over it neither overflow nor fail.
  txmath::validate(c.model);
  require_hf(!c.model_type.empty(), "empty model_type");
  const auto p = txmath::param_count(c.model);
  require_hf(p.total.value() > txmath::count(0), "zero parameters");
  require_hf(p.active <= p.total, "active exceeds total");
  (void)txmath::kv_cache_bytes(c.model, txmath::count(4096), 1);
  // What `txmath report` computes per step at its defaults fits 128 bits for any accepted
  // config (the loader's size limits are chosen for that).
  const auto step = txmath::flops_per_step(c.model, {.seq_len = 4096, .batch = 8});
  require_hf(step.training.total >= step.forward.total, "training below forward");
  (void)txmath::decode_step_flops(c.model, 4096, 8);
  return true;
}

}  // namespace txmath_fuzz
