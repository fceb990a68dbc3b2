// expect: txmath_error_expert_parallel_size_must_divide_data_parallel_size
#include <txmath/parallel.hpp>
constexpr auto p = txmath::params_per_device(txmath::params(100), txmath::params(800),
                                             txmath::parallelism{.dp = 6, .ep = 4});
int main() { return 0; }
