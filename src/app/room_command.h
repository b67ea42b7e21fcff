// `aegis room policy`: show or set a room's policy in the data folder.
//
//   aegis room policy --room R [--e2ee required|optional] [--max-participants N] [--data DIR]
//
// Without --e2ee / --max-participants it prints the current policy. The
// server reads the policy at every join, so a change applies to the next
// join without a restart. Every change is recorded in the audit log.
// Exit codes: 0 done; 2 bad usage; 1 the data folder could not be used.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "app/token_command.h"
#include "base/random.h"

namespace aegis::app {

CommandOutput RunRoomCommand(std::span<const std::string_view> args, RandomSource& random, int64_t now_unix_s);

}  // namespace aegis::app
