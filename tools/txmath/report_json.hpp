#pragma once
// The machine-readable `txmath report`: make_report's struct as JSON or CSV key/value rows
// (keys in the README), shared by the CLI and the web page's engine (tools/web).
#include <string>
#include <vector>

#include <txmath/report.hpp>

#include "commands.hpp"

namespace txmath::cli {

// The report of `ma` as JSON (or CSV when `csv`), with `notes` (the config reader's, then the
// report's) under "notes".
std::string report_machine_readable(const model_arg& ma, const txmath::model_report& rep,
                                    const std::vector<std::string>& notes, bool csv);

}  // namespace txmath::cli
