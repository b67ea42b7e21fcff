// Moved to netio/udp_address.h (below server/ and echo/ in the layer order,
// docs/architecture.md). Kept only until media_worker.cc includes that
// header itself; then delete this file.
#pragma once

#include "netio/udp_address.h"

namespace aegis::server {
using netio::ToEndpoint;
using netio::ToTransportAddress;
}  // namespace aegis::server
