// Einsum parsing and pairwise cost. Expected values come from the textbook formulas (a matmul
// of m x k by k x n is 2mkn FLOPs, reads mk + kn and writes mn elements), from opt_einsum's
// flop_count convention, and from algebraic identities (backward of a matmul = 2 x forward).
#include <doctest/doctest.h>

#include <string>

#include <txmath/einsum.hpp>

using namespace txmath;

namespace {
std::string error_of(std::string_view spec) {
  try {
    (void)parse_einsum(spec);
  } catch (const txmath::invalid_argument& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("parse: explicit, implicit, traces, scalars, non-ASCII") {
  constexpr auto mm = einsum<"btd,df->btf">;
  static_assert(mm.operands() == 2 && mm.n_labels == 4 && mm.output.rank == 3);
  // Implicit output: indices seen once, by code point ("ij,jk" -> "ik"; "ba" -> "ab").
  static_assert(parse_einsum("ij,jk").output.rank == 2);
  CHECK(parse_einsum("ij,jk").str() == "ij,jk->ik");
  CHECK(parse_einsum("ba").str() == "ba->ab");
  CHECK(parse_einsum("ii").str() == "ii->");  // a trace: i appears twice
  CHECK(parse_einsum("ii->").str() == "ii->");
  CHECK(parse_einsum(",ab->ab").str() == ",ab->ab");  // a scalar operand
  CHECK(parse_einsum("ᭈx,xᭉ->ᭈᭉ").str() == "ᭈx,xᭉ->ᭈᭉ");
  std::string rt = "bqhd,bkhd->bhqk";  // not a constant
  CHECK(parse_einsum(rt).str() == rt);
}

TEST_CASE("parse errors name the spec, the position and the problem") {
  CHECK(error_of("->") == "txmath: einsum spec '->' at position 0: no operands before '->' (write at least one input)");
  CHECK(error_of("ij,jk->il").find("position 8: output index 'l' appears in no input") != std::string::npos);
  CHECK(error_of("ij,jk->ii").find("position 8: index 'i' is repeated in the output") != std::string::npos);
  CHECK(error_of("i1,jk->ik").find("position 1: '1' is not an index letter") != std::string::npos);
  CHECK(error_of("ab...").find("'...' broadcasting is not supported") != std::string::npos);
  CHECK(error_of("a->b->c").find("more than one '->'") != std::string::npos);
  CHECK(error_of("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q").find("more than 16 operands") != std::string::npos);
  CHECK_THROWS_WITH_AS(cost(parse_einsum("ij,jk->ik"), {{'i', 2}, {'j', 3}}),
                       "txmath: einsum 'ij,jk->ik': no size given for index 'k'", txmath::invalid_argument);
  CHECK_THROWS_WITH_AS(sizes_from_shapes(parse_einsum("ij,jk->ik"), {{2, 3}, {4, 5}}),
                       "txmath: einsum 'ij,jk->ik': index 'j' has size 3 and 4", txmath::invalid_argument);
}

TEST_CASE("matmul: 2mkn FLOPs, bytes of the three matrices, backward = 2 x forward") {
  constexpr auto c = cost(einsum<"btd,df->btf">, {{'b', 8}, {'t', 1024}, {'d', 4096}, {'f', 14336}});
  constexpr count m = 8 * 1024, k = 4096, n = 14336;
  static_assert(c.flops.value() == 2 * m * k * n);
  static_assert(c.macs == m * k * n);
  static_assert(c.bytes_read.value() == 2 * (m * k + k * n));  // bf16
  static_assert(c.bytes_written.value() == 2 * m * n);
  static_assert(c.backward_flops.value() == 2 * c.flops.value());
  CHECK(c.arithmetic_intensity().value() ==
        doctest::Approx((2.0 * 8192 * 4096 * 14336) / (2.0 * (8192.0 * 4096 + 4096.0 * 14336 + 8192.0 * 14336))));

  // The same at run time from non-constant sizes and shapes.
  volatile int t = 1024;
  const auto spec = parse_einsum(std::string("btd,df->btf"));
  const auto s = sizes_from_shapes(spec, {{8, t, 4096}, {4096, 14336}});
  const auto r = cost(spec, s, einsum_dtypes::uniform(dtype::fp32));
  CHECK(r.flops == c.flops);
  CHECK(r.bytes_read.value() == 4 * (m * k + k * n));
  // A frozen weight (operand 1) needs no gradient: only dX is computed.
  CHECK(cost(spec, s, {}, 0b01).backward_flops.value() == c.flops.value());
}

TEST_CASE("attention and the scaling book's worked FLOP counts") {
  // Q K^T: 2 * B * H * Q * K * D.
  constexpr auto qk = cost(einsum<"bqhd,bkhd->bhqk">, {{'b', 2}, {'q', 512}, {'k', 512}, {'h', 16}, {'d', 64}});
  static_assert(qk.flops.value() == count(2) * 2 * 512 * 512 * 16 * 64);
  // Seed 003, question 3: A[I,J,K,L] * B[I,J,M,N,O] -> C[K,L,M,N,O] is 2 * IJKLMNO.
  constexpr auto q3 = cost(einsum<"ijkl,ijmno->klmno">, {{'i', 2}, {'j', 3}, {'k', 4}, {'l', 5}, {'m', 6}, {'n', 7}, {'o', 8}});
  static_assert(q3.flops.value() == count(2) * 2 * 3 * 4 * 5 * 6 * 7 * 8);
}

TEST_CASE("opt_einsum's convention: nothing summed is 1 x product; traces; scalars") {
  // Outer product and Hadamard product: 1 FLOP per output element.
  static_assert(cost(einsum<"i,j->ij">, {{'i', 3}, {'j', 5}}).flops.value() == 15);
  static_assert(cost(einsum<"ij,ij->ij">, {{'i', 3}, {'j', 5}}).flops.value() == 15);
  static_assert(cost(einsum<"i,j->ij">, {{'i', 3}, {'j', 5}}).macs == 0);
  // Dot product: 2n. Trace: flop_count({i}, inner, 1 term) = 2n. Sum of a vector: 2n.
  static_assert(cost(einsum<"i,i->">, {{'i', 7}}).flops.value() == 14);
  static_assert(cost(einsum<"ii->">, {{'i', 7}}).flops.value() == 14);
  static_assert(cost(einsum<"ii->">, {{'i', 7}}).bytes_read.value() == 2 * 49);  // reads the matrix
  // Three operands, nothing summed: (3 - 1) x product.
  static_assert(cost(einsum<"i,i,i->i">, {{'i', 7}}).flops.value() == 14);
  // Scaling by a scalar operand.
  static_assert(cost(einsum<",ij->ij">, {{'i', 3}, {'j', 5}}).flops.value() == 15);
}

TEST_CASE("backward: gradient einsums, broadcasts are free") {
  // d(scalar) = "ij,ij->" (2ij), d(matrix) = ",ij->ij" (ij).
  static_assert(cost(einsum<",ij->ij">, {{'i', 3}, {'j', 5}}).backward_flops.value() == 30 + 15);
  // "ij,jk->k": dA = broadcast of "jk,k->j" over i: 2jk; dB = "ij,k->jk": sums i: 2ijk.
  static_assert(cost(einsum<"ij,jk->k">, {{'i', 3}, {'j', 5}, {'k', 7}}).backward_flops.value() ==
                2 * 5 * 7 + 2 * 3 * 5 * 7);
  // A reduction's gradient is a pure broadcast of the scalar: one step over no index.
  static_assert(cost(einsum<"ij->">, {{'i', 3}, {'j', 5}}).backward_flops.value() == 1);
  // Trace: d(A) = d(out) * identity, a broadcast.
  static_assert(cost(einsum<"ii->">, {{'i', 7}}).backward_flops.value() == 1);
  // Batched matmul: 2 x forward.
  constexpr auto bmm = cost(einsum<"bij,bjk->bik">, {{'b', 4}, {'i', 3}, {'j', 5}, {'k', 7}});
  static_assert(bmm.backward_flops.value() == 2 * bmm.flops.value());
}
