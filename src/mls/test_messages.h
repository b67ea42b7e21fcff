// Structurally valid MLS messages for tests and fuzzers: the framing a
// browser's MLS library sends, with placeholder keys, signatures and
// ciphertexts (the server never verifies them). Built field by field from
// RFC 9420's structs, not copied from any implementation. Test-only.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/byte_writer.h"
#include "mls/credential.h"
#include "mls/framed_content.h"
#include "mls/key_package.h"
#include "mls/mls_message.h"
#include "mls/tls_codec.h"

namespace aegis::mls::testing {

inline void Placeholder(ByteWriter& out, size_t size, uint8_t fill) {
  WriteVector(out, std::vector<uint8_t>(size, fill));
}

inline void Header(ByteWriter& out, WireFormat wire_format) {
  out.U16(kMls10);
  out.U16(static_cast<uint16_t>(wire_format));
}

// LeafNode with source key_package, update or commit (§7.2).
inline void WriteLeafNode(ByteWriter& out, std::span<const uint8_t> identity, LeafNodeSource source) {
  Placeholder(out, 32, 0xE1);  // encryption_key
  Placeholder(out, 32, 0x51);  // signature_key
  WriteBasicCredential(out, identity);
  // Capabilities: versions {mls10}, cipher_suites {1, 0x53}, extensions {},
  // proposals {}, credentials {basic}.
  out.U8(2);
  out.U16(kMls10);
  out.U8(4);
  out.U16(kSuiteX25519Aes128);
  out.U16(kSuiteXWingAes256);
  out.U8(0);
  out.U8(0);
  out.U8(2);
  out.U16(kCredentialBasic);
  out.U8(static_cast<uint8_t>(source));
  if (source == LeafNodeSource::kKeyPackage) {
    out.U64(1'700'000'000);  // lifetime
    out.U64(1'800'000'000);
  } else if (source == LeafNodeSource::kCommit) {
    Placeholder(out, 32, 0x9A);  // parent_hash
  }
  out.U8(0);                   // extensions
  Placeholder(out, 64, 0x5E);  // signature
}

// A KeyPackage body (no MLSMessage header).
inline void WriteKeyPackage(ByteWriter& out, uint16_t suite, std::span<const uint8_t> identity) {
  out.U16(kMls10);
  out.U16(suite);
  Placeholder(out, 32, 0x1C);  // init_key
  WriteLeafNode(out, identity, LeafNodeSource::kKeyPackage);
  out.U8(0);                   // extensions
  Placeholder(out, 64, 0x5F);  // signature
}

inline std::vector<uint8_t> KeyPackageMessage(uint16_t suite, std::span<const uint8_t> identity) {
  std::vector<uint8_t> bytes;
  ByteWriter out(bytes);
  Header(out, WireFormat::kKeyPackage);
  WriteKeyPackage(out, suite, identity);
  return bytes;
}

// The KeyPackage Aegis expects from a participant with that token subject and name.
inline std::vector<uint8_t> MemberKeyPackage(uint16_t suite, std::string_view identity, std::string_view name) {
  return KeyPackageMessage(suite, EncodeMemberIdentity(identity, name));
}

inline std::vector<uint8_t> WelcomeMessage(uint16_t suite, size_t new_members = 1) {
  std::vector<uint8_t> bytes;
  ByteWriter out(bytes);
  Header(out, WireFormat::kWelcome);
  out.U16(suite);
  std::vector<uint8_t> secrets;
  ByteWriter s(secrets);
  for (size_t i = 0; i < new_members; ++i) {
    Placeholder(s, 32, 0x4E);  // new_member (KeyPackageRef)
    Placeholder(s, 32, 0x4B);  // kem_output
    Placeholder(s, 48, 0x4C);  // ciphertext
  }
  WriteVector(out, secrets);
  Placeholder(out, 100, 0x61);  // encrypted_group_info
  return bytes;
}

// A PublicMessage from a member: a commit with one Add proposal (when
// `add` is set) and an UpdatePath, or an application message.
inline std::vector<uint8_t> PublicMessage(std::span<const uint8_t> group_id, uint64_t epoch, uint32_t leaf,
                                          ContentType type, uint16_t suite = kSuiteXWingAes256) {
  std::vector<uint8_t> bytes;
  ByteWriter out(bytes);
  Header(out, WireFormat::kPublicMessage);
  WriteVector(out, group_id);
  out.U64(epoch);
  out.U8(static_cast<uint8_t>(SenderType::kMember));
  out.U32(leaf);
  out.U8(0);  // authenticated_data
  out.U8(static_cast<uint8_t>(type));
  if (type == ContentType::kCommit) {
    std::vector<uint8_t> proposals;
    ByteWriter p(proposals);
    p.U8(1);  // ProposalOrRef: proposal
    p.U16(kProposalAdd);
    WriteKeyPackage(p, suite, EncodeMemberIdentity("joiner", ""));
    WriteVector(out, proposals);
    out.U8(1);  // path present
    WriteLeafNode(out, EncodeMemberIdentity("committer", ""), LeafNodeSource::kCommit);
    out.U8(0);  // no UpdatePathNodes
  } else if (type == ContentType::kProposal) {
    out.U16(kProposalRemove);
    out.U32(leaf + 1);
  } else {
    Placeholder(out, 16, 0xAA);  // application_data
  }
  Placeholder(out, 64, 0x5A);                                   // signature
  if (type == ContentType::kCommit) Placeholder(out, 32, 0xC7);  // confirmation_tag
  Placeholder(out, 32, 0x3E);                                   // membership_tag
  return bytes;
}

inline std::vector<uint8_t> PrivateMessage(std::span<const uint8_t> group_id, uint64_t epoch, ContentType type,
                                           size_t ciphertext_size = 64) {
  std::vector<uint8_t> bytes;
  ByteWriter out(bytes);
  Header(out, WireFormat::kPrivateMessage);
  WriteVector(out, group_id);
  out.U64(epoch);
  out.U8(static_cast<uint8_t>(type));
  out.U8(0);                                  // authenticated_data
  Placeholder(out, 28, 0xD5);                 // encrypted_sender_data
  Placeholder(out, ciphertext_size, 0xC1);    // ciphertext
  return bytes;
}

}  // namespace aegis::mls::testing
