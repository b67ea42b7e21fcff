// Certificate fingerprints as carried in SDP (RFC 8122 §5):
//
//   attribute   = "fingerprint" ":" hash-func SP fingerprint
//   hash-func   = "sha-256" / "sha-384" / "sha-512" / ...   (case-insensitive)
//   fingerprint = 2UHEX *(":" 2UHEX)
//
// RFC 8827 §6.5 requires the DTLS certificate to match this value. Aegis
// emits sha-256 with upper-case hex and accepts sha-256/384/512 in either
// case from the remote; weaker hashes (md5, sha-1) are refused.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/hash.h"

namespace aegis::dtls {

class Fingerprint {
 public:
  // An empty fingerprint: matches no certificate.
  Fingerprint() = default;

  // Parses the value of an a=fingerprint attribute, e.g. "sha-256 AB:CD:...".
  static std::optional<Fingerprint> Parse(std::string_view sdp_value);
  // The fingerprint of a DER certificate; nullopt for an unsupported hash.
  static std::optional<Fingerprint> Of(crypto::HashAlgorithm alg, std::span<const uint8_t> der);

  crypto::HashAlgorithm algorithm() const { return alg_; }
  std::span<const uint8_t> digest() const { return digest_; }
  bool empty() const { return digest_.empty(); }

  // "sha-256 AB:CD:..." (upper-case hex, as browsers emit).
  std::string ToSdpString() const;

  // Hashes `der` with this fingerprint's algorithm and compares in constant
  // time. False for an empty fingerprint.
  bool Matches(std::span<const uint8_t> der) const;

  bool operator==(const Fingerprint& o) const { return alg_ == o.alg_ && digest_ == o.digest_; }

 private:
  Fingerprint(crypto::HashAlgorithm alg, std::vector<uint8_t> digest) : alg_(alg), digest_(std::move(digest)) {}

  crypto::HashAlgorithm alg_ = crypto::HashAlgorithm::kSha256;
  std::vector<uint8_t> digest_;
};

}  // namespace aegis::dtls
