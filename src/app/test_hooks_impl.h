// The test hooks of `aegis-test-server` (see server/test_hooks.h): a capture
// file of JSON lines — every publisher RTP packet with its whole payload
// ("event":"rtp"), every MLS message relayed, once per recipient, with its
// bytes ("event":"mls") and every participant removed ("removed") — and
// substitution of the KeyPackage announced for a room's second joiner.
// Test builds only.
#pragma once

#include <cstdio>
#include <mutex>
#include <optional>
#include <string>

#include "server/test_hooks.h"

namespace aegis::app {

class CaptureAndSubstituteHooks final : public server::ConferenceTestHooks {
 public:
  // `capture_path` empty: no capture. The file is bounded (kMaxCaptureBytes).
  // `substitute_key_package`: announced instead of the KeyPackage of every
  // room's second joiner (join index 1) that joins with one.
  CaptureAndSubstituteHooks(const std::string& capture_path, std::optional<signaling::Blob> substitute_key_package);
  ~CaptureAndSubstituteHooks() override;

  void OnPublisherRtp(std::string_view publisher_id, bool audio, std::span<const uint8_t> rtp) override;
  std::optional<signaling::Blob> AnnouncedKeyPackage(std::string_view room, size_t join_index,
                                                     const signaling::Blob& key_package) override;
  void OnMlsRelayed(std::string_view room, std::string_view type, std::string_view from_id, std::string_view to_id,
                    std::span<const uint8_t> message) override;
  void OnParticipantRemoved(std::string_view room, std::string_view participant_id) override;

  // Past this the file stops growing and its last line says so
  // ("event":"truncated"), so a test can tell a cut capture from a short one.
  static constexpr size_t kMaxCaptureBytes = 256 * 1024 * 1024;

 private:
  void Write(const std::string& line);

  std::mutex mutex_;
  std::FILE* capture_ = nullptr;
  size_t written_ = 0;
  bool truncated_ = false;
  const std::optional<signaling::Blob> substitute_;
};

}  // namespace aegis::app
