// Strong ids of the SFU model. Participant and track ids are unique across
// the whole router (not per room), so a lookup can never land in another
// room by accident.
#pragma once

#include <cstdint>

#include "base/strong_id.h"

namespace aegis::sfu {

using RoomId = StrongId<struct RoomIdTag, uint64_t>;
using ParticipantId = StrongId<struct ParticipantIdTag, uint64_t>;
using TrackId = StrongId<struct TrackIdTag, uint64_t>;

}  // namespace aegis::sfu
