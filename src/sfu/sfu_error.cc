#include "sfu/sfu_error.h"

namespace aegis::sfu {

std::string_view ToString(SfuError e) {
  switch (e) {
    case SfuError::kRoomExists: return "room exists";
    case SfuError::kNoSuchRoom: return "no such room";
    case SfuError::kRoomNotEmpty: return "room not empty";
    case SfuError::kParticipantExists: return "participant exists";
    case SfuError::kNoSuchParticipant: return "no such participant";
    case SfuError::kNoSuchTrack: return "no such track";
    case SfuError::kBadTrackConfig: return "bad track config";
    case SfuError::kSsrcInUse: return "SSRC already declared by this participant";
    case SfuError::kCrossRoom: return "track is in another room";
    case SfuError::kSelfSubscription: return "subscription to own track not allowed";
    case SfuError::kDuplicateSubscription: return "already subscribed";
    case SfuError::kDownstreamSsrcInUse: return "downstream SSRC already in use";
    case SfuError::kBadPayloadTypeMap: return "bad payload type map";
    case SfuError::kNoSuchSubscription: return "no such subscription";
    case SfuError::kReentrant: return "called from a Sink callback";
  }
  return "unknown";
}

}  // namespace aegis::sfu
