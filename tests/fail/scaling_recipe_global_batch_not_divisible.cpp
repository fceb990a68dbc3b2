// expect: txmath_error_recipe_global_batch_not_divisible_by_micro_batch_times_data_parallel
// 1000 sequences cannot be split into micro-batches of 3 on 8 data-parallel ranks.
#include <txmath/recipe.hpp>
constexpr std::uint64_t accumulation = txmath::grad_accumulation_for(1000, 3, 8);
int main() { return 0; }
