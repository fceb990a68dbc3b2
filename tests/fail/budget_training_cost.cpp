// expect: training cost \$1\.67M > budget \$1\.00M \(by \$666\.67K\)
// expect-gcc-c++20: txmath_budget_exceeded<txmath_text<[0-9]+>\{"training cost \$1\.67M > budget \$1\.00M \(by \$666\.67K\)"\}>
// expect-clang-c++20: txmath_budget_exceeded<txmath_text<24UL>\{"training cost \$1\.67M > "\}, txmath_text<28UL>\{"budget \$1\.00M \(by \$666\.67K\)"\}>
// expect-clang-c++2c: static assertion failed due to requirement '.*': txmath: budget exceeded: training cost \$1\.67M > budget \$1\.00M \(by \$666\.67K\)
// Narayanan et al. 2021's GPT-3 run, 2,929,687.5 s on 1024 GPUs = 833,333.3 GPU-hours; at
// $2 per GPU-hour, $1,666,666.67: over a $1M budget by $666,666.67.
#include <txmath/budget.hpp>

using namespace txmath;

constexpr seconds wall(2'929'687.5);
TXMATH_BUDGET(budgets::training_cost(wall, 1024, 2.0) <= dollars{1e6});
