#include "cluster/node_registry.h"

#include <algorithm>

namespace aegis::cluster {

namespace {

Result<void, std::string> ExpectOk(Result<RespReply, std::string> reply, const char* what) {
  if (!reply.ok()) return Err{std::string(what) + ": " + reply.error()};
  if (reply.value().type == RespReply::Type::kError) {
    return Err{std::string(what) + ": Redis answered " + reply.value().text +
               " (does the ACL user have +@write and +@keyspace on aegis:*?)"};
  }
  return {};
}

}  // namespace

Result<void, std::string> RegisterNode(RedisClient& redis, const NodeRecord& record, std::chrono::milliseconds ttl) {
  const std::string key = NodeKey(record.id);
  const std::string json = ToJson(record);
  const std::string px = std::to_string(ttl.count());
  auto reply = redis.Command({"SET", key, json, "PX", px});
  if (auto r = ExpectOk(std::move(reply), "registering the node"); !r.ok()) return r;
  return {};
}

Result<void, std::string> DeregisterNode(RedisClient& redis, std::string_view id) {
  const std::string key = NodeKey(id);
  auto reply = redis.Command({"DEL", key});
  if (!reply.ok()) return Err{"removing the node: " + reply.error()};
  if (reply.value().type == RespReply::Type::kError) return Err{"removing the node: " + reply.value().text};
  return {};
}

Result<std::vector<NodeRecord>, std::string> ListNodes(RedisClient& redis, size_t* malformed) {
  // SCAN until the cursor comes back to 0; the keys may repeat (SCAN's
  // guarantee), so they are de-duplicated before the values are read.
  std::vector<std::string> keys;
  std::string cursor = "0";
  for (int round = 0; round < 10000; ++round) {
    auto reply = redis.Command({"SCAN", cursor, "MATCH", kNodeKeyPattern, "COUNT", "100"});
    if (!reply.ok()) return Err{"listing nodes: " + reply.error()};
    const RespReply& r = reply.value();
    if (r.type == RespReply::Type::kError) return Err{"listing nodes: Redis answered " + r.text};
    if (r.type != RespReply::Type::kArray || r.elements.size() != 2 ||
        r.elements[1].type != RespReply::Type::kArray) {
      return Err{std::string("listing nodes: SCAN answered in an unexpected shape")};
    }
    for (const auto& key : r.elements[1].elements) keys.push_back(key.text);
    cursor = r.elements[0].text;
    if (cursor == "0") break;
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::vector<NodeRecord> nodes;
  size_t bad = 0;
  for (const auto& key : keys) {
    auto reply = redis.Command({"GET", key});
    if (!reply.ok()) return Err{"reading " + key + ": " + reply.error()};
    if (reply.value().type == RespReply::Type::kNil) continue;  // expired since the SCAN
    auto record = reply.value().type == RespReply::Type::kBulkString ? NodeRecordFromJson(reply.value().text)
                                                                      : std::nullopt;
    if (!record || NodeKey(record->id) != key) {
      ++bad;
      continue;
    }
    nodes.push_back(std::move(*record));
  }
  if (malformed) *malformed = bad;
  std::sort(nodes.begin(), nodes.end(), [](const NodeRecord& a, const NodeRecord& b) { return a.id < b.id; });
  return nodes;
}

}  // namespace aegis::cluster
