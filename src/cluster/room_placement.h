// Room placement (issue 15): a room lives on exactly one node, recorded as
// "aegis:room:<room>" -> node id with a TTL that the hosting node renews
// while the room has members. The first join places it on the least-loaded
// live node with SET NX, so two first joins through two nodes at once
// agree; a room whose node is gone from the registry is moved, again
// atomically (WATCH/MULTI), to the least-loaded live one.
//
// Not wired into `aegis serve` yet: the join path still admits every room
// on the node the client reached (docs/configuration.md, "Several nodes").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "cluster/node_record.h"
#include "cluster/redis_client.h"

namespace aegis::cluster {

std::string RoomKey(std::string_view room);  // "aegis:room:<room>"

// The node with the lowest share of its capacity in use, then the least
// busy worker, then the lowest id (so every node that sees the same
// records picks the same one). nullopt for no node.
std::optional<std::string> LeastLoaded(const std::vector<NodeRecord>& live);

// The node `room` lives on, placing or moving it as above. `live` is the
// registry as the caller last read it (ListNodes).
Result<std::string, std::string> PlaceRoom(RedisClient& redis, std::string_view room,
                                           const std::vector<NodeRecord>& live, std::chrono::milliseconds ttl);

// Renews the placement of a room this node holds; false if another node
// holds it now (or nobody).
Result<bool, std::string> RenewRoom(RedisClient& redis, std::string_view room, std::string_view node_id,
                                    std::chrono::milliseconds ttl);

}  // namespace aegis::cluster
