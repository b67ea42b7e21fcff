// Server → client signaling messages (docs/protocol.md §4) and their
// serializer. Built with nlohmann::json, which escapes every string, so no
// client-chosen text (display names, error detail) can break the framing.
//
//   joined              {participant_id, room, participants[]}
//   participant_joined  {participant}
//   participant_left    {participant_id}
//   track_published     {participant_id, track_id, kind}
//   track_unpublished   {participant_id, track_id}
//   answer              {sdp, re?}   to the client's publish offer
//   offer               {sdp}   for the subscriber connection
//   key_blob            {from, blob}
//   error               {code, field?, message, re?}   re: the refused request's id
//   pong                {seq?}
//   token_expiring      {expires_in_s}   send `refresh` with a fresh token
//   muted               {participant_id, kind, muted}   a room admin's mute
//   locked              {locked}
//   lobby               {}      this joiner waits for a room admin
//   lobby_joined        {participant}   to admins: someone waits
//   lobby_left          {participant_id}   to admins: admitted, denied or gone
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "signaling/messages.h"
#include "signaling/protocol_error.h"

namespace aegis::signaling {

struct TrackInfo {
  std::string id;
  TrackKind kind = TrackKind::kAudio;
  bool operator==(const TrackInfo&) const = default;
};

struct ParticipantInfo {
  std::string id;
  std::string name;                  // display name from the token; may be empty
  std::optional<Blob> identity_key;  // E2EE identity public key, relayed as sent
  std::vector<TrackInfo> tracks;
  bool audio_muted = false;  // by a room admin: the server forwards none of it
  bool video_muted = false;
  bool operator==(const ParticipantInfo&) const = default;
};

struct Joined {
  std::string participant_id;
  std::string room;
  std::vector<ParticipantInfo> participants;  // everyone else already in the room
  bool admin = false;   // this participant holds the room_admin grant
  bool locked = false;  // the room takes no new joins
  std::vector<ParticipantInfo> lobby;  // admins only: who waits to be admitted
};

struct TokenExpiring {
  int64_t expires_in_s = 0;
};

struct Muted {
  std::string participant_id;
  TrackKind kind = TrackKind::kAudio;
  bool muted = true;
};

struct Locked {
  bool locked = true;
};

struct LobbyWaiting {};

struct LobbyJoined {
  ParticipantInfo participant;
};

struct LobbyLeft {
  std::string participant_id;
};

struct ParticipantJoined {
  ParticipantInfo participant;
};

struct ParticipantLeft {
  std::string participant_id;
};

struct TrackPublished {
  std::string participant_id;
  TrackInfo track;
};

struct TrackUnpublished {
  std::string participant_id;
  std::string track_id;
};

struct PublishAnswer {
  std::string sdp;
  std::optional<int64_t> re;  // the publish's request id, when it had one
};

struct SubscribeOffer {
  std::string sdp;
};

struct KeyBlobRelay {
  std::string from;  // sender's participant id, set by the server
  Blob blob;
};

struct ErrorMessage {
  ErrorCode code = ErrorCode::kInternal;
  std::string field;    // may be empty
  std::string message;  // human-readable; cut to kMaxErrorMessageSize bytes
  std::optional<int64_t> re;  // the refused request's id, when it had one
};

struct Pong {
  std::optional<int64_t> seq;
};

using ServerMessage =
    std::variant<Joined, ParticipantJoined, ParticipantLeft, TrackPublished, TrackUnpublished, PublishAnswer,
                 SubscribeOffer, KeyBlobRelay, ErrorMessage, Pong, TokenExpiring, Muted, Locked, LobbyWaiting,
                 LobbyJoined, LobbyLeft>;

std::string Serialize(const ServerMessage& message);

// The error reply for a refused client message.
ErrorMessage MakeError(const ProtocolError& error);

}  // namespace aegis::signaling
