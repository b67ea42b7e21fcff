#include "mls/mls_message.h"

#include <gtest/gtest.h>

#include "mls/key_package.h"
#include "mls/mls_test_util.h"
#include "mls/test_messages.h"

namespace aegis::mls {
namespace {

using testing::Hex;

MlsMessageInfo ParseOk(std::span<const uint8_t> bytes) {
  auto parsed = ParseMlsMessage(bytes);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : ToString(parsed.error()));
  return parsed.ok() ? std::move(parsed).value() : MlsMessageInfo{};
}

// Every strict prefix fails (never reads past the end) and a byte after the
// end is refused.
void ExpectExactLength(const std::vector<uint8_t>& message) {
  for (size_t n = 0; n < message.size(); ++n) {
    EXPECT_FALSE(ParseMlsMessage(std::span(message).first(n)).ok()) << "prefix " << n;
  }
  auto longer = message;
  longer.push_back(0);
  auto parsed = ParseMlsMessage(longer);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error(), MlsError::kTrailingBytes);
}

// mlswg/mls-implementations test-vectors/messages.json (entries 0, 100 and
// 200; they use suites 1, 3 and 2): real MLSMessages of every
// wire format, each read to its end.
TEST(MlsMessageTest, MessagesVectors) {
  const auto vectors = testing::LoadVectors("messages_0_100_200.json");
  ASSERT_EQ(vectors.size(), 3u);
  std::set<uint16_t> welcome_suites;
  for (const auto& v : vectors) {
    auto welcome = ParseOk(Hex(v["mls_welcome"]));
    EXPECT_EQ(welcome.wire_format, WireFormat::kWelcome);
    ASSERT_TRUE(welcome.cipher_suite.has_value());
    welcome_suites.insert(*welcome.cipher_suite);

    auto group_info = ParseOk(Hex(v["mls_group_info"]));
    EXPECT_EQ(group_info.wire_format, WireFormat::kGroupInfo);
    EXPECT_EQ(group_info.cipher_suite, welcome.cipher_suite);  // one suite per entry
    EXPECT_EQ(group_info.group_id.size(), 16u);

    auto key_package = ParseOk(Hex(v["mls_key_package"]));
    EXPECT_EQ(key_package.wire_format, WireFormat::kKeyPackage);
    EXPECT_EQ(key_package.cipher_suite, welcome.cipher_suite);
    ASSERT_TRUE(key_package.credential.has_value());
    EXPECT_EQ(key_package.credential->credential_type, kCredentialBasic);

    for (auto [field, type] : {std::pair{"public_message_application", ContentType::kApplication},
                               {"public_message_proposal", ContentType::kProposal},
                               {"public_message_commit", ContentType::kCommit}}) {
      SCOPED_TRACE(field);
      auto message = ParseOk(Hex(v[field]));
      EXPECT_EQ(message.wire_format, WireFormat::kPublicMessage);
      EXPECT_EQ(message.content_type, type);
      EXPECT_TRUE(message.sender.has_value());
      ExpectExactLength(Hex(v[field]));
    }
    auto private_message = ParseOk(Hex(v["private_message"]));
    EXPECT_EQ(private_message.wire_format, WireFormat::kPrivateMessage);
    EXPECT_TRUE(private_message.content_type.has_value());
    EXPECT_FALSE(private_message.sender.has_value());  // encrypted

    for (const char* field : {"mls_welcome", "mls_group_info", "mls_key_package", "private_message"}) {
      SCOPED_TRACE(field);
      ExpectExactLength(Hex(v[field]));
    }
  }
  EXPECT_EQ(welcome_suites, (std::set<uint16_t>{1, 2, 3}));
}

// The same file's bare structures: each proposal body and the commit.
TEST(MlsMessageTest, ProposalAndCommitVectors) {
  const auto vectors = testing::LoadVectors("messages_0_100_200.json");
  for (const auto& v : vectors) {
    for (auto [field, type] : {std::pair{"add_proposal", kProposalAdd},
                               {"update_proposal", kProposalUpdate},
                               {"remove_proposal", kProposalRemove},
                               {"pre_shared_key_proposal", kProposalPsk},
                               {"re_init_proposal", kProposalReinit},
                               {"external_init_proposal", kProposalExternalInit},
                               {"group_context_extensions_proposal", kProposalGroupContextExtensions}}) {
      SCOPED_TRACE(field);
      std::vector<uint8_t> proposal;
      ByteWriter out(proposal);
      out.U16(type);
      out.Bytes(Hex(v[field]));
      TlsReader in(proposal);
      const ProposalInfo info = ReadProposal(in);
      in.ExpectEnd();
      EXPECT_TRUE(in.ok()) << ToString(in.error());
      EXPECT_EQ(info.proposal_type, type);
      EXPECT_EQ(info.removed.has_value(), type == kProposalRemove);
    }
    // The commit inside a PublicMessage from member 3.
    std::vector<uint8_t> message;
    ByteWriter out(message);
    testing::Header(out, WireFormat::kPublicMessage);
    WriteVector(out, std::vector<uint8_t>(16, 7));
    out.U64(9);
    out.U8(1);
    out.U32(3);
    out.U8(0);
    out.U8(3);
    out.Bytes(Hex(v["commit"]));
    testing::Placeholder(out, 64, 1);  // signature
    testing::Placeholder(out, 32, 2);  // confirmation_tag
    testing::Placeholder(out, 32, 3);  // membership_tag
    auto commit = ParseOk(message);
    EXPECT_EQ(commit.content_type, ContentType::kCommit);
    EXPECT_EQ(commit.epoch, 9u);
    EXPECT_EQ(commit.sender, (Sender{SenderType::kMember, 3}));
  }
}

// testdata/mls/ts-mls_1.6.4_messages.json: what the browser SDK's MLS
// library (ts-mls 1.6.4) sends, in both room suites, with the Aegis member
// credential.
TEST(MlsMessageTest, TsMlsMessages) {
  const auto file = testing::LoadVectors("ts-mls_1.6.4_messages.json");
  ASSERT_EQ(file["suites"].size(), 2u);
  for (const auto& [name, v] : file["suites"].items()) {
    SCOPED_TRACE(name);
    const auto suite = v["cipher_suite"].get<uint16_t>();
    const auto group = Hex(v["group_id"]);
    for (auto [field, identity, display] : {std::tuple{"key_package_alice", "alice", "Alice"},
                                            {"key_package_bob", "bob", ""}}) {
      auto kp = ParseOk(Hex(v[field]));
      EXPECT_EQ(kp.wire_format, WireFormat::kKeyPackage);
      EXPECT_EQ(kp.cipher_suite, suite);
      ASSERT_TRUE(kp.credential.has_value());
      EXPECT_TRUE(IsMemberCredential(*kp.credential, identity, display));
      ExpectExactLength(Hex(v[field]));
    }
    auto commit0 = ParseOk(Hex(v["commit_epoch0_private"]));
    EXPECT_EQ(commit0.wire_format, WireFormat::kPrivateMessage);
    EXPECT_EQ(commit0.group_id, group);
    EXPECT_EQ(commit0.epoch, 0u);
    EXPECT_EQ(commit0.content_type, ContentType::kCommit);

    auto commit1 = ParseOk(Hex(v["commit_epoch1_public"]));
    EXPECT_EQ(commit1.wire_format, WireFormat::kPublicMessage);
    EXPECT_EQ(commit1.group_id, group);
    EXPECT_EQ(commit1.epoch, 1u);
    EXPECT_EQ(commit1.content_type, ContentType::kCommit);
    EXPECT_EQ(commit1.sender, (Sender{SenderType::kMember, 0}));
    ExpectExactLength(Hex(v["commit_epoch1_public"]));

    for (const char* field : {"welcome_epoch1", "welcome_epoch2"}) {
      auto welcome = ParseOk(Hex(v[field]));
      EXPECT_EQ(welcome.wire_format, WireFormat::kWelcome);
      EXPECT_EQ(welcome.cipher_suite, suite);
    }
    auto app = ParseOk(Hex(v["application_epoch2"]));
    EXPECT_EQ(app.wire_format, WireFormat::kPrivateMessage);
    EXPECT_EQ(app.epoch, 2u);
    EXPECT_EQ(app.content_type, ContentType::kApplication);
  }
}

TEST(MlsMessageTest, KeyPackageCredentialAndSuite) {
  const auto bytes = testing::MemberKeyPackage(kSuiteXWingAes256, "user-7", "Ada");
  auto info = ParseOk(bytes);
  EXPECT_EQ(info.wire_format, WireFormat::kKeyPackage);
  EXPECT_EQ(info.cipher_suite, kSuiteXWingAes256);
  ASSERT_TRUE(info.credential.has_value());
  EXPECT_TRUE(IsMemberCredential(*info.credential, "user-7", "Ada"));
  EXPECT_FALSE(IsMemberCredential(*info.credential, "user-7", ""));
  EXPECT_FALSE(IsMemberCredential(*info.credential, "user-8", "Ada"));
  ExpectExactLength(bytes);
}

TEST(MlsMessageTest, MemberIdentityEncoding) {
  EXPECT_EQ(EncodeMemberIdentity("alice", "Alice"),
            (std::vector<uint8_t>{5, 'a', 'l', 'i', 'c', 'e', 5, 'A', 'l', 'i', 'c', 'e'}));
  EXPECT_EQ(EncodeMemberIdentity("", ""), (std::vector<uint8_t>{0, 0}));
  // A 64-byte name takes a two-byte length: "ab" + name is not "a" + "b" + name.
  const std::string name(64, 'n');
  const auto encoded = EncodeMemberIdentity("ab", name);
  ASSERT_EQ(encoded.size(), 1u + 2 + 2 + 64);
  EXPECT_EQ(encoded[3], 0x40);
  EXPECT_EQ(encoded[4], 0x40);
  // The split is unambiguous: moving a byte from identity to name changes the encoding.
  EXPECT_NE(EncodeMemberIdentity("ab", "c"), EncodeMemberIdentity("a", "bc"));
  Credential x509{kCredentialX509, EncodeMemberIdentity("alice", "Alice")};
  EXPECT_FALSE(IsMemberCredential(x509, "alice", "Alice"));
}

TEST(MlsMessageTest, PublicAndPrivateFraming) {
  const std::vector<uint8_t> group(16, 0x42);
  auto commit = ParseOk(testing::PublicMessage(group, 5, 2, ContentType::kCommit));
  EXPECT_EQ(commit.group_id, group);
  EXPECT_EQ(commit.epoch, 5u);
  EXPECT_EQ(commit.content_type, ContentType::kCommit);
  EXPECT_EQ(commit.sender, (Sender{SenderType::kMember, 2}));
  ExpectExactLength(testing::PublicMessage(group, 5, 2, ContentType::kCommit));

  auto proposal = ParseOk(testing::PublicMessage(group, 5, 2, ContentType::kProposal));
  ASSERT_TRUE(proposal.proposal.has_value());
  EXPECT_EQ(proposal.proposal->proposal_type, kProposalRemove);
  EXPECT_EQ(proposal.proposal->removed, 3u);

  auto app = ParseOk(testing::PrivateMessage(group, 7, ContentType::kApplication));
  EXPECT_EQ(app.wire_format, WireFormat::kPrivateMessage);
  EXPECT_EQ(app.group_id, group);
  EXPECT_EQ(app.epoch, 7u);
  EXPECT_EQ(app.content_type, ContentType::kApplication);
  ExpectExactLength(testing::PrivateMessage(group, 7, ContentType::kApplication));

  auto welcome = ParseOk(testing::WelcomeMessage(kSuiteX25519Aes128, 3));
  EXPECT_EQ(welcome.cipher_suite, kSuiteX25519Aes128);
  ExpectExactLength(testing::WelcomeMessage(kSuiteX25519Aes128, 3));
}

std::optional<MlsError> ErrorOf(const std::vector<uint8_t>& bytes) {
  auto parsed = ParseMlsMessage(bytes);
  if (parsed.ok()) return std::nullopt;
  return parsed.error();
}

TEST(MlsMessageTest, RefusesWhatItCannotDelimit) {
  const std::vector<uint8_t> group(16, 1);
  EXPECT_EQ(ErrorOf({}), MlsError::kTruncated);
  EXPECT_EQ(ErrorOf({0, 2, 0, 1}), MlsError::kUnsupportedVersion);  // not mls10
  EXPECT_EQ(ErrorOf({0, 1, 0, 6}), MlsError::kUnknownWireFormat);
  EXPECT_EQ(ErrorOf({0, 1, 0, 0}), MlsError::kUnknownWireFormat);

  auto message = testing::PrivateMessage(group, 1, ContentType::kApplication);
  message[4 + 1 + 16 + 8] = 4;  // content_type
  EXPECT_EQ(ErrorOf(message), MlsError::kUnknownContentType);
  message[4 + 1 + 16 + 8] = 0;
  EXPECT_EQ(ErrorOf(message), MlsError::kUnknownContentType);

  auto public_message = testing::PublicMessage(group, 1, 0, ContentType::kApplication);
  public_message[4 + 1 + 16 + 8] = 5;  // sender_type
  EXPECT_EQ(ErrorOf(public_message), MlsError::kUnknownSenderType);

  // A proposal type outside RFC 9420's: its body has no length.
  auto proposal = testing::PublicMessage(group, 1, 0, ContentType::kProposal);
  const size_t type_at = 4 + 1 + 16 + 8 + 5 + 1 + 1;
  proposal[type_at + 1] = 8;
  EXPECT_EQ(ErrorOf(proposal), MlsError::kUnknownProposalType);

  // Non-minimal length inside: group_id length 16 written as 0x4010.
  auto padded = testing::PrivateMessage(group, 1, ContentType::kApplication);
  padded[4] = 0x40;
  padded.insert(padded.begin() + 5, 0x10);
  EXPECT_EQ(ErrorOf(padded), MlsError::kNonMinimalVarint);

  // An unknown credential type in a KeyPackage.
  auto key_package = testing::MemberKeyPackage(kSuiteXWingAes256, "a", "");
  const size_t credential_at = 4 + 2 + 2 + 33 + 33 + 33;
  ASSERT_EQ(key_package[credential_at + 1], 1);
  key_package[credential_at + 1] = 9;
  EXPECT_EQ(ErrorOf(key_package), MlsError::kUnknownCredentialType);
  // A KeyPackage whose leaf claims to come from a commit.
  auto wrong_source = testing::MemberKeyPackage(kSuiteXWingAes256, "a", "");
  const size_t source_at = credential_at + 2 + 1 + 3 /* identity */ + 3 + 5 + 1 + 1 + 3 /* capabilities */;
  ASSERT_EQ(wrong_source[source_at], 1);
  wrong_source[source_at] = 3;
  EXPECT_EQ(ErrorOf(wrong_source), MlsError::kBadLeafNodeSource);
}

TEST(MlsMessageTest, X509CredentialIsDelimited) {
  std::vector<uint8_t> bytes;
  ByteWriter out(bytes);
  testing::Header(out, WireFormat::kKeyPackage);
  out.U16(kMls10);
  out.U16(kSuiteX25519Aes128);
  testing::Placeholder(out, 32, 1);
  testing::Placeholder(out, 32, 2);
  testing::Placeholder(out, 32, 3);
  out.U16(kCredentialX509);
  std::vector<uint8_t> certificates;
  ByteWriter c(certificates);
  testing::Placeholder(c, 100, 4);
  testing::Placeholder(c, 80, 5);
  WriteVector(out, certificates);
  for (int i = 0; i < 5; ++i) out.U8(0);  // capabilities
  out.U8(1);
  out.U64(0);
  out.U64(1);
  out.U8(0);
  testing::Placeholder(out, 64, 6);
  out.U8(0);
  testing::Placeholder(out, 64, 7);
  auto info = ParseOk(bytes);
  ASSERT_TRUE(info.credential.has_value());
  EXPECT_EQ(info.credential->credential_type, kCredentialX509);
  EXPECT_TRUE(info.credential->identity.empty());
}

}  // namespace
}  // namespace aegis::mls
