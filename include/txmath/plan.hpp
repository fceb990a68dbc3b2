#pragma once
// The layout search: for a model, a system, a GPU count, a sequence length and a global
// batch, every training layout (layout.hpp) of exactly that many GPUs is costed by the step
// model (step_time.hpp); those that do not fit in HBM minus a reserve are dropped; the rest
// are ranked by step time.
//
//   const txmath::step_model m(txmath::presets::llama_3_1_405b, {.seq = 8192, .global_batch = 2048});
//   const auto r = txmath::plan(m, txmath::find_system("dgx-h100"), {.gpus = 16384, .top = 5});
//   r.layouts[0].layout.tp, r.layouts[0].estimate.step_seconds, r.evaluated
//
// Searched (a dimension given in plan_options is fixed instead):
// - tp: divisors of the GPU count that divide the attention heads;
// - cp: divisors of what tp leaves that divide the sequence;
// - pp: divisors of what tp x cp leave, at most the layers; dp is what remains, and must
//   divide the global batch;
// - micro-batch: divisors of global_batch / dp up to max_micro_batch; interleave: 1, 2, 3, 4,
//   6 or 8 model chunks per stage (pp > 1, pp x interleave <= layers, micro-batches a
//   multiple of pp as Megatron's interleaved schedule needs);
// - ep: divisors of dp that divide the experts (MoE models); ZeRO 0-3 (dp > 1);
// - recompute none / selective / full; sequence parallelism on and off (tp > 1).
// FlashAttention is on unless fixed off (off is never faster nor smaller).
// Memory: HBM x (1 - memory_reserve) must hold the training state and the activations; the
// reserve (10% by default: CUDA context, NCCL buffers, allocator fragmentation) is stated
// with the result. Activations are computed once per (tp, cp, pp, interleave, recompute,
// sequence parallel) at one sequence per micro-batch and scaled by the micro-batch: every
// tensor activation_memory.hpp keeps is proportional to the tokens of a micro-batch (dropless
// routing); the test checks the scaled figure against step_model::evaluate.
// Speed: a layer's times are computed once per (tp, cp, micro-batch, ep, sequence parallel,
// recompute) and reused for every pp split, interleave and ZeRO stage; a layout then costs a
// few dozen floating-point operations and a handful of exact ones (its state bytes).
#include <cstdint>
#include <string>
#include <vector>

#include <txmath/core/count.hpp>
#include <txmath/core/error.hpp>
#include <txmath/layout.hpp>
#include <txmath/step_time.hpp>
#include <txmath/system.hpp>

TXMATH_DEFINE_ERROR(txmath_error_plan_gpu_count_does_not_factor, invalid_argument)

namespace txmath {

struct plan_options {
  count gpus = 0;
  std::uint64_t top = 5;            // layouts returned, best first (at most 1000)
  double memory_reserve = 0.10;     // fraction of HBM held back
  std::uint64_t max_micro_batch = 64;
  // Fixed dimensions (0: searched).
  count tp = 0, pp = 0, dp = 0, ep = 0, cp = 0, micro_batch = 0, interleave = 0;
  int recompute_mode = -1;          // -1: searched; else a txmath::recompute value
  int sequence_parallel = -1;       // -1: searched; 0 off; 1 on
  int zero = -1;                    // -1: searched; else 0-3
  bool flash_attention = true;
  // Called now and then with the share of the search done (0..1); may be null.
  void (*progress)(double done, void* context) = nullptr;
  void* progress_context = nullptr;
};

struct plan_entry {
  training_layout layout{};
  step_estimate estimate{};
};

struct plan_result {
  std::vector<plan_entry> layouts;  // best first
  std::uint64_t evaluated = 0;      // layouts costed (memory, and time when they fit)
  std::uint64_t fitting = 0;        // of those, the ones that fit in memory
  bytes memory_budget{};            // per GPU: HBM minus the reserve
};

class layout_search {
 public:
  layout_search(const step_model& m, const system_spec& s, const plan_options& o) : m_(m), s_(s), o_(o) { check(); }

  [[nodiscard]] plan_result run() const;

 private:
  using layer_times = step_model::layer_times;
  void check() const;
  [[nodiscard]] static std::vector<count> divisors(count n, count limit);
  [[nodiscard]] std::vector<count> choices(count fixed, count n, count limit) const;
  void search_split(training_layout l, plan_result& r) const;    // tp, cp, pp fixed
  void search_layer(training_layout l, plan_result& r) const;    // + micro-batch, ep, sp, recompute
  void keep(const training_layout& l, const step_estimate& e, plan_result& r) const;

  const step_model& m_;
  const system_spec& s_;
  plan_options o_;
  // Activations at one sequence per micro-batch, per (interleave, recompute, sp) of the
  // current (tp, cp, pp): filled lazily in search_layer.
  mutable bytes act_[6][3][2]{};
  mutable bool act_known_[6][3][2]{};
};

inline constexpr std::uint64_t interleave_choices[] = {1, 2, 3, 4, 6, 8};

inline void layout_search::check() const {
  auto fail = [](const std::string& why) {
    detail::throw_error<invalid_argument>([&] { return "txmath: plan: " + why; });
  };
  if (o_.gpus == 0 || o_.gpus > count(std::uint64_t{1} << 24))
    fail("--gpus = " + o_.gpus.to_string() + " must be in [1, 16777216]");
  if (o_.top == 0 || o_.top > 1000) fail("--top = " + std::to_string(o_.top) + " must be in [1, 1000]");
  if (!(o_.memory_reserve >= 0 && o_.memory_reserve < 1))
    fail("the memory reserve " + std::to_string(o_.memory_reserve) + " must be in [0, 1)");
  const count fixed = (o_.tp == 0 ? count(1) : o_.tp) * (o_.pp == 0 ? count(1) : o_.pp) *
                      (o_.cp == 0 ? count(1) : o_.cp) * (o_.dp == 0 ? count(1) : o_.dp);
  const bool all = o_.tp != 0 && o_.pp != 0 && o_.cp != 0 && o_.dp != 0;
  if (o_.gpus % fixed != 0 || (all && fixed != o_.gpus))
    TXMATH_FAIL(txmath_error_plan_gpu_count_does_not_factor, invalid_argument,
                "txmath: plan: --gpus " + o_.gpus.to_string() + " does not factor as tp x pp x cp x dp with the given " +
                    "sizes (their product is " + fixed.to_string() + ")");
  // A fully fixed layout must suit the model: say why not.
  if (all && o_.ep != 0 && o_.micro_batch != 0 && o_.interleave != 0 && o_.recompute_mode >= 0 &&
      o_.sequence_parallel >= 0 && o_.zero >= 0)
    m_.check({.tp = o_.tp, .pp = o_.pp, .dp = o_.dp, .ep = o_.ep, .cp = o_.cp, .micro_batch = o_.micro_batch,
              .interleave = o_.interleave, .recompute_mode = static_cast<recompute>(o_.recompute_mode),
              .sequence_parallel = o_.sequence_parallel == 1, .zero = static_cast<std::uint8_t>(o_.zero),
              .flash_attention = o_.flash_attention});
  else {  // fixed sizes alone must suit it too
    const training_layout probe{.tp = o_.tp == 0 ? count(1) : o_.tp, .pp = o_.pp == 0 ? count(1) : o_.pp,
                                .dp = o_.ep == 0 ? count(1) : o_.ep, .ep = o_.ep == 0 ? count(1) : o_.ep,
                                .cp = o_.cp == 0 ? count(1) : o_.cp};
    const layout_problem p = m_.problem(probe);
    if (p == layout_problem::tp_heads || p == layout_problem::pp_layers || p == layout_problem::ep_experts ||
        p == layout_problem::cp_seq)
      m_.check(probe);
  }
}

// Divisors of n up to limit, ascending (n at most 2^24: trial division is enough).
inline std::vector<count> layout_search::divisors(count n, count limit) {
  std::vector<count> d;
  for (std::uint64_t i = 1; count(i) * count(i) <= n; ++i) {
    if (n % i != 0) continue;
    d.push_back(i);
    if (n / i != count(i)) d.push_back(n / i);
  }
  std::vector<count> out;
  for (count x : d)
    if (x <= limit) out.push_back(x);
  for (std::size_t i = 1; i < out.size(); ++i)  // insertion sort: a few dozen at most
    for (std::size_t j = i; j > 0 && out[j] < out[j - 1]; --j) std::swap(out[j], out[j - 1]);
  return out;
}

// The fixed value if it divides n, else nothing; or every divisor of n up to limit.
inline std::vector<count> layout_search::choices(count fixed, count n, count limit) const {
  if (fixed != 0) return n % fixed == 0 ? std::vector<count>{fixed} : std::vector<count>{};
  return divisors(n, limit);
}

inline plan_result layout_search::run() const {
  plan_result r;
  const double hbm = s_.gpu.memory.to_double();
  r.memory_budget = bytes(static_cast<std::uint64_t>(hbm * (1 - o_.memory_reserve)));
  const model_config& m = m_.model();
  const auto tps = choices(o_.tp, o_.gpus, count(m.attention.n_heads));
  double done = 0;
  for (count tp : tps) {
    if (count(m.attention.n_heads) % tp != 0) continue;
    for (count cp : choices(o_.cp, o_.gpus / tp, m_.options().seq)) {
      if (m_.options().seq % cp != 0) continue;
      for (count pp : choices(o_.pp, o_.gpus / (tp * cp), count(m.n_layers))) {
        const count dp = o_.gpus / (tp * cp * pp);
        if ((o_.dp != 0 && dp != o_.dp) || m_.options().global_batch % dp != 0) continue;
        search_split({.tp = tp, .pp = pp, .dp = dp, .cp = cp, .flash_attention = o_.flash_attention}, r);
      }
      if (o_.progress) o_.progress(done / static_cast<double>(tps.size()), o_.progress_context);
    }
    done += 1;
  }
  if (o_.progress) o_.progress(1.0, o_.progress_context);
  return r;
}

// tp, cp, pp and dp are set: the rest.
inline void layout_search::search_split(training_layout l, plan_result& r) const {
  for (auto& a : act_known_)
    for (auto& b : a)
      for (bool& c : b) c = false;
  const model_config& m = m_.model();
  const count experts = m.is_moe() ? count(m.moe.n_experts) : count(1);
  for (count mb : choices(o_.micro_batch, m_.options().global_batch / l.dp, count(o_.max_micro_batch))) {
    l.micro_batch = mb;
    for (count ep : choices(o_.ep, l.dp, experts)) {
      if (experts % ep != 0) continue;
      l.ep = ep;
      for (int sp = 0; sp < 2; ++sp) {
        if ((o_.sequence_parallel >= 0 && sp != o_.sequence_parallel) || (sp == 1 && l.tp == 1 && o_.sequence_parallel < 0))
          continue;
        l.sequence_parallel = sp == 1;
        for (int rc = 0; rc < 3; ++rc) {
          if (o_.recompute_mode >= 0 && rc != o_.recompute_mode) continue;
          l.recompute_mode = static_cast<recompute>(rc);
          search_layer(l, r);
        }
      }
    }
  }
}

// Everything but interleave and ZeRO is set: one layer's times serve them all.
inline void layout_search::search_layer(training_layout l, plan_result& r) const {
  l.interleave = 1;
  l.zero = 0;
  if (m_.problem(l) != layout_problem::none) return;
  double head = 0;
  const layer_times t = m_.layer(s_, l, head);
  const int rc = static_cast<int>(l.recompute_mode), sp = l.sequence_parallel ? 1 : 0;
  // Interleaving needs pp > 1, pp x v <= layers, and the micro-batches in groups of pp.
  const bool can_interleave = l.pp > 1 && (m_.options().global_batch / (l.dp * l.micro_batch)) % l.pp == 0;
  for (std::size_t vi = 0; vi < 6; ++vi) {
    const count v = interleave_choices[vi];
    if ((o_.interleave != 0 && v != o_.interleave) || (v > 1 && (!can_interleave || l.pp * v > count(m_.model().n_layers))))
      continue;
    l.interleave = v;
    if (!act_known_[vi][rc][sp]) {
      training_layout one = l;
      one.micro_batch = 1;
      act_[vi][rc][sp] = m_.activations_.peak(m_.options().seq, one).kept.total();
      act_known_[vi][rc][sp] = true;
    }
    const bytes act = act_[vi][rc][sp] * l.micro_batch;
    for (int z = 0; z < 4; ++z) {
      if ((o_.zero >= 0 && z != o_.zero) || (z > 0 && l.dp == 1 && o_.zero < 0)) continue;
      l.zero = static_cast<std::uint8_t>(z);
      ++r.evaluated;
      if (m_.state_bytes(l) + act > r.memory_budget) continue;
      ++r.fitting;
      keep(l, m_.finish(s_, l, t, head, act), r);
    }
  }
}

// Ranking: the shorter step, then the smaller memory (ties: the earlier found).
inline bool faster(const step_estimate& a, const step_estimate& b) {
  return a.step_seconds < b.step_seconds || (a.step_seconds == b.step_seconds && a.memory_per_gpu < b.memory_per_gpu);
}

// Keeps the best o_.top layouts, best first.
inline void layout_search::keep(const training_layout& l, const step_estimate& e, plan_result& r) const {
  auto& v = r.layouts;
  if (v.size() == o_.top && !faster(e, v.back().estimate)) return;
  if (v.size() == o_.top) v.pop_back();
  std::size_t at = v.size();
  while (at > 0 && faster(e, v[at - 1].estimate)) --at;
  v.insert(v.begin() + static_cast<std::ptrdiff_t>(at), plan_entry{l, e});
}

// The search, best first.
[[nodiscard]] inline plan_result plan(const step_model& m, const system_spec& s, const plan_options& o) {
  return layout_search(m, s, o).run();
}

}  // namespace txmath
