// HKDF (RFC 5869), for SFrame key derivation and other key schedules.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "crypto/hash.h"

namespace aegis::crypto {

std::vector<uint8_t> HkdfExtract(HashAlgorithm alg, std::span<const uint8_t> salt, std::span<const uint8_t> ikm);
// nullopt if `length` exceeds 255 * hash size.
std::optional<std::vector<uint8_t>> HkdfExpand(HashAlgorithm alg, std::span<const uint8_t> prk,
                                               std::span<const uint8_t> info, size_t length);
std::optional<std::vector<uint8_t>> Hkdf(HashAlgorithm alg, std::span<const uint8_t> salt,
                                         std::span<const uint8_t> ikm, std::span<const uint8_t> info,
                                         size_t length);

}  // namespace aegis::crypto
