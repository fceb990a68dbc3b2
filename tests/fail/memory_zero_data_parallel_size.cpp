// expect: txmath_error_data_parallel_size_must_be_positive
#include <txmath/memory.hpp>
constexpr auto s = txmath::training_state_bytes(txmath::params(100), {}, txmath::sharding::zero1, 0);
int main() { return 0; }
