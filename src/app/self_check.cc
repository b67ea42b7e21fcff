#include "app/self_check.h"

#include <functional>
#include <string_view>

#include "base/hex.h"
#include "crypto/aes_ctr.h"
#include "crypto/aes_gcm.h"
#include "crypto/hash.h"
#include "srtp/srtp_receiver.h"
#include "srtp/srtp_sender.h"

namespace aegis::app {
namespace {

std::vector<uint8_t> Hex(std::string_view text) { return FromHex(text).value_or(std::vector<uint8_t>{}); }

// NIST SP 800-38A F.5.1, first block.
bool AesCtrKat() {
  auto key = Hex("2b7e151628aed2a6abf7158809cf4f3c");
  auto iv = Hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  auto data = Hex("6bc1bee22e409f96e93d7e117393172a");
  auto ctr = crypto::AesCtr::Create(key);
  if (!ctr) return false;
  ctr->Apply(std::span<const uint8_t, 16>(iv.data(), 16), data);
  return ToHex(data) == "874d6191b620e3261bef6864990db6ce";
}

// Wycheproof aes_gcm_test.json tcId 1 (C2SP/wycheproof dac1dd4).
bool AesGcmKat() {
  auto key = Hex("5b9604fe14eadba931b0ccf34843dab9");
  auto iv = Hex("028318abc1824029138141a2");
  auto data = Hex("001d0c231287c1182784554ca3a21908");
  auto gcm = crypto::AesGcm::Create(key);
  if (!gcm) return false;
  uint8_t tag[16];
  std::span<const uint8_t, 12> iv12(iv.data(), 12);
  if (!gcm->Seal(iv12, {}, data, tag)) return false;
  if (ToHex(data) != "26073cc1d851beff176384dc9896d5ff" || ToHex(tag) != "0a3ea7a5487cb5f7d70fb6c58d038554") {
    return false;
  }
  tag[0] ^= 1;  // a forged tag must be refused
  return !gcm->Open(iv12, {}, data, tag);
}

// RFC 2202 §3 test case 1.
bool HmacSha1Kat() {
  auto key = Hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  auto msg = Hex("4869205468657265");  // "Hi There"
  return ToHex(crypto::HmacOnce(crypto::HashAlgorithm::kSha1, key, {msg})) ==
         "b617318655057264e28bc0b6fb378c8ef146be00";
}

// RFC 7714 §16.1: SRTP AEAD_AES_128_GCM protect, then unprotect, then a
// one-bit change must be refused.
bool SrtpGcmKat() {
  srtp::DerivedKeys keys;
  keys.srtp.cipher_key = crypto::SecretBytes(Hex("000102030405060708090a0b0c0d0e0f"));
  keys.srtp.salt = crypto::SecretBytes(Hex("517569642070726f2071756f"));
  keys.srtcp = keys.srtp;
  auto sender = srtp::SrtpSender::CreateFromSessionKeys(srtp::Profile::kAeadAes128Gcm, keys);
  auto receiver = srtp::SrtpReceiver::CreateFromSessionKeys(srtp::Profile::kAeadAes128Gcm, keys);
  if (!sender.ok() || !receiver.ok()) return false;
  auto packet = Hex(
      "8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573");
  size_t plain_size = packet.size();
  packet.resize(plain_size + 16);
  auto len = sender->ProtectRtp(packet, plain_size);
  if (!len.ok() || ToHex(std::span(packet).first(*len)) !=
                       "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de"
                       "3adf8833899d7f27beb16a9152cf765ee4390cce") {
    return false;
  }
  auto forged = packet;
  forged[20] ^= 1;
  if (receiver->UnprotectRtp(forged, *len).ok()) return false;
  auto plain = receiver->UnprotectRtp(packet, *len);
  return plain.ok() && *plain == plain_size;
}

}  // namespace

std::vector<CheckResult> RunSelfChecks() {
  const std::pair<const char*, std::function<bool()>> checks[] = {
      {"AES-128-CTR (SP 800-38A F.5.1)", AesCtrKat},
      {"AES-128-GCM (Wycheproof tc 1)", AesGcmKat},
      {"HMAC-SHA1 (RFC 2202 case 1)", HmacSha1Kat},
      {"SRTP AEAD_AES_128_GCM (RFC 7714 16.1)", SrtpGcmKat},
  };
  std::vector<CheckResult> results;
  for (const auto& [name, check] : checks) results.push_back({name, check()});
  return results;
}

}  // namespace aegis::app
