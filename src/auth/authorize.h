// Per-action permission from verified claims. The server calls this for every
// join, publish, subscribe and admin request, after VerifyToken.
#pragma once

#include <string_view>

#include "auth/claims.h"
#include "auth/token_error.h"
#include "base/result.h"

namespace aegis::auth {

enum class Action {
  kJoin,       // enter the room: the room must match, no grant needed
  kPublish,    // send media: grants.publish
  kSubscribe,  // receive media: grants.subscribe
  kAdmin,      // room administration (remove participants, ...): grants.room_admin
};

// kWrongRoom unless claims.room == room (exact bytes: room ids are a
// restricted ASCII set, so there is no case or normalization question);
// then kGrantMissing unless the action's grant is set. No grant implies
// another: room_admin alone does not allow publishing.
Result<void, TokenError> Authorize(const Claims& claims, std::string_view room, Action action);

}  // namespace aegis::auth
