// Why a model change (room, participant, track, subscription) was refused.
#pragma once

#include <string_view>

namespace aegis::sfu {

enum class SfuError {
  kRoomExists,
  kNoSuchRoom,
  kRoomNotEmpty,
  kParticipantExists,      // ids are unique across all rooms
  kNoSuchParticipant,
  kNoSuchTrack,
  kBadTrackConfig,         // no SSRC, zero clock rate, PT > 127, too many SSRCs
  kSsrcInUse,              // the publisher already declared this SSRC
  kCrossRoom,              // subscriber and track live in different rooms
  kSelfSubscription,       // own track without SubscriptionOptions::allow_self
  kDuplicateSubscription,  // this subscriber already receives the track
  kDownstreamSsrcInUse,    // the subscriber already receives on this SSRC
  kBadPayloadTypeMap,      // PT > 127, not negotiated for the track, or repeated
  kNoSuchSubscription,
  kReentrant,              // called from inside a Sink callback
};

std::string_view ToString(SfuError e);

}  // namespace aegis::sfu
