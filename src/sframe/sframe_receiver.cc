#include "sframe/sframe_receiver.h"

#include "sframe/sframe_header.h"

namespace aegis::sframe {

Result<SframeReceiver, Error> SframeReceiver::Create(const ReceiverConfig& config) {
  if (!CipherSuiteFromId(static_cast<uint16_t>(config.suite))) return Err{Error::kInvalidCipherSuite};
  return SframeReceiver(config);
}

SframeReceiver::SframeReceiver(const ReceiverConfig& config)
    : suite_(config.suite),
      tag_size_(GetCipherSuiteParams(config.suite).tag_size),
      replay_protection_(config.replay_protection),
      keys_(config.max_keys) {}

Result<void, Error> SframeReceiver::AddKey(uint64_t kid, std::span<const uint8_t> base_key) {
  auto ctx = KeyContext::Derive(suite_, kid, base_key);
  if (!ctx) return Err{ctx.error()};
  if (ReceiveKey* existing = keys_.Find(kid)) {
    if (!existing->ctx.SameKey(*ctx)) *existing = ReceiveKey{std::move(ctx).value(), {}};
    return {};
  }
  if (!keys_.Insert(kid, ReceiveKey{std::move(ctx).value(), {}})) return Err{Error::kTooManyKeys};
  return {};
}

bool SframeReceiver::RemoveKey(uint64_t kid) { return keys_.Remove(kid); }

Result<DecryptedFrame, Error> SframeReceiver::Decrypt(std::span<const uint8_t> metadata, std::span<uint8_t> frame) {
  auto result = DoDecrypt(metadata, frame);
  if (result) {
    counters_.CountFrame();
  } else {
    counters_.Count(result.error());
  }
  return result;
}

Result<DecryptedFrame, Error> SframeReceiver::DoDecrypt(std::span<const uint8_t> metadata,
                                                        std::span<uint8_t> frame) {
  if (frame.size() > kMaxFrameSize + SframeHeader::kMaxSize + tag_size_) return Err{Error::kTooLong};
  auto header = SframeHeader::Parse(frame);
  if (!header) return Err{header.error()};
  ReceiveKey* key = keys_.Find(header->kid);
  if (!key) return Err{Error::kUnknownKid};
  const size_t header_size = header->size();
  if (frame.size() - header_size < tag_size_) return Err{Error::kTooShort};
  if (replay_protection_) {
    if (auto fresh = key->window.Check(header->ctr); !fresh) return Err{fresh.error()};
  }

  const size_t body_size = frame.size() - header_size - tag_size_;
  auto body = frame.subspan(header_size, body_size);
  if (!key->ctx.aead->Open(MakeNonce(key->ctx.salt.view(), header->ctr), frame.first(header_size), metadata, body,
                           frame.last(tag_size_))) {
    return Err{Error::kAuthFailed};
  }
  if (replay_protection_) key->window.Update(header->ctr);
  return DecryptedFrame{header->kid, header->ctr, body};
}

}  // namespace aegis::sframe
