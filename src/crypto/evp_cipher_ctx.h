// Owning handle for an OpenSSL cipher context (internal to crypto/).
#pragma once

#include <openssl/evp.h>

#include <memory>

namespace aegis::crypto {

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

}  // namespace aegis::crypto
