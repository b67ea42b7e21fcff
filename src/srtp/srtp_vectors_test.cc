// RFC 7714 §16 (SRTP AEAD) and §17 (SRTCP AEAD) vectors through the full
// sender/receiver path. RFC 7714 gives session keys, not master keys, so
// the contexts are built from session keys.
#include <gtest/gtest.h>

#include "srtp/srtp_receiver.h"
#include "srtp/srtp_sender.h"
#include "srtp/srtp_test_peer.h"
#include "srtp/srtp_test_util.h"

namespace aegis::srtp {
namespace {

using testing::Hex;

DerivedKeys KeysFrom(const nlohmann::json& v) {
  DerivedKeys keys;
  for (SessionKeys* k : {&keys.srtp, &keys.srtcp}) {
    k->cipher_key = crypto::SecretBytes(Hex(v["key"].get<std::string>()));
    k->salt = crypto::SecretBytes(Hex(v["salt"].get<std::string>()));
  }
  return keys;
}

Profile ProfileFor(const nlohmann::json& v) {
  return Hex(v["key"].get<std::string>()).size() == 32 ? Profile::kAeadAes256Gcm : Profile::kAeadAes128Gcm;
}

TEST(Rfc7714, SrtpSection16) {
  auto all = testing::LoadVectors("rfc7714_sec16_17.json")["rtp"];
  ASSERT_EQ(all.size(), 2u);
  for (auto& [name, v] : all.items()) {
    SCOPED_TRACE(name);
    auto plain = Hex(v["plaintext_packet"].get<std::string>());
    auto expected = Hex(v["protected_packet"].get<std::string>());
    auto sender = SrtpSender::CreateFromSessionKeys(ProfileFor(v), KeysFrom(v));
    auto receiver = SrtpReceiver::CreateFromSessionKeys(ProfileFor(v), KeysFrom(v));
    ASSERT_TRUE(sender.ok() && receiver.ok());

    std::vector<uint8_t> buf = plain;
    buf.resize(plain.size() + sender->rtp_overhead());
    auto len = sender->ProtectRtp(buf, plain.size());
    ASSERT_TRUE(len.ok());
    buf.resize(*len);
    EXPECT_EQ(ToHex(buf), ToHex(expected));

    auto back = receiver->UnprotectRtp(buf, buf.size());
    ASSERT_TRUE(back.ok());
    buf.resize(*back);
    EXPECT_EQ(ToHex(buf), ToHex(plain));

    // Every single-bit flip anywhere in the protected packet is refused.
    for (size_t bit = 0; bit < expected.size() * 8; ++bit) {
      auto bad = expected;
      bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      auto fresh = SrtpReceiver::CreateFromSessionKeys(ProfileFor(v), KeysFrom(v));
      auto r = fresh->UnprotectRtp(bad, bad.size());
      ASSERT_FALSE(r.ok()) << "bit " << bit;
    }
  }
}

TEST(Rfc7714, SrtcpSection17Unprotect) {
  auto all = testing::LoadVectors("rfc7714_sec16_17.json")["rtcp"];
  ASSERT_EQ(all.size(), 4u);
  for (auto& [name, v] : all.items()) {
    SCOPED_TRACE(name);
    auto plain = Hex(v["plaintext_packet"].get<std::string>());
    auto protected_packet = Hex(v["protected_packet"].get<std::string>());
    auto receiver = SrtpReceiver::CreateFromSessionKeys(ProfileFor(v), KeysFrom(v));
    ASSERT_TRUE(receiver.ok());
    auto buf = protected_packet;
    auto len = receiver->UnprotectRtcp(buf, buf.size());
    ASSERT_TRUE(len.ok()) << ErrorName(len.error());
    buf.resize(*len);
    EXPECT_EQ(ToHex(buf), ToHex(plain));
    // The same packet again is a replay.
    buf = protected_packet;
    auto again = receiver->UnprotectRtcp(buf, buf.size());
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error(), Error::kReplayed);
    // A flipped tag bit, or a flipped E bit (which the AAD covers), fails.
    for (size_t at : {protected_packet.size() - 5, protected_packet.size() - 4}) {
      auto fresh = SrtpReceiver::CreateFromSessionKeys(ProfileFor(v), KeysFrom(v));
      buf = protected_packet;
      buf[at] ^= 0x80;
      auto r = fresh->UnprotectRtcp(buf, buf.size());
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error(), Error::kAuthFailed);
    }
  }
}

TEST(Rfc7714, SrtcpSection17ProtectEncrypted) {
  auto all = testing::LoadVectors("rfc7714_sec16_17.json")["rtcp"];
  int checked = 0;
  for (auto& [name, v] : all.items()) {
    if (v["e_flag"].get<int>() != 1) continue;  // the sender always encrypts
    SCOPED_TRACE(name);
    auto plain = Hex(v["plaintext_packet"].get<std::string>());
    auto expected = Hex(v["protected_packet"].get<std::string>());
    auto sender = SrtpSender::CreateFromSessionKeys(ProfileFor(v), KeysFrom(v));
    ASSERT_TRUE(sender.ok());
    uint32_t ssrc = 0x4d617273;
    SrtpTestPeer::SetNextRtcpIndex(*sender, ssrc, static_cast<uint32_t>(std::stoul(v["srtcp_index"].get<std::string>(), nullptr, 16)));
    auto buf = plain;
    buf.resize(plain.size() + sender->rtcp_overhead());
    auto len = sender->ProtectRtcp(buf, plain.size());
    ASSERT_TRUE(len.ok());
    EXPECT_EQ(*len, expected.size());
    EXPECT_EQ(ToHex(buf), ToHex(expected));
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

}  // namespace
}  // namespace aegis::srtp
