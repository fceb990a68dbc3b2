#pragma once
// The exact numerics everything else stands on.
#include <txmath/config.hpp>
#include <txmath/core/count.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/math.hpp>
