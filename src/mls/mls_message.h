// The public framing of an MLSMessage (RFC 9420 §6), what an MLS Delivery
// Service may read: the wire format and, per format,
//
//   public_message   group_id, epoch, sender, content_type (+ a Remove's leaf)
//   private_message  group_id, epoch, content_type
//   welcome          cipher_suite
//   group_info       cipher_suite, group_id, epoch
//   key_package      cipher_suite, the leaf's credential
//
//   struct {
//       ProtocolVersion version = mls10;   // uint16 (1)
//       WireFormat wire_format;            // uint16
//       select (wire_format) {
//           case mls_public_message:  PublicMessage;   // FramedContent, auth, membership_tag?
//           case mls_private_message: PrivateMessage;
//           case mls_welcome:         Welcome;
//           case mls_group_info:      GroupInfo;
//           case mls_key_package:     KeyPackage;
//       };
//   } MLSMessage;
//
//   struct {
//       FramedContent content;
//       FramedContentAuthData auth;        // opaque signature<V>;
//                                          // + MAC confirmation_tag (opaque<V>) for a commit
//       select (content.sender.sender_type) {
//           case member: MAC membership_tag;   // opaque<V>
//           default:     struct{};
//       };
//   } PublicMessage;
//
//   struct {
//       opaque group_id<V>; uint64 epoch; ContentType content_type;
//       opaque authenticated_data<V>; opaque encrypted_sender_data<V>; opaque ciphertext<V>;
//   } PrivateMessage;
//
//   struct { CipherSuite cipher_suite; EncryptedGroupSecrets secrets<V>;
//            opaque encrypted_group_info<V>; } Welcome;
//   struct { GroupContext group_context; Extension extensions<V>; MAC confirmation_tag;
//            uint32 signer; opaque signature<V>; } GroupInfo;
//
// Every structure is read to its end, every length checked, and bytes after
// the message refused. Nothing is verified: signatures, MACs and
// ciphertexts belong to the members. The server never holds a group secret.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "mls/credential.h"
#include "mls/framed_content.h"
#include "mls/mls_error.h"

namespace aegis::mls {

enum class WireFormat : uint16_t {
  kPublicMessage = 1,
  kPrivateMessage = 2,
  kWelcome = 3,
  kGroupInfo = 4,
  kKeyPackage = 5,
};

// The cipher suites an Aegis room may use (RFC 9420 §17.1; 0x0053 is
// MLS_256_XWING_AES256GCM_SHA512_Ed25519 from the IANA registry). Both sign
// with Ed25519, which the server's external sender key is.
inline constexpr uint16_t kSuiteX25519Aes128 = 0x0001;  // MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519
inline constexpr uint16_t kSuiteXWingAes256 = 0x0053;   // MLS_256_XWING_AES256GCM_SHA512_Ed25519

struct MlsMessageInfo {
  WireFormat wire_format = WireFormat::kPublicMessage;
  // public_message, private_message, group_info.
  std::vector<uint8_t> group_id;
  uint64_t epoch = 0;
  // public_message and private_message.
  std::optional<ContentType> content_type;
  // public_message only.
  std::optional<Sender> sender;
  std::optional<ProposalInfo> proposal;  // content_type proposal
  // welcome, group_info, key_package.
  std::optional<uint16_t> cipher_suite;
  // key_package: its leaf node's credential.
  std::optional<Credential> credential;
};

Result<MlsMessageInfo, MlsError> ParseMlsMessage(std::span<const uint8_t> bytes);

}  // namespace aegis::mls
