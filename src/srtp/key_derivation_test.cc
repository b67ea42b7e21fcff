#include "srtp/key_derivation.h"

#include <gtest/gtest.h>

#include "srtp/packet_cipher.h"
#include "srtp/srtp_test_util.h"

namespace aegis::srtp {
namespace {

using testing::Hex;
using testing::LoadVectors;

// RFC 3711 Appendix B.3: the three SRTP session keys from one master key.
TEST(KeyDerivation, Rfc3711AppendixB3) {
  auto v = LoadVectors("rfc3711_appendixB.json")["B3_kdf"];
  auto key = Hex(v["master_key"].get<std::string>());
  auto salt = Hex(v["master_salt"].get<std::string>());

  std::vector<uint8_t> out(16);
  ASSERT_TRUE(DeriveKey(key, salt, kLabelSrtpEncryption, out));
  EXPECT_EQ(ToHex(out), ToHex(Hex(v["cipher_key_label0"].get<std::string>())));
  out.assign(14, 0);
  ASSERT_TRUE(DeriveKey(key, salt, kLabelSrtpSalt, out));
  EXPECT_EQ(ToHex(out), ToHex(Hex(v["cipher_salt_label2"].get<std::string>())));
  out.assign(94, 0);
  ASSERT_TRUE(DeriveKey(key, salt, kLabelSrtpAuth, out));
  EXPECT_EQ(ToHex(out), ToHex(Hex(v["auth_key_label1_94octets"].get<std::string>())));

  // The same through the profile: HMAC-SHA1 takes the first 20 octets.
  auto keys = DeriveSessionKeys(Profile::kAes128CmHmacSha1_80, key, salt);
  ASSERT_TRUE(keys.has_value());
  EXPECT_EQ(ToHex(keys->srtp.cipher_key.view()), ToHex(Hex(v["cipher_key_label0"].get<std::string>())));
  EXPECT_EQ(ToHex(keys->srtp.salt.view()), ToHex(Hex(v["cipher_salt_label2"].get<std::string>())));
  EXPECT_EQ(ToHex(keys->srtp.auth_key.view()), ToHex(Hex(v["auth_key_label1_first20"].get<std::string>())));
  // SRTCP keys come from labels 3..5 and so differ from the SRTP ones.
  std::vector<uint8_t> rtcp_key(16);
  ASSERT_TRUE(DeriveKey(key, salt, kLabelSrtcpEncryption, rtcp_key));
  EXPECT_EQ(ToHex(keys->srtcp.cipher_key.view()), ToHex(rtcp_key));
  EXPECT_NE(ToHex(keys->srtcp.cipher_key.view()), ToHex(keys->srtp.cipher_key.view()));
}

TEST(KeyDerivation, ProfileSizes) {
  std::vector<uint8_t> k16(16, 1), k32(32, 1), s12(12, 2), s14(14, 2);
  auto gcm = DeriveSessionKeys(Profile::kAeadAes256Gcm, k32, s12);
  ASSERT_TRUE(gcm.has_value());
  EXPECT_EQ(gcm->srtp.cipher_key.size(), 32u);
  EXPECT_EQ(gcm->srtp.salt.size(), 12u);
  EXPECT_TRUE(gcm->srtp.auth_key.empty());
  EXPECT_EQ(gcm->srtcp.salt.size(), 12u);
  auto cm32 = DeriveSessionKeys(Profile::kAes128CmHmacSha1_32, k16, s14);
  ASSERT_TRUE(cm32.has_value());
  EXPECT_EQ(cm32->srtcp.auth_key.size(), 20u);

  // Wrong key or salt lengths for the profile are refused.
  EXPECT_FALSE(DeriveSessionKeys(Profile::kAeadAes128Gcm, k16, s14).has_value());
  EXPECT_FALSE(DeriveSessionKeys(Profile::kAeadAes128Gcm, k32, s12).has_value());
  EXPECT_FALSE(DeriveSessionKeys(Profile::kAes128CmHmacSha1_80, k16, s12).has_value());
  std::vector<uint8_t> out(16), s15(15);
  EXPECT_FALSE(DeriveKey(k16, s15, 0, out));
  EXPECT_FALSE(DeriveKey(std::vector<uint8_t>(15), s14, 0, out));
}

// RFC 3711 Appendix B.2: the AES-CM keystream for SSRC 0, index 0, checked
// through the SRTP cipher so the IV layout (salt·2^16) is tested too.
TEST(PacketCipher, Rfc3711AppendixB2Keystream) {
  auto v = LoadVectors("rfc3711_appendixB.json")["B2_aes_cm"];
  SessionKeys keys;
  keys.cipher_key = crypto::SecretBytes(Hex(v["session_key"].get<std::string>()));
  keys.salt = crypto::SecretBytes(Hex(v["session_salt"].get<std::string>()));
  keys.auth_key = crypto::SecretBytes(std::vector<uint8_t>(20, 0));
  auto cipher = PacketCipher::Create(GetProfileParams(Profile::kAes128CmHmacSha1_80), keys, 10);
  ASSERT_NE(cipher, nullptr);
  std::vector<uint8_t> stream(0xff02 * 16, 0);
  cipher->ApplyKeystream(0, 0, stream);
  for (auto& [block, hex] : v["keystream_blocks"].items()) {
    size_t n = std::stoul(block, nullptr, 16);
    std::span<const uint8_t> got(stream.data() + 16 * n, 16);
    EXPECT_EQ(ToHex(got), ToHex(Hex(hex.get<std::string>()))) << "block " << block;
  }
}

TEST(Profile, IdsAndNullProfilesRefused) {
  EXPECT_EQ(ProfileFromId(0x0001), Profile::kAes128CmHmacSha1_80);
  EXPECT_EQ(ProfileFromId(0x0002), Profile::kAes128CmHmacSha1_32);
  EXPECT_EQ(ProfileFromId(0x0007), Profile::kAeadAes128Gcm);
  EXPECT_EQ(ProfileFromId(0x0008), Profile::kAeadAes256Gcm);
  EXPECT_FALSE(ProfileFromId(0x0005).has_value());  // SRTP_NULL_HMAC_SHA1_80
  EXPECT_FALSE(ProfileFromId(0x0006).has_value());  // SRTP_NULL_HMAC_SHA1_32
  EXPECT_FALSE(ProfileFromId(0x0000).has_value());
  EXPECT_EQ(GetProfileParams(Profile::kAes128CmHmacSha1_32).rtp_tag_size, 4u);
  EXPECT_EQ(GetProfileParams(Profile::kAes128CmHmacSha1_32).rtcp_tag_size, 10u);
  EXPECT_EQ(GetProfileParams(Profile::kAeadAes256Gcm).key_size, 32u);
}

}  // namespace
}  // namespace aegis::srtp
