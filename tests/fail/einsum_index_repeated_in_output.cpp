// expect: txmath_error_einsum_index_repeated_in_output
#include <txmath/einsum.hpp>
constexpr auto e = txmath::einsum<"ij,jk->ii">;
int main() { return e.operands(); }
