#pragma once
// Times of collectives on a system (system.hpp), from the alpha-beta model: a message of B
// bytes over a link of bandwidth beta costs alpha + B / beta.
//
//   const auto& s = txmath::find_system("dgx-a100");
//   txmath::all_reduce_time(s, txmath::group_in(s, 8, 1), txmath::bytes(100'000'000))
//
// Algorithms (the ring algorithms NCCL uses for large messages; parallel.hpp counts the
// same bytes):
// - reduce-scatter and all-gather of an array of B bytes over n ranks: n - 1 steps, each
//   sending B / n: (n - 1) alpha + (n - 1)/n B / beta;
// - all-reduce: a reduce-scatter then an all-gather, twice that;
// - all-to-all, B bytes held per rank before the exchange: (n - 1) alpha + (n - 1)/n B / beta;
// - point-to-point: alpha + B / beta.
// Hierarchical, when a group spans domains (k of its n ranks in each domain, n/k domains):
// the domain's k ranks first reduce-scatter inside it, then each rank all-reduces its B / k
// share with its peers in the other n/k domains (over its own NIC, all k in parallel), then
// they all-gather inside the domain. Reduce-scatter and all-gather take one of those two
// passes. All-to-all sends (k - 1)/n of its data inside the domain and (n - k)/n across it.
// beta is the system's bandwidth times its efficiency.link_fraction (the part of the link
// a collective reaches, fitted with the step-time model).
#include <txmath/core/count.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/system.hpp>

TXMATH_DEFINE_ERROR(txmath_error_collective_group_must_be_positive, invalid_argument)

namespace txmath {

// A communication group: its ranks, and how many of them share one fast domain.
struct comm_group {
  count size = 1;
  count per_domain = 1;  // divides size; = size when the whole group is in one domain
};

// The group of `size` ranks `stride` apart (Megatron numbers ranks tp fastest, then cp,
// then dp, then pp: a dp group's stride is tp * cp) on system `s`, domains filled in rank
// order: a domain of D devices holds D / stride of its ranks (at least 1, at most size).
[[nodiscard]] constexpr comm_group group_in(const system_spec& s, count size, count stride) {
  if (size == 0 || stride == 0)
    TXMATH_FAIL(txmath_error_collective_group_must_be_positive, invalid_argument,
                "txmath: a communication group needs size and stride > 0, got size = " +
                    size.to_string() + ", stride = " + stride.to_string());
  count k = s.gpus_per_domain / stride;
  if (k == 0) k = 1;
  if (k > size) k = size;
  while (size % k != 0) k -= 1;  // the ranks per domain divide the group (k >= 1 ends it)
  return {size, k};
}

namespace detail {
// The same in doubles, for the step-time model's inner loop.
struct link {
  double bandwidth, latency;
};
constexpr link intra_link(const system_spec& s) {
  return {s.intra_bandwidth * s.efficiency.link_fraction, s.intra_latency};
}
constexpr link inter_link(const system_spec& s) {
  return {s.inter_bandwidth * s.efficiency.link_fraction, s.inter_latency};
}
// One ring pass (reduce-scatter or all-gather) of an array of b bytes over n ranks.
constexpr double ring_pass(double b, double n, link l) {
  return n <= 1 ? 0.0 : (n - 1) * l.latency + (n - 1) / n * b / l.bandwidth;
}
// One reduce-scatter or all-gather over group (n, k): inside the domain, then across.
constexpr double hier_pass(const system_spec& s, double b, double n, double k) {
  return ring_pass(b, k, intra_link(s)) + ring_pass(b / k, n / k, inter_link(s));
}
constexpr double all_reduce_seconds(const system_spec& s, double b, double n, double k) {
  return 2 * hier_pass(s, b, n, k);
}
constexpr double all_gather_seconds(const system_spec& s, double b, double n, double k) {
  return hier_pass(s, b, n, k);
}
constexpr double all_to_all_seconds(const system_spec& s, double b, double n, double k) {
  if (n <= 1) return 0.0;
  const link in = intra_link(s), out = inter_link(s);
  double t = (k - 1) * in.latency + (k - 1) / n * b / in.bandwidth;
  if (n > k) t += (n - k) * out.latency + (n - k) / n * b / out.bandwidth;
  return t;
}
constexpr double p2p_seconds(const system_spec& s, double b, bool across_domains) {
  const link l = across_domains ? inter_link(s) : intra_link(s);
  return l.latency + b / l.bandwidth;
}
}  // namespace detail

// All-reduce of an array of `buffer` bytes (every rank ends with the sum).
[[nodiscard]] constexpr seconds all_reduce_time(const system_spec& s, comm_group g, bytes buffer) {
  return seconds(detail::all_reduce_seconds(s, buffer.to_double(), g.size.to_double(), g.per_domain.to_double()));
}
// Reduce-scatter of an array of `buffer` bytes (each rank keeps 1/n of the sum).
[[nodiscard]] constexpr seconds reduce_scatter_time(const system_spec& s, comm_group g, bytes buffer) {
  return seconds(detail::all_gather_seconds(s, buffer.to_double(), g.size.to_double(), g.per_domain.to_double()));
}
// All-gather into an array of `buffer` bytes (each rank holds 1/n of it before).
[[nodiscard]] constexpr seconds all_gather_time(const system_spec& s, comm_group g, bytes buffer) {
  return seconds(detail::all_gather_seconds(s, buffer.to_double(), g.size.to_double(), g.per_domain.to_double()));
}
// All-to-all: each rank holds `buffer` bytes and keeps 1/n of them.
[[nodiscard]] constexpr seconds all_to_all_time(const system_spec& s, comm_group g, bytes buffer) {
  return seconds(detail::all_to_all_seconds(s, buffer.to_double(), g.size.to_double(), g.per_domain.to_double()));
}
// One message from one device to another.
[[nodiscard]] constexpr seconds p2p_time(const system_spec& s, bytes message, bool across_domains) {
  return seconds(detail::p2p_seconds(s, message.to_double(), across_domains));
}

}  // namespace txmath
