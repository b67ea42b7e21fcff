// The rooms of one media worker: who is in them, their peer connections,
// and the SFU router that forwards between them. Sans-IO and
// single-threaded: the worker's I/O shell (media_worker.h) hands in
// signaling messages that already passed the token and grant checks,
// datagrams from its UDP socket and the time, and the Conference answers
// through ConferenceOutput.
//
// Each participant has two connections (docs/protocol.md §2): a publisher
// connection the client offers, and a subscriber connection the server
// offers whenever the set of tracks it receives changes. Subscriber offers
// never cross: one outstanding offer at a time, changes coalesced.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "auth/claims.h"
#include "base/random.h"
#include "base/strong_id.h"
#include "base/time.h"
#include "dtls/dtls_endpoint.h"
#include "mls/external_sender.h"
#include "mls/mls_message.h"
#include "negotiation/answer.h"
#include "server/connection_directory.h"
#include "server/session_gate.h"
#include "server/test_hooks.h"
#include "sfu/router.h"
#include "signaling/client_messages.h"
#include "signaling/rate_limiter.h"
#include "signaling/server_messages.h"
#include "stun/transport_address.h"
#include "transport/peer_transport.h"

namespace aegis::server {

// A signaling connection, numbered by the signaling thread from 1: the key
// of a participant's record (Conference::members_). A strong type, so a
// session is never taken for another number (a router id, a count).
using SessionId = StrongId<struct SessionIdTag, uint64_t>;
inline constexpr SessionId kNoSession{};  // 0: no session

class ConferenceOutput {
 public:
  virtual ~ConferenceOutput() = default;
  virtual void SendSignal(SessionId session, std::string message) = 0;
  // After the messages already sent: close the signaling connection.
  virtual void CloseSignal(SessionId session) = 0;
  virtual void SendDatagram(const stun::TransportAddress& to, std::span<const uint8_t> bytes) = 0;
  // Where the next datagram may be built in place (the media worker's next
  // send slot): SendDatagram with bytes there sends them without a copy.
  // Empty: the caller builds in its own buffer and SendDatagram copies.
  virtual std::span<uint8_t> DatagramBuffer() { return {}; }
  // One line for the operator's log (e.g. a participant left, with its media counters).
  virtual void Log(std::string line) { (void)line; }
  // One event for the tamper-evident audit log (docs/audit.md): joins,
  // leaves, kicks, mutes, lobby decisions, revocations.
  virtual void Audit(std::string_view action, std::string detail) {
    (void)action;
    (void)detail;
  }
};

// How long a resumable participant (JoinRequest::resumable) stays after its
// WebSocket drops, media and all, for the client to resume.
inline constexpr TimeDelta kDefaultResumeGrace = TimeDelta::Seconds(15);

struct ConferenceConfig {
  std::vector<stun::TransportAddress> candidates;  // this worker's announced UDP addresses
  std::shared_ptr<const dtls::DtlsContext> dtls_context;
  size_t max_participants_per_room = 64;
  size_t max_participants = 1000;  // on this worker
  // Tracks one participant may publish at once, per kind (more is refused
  // with too_many_tracks), and how fast it may publish new ones.
  size_t max_audio_tracks_per_participant = 4;
  size_t max_video_tracks_per_participant = 4;
  signaling::RateLimit new_tracks{.rate_per_second = 1, .burst = 8};
  sfu::RouterConfig router;
  // E2EE v2 (docs/protocol.md §7): the MLS cipher suite of every room's
  // group, and the server's external sender key (one per server process,
  // shared by the workers; made from the Conference's rng when null).
  uint16_t mls_suite = mls::kSuiteXWingAes256;
  std::shared_ptr<const mls::ExternalSenderKey> mls_external_sender;
  ConferenceTestHooks* test_hooks = nullptr;  // test builds only (test_hooks.h)
  TimeDelta resume_grace = kDefaultResumeGrace;
  // Where the TURN relays send from (their relayed addresses' IPs; ports are
  // ignored). A relay-only room's participants are connected only through
  // them; with none, such rooms refuse joins (relay_unavailable).
  std::vector<stun::TransportAddress> relay_addresses;
  // Keep a publisher's transport-wide sequence numbers and report their
  // arrivals (transport-cc) so its own estimate sees its uplink's queue.
  // Off by default: with it, Chrome's send rate collapses under random loss
  // (docs/benchmarks.md, "Publisher uplink").
  bool publisher_transport_feedback = false;
};

struct ConferenceStats {
  uint64_t joins = 0;
  uint64_t leaves = 0;
  uint64_t datagrams_unrouted = 0;  // no connection claims the datagram
  uint64_t rtp_forwarded = 0;
  uint64_t rtp_dropped_not_connected = 0;  // a subscriber whose connection is not up yet
  uint64_t rtp_on_subscriber_connection = 0;
  uint64_t transports_failed = 0;
  uint64_t ice_restarts = 0;  // either connection, with new credentials on both sides
  uint64_t checks_not_relayed = 0;  // a relay-only participant's check from elsewhere than a relay: ignored
  uint64_t subscriptions_refused_full = 0;  // a subscriber already holds kMaxSubscriberSections live tracks
};

struct Member;
struct Connection;
struct MlsGroupState;

// `aegis token revoke`: sessions of `room` whose token has `token_id`, or
// whose identity is `identity` with a token issued at or before the
// revocation, end.
struct Revocation {
  std::string room;
  std::optional<std::string> identity;
  std::optional<std::string> token_id;
  int64_t revoked_at_unix_s = 0;
};

class Conference {
 public:
  Conference(ConferenceConfig config, ConferenceOutput& output, RandomSource& rng);
  ~Conference();
  Conference(const Conference&) = delete;
  Conference& operator=(const Conference&) = delete;

  // `claims` verified, the room checked against the request; the session
  // ends when `token_remaining` has passed unless a refresh extends it.
  // `ice_servers`: the TURN relays with credentials minted for this join
  // (SessionGate), sent in its `joined`.
  void Join(SessionId session, const auth::Claims& claims, const signaling::JoinRequest& request, Timestamp now,
            const RoomRules& rules, TimeDelta token_remaining, std::vector<signaling::IceServer> ice_servers = {});
  // The same, the session lasting at most the token's whole lifetime (exp - nbf).
  void Join(SessionId session, const auth::Claims& claims, const signaling::JoinRequest& request, Timestamp now,
            const RoomRules& rules = {}) {
    Join(session, claims, request, now, rules,
         TimeDelta::Seconds(std::max<int64_t>(1, claims.expires_at - claims.not_before)));
  }
  // A WHEP viewer (docs/protocol.md §1b): a participant without tracks
  // whose subscriber connection answers `offer` (recvonly audio/video)
  // instead of offering; its first audio and first video section carry the
  // tracks of `participant` (empty: the most recently joined participant
  // publishing that kind), and an empty section takes the next track of its
  // kind published later. The answer is sent as `answer`; no re-offer ever.
  void JoinViewer(SessionId session, const auth::Claims& claims, const std::string& offer,
                  const std::string& participant, Timestamp now, const RoomRules& rules, TimeDelta token_remaining);
  // publish (publish grant already checked), subscribe_answer, leave,
  // refresh (verified by the gate), the MLS messages and the room_admin
  // requests.
  // `request_id` (the message's "id") is echoed as "re" in its error or answer.
  void HandleMessage(SessionId session, const signaling::ClientMessage& message, Timestamp now,
                     std::optional<int64_t> request_id = std::nullopt);
  // Ends the sessions the revocation names (error revoked).
  void Revoke(const Revocation& revocation, Timestamp now);
  // The signaling connection is gone: the participant leaves, or, if it
  // joined resumable, stays detached for config.resume_grace.
  void Disconnected(SessionId session, Timestamp now);
  // A new signaling connection `socket` takes over the session `request`
  // names (the gate verified its access token into `claims`): the missed
  // messages are replayed and the participant goes on, media untouched.
  // Otherwise error resume_failed and the socket closes.
  void Resume(SessionId socket, const auth::Claims& claims, const signaling::ResumeRequest& request, Timestamp now);

  // `datagram` is the receive buffer; SRTP is decrypted in place.
  // `arrived`: when the kernel received it, if known (before `now`): the
  // arrival times reported to publishers (sfu/upstream_feedback.h).
  void HandleDatagram(std::span<uint8_t> datagram, const stun::TransportAddress& from, Timestamp now,
                      std::optional<Timestamp> arrived = std::nullopt);
  // Whether datagrams from `address` reach a connection (one proved its ICE
  // password from there): the ICE-TCP shell closes connections that never do.
  bool Routes(const stun::TransportAddress& address) const { return directory_.FindByAddress(address) != nullptr; }
  void HandleTimers(Timestamp now);
  std::optional<Timestamp> NextTimeout() const;

  // Server shutdown: every participant is told, every transport closed.
  void Shutdown(Timestamp now);

  const ConferenceStats& stats() const { return stats_; }
  const sfu::SfuStats& sfu_stats() const { return router_.stats(); }
  // Every transport's counters, of connections gone and live (for metrics:
  // walks every member).
  transport::TransportStats transport_stats() const;
  size_t track_count() const { return router_.track_count(); }
  size_t subscription_count() const { return router_.subscription_count(); }
  size_t participant_count() const { return members_.size(); }
  size_t room_count() const { return rooms_.size(); }  // rooms with someone in them

 private:
  class MediaSink;
  struct RoomState;

  // Joiners waiting in one room's lobby at most.
  static constexpr size_t kMaxLobby = 64;

  void HandleRequest(SessionId session, const signaling::ClientMessage& message, Timestamp now);
  void Send(SessionId session, const signaling::ServerMessage& message);
  // `field`: the member at fault, a literal (never client text).
  void SendError(SessionId session, signaling::ErrorCode code, std::string message, std::string_view field = {});
  void Broadcast(const RoomState& room, SessionId except, const signaling::ServerMessage& message);
  // Every message to a participant goes here: numbered and kept for a
  // resumable one (signal_replay.h), and sent to its current socket.
  void Deliver(SessionId session, std::string_view text);
  // The session a socket speaks for (a resumed socket speaks for an older one).
  SessionId SessionOf(SessionId socket) const;
  void HandleResumeTimers(Timestamp now);
  signaling::ParticipantInfo Describe(const Member& member) const;

  negotiation::LocalParameters LocalFor(const ice::IceCredentials& ice, uint64_t session_id) const;
  void Publish(Member& member, const std::string& sdp, const std::map<std::string, signaling::TrackSource>& sources,
               Timestamp now);
  void SyncPublishedTracks(Member& member, const std::vector<const negotiation::AcceptedMedia*>& sending,
                           const std::map<std::string, signaling::TrackSource>& sources);
  void AcceptSubscriberAnswer(Member& member, const std::string& sdp, Timestamp now);

  void Subscribe(Member& subscriber, sfu::TrackId track);
  uint32_t NewDownstreamSsrc(const Member& subscriber, uint32_t also_not);
  uint16_t NextSequenceStart();
  void SubscribeViewer(Member& viewer, const sfu::Track& track, sfu::TrackId track_id);
  // conference_media.cc, where the MediaSink is complete.
  void SetSinkTime(Timestamp now);
  void RequestKeyframes(const Member& subscriber);
  // False (and an error sent) if the viewer's offer cannot be answered.
  bool AnswerViewer(Member& viewer, Timestamp now);
  void EndSections(const std::vector<sfu::TrackEnded>& ended);
  void MaybeSendOffer(Member& member);

  // Removes the member: tracks, subscriptions, transports, room entry.
  void Remove(SessionId session, Timestamp now, bool close_signal, std::string_view reason);
  void Enter(Member& member, Timestamp now);

  // conference_moderation.cc
  std::optional<SessionId> FindByIdentity(const std::string& room, const std::string& identity) const;
  Member* FindInRoom(const RoomState& room, std::string_view participant_id) const;
  void SendToAdmins(const RoomState& room, const signaling::ServerMessage& message);
  void ScheduleTokenExpiry(Member& member, Timestamp now, TimeDelta remaining);
  void UnscheduleTokenExpiry(Member& member);
  void HandleTokenTimers(Timestamp now);
  std::optional<Timestamp> NextTokenTimeout() const;
  // Kick, mute, lock, end, admit, deny; false if `message` is none of them.
  bool HandleModeration(Member& admin, const signaling::ClientMessage& message, Timestamp now);
  // conference_mls.cc: the room's MLS group (docs/protocol.md §7).
  // False (and the join refused) unless the KeyPackage is for this room's
  // suite and carries the joiner's own credential.
  bool CheckKeyPackage(SessionId session, const auth::Claims& claims, const signaling::Blob& key_package);
  // What an entering MLS participant is told: it creates the group, or waits.
  std::optional<signaling::MlsGroupInfo> MlsEnter(RoomState& room, const Member& member);
  // A participant left the room (already out of room.members).
  void MlsLeave(RoomState& room, SessionId session);
  void HandleMlsCommit(Member& member, const signaling::MlsCommit& commit);
  void HandleMlsMember(Member& member, const signaling::MlsMember& report);
  void HandleMlsApp(Member& member, const signaling::MlsApp& app);
  signaling::MlsGroupInfo GroupInfo(const MlsGroupState& group, bool create);
  void NewGroup(RoomState& room, SessionId creator);
  void SendToGroup(const MlsGroupState& group, SessionId except, const signaling::ServerMessage& message);
  // Sends `message` (serialized: `text`) to `session`; an MLS relay is shown
  // to the test hooks.
  void SendMls(SessionId session, const signaling::ServerMessage& message, const std::string& text);
  void SendRemoveProposals(const MlsGroupState& group);
  const mls::ExternalSenderKey& ExternalSender();

  // conference_connections.cc
  ice::IceCredentials UniqueLocalIce();
  std::unique_ptr<Connection> NewConnection(Member& owner, bool publisher);
  void RestartIce(Connection& connection, const ice::IceCredentials& local, const ice::IceCredentials& remote,
                  Timestamp now);
  void RequestSubscriberIceRestart(Member& member);
  bool StartTransport(Connection& connection, const ice::IceCredentials& remote_ice,
                      const dtls::Fingerprint& remote_fingerprint, dtls::DtlsRole local_role, Timestamp now);
  static bool SameRemote(const Connection& connection, const ice::IceCredentials& remote_ice,
                         const dtls::Fingerprint& remote_fingerprint);
  void DropConnection(std::unique_ptr<Connection>& connection, Timestamp now);
  void RemoveFailed(Timestamp now);
  void CaptureForTest(const Member& publisher, std::span<const uint8_t> rtp);
  // `from` is one of ConferenceConfig::relay_addresses (over UDP, any port).
  bool FromRelay(const stun::TransportAddress& from) const;
  // Sends what the transport queued and reads its events.
  void Pump(Connection& connection);
  // The connection's entry in deadlines_ follows its transport's NextTimeout.
  void Reschedule(Connection& connection);
  void Unschedule(Connection& connection);

  ConferenceConfig config_;
  ConferenceOutput& output_;
  RandomSource& rng_;
  sfu::Router router_;
  std::unique_ptr<MediaSink> sink_;
  std::map<std::string, std::unique_ptr<RoomState>> rooms_;
  // Every transport's next timeout, earliest first: the timers that are
  // due are found without visiting every connection. Kept in step by
  // Reschedule after each call into a transport.
  std::set<std::pair<Timestamp, Connection*>> deadlines_;
  transport::TransportStats retired_transport_stats_;  // of connections already dropped
  std::map<SessionId, std::unique_ptr<Member>> members_;
  ConnectionDirectory<Connection> directory_;
  std::vector<SessionId> failed_;  // members whose transport failed; removed after the current step
  bool shutting_down_ = false;     // while Shutdown removes everyone: nobody is told of the others
  std::set<std::pair<Timestamp, SessionId>> token_timers_;  // next token warning or expiry per member
  std::set<std::pair<Timestamp, SessionId>> resume_timers_;  // detached members: when they are given up
  std::map<SessionId, SessionId> session_of_socket_;        // resumed sockets only (others are their session)
  uint64_t next_room_id_ = 1;
  uint64_t next_participant_id_ = 1;
  std::shared_ptr<const mls::ExternalSenderKey> external_sender_;  // config's, or made on first use
  // While HandleMessage runs: whose request, and its id (for "re").
  SessionId requester_ = kNoSession;
  std::optional<int64_t> request_id_;
  // While JoinViewer runs: the viewer's offer and chosen participant.
  std::optional<std::pair<std::string, std::string>> pending_viewer_;
  ConferenceStats stats_;
};

}  // namespace aegis::server
