#pragma once
// Budgets the compiler explains: a figure, or a sum of labelled figures, checked against a
// limit in a constant expression, with a message that gives the numbers.
//
//   using namespace txmath;
//   TXMATH_BUDGET(term("KV cache", kv) + term("weights", w) <= limit(16_GiB));
//
// fails to compile with
//   KV cache 8.00 GiB + weights 14.96 GiB = 22.96 GiB > budget 16.00 GiB (by 6.96 GiB)
// in the diagnostic of both compilers. The same expression works at run time: it is a
// `budget_check` whose `holds` says whether the budget holds and whose `message` says why.
//
// The figures are bytes, flops, params, tokens, seconds (any representation), dollars and
// plain counts; the terms of a sum and the limit must be of one kind (bytes against bytes).
// The terms of a sum print in one unit with two decimals so that they add up as printed;
// the margin prints in its own unit (format_fixed.hpp). An upper bound is `<=` (the default
// limit label is "budget"), a lower bound `>=` ("minimum"). Counts compare exactly; a
// double on either side compares as doubles; a figure that is not finite fails the budget.
//
// How the message reaches the diagnostic (measured with g++-12 and clang++-19):
// - C++26 (P2741, `static_assert(cond, msg)` with a constant-expression message; clang-19
//   with -std=c++2c defines __cpp_static_assert = 202306L there, 201411L with -std=c++20):
//   "static assertion failed: txmath: budget exceeded: KV cache 8.00 GiB + ...".
// - C++20: the message becomes template arguments of class type, char arrays holding exactly
//   their characters and a '\0', and instantiating `txmath_budget_exceeded<...>` fails. Both
//   compilers print such an argument as a string literal (`txmath_text<83>{"KV cache ..."}`).
//   clang-19 prints a char array padded with zeros, or one whose '\0' was not written
//   explicitly, as character codes ({75, 86, 32, ...}), and cuts a string argument longer than
//   36 characters to 34 and "[...]": on clang the message goes in pieces of at most 32.
// Budgets over the library's own results (memory per device, FLOPs per step, training time
// and cost, serving concurrency, a layout's step time and memory per GPU) are in
// txmath::budgets below; any other function that returns one of the figure
// types plugs in as `term("label", f(...))`.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <txmath/activation_memory.hpp>
#include <txmath/activations.hpp>
#include <txmath/core/count.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/format_fixed.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/flops.hpp>
#include <txmath/hardware.hpp>
#include <txmath/kv_cache.hpp>
#include <txmath/memory.hpp>
#include <txmath/parallel.hpp>
#include <txmath/params.hpp>

TXMATH_DEFINE_ERROR(txmath_error_budget_sum_has_more_than_8_terms, invalid_argument)

namespace txmath {

// An amount of US dollars (hardware.hpp's run_cost returns it as a plain double).
struct dollars {
  double amount = 0;

  [[nodiscard]] constexpr double value() const { return amount; }
  friend constexpr dollars operator+(dollars a, dollars b) { return {a.amount + b.amount}; }
  friend constexpr bool operator==(dollars, dollars) = default;
};

namespace detail {

enum class figure_kind : std::uint8_t { bytes, flops, params, tokens, seconds, dollars, count, other };

template <class D>
constexpr figure_kind kind_of_dimension() {
  if constexpr (std::is_same_v<D, dims::byte>) return figure_kind::bytes;
  else if constexpr (std::is_same_v<D, dims::flop>) return figure_kind::flops;
  else if constexpr (std::is_same_v<D, dims::param>) return figure_kind::params;
  else if constexpr (std::is_same_v<D, dims::token>) return figure_kind::tokens;
  else if constexpr (std::is_same_v<D, dims::second>) return figure_kind::seconds;
  else return figure_kind::other;
}

constexpr const figure_style& style_of(figure_kind k) {
  switch (k) {
    case figure_kind::bytes: return byte_style;
    case figure_kind::flops: return flop_style;
    case figure_kind::params: return param_style;
    case figure_kind::tokens: return token_style;
    case figure_kind::seconds: return second_style;
    case figure_kind::dollars: return dollar_style;
    default: return count_style;
  }
}

// What a budget needs of a figure type: its kind, whether it is exact, and its value.
template <class Q>
struct figure_traits {
  static constexpr figure_kind kind = figure_kind::other;
};
template <class D, class R>
struct figure_traits<quantity<D, R>> {
  static constexpr figure_kind kind = kind_of_dimension<D>();
  static constexpr bool exact = std::is_same_v<R, count>;
  static constexpr count exact_value(quantity<D, R> q) requires exact { return q.value(); }
  static constexpr double approx(quantity<D, R> q) { return q.to_double(); }
};
template <>
struct figure_traits<count> {
  static constexpr figure_kind kind = figure_kind::count;
  static constexpr bool exact = true;
  static constexpr count exact_value(count c) { return c; }
  static constexpr double approx(count c) { return c.to_double(); }
};
template <builtin_integer I>
struct figure_traits<I> {
  static constexpr figure_kind kind = figure_kind::count;
  static constexpr bool exact = true;
  static constexpr count exact_value(I i) { return count(i); }
  static constexpr double approx(I i) { return static_cast<double>(i); }
};
template <>
struct figure_traits<dollars> {
  static constexpr figure_kind kind = figure_kind::dollars;
  static constexpr bool exact = false;
  static constexpr double approx(dollars d) { return d.amount; }
};

template <class Q>
concept budget_figure = figure_traits<Q>::kind != figure_kind::other;
template <class A, class B>
concept same_figure_kind = budget_figure<A> && budget_figure<B> && figure_traits<A>::kind == figure_traits<B>::kind;

}  // namespace detail

// A labelled figure: term("KV cache", kv_cache_bytes(m, 8192, 8)).
template <detail::budget_figure Q>
struct budget_term {
  std::string_view label;
  Q value{};
};
template <detail::budget_figure Q>
[[nodiscard]] constexpr budget_term<Q> term(std::string_view label, Q value) {
  return {label, value};
}
template <detail::budget_figure Q>
[[nodiscard]] constexpr budget_term<Q> term(Q value) {
  return {"", value};
}

// A limit, optionally labelled: limit(80_GiB) prints "budget 80.00 GiB" (or "minimum ..."
// under >=), limit("H100 SXM", gpu.memory) prints "H100 SXM 80.00 GiB".
template <detail::budget_figure Q>
struct budget_limit {
  std::string_view label;
  Q value{};
};
template <detail::budget_figure Q>
[[nodiscard]] constexpr budget_limit<Q> limit(Q value) {
  return {"", value};
}
template <detail::budget_figure Q>
[[nodiscard]] constexpr budget_limit<Q> limit(std::string_view label, Q value) {
  return {label, value};
}

// A sum of up to 8 labelled figures of one type: term("a", x) + term("b", y) + ...
template <detail::budget_figure Q>
class budget_sum {
 public:
  static constexpr std::size_t max_terms = 8;

  constexpr budget_sum() = default;
  constexpr budget_sum(const budget_term<Q>& t) { add(t); }  // NOLINT: a term is a sum of one

  constexpr budget_sum& add(const budget_term<Q>& t) {
    if (size_ == max_terms)
      TXMATH_FAIL(txmath_error_budget_sum_has_more_than_8_terms, invalid_argument,
                  "txmath: a budget sums at most 8 terms; '" + std::string(t.label) +
                      "' would be the 9th (group terms into one)");
    terms_[size_++] = t;
    // A figure that is not finite becomes the total (no NaN arithmetic: clang rejects it in
    // constant evaluation); the budget then fails and says "not finite".
    using traits = detail::figure_traits<Q>;
    if (!detail::is_finite(traits::approx(t.value))) total_ = t.value;
    else if (detail::is_finite(traits::approx(total_))) total_ = total_ + t.value;
    return *this;
  }
  [[nodiscard]] constexpr std::size_t size() const { return size_; }
  [[nodiscard]] constexpr const budget_term<Q>& operator[](std::size_t i) const { return terms_[i]; }
  [[nodiscard]] constexpr Q total() const { return total_; }

  friend constexpr budget_sum operator+(budget_sum s, const budget_term<Q>& t) { return s.add(t); }

 private:
  budget_term<Q> terms_[max_terms]{};
  std::size_t size_ = 0;
  Q total_{};
};

template <detail::budget_figure Q>
[[nodiscard]] constexpr budget_sum<Q> operator+(const budget_term<Q>& a, const budget_term<Q>& b) {
  return budget_sum<Q>(a).add(b);
}

// A budget's verdict and its message, e.g. "KV cache 8.00 GiB > budget 1.00 GiB (by 7.00 GiB)"
// or "... <= budget 80.00 GiB (57.04 GiB to spare)". Structural (all members public): in
// C++20 a failed check travels to the diagnostic as a template argument.
struct budget_check {
  static constexpr std::size_t message_capacity = 512;
  bool holds = false;
  fixed_text<message_capacity> message{};

  constexpr explicit operator bool() const { return holds; }
  // What TXMATH_BUDGET prints: "txmath: budget exceeded: " and the message.
  [[nodiscard]] constexpr fixed_text<message_capacity + 32> diagnostic() const {
    fixed_text<message_capacity + 32> t;
    t.append("txmath: budget exceeded: ").append(message.view());
    return t;
  }
};

enum class budget_relation : std::uint8_t { at_most, at_least };

namespace detail {

// Writes a budget's message: the terms, their total, the relation, the limit, the margin.
template <class Q, class L>
class budget_writer {
 public:
  constexpr budget_writer(const budget_sum<Q>& s, budget_relation r, const budget_limit<L>& l)
      : sum_(s), relation_(r), limit_(l) {}

  [[nodiscard]] constexpr budget_check check() {
    budget_check c;
    c.holds = holds();
    const double total = figure_traits<Q>::approx(sum_.total()), lim = figure_traits<L>::approx(limit_.value);
    const figure_unit shared = pick_unit(max_magnitude(total, lim), style_);
    write_terms(c.message, shared);
    write_relation(c.message, c.holds);
    write_limit(c.message, shared, lim);
    write_margin(c.message, c.holds, total, lim);
    return c;
  }

 private:
  [[nodiscard]] constexpr bool holds() const {
    const Q t = sum_.total();
    if constexpr (figure_traits<Q>::exact && figure_traits<L>::exact) {
      const count a = figure_traits<Q>::exact_value(t), b = figure_traits<L>::exact_value(limit_.value);
      return relation_ == budget_relation::at_most ? a <= b : a >= b;
    } else {
      const double a = figure_traits<Q>::approx(t), b = figure_traits<L>::approx(limit_.value);
      if (!is_finite(a) || !is_finite(b)) return false;
      return relation_ == budget_relation::at_most ? a <= b : a >= b;
    }
  }
  static constexpr double max_magnitude(double a, double b) {
    return magnitude(a) > magnitude(b) ? magnitude(a) : magnitude(b);
  }
  // A figure in the shared unit, or in its own when the shared one would print a nonzero
  // figure as 0.00 (512 B beside 1 MiB prints "512 B", not "0.00 MiB").
  template <std::size_t C>
  constexpr void write_labelled(fixed_text<C>& t, std::string_view label, double x, const figure_unit& u) const {
    if (!label.empty()) t.append(label).append(' ');
    const bool vanishes = !u.whole && x != 0.0 && is_finite(x) && hundredths(magnitude(x) / u.scale) == 0;
    append_figure(t, x, vanishes ? pick_unit(magnitude(x), style_) : u, style_);
  }
  template <std::size_t C>
  constexpr void write_terms(fixed_text<C>& t, const figure_unit& u) const {
    for (std::size_t i = 0; i < sum_.size(); ++i) {
      if (i != 0) t.append(" + ");
      write_labelled(t, sum_[i].label, figure_traits<Q>::approx(sum_[i].value), u);
    }
    if (sum_.size() > 1) {
      t.append(" = ");
      append_figure(t, figure_traits<Q>::approx(sum_.total()), u, style_);
    }
  }
  template <std::size_t C>
  constexpr void write_relation(fixed_text<C>& t, bool ok) const {
    if (relation_ == budget_relation::at_most) t.append(ok ? " <= " : " > ");
    else t.append(ok ? " >= " : " < ");
  }
  template <std::size_t C>
  constexpr void write_limit(fixed_text<C>& t, const figure_unit& u, double lim) const {
    std::string_view label = limit_.label;
    if (label.empty()) label = relation_ == budget_relation::at_most ? "budget" : "minimum";
    write_labelled(t, label, lim, u);
  }
  // "(by 6.96 GiB)" when the budget fails, "(57.04 GiB to spare)" when it holds; exact when
  // both sides are exact, so that a budget missed by one byte says "by 1 B".
  template <std::size_t C>
  constexpr void write_margin(fixed_text<C>& t, bool ok, double total, double lim) const {
    if (!is_finite(total) || !is_finite(lim)) return;
    const double margin = margin_value(total, lim);
    t.append(ok ? " (" : " (by ");
    append_figure(t, margin, pick_unit(magnitude(margin), style_), style_);
    t.append(ok ? " to spare)" : ")");
  }
  [[nodiscard]] constexpr double margin_value(double total, double lim) const {
    if constexpr (figure_traits<Q>::exact && figure_traits<L>::exact) {
      const count a = figure_traits<Q>::exact_value(sum_.total()), b = figure_traits<L>::exact_value(limit_.value);
      return (a > b ? a - b : b - a).to_double();
    } else {
      return magnitude(total - lim);
    }
  }

  const budget_sum<Q>& sum_;
  budget_relation relation_;
  const budget_limit<L>& limit_;
  const figure_style& style_ = style_of(figure_traits<Q>::kind);
};

template <class T>
struct budget_side_traits {
  static constexpr bool is_side = false;
};
template <class Q>
struct budget_side_traits<budget_term<Q>> {
  static constexpr bool is_side = true;
  using figure = Q;
};
template <class Q>
struct budget_side_traits<budget_sum<Q>> {
  static constexpr bool is_side = true;
  using figure = Q;
};
// The left of a budget: a term or a sum. The right: a limit or a bare figure of that kind.
template <class S>
concept budget_lhs = budget_side_traits<S>::is_side;

template <class L>
constexpr auto as_limit(const L& l) {
  if constexpr (budget_figure<L>) return budget_limit<L>{"", l};
  else return l;
}
template <class L>
struct limit_figure {
  using type = L;
};
template <class Q>
struct limit_figure<budget_limit<Q>> {
  using type = Q;
};
template <class S, class L>
concept budget_rhs = same_figure_kind<typename budget_side_traits<S>::figure, typename limit_figure<L>::type>;

template <class S, class L>
constexpr budget_check compare(const S& s, budget_relation r, const L& l) {
  using Q = typename budget_side_traits<S>::figure;
  const budget_sum<Q> sum(s);
  const auto lim = as_limit(l);
  return budget_writer<Q, typename limit_figure<L>::type>(sum, r, lim).check();
}

}  // namespace detail

template <detail::budget_lhs S, class L>
  requires detail::budget_rhs<S, L>
[[nodiscard]] constexpr budget_check operator<=(const S& s, const L& l) {
  return detail::compare(s, budget_relation::at_most, l);
}
template <detail::budget_lhs S, class L>
  requires detail::budget_rhs<S, L>
[[nodiscard]] constexpr budget_check operator>=(const S& s, const L& l) {
  return detail::compare(s, budget_relation::at_least, l);
}

// ---- budgets over the library's own results ---------------------------------------------
namespace budgets {

// One serving replica's memory on each of `tp` tensor-parallel devices: the weights in their
// format (the largest shard, parallel.hpp) and the KV cache of `batch` sequences of `context`
// tokens (kv_cache.hpp, KV heads split over the ranks).
[[nodiscard]] constexpr budget_sum<bytes> serving_memory(const model_config& m, count context, count batch,
                                                         const weight_format& weights = weight_formats::bf16,
                                                         dtype kv = dtype::bf16, count tp = 1) {
  const params per_device = params_per_device(param_count(m).total, params(0), parallelism{.tp = tp});
  return term("weights", weight_bytes(per_device, weights)) +
         term("KV cache", kv_cache_bytes_per_device(m, context, batch, tp, kv));
}

// One training device's memory: the training state of its parameters (memory.hpp, sharded by
// `s` over par.dp ranks) and the peak activations of the most loaded pipeline stage
// (activation_memory.hpp, derived from the lowered model: with 1F1B the first stage holds pp
// micro-batches of its layers) for micro-batches of `micro_batch` sequences. The layout's tp,
// pp, ep and sequence parallelism come from `par`; recompute and FlashAttention from `a`
// (its tensor_parallel and sequence_parallel are par's). No dropout. Parts that are zero (no
// master gradients, say) are left out of the sum.
[[nodiscard]] constexpr budget_sum<bytes> training_memory(const model_config& m, count seq, count micro_batch,
                                                          const parallelism& par = {},
                                                          const training_precision& precision = {},
                                                          sharding s = sharding::none,
                                                          const activation_options& a = {}) {
  const param_report p = param_count(m);
  const params expert = p[component::experts];
  const training_state st = training_state_per_device(p.total - expert, expert, par, precision, s);
  training_layout l;
  l.tp = par.tp, l.pp = par.pp, l.dp = par.dp, l.ep = par.ep, l.micro_batch = micro_batch;
  l.recompute_mode = a.recompute_mode, l.sequence_parallel = par.sequence_parallel;
  l.flash_attention = a.flash_attention;
  const budget_term<bytes> parts[] = {
      term("weights", st.weights), term("gradients", st.gradients), term("master weights", st.master_weights),
      term("master gradients", st.master_gradients), term("optimizer states", st.optimizer)};
  budget_sum<bytes> sum;
  for (const auto& part : parts)
    if (part.value != bytes(0)) sum.add(part);
  return sum.add(term("activations", activation_bytes_per_gpu(m, seq, l)));
}

// The FLOPs of one training step (flops.hpp): forward, backward and recomputation.
[[nodiscard]] constexpr budget_sum<flops> step_flops(const model_config& m, const flop_options& o) {
  const flop_report r = flops_per_step(m, o);
  budget_sum<flops> sum = term("forward", r.forward.total) + term("backward", r.backward.total);
  if (r.recompute.total != flops(0)) sum.add(term("recompute", r.recompute.total));
  return sum;
}

// Wall-clock time of `total` FLOPs on n devices at utilization `mfu` (hardware.hpp).
[[nodiscard]] constexpr budget_term<seconds> training_time(flops total, count n_devices, flop_rate peak_per_device,
                                                           double mfu) {
  return term("training time", txmath::training_time(total, n_devices, peak_per_device, mfu));
}

// What a run of `wall` time on n devices costs at a price per device-hour (hardware.hpp).
[[nodiscard]] constexpr budget_term<dollars> training_cost(seconds wall, count n_devices,
                                                           double dollars_per_device_hour) {
  return term("training cost", dollars{run_cost(wall, n_devices, dollars_per_device_hour)});
}

}  // namespace budgets
}  // namespace txmath

// ---- TXMATH_BUDGET: the static_assert whose failure prints the message ---------------------

// Part of a failed budget's message: exactly its characters and one '\0', which both
// compilers print as a string literal. (clang-19 prints a char array as character codes when
// its '\0' is not explicitly written, and cuts a string argument after 34 characters with
// "[...]": on clang the message travels in pieces of at most 32 characters.)
template <std::size_t N>
struct txmath_text {
  char text[N];
};

namespace txmath::detail {
#ifdef __clang__
inline constexpr std::size_t budget_piece_width = 32;
#else
inline constexpr std::size_t budget_piece_width = budget_check::message_capacity;
#endif

// Where a message is cut into pieces of at most `width` characters: preferably after an
// operator ("+ ", "= ", "> ", "<= ") or before " (", so that a label stays with its figure;
// else after the last space; else inside a word.
struct budget_pieces {
  std::size_t begin[budget_check::message_capacity]{};
  std::size_t end[budget_check::message_capacity]{};
  std::size_t n = 0;
};
constexpr bool is_preferred_cut(std::string_view m, std::size_t p) {  // a cut before m[p]
  if (p < 2 || m[p - 1] != ' ') return false;
  const char c = m[p - 2];
  return c == '+' || c == '=' || c == '>' || c == '<' || m[p] == '(';
}
constexpr std::size_t piece_end(std::string_view m, std::size_t at, std::size_t width) {
  if (m.size() - at <= width) return m.size();
  const std::size_t last = at + width;
  for (std::size_t p = last; p > at; --p)
    if (is_preferred_cut(m, p)) return p;
  for (std::size_t p = last; p > at; --p)
    if (m[p - 1] == ' ') return p;
  return last;
}
consteval budget_pieces split_message(std::string_view m, std::size_t width) {
  budget_pieces p;
  for (std::size_t at = 0; at < m.size(); ++p.n) {
    p.begin[p.n] = at;
    p.end[p.n] = at = piece_end(m, at, width);
  }
  return p;
}
template <std::size_t N>
consteval txmath_text<N> message_piece(std::string_view m, std::size_t begin) {
  txmath_text<N> t{};
  for (std::size_t i = 0; i < N; ++i) t.text[i] = i + 1 < N ? m[begin + i] : '\0';  // the '\0' written
  return t;
}
template <auto...>
inline constexpr bool never = false;
}  // namespace txmath::detail

// Instantiated only by a budget that fails: its template arguments are the message.
template <auto... Message>
struct txmath_budget_exceeded {
  static_assert(::txmath::detail::never<Message...>,
                "txmath: budget exceeded (the figures are in the template arguments of txmath_budget_exceeded)");
};

namespace txmath::detail {
template <budget_check Check>
inline constexpr budget_pieces pieces_of = split_message(Check.message.view(), budget_piece_width);

template <budget_check Check, std::size_t... I>
auto exceeded_type(std::index_sequence<I...>)
    -> txmath_budget_exceeded<message_piece<pieces_of<Check>.end[I] - pieces_of<Check>.begin[I] + 1>(
        Check.message.view(), pieces_of<Check>.begin[I])...>;

// A check that holds instantiates nothing more; one that fails instantiates
// txmath_budget_exceeded<its message> as its base class, whose static_assert stops the build.
template <budget_check Check, bool Holds = Check.holds>
struct budget_gate {
  static constexpr bool holds = true;
};
template <budget_check Check>
struct budget_gate<Check, false> : decltype(exceeded_type<Check>(std::make_index_sequence<pieces_of<Check>.n>{})) {
  static constexpr bool holds = true;  // never read: the base class fails first
};
}  // namespace txmath::detail

// TXMATH_BUDGET(check): a static_assert that the budget holds. With the C++26 message form
// (P2741) the message is the static_assert's own; in C++20 it is the template arguments of
// txmath_budget_exceeded, which budget_gate instantiates only when the budget fails.
#if defined(__cpp_static_assert) && __cpp_static_assert >= 202306L
// The check is a named constant so that it is evaluated once, not once for the condition and
// once for the message (which doubled the time of 100 budgets on clang-19).
#define TXMATH_BUDGET(...) TXMATH_BUDGET_NAMED(TXMATH_BUDGET_CAT(txmath_budget_check_, __COUNTER__), __VA_ARGS__)
#define TXMATH_BUDGET_CAT(a, b) TXMATH_BUDGET_CAT2(a, b)
#define TXMATH_BUDGET_CAT2(a, b) a##b
#define TXMATH_BUDGET_NAMED(name, ...)                   \
  static constexpr ::txmath::budget_check name = (__VA_ARGS__); \
  static_assert(name.holds, name.diagnostic())
#else
#define TXMATH_BUDGET(...) \
  static_assert(::txmath::detail::budget_gate<(__VA_ARGS__)>::holds, "txmath: budget exceeded")
#endif
