// expect: txmath_error_einsum_index_repeated_in_output
#include <txmath/einsum.hpp>
constexpr auto bad = txmath::einsum<"ij,jk->ii">;
int main() { return 0; }
