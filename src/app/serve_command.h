// `aegis serve`: the server program (src/server), on embedded defaults.
#pragma once

#include <string_view>
#include <vector>

#include "server/test_hooks.h"

namespace aegis::app {

// Runs until SIGINT/SIGTERM; returns the exit code. `test_hooks` is only
// set by aegis-test-server.
int RunServe(const std::vector<std::string_view>& args, server::ConferenceTestHooks* test_hooks = nullptr);

}  // namespace aegis::app
