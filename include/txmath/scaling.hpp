#pragma once
// Scaling laws and compute-optimal planning.
//
//   txmath::kaplan_loss(n) / (d) / (c_min) / (n, d)        Kaplan et al. 2020 (arXiv 2001.08361)
//   txmath::chinchilla_loss(n, d, txmath::fits::chinchilla)  Hoffmann et al. 2022, approach 3
//   txmath::compute_optimal(1e24_flop)                     20 tokens per parameter, C = 6ND
//   txmath::compute_optimal(1e24_flop, txmath::fits::epoch2024)   closed form from a fit
//   txmath::compute_optimal_for(n)                         the budget at which n is optimal
//   txmath::check_training(n, d)                           under-, over- or compute-optimal
//   txmath::nearest_config(n, base)                        a layers x d_model shape of about n
//
// Conventions:
// - Training compute is C = 6 N D (Kaplan section 2.1, Hoffmann section 3). Planning functions
//   take the factor as `flops_per_param_token` for recipes that count more.
// - N in Kaplan's laws counts non-embedding parameters (Kaplan section 1.3); N in the
//   parametric fits counts all parameters, embeddings included (Hoffmann appendix F).
// - D is the number of training tokens seen (one epoch). Losses are nats per token on each
//   paper's own data and tokenizer (WebText2 for Kaplan, MassiveText for Hoffmann): they are
//   not comparable across papers.
// - Plans are estimates, so they are real-valued quantities (approx_params, ...).
#include <cstdint>
#include <string>
#include <string_view>

#include <txmath/core/count.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/format.hpp>
#include <txmath/core/math.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/model.hpp>
#include <txmath/params.hpp>

TXMATH_DEFINE_ERROR(txmath_error_scaling_input_must_be_positive_and_finite, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_scaling_shape_search_needs_a_dense_standard_attention_base, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_scaling_shape_search_head_dim_and_max_layers_must_be_positive, invalid_argument)

namespace txmath {

using approx_params = quantity<dims::param, double>;
using approx_tokens = quantity<dims::token, double>;
using approx_flops = quantity<dims::flop, double>;

// Kaplan's compute unit: 1e15 FLOP/s for a day (Kaplan section 1.3).
inline constexpr double flops_per_pf_day = 8.64e19;
// Training FLOPs per parameter per token: 2 forward, 4 backward (Kaplan section 2.1).
inline constexpr double training_flops_per_param_token = 6.0;

namespace detail {
constexpr double scaling_positive(double v, const char* what) {
  if (!(v > 0) || !math::isfinite(v))
    TXMATH_FAIL(txmath_error_scaling_input_must_be_positive_and_finite, invalid_argument,
                std::string("txmath: scaling: ") + what + " = " + format_sci(v).str() +
                    "; pass a positive, finite number");
  return v;
}
template <class D, class R>
constexpr double scaling_positive(quantity<D, R> q, const char* what) {
  return scaling_positive(q.to_double(), what);
}
}  // namespace detail

// ---- Kaplan et al. 2020 -------------------------------------------------------------------

// Single-variable laws L(X) = (X_c / X)^alpha_X and the critical batch size.
struct kaplan_fit {
  double n_c;          // non-embedding parameters
  double alpha_n;
  double d_c;          // tokens
  double alpha_d;
  double c_min_c;      // PF-days
  double alpha_c_min;
  double b_star;       // tokens
  double alpha_b;
};

// The compute-efficient frontier, X_opt = X_e * (C_min / 1 PF-day)^p_X (Kaplan table 6).
struct kaplan_frontier {
  double n_e, p_n;  // parameters
  double d_e, p_d;  // tokens (one epoch)
  double b_e, p_b;  // critical batch, tokens
  double s_e, p_s;  // minimum steps
};

namespace fits {
// Equations (1.1)-(1.4), repeated in tables 4 and 5. Table 5 rounds B* to 2.1e8; figure 1
// labels the compute frontier (C_min / 2.3e8)^-0.050, the text and table 5 say 3.1e8 PF-days.
inline constexpr kaplan_fit kaplan2020{8.8e13, 0.076, 5.4e13, 0.095, 3.1e8, 0.050, 2e8, 0.21};
// Table 2: the joint fit of equation (1.5) to early-stopped L(N, D) runs (section 4.2); the
// constants section 4 uses for overfitting, equation (4.4).
inline constexpr kaplan_fit kaplan2020_joint{6.4e13, 0.076, 1.8e13, 0.103, 3.1e8, 0.050, 2e8, 0.21};
// Table 6.
inline constexpr kaplan_frontier kaplan2020_frontier{1.3e9, 0.73, 2e10, 0.27, 2.0e6, 0.24, 5.4e3, 0.03};
}  // namespace fits

// L(N): converged loss of a model of n non-embedding parameters, data unlimited (eq. 1.1).
template <class R>
constexpr double kaplan_loss(quantity<dims::param, R> n, const kaplan_fit& f = fits::kaplan2020) {
  return math::pow(f.n_c / detail::scaling_positive(n, "n (non-embedding parameters)"), f.alpha_n);
}
// L(D): early-stopped loss of a large model on d tokens (eq. 1.2).
template <class R>
constexpr double kaplan_loss(quantity<dims::token, R> d, const kaplan_fit& f = fits::kaplan2020) {
  return math::pow(f.d_c / detail::scaling_positive(d, "d (tokens)"), f.alpha_d);
}
// L(C_min): loss at optimally allocated compute c_min, given in FLOPs (eq. 1.3, PF-days).
template <class R>
constexpr double kaplan_loss(quantity<dims::flop, R> c_min, const kaplan_fit& f = fits::kaplan2020) {
  const double pf_days = detail::scaling_positive(c_min, "c_min (FLOPs)") / flops_per_pf_day;
  return math::pow(f.c_min_c / pf_days, f.alpha_c_min);
}
// L(N, D) = [(N_c / N)^(alpha_N / alpha_D) + D_c / D]^alpha_D (eq. 1.5).
template <class R1, class R2>
constexpr double kaplan_loss(quantity<dims::param, R1> n, quantity<dims::token, R2> d,
                             const kaplan_fit& f = fits::kaplan2020) {
  const double nn = detail::scaling_positive(n, "n (non-embedding parameters)");
  const double dd = detail::scaling_positive(d, "d (tokens)");
  return math::pow(math::pow(f.n_c / nn, f.alpha_n / f.alpha_d) + f.d_c / dd, f.alpha_d);
}

// Overfitting, L(N, D) / L(N, inf) - 1 (eqs. 4.2-4.3).
template <class R1, class R2>
constexpr double kaplan_overfit(quantity<dims::param, R1> n, quantity<dims::token, R2> d,
                                const kaplan_fit& f = fits::kaplan2020) {
  const double nn = detail::scaling_positive(n, "n (non-embedding parameters)");
  const double dd = detail::scaling_positive(d, "d (tokens)");
  return math::pow(1.0 + math::pow(nn / f.n_c, f.alpha_n / f.alpha_d) * f.d_c / dd, f.alpha_d) - 1.0;
}
// The fewest tokens that keep kaplan_overfit(n, d) within `tolerance` (Kaplan uses 0.02, the
// seed-to-seed variation of the loss, to get eq. 4.4: D >~ 5e3 N^0.74).
template <class R>
constexpr approx_tokens kaplan_tokens_to_avoid_overfit(quantity<dims::param, R> n, double tolerance = 0.02,
                                                       const kaplan_fit& f = fits::kaplan2020) {
  const double nn = detail::scaling_positive(n, "n (non-embedding parameters)");
  const double x = math::pow(1.0 + detail::scaling_positive(tolerance, "tolerance"), 1.0 / f.alpha_d) - 1.0;
  return approx_tokens(math::pow(nn / f.n_c, f.alpha_n / f.alpha_d) * f.d_c / x);
}

// Critical batch size at a given loss, B_crit = B* / L^(1 / alpha_B) (eqs. 1.4, 5.3).
constexpr approx_tokens kaplan_critical_batch(double loss, const kaplan_fit& f = fits::kaplan2020) {
  return approx_tokens(f.b_star / math::pow(detail::scaling_positive(loss, "loss"), 1.0 / f.alpha_b));
}

// The compute-efficient allocation for c_min FLOPs (table 6). A run at the critical batch
// size spends C = 2 C_min (section 5.1), so pass half the budget of such a run.
struct kaplan_allocation {
  approx_params n;      // non-embedding parameters
  approx_tokens d;      // tokens, one epoch
  approx_tokens batch;  // critical batch size
  double steps;         // minimum number of optimizer steps
};
template <class R>
constexpr kaplan_allocation kaplan_optimal(quantity<dims::flop, R> c_min,
                                           const kaplan_frontier& f = fits::kaplan2020_frontier) {
  const double c = detail::scaling_positive(c_min, "c_min (FLOPs)") / flops_per_pf_day;
  return {approx_params(f.n_e * math::pow(c, f.p_n)), approx_tokens(f.d_e * math::pow(c, f.p_d)),
          approx_tokens(f.b_e * math::pow(c, f.p_b)), f.s_e * math::pow(c, f.p_s)};
}

// Kaplan's model size, eq. (2.1): N = 2 d_model n_layer (2 d_attn + d_ff), without
// embeddings, biases and norms; = 12 n_layer d_model^2 when d_attn = d_model, d_ff = 4 d_model.
// It assumes multi-head attention and a two-matrix FFN: for GQA or gated FFNs use
// param_count(m).non_embedding() (<txmath/params.hpp>).
constexpr params kaplan_params_estimate(const model_config& m) {
  const count d_attn = count(m.attention.n_heads) * count(m.head_dim());
  return params(count(2) * count(m.d_model) * count(m.n_layers) * (count(2) * d_attn + count(m.ffn.d_ff)));
}
// The rule of thumb 12 n_layer d_model^2.
constexpr params params_12ld2(std::uint64_t n_layers, std::uint64_t d_model) {
  return params(count(12) * count(n_layers) * count(d_model) * count(d_model));
}

// ---- Parametric fits: L(N, D) = E + A / N^alpha + B / D^beta -------------------------------

struct parametric_fit {
  double E;      // irreducible loss, nats per token
  double A;      // model-size term
  double B;      // data term
  double alpha;  // exponent of N
  double beta;   // exponent of D
};

namespace fits {
// Hoffmann et al. 2022, approach 3, as printed: eq. (10), appendix D.2, p. 25.
inline constexpr parametric_fit chinchilla{1.69, 406.4, 410.7, 0.34, 0.28};
// The same fit before rounding (from the paper's TeX source; fitted in log space, hence the
// exponentials), as Besiroglu et al. 2024 use it: epoch-research/analyzing-chinchilla,
// data_analysis.ipynb. The rounding visibly moves the optimum (compare the exponents).
inline constexpr parametric_fit chinchilla_unrounded{math::exp(0.5267228), math::exp(6.0073404),
                                                     math::exp(6.0179186), 0.33917084, 0.2849083};
// Besiroglu, Erdil, Barnett, You 2024 (arXiv 2404.10102), the refit of approach 3 on data
// reconstructed from Hoffmann's figure 4; values as printed by their notebook
// (data_analysis.ipynb, "Parameter estimates and their standard errors"); the paper's table
// rounds them to E 1.82, A 482.01, B 2085.43, alpha 0.3478, beta 0.3658.
inline constexpr parametric_fit epoch2024{1.81686, 482.00572, 2085.43420, 0.34781, 0.36585};
}  // namespace fits

namespace detail {
constexpr const parametric_fit& checked(const parametric_fit& f) {
  scaling_positive(f.A, "fit.A");
  scaling_positive(f.B, "fit.B");
  scaling_positive(f.alpha, "fit.alpha");
  scaling_positive(f.beta, "fit.beta");
  return f;
}
}  // namespace detail

template <class R1, class R2>
constexpr double chinchilla_loss(quantity<dims::param, R1> n, quantity<dims::token, R2> d,
                                 const parametric_fit& f = fits::chinchilla) {
  const double nn = detail::scaling_positive(n, "n (parameters)");
  const double dd = detail::scaling_positive(d, "d (tokens)");
  return f.E + f.A / math::pow(nn, f.alpha) + f.B / math::pow(dd, f.beta);
}

// The loss of n parameters trained on all of budget c: D = c / (6 n), an iso-FLOP curve.
template <class R1, class R2>
constexpr double iso_flop_loss(quantity<dims::flop, R1> c, quantity<dims::param, R2> n,
                               const parametric_fit& f = fits::chinchilla,
                               double flops_per_param_token = training_flops_per_param_token) {
  const double cc = detail::scaling_positive(c, "c (FLOPs)");
  const double nn = detail::scaling_positive(n, "n (parameters)");
  return chinchilla_loss(approx_params(nn), approx_tokens(cc / (flops_per_param_token * nn)), f);
}

// A plan: n parameters trained on d tokens for c = flops_per_param_token * n * d FLOPs.
struct allocation {
  approx_params n;
  approx_tokens d;
  approx_flops c;
  constexpr double tokens_per_param() const { return d.value() / n.value(); }
};

constexpr double chinchilla_loss(const allocation& a, const parametric_fit& f = fits::chinchilla) {
  return chinchilla_loss(a.n, a.d, f);
}

// Exponents of the compute-optimal frontier, N_opt ~ C^a and D_opt ~ C^b (a + b = 1), and
// the constant G of N_opt = G (C/6)^a, D_opt = G^-1 (C/6)^b (Hoffmann eq. 4, appendix D.2).
constexpr double optimal_exponent_n(const parametric_fit& f) { return f.beta / (f.alpha + f.beta); }
constexpr double optimal_exponent_d(const parametric_fit& f) { return f.alpha / (f.alpha + f.beta); }
constexpr double optimal_g(const parametric_fit& f) {
  detail::checked(f);
  return math::pow(f.alpha * f.A / (f.beta * f.B), 1.0 / (f.alpha + f.beta));
}

// A fixed ratio of tokens to parameters. 20 is the rule read off Hoffmann's table 3
// (approach 1); with C = 6 N D it gives N = sqrt(C / 120).
struct ratio_rule {
  double tokens_per_param = 20.0;
};
inline constexpr ratio_rule chinchilla_rule{20.0};

// The compute-optimal split of budget c: minimises the fit's loss subject to C = 6 N D.
template <class R>
constexpr allocation compute_optimal(quantity<dims::flop, R> c, const parametric_fit& f,
                                     double flops_per_param_token = training_flops_per_param_token) {
  const double cc = detail::scaling_positive(c, "c (FLOPs)");
  const double k = cc / detail::scaling_positive(flops_per_param_token, "flops_per_param_token");
  const double g = optimal_g(f);
  return {approx_params(g * math::pow(k, optimal_exponent_n(f))),
          approx_tokens(math::pow(k, optimal_exponent_d(f)) / g), approx_flops(cc)};
}
// The split of budget c at a fixed ratio: N = sqrt(C / (6 r)), D = r N.
template <class R>
constexpr allocation compute_optimal(quantity<dims::flop, R> c, ratio_rule r = chinchilla_rule,
                                     double flops_per_param_token = training_flops_per_param_token) {
  const double cc = detail::scaling_positive(c, "c (FLOPs)");
  const double ratio = detail::scaling_positive(r.tokens_per_param, "tokens_per_param");
  const double n = math::sqrt(cc / (detail::scaling_positive(flops_per_param_token, "flops_per_param_token") * ratio));
  return {approx_params(n), approx_tokens(ratio * n), approx_flops(cc)};
}

// The inverse: the budget (and tokens) at which a model of n parameters is compute-optimal.
template <class R>
constexpr allocation compute_optimal_for(quantity<dims::param, R> n, const parametric_fit& f,
                                         double flops_per_param_token = training_flops_per_param_token) {
  const double nn = detail::scaling_positive(n, "n (parameters)");
  const double k = math::pow(nn / optimal_g(f), 1.0 / optimal_exponent_n(f));  // C / 6
  const double per = detail::scaling_positive(flops_per_param_token, "flops_per_param_token");
  return {approx_params(nn), approx_tokens(k / nn), approx_flops(per * k)};
}
template <class R>
constexpr allocation compute_optimal_for(quantity<dims::param, R> n, ratio_rule r = chinchilla_rule,
                                         double flops_per_param_token = training_flops_per_param_token) {
  const double nn = detail::scaling_positive(n, "n (parameters)");
  const double d = detail::scaling_positive(r.tokens_per_param, "tokens_per_param") * nn;
  const double per = detail::scaling_positive(flops_per_param_token, "flops_per_param_token");
  return {approx_params(nn), approx_tokens(d), approx_flops(per * nn * d)};
}

// Whether a run of n parameters on d tokens saw fewer or more tokens than the policy's
// compute-optimal D for that n. Within a factor (1 + tolerance) either way counts as optimal.
enum class training_regime : std::uint8_t { under_trained, compute_optimal, over_trained };

constexpr std::string_view name_of(training_regime r) {
  switch (r) {
    case training_regime::under_trained: return "under-trained";
    case training_regime::compute_optimal: return "compute-optimal";
    case training_regime::over_trained: return "over-trained";
  }
  return "?";
}

struct training_check {
  double tokens_per_param;          // D / N of the run
  double optimal_tokens_per_param;  // D_opt / N for this N
  double data_ratio;                // D / D_opt
  training_regime regime;
};

namespace detail {
constexpr training_check classify(double n, double d, double d_opt, double tolerance) {
  scaling_positive(tolerance, "tolerance");
  const double ratio = d / d_opt;
  const training_regime r = ratio * (1.0 + tolerance) < 1.0 ? training_regime::under_trained
                            : ratio > 1.0 + tolerance      ? training_regime::over_trained
                                                           : training_regime::compute_optimal;
  return {d / n, d_opt / n, ratio, r};
}
}  // namespace detail

template <class R1, class R2>
constexpr training_check check_training(quantity<dims::param, R1> n, quantity<dims::token, R2> d,
                                        ratio_rule r = chinchilla_rule, double tolerance = 0.25) {
  const double dd = detail::scaling_positive(d, "d (tokens)");
  const allocation opt = compute_optimal_for(n, r);
  return detail::classify(opt.n.value(), dd, opt.d.value(), tolerance);
}
template <class R1, class R2>
constexpr training_check check_training(quantity<dims::param, R1> n, quantity<dims::token, R2> d,
                                        const parametric_fit& f, double tolerance = 0.25) {
  const double dd = detail::scaling_positive(d, "d (tokens)");
  const allocation opt = compute_optimal_for(n, f);
  return detail::classify(opt.n.value(), dd, opt.d.value(), tolerance);
}

// ---- A model shape for a parameter budget -------------------------------------------------

// How nearest_config builds candidate shapes. Defaults: GPT-3's aspect ratio (d_model /
// n_layers = 12288 / 96 = 128) and head size 128; Kaplan fig. 5 finds the loss flat over
// aspect ratios of about 20 to 200.
struct shape_options {
  double aspect_ratio = 128.0;      // d_model / n_layers
  std::uint64_t head_dim = 128;     // d_model is a multiple of it; n_heads = d_model / head_dim
  double ffn_ratio = 4.0;           // d_ff / d_model (Llama's SwiGLU: 8/3)
  std::uint64_t ffn_multiple = 1;   // d_ff rounded up to a multiple of this (Llama: 256)
  std::uint64_t max_layers = 512;
  bool non_embedding = false;       // match param_count().non_embedding() (Kaplan's N), not the total
};

struct shape_match {
  model_config config;
  txmath::params n{};       // exact parameters of config, in the convention matched
  double relative_error{};  // (n - target) / target
};

// The shape closest in parameters to `target`: for every depth, the two d_model values around
// aspect_ratio x n_layers whose head count (d_model / head_dim) is a multiple of the GQA group. Everything else (vocabulary, norms, biases, tying,
// positions, FFN kind, the GQA group n_heads / n_kv_heads) comes from `base`: a dense model with
// standard attention.
template <class R>
constexpr shape_match nearest_config(quantity<dims::param, R> target, const model_config& base,
                                     const shape_options& o = {}) {
  const double want = detail::scaling_positive(target, "target (parameters)");
  detail::scaling_positive(o.aspect_ratio, "aspect_ratio");
  detail::scaling_positive(o.ffn_ratio, "ffn_ratio");
  if (base.is_moe() || base.attention.kind != attention_kind::standard)
    TXMATH_FAIL(txmath_error_scaling_shape_search_needs_a_dense_standard_attention_base, invalid_argument,
                "txmath: nearest_config: the base config is a mixture of experts or uses MLA; pass a dense "
                "base with standard (MHA/GQA/MQA) attention");
  if (o.head_dim == 0 || o.max_layers == 0 || o.ffn_multiple == 0)
    TXMATH_FAIL(txmath_error_scaling_shape_search_head_dim_and_max_layers_must_be_positive, invalid_argument,
                "txmath: nearest_config: head_dim, max_layers and ffn_multiple must be at least 1");
  const std::uint64_t group = base.attention.n_heads == 0 ? 1 : base.attention.n_heads / base.kv_heads();
  shape_match best{};
  bool found = false;
  double best_error = 0;
  for (std::uint64_t layers = 1; layers <= o.max_layers; ++layers) {
    // Head counts are multiples of the GQA group: the two around aspect_ratio x layers.
    const double ideal = o.aspect_ratio * static_cast<double>(layers) / static_cast<double>(o.head_dim * group);
    const auto lower = static_cast<std::uint64_t>(math::floor(ideal)) * group;
    bool all_above = true;
    for (std::uint64_t heads : {lower, lower + group}) {
      if (heads == 0) continue;
      model_config c = base;
      c.n_layers = layers;
      c.d_model = heads * o.head_dim;
      c.attention.n_heads = heads;
      c.attention.n_kv_heads = heads / group;
      c.attention.head_dim = o.head_dim;
      const double ff = math::ceil(o.ffn_ratio * static_cast<double>(c.d_model) / static_cast<double>(o.ffn_multiple));
      c.ffn.d_ff = static_cast<std::uint64_t>(ff) * o.ffn_multiple;
      const param_report p = param_count(c);
      const txmath::params n = o.non_embedding ? p.non_embedding() : p.total;
      const double error = (n.to_double() - want) / want;
      all_above = all_above && error > 0;
      if (!found || math::abs(error) < math::abs(best_error)) {
        best = {c, n, error};
        best_error = error;
        found = true;
      }
    }
    if (found && all_above) break;  // deeper shapes only grow
  }
  return best;
}

}  // namespace txmath
