// Credential (RFC 9420 §5.3) and the identity Aegis puts in it.
//
//   struct {
//       CredentialType credential_type;          // uint16: basic(1), x509(2)
//       select (Credential.credential_type) {
//           case basic: opaque identity<V>;
//           case x509:  Certificate certificates<V>;   // Certificate: opaque cert_data<V>
//       };
//   } Credential;
//
// Every member of an Aegis room's group carries a basic credential whose
// identity is `opaque identity<V> || opaque name<V>`: the access token's
// subject and display name (docs/protocol.md §7), so members can match a
// leaf against the participant the server announced, and the server can
// refuse a KeyPackage made for someone else.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "mls/tls_codec.h"

namespace aegis::mls {

inline constexpr uint16_t kCredentialBasic = 1;
inline constexpr uint16_t kCredentialX509 = 2;

struct Credential {
  uint16_t credential_type = kCredentialBasic;
  // basic: the identity; x509: empty (certificates are not kept).
  std::vector<uint8_t> identity;
  bool operator==(const Credential&) const = default;
};

// Reads a Credential; unknown types fail (their length cannot be known).
Credential ReadCredential(TlsReader& in);
// Writes a basic credential (the only kind Aegis makes).
void WriteBasicCredential(ByteWriter& out, std::span<const uint8_t> identity);

// `opaque identity<V> || opaque name<V>`.
std::vector<uint8_t> EncodeMemberIdentity(std::string_view identity, std::string_view name);
// Whether `credential` is the basic credential of that identity and name,
// byte for byte.
bool IsMemberCredential(const Credential& credential, std::string_view identity, std::string_view name);

}  // namespace aegis::mls
