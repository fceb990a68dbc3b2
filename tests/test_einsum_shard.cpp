// Sharded einsums against the scaling book (seed 003: question 2 and the sharded-matmul cases).
#include <doctest/doctest.h>

#include <txmath/einsum_shard.hpp>

using namespace txmath;

namespace {
constexpr mesh tpu_mesh{{'X', 4}, {'Y', 8}, {'Z', 4}};
constexpr count B = 4096, D = 8192, F = 16384;
constexpr index_sizes bdf{{'b', B}, {'d', D}, {'f', F}};
}  // namespace

TEST_CASE("seed 003 question 2: A[B_X, D_Y] *_D W[D_Y, F] on {X: 4, Y: 8, Z: 4}") {
  constexpr auto s = shard(einsum<"bd,df->bf">, bdf, tpu_mesh, {{{'b', "X"}, {'d', "Y"}}, {{'d', "Y"}}});
  // Total 2BDF; each TPU multiplies its B/X x D/Y block by D/Y x F: 2BDF / 32 = BDF / 16.
  static_assert(s.flops.value() == 2 * B * D * F);
  static_assert(s.device_flops.value() == B * D * F / 16);
  // The result O[B_X, F]{U_Y} is unreduced over Y: one AllReduce over Y.
  static_assert(s.n_collectives == 1);
  static_assert(s.collectives[0].kind == collective_kind::all_reduce);
  static_assert(s.collectives[0].axes == 0b010);  // Y
  static_assert(s.output_axes[0] == 0b001 && s.output_axes[1] == 0);  // O[B_X, F]
  // Its array is one device's O block, (B/X) x F in bf16; a ring AllReduce sends 2 (n-1)/n of it.
  static_assert(s.collectives[0].bytes.value() == 2 * (B / 4) * F);
  static_assert(s.collectives[0].bytes_sent.value() == 2 * (B / 4) * F * 2 * 7 / 8);
  // The adds: the seed counts (B/X)(F/Y)(Y/2) x 2 = BF/4 per TPU, i.e. (n-1)/n rounded to 1;
  // we count the ring's (n-1)/n exactly.
  static_assert(s.collectives[0].flops.value() == B * F / 4 * 7 / 8);
  static_assert(s.collectives[0].flops.value() * 8 / 7 == B * F / 4);
  static_assert(s.device_total_flops().value() == B * D * F / 16 + B * F / 4 * 7 / 8);
}

TEST_CASE("scaling book case 2: a contracting index sharded on one side is AllGathered") {
  // A[I, J_X] * B[J, K]: gather A over X first, then a local matmul on full J.
  constexpr auto s = shard(einsum<"ij,jk->ik">, {{'i', 64}, {'j', 128}, {'k', 32}}, mesh{{'X', 4}},
                           {{{'j', "X"}}, {}});
  static_assert(s.n_collectives == 1 && s.collectives[0].kind == collective_kind::all_gather);
  static_assert(s.collectives[0].operand == 0 && s.collectives[0].index == U'j');
  static_assert(s.collectives[0].bytes.value() == 2 * 64 * 128);  // all of A on each device
  static_assert(s.collectives[0].bytes_sent.value() == 2 * 64 * 128 * 3 / 4);
  static_assert(s.device_flops.value() == 2 * 64 * 128 * 32);  // nothing left sharded
}

TEST_CASE("scaling book case 3: one axis cannot shard two result indices") {
  // A[I_X, J] * B[J, K_X]: K's sharding is gathered; the result is O[I_X, K].
  constexpr auto s = shard(einsum<"ij,jk->ik">, {{'i', 64}, {'j', 128}, {'k', 32}}, mesh{{'X', 4}},
                           {{{'i', "X"}}, {{'k', "X"}}});
  static_assert(s.n_collectives == 1 && s.collectives[0].kind == collective_kind::all_gather);
  static_assert(s.collectives[0].operand == 1 && s.collectives[0].index == U'k');
  static_assert(s.output_axes[0] == 1 && s.output_axes[1] == 0);
  static_assert(s.device_flops.value() == 2 * 16 * 128 * 32);
}

TEST_CASE("case 1 with ReduceScatter, batch sharding, errors") {
  // A[I, J_X] * B[J_X, K] -> ReduceScatter onto K: O[I, K_X].
  shard_options o;
  o.scatter_onto = U'k';
  const auto s = shard(parse_einsum("ij,jk->ik"), {{'i', 64}, {'j', 128}, {'k', 32}}, mesh{{'X', 4}},
                       {{{'j', "X"}}, {{'j', "X"}}}, o);
  CHECK(s.collectives[0].kind == collective_kind::reduce_scatter);
  CHECK(s.collectives[0].bytes_sent.value() == 2 * 64 * 32 * 3 / 4);
  CHECK(s.output_axes[1] == 1);
  // Data parallelism: batch on X in both, nothing to communicate, flops / 4.
  const auto dp = shard(parse_einsum("bd,df->bf"), {{'b', 64}, {'d', 128}, {'f', 32}}, mesh{{'X', 4}},
                        {{{'b', "X"}}, {}});
  CHECK(dp.n_collectives == 0);
  CHECK(dp.device_flops.value() * 4 == dp.flops.value());
  CHECK_THROWS_WITH_AS(shard(parse_einsum("bd,df->bf"), {{'b', 64}, {'d', 128}, {'f', 32}}, mesh{{'X', 4}},
                             {{{'b', "Q"}}, {}}),
                       "txmath: mesh axis 'Q' is not in the mesh (axes: X)", txmath::invalid_argument);
}
