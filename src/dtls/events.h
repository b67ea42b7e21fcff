// What a DtlsEndpoint reports to its owner through PollEvent().
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "crypto/secure_memory.h"
#include "dtls/failure_reason.h"
#include "dtls/fingerprint.h"
#include "dtls/srtp_profiles.h"

namespace aegis::dtls {

// SRTP master keys and salts exported with the label "EXTRACTOR-dtls_srtp"
// and split as RFC 5764 §4.2 lays them out:
//   client_write_key | server_write_key | client_write_salt | server_write_salt
// Each part wipes itself when destroyed.
struct SrtpKeyingMaterial {
  crypto::SecretBytes client_write_key;
  crypto::SecretBytes server_write_key;
  crypto::SecretBytes client_write_salt;
  crypto::SecretBytes server_write_salt;
};

// The handshake finished, the peer's certificate matched its SDP fingerprint
// and an SRTP profile was agreed.
struct ConnectedEvent {
  SrtpProfile profile;
  SrtpKeyingMaterial keys;
  // The peer's certificate fingerprint, with the hash its SDP named.
  Fingerprint remote_fingerprint;
};

// Decrypted application data (SCTP packets, later).
struct ApplicationDataEvent {
  std::vector<uint8_t> data;
};

// The handshake or connection failed; no keys were or will be released.
struct FailedEvent {
  FailureReason reason;
  // The TLS alert description involved (received for kPeerAlert), or -1.
  int alert = -1;
};

// The peer sent close_notify, or our Close() was called.
struct ClosedEvent {};

using DtlsEvent = std::variant<ConnectedEvent, ApplicationDataEvent, FailedEvent, ClosedEvent>;

}  // namespace aegis::dtls
