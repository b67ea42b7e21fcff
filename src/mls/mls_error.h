// Why an MLS message (RFC 9420) was refused by the framing parser.
#pragma once

#include <string_view>

namespace aegis::mls {

enum class MlsError {
  kTruncated,               // a field or vector runs past the end of its container
  kBadVarint,               // a vector length starts with the invalid prefix 0b11 (§2.1.2)
  kNonMinimalVarint,        // a vector length not in its shortest encoding (§2.1.2)
  kTrailingBytes,           // bytes after the end of the structure
  kUnsupportedVersion,      // a ProtocolVersion other than mls10
  kUnknownWireFormat,       // not public/private message, welcome, group info or key package
  kUnknownSenderType,       // a SenderType outside member..new_member_commit
  kUnknownContentType,      // a ContentType outside application..commit
  kUnknownProposalType,     // a proposal this parser cannot delimit (only RFC 9420's 1..7)
  kUnknownCredentialType,   // a credential other than basic or x509
  kBadLeafNodeSource,       // a LeafNodeSource outside 1..3, or the wrong one for its place
  kBadPresenceByte,         // an optional<T> marker other than 0 or 1 (§2.1.1)
  kBadProposalOrRefType,    // a ProposalOrRef type other than proposal or reference
  kBadPskType,              // a PSKType other than external or resumption
};

std::string_view ToString(MlsError error);

}  // namespace aegis::mls
