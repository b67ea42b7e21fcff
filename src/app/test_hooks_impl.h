// The test hooks of `aegis-test-server` (see server/test_hooks.h): a capture
// of publishers' RTP payloads as JSON lines, and substitution of the second
// joiner's identity key. Test builds only.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "server/test_hooks.h"

namespace aegis::app {

class CaptureAndSubstituteHooks final : public server::ConferenceTestHooks {
 public:
  // `capture_path` empty: no capture. The file is bounded (kMaxCaptureBytes).
  CaptureAndSubstituteHooks(const std::string& capture_path, bool substitute_identity_key);
  ~CaptureAndSubstituteHooks() override;

  void OnPublisherRtp(std::string_view publisher_id, bool audio, std::span<const uint8_t> rtp) override;
  std::optional<signaling::Blob> AnnouncedIdentityKey(std::string_view room, size_t join_index,
                                                      const signaling::Blob& key) override;

  static constexpr size_t kMaxCaptureBytes = 64 * 1024 * 1024;
  static constexpr size_t kVideoPayloadBytes = 64;

 private:
  std::mutex mutex_;
  std::FILE* capture_ = nullptr;
  size_t written_ = 0;
  bool substitute_;
};

}  // namespace aegis::app
