#include "ice/ice_credentials.h"

#include <cstdint>
#include <vector>

namespace aegis::ice {
namespace {

constexpr char kIceChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// 64 symbols: each random byte gives 6 unbiased bits.
std::string RandomIceString(RandomSource& rng, size_t length) {
  std::vector<uint8_t> bytes(length);
  rng.Fill(bytes);
  std::string out;
  out.reserve(length);
  for (uint8_t b : bytes) out.push_back(kIceChars[b & 63]);
  return out;
}

}  // namespace

IceCredentials GenerateIceCredentials(RandomSource& rng) {
  IceCredentials c;
  c.ufrag = RandomIceString(rng, 8);
  c.pwd = RandomIceString(rng, 32);
  return c;
}

}  // namespace aegis::ice
