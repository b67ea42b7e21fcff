#include "sframe/key_table.h"

#include "crypto/hash.h"
#include "sframe/key_derivation.h"

namespace aegis::sframe {

Result<KeyContext, Error> KeyContext::Derive(CipherSuite suite, uint64_t kid, std::span<const uint8_t> base_key) {
  auto derived = DeriveKeySalt(suite, kid, base_key);
  if (!derived) return Err{Error::kInvalidKey};
  KeyContext ctx{derived->key, derived->salt, Aead::Create(suite, derived->key.view())};
  if (!ctx.aead) return Err{Error::kCryptoFailure};
  return ctx;
}

bool KeyContext::SameKey(const KeyContext& other) const {
  return crypto::ConstantTimeEquals(key.view(), other.key.view());
}

}  // namespace aegis::sframe
