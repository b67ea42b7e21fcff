// The server as an MLS external sender (RFC 9420 §12.1.8.1): one Ed25519
// key per server process, the TLS-encoded ExternalSender that a group's
// creator puts in its external_senders extension, and the signed Remove
// proposals the server sends when a member leaves the room.
//
//   struct {
//       SignaturePublicKey signature_key;   // opaque<V>: the raw Ed25519 key
//       Credential credential;              // basic, identity "aegis-server"
//   } ExternalSender;
//
// A Remove proposal is an MLSMessage carrying a PublicMessage:
//
//   FramedContent   group_id, epoch, sender {external(2), sender_index 0},
//                   authenticated_data = empty, content_type proposal(2),
//                   Proposal {remove(3), Remove {uint32 removed}}
//   auth.signature  SignWithLabel(key, "FramedContentTBS",
//                                 FramedContentTBS {mls10, public_message, content})
//                   (an external sender's TBS has no GroupContext, §6.1)
//   no confirmation tag (a proposal), no membership tag (not a member)
//
// SignWithLabel (§5.1.2) signs SignContent {opaque label<V> = "MLS 1.0 " +
// label; opaque content<V>}. Ed25519 is deterministic: the same key, group,
// epoch and leaf always give the same bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/random.h"
#include "crypto/ed25519.h"

namespace aegis::mls {

// The identity in the server's credential.
inline constexpr std::string_view kExternalSenderIdentity = "aegis-server";

// SignContent for `label` (without the "MLS 1.0 " prefix) and `content`:
// what SignWithLabel signs.
std::vector<uint8_t> SignContent(std::string_view label, std::span<const uint8_t> content);

class ExternalSenderKey {
 public:
  explicit ExternalSenderKey(crypto::Ed25519PrivateKey key);
  // A new key from `rng` (the server passes its CSPRNG; tests a seeded one).
  static ExternalSenderKey Generate(RandomSource& rng);

  // The TLS-encoded ExternalSender.
  const std::vector<uint8_t>& external_sender() const { return external_sender_; }
  const crypto::Ed25519PublicKey& public_key() const { return key_.public_key(); }

  // The TLS-encoded MLSMessage proposing that `removed_leaf` leave the
  // group `group_id` in `epoch`, signed as external sender 0.
  std::vector<uint8_t> RemoveProposal(std::span<const uint8_t> group_id, uint64_t epoch,
                                      uint32_t removed_leaf) const;

 private:
  crypto::Ed25519PrivateKey key_;
  std::vector<uint8_t> external_sender_;
};

}  // namespace aegis::mls
