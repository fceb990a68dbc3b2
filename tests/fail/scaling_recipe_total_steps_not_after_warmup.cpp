// expect: txmath_error_recipe_total_steps_must_exceed_warmup_steps
// The cosine decay needs steps after the warmup.
#include <txmath/recipe.hpp>
constexpr double lr = txmath::lr_at({.max_lr = 1e-3, .warmup_steps = 2000, .total_steps = 1000}, 10);
int main() { return 0; }
