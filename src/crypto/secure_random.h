// The production randomness source: OpenSSL's CSPRNG.
#pragma once

#include "base/random.h"

namespace aegis::crypto {

class SecureRandom final : public RandomSource {
 public:
  // Aborts the process if the CSPRNG fails: continuing without randomness
  // would silently break every key and ICE credential.
  void Fill(std::span<uint8_t> out) override;
};

}  // namespace aegis::crypto
