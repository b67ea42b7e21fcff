// Observation and fault-injection points for test builds. The shipped
// `aegis` binary never sets them (ConferenceConfig::test_hooks stays null);
// only `aegis-test-server` (src/app/test_server_main.cc) links an
// implementation, so no switch in the shipped binary weakens anything.
// Called on media worker threads: implementations must be thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "signaling/messages.h"

namespace aegis::server {

class ConferenceTestHooks {
 public:
  virtual ~ConferenceTestHooks() = default;
  // A publisher's plain RTP packet (after SRTP, before forwarding).
  virtual void OnPublisherRtp(std::string_view publisher_id, bool audio, std::span<const uint8_t> rtp) = 0;
  // The identity key the others are told for the `join_index`-th joiner of
  // `room` (0-based); a value replaces `key` (simulating a key-swapping server).
  virtual std::optional<signaling::Blob> AnnouncedIdentityKey(std::string_view room, size_t join_index,
                                                              const signaling::Blob& key) = 0;
  // A key blob of `from` was handed to `to` (each recipient of a broadcast).
  virtual void OnKeyBlobRelayed(std::string_view room, std::string_view from_id, std::string_view to_id) = 0;
  // `participant_id` was removed from `room`: nothing is relayed to it after this.
  virtual void OnParticipantRemoved(std::string_view room, std::string_view participant_id) = 0;
};

}  // namespace aegis::server
