#include "mls/framed_content.h"

#include "mls/key_package.h"

namespace aegis::mls {
namespace {

constexpr uint8_t kPskExternal = 1;
constexpr uint8_t kPskResumption = 2;
constexpr uint8_t kProposalOrRefProposal = 1;
constexpr uint8_t kProposalOrRefReference = 2;

Sender ReadSender(TlsReader& in) {
  Sender sender;
  const uint8_t type = in.U8();
  if (!in.ok()) return sender;
  switch (type) {
    case static_cast<uint8_t>(SenderType::kMember):
    case static_cast<uint8_t>(SenderType::kExternal):
      sender.type = static_cast<SenderType>(type);
      sender.index = in.U32();
      break;
    case static_cast<uint8_t>(SenderType::kNewMemberProposal):
    case static_cast<uint8_t>(SenderType::kNewMemberCommit):
      sender.type = static_cast<SenderType>(type);
      break;
    default:
      in.Fail(MlsError::kUnknownSenderType);
  }
  return sender;
}

// PreSharedKeyID (§8.4).
void SkipPreSharedKeyId(TlsReader& in) {
  const uint8_t psk_type = in.U8();
  if (!in.ok()) return;
  if (psk_type == kPskExternal) {
    (void)in.Vector();  // psk_id
  } else if (psk_type == kPskResumption) {
    (void)in.U8();      // usage
    (void)in.Vector();  // psk_group_id
    (void)in.U64();     // psk_epoch
  } else {
    return in.Fail(MlsError::kBadPskType);
  }
  (void)in.Vector();  // psk_nonce
}

// optional<UpdatePath> (§7.6): LeafNode leaf_node; UpdatePathNode nodes<V>.
void SkipOptionalUpdatePath(TlsReader& in) {
  const uint8_t present = in.U8();
  if (!in.ok() || present == 0) return;
  if (present != 1) return in.Fail(MlsError::kBadPresenceByte);
  (void)ReadLeafNode(in, LeafNodeSource::kCommit);
  in.ForEach([](TlsReader& node) {
    (void)node.Vector();  // encryption_key
    node.ForEach([](TlsReader& ciphertext) {  // encrypted_path_secret: HPKECiphertext
      (void)ciphertext.Vector();  // kem_output
      (void)ciphertext.Vector();  // ciphertext
    });
  });
}

void SkipCommit(TlsReader& in) {
  in.ForEach([](TlsReader& item) {
    const uint8_t type = item.U8();
    if (!item.ok()) return;
    if (type == kProposalOrRefProposal) {
      (void)ReadProposal(item);
    } else if (type == kProposalOrRefReference) {
      (void)item.Vector();  // ProposalRef: a HashReference
    } else {
      item.Fail(MlsError::kBadProposalOrRefType);
    }
  });
  SkipOptionalUpdatePath(in);
}

}  // namespace

ContentType ReadContentType(TlsReader& in) {
  const uint8_t type = in.U8();
  if (in.ok() && (type < 1 || type > 3)) in.Fail(MlsError::kUnknownContentType);
  return in.ok() ? static_cast<ContentType>(type) : ContentType::kApplication;
}

ProposalInfo ReadProposal(TlsReader& in) {
  ProposalInfo info;
  info.proposal_type = in.U16();
  if (!in.ok()) return info;
  switch (info.proposal_type) {
    case kProposalAdd:
      (void)ReadKeyPackage(in);
      break;
    case kProposalUpdate:
      (void)ReadLeafNode(in, LeafNodeSource::kUpdate);
      break;
    case kProposalRemove:
      info.removed = in.U32();
      break;
    case kProposalPsk:
      SkipPreSharedKeyId(in);
      break;
    case kProposalReinit:
      (void)in.Vector();  // group_id
      (void)in.U16();     // version
      (void)in.U16();     // cipher_suite
      SkipExtensions(in);
      break;
    case kProposalExternalInit:
      (void)in.Vector();  // kem_output
      break;
    case kProposalGroupContextExtensions:
      SkipExtensions(in);
      break;
    default:
      // Extension proposal types carry no length: nothing after them can be found.
      in.Fail(MlsError::kUnknownProposalType);
  }
  return info;
}

FramedContentInfo ReadFramedContent(TlsReader& in) {
  FramedContentInfo info;
  auto group_id = in.Vector();
  info.group_id.assign(group_id.begin(), group_id.end());
  info.epoch = in.U64();
  info.sender = ReadSender(in);
  (void)in.Vector();  // authenticated_data
  info.content_type = ReadContentType(in);
  if (!in.ok()) return info;
  switch (info.content_type) {
    case ContentType::kApplication:
      (void)in.Vector();  // application_data
      break;
    case ContentType::kProposal:
      info.proposal = ReadProposal(in);
      break;
    case ContentType::kCommit:
      SkipCommit(in);
      break;
  }
  return info;
}

}  // namespace aegis::mls
