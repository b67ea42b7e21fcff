#include "stun/integrity.h"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "base/big_endian.h"
#include "stun/constants.h"
#include "stun/crc32.h"
#include "stun/integrity_attributes.h"
#include "stun/wire.h"

namespace aegis::stun {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Where the attributes that integrity checks use are, per the ordering
// rules the parser applies (see message.h).
struct Locations {
  std::optional<RawAttributeView> mi;
  std::optional<RawAttributeView> mi_sha256;
  std::optional<RawAttributeView> fingerprint;
};

std::optional<Locations> Locate(std::span<const uint8_t> raw) {
  if (!CheckHeader(raw)) return std::nullopt;
  Locations loc;
  AttributeWalker walker(raw);
  while (auto a = walker.Next()) {
    if (a->type == attr::kMessageIntegrity && !loc.mi && !loc.mi_sha256) {
      if (a->value.size() != kMessageIntegritySize) return std::nullopt;
      loc.mi = a;
    } else if (a->type == attr::kMessageIntegritySha256 && !loc.mi_sha256) {
      if (!MessageIntegritySha256::ValidSize(a->value.size())) return std::nullopt;
      loc.mi_sha256 = a;
    } else if (a->type == attr::kFingerprint) {
      if (a->value.size() != 4) return std::nullopt;
      loc.fingerprint = a;
    }
  }
  if (walker.error()) return std::nullopt;
  return loc;
}

// Header length that ends the message right after attribute `a`.
uint16_t LengthThrough(const RawAttributeView& a) {
  return static_cast<uint16_t>(a.end() - kHeaderSize);
}

IntegrityStatus VerifyHmac(crypto::HashAlgorithm alg, std::span<const uint8_t> raw,
                           const RawAttributeView& a, std::span<const uint8_t> key) {
  if (key.empty()) return IntegrityStatus::kMismatch;
  std::array<uint8_t, kMessageIntegritySha256Max> mac{};
  const auto expected = std::span<uint8_t>(mac).first(a.value.size());
  ComputeIntegrity(alg, key, raw.first(a.offset), LengthThrough(a), expected);
  return crypto::ConstantTimeEquals(expected, a.value) ? IntegrityStatus::kOk
                                                       : IntegrityStatus::kMismatch;
}

}  // namespace

std::string_view ToString(IntegrityStatus s) {
  switch (s) {
    case IntegrityStatus::kOk: return "ok";
    case IntegrityStatus::kAbsent: return "absent";
    case IntegrityStatus::kMismatch: return "mismatch";
    case IntegrityStatus::kMalformed: return "malformed";
  }
  return "unknown";
}

void ComputeIntegrity(crypto::HashAlgorithm alg, std::span<const uint8_t> key,
                      std::span<const uint8_t> prefix, uint16_t adjusted_length,
                      std::span<uint8_t> out) {
  if (prefix.size() < kHeaderSize) {  // not a message: never a usable MAC
    std::fill(out.begin(), out.end(), uint8_t{0});
    return;
  }
  std::array<uint8_t, kHeaderSize> header{};
  std::copy_n(prefix.begin(), kHeaderSize, header.begin());
  StoreBE16(header.data() + 2, adjusted_length);
  const auto mac = crypto::HmacOnce(alg, key, {header, prefix.subspan(kHeaderSize)});
  std::copy_n(mac.begin(), std::min(out.size(), mac.size()), out.begin());
}

uint32_t ComputeFingerprint(std::span<const uint8_t> prefix, uint16_t adjusted_length) {
  if (prefix.size() < kHeaderSize) return 0;
  std::array<uint8_t, kHeaderSize> header{};
  std::copy_n(prefix.begin(), kHeaderSize, header.begin());
  StoreBE16(header.data() + 2, adjusted_length);
  const uint32_t crc = Crc32Update(Crc32(header), prefix.subspan(kHeaderSize));
  return crc ^ kFingerprintXor;
}

IntegrityStatus VerifyMessageIntegrity(std::span<const uint8_t> raw,
                                       std::span<const uint8_t> key) {
  const auto loc = Locate(raw);
  if (!loc) return IntegrityStatus::kMalformed;
  if (!loc->mi) return IntegrityStatus::kAbsent;
  return VerifyHmac(crypto::HashAlgorithm::kSha1, raw, *loc->mi, key);
}

IntegrityStatus VerifyMessageIntegritySha256(std::span<const uint8_t> raw,
                                             std::span<const uint8_t> key) {
  const auto loc = Locate(raw);
  if (!loc) return IntegrityStatus::kMalformed;
  if (!loc->mi_sha256) return IntegrityStatus::kAbsent;
  return VerifyHmac(crypto::HashAlgorithm::kSha256, raw, *loc->mi_sha256, key);
}

IntegrityStatus VerifyFingerprint(std::span<const uint8_t> raw) {
  const auto loc = Locate(raw);
  if (!loc) return IntegrityStatus::kMalformed;
  if (!loc->fingerprint) return IntegrityStatus::kAbsent;
  const auto& fp = *loc->fingerprint;
  const uint32_t expected = ComputeFingerprint(raw.first(fp.offset), LengthThrough(fp));
  std::array<uint8_t, 4> want{};
  StoreBE32(want.data(), expected);
  return crypto::ConstantTimeEquals(want, fp.value) ? IntegrityStatus::kOk
                                                    : IntegrityStatus::kMismatch;
}

crypto::SecretBytes LongTermKey(std::string_view username, std::string_view realm,
                                std::string_view password, crypto::HashAlgorithm alg) {
  const uint8_t colon = ':';
  const std::span<const uint8_t> sep(&colon, 1);
  std::vector<uint8_t> digest =
      crypto::Digest(alg, {Bytes(username), sep, Bytes(realm), sep, Bytes(password)});
  crypto::SecretBytes key(digest);
  crypto::SecureWipe(digest);
  return key;
}

}  // namespace aegis::stun
