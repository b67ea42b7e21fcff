// A participant as one media worker sees it. Internal to the Conference.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "auth/claims.h"
#include "ice/ice_credentials.h"
#include "negotiation/subscriber_offer.h"
#include "sdp/session_description.h"
#include "server/conference.h"
#include "server/signal_replay.h"
#include "signaling/rate_limiter.h"
#include "sfu/ids.h"
#include "sfu/sink.h"
#include "signaling/messages.h"
#include "transport/peer_transport.h"

namespace aegis::server {

// One PeerConnection of a member.
struct Connection {
  Member* owner = nullptr;
  bool publisher = false;  // else: the subscriber connection
  ice::IceCredentials local_ice;
  // Subscriber connection: the new credentials of an ICE restart offered
  // and not yet answered (checks under them find the connection already).
  std::optional<ice::IceCredentials> offered_ice;
  std::unique_ptr<transport::PeerTransport> transport;  // null until the remote description arrived
  std::optional<Timestamp> deadline;  // its entry in Conference::deadlines_ (the transport's NextTimeout)
  ice::IceCredentials remote_ice;
  dtls::Fingerprint remote_fingerprint;
  // Authenticated RTP accepted from the client (publisher connection) and
  // forwarded to it (subscriber connection): logged when the member leaves,
  // so the operator (and the cross-room test) can see where media went.
  uint64_t rtp_packets_received = 0;
  uint64_t rtp_bytes_received = 0;
  uint64_t rtp_packets_sent = 0;
  uint64_t rtp_bytes_sent = 0;
};

struct PublishedTrack {
  std::string mid;  // the publisher's m-section
  sfu::TrackId id;
  signaling::TrackKind kind = signaling::TrackKind::kAudio;
  signaling::TrackSource source = signaling::TrackSource::kMicrophone;  // from the publish's "sources"
};

// The router hands a Member back with each packet for it (sfu::SinkTarget,
// MemberOf below): the forwarding path reaches the recipient's connection
// without a lookup.
struct Member final : sfu::SinkTarget {
  SessionId session;  // fixed for its life: the socket it joined on
  // Resumption (JoinRequest::resumable): the secret the client resumes
  // with (empty: not resumable), the socket its messages go to now
  // (kNoSession while detached, until resume_deadline), and its numbered
  // messages for replay.
  std::string resume_token;
  SessionId socket;
  std::optional<Timestamp> resume_deadline;
  SignalReplay replay;
  std::string id;  // on the wire
  sfu::ParticipantId sfu_id;
  std::string room;
  std::string name;
  std::vector<signaling::IceServer> ice_servers;  // TURN relays minted for its join, sent in `joined`
  std::string identity;                  // the token's subject (sent only for MLS participants: their credential names it)
  std::optional<std::string> token_id;   // the current token's jti
  int64_t issued_at = 0;                 // the current token's iat (or nbf), Unix seconds
  Timestamp token_deadline;              // the session ends here unless refreshed
  Timestamp token_timer;                 // its entry in Conference::token_timers_
  bool token_warned = false;             // token_expiring sent for the current token
  bool in_lobby = false;                 // waiting for a room admin; in no router room yet
  bool relay_only = false;               // its room's policy: media only through a TURN relay
  bool audio_muted = false;              // by a room admin
  bool video_muted = false;
  // E2EE v2: the MLS KeyPackage it joined with (checked: the room's suite,
  // its own credential). Set: an MLS participant, in the group or waiting
  // for a Welcome (docs/protocol.md §7).
  std::optional<signaling::Blob> key_package;
  // What the others are told (the same KeyPackage, unless a test hook
  // substitutes one).
  std::optional<signaling::Blob> announced_key_package;
  auth::Grants grants;
  uint32_t feedback_ssrc = 0;  // the router's RTCP sender SSRC towards this member

  std::unique_ptr<Connection> publisher;
  std::vector<PublishedTrack> tracks;
  std::optional<signaling::TokenBucket> new_tracks;  // republish churn (ConferenceConfig::new_tracks)

  // Subscriber side: one m-section per track forwarded to it. An ended
  // track's section turns inactive; once the client has answered an offer
  // that shows it inactive, the section is reused for the next track of its
  // kind (a browser fires a fresh track event only for a section that went
  // inactive and came back).
  std::unique_ptr<Connection> subscriber;
  std::vector<negotiation::OfferedTrack> sections;
  std::map<sfu::TrackId, size_t> section_of_track;
  std::set<size_t> inactive_in_last_offer;
  std::set<size_t> reusable_sections;
  // Downstream SSRCs of sections that were in an offer sent to the client.
  // A section added while an offer is outstanding gets no media until the
  // next offer announces it (the client could not tell what it is).
  std::set<uint32_t> offered_ssrcs;
  // Downstream SSRCs (media and RTX) of ended sections, forgotten by the
  // connection's SRTP sender: never picked again (a reused SSRC would
  // restart its SRTP indices).
  std::unordered_set<uint32_t> retired_ssrcs;
  bool offer_outstanding = false;
  bool offer_dirty = false;
  bool subscriber_ice_restart = false;  // the client asked (restart_ice): the next offer restarts
  uint64_t offer_version = 1;
  std::optional<sdp::SessionDescription> last_offer;
  uint64_t subscriber_session_id = 0;  // o= line, constant across re-offers

  // A WHEP viewer (Conference::JoinViewer): its offer, whose tracks it
  // wants (empty: any), and the payload types its answer accepted.
  struct Viewer {
    std::string offer;
    std::string participant;
    uint8_t audio_pt = 0;
    uint8_t video_rtx_pt = 0;  // 0: its answer took no RTX
    uint8_t video_pt = 0;
  };
  std::optional<Viewer> viewer;
};

// The Member behind a router target: the Conference gives the router every
// member as its target (Conference::Enter) and nothing else, so the router's
// participants, tracks and events lead straight back to the record, with no
// map from router ids (null stays null).
inline Member* MemberOf(sfu::SinkTarget* target) { return static_cast<Member*>(target); }

// The room's MLS group as its Delivery Service sees it (docs/protocol.md §7):
// never a secret, only what orders handshakes and routes messages.
struct MlsGroupState {
  signaling::Blob group_id;  // 16 random bytes, new per incarnation
  uint16_t suite = 0;
  uint64_t epoch = 0;
  // Sessions in the group: the creator (leaf 0) and those an accepted commit
  // added; the leaf once the member reported it (mls_member).
  std::map<SessionId, std::optional<uint32_t>> members;
  // Leaves of members who left the room, proposed for removal after every
  // accepted commit until a commit lists them in `removed`.
  std::set<uint32_t> pending_removals;
};

struct Conference::RoomState {
  sfu::RoomId sfu_id;
  std::optional<MlsGroupState> mls;  // while the room has an MLS member
  std::vector<SessionId> members;  // join order; entered (not in the lobby)
  std::vector<SessionId> lobby;    // waiting for a room admin, in arrival order
  bool locked = false;
  size_t joins = 0;                // ever, for the test hooks
};

inline std::string WireTrackId(sfu::TrackId id) { return "t" + std::to_string(id.value()); }

}  // namespace aegis::server
