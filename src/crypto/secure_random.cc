#include "crypto/secure_random.h"

#include <openssl/rand.h>

#include <climits>
#include <cstdlib>

namespace aegis::crypto {

void SecureRandom::Fill(std::span<uint8_t> out) {
  while (!out.empty()) {
    size_t n = out.size() > INT_MAX ? INT_MAX : out.size();
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) abort();
    out = out.subspan(n);
  }
}

}  // namespace aegis::crypto
