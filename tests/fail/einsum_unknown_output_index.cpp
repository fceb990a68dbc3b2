// expect: txmath_error_einsum_output_index_not_in_any_input
#include <txmath/einsum.hpp>
constexpr auto e = txmath::einsum<"ij,jk->il">;
int main() { return e.operands(); }
