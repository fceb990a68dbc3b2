// expect: txmath_error_einsum_no_contraction_order_fits_the_memory_limit
#include <txmath/einsum_path.hpp>
// A chain whose smallest pairwise result has 4 elements cannot fit a limit of 1 in dp.
constexpr auto p = txmath::contract_path(txmath::einsum<"ab,bc,cd,de->ae">,
    {{U'a', 2}, {U'b', 2}, {U'c', 2}, {U'd', 2}, {U'e', 2}},
    {.optimize = txmath::path_optimizer::dp, .limit = txmath::memory_limit::of(1)});
int main() { return p.n_steps == 0; }
