// `aegis serve`: the server program (src/server), on embedded defaults.
#pragma once

#include <string_view>
#include <vector>

namespace aegis::app {

// Runs until SIGINT/SIGTERM; returns the exit code.
int RunServe(const std::vector<std::string_view>& args);

}  // namespace aegis::app
