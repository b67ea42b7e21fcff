// Signaling error codes and their stable wire names (docs/protocol.md §5).
//
// A ProtocolError names the code and, where one applies, the JSON member
// that failed, so a client (and a log) can tell exactly which rule fired.
// The field is always a string literal from this layer, never client text,
// so it is safe to echo back.
#pragma once

#include <optional>
#include <string_view>

namespace aegis::signaling {

enum class ErrorCode {
  // Parsing (produced by ParseClientMessage).
  kMalformedJson,       // not JSON, not an object, invalid UTF-8, NUL, BOM, nested too deeply
  kDuplicateKey,        // an object repeats a member name
  kTooLarge,            // message, string, list or decoded blob over its limit
  kUnsupportedVersion,  // "v" is an integer other than kProtocolVersion
  kUnknownType,         // "type" names no client message
  kMissingField,        // a required member is absent
  kInvalidField,        // wrong JSON type, bad characters, unknown member
  kBadBase64,           // a blob is not canonical unpadded base64url
  // Session (produced by the server's signaling session).
  kUnauthorized,  // token missing, forged, expired or for another room
  kForbidden,     // the token lacks the grant for this action
  kRateLimited,   // too many messages or joins
  kNotJoined,     // a message other than join/ping before join
  kAlreadyJoined, // a second join on one connection
  kUnknownParticipant,  // a room admin request names nobody in the room (or lobby)
  kE2eeRequired,  // the room requires end-to-end encryption and the join did not offer it
  kBadSdp,        // an SDP the server cannot accept (unparsable, or refused by policy)
  kRoomFull,      // the room (or the server) has no room for another participant
  kShuttingDown,  // the server is stopping; the connection closes next
  kTooManyTracks, // a publish offer names more tracks of a kind than one participant may publish
  kReplaced,      // the same identity joined the room again: this session ends
  kTokenExpired,  // the session's token expired without a refresh; the connection closes next
  kRevoked,       // the session's token (or identity) was revoked; the connection closes next
  kKicked,        // a room admin removed this participant; the connection closes next
  kRoomLocked,    // the room is locked: no new joins
  kRoomEnded,     // a room admin ended the room; the connection closes next
  kDenied,        // a room admin refused this participant's entry from the lobby
  kMlsStaleEpoch, // an mls_commit for an epoch another commit already ended (process it, then rebase)
  kMlsRefused,    // any other refused MLS message (not a member, wrong group, malformed framing)
  kResumeFailed,  // no session to resume: unknown, ended, or its missed messages are gone (join again)
  kRelayUnavailable,  // the room takes media only through a TURN relay, and this server has none
  kInternal,      // the server failed; the message is not the client's fault
};

std::string_view WireName(ErrorCode code);
std::optional<ErrorCode> ErrorCodeFromWireName(std::string_view name);

struct ProtocolError {
  ErrorCode code = ErrorCode::kInternal;
  std::string_view field;  // static string: the member at fault, or empty

  bool operator==(const ProtocolError&) const = default;
};

}  // namespace aegis::signaling
