#include "server/conference_test_fixture.h"

namespace aegis::server {
namespace {

using namespace conference_testing;  // NOLINT: the fixture is this file's vocabulary

TEST_F(ConferenceTest, JoinAnnouncesParticipantsWithinTheRoomOnly) {
  const std::string alice = Join(1, "standup", "Alice");
  ASSERT_FALSE(alice.empty());
  auto joined = out_.Last(1, "joined");
  EXPECT_EQ(joined["room"], "standup");
  EXPECT_TRUE(joined["participants"].empty());
  EXPECT_EQ(alice.front(), 'p');
  EXPECT_EQ(alice.find("identity"), std::string::npos);  // never the token's identity

  const std::string bob = Join(2, "standup", "Bob");
  ASSERT_FALSE(bob.empty());
  EXPECT_NE(alice, bob);
  auto bob_joined = out_.Last(2, "joined");
  ASSERT_EQ(bob_joined["participants"].size(), 1u);
  EXPECT_EQ(bob_joined["participants"][0]["id"], alice);
  EXPECT_EQ(bob_joined["participants"][0]["name"], "Alice");
  EXPECT_TRUE(bob_joined["participants"][0]["tracks"].empty());
  auto announced = out_.Last(1, "participant_joined");
  EXPECT_EQ(announced["participant"]["id"], bob);
  EXPECT_EQ(announced["participant"]["name"], "Bob");
  EXPECT_EQ(out_.Count(2, "participant_joined"), 0u);  // not told about itself

  const size_t to_alice = out_.Count(1), to_bob = out_.Count(2);
  const std::string carol = Join(3, "other", "Carol");
  ASSERT_FALSE(carol.empty());
  EXPECT_TRUE(out_.Last(3, "joined")["participants"].empty());
  EXPECT_EQ(out_.Count(1), to_alice);  // another room: nobody here hears of Carol
  EXPECT_EQ(out_.Count(2), to_bob);
  EXPECT_EQ(conference_->participant_count(), 3u);
  EXPECT_EQ(conference_->stats().joins, 3u);
  EXPECT_TRUE(out_.closed.empty());
}

TEST_F(ConferenceTest, SecondJoinOnASessionIsRefused) {
  ASSERT_FALSE(Join(1, "standup", "Alice").empty());
  EXPECT_TRUE(Join(1, "standup", "Alice").empty());
  EXPECT_EQ(LastError(1), "already_joined");
  EXPECT_EQ(conference_->participant_count(), 1u);
}

TEST_F(ConferenceTest, MessagesBeforeJoinAreNotJoined) {
  Publish(9, PublishSdp({}));
  EXPECT_EQ(LastError(9), "not_joined");
  Send(9, signaling::MlsApp{0, {1}});
  EXPECT_EQ(out_.Count(9, "error"), 2u);
  EXPECT_EQ(conference_->participant_count(), 0u);
}

TEST_F(ConferenceTest, PublishAnswersAndOffersTheTracksToRoomMatesOnly) {
  const std::string alice = Join(1, "standup", "Alice");
  const std::string bob = Join(2, "standup", "Bob");
  Join(3, "other", "Carol");
  out_.Clear();

  Publish(1, sdp::testing::kChromiumOffer);

  // The publisher gets its answer: ICE-lite, only our candidates, DTLS server.
  ASSERT_EQ(out_.Count(1, "answer"), 1u);
  EXPECT_EQ(out_.Count(1, "error"), 0u);
  EXPECT_EQ(out_.Count(1, "offer"), 0u);  // nothing to receive yet
  const auto answer = ParseOk(out_.Last(1, "answer")["sdp"].get<std::string>());
  EXPECT_TRUE(answer.ice_lite);
  ASSERT_EQ(answer.media.size(), 4u);
  for (const auto& m : answer.media) {
    for (const auto& c : m.candidates) EXPECT_TRUE(IsServerCandidate(c)) << c.address;
    if (m.port != 0) {
      EXPECT_EQ(m.common.setup, sdp::SetupRole::kPassive);
    }
  }

  // The room-mate hears of the two tracks that carry SSRCs (audio, camera).
  auto published = out_.To(2, "track_published");
  ASSERT_EQ(published.size(), 2u);
  std::map<std::string, std::string> kind_of_track;
  for (const auto& p : published) {
    EXPECT_EQ(p["participant_id"], alice);
    kind_of_track[p["track_id"].get<std::string>()] = p["kind"].get<std::string>();
  }
  EXPECT_EQ((std::multiset<std::string>{published[0]["kind"].get<std::string>(),
                                        published[1]["kind"].get<std::string>()}),
            (std::multiset<std::string>{"audio", "video"}));

  // ... and gets one subscriber offer for them.
  ASSERT_EQ(out_.Count(2, "offer"), 1u);
  const std::string offer_text = out_.Last(2, "offer")["sdp"].get<std::string>();
  const auto offer = ParseOk(offer_text);
  EXPECT_TRUE(offer.ice_lite);
  ASSERT_EQ(offer.media.size(), 2u);
  ASSERT_EQ(offer.groups.size(), 1u);
  EXPECT_EQ(offer.groups[0].mids, (std::vector<std::string>{"0", "1"}));
  std::set<uint32_t> ssrcs;
  for (const auto& m : offer.media) {
    EXPECT_EQ(m.common.direction, sdp::Direction::kSendOnly);
    EXPECT_EQ(m.common.setup, sdp::SetupRole::kActPass);
    ASSERT_EQ(m.msids.size(), 1u);
    EXPECT_EQ(m.msids[0].id, alice);  // stream = the publisher
    ASSERT_TRUE(m.msids[0].app_data.has_value());
    ASSERT_TRUE(kind_of_track.contains(*m.msids[0].app_data)) << *m.msids[0].app_data;
    EXPECT_EQ(kind_of_track[*m.msids[0].app_data], m.kind() == sdp::MediaKind::kAudio ? "audio" : "video");
    EXPECT_FALSE(m.candidates.empty());
    for (const auto& c : m.candidates) EXPECT_TRUE(IsServerCandidate(c)) << c.address;
    ASSERT_FALSE(m.ssrcs.empty());
    EXPECT_EQ(m.ssrcs[0].attribute, "cname");
    ssrcs.insert(m.ssrcs[0].ssrc);
    // Not the publisher's SSRCs: the server rewrites them.
    EXPECT_NE(m.ssrcs[0].ssrc, 1001u);
    EXPECT_NE(m.ssrcs[0].ssrc, 2002u);
  }
  EXPECT_EQ(ssrcs.size(), 2u);
  // Nothing of the publisher's transport reaches the subscriber.
  for (const char* secret : {"192.0.2.10", "203.0.113.7", "Xk2q", "p7Qv3f9Lm2Zt8Rk1Ws4Yb6Nd", "4A:AD:B9:B1"}) {
    EXPECT_EQ(offer_text.find(secret), std::string::npos) << secret;
  }
  // Different ICE credentials from the publisher connection's answer.
  EXPECT_NE(offer.media[0].common.ice_ufrag, answer.media[0].common.ice_ufrag);

  // The other room hears nothing.
  EXPECT_EQ(out_.Count(3), 0u);
}

TEST_F(ConferenceTest, LateJoinerSeesTracksAndGetsAnOffer) {
  const std::string alice = Join(1, "standup", "Alice");
  Publish(1, PublishSdp({}));
  ASSERT_EQ(out_.Count(1, "answer"), 1u);
  Join(2, "standup", "Bob");
  auto joined = out_.Last(2, "joined");
  ASSERT_EQ(joined["participants"].size(), 1u);
  EXPECT_EQ(joined["participants"][0]["id"], alice);
  EXPECT_EQ(joined["participants"][0]["tracks"].size(), 2u);
  ASSERT_EQ(out_.Count(2, "offer"), 1u);
  EXPECT_EQ(ParseOk(out_.Last(2, "offer")["sdp"].get<std::string>()).media.size(), 2u);
  EXPECT_EQ(out_.Count(1, "offer"), 0u);  // Bob publishes nothing
}

TEST_F(ConferenceTest, NoOfferWithoutTheSubscribeGrant) {
  Join(1, "standup", "Alice");
  Join(2, "standup", "Viewer-less", {.publish = true, .subscribe = false, .room_admin = false});
  Publish(1, PublishSdp({}));
  EXPECT_EQ(out_.Count(2, "track_published"), 2u);  // still told what exists
  EXPECT_EQ(out_.Count(2, "offer"), 0u);
}

TEST_F(ConferenceTest, SubscribeAnswerIsAcceptedAndOffersNeverCross) {
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  OfferSpec spec;
  spec.video = false;
  Publish(1, PublishSdp(spec));
  ASSERT_EQ(out_.Count(2, "offer"), 1u);
  const auto first = ParseOk(out_.Last(2, "offer")["sdp"].get<std::string>());
  ASSERT_EQ(first.media.size(), 1u);
  const std::string first_answer =
      SubscriberAnswerFor(out_.Last(2, "offer")["sdp"].get<std::string>(), kBrowserIceB,
                          *dtls::Fingerprint::Parse(kBrowserFingerprint));

  // A second change while the first offer waits: told, but not offered yet.
  spec.video = true;
  Publish(1, PublishSdp(spec));
  EXPECT_EQ(out_.Count(1, "error"), 0u) << out_.Last(1, "error").dump();
  EXPECT_EQ(out_.Count(2, "track_published"), 2u);
  EXPECT_EQ(out_.Count(2, "offer"), 1u);

  // A broken answer changes nothing.
  Answer(2, "v=0\r\n");
  EXPECT_EQ(LastError(2), "bad_sdp");
  Answer(2, sdp::testing::kChromiumOffer);  // an offer is not an answer
  EXPECT_EQ(out_.Count(2, "error"), 2u);
  EXPECT_EQ(out_.Count(2, "offer"), 1u);

  // The answer to the first offer releases the coalesced one.
  Answer(2, first_answer);
  EXPECT_EQ(out_.Count(2, "error"), 2u) << out_.Last(2, "error").dump();
  ASSERT_EQ(out_.Count(2, "offer"), 2u);
  const auto second = ParseOk(out_.Last(2, "offer")["sdp"].get<std::string>());
  ASSERT_EQ(second.media.size(), 2u);
  EXPECT_EQ(second.media[0].mid, first.media[0].mid);  // mids and SSRCs are stable
  EXPECT_EQ(second.media[0].ssrcs, first.media[0].ssrcs);
  EXPECT_EQ(second.media[1].kind(), sdp::MediaKind::kVideo);
  EXPECT_EQ(second.origin.session_id, first.origin.session_id);
  EXPECT_EQ(second.origin.session_version, first.origin.session_version + 1);
  EXPECT_EQ(second.media[0].common.ice_ufrag, first.media[0].common.ice_ufrag);

  AnswerLatestOffer(2);
  EXPECT_EQ(out_.Count(2, "error"), 2u) << out_.Last(2, "error").dump();
  EXPECT_EQ(out_.Count(2, "offer"), 2u);  // nothing changed since

  // An answer with nothing outstanding is refused.
  AnswerLatestOffer(2);
  EXPECT_EQ(out_.Count(2, "error"), 3u);
  EXPECT_EQ(LastError(2), "bad_sdp");
}

// The ICE credentials of a server SDP (its first section's).
ice::IceCredentials IceOf(const std::string& sdp_text) {
  const auto sd = ParseOk(sdp_text);
  if (sd.media.empty()) return {};
  return {sd.media[0].common.ice_ufrag.value_or(""), sd.media[0].common.ice_pwd.value_or("")};
}

TEST_F(ConferenceTest, SubscriberIceRestartOffersNewCredentials) {
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  OfferSpec spec;
  spec.video = false;
  Publish(1, PublishSdp(spec));
  // Before the connection started there is nothing to restart.
  Send(2, signaling::IceRestartRequest{});
  ASSERT_EQ(out_.Count(2, "offer"), 1u);
  const std::string first = out_.Last(2, "offer")["sdp"].get<std::string>();
  AnswerLatestOffer(2);
  ASSERT_EQ(out_.Count(2, "error"), 0u);

  Send(2, signaling::IceRestartRequest{});
  ASSERT_EQ(out_.Count(2, "offer"), 2u);
  const std::string second = out_.Last(2, "offer")["sdp"].get<std::string>();
  EXPECT_NE(IceOf(second).ufrag, IceOf(first).ufrag);
  EXPECT_NE(IceOf(second).pwd, IceOf(first).pwd);
  EXPECT_EQ(ParseOk(second).media[0].common.fingerprints, ParseOk(first).media[0].common.fingerprints);
  EXPECT_EQ(ParseOk(second).media.size(), 1u);  // the same sections
  // The client's answer has new credentials too (RFC 8445 §9) but not a
  // new certificate: a different one is refused, and the offer still waits.
  const ice::IceCredentials restarted{"rEs2", "Restarted9Password0123456"};
  AnswerLatestOffer(2, restarted, *dtls::Fingerprint::Parse(kChromiumFingerprint));
  EXPECT_EQ(LastError(2), "bad_sdp");
  AnswerLatestOffer(2, restarted);
  EXPECT_EQ(out_.Count(2, "error"), 1u) << out_.Last(2, "error").dump();
  EXPECT_EQ(conference_->stats().ice_restarts, 1u);

  // The next offer (a new track) keeps the restarted credentials; an answer
  // that changes the client's again, unasked, is refused.
  spec.video = true;
  Publish(1, PublishSdp(spec));
  ASSERT_EQ(out_.Count(2, "offer"), 3u);
  EXPECT_EQ(IceOf(out_.Last(2, "offer")["sdp"].get<std::string>()).ufrag, IceOf(second).ufrag);
  AnswerLatestOffer(2, {"newU", "anotherPassword0123456789"});
  EXPECT_EQ(LastError(2), "bad_sdp");
  EXPECT_EQ(out_.Count(2, "error"), 2u);
  AnswerLatestOffer(2, restarted);
  EXPECT_EQ(out_.Count(2, "error"), 2u);
  EXPECT_EQ(conference_->stats().ice_restarts, 1u);
}

TEST_F(ConferenceTest, SubscriberIceRestartAskedDuringAnOfferFollowsItsAnswer) {
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  OfferSpec spec;
  spec.video = false;
  Publish(1, PublishSdp(spec));
  AnswerLatestOffer(2);
  spec.video = true;
  Publish(1, PublishSdp(spec));
  ASSERT_EQ(out_.Count(2, "offer"), 2u);  // outstanding
  Send(2, signaling::IceRestartRequest{});
  Send(2, signaling::IceRestartRequest{});
  EXPECT_EQ(out_.Count(2, "offer"), 2u);  // one offer at a time
  const ice::IceCredentials before = IceOf(out_.Last(2, "offer")["sdp"].get<std::string>());
  AnswerLatestOffer(2);
  ASSERT_EQ(out_.Count(2, "offer"), 3u);  // the restart, once
  EXPECT_NE(IceOf(out_.Last(2, "offer")["sdp"].get<std::string>()).ufrag, before.ufrag);
  AnswerLatestOffer(2, {"rEs3", "Restarted9Password0123456"});
  EXPECT_EQ(out_.Count(2, "error"), 0u) << out_.Last(2, "error").dump();
  EXPECT_EQ(out_.Count(2, "offer"), 3u);
  EXPECT_EQ(conference_->stats().ice_restarts, 1u);
}

TEST_F(ConferenceTest, PublisherIceRestartIsAnsweredWithNewCredentials) {
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  OfferSpec spec;
  spec.video = false;
  Publish(1, PublishSdp(spec));
  ASSERT_EQ(out_.Count(1, "answer"), 1u);
  const ice::IceCredentials first = IceOf(out_.Last(1, "answer")["sdp"].get<std::string>());
  spec.ufrag = "Zz9y";  // the browser's restartIce()
  Publish(1, PublishSdp(spec));
  ASSERT_EQ(out_.Count(1, "answer"), 2u) << out_.Last(1, "error").dump();
  const ice::IceCredentials second = IceOf(out_.Last(1, "answer")["sdp"].get<std::string>());
  EXPECT_NE(second.ufrag, first.ufrag);
  EXPECT_NE(second.pwd, first.pwd);
  EXPECT_EQ(conference_->stats().ice_restarts, 1u);
  EXPECT_EQ(out_.Count(2, "track_published"), 1u);  // the same track, nothing republished
  // A renegotiation under the same credentials keeps ours.
  spec.video = true;
  Publish(1, PublishSdp(spec));
  ASSERT_EQ(out_.Count(1, "answer"), 3u);
  EXPECT_EQ(IceOf(out_.Last(1, "answer")["sdp"].get<std::string>()).ufrag, second.ufrag);
  EXPECT_EQ(out_.Count(2, "track_published"), 2u);
  // A new certificate is a new connection, not a restart: refused.
  spec.ufrag = "Yy8x";
  spec.fingerprint = kBrowserFingerprint;
  Publish(1, PublishSdp(spec));
  EXPECT_EQ(LastError(1), "bad_sdp");
  EXPECT_EQ(out_.Count(1, "answer"), 3u);
  EXPECT_EQ(conference_->stats().ice_restarts, 1u);
}

TEST_F(ConferenceTest, ARefusedIceRestartOfferChangesNothing) {
  Join(1, "standup", "Alice");
  OfferSpec spec;
  spec.video = false;
  Publish(1, PublishSdp(spec));
  ASSERT_EQ(out_.Count(1, "answer"), 1u);
  // New credentials, but over the track limit: refused, and the old
  // credentials still stand for the next offer.
  spec.ufrag = "Zz9y";
  std::string crowded = PublishSdp(spec);
  std::string extra = crowded.substr(crowded.find("m=audio"));
  for (int i = 2; i < 10; ++i) {
    crowded.replace(crowded.find("a=group:BUNDLE 0"), 16, "a=group:BUNDLE 0 " + std::to_string(i));
    std::string section = extra;
    section.replace(section.find("a=mid:0"), 7, "a=mid:" + std::to_string(i));
    section.replace(section.find("a=ssrc:1001"), 11, "a=ssrc:" + std::to_string(7000 + i));
    crowded += section;
  }
  Publish(1, crowded);
  EXPECT_EQ(LastError(1), "too_many_tracks");
  EXPECT_EQ(out_.Count(1, "answer"), 1u);
  EXPECT_EQ(conference_->stats().ice_restarts, 0u);
  Publish(1, PublishSdp(spec));
  EXPECT_EQ(out_.Count(1, "answer"), 2u);
  EXPECT_EQ(conference_->stats().ice_restarts, 1u);
}

TEST_F(ConferenceTest, BadPublishOffersAreRefusedAndPublishNothing) {
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  out_.Clear();
  std::string no_bundle = PublishSdp({});
  no_bundle.erase(no_bundle.find("a=group:BUNDLE 0 1\r\n"), 20);
  std::string pcmu_only = PublishSdp({.video = false});
  pcmu_only.replace(pcmu_only.find("m=audio 9 UDP/TLS/RTP/SAVPF 111 0"), 33, "m=audio 9 UDP/TLS/RTP/SAVPF 0");
  std::string sdes = PublishSdp({});
  sdes.insert(sdes.find("a=mid:0"),
              "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n");
  for (const std::string& bad : {std::string("hello"), std::string(), no_bundle, pcmu_only, sdes}) {
    const size_t errors = out_.Count(1, "error");
    Publish(1, bad);
    EXPECT_EQ(out_.Count(1, "error"), errors + 1) << bad;
    EXPECT_EQ(LastError(1), "bad_sdp") << bad;
  }
  EXPECT_EQ(out_.Count(1, "answer"), 0u);
  EXPECT_EQ(out_.Count(2), 0u);
  // Still in the call, and a good offer works afterwards.
  Publish(1, PublishSdp({}));
  EXPECT_EQ(out_.Count(1, "answer"), 1u);
  EXPECT_EQ(out_.Count(2, "track_published"), 2u);
}

TEST_F(ConferenceTest, UnpublishedTrackEndsItsSection) {
  const std::string alice = Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  Publish(1, PublishSdp({}));
  AnswerLatestOffer(2);
  auto published = out_.To(2, "track_published");
  ASSERT_EQ(published.size(), 2u);
  const std::string video_track =
      (published[1]["kind"] == "video" ? published[1] : published[0])["track_id"].get<std::string>();

  OfferSpec spec;
  spec.video_direction = "inactive";  // removeTrack() on the camera
  Publish(1, PublishSdp(spec));
  EXPECT_EQ(out_.Count(1, "error"), 0u);
  auto unpublished = out_.Last(2, "track_unpublished");
  EXPECT_EQ(unpublished["participant_id"], alice);
  EXPECT_EQ(unpublished["track_id"], video_track);
  ASSERT_EQ(out_.Count(2, "offer"), 2u);
  const auto offer = ParseOk(out_.Last(2, "offer")["sdp"].get<std::string>());
  ASSERT_EQ(offer.media.size(), 2u);
  const auto& audio = offer.media[0].kind() == sdp::MediaKind::kAudio ? offer.media[0] : offer.media[1];
  const auto& video = offer.media[0].kind() == sdp::MediaKind::kVideo ? offer.media[0] : offer.media[1];
  EXPECT_EQ(audio.common.direction, sdp::Direction::kSendOnly);
  EXPECT_EQ(video.common.direction, sdp::Direction::kInactive);
  EXPECT_TRUE(video.msids.empty());
  EXPECT_TRUE(video.ssrcs.empty());
  AnswerLatestOffer(2);  // inactive answered inactive
  EXPECT_EQ(out_.Count(2, "error"), 0u);
}

TEST_F(ConferenceTest, LeaveTellsTheRoomAndReOffersTheSectionsInactive) {
  const std::string alice = Join(1, "standup", "Alice");
  const std::string bob = Join(2, "standup", "Bob");
  Join(3, "other", "Carol");
  Publish(1, PublishSdp({}));
  AnswerLatestOffer(2);
  ASSERT_EQ(out_.Count(2, "error"), 0u);
  const size_t to_carol = out_.Count(3);

  Send(1, signaling::LeaveRequest{});
  EXPECT_EQ(out_.closed, Sessions({1}));
  EXPECT_EQ(out_.Last(2, "participant_left")["participant_id"], alice);
  ASSERT_EQ(out_.Count(2, "offer"), 2u);
  const auto offer = ParseOk(out_.Last(2, "offer")["sdp"].get<std::string>());
  ASSERT_EQ(offer.media.size(), 2u);
  for (const auto& m : offer.media) {
    EXPECT_EQ(m.common.direction, sdp::Direction::kInactive);
    EXPECT_TRUE(m.msids.empty());
  }
  EXPECT_EQ(out_.Count(3), to_carol);
  EXPECT_EQ(conference_->participant_count(), 2u);
  EXPECT_EQ(conference_->stats().leaves, 1u);

  // Gone: further messages are refused.
  Publish(1, PublishSdp({}));
  EXPECT_EQ(LastError(1), "not_joined");

  // A disconnect is a leave without closing (the socket is already gone).
  Send(2, signaling::LeaveRequest{});
  Disconnected(3);
  EXPECT_EQ(out_.closed, (Sessions({1, 2})));
  EXPECT_EQ(conference_->participant_count(), 0u);
  EXPECT_EQ(conference_->stats().leaves, 3u);
}

TEST_F(ConferenceTest, RejoinAfterTheRoomEmptiedStartsAFreshRoom) {
  Join(1, "standup", "Alice");
  Publish(1, PublishSdp({}));
  Disconnected(1);
  EXPECT_EQ(conference_->participant_count(), 0u);
  Join(2, "standup", "Bob");
  EXPECT_TRUE(out_.Last(2, "joined")["participants"].empty());
  EXPECT_EQ(out_.Count(2, "offer"), 0u);
}

// The TURN relays the gate minted for a join reach that participant's
// `joined`, and nobody else's.
TEST_F(ConferenceTest, JoinedCarriesTheTurnRelaysMintedForThatJoin) {
  auth::Claims claims;
  claims.identity = "identity-1";
  claims.room = "standup";
  claims.grants = {.publish = true, .subscribe = true, .room_admin = false};
  claims.expires_at = 1'700'000'600;
  const signaling::IceServer relay{{"turn:198.51.100.9:3478?transport=udp"}, "1700003600:identity-1", "cred"};
  conference_->Join(SessionId(1), claims, signaling::JoinRequest{"standup", "token", false, std::nullopt}, now_, {},
                    TimeDelta::Seconds(600), {relay});
  const json servers = out_.Last(1, "joined")["ice_servers"];
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0]["urls"][0], "turn:198.51.100.9:3478?transport=udp");
  EXPECT_EQ(servers[0]["username"], "1700003600:identity-1");
  EXPECT_EQ(servers[0]["credential"], "cred");
  Join(2, "standup", "Bob");  // no relays configured for this one
  EXPECT_FALSE(out_.Last(2, "joined").contains("ice_servers"));
}

TEST_F(ConferenceTest, ShutdownTellsEveryoneAndClosesEverySocket) {
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  Join(3, "other", "Carol");
  Publish(1, PublishSdp({}));
  out_.Clear();
  conference_->Shutdown(now_);
  EXPECT_EQ(conference_->participant_count(), 0u);
  std::vector<SessionId> closed = out_.closed;
  std::sort(closed.begin(), closed.end());
  EXPECT_EQ(closed, (Sessions({1, 2, 3})));
  for (S s : {1, 2, 3}) {
    EXPECT_EQ(LastError(s), "shutting_down") << s;
    // Only that: nobody hears of the others leaving (no participant_left,
    // no new offer), which made a shutdown quadratic in a room's size.
    EXPECT_EQ(std::count_if(out_.log.begin(), out_.log.end(),
                            [&](const std::string& e) { return e.starts_with("signal " + std::to_string(s.n) + " "); }),
              1)
        << s;
    // The error comes before the close.
    auto error_at = std::find(out_.log.begin(), out_.log.end(), "signal " + std::to_string(s.n) + " error");
    auto close_at = std::find(out_.log.begin(), out_.log.end(), "close " + std::to_string(s.n));
    EXPECT_LT(error_at, close_at) << s;
    // Nothing after the close.
    EXPECT_EQ(std::find_if(close_at, out_.log.end(),
                           [&](const std::string& e) { return e.starts_with("signal " + std::to_string(s.n) + " "); }),
              out_.log.end())
        << s;
  }
}

TEST_F(ConferenceTest, RoomFullRefusesAndCloses) {
  MakeConference(/*per_room=*/2, /*total=*/3);
  ASSERT_FALSE(Join(1, "standup", "Alice").empty());
  ASSERT_FALSE(Join(2, "standup", "Bob").empty());
  EXPECT_TRUE(Join(3, "standup", "Carol").empty());
  EXPECT_EQ(LastError(3), "room_full");
  EXPECT_EQ(out_.closed, Sessions({3}));
  EXPECT_EQ(out_.Count(1, "participant_joined"), 1u);  // Bob only
  EXPECT_EQ(conference_->participant_count(), 2u);

  ASSERT_FALSE(Join(4, "other", "Dave").empty());  // another room has space
  EXPECT_TRUE(Join(5, "third", "Erin").empty());   // but the worker is now full
  EXPECT_EQ(LastError(5), "room_full");
  EXPECT_EQ(conference_->participant_count(), 3u);

  Disconnected(2);
  EXPECT_FALSE(Join(6, "standup", "Frank").empty());
}

TEST_F(ConferenceTest, RoomRulesLowerTheRoomLimit) {
  const RoomRules rules{.e2ee_required = false, .max_participants = 2};
  ASSERT_FALSE(Join(1, "small", "Alice", {true, true, false}, rules).empty());
  ASSERT_FALSE(Join(2, "small", "Bob", {true, true, false}, rules).empty());
  EXPECT_TRUE(Join(3, "small", "Carol", {true, true, false}, rules).empty());
  EXPECT_EQ(LastError(3), "room_full");
  EXPECT_EQ(out_.closed, Sessions({3}));
  // A rule cannot raise the server's own limit.
  MakeConference(/*per_room=*/1);
  ASSERT_FALSE(Join(4, "big", "Dave", {true, true, false}, {false, 10}).empty());
  EXPECT_TRUE(Join(5, "big", "Erin", {true, true, false}, {false, 10}).empty());
}

TEST_F(ConferenceTest, JoinedNeverListsMoreThanTheProtocolAllows) {
  MakeConference(/*per_room=*/10000, /*total=*/10000);
  const uint64_t limit = signaling::kMaxParticipantsListed + 1;
  for (uint64_t s = 1; s <= limit; ++s) ASSERT_FALSE(Join(s, "huge", "x").empty()) << s;
  EXPECT_EQ(out_.Last(limit, "joined")["participants"].size(), signaling::kMaxParticipantsListed);
  EXPECT_TRUE(Join(limit + 1, "huge", "x").empty());
  EXPECT_EQ(LastError(limit + 1), "room_full");
}

TEST_F(ConferenceTest, GrantsAreCheckedAgainByTheWorker) {
  Join(1, "standup", "Viewer", {.publish = false, .subscribe = true, .room_admin = false});
  Join(2, "standup", "Broadcaster", {.publish = true, .subscribe = false, .room_admin = false});
  Publish(1, PublishSdp({}));
  EXPECT_EQ(LastError(1), "forbidden");
  EXPECT_EQ(out_.Count(1, "answer"), 0u);
  EXPECT_EQ(out_.Count(2, "track_published"), 0u);
  Answer(2, "v=0\r\n");
  EXPECT_EQ(LastError(2), "forbidden");
}

TEST_F(ConferenceTest, UnroutedDatagramsAreCountedAndIgnored) {
  Join(1, "standup", "Alice");
  Publish(1, PublishSdp({}));
  out_.datagrams.clear();
  std::vector<uint8_t> srtp(100, 0x80);
  conference_->HandleDatagram(srtp, kStranger, now_);
  std::vector<uint8_t> dtls(60, 22);
  conference_->HandleDatagram(dtls, kStranger, now_);
  // A STUN check naming nobody's ufrag.
  stun::TransactionId id;
  id.fill(7);
  stun::MessageBuilder b({stun::method::kBinding, stun::MessageClass::kRequest}, id);
  b.Add(stun::Username{"nobody:Pq7z"});
  b.AddMessageIntegrity(stun::ShortTermKey("whatever-password-0123"));
  b.AddFingerprint();
  std::vector<uint8_t> check = std::move(b).Take();
  conference_->HandleDatagram(check, kStranger, now_);
  std::vector<uint8_t> empty;
  conference_->HandleDatagram(empty, kStranger, now_);
  EXPECT_EQ(conference_->stats().datagrams_unrouted, 4u);
  EXPECT_TRUE(out_.datagrams.empty());
}

TEST_F(ConferenceTest, AMediaConnectionThatNeverComesUpRemovesTheParticipant) {
  const std::string alice = Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  Publish(1, PublishSdp({}));
  ASSERT_TRUE(conference_->NextTimeout().has_value());
  const Timestamp end = now_ + transport::PeerTransport::kConnectTimeout + TimeDelta::Seconds(2);
  while (now_ < end && conference_->participant_count() == 2) {
    now_ += TimeDelta::Millis(100);
    if (auto next = conference_->NextTimeout(); next && *next <= now_) conference_->HandleTimers(now_);
  }
  EXPECT_EQ(conference_->participant_count(), 1u);
  EXPECT_GE(now_, Timestamp::Millis(1'000'000) + transport::PeerTransport::kConnectTimeout);
  EXPECT_EQ(LastError(1), "internal");
  EXPECT_EQ(out_.closed, Sessions({1}));
  EXPECT_EQ(out_.Last(2, "participant_left")["participant_id"], alice);
  EXPECT_GE(conference_->stats().transports_failed, 1u);
}

}  // namespace
}  // namespace aegis::server
