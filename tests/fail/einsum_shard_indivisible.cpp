// expect: txmath_error_shard_mesh_axis_does_not_divide_index
#include <txmath/einsum_shard.hpp>
// b = 6 cannot be split over X = 4 devices.
constexpr auto s = txmath::shard(txmath::einsum<"bd,df->bf">, {{U'b', 6}, {U'd', 8}, {U'f', 8}},
                                 txmath::mesh{{'X', 4}}, {{{U'b', "X"}}, {}});
int main() { return s.n_collectives != 0; }
