#pragma once
// The accelerators that --gpu names: one table for `txmath report`, `txmath serve` and the web
// page. A short key ("h100") or the datasheet name ("H100 SXM"); where txmath knows the
// system a GPU ships in (system.hpp), its interconnect too.
#include <string>
#include <string_view>

#include <txmath/hardware.hpp>
#include <txmath/system.hpp>

namespace txmath::cli {

struct gpu_entry {
  const char* key;
  const txmath::accelerator* gpu;
  const txmath::system_spec* system;  // nullptr: no interconnect known
};

inline constexpr gpu_entry gpu_table[] = {
    {"a100", &txmath::accelerators::a100_sxm_80gb, &txmath::systems::dgx_a100},
    {"h100", &txmath::accelerators::h100_sxm, &txmath::systems::dgx_h100},
    {"h200", &txmath::accelerators::h200_sxm, &txmath::systems::hgx_h200},
    {"gb200", &txmath::accelerators::gb200, &txmath::systems::gb200_nvl72},
    {"tpu-v5p", &txmath::accelerators::tpu_v5p, &txmath::systems::tpu_v5p},
    {"h800", &txmath::accelerators::h800_sxm, nullptr},
    {"h800-pcie", &txmath::accelerators::h800_pcie, nullptr},
    {"b200", &txmath::accelerators::b200, nullptr},
    {"mi300x", &txmath::accelerators::mi300x, nullptr},
    {"tpu-v5e", &txmath::accelerators::tpu_v5e, nullptr},
    {"rtx4090", &txmath::accelerators::rtx_4090, nullptr}};

// The entry `name` names (its key or its datasheet name); nullptr when none does.
inline const gpu_entry* find_gpu_entry(std::string_view name) {
  for (const auto& g : gpu_table)
    if (name == g.key || name == g.gpu->name) return &g;
  return nullptr;
}

// "a100, h100, ...": the keys, for error messages.
inline std::string gpu_keys() {
  std::string list;
  for (const auto& g : gpu_table) list += (list.empty() ? "" : ", ") + std::string(g.key);
  return list;
}

}  // namespace txmath::cli
