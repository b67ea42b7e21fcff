#include "mls/external_sender.h"

#include "base/byte_writer.h"
#include "mls/credential.h"
#include "mls/framed_content.h"
#include "mls/mls_message.h"
#include "mls/tls_codec.h"

namespace aegis::mls {
namespace {

std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

constexpr std::string_view kFramedContentTbsLabel = "FramedContentTBS";

}  // namespace

std::vector<uint8_t> SignContent(std::string_view label, std::span<const uint8_t> content) {
  std::vector<uint8_t> out;
  ByteWriter writer(out);
  const std::string full_label = "MLS 1.0 " + std::string(label);
  WriteVector(writer, AsBytes(full_label));
  WriteVector(writer, content);
  return out;
}

ExternalSenderKey::ExternalSenderKey(crypto::Ed25519PrivateKey key) : key_(std::move(key)) {
  ByteWriter writer(external_sender_);
  WriteVector(writer, key_.public_key());
  WriteBasicCredential(writer, AsBytes(kExternalSenderIdentity));
}

ExternalSenderKey ExternalSenderKey::Generate(RandomSource& rng) {
  return ExternalSenderKey(crypto::Ed25519PrivateKey::Generate(rng));
}

std::vector<uint8_t> ExternalSenderKey::RemoveProposal(std::span<const uint8_t> group_id, uint64_t epoch,
                                                       uint32_t removed_leaf) const {
  // FramedContentTBS = version, wire_format, FramedContent: the MLSMessage's
  // first bytes are exactly that, so it is built in place and signed.
  std::vector<uint8_t> message;
  ByteWriter out(message);
  out.U16(kMls10);
  out.U16(static_cast<uint16_t>(WireFormat::kPublicMessage));
  WriteVector(out, group_id);
  out.U64(epoch);
  out.U8(static_cast<uint8_t>(SenderType::kExternal));
  out.U32(0);  // sender_index: the server is the group's only external sender
  WriteVarint(out, 0);  // authenticated_data
  out.U8(static_cast<uint8_t>(ContentType::kProposal));
  out.U16(kProposalRemove);
  out.U32(removed_leaf);
  const auto signature = key_.Sign(SignContent(kFramedContentTbsLabel, message));
  WriteVector(out, signature);
  return message;
}

}  // namespace aegis::mls
