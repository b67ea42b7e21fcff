#include "mls/external_sender.h"

#include <gtest/gtest.h>

#include "crypto/ed25519.h"
#include "mls/mls_message.h"
#include "mls/mls_test_util.h"

namespace aegis::mls {
namespace {

using testing::Hex;

crypto::Ed25519PrivateKey KeyFromSeed(const std::vector<uint8_t>& seed) {
  auto key = crypto::Ed25519PrivateKey::FromSeed(std::span<const uint8_t, 32>(seed.data(), 32));
  EXPECT_TRUE(key.has_value());
  return std::move(*key);
}

std::vector<uint8_t> Concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::vector<uint8_t> Ascii(std::string_view s) { return {s.begin(), s.end()}; }

// mlswg/mls-implementations test-vectors/crypto-basics.json, sign_with_label
// of the two Ed25519 suites (1 and 3): SignContent and Ed25519 together.
TEST(ExternalSenderTest, SignWithLabelVectors) {
  const auto vectors = testing::LoadVectors("crypto-basics_sign_with_label_suites_1_3.json");
  ASSERT_EQ(vectors.size(), 2u);
  for (const auto& v : vectors) {
    const auto& s = v["sign_with_label"];
    const auto key = KeyFromSeed(Hex(s["priv"]));
    EXPECT_EQ(std::vector<uint8_t>(key.public_key().begin(), key.public_key().end()), Hex(s["pub"]));
    const auto content = SignContent(s["label"].get<std::string>(), Hex(s["content"]));
    const auto signature = key.Sign(content);
    EXPECT_EQ(std::vector<uint8_t>(signature.begin(), signature.end()), Hex(s["signature"]));
    EXPECT_TRUE(crypto::Ed25519Verify(Hex(s["pub"]), content, Hex(s["signature"])));
  }
}

TEST(ExternalSenderTest, ExternalSenderEncoding) {
  const ExternalSenderKey sender(KeyFromSeed(std::vector<uint8_t>(32, 7)));
  const std::vector<uint8_t> key(sender.public_key().begin(), sender.public_key().end());
  // signature_key<V> (32 bytes), Credential {basic(1), identity<V> "aegis-server"}.
  EXPECT_EQ(sender.external_sender(), Concat({{0x20}, key, {0x00, 0x01, 0x0c}, Ascii("aegis-server")}));
}

// The proposal rebuilt here from RFC 9420's structs, independently of the
// code under test, and its signature checked with OpenSSL.
TEST(ExternalSenderTest, RemoveProposalIsSignedOverTheExactTbs) {
  SeededRandom rng(11);
  const auto sender = ExternalSenderKey::Generate(rng);
  const std::vector<uint8_t> group = Ascii("aegis-test-group");
  const auto proposal = sender.RemoveProposal(group, 0x0102030405060708, 0x0a0b0c0d);

  const std::vector<uint8_t> tbs = Concat({
      {0x00, 0x01},  // version mls10
      {0x00, 0x01},  // wire_format mls_public_message
      {0x10}, group,  // group_id<V>
      {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08},  // epoch
      {0x02, 0x00, 0x00, 0x00, 0x00},  // sender: external, sender_index 0
      {0x00},  // authenticated_data<V>
      {0x02},  // content_type proposal
      {0x00, 0x03, 0x0a, 0x0b, 0x0c, 0x0d},  // Proposal: remove, removed leaf
  });
  // SignContent {label<V> = "MLS 1.0 FramedContentTBS" (24 bytes), content<V>}.
  const std::vector<uint8_t> sign_content =
      Concat({{24}, Ascii("MLS 1.0 FramedContentTBS"), {static_cast<uint8_t>(tbs.size())}, tbs});
  ASSERT_LT(tbs.size(), 64u);
  EXPECT_EQ(SignContent("FramedContentTBS", tbs), sign_content);

  // MLSMessage = TBS (the same bytes begin the message) + signature<V>;
  // no confirmation tag (a proposal), no membership tag (external sender).
  ASSERT_EQ(proposal.size(), tbs.size() + 2 + 64);
  EXPECT_EQ(std::vector<uint8_t>(proposal.begin(), proposal.begin() + tbs.size()), tbs);
  EXPECT_EQ(proposal[tbs.size()], 0x40);  // 64 in the two-byte varint
  EXPECT_EQ(proposal[tbs.size() + 1], 0x40);
  const std::span<const uint8_t> signature = std::span(proposal).subspan(tbs.size() + 2);
  EXPECT_TRUE(crypto::Ed25519Verify(sender.public_key(), sign_content, signature));
  // Not a signature over the bare TBS, nor for another leaf.
  EXPECT_FALSE(crypto::Ed25519Verify(sender.public_key(), tbs, signature));
  auto other = sign_content;
  other.back() ^= 1;
  EXPECT_FALSE(crypto::Ed25519Verify(sender.public_key(), other, signature));

  // And our own parser reads it back.
  auto parsed = ParseMlsMessage(proposal);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->wire_format, WireFormat::kPublicMessage);
  EXPECT_EQ(parsed->group_id, group);
  EXPECT_EQ(parsed->epoch, 0x0102030405060708u);
  EXPECT_EQ(parsed->sender, (Sender{SenderType::kExternal, 0}));
  EXPECT_EQ(parsed->content_type, ContentType::kProposal);
  ASSERT_TRUE(parsed->proposal.has_value());
  EXPECT_EQ(parsed->proposal->proposal_type, kProposalRemove);
  EXPECT_EQ(parsed->proposal->removed, 0x0a0b0c0du);
}

TEST(ExternalSenderTest, ProposalsDifferPerEpochAndLeaf) {
  SeededRandom rng(12);
  const auto sender = ExternalSenderKey::Generate(rng);
  const std::vector<uint8_t> group(16, 3);
  EXPECT_EQ(sender.RemoveProposal(group, 4, 1), sender.RemoveProposal(group, 4, 1));  // deterministic
  EXPECT_NE(sender.RemoveProposal(group, 4, 1), sender.RemoveProposal(group, 5, 1));
  EXPECT_NE(sender.RemoveProposal(group, 4, 1), sender.RemoveProposal(group, 4, 2));
}

// testdata/mls/external_remove_proposal.json: a proposal for the browser
// side to verify with its own MLS library (ts-mls). This test keeps the
// file true to the code: the same seed must give the same bytes.
TEST(ExternalSenderTest, BrowserFixtureMatches) {
  const auto fixture = testing::LoadVectors("external_remove_proposal.json");
  const auto seed = Hex(fixture["signature_seed"]);
  const ExternalSenderKey sender(KeyFromSeed(seed));
  const auto group = Hex(fixture["group_id"]);
  const auto epoch = fixture["epoch"].get<uint64_t>();
  const auto leaf = fixture["removed_leaf"].get<uint32_t>();
  EXPECT_EQ(ToHex(sender.public_key()), fixture["signature_key"].get<std::string>());
  EXPECT_EQ(ToHex(sender.external_sender()), fixture["external_sender"].get<std::string>());
  EXPECT_EQ(ToHex(sender.RemoveProposal(group, epoch, leaf)), fixture["proposal"].get<std::string>());
}

}  // namespace
}  // namespace aegis::mls
