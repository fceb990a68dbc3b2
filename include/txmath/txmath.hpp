#pragma once
// Everything txmath offers (except the opt-in <txmath/boost.hpp>).
#include <txmath/core.hpp>
#include <txmath/einsum.hpp>
#include <txmath/einsum_path.hpp>
#include <txmath/einsum_shard.hpp>
#include <txmath/model.hpp>
