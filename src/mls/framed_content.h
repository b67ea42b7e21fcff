// FramedContent and what it carries (RFC 9420 §6, §12.1, §12.4), read as
// far as the Delivery Service needs: who sent it, for which group and
// epoch, and what kind of content. Proposals and commits are delimited
// field by field (so a PublicMessage's end is known and trailing bytes are
// refused), but only a Remove proposal's leaf is kept.
//
//   struct {
//       opaque group_id<V>;
//       uint64 epoch;
//       Sender sender;                     // uint8 sender_type, then uint32 index
//                                          // for member(1) and external(2)
//       opaque authenticated_data<V>;
//       ContentType content_type;          // uint8: application(1), proposal(2), commit(3)
//       select (content_type) {
//           case application: opaque application_data<V>;
//           case proposal:    Proposal proposal;
//           case commit:      Commit commit;
//       };
//   } FramedContent;
//
//   struct { ProposalType proposal_type; /* uint16 */ select ... } Proposal;
//   struct { ProposalOrRef proposals<V>; optional<UpdatePath> path; } Commit;
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "mls/tls_codec.h"

namespace aegis::mls {

enum class SenderType : uint8_t { kMember = 1, kExternal = 2, kNewMemberProposal = 3, kNewMemberCommit = 4 };
enum class ContentType : uint8_t { kApplication = 1, kProposal = 2, kCommit = 3 };

inline constexpr uint16_t kProposalAdd = 1;
inline constexpr uint16_t kProposalUpdate = 2;
inline constexpr uint16_t kProposalRemove = 3;
inline constexpr uint16_t kProposalPsk = 4;
inline constexpr uint16_t kProposalReinit = 5;
inline constexpr uint16_t kProposalExternalInit = 6;
inline constexpr uint16_t kProposalGroupContextExtensions = 7;

struct Sender {
  SenderType type = SenderType::kMember;
  uint32_t index = 0;  // leaf_index (member) or sender_index (external); else 0
  bool operator==(const Sender&) const = default;
};

struct ProposalInfo {
  uint16_t proposal_type = 0;
  std::optional<uint32_t> removed;  // a Remove proposal's leaf
};

struct FramedContentInfo {
  std::vector<uint8_t> group_id;
  uint64_t epoch = 0;
  Sender sender;
  ContentType content_type = ContentType::kApplication;
  std::optional<ProposalInfo> proposal;  // content_type proposal
};

// Reads one ContentType byte; unknown values fail.
ContentType ReadContentType(TlsReader& in);
ProposalInfo ReadProposal(TlsReader& in);
FramedContentInfo ReadFramedContent(TlsReader& in);

}  // namespace aegis::mls
