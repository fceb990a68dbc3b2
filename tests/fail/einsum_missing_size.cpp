// expect: txmath_error_einsum_missing_size_for_index
#include <txmath/einsum.hpp>
// No size for k.
constexpr auto c = txmath::cost(txmath::einsum<"ij,jk->ik">, {{U'i', 2}, {U'j', 3}});
int main() { return c.flops.value() == 0; }
