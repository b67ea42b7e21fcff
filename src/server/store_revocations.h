// Revoked tokens from the data folder (aegis token revoke), on the signaling
// thread: the session gate asks at every join and refresh, and Poll() hands
// revocations stored since the last call to the media workers, which end
// the matching live sessions. A store that cannot be read refuses the token
// (fail closed) and is reported on stderr.
#pragma once

#include <cstdio>
#include <vector>

#include "server/conference.h"
#include "server/session_gate.h"
#include "store/data_folder.h"

namespace aegis::server {

class StoreRevocations final : public RevocationSource {
 public:
  // Revocations already stored when the server starts concern tokens that
  // are refused at join anyway: Poll() reports only later ones.
  explicit StoreRevocations(store::DataFolder& data) : data_(data) {
    while (auto batch = data_.ReadRevocations(last_seq_, 256)) {
      if (batch->empty()) break;
      last_seq_ = batch->back().seq;
    }
  }

  bool IsRevoked(const auth::Claims& claims) override {
    auto revoked = data_.IsRevoked(claims.room, claims.identity, claims.token_id,
                                   claims.issued_at.value_or(claims.not_before));
    if (!revoked) {
      std::fprintf(stderr, "aegis: cannot read revocations: %s\n", revoked.error().message.c_str());
      return true;
    }
    return *revoked;
  }

  // Revocations stored (by another process) since the last call.
  std::vector<Revocation> Poll() {
    std::vector<Revocation> out;
    auto batch = data_.ReadRevocations(last_seq_, 256);
    if (!batch) {
      std::fprintf(stderr, "aegis: cannot read revocations: %s\n", batch.error().message.c_str());
      return out;
    }
    for (auto& r : *batch) {
      last_seq_ = r.seq;
      out.push_back(Revocation{std::move(r.room_id), std::move(r.identity), std::move(r.token_id), r.time_unix_s});
    }
    return out;
  }

 private:
  store::DataFolder& data_;
  int64_t last_seq_ = 0;
};

}  // namespace aegis::server
