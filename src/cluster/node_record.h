// What a node tells the others about itself through Redis (issue 15): where
// clients reach it and how loaded it is. Stored as JSON under
// "aegis:node:<id>" with a TTL the heartbeat renews, so a node that stops
// heart-beating disappears (node_registry.h). Nothing secret goes in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aegis::cluster {

struct NodeRecord {
  std::string id;                            // [A-Za-z0-9._-], 1-64 characters
  std::string signaling_url;                 // e.g. https://node1.example:443
  std::vector<std::string> media_addresses;  // the addresses its SDP candidates name
  std::string version;
  int64_t max_participants = 0;
  int64_t rooms = 0;
  int64_t participants = 0;
  double worker_busy = 0;    // busiest media worker's share of the last interval, 0-1
  int64_t updated_ms = 0;    // Unix time of this record
};

bool IsValidNodeId(std::string_view id);
std::string NodeKey(std::string_view id);  // "aegis:node:<id>"
inline constexpr std::string_view kNodeKeyPattern = "aegis:node:*";

std::string ToJson(const NodeRecord& record);
// nullopt unless every field is present with its type and the id is valid
// (the records come from Redis, which any node can write).
std::optional<NodeRecord> NodeRecordFromJson(std::string_view json);

}  // namespace aegis::cluster
