#include "mls/mls_message.h"

#include "mls/key_package.h"

namespace aegis::mls {
namespace {

void ReadPublicMessage(TlsReader& in, MlsMessageInfo& info) {
  FramedContentInfo content = ReadFramedContent(in);
  (void)in.Vector();  // auth.signature
  if (in.ok() && content.content_type == ContentType::kCommit) (void)in.Vector();  // auth.confirmation_tag
  if (in.ok() && content.sender.type == SenderType::kMember) (void)in.Vector();  // membership_tag
  info.group_id = std::move(content.group_id);
  info.epoch = content.epoch;
  info.content_type = content.content_type;
  info.sender = content.sender;
  info.proposal = std::move(content.proposal);
}

void ReadPrivateMessage(TlsReader& in, MlsMessageInfo& info) {
  auto group_id = in.Vector();
  info.group_id.assign(group_id.begin(), group_id.end());
  info.epoch = in.U64();
  info.content_type = ReadContentType(in);
  (void)in.Vector();  // authenticated_data
  (void)in.Vector();  // encrypted_sender_data
  (void)in.Vector();  // ciphertext
}

void ReadWelcome(TlsReader& in, MlsMessageInfo& info) {
  info.cipher_suite = in.U16();
  in.ForEach([](TlsReader& secrets) {  // EncryptedGroupSecrets
    (void)secrets.Vector();            // new_member: KeyPackageRef
    (void)secrets.Vector();            // encrypted_group_secrets.kem_output
    (void)secrets.Vector();            // encrypted_group_secrets.ciphertext
  });
  (void)in.Vector();  // encrypted_group_info
}

void ReadGroupInfo(TlsReader& in, MlsMessageInfo& info) {
  // GroupContext (§8.1).
  const uint16_t version = in.U16();
  if (in.ok() && version != kMls10) return in.Fail(MlsError::kUnsupportedVersion);
  info.cipher_suite = in.U16();
  auto group_id = in.Vector();
  info.group_id.assign(group_id.begin(), group_id.end());
  info.epoch = in.U64();
  (void)in.Vector();  // tree_hash
  (void)in.Vector();  // confirmed_transcript_hash
  SkipExtensions(in);
  // GroupInfo.
  SkipExtensions(in);
  (void)in.Vector();  // confirmation_tag
  (void)in.U32();     // signer
  (void)in.Vector();  // signature
}

}  // namespace

Result<MlsMessageInfo, MlsError> ParseMlsMessage(std::span<const uint8_t> bytes) {
  TlsReader in(bytes);
  MlsMessageInfo info;
  const uint16_t version = in.U16();
  const uint16_t wire_format = in.U16();
  if (!in.ok()) return Err{in.error()};
  if (version != kMls10) return Err{MlsError::kUnsupportedVersion};
  switch (wire_format) {
    case static_cast<uint16_t>(WireFormat::kPublicMessage):
      ReadPublicMessage(in, info);
      break;
    case static_cast<uint16_t>(WireFormat::kPrivateMessage):
      ReadPrivateMessage(in, info);
      break;
    case static_cast<uint16_t>(WireFormat::kWelcome):
      ReadWelcome(in, info);
      break;
    case static_cast<uint16_t>(WireFormat::kGroupInfo):
      ReadGroupInfo(in, info);
      break;
    case static_cast<uint16_t>(WireFormat::kKeyPackage): {
      KeyPackageInfo key_package = ReadKeyPackage(in);
      info.cipher_suite = key_package.cipher_suite;
      info.credential = std::move(key_package.credential);
      break;
    }
    default:
      return Err{MlsError::kUnknownWireFormat};
  }
  info.wire_format = static_cast<WireFormat>(wire_format);
  in.ExpectEnd();
  if (!in.ok()) return Err{in.error()};
  return info;
}

std::string_view ToString(MlsError error) {
  switch (error) {
    case MlsError::kTruncated: return "truncated";
    case MlsError::kBadVarint: return "invalid vector length prefix";
    case MlsError::kNonMinimalVarint: return "vector length not minimally encoded";
    case MlsError::kTrailingBytes: return "bytes after the end of the message";
    case MlsError::kUnsupportedVersion: return "not MLS 1.0";
    case MlsError::kUnknownWireFormat: return "unknown wire format";
    case MlsError::kUnknownSenderType: return "unknown sender type";
    case MlsError::kUnknownContentType: return "unknown content type";
    case MlsError::kUnknownProposalType: return "unknown proposal type";
    case MlsError::kUnknownCredentialType: return "unknown credential type";
    case MlsError::kBadLeafNodeSource: return "wrong leaf node source";
    case MlsError::kBadPresenceByte: return "optional value marker not 0 or 1";
    case MlsError::kBadProposalOrRefType: return "unknown ProposalOrRef type";
    case MlsError::kBadPskType: return "unknown PSK type";
  }
  return "malformed";
}

}  // namespace aegis::mls
