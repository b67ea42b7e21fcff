#include "auth/authorize.h"

namespace aegis::auth {

Result<void, TokenError> Authorize(const Claims& claims, std::string_view room, Action action) {
  if (claims.room.empty() || claims.room != room) return Err{TokenError::kWrongRoom};
  bool granted = false;
  switch (action) {
    case Action::kJoin: granted = true; break;
    case Action::kPublish: granted = claims.grants.publish; break;
    case Action::kSubscribe: granted = claims.grants.subscribe; break;
    case Action::kAdmin: granted = claims.grants.room_admin; break;
  }
  if (!granted) return Err{TokenError::kGrantMissing};
  return {};
}

}  // namespace aegis::auth
