// Server → client signaling messages (docs/protocol.md §4) and their
// serializer. Written by JsonWriter, which escapes every string and replaces
// ill-formed UTF-8, so no client-chosen text (display names, error detail)
// can break the framing.
//
//   joined              {participant_id, room, participants[], admin, locked, lobby?, mls?, ice_servers?}
//   participant_joined  {participant}
//   participant_left    {participant_id}
//   track_published     {participant_id, track_id, kind}
//   track_unpublished   {participant_id, track_id}
//   answer              {sdp, re?}   to the client's publish offer
//   offer               {sdp}   for the subscriber connection
//   error               {code, field?, message, re?}   re: the refused request's id
//   pong                {seq?}
//   token_expiring      {expires_in_s}   send `refresh` with a fresh token
//   muted               {participant_id, kind, muted}   a room admin's mute
//   locked              {locked}
//   lobby               {}      this joiner waits for a room admin
//   lobby_joined        {participant}   to admins: someone waits
//   lobby_left          {participant_id}   to admins: admitted, denied or gone
// E2EE v2, the server as MLS Delivery Service (docs/protocol.md §7):
//   mls_group           {group_id, epoch, suite, external_sender, create}   a new group to create or wait for
//   mls_commit          {from, epoch, commit}   an accepted commit, in order
//   mls_welcome         {from, epoch, welcome}  to a participant the commit added
//   mls_proposal        {epoch, proposal}       the server's Remove proposal (external sender)
//   mls_app             {from, message}         a relayed application message
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
  // As the publisher said (docs/protocol.md §3 publish "sources"); unset:
  // by kind, camera or microphone. Always written.
  std::optional<TrackSource> source = std::nullopt;
  bool operator==(const TrackInfo&) const = default;
};

struct ParticipantInfo {
  std::string id;
  std::string name;                  // display name from the token; may be empty
  std::vector<TrackInfo> tracks;
  bool audio_muted = false;  // by a room admin: the server forwards none of it
  bool video_muted = false;
  // MLS participants only (they joined with a KeyPackage): the token's
  // subject, which their credential carries, and their current KeyPackage.
  std::optional<std::string> identity;
  std::optional<Blob> key_package;
  bool operator==(const ParticipantInfo&) const = default;
};

// The room's MLS group as a joiner needs it: in joined.mls and mls_group.
struct MlsGroupInfo {
  Blob group_id;
  uint64_t epoch = 0;
  uint16_t suite = 0;
  Blob external_sender;  // the server's TLS-encoded ExternalSender
  bool create = false;   // this participant creates the group (epoch 0); else it waits for a Welcome
  bool operator==(const MlsGroupInfo&) const = default;
};

// A TURN server for the client's RTCPeerConnection (its RTCIceServer), with
// a credential aegis serve minted for this join (auth/turn_credentials.h).
struct IceServer {
  std::vector<std::string> urls;  // turn:HOST:PORT?transport=udp|tcp, turns:HOST:443?transport=tcp
  std::string username;
  std::string credential;
  bool operator==(const IceServer&) const = default;
};

struct Joined {
  std::string participant_id;
  std::string room;
  std::vector<ParticipantInfo> participants;  // everyone else already in the room
  bool admin = false;   // this participant holds the room_admin grant
  bool locked = false;  // the room takes no new joins
  std::vector<ParticipantInfo> lobby;  // admins only: who waits to be admitted
  std::optional<MlsGroupInfo> mls;     // an MLS participant (joined with a KeyPackage)
  std::vector<IceServer> ice_servers;  // TURN relays to offer ICE (none: not configured)
  // The room takes media only through those relays: the client must set
  // iceTransportPolicy "relay" (the server ignores its direct checks).
  bool relay_only = false;
  // A join that asked to be resumable: the secret to resume with, and how
  // long the server keeps the session after its WebSocket drops.
  struct Resume {
    std::string token;
    int64_t grace_s = 0;
  };
  std::optional<Resume> resume = std::nullopt;
};

// The answer to a resume: the session goes on; the messages the client had
// not received (`replayed` of them, with their original seq) follow.
struct Resumed {
  std::string participant_id;
  int64_t replayed = 0;
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

struct ErrorMessage {
  ErrorCode code = ErrorCode::kInternal;
  std::string field;    // may be empty
  std::string message;  // human-readable; cut to kMaxErrorMessageSize bytes
  std::optional<int64_t> re;  // the refused request's id, when it had one
};

struct Pong {
  std::optional<int64_t> seq;
};

struct MlsGroup {
  MlsGroupInfo group;
};

struct MlsCommitRelay {
  std::string from;
  uint64_t epoch = 0;  // the epoch the commit was made in
  Blob commit;
};

struct MlsWelcomeRelay {
  std::string from;
  uint64_t epoch = 0;  // the epoch the Welcome starts
  Blob welcome;
};

struct MlsProposal {
  uint64_t epoch = 0;
  Blob proposal;
};

struct MlsAppRelay {
  std::string from;
  Blob message;
};

using ServerMessage =
    std::variant<Joined, ParticipantJoined, ParticipantLeft, TrackPublished, TrackUnpublished, PublishAnswer,
                 SubscribeOffer, ErrorMessage, Pong, TokenExpiring, Muted, Locked, LobbyWaiting,
                 LobbyJoined, LobbyLeft, MlsGroup, MlsCommitRelay, MlsWelcomeRelay, MlsProposal, MlsAppRelay,
                 Resumed>;

std::string Serialize(const ServerMessage& message);

// The error reply for a refused client message.
ErrorMessage MakeError(const ProtocolError& error);

}  // namespace aegis::signaling
