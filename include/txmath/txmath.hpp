#pragma once
// Everything txmath offers (except the opt-in <txmath/boost.hpp>).
#include <txmath/core.hpp>
#include <txmath/einsum.hpp>
#include <txmath/einsum_path.hpp>
#include <txmath/einsum_shard.hpp>
#include <txmath/model.hpp>
#include <txmath/flops.hpp>
#include <txmath/megatron.hpp>
#include <txmath/activations.hpp>
#include <txmath/activation_memory.hpp>
#include <txmath/hardware.hpp>
#include <txmath/kv_cache.hpp>
#include <txmath/memory.hpp>
#include <txmath/parallel.hpp>
#include <txmath/recipe.hpp>
#include <txmath/scaling.hpp>
#include <txmath/hf_config.hpp>
