#include "signaling/protocol_error.h"

#include <array>
#include <utility>

namespace aegis::signaling {
namespace {

// The wire names are part of the protocol: never rename one, only add.
constexpr std::array<std::pair<ErrorCode, std::string_view>, 31> kNames{{
    {ErrorCode::kMalformedJson, "malformed_json"},
    {ErrorCode::kDuplicateKey, "duplicate_key"},
    {ErrorCode::kTooLarge, "too_large"},
    {ErrorCode::kUnsupportedVersion, "unsupported_version"},
    {ErrorCode::kUnknownType, "unknown_type"},
    {ErrorCode::kMissingField, "missing_field"},
    {ErrorCode::kInvalidField, "invalid_field"},
    {ErrorCode::kBadBase64, "bad_base64"},
    {ErrorCode::kUnauthorized, "unauthorized"},
    {ErrorCode::kForbidden, "forbidden"},
    {ErrorCode::kRateLimited, "rate_limited"},
    {ErrorCode::kNotJoined, "not_joined"},
    {ErrorCode::kAlreadyJoined, "already_joined"},
    {ErrorCode::kUnknownParticipant, "unknown_participant"},
    {ErrorCode::kE2eeRequired, "e2ee_required"},
    {ErrorCode::kBadSdp, "bad_sdp"},
    {ErrorCode::kRoomFull, "room_full"},
    {ErrorCode::kShuttingDown, "shutting_down"},
    {ErrorCode::kTooManyTracks, "too_many_tracks"},
    {ErrorCode::kReplaced, "replaced"},
    {ErrorCode::kTokenExpired, "token_expired"},
    {ErrorCode::kRevoked, "revoked"},
    {ErrorCode::kKicked, "kicked"},
    {ErrorCode::kRoomLocked, "room_locked"},
    {ErrorCode::kRoomEnded, "room_ended"},
    {ErrorCode::kDenied, "denied"},
    {ErrorCode::kMlsStaleEpoch, "mls_stale_epoch"},
    {ErrorCode::kMlsRefused, "mls_refused"},
    {ErrorCode::kResumeFailed, "resume_failed"},
    {ErrorCode::kRelayUnavailable, "relay_unavailable"},
    {ErrorCode::kInternal, "internal"},
}};

}  // namespace

std::string_view WireName(ErrorCode code) {
  for (const auto& [c, name] : kNames) {
    if (c == code) return name;
  }
  return "internal";
}

std::optional<ErrorCode> ErrorCodeFromWireName(std::string_view name) {
  for (const auto& [c, n] : kNames) {
    if (n == name) return c;
  }
  return std::nullopt;
}

}  // namespace aegis::signaling
