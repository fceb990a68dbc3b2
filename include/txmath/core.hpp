#pragma once
// The exact numerics everything else stands on.
#include <txmath/config.hpp>
#include <txmath/core/count.hpp>
#include <txmath/core/decimal.hpp>
#include <txmath/core/dtype.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/format.hpp>
#include <txmath/core/math.hpp>
#include <txmath/core/quantity.hpp>
