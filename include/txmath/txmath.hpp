#pragma once
// Everything txmath offers (except the opt-in <txmath/boost.hpp>).
#include <txmath/core.hpp>
#include <txmath/einsum.hpp>
#include <txmath/model.hpp>
#include <txmath/recipe.hpp>
#include <txmath/scaling.hpp>
