// Room rules from the data folder's room_policy table (aegis room policy),
// read at every join so a change applies without a restart. Signaling
// thread only (one SQLite connection). A read error is logged and the join
// refused: a policy that cannot be read is never taken for "optional".
#pragma once

#include <cstdio>

#include "server/session_gate.h"
#include "store/data_folder.h"

namespace aegis::server {

class StoreRoomRules final : public RoomRulesSource {
 public:
  explicit StoreRoomRules(store::DataFolder& data) : data_(data) {}

  RoomRules Lookup(std::string_view room) override {
    auto policy = data_.GetRoomPolicy(room);
    if (!policy) {
      std::fprintf(stderr, "aegis: cannot read the policy of room %.*s: %s\n", static_cast<int>(room.size()),
                   room.data(), policy.error().message.c_str());
      return {.unavailable = true};
    }
    if (!*policy) return {};
    return {.e2ee_required = (*policy)->e2ee_required,
            .max_participants = static_cast<size_t>((*policy)->max_participants),
            .unavailable = false,
            .lobby = (*policy)->lobby,
            .relay_only = (*policy)->relay_only};
  }

 private:
  store::DataFolder& data_;
};

}  // namespace aegis::server
