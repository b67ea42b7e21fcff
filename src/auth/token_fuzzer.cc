// Fuzzes access-token verification with a fixed secret and clock.
//
// 1. The input as a token: VerifyToken must never crash and never accept,
//    since the fuzzer cannot forge an HMAC (abort if it does). This covers
//    size, segment, base64url and signature checks.
// 2. base64url: a string that decodes must re-encode to itself (strict,
//    canonical decoding), and any bytes must round-trip through Encode.
// 3. The input as JSON that we sign ourselves, so the header and claims
//    parsers (otherwise reachable only with the key) are fuzzed too: input
//    "H\0P" signs header H and payload P; input without a NUL signs the input
//    as payload under the standard header. If that token verifies, minting
//    its claims again must give a token that verifies to the same claims.
//
// Seeds (fuzz/corpus/token_fuzzer/): tokens signed with another key (valid
// in form, never under kSecret), broken tokens, and raw claims JSON.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/base64url.h"
#include "auth/jwt.h"
#include "auth/test_token.h"

using namespace aegis::auth;

namespace {

constexpr std::string_view kSecret = "token-fuzzer-fixed-secret-0123456789";
constexpr int64_t kNow = 1'700'000'000;
constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

std::span<const uint8_t> Key() { return testing::AsBytes(kSecret); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  if (VerifyToken(input, Key(), kNow)) abort();

  if (auto decoded = Base64UrlDecode(input)) {
    if (Base64UrlEncode(*decoded) != input) abort();
  }
  auto back = Base64UrlDecode(Base64UrlEncode({data, size}));
  if (!back || !std::equal(back->begin(), back->end(), data, data + size) || back->size() != size) abort();

  std::string_view header = kHeader, payload = input;
  if (size_t nul = input.find('\0'); nul != std::string_view::npos) {
    header = input.substr(0, nul);
    payload = input.substr(nul + 1);
  }
  std::string token = testing::SignRaw(header, payload, Key());
  auto claims = VerifyToken(token, Key(), kNow);
  if (!claims) return 0;
  auto again = MintToken(*claims, Key());
  if (!again) abort();
  auto reclaims = VerifyToken(*again, Key(), kNow);
  if (!reclaims || !(*reclaims == *claims)) abort();
  return 0;
}
