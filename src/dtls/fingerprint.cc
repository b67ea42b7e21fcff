#include "dtls/fingerprint.h"

#include <array>

#include "base/hex.h"

namespace aegis::dtls {
namespace {

struct HashName {
  std::string_view name;
  crypto::HashAlgorithm alg;
};
constexpr std::array<HashName, 3> kHashes = {{
    {"sha-256", crypto::HashAlgorithm::kSha256},
    {"sha-384", crypto::HashAlgorithm::kSha384},
    {"sha-512", crypto::HashAlgorithm::kSha512},
}};

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = Lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<crypto::HashAlgorithm> AlgorithmByName(std::string_view name) {
  for (const auto& h : kHashes) {
    if (EqualsIgnoreCase(name, h.name)) return h.alg;
  }
  return std::nullopt;
}

std::string_view NameOf(crypto::HashAlgorithm alg) {
  for (const auto& h : kHashes) {
    if (h.alg == alg) return h.name;
  }
  return "";
}

}  // namespace

std::optional<Fingerprint> Fingerprint::Parse(std::string_view text) {
  // Longest legal value: "sha-512 " + 64 pairs with 63 colons.
  constexpr size_t kMaxLength = 8 + 64 * 3;
  if (text.size() > kMaxLength) return std::nullopt;
  size_t space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  auto alg = AlgorithmByName(text.substr(0, space));
  if (!alg) return std::nullopt;

  // Strictly "XX:XX:...:XX": exactly two hex digits per byte, one colon
  // between bytes, nothing else (no spaces, no trailing colon).
  std::string_view hex = text.substr(space + 1);
  std::vector<uint8_t> digest;
  for (size_t i = 0;; i += 3) {
    if (i + 2 > hex.size()) return std::nullopt;
    int hi = HexValue(hex[i]), lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    digest.push_back(static_cast<uint8_t>(hi << 4 | lo));
    if (i + 2 == hex.size()) break;
    if (hex[i + 2] != ':') return std::nullopt;
  }
  if (digest.size() != crypto::DigestSize(*alg)) return std::nullopt;
  return Fingerprint(*alg, std::move(digest));
}

std::optional<Fingerprint> Fingerprint::Of(crypto::HashAlgorithm alg, std::span<const uint8_t> der) {
  if (NameOf(alg).empty()) return std::nullopt;
  return Fingerprint(alg, crypto::Digest(alg, {der}));
}

std::string Fingerprint::ToSdpString() const {
  std::string out(NameOf(alg_));
  out += ' ';
  out += ToColonHex(digest_);
  return out;
}

bool Fingerprint::Matches(std::span<const uint8_t> der) const {
  if (digest_.empty()) return false;
  std::vector<uint8_t> actual = crypto::Digest(alg_, {der});
  return crypto::ConstantTimeEquals(actual, digest_);
}

}  // namespace aegis::dtls
