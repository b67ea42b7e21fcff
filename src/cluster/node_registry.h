// The node registry in Redis: each node writes its NodeRecord with a TTL
// (Register, again at every heartbeat); the live nodes are the records not
// yet expired (ListNodes). See docs/architecture.md, "Several nodes".
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "base/result.h"
#include "cluster/node_record.h"
#include "cluster/redis_client.h"

namespace aegis::cluster {

// SET aegis:node:<id> <json> PX <ttl>.
Result<void, std::string> RegisterNode(RedisClient& redis, const NodeRecord& record, std::chrono::milliseconds ttl);
// DEL aegis:node:<id> (a clean stop; a crash waits out the TTL).
Result<void, std::string> DeregisterNode(RedisClient& redis, std::string_view id);
// Every live node's record, sorted by id; records that do not parse are
// skipped and counted in `malformed`.
Result<std::vector<NodeRecord>, std::string> ListNodes(RedisClient& redis, size_t* malformed = nullptr);

}  // namespace aegis::cluster
