// Client → server signaling messages (docs/protocol.md §3) and their strict
// parser. Every message is one JSON object {"v":2,"type":"...",...}:
//
//   join              {room, token, e2ee?, key_package?}   key_package iff e2ee
//   publish           {sdp, sources?}   offer for the publisher connection;
//                     sources: {mid: "camera"|"microphone"|"screen"|"screen_audio"}
//   subscribe_answer  {sdp}     answer to the server's subscriber offer
//   restart_ice       {}        ICE restart of the subscriber connection: the
//                     server's next offer carries new ICE credentials
//   leave             {}
//   ping              {seq?}
//   refresh           {token}   a fresh token for the same room and identity
//   mls_commit        {epoch, commit, welcome?, added?, removed?}   E2EE v2 (§7): one commit per epoch wins
//   mls_member        {epoch, leaf}   the sender's leaf in the room's MLS group
//   mls_app           {epoch, message}   an MLS application message, relayed
// and, with the room_admin grant (docs/protocol.md §4):
//   kick              {participant_id}
//   mute              {participant_id, kind, muted}   the server stops (or resumes) forwarding
//   lock              {locked}  no new joins while locked
//   end               {}        everyone leaves
//   admit / deny      {participant_id}   a joiner waiting in the lobby
//
// Every message may carry "id" (an integer request id, echoed as "re").
// ParseClientMessage refuses anything outside this: unknown members and
// unknown types included, so two parsers can never disagree on a message.
#pragma once

#include "auth/claims.h"
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"
#include "signaling/messages.h"
#include "signaling/protocol_error.h"

namespace aegis::signaling {

struct JoinRequest {
  // The room the client asks for; must equal the token's room, so a token
  // for one room can never be used to enter another.
  std::string room;
  std::string token;  // access token; verified by the session, not here
  bool e2ee = false;  // the client does end-to-end encryption (docs/protocol.md §7)
  // Present iff e2ee: the MLS KeyPackage (an MLSMessage, read by the room's
  // worker).
  std::optional<Blob> key_package;
  // The client can resume this session after its WebSocket drops
  // (ResumeRequest); without it the session ends with the socket.
  bool resumable = false;
  bool operator==(const JoinRequest&) const = default;
};

// The first message on a new WebSocket, instead of join, of a client whose
// previous socket dropped: its access token (verified as for join), the
// participant it was, the secret `joined` gave it, and the number (seq) of
// the last server message it received.
struct ResumeRequest {
  std::string room;
  std::string token;          // access token, as in JoinRequest
  std::string participant_id;
  std::string resume_token;   // Joined::resume->token
  int64_t last_seq = 0;       // 0..kMaxSeq
  bool operator==(const ResumeRequest&) const = default;
};

struct PublishOffer {
  std::string sdp;
  // The offer's m-section mid → what its track carries, sorted by mid; at
  // most kMaxSourcesListed, mids IsSafeId. That each mid names a section of
  // the offer, of the source's kind, is checked by the server's Conference.
  std::map<std::string, TrackSource> sources = {};
  bool operator==(const PublishOffer&) const = default;
};

struct SubscribeAnswer {
  std::string sdp;
  bool operator==(const SubscribeAnswer&) const = default;
};

// The client's network changed (or its subscriber connection lost its
// path): the server makes a subscriber offer with new ICE credentials
// (RFC 8445 §9). The publisher connection restarts with a publish offer of
// its own that carries new credentials.
struct IceRestartRequest {
  bool operator==(const IceRestartRequest&) const = default;
};

struct LeaveRequest {
  bool operator==(const LeaveRequest&) const = default;
};

// Highest integer a JavaScript number holds exactly.
inline constexpr int64_t kMaxSeq = (int64_t{1} << 53) - 1;

struct Ping {
  std::optional<int64_t> seq;  // 0..kMaxSeq, echoed in pong
  bool operator==(const Ping&) const = default;
};

struct RefreshToken {
  std::string token;  // verified by the session, not here
  // Filled by the server's session gate once `token` verified for the same
  // room and identity; never parsed from or written to the wire.
  std::optional<auth::Claims> verified_claims;
  int64_t verified_remaining_s = 0;
  bool operator==(const RefreshToken&) const = default;
};

struct KickRequest {
  std::string participant_id;
  bool operator==(const KickRequest&) const = default;
};

struct MuteRequest {
  std::string participant_id;
  TrackKind kind = TrackKind::kAudio;
  bool muted = true;
  bool operator==(const MuteRequest&) const = default;
};

struct LockRequest {
  bool locked = true;
  bool operator==(const LockRequest&) const = default;
};

struct EndRequest {
  bool operator==(const EndRequest&) const = default;
};

struct LobbyDecision {
  std::string participant_id;
  bool admit = true;  // false: deny
  bool operator==(const LobbyDecision&) const = default;
};

// E2EE v2 (docs/protocol.md §7). The blobs are MLSMessages; their framing is
// checked by the room's worker (mls/), not here.
struct MlsCommit {
  int64_t epoch = 0;  // the epoch the commit was made in
  Blob commit;
  std::optional<Blob> welcome;
  std::vector<std::string> added;  // participant ids the commit adds (they get the Welcome)
  std::vector<int64_t> removed;    // leaves the commit removes
  bool operator==(const MlsCommit&) const = default;
};

struct MlsMember {
  int64_t epoch = 0;
  int64_t leaf = 0;  // 0..kMaxMlsLeaf
  bool operator==(const MlsMember&) const = default;
};

struct MlsApp {
  int64_t epoch = 0;
  Blob message;
  bool operator==(const MlsApp&) const = default;
};

using ClientMessage = std::variant<JoinRequest, PublishOffer, SubscribeAnswer, LeaveRequest, Ping,
                                   RefreshToken, KickRequest, MuteRequest, LockRequest, EndRequest, LobbyDecision,
                                   MlsCommit, MlsMember, MlsApp, ResumeRequest, IceRestartRequest>;

// Whether a message needs the room_admin grant.
bool IsAdminRequest(const ClientMessage& message);

Result<ClientMessage, ProtocolError> ParseClientMessage(std::string_view json);
// The same, and the message's request id (optional member "id", an integer
// 0..kMaxSeq that the server echoes as "re" in its answer or error).
Result<ClientMessage, ProtocolError> ParseClientMessage(std::string_view json, std::optional<int64_t>* request_id);

// The canonical encoding (what a conforming client sends); used by tests,
// the fuzzer and native clients. ParseClientMessage(Serialize(m)) == m.
std::string Serialize(const ClientMessage& message);

}  // namespace aegis::signaling
