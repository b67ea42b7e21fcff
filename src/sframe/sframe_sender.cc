#include "sframe/sframe_sender.h"

#include <algorithm>
#include <cstring>

#include "crypto/hash.h"

namespace aegis::sframe {

Result<SframeSender, Error> SframeSender::Create(const SenderConfig& config) {
  if (!CipherSuiteFromId(static_cast<uint16_t>(config.suite))) return Err{Error::kInvalidCipherSuite};
  return SframeSender(config);
}

SframeSender::SframeSender(const SenderConfig& config)
    : suite_(config.suite), tag_size_(GetCipherSuiteParams(config.suite).tag_size), keys_(config.max_keys) {}

SframeSender::Fingerprint SframeSender::KeyFingerprint(const KeyContext& ctx) {
  auto digest = crypto::Digest(crypto::HashAlgorithm::kSha256, {ctx.key.view()});
  Fingerprint fp;
  std::copy_n(digest.begin(), fp.size(), fp.begin());
  return fp;
}

Result<void, Error> SframeSender::AddKey(uint64_t kid, std::span<const uint8_t> base_key) {
  auto ctx = KeyContext::Derive(suite_, kid, base_key);
  if (!ctx) return Err{ctx.error()};
  SendKey* key = keys_.Find(kid);
  if (key && key->ctx.SameKey(*ctx)) return {};
  if (!key && keys_.size() >= keys_.capacity()) return Err{Error::kTooManyKeys};
  if (key) {
    Retire(*key);
    *key = SendKey{std::move(ctx).value()};
  } else {
    key = keys_.Insert(kid, SendKey{std::move(ctx).value()});
  }
  Resume(*key);
  return {};
}

bool SframeSender::RemoveKey(uint64_t kid) {
  SendKey* key = keys_.Find(kid);
  if (!key) return false;
  Retire(*key);
  return keys_.Remove(kid);
}

void SframeSender::Retire(const SendKey& key) {
  Retired r{KeyFingerprint(key.ctx), key.next_ctr, key.exhausted};
  for (Retired& old : retired_) {
    if (old.fingerprint == r.fingerprint) {
      old = r;
      return;
    }
  }
  if (retired_.size() < kRetiredKeys) {
    retired_.push_back(r);
  } else {
    retired_[retired_next_] = r;
    retired_next_ = (retired_next_ + 1) % kRetiredKeys;
  }
}

void SframeSender::Resume(SendKey& key) const {
  const auto fp = KeyFingerprint(key.ctx);
  for (const Retired& r : retired_) {
    if (r.fingerprint == fp) {
      key.next_ctr = r.next_ctr;
      key.exhausted = r.exhausted;
      return;
    }
  }
}

Result<size_t, Error> SframeSender::Encrypt(uint64_t kid, std::span<const uint8_t> metadata,
                                            std::span<uint8_t> buffer, size_t plaintext_len) {
  auto result = DoEncrypt(kid, metadata, buffer, plaintext_len);
  if (result) {
    counters_.CountFrame();
  } else {
    counters_.Count(result.error());
  }
  return result;
}

Result<size_t, Error> SframeSender::DoEncrypt(uint64_t kid, std::span<const uint8_t> metadata,
                                              std::span<uint8_t> buffer, size_t plaintext_len) {
  if (plaintext_len > buffer.size()) return Err{Error::kBufferTooSmall};
  if (plaintext_len > kMaxFrameSize) return Err{Error::kTooLong};
  SendKey* key = keys_.Find(kid);
  if (!key) return Err{Error::kUnknownKid};
  if (key->exhausted) return Err{Error::kCounterExhausted};
  const SframeHeader header{kid, key->next_ctr};
  const size_t header_size = header.size();
  if (buffer.size() - plaintext_len < header_size + tag_size_) return Err{Error::kBufferTooSmall};

  // Spend the CTR before the cipher sees it: a failed Seal may have used it.
  if (key->next_ctr == UINT64_MAX) {
    key->exhausted = true;
  } else {
    ++key->next_ctr;
  }
  // The header goes in front of the plaintext, which moves up to make room.
  if (plaintext_len > 0) std::memmove(buffer.data() + header_size, buffer.data(), plaintext_len);
  header.WriteTo(buffer);
  auto hdr = buffer.first(header_size);
  auto body = buffer.subspan(header_size, plaintext_len);
  auto tag = buffer.subspan(header_size + plaintext_len, tag_size_);
  if (!key->ctx.aead->Seal(MakeNonce(key->ctx.salt.view(), header.ctr), hdr, metadata, body, tag)) {
    return Err{Error::kCryptoFailure};
  }
  return header_size + plaintext_len + tag_size_;
}

}  // namespace aegis::sframe
