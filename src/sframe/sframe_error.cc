#include "sframe/sframe_error.h"

namespace aegis::sframe {

const char* ErrorName(Error error) {
  switch (error) {
    case Error::kTooShort: return "too-short";
    case Error::kNonMinimalHeader: return "non-minimal-header";
    case Error::kTooLong: return "too-long";
    case Error::kUnknownKid: return "unknown-kid";
    case Error::kAuthFailed: return "auth-failed";
    case Error::kReplayed: return "replayed";
    case Error::kTooOld: return "too-old";
    case Error::kCounterExhausted: return "counter-exhausted";
    case Error::kBufferTooSmall: return "buffer-too-small";
    case Error::kTooManyKeys: return "too-many-keys";
    case Error::kInvalidKey: return "invalid-key";
    case Error::kInvalidCipherSuite: return "invalid-cipher-suite";
    case Error::kCryptoFailure: return "crypto-failure";
  }
  return "unknown";
}

}  // namespace aegis::sframe
