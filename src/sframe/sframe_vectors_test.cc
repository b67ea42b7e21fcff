// RFC 9605 Appendix C vectors (testdata/sframe_test-vectors_rfc9605-era_025d568.json,
// sframe-wg/sframe commit 025d568): 289 header, 3 AES-CTR-HMAC AEAD and 5
// full SFrame vectors, 297 in all. Each test asserts how many it ran.
#include <gtest/gtest.h>

#include <cstdio>

#include "crypto/hkdf.h"
#include "sframe/aead.h"
#include "sframe/key_derivation.h"
#include "sframe/sframe_header.h"
#include "sframe/sframe_receiver.h"
#include "sframe/sframe_sender.h"
#include "sframe/sframe_test_peer.h"
#include "sframe/sframe_test_util.h"

namespace aegis::sframe {
namespace {

using testing::Hex;
using testing::HexField;

CipherSuite Suite(const nlohmann::json& v) {
  auto suite = CipherSuiteFromId(v["cipher_suite"].get<uint16_t>());
  EXPECT_TRUE(suite.has_value());
  return suite.value_or(kDefaultCipherSuite);
}

TEST(SframeVectors, FileHas297) {
  auto all = testing::LoadVectors();
  EXPECT_EQ(all["header"].size() + all["aes_ctr_hmac"].size() + all["sframe"].size(), 297u);
}

// C.1: encode(kid, ctr) == header and parse(header) == (kid, ctr).
TEST(SframeVectors, Header) {
  const auto vectors = testing::LoadVectors()["header"];
  size_t passed = 0;
  for (const auto& v : vectors) {
    const SframeHeader h{v["kid"].get<uint64_t>(), v["ctr"].get<uint64_t>()};
    const std::string encoded = v["encoded"].get<std::string>();
    SCOPED_TRACE(encoded);
    std::vector<uint8_t> bytes;
    h.SerializeTo(bytes);
    EXPECT_EQ(ToHex(bytes), encoded);
    auto parsed = SframeHeader::Parse(Hex(encoded));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, h);
    EXPECT_EQ(parsed->size(), encoded.size() / 2);
    if (!::testing::Test::HasFailure()) ++passed;
  }
  std::printf("[ sframe  ] header vectors passed: %zu of %zu\n", passed, vectors.size());
  EXPECT_EQ(vectors.size(), 289u);
  EXPECT_EQ(passed, 289u);
}

// C.2: the compound AES-CTR + HMAC AEAD on its own.
TEST(SframeVectors, AesCtrHmac) {
  const auto vectors = testing::LoadVectors()["aes_ctr_hmac"];
  size_t passed = 0;
  for (const auto& v : vectors) {
    const CipherSuite suite = Suite(v);
    SCOPED_TRACE(GetCipherSuiteParams(suite).name);
    auto key = HexField(v["key"]), nonce_bytes = HexField(v["nonce"]), aad = HexField(v["aad"]);
    auto pt = HexField(v["pt"]), ct = HexField(v["ct"]);
    ASSERT_EQ(ToHex(std::span(key).first(16)), v["enc_key"].get<std::string>());
    ASSERT_EQ(ToHex(std::span(key).subspan(16)), v["auth_key"].get<std::string>());
    ASSERT_EQ(nonce_bytes.size(), kNonceSize);
    Nonce nonce;
    std::copy(nonce_bytes.begin(), nonce_bytes.end(), nonce.begin());
    auto aead = Aead::Create(suite, key);
    ASSERT_TRUE(aead);
    const size_t nt = aead->tag_size();

    std::vector<uint8_t> buf = pt;
    buf.resize(pt.size() + nt);
    ASSERT_TRUE(aead->Seal(nonce, aad, {}, std::span(buf).first(pt.size()), std::span(buf).subspan(pt.size())));
    EXPECT_EQ(ToHex(buf), ToHex(ct));

    buf = ct;
    ASSERT_TRUE(aead->Open(nonce, aad, {}, std::span(buf).first(pt.size()), std::span(ct).subspan(pt.size())));
    EXPECT_EQ(ToHex(std::span(buf).first(pt.size())), ToHex(pt));
    // The AAD split does not matter: it is authenticated as one string.
    buf = ct;
    ASSERT_TRUE(aead->Open(nonce, std::span(aad).first(3), std::span(aad).subspan(3), std::span(buf).first(pt.size()),
                           std::span(ct).subspan(pt.size())));
    if (!::testing::Test::HasFailure()) ++passed;
  }
  std::printf("[ sframe  ] AES-CTR-HMAC vectors passed: %zu of %zu\n", passed, vectors.size());
  EXPECT_EQ(vectors.size(), 3u);
  EXPECT_EQ(passed, 3u);
}

// C.3: key derivation and whole-frame encryption and decryption, through
// the public sender and receiver (started at the vector's CTR).
TEST(SframeVectors, FullSframe) {
  const auto vectors = testing::LoadVectors()["sframe"];
  size_t passed = 0;
  for (const auto& v : vectors) {
    const CipherSuite suite = Suite(v);
    const CipherSuiteParams& p = GetCipherSuiteParams(suite);
    SCOPED_TRACE(p.name);
    const uint64_t kid = v["kid"].get<uint64_t>(), ctr = v["ctr"].get<uint64_t>();
    auto base_key = HexField(v["base_key"]), metadata = HexField(v["metadata"]);
    auto pt = HexField(v["pt"]), ct = HexField(v["ct"]);

    // Intermediate values of §4.4.2-4.4.3.
    EXPECT_EQ(ToHex(KeyLabel(suite, kid)), v["sframe_key_label"].get<std::string>());
    EXPECT_EQ(ToHex(SaltLabel(suite, kid)), v["sframe_salt_label"].get<std::string>());
    EXPECT_EQ(ToHex(crypto::HkdfExtract(p.hash, {}, base_key)), v["sframe_secret"].get<std::string>());
    auto derived = DeriveKeySalt(suite, kid, base_key);
    ASSERT_TRUE(derived.has_value());
    EXPECT_EQ(ToHex(derived->key.view()), v["sframe_key"].get<std::string>());
    EXPECT_EQ(ToHex(derived->salt.view()), v["sframe_salt"].get<std::string>());
    EXPECT_EQ(ToHex(MakeNonce(derived->salt.view(), ctr)), v["nonce"].get<std::string>());
    std::vector<uint8_t> aad;
    SframeHeader{kid, ctr}.SerializeTo(aad);
    aad.insert(aad.end(), metadata.begin(), metadata.end());
    EXPECT_EQ(ToHex(aad), v["aad"].get<std::string>());

    auto sender = SframeSender::Create({.suite = suite});
    ASSERT_TRUE(sender.ok());
    ASSERT_TRUE(sender->AddKey(kid, base_key).ok());
    ASSERT_TRUE(SframeTestPeer::SetNextCounter(*sender, kid, ctr));
    std::vector<uint8_t> buf = pt;
    buf.resize(pt.size() + sender->MaxOverhead());
    auto len = sender->Encrypt(kid, metadata, buf, pt.size());
    ASSERT_TRUE(len.ok());
    buf.resize(*len);
    EXPECT_EQ(ToHex(buf), ToHex(ct));

    auto receiver = SframeReceiver::Create({.suite = suite});
    ASSERT_TRUE(receiver.ok());
    ASSERT_TRUE(receiver->AddKey(kid, base_key).ok());
    buf = ct;
    auto frame = receiver->Decrypt(metadata, buf);
    ASSERT_TRUE(frame.ok());
    EXPECT_EQ(frame->kid, kid);
    EXPECT_EQ(frame->ctr, ctr);
    EXPECT_EQ(ToHex(frame->plaintext), ToHex(pt));
    if (!::testing::Test::HasFailure()) ++passed;
  }
  std::printf("[ sframe  ] full SFrame vectors passed: %zu of %zu\n", passed, vectors.size());
  EXPECT_EQ(vectors.size(), 5u);
  EXPECT_EQ(passed, 5u);
}

}  // namespace
}  // namespace aegis::sframe
