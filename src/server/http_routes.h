// The plain-HTTP routes of the signaling server, without sockets: static
// files of the web app (http/static_files.h), and the dev-token endpoint.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "auth/api_secret.h"
#include "base/random.h"
#include "http/static_files.h"

namespace aegis::server {

// Static files: http/static_files.h.
using http::HttpReply;
using http::ServeStatic;

// POST /api/dev-token, body {"room": id, "name": display name}: a 10-minute
// token with publish and subscribe grants for a fresh random identity. The
// caller only routes here on a loopback listener; the JSON content type is
// required so that no cross-site "simple" request can reach it.
HttpReply MintDevToken(std::string_view content_type, std::string_view body, const auth::ApiSecret& secret,
                       RandomSource& rng, int64_t unix_now_s);

}  // namespace aegis::server
