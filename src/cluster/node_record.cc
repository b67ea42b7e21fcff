#include "cluster/node_record.h"

#include <nlohmann/json.hpp>

namespace aegis::cluster {

bool IsValidNodeId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string NodeKey(std::string_view id) { return "aegis:node:" + std::string(id); }

std::string ToJson(const NodeRecord& r) {
  nlohmann::json j = {{"id", r.id},
                      {"signaling_url", r.signaling_url},
                      {"media_addresses", r.media_addresses},
                      {"version", r.version},
                      {"max_participants", r.max_participants},
                      {"rooms", r.rooms},
                      {"participants", r.participants},
                      {"worker_busy", r.worker_busy},
                      {"updated_ms", r.updated_ms}};
  return j.dump();
}

std::optional<NodeRecord> NodeRecordFromJson(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  auto text = [&](const char* key, std::string& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return false;
    out = it->get<std::string>();
    return true;
  };
  auto integer = [&](const char* key, int64_t& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return false;
    out = it->get<int64_t>();
    return true;
  };
  NodeRecord r;
  if (!text("id", r.id) || !IsValidNodeId(r.id) || !text("signaling_url", r.signaling_url) ||
      !text("version", r.version) || !integer("max_participants", r.max_participants) ||
      !integer("rooms", r.rooms) || !integer("participants", r.participants) ||
      !integer("updated_ms", r.updated_ms)) {
    return std::nullopt;
  }
  auto busy = j.find("worker_busy");
  if (busy == j.end() || !busy->is_number()) return std::nullopt;
  r.worker_busy = busy->get<double>();
  auto media = j.find("media_addresses");
  if (media == j.end() || !media->is_array()) return std::nullopt;
  for (const auto& a : *media) {
    if (!a.is_string()) return std::nullopt;
    r.media_addresses.push_back(a.get<std::string>());
  }
  return r;
}

}  // namespace aegis::cluster
