// expect: txmath_error_einsum_mismatched_sizes_for_index
#include <txmath/einsum.hpp>
constexpr auto e = txmath::einsum<"ij,jk->ik">;
// j is 3 in the first shape and 4 in the second.
constexpr auto s = txmath::sizes_from_shapes(e, {{2, 3}, {4, 5}});
int main() { return static_cast<int>(s.size()); }
