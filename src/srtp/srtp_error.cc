#include "srtp/srtp_error.h"

namespace aegis::srtp {

const char* ErrorName(Error error) {
  switch (error) {
    case Error::kTooShort: return "too-short";
    case Error::kTooLong: return "too-long";
    case Error::kBadHeader: return "bad-header";
    case Error::kAuthFailed: return "auth-failed";
    case Error::kReplayed: return "replayed";
    case Error::kTooOld: return "too-old";
    case Error::kIndexExhausted: return "index-exhausted";
    case Error::kTooManySsrcs: return "too-many-ssrcs";
    case Error::kBufferTooSmall: return "buffer-too-small";
    case Error::kInvalidKey: return "invalid-key";
    case Error::kCryptoFailure: return "crypto-failure";
  }
  return "unknown";
}

}  // namespace aegis::srtp
