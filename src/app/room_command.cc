#include "app/room_command.h"

#include <charconv>
#include <optional>
#include <string>

#include "signaling/messages.h"
#include "store/data_folder.h"

namespace aegis::app {
namespace {

constexpr int64_t kDefaultMaxParticipants = 64;

constexpr const char* kRoomUsage =
    "usage: aegis room policy --room R [--e2ee required|optional] [--max-participants N] [--lobby on|off]\n"
    "                         [--relay-only on|off] [--data DIR]\n"
    "  --room R               the room: 1-64 of A-Z a-z 0-9 _ -\n"
    "  --e2ee required        joins without end-to-end encryption are refused (e2ee_required)\n"
    "  --e2ee optional        the default\n"
    "  --max-participants N   at most N participants (1-257; default 64; the server's\n"
    "                         --max-participants caps it too)\n"
    "  --lobby on             joiners without the room_admin grant wait until an admin admits them\n"
    "  --lobby off            the default\n"
    "  --relay-only on        media only through the server's TURN relay: participants' own\n"
    "                         addresses never reach the media server (needs --turn-url)\n"
    "  --relay-only off       the default\n"
    "  --data DIR             data folder (default ./aegis-data)\n"
    "  with no policy option: print the room's policy\n";

CommandOutput Usage(const std::string& message) {
  return CommandOutput{2, "", "aegis room: " + message + "\n" + kRoomUsage};
}

std::string Describe(const store::RoomPolicy& p) {
  return "room " + p.room_id + ": e2ee " + (p.e2ee_required ? "required" : "optional") + ", max participants " +
         std::to_string(p.max_participants) + ", lobby " + (p.lobby ? "on" : "off") + ", relay-only " +
         (p.relay_only ? "on" : "off") + "\n";
}

}  // namespace

CommandOutput RunRoomCommand(std::span<const std::string_view> args, RandomSource& random, int64_t now_unix_s) {
  if (!args.empty() && (args[0] == "--version" || (args.size() > 1 && args[1] == "--version"))) {
    return CommandOutput{0, std::string("aegis room ") + AEGIS_VERSION + "\n", ""};
  }
  if (args.size() > 1 && (args[1] == "--help" || args[1] == "-h")) return CommandOutput{0, kRoomUsage, ""};
  if (args.empty() || args[0] == "help" || args[0] == "--help") {
    return CommandOutput{args.empty() ? 2 : 0, args.empty() ? "" : kRoomUsage, args.empty() ? kRoomUsage : ""};
  }
  if (args[0] != "policy") return Usage("unknown subcommand '" + std::string(args[0]) + "'");
  std::optional<std::string> room;
  std::optional<bool> e2ee;
  std::optional<int64_t> max_participants;
  std::optional<bool> lobby;
  std::optional<bool> relay_only;
  std::string data_dir = kDefaultDataFolder;
  for (size_t i = 1; i < args.size(); i += 2) {
    if (i + 1 >= args.size()) return Usage(std::string(args[i]) + " needs a value");
    const std::string_view flag = args[i];
    const std::string_view value = args[i + 1];
    if (flag == "--room") {
      if (!signaling::IsSafeId(value)) return Usage("invalid --room '" + std::string(value) + "'");
      room = std::string(value);
    } else if (flag == "--e2ee") {
      if (value != "required" && value != "optional") return Usage("--e2ee is required or optional");
      e2ee = value == "required";
    } else if (flag == "--max-participants") {
      int64_t n = -1;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > 257) {
        return Usage("invalid --max-participants '" + std::string(value) + "'");
      }
      max_participants = n;
    } else if (flag == "--lobby") {
      if (value != "on" && value != "off") return Usage("--lobby is on or off");
      lobby = value == "on";
    } else if (flag == "--relay-only") {
      if (value != "on" && value != "off") return Usage("--relay-only is on or off");
      relay_only = value == "on";
    } else if (flag == "--data") {
      data_dir = std::string(value);
    } else {
      return Usage("unknown option " + std::string(flag));
    }
  }
  if (!room) return Usage("--room is required");

  auto data = store::DataFolder::Open(data_dir, random, now_unix_s);
  if (!data) return CommandOutput{1, "", "aegis room: " + data.error().message + "\n"};
  auto current = data->GetRoomPolicy(*room);
  if (!current) return CommandOutput{1, "", "aegis room: " + current.error().message + "\n"};
  store::RoomPolicy policy = current->value_or(store::RoomPolicy{*room, false, kDefaultMaxParticipants});
  if (!e2ee && !max_participants && !lobby && !relay_only) return CommandOutput{0, Describe(policy), ""};
  if (e2ee) policy.e2ee_required = *e2ee;
  if (max_participants) policy.max_participants = *max_participants;
  if (lobby) policy.lobby = *lobby;
  if (relay_only) policy.relay_only = *relay_only;
  if (auto put = data->PutRoomPolicy(policy); !put) {
    return CommandOutput{1, "", "aegis room: " + put.error().message + "\n"};
  }
  if (auto logged = data->AppendAudit(now_unix_s, "cli", "room.policy", Describe(policy)); !logged) {
    return CommandOutput{1, "", "aegis room: cannot write the audit log: " + logged.error().message + "\n"};
  }
  return CommandOutput{0, Describe(policy), ""};
}

}  // namespace aegis::app
