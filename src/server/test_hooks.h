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
  // The KeyPackage the others are told (participant objects in
  // participant_joined, joined, lobby_joined) for the `join_index`-th joiner
  // of `room` (0-based, every join counted), who joined with `key_package`.
  // A value replaces it in what the others see, simulating a server that
  // substitutes keys; the joiner's own session (its Welcome) is unchanged.
  virtual std::optional<signaling::Blob> AnnouncedKeyPackage(std::string_view room, size_t join_index,
                                                             const signaling::Blob& key_package) = 0;
  // An MLS message handed to `to_id`: `type` is mls_commit, mls_welcome,
  // mls_proposal or mls_app; `from_id` the participant it came from, empty
  // for the server's own (its Remove proposals); `message` the MLSMessage
  // bytes relayed (one call per recipient).
  virtual void OnMlsRelayed(std::string_view room, std::string_view type, std::string_view from_id,
                            std::string_view to_id, std::span<const uint8_t> message) = 0;
  // `participant_id` was removed from `room`: nothing is relayed to it after this.
  virtual void OnParticipantRemoved(std::string_view room, std::string_view participant_id) = 0;
};

}  // namespace aegis::server
