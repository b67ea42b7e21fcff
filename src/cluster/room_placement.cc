#include "cluster/room_placement.h"

#include <algorithm>

namespace aegis::cluster {

std::string RoomKey(std::string_view room) { return "aegis:room:" + std::string(room); }

std::optional<std::string> LeastLoaded(const std::vector<NodeRecord>& live) {
  const NodeRecord* best = nullptr;
  auto share = [](const NodeRecord& n) {
    return n.max_participants > 0 ? static_cast<double>(n.participants) / static_cast<double>(n.max_participants)
                                   : 1.0;
  };
  for (const auto& n : live) {
    if (best == nullptr) {
      best = &n;
      continue;
    }
    const double a = share(n), b = share(*best);
    if (a < b || (a == b && (n.worker_busy < best->worker_busy ||
                             (n.worker_busy == best->worker_busy && n.id < best->id)))) {
      best = &n;
    }
  }
  if (best == nullptr) return std::nullopt;
  return best->id;
}

namespace {

bool IsLive(const std::vector<NodeRecord>& live, std::string_view id) {
  return std::any_of(live.begin(), live.end(), [&](const NodeRecord& n) { return n.id == id; });
}

Result<RespReply, std::string> Checked(Result<RespReply, std::string> reply, const char* what) {
  if (!reply.ok()) return Err{std::string(what) + ": " + reply.error()};
  if (reply.value().type == RespReply::Type::kError) {
    return Err{std::string(what) + ": Redis answered " + reply.value().text};
  }
  return reply;
}

}  // namespace

Result<std::string, std::string> PlaceRoom(RedisClient& redis, std::string_view room,
                                           const std::vector<NodeRecord>& live, std::chrono::milliseconds ttl) {
  auto candidate = LeastLoaded(live);
  if (!candidate) return Err{std::string("no live node to place the room on")};
  const std::string key = RoomKey(room);
  const std::string px = std::to_string(ttl.count());
  // A few rounds: each either settles the room or saw another node change
  // it in between (then the next round reads what that node did).
  for (int round = 0; round < 5; ++round) {
    auto set = Checked(redis.Command({"SET", key, *candidate, "NX", "PX", px}), "placing the room");
    if (!set.ok()) return Err{set.error()};
    if (set.value().IsOk()) return *candidate;

    auto watch = Checked(redis.Command({"WATCH", key}), "placing the room");
    if (!watch.ok()) return Err{watch.error()};
    auto holder = Checked(redis.Command({"GET", key}), "placing the room");
    if (!holder.ok()) return Err{holder.error()};
    if (holder.value().type == RespReply::Type::kNil) {  // expired in between: SET NX again
      (void)redis.Command({"UNWATCH"});
      continue;
    }
    if (IsLive(live, holder.value().text)) {
      (void)redis.Command({"UNWATCH"});
      return holder.value().text;
    }
    // Its node is gone: move it, unless someone else did since the WATCH.
    if (auto multi = Checked(redis.Command({"MULTI"}), "moving the room"); !multi.ok()) return Err{multi.error()};
    if (auto queued = Checked(redis.Command({"SET", key, *candidate, "PX", px}), "moving the room"); !queued.ok()) {
      return Err{queued.error()};
    }
    auto exec = Checked(redis.Command({"EXEC"}), "moving the room");
    if (!exec.ok()) return Err{exec.error()};
    if (exec.value().type == RespReply::Type::kArray) return *candidate;  // nil: another node moved it first
  }
  return Err{std::string("placing the room: it kept changing under us (five rounds)")};
}

Result<bool, std::string> RenewRoom(RedisClient& redis, std::string_view room, std::string_view node_id,
                                    std::chrono::milliseconds ttl) {
  const std::string key = RoomKey(room);
  const std::string id(node_id);
  const std::string px = std::to_string(ttl.count());
  // Compare and renew in one step (a script runs atomically).
  auto reply = Checked(redis.Command({"EVAL",
                                      "if redis.call('GET', KEYS[1]) == ARGV[1] then "
                                      "return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end",
                                      "1", key, id, px}),
                       "renewing the room");
  if (!reply.ok()) return Err{reply.error()};
  return reply.value().type == RespReply::Type::kInteger && reply.value().integer == 1;
}

}  // namespace aegis::cluster
