// Published tracks over a long call: subscriber sections are recycled, a
// participant's tracks are capped, and republishing is rate-limited, so a
// publisher that churns tracks (on purpose or in a long meeting) cannot make
// later tracks invisible to the room (issue: "a publisher can blind a room").
#include <map>
#include <set>

#include "server/conference_test_fixture.h"

namespace aegis::server {
namespace {

using namespace conference_testing;  // NOLINT: the fixture is this file's vocabulary

// A publisher offer with `audio` audio and `video` video sections, mids
// "0".."n-1", SSRCs from `first_ssrc` on, all sendonly.
std::string ManyTracksSdp(int audio, int video, uint32_t first_ssrc = 5000) {
  std::string bundle = "a=group:BUNDLE";
  for (int i = 0; i < audio + video; ++i) bundle += " " + std::to_string(i);
  std::string sdp =
      "v=0\r\n"
      "o=- 4611731400430051337 2 IN IP4 127.0.0.1\r\n"
      "s=-\r\n"
      "t=0 0\r\n" +
      bundle + "\r\na=msid-semantic: WMS s\r\n";
  for (int i = 0; i < audio + video; ++i) {
    const bool is_audio = i < audio;
    sdp += std::string(is_audio ? "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" : "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n") +
           "c=IN IP4 0.0.0.0\r\n"
           "a=ice-ufrag:Pq7z\r\n"
           "a=ice-pwd:w3Ls9Kd2Jf8Hg5Tb1Nc6Rx4V\r\n"
           "a=fingerprint:" + std::string(kChromiumFingerprint) + "\r\n"
           "a=setup:actpass\r\n"
           "a=mid:" + std::to_string(i) + "\r\n"
           "a=sendonly\r\n"
           "a=msid:s t" + std::to_string(i) + "\r\n"
           "a=rtcp-mux\r\n" +
           (is_audio ? "a=rtpmap:111 opus/48000/2\r\n" : "a=rtpmap:96 VP8/90000\r\n") +
           "a=ssrc:" + std::to_string(first_ssrc + static_cast<uint32_t>(i)) + " cname:c\r\n";
  }
  return sdp;
}

class ConferenceTracksTest : public ConferenceTest {
 protected:
  // Answers `session`'s subscriber offer if one is waiting.
  void AnswerIfOffered(S session) {
    const size_t offers = out_.Count(session, "offer");
    if (offers > answered_[session]) {
      AnswerLatestOffer(session);
      answered_[session] = offers;
    }
  }

  // The latest offer to `session`: the active section showing `track_id`.
  const sdp::MediaSection* ActiveSectionFor(S session, const std::string& track_id,
                                             sdp::SessionDescription& holder) {
    holder = ParseOk(out_.Last(session, "offer")["sdp"].get<std::string>());
    for (const auto& m : holder.media) {
      if (m.common.direction != sdp::Direction::kSendOnly) continue;
      for (const auto& msid : m.msids) {
        if (msid.app_data == track_id) return &m;
      }
    }
    return nullptr;
  }

  std::string NewestTrackOf(S to, const std::string& publisher) {
    std::string id;
    for (const auto& t : out_.To(to, "track_published")) {
      if (t["participant_id"] == publisher) id = t["track_id"].get<std::string>();
    }
    return id;
  }

  std::map<SessionId, size_t> answered_;
};

TEST_F(ConferenceTracksTest, AChurningPublisherCannotBlindTheRoom) {
  const std::string alice = Join(1, "standup", "Alice");
  const std::string bob = Join(2, "standup", "Bob");
  Join(3, "standup", "Mallory");
  Publish(1, PublishSdp({.video = false}));
  Publish(2, PublishSdp({.video = false, .audio_ssrc = 3003}));
  for (S s : {1, 2, 3}) AnswerIfOffered(s);

  // Mallory ends and republishes her camera 500 times: 500 tracks ever.
  OfferSpec live{.audio = false};
  OfferSpec ended{.audio = false, .video_direction = "inactive"};
  size_t refused = 0;
  for (uint32_t i = 0; i < 500; ++i) {
    live.video_ssrc = 70000 + i;
    Publish(3, PublishSdp(live));
    Publish(3, PublishSdp(ended));
    refused += out_.Count(3, "error");
    out_.signals.erase(std::remove_if(out_.signals.begin(), out_.signals.end(),
                                      [](const auto& s) { return s.session == SessionId(3) && s.message["type"] == "error"; }),
                       out_.signals.end());
    for (S s : {1, 2}) AnswerIfOffered(s);
    now_ = now_ + TimeDelta::Seconds(2);  // a slow churn: within the republish rate
  }
  EXPECT_EQ(refused, 0u) << "a publisher republishing every 2 s is not rate-limited";

  // After the churn, Alice and Bob each publish a camera: both are offered
  // and active on the other's subscriber connection.
  Publish(1, PublishSdp({.video_ssrc = 4004}));
  Publish(2, PublishSdp({.audio_ssrc = 3003, .video_ssrc = 5005}));
  for (S s : {1, 2}) AnswerIfOffered(s);
  const std::string alice_camera = NewestTrackOf(2, alice);
  const std::string bob_camera = NewestTrackOf(1, bob);
  sdp::SessionDescription offer_to_alice, offer_to_bob;
  EXPECT_NE(ActiveSectionFor(1, bob_camera, offer_to_alice), nullptr) << "Alice cannot see Bob's newest track";
  EXPECT_NE(ActiveSectionFor(2, alice_camera, offer_to_bob), nullptr) << "Bob cannot see Alice's newest track";
  // Ended sections were reused: the subscriber connections stay small.
  EXPECT_LE(offer_to_alice.media.size(), 4u);
  EXPECT_LE(offer_to_bob.media.size(), 4u);
  EXPECT_EQ(out_.Count(1, "error") + out_.Count(2, "error"), 0u);
}

TEST_F(ConferenceTracksTest, ARecycledSectionIsReusedOnlyAfterTheClientSawItInactive) {
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  Publish(1, PublishSdp({.audio = false, .video_ssrc = 100}));
  AnswerIfOffered(2);
  const auto first = ParseOk(out_.Last(2, "offer")["sdp"].get<std::string>());
  ASSERT_EQ(first.media.size(), 1u);

  // Ended and replaced before Bob answered the offer that ends it: the
  // replacement gets a section of its own (a browser fires no new track
  // event for a section that never went inactive).
  Publish(1, PublishSdp({.audio = false, .video_direction = "inactive"}));
  Publish(1, PublishSdp({.audio = false, .video_ssrc = 101}));
  AnswerIfOffered(2);
  auto offer = ParseOk(out_.Last(2, "offer")["sdp"].get<std::string>());
  ASSERT_EQ(offer.media.size(), 2u);
  AnswerIfOffered(2);
  offer = ParseOk(out_.Last(2, "offer")["sdp"].get<std::string>());
  EXPECT_EQ(offer.media.size(), 2u);

  // Now section 0 has been answered inactive: the next track reuses it.
  Publish(1, PublishSdp({.audio = false, .video_direction = "inactive"}));
  AnswerIfOffered(2);
  Publish(1, PublishSdp({.audio = false, .video_ssrc = 102}));
  AnswerIfOffered(2);
  offer = ParseOk(out_.Last(2, "offer")["sdp"].get<std::string>());
  EXPECT_EQ(offer.media.size(), 2u);
  size_t active = 0;
  for (const auto& m : offer.media) active += m.common.direction == sdp::Direction::kSendOnly;
  EXPECT_EQ(active, 1u);
}

TEST_F(ConferenceTracksTest, APublishNamesItsTracksSourcesForTheRoom) {
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  // Mids 0 (audio), 1 and 2 (video): 2 is a screen, the others default.
  Send(1, signaling::PublishOffer{ManyTracksSdp(1, 2), {{"2", signaling::TrackSource::kScreen}}});
  ASSERT_EQ(out_.Count(1, "answer"), 1u) << (out_.Count(1, "error") ? out_.Last(1, "error").dump() : "");
  std::map<std::string, std::string> source_of;  // track id → source, as Bob was told
  for (const auto& t : out_.To(2, "track_published")) {
    source_of[t["track_id"].get<std::string>()] = t.value("source", "");
  }
  ASSERT_EQ(source_of.size(), 3u);
  std::multiset<std::string> sources;
  for (const auto& [id, source] : source_of) sources.insert(source);
  EXPECT_EQ(sources, (std::multiset<std::string>{"camera", "microphone", "screen"}));
  // The screen's track id is the one shown in the subscriber offer for mid 2's SSRC (5002).
  std::string screen_id;
  for (const auto& [id, source] : source_of) {
    if (source == "screen") screen_id = id;
  }
  sdp::SessionDescription holder;
  const auto* section = ActiveSectionFor(2, screen_id, holder);
  ASSERT_NE(section, nullptr);
  EXPECT_EQ(section->kind(), sdp::MediaKind::kVideo);
  // A later joiner sees the same in the participant object's tracks.
  Join(3, "standup", "Carol");
  bool found = false;
  const auto joined = out_.Last(3, "joined");
  for (const auto& p : joined["participants"]) {
    if (p.value("name", "") != "Alice") continue;
    found = true;
    ASSERT_EQ(p["tracks"].size(), 3u);
    for (const auto& t : p["tracks"]) {
      EXPECT_EQ(t.value("source", ""), source_of[t["id"].get<std::string>()]) << t.dump();
      EXPECT_EQ(t["kind"] == "audio", t["source"] == "microphone") << t.dump();
    }
  }
  EXPECT_TRUE(found) << joined.dump();
  // A republish keeps each track's source.
  const size_t published = out_.Count(2, "track_published");
  Send(1, signaling::PublishOffer{ManyTracksSdp(1, 2)});
  EXPECT_EQ(out_.Count(2, "track_published"), published);
}

TEST_F(ConferenceTracksTest, PublishSourcesMustNameASectionOfTheirKind) {
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  const auto refused = [&](std::map<std::string, signaling::TrackSource> sources) {
    const size_t errors = out_.Count(1, "error");
    Send(1, signaling::PublishOffer{ManyTracksSdp(1, 1), std::move(sources)});
    EXPECT_EQ(out_.Count(1, "error"), errors + 1);
    if (out_.Count(1, "error") == errors) return;
    EXPECT_EQ(out_.Last(1, "error").value("code", ""), "invalid_field");
    EXPECT_EQ(out_.Last(1, "error").value("field", ""), "sources");
  };
  refused({{"7", signaling::TrackSource::kScreen}});         // no such mid
  refused({{"0", signaling::TrackSource::kScreen}});         // 0 is audio
  refused({{"1", signaling::TrackSource::kMicrophone}});     // 1 is video
  refused({{"1", signaling::TrackSource::kScreenAudio}});
  refused({{"1", signaling::TrackSource::kScreen}, {"x", signaling::TrackSource::kCamera}});
  // Nothing was answered or published.
  EXPECT_EQ(out_.Count(1, "answer"), 0u);
  EXPECT_EQ(out_.Count(2, "track_published"), 0u);
  Send(1, signaling::PublishOffer{ManyTracksSdp(1, 1), {{"0", signaling::TrackSource::kScreenAudio},
                                                         {"1", signaling::TrackSource::kScreen}}});
  EXPECT_EQ(out_.Count(1, "answer"), 1u);
  std::multiset<std::string> sources;
  for (const auto& t : out_.To(2, "track_published")) sources.insert(t.value("source", ""));
  EXPECT_EQ(sources, (std::multiset<std::string>{"screen", "screen_audio"}));
}

TEST_F(ConferenceTracksTest, PublishedTracksAreCappedPerKind) {
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  Publish(1, ManyTracksSdp(5, 0));
  EXPECT_EQ(LastError(1), "too_many_tracks");
  EXPECT_EQ(out_.Count(1, "answer"), 0u);
  EXPECT_EQ(out_.Count(2, "track_published"), 0u);

  Publish(1, ManyTracksSdp(0, 5));
  EXPECT_EQ(out_.Count(1, "error"), 2u);
  EXPECT_EQ(LastError(1), "too_many_tracks");

  Publish(1, ManyTracksSdp(4, 4));
  EXPECT_EQ(out_.Count(1, "answer"), 1u);
  EXPECT_EQ(out_.Count(1, "error"), 2u);
  EXPECT_EQ(out_.Count(2, "track_published"), 8u);
}

TEST_F(ConferenceTracksTest, ConfiguredCapsApply) {
  ConferenceConfig config;
  config.candidates = {kServer1};
  config.dtls_context = ServerContext();
  config.max_audio_tracks_per_participant = 1;
  config.max_video_tracks_per_participant = 2;
  conference_ = std::make_unique<Conference>(std::move(config), out_, rng_);
  Join(1, "standup", "Alice");
  Publish(1, ManyTracksSdp(2, 0));
  EXPECT_EQ(LastError(1), "too_many_tracks");
  Publish(1, ManyTracksSdp(1, 2));
  EXPECT_EQ(out_.Count(1, "answer"), 1u);
}

TEST_F(ConferenceTracksTest, RepublishingFasterThanTheChurnLimitIsRateLimited) {
  const std::string alice = Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  OfferSpec live{.audio = false};
  OfferSpec ended{.audio = false, .video_direction = "inactive"};
  size_t published = 0;
  for (uint32_t i = 0; i < 40; ++i) {  // no time passes
    live.video_ssrc = 9000 + i;
    Publish(1, PublishSdp(live));
    Publish(1, PublishSdp(ended));
    AnswerIfOffered(2);
  }
  published = out_.Count(2, "track_published");
  EXPECT_GE(published, 8u);   // the burst is allowed
  EXPECT_LT(published, 40u);  // the rest is refused
  EXPECT_EQ(LastError(1), "rate_limited");

  now_ = now_ + TimeDelta::Seconds(10);
  live.video_ssrc = 9999;
  const size_t before = out_.Count(2, "track_published");
  Publish(1, PublishSdp(live));
  EXPECT_EQ(out_.Count(2, "track_published"), before + 1) << "the limit refills with time";
}

// WHEP viewers (Conference::JoinViewer, docs/protocol.md §1b): the viewer's
// recvonly offer is answered once on its subscriber connection, never re-offered.
class ConferenceViewerTest : public ConferenceTest {
 protected:
  // A publisher offer turned into a viewer's: recvonly, no SSRCs or msid.
  static std::string ViewerSdp(std::string direction = "recvonly") {
    std::string sdp = PublishSdp({.ufrag = "Vw9x", .pwd = "q8Rt5Ym2Kp7Ln3Wc6Hb1Zd4F"});
    std::string out;
    size_t start = 0;
    while (start < sdp.size()) {
      size_t end = sdp.find("\r\n", start) + 2;
      std::string line = sdp.substr(start, end - start);
      start = end;
      if (line.starts_with("a=ssrc") || line.starts_with("a=msid:")) continue;
      if (line == "a=sendonly\r\n") line = "a=" + direction + "\r\n";
      out += line;
    }
    return out;
  }
  void JoinViewer(S session, const std::string& offer, const std::string& participant = "") {
    auth::Claims claims;
    claims.identity = "viewer-" + std::to_string(session.n);
    claims.room = "r";
    claims.display_name = "Viewer";
    claims.grants = {.publish = true, .subscribe = true, .room_admin = false};
    claims.not_before = 1'700'000'000;
    claims.expires_at = 1'700'000'600;
    conference_->JoinViewer(session, claims, offer, participant, now_, {}, TimeDelta::Seconds(600));
  }
};

TEST_F(ConferenceViewerTest, TheOfferIsAnsweredWithSendonlySectionsAndTheViewerHasNoTracks) {
  Join(1, "r", "A");
  Publish(1, PublishSdp({}));
  Join(2, "r", "B");
  Publish(2, PublishSdp({.audio_ssrc = 3003, .video_ssrc = 4004}));
  JoinViewer(3, ViewerSdp());
  ASSERT_EQ(out_.Count(3, "answer"), 1u) << (out_.Count(3, "error") ? out_.Last(3, "error").dump() : "");
  EXPECT_EQ(out_.Count(3, "offer"), 0u);  // the server never offers to a viewer
  auto answer = ParseOk(out_.Last(3, "answer").value("sdp", ""));
  ASSERT_EQ(answer.media.size(), 2u);
  std::set<uint32_t> ssrcs;
  for (const auto& m : answer.media) {
    EXPECT_EQ(m.common.direction, sdp::Direction::kSendOnly);
    ASSERT_FALSE(m.ssrcs.empty());
    ssrcs.insert(m.ssrcs.front().ssrc);
  }
  EXPECT_EQ(ssrcs.size(), 2u);
  // The others see the viewer as a participant without tracks; it publishes nothing.
  auto joined = out_.Last(1, "participant_joined");
  EXPECT_EQ(joined["participant"].value("name", ""), "Viewer");
  EXPECT_TRUE(joined["participant"]["tracks"].empty()) << joined.dump();
  Publish(3, PublishSdp({.audio_ssrc = 5005, .video_ssrc = 6006}));
  EXPECT_EQ(out_.Last(3, "error").value("code", ""), "forbidden");
  // A new publisher's tracks fill no section (both are taken) and cause no offer.
  Join(4, "r", "C");
  Publish(4, PublishSdp({.audio_ssrc = 7007, .video_ssrc = 8008}));
  EXPECT_EQ(out_.Count(3, "offer"), 0u);
  EXPECT_EQ(conference_->participant_count(), 4u);
}

TEST_F(ConferenceViewerTest, AViewerOfferThatWouldSendIsRefusedAndTheViewerRemoved) {
  Join(1, "r", "A");
  JoinViewer(2, ViewerSdp("sendrecv"));
  EXPECT_EQ(out_.Count(2, "answer"), 0u);
  EXPECT_EQ(out_.Last(2, "error").value("code", ""), "bad_sdp");
  EXPECT_NE(std::find(out_.closed.begin(), out_.closed.end(), SessionId(2)), out_.closed.end());
  EXPECT_EQ(conference_->participant_count(), 1u);
  JoinViewer(3, "v=0\r\n");
  EXPECT_EQ(out_.Last(3, "error").value("code", ""), "bad_sdp");
  EXPECT_EQ(conference_->participant_count(), 1u);
}

TEST_F(ConferenceViewerTest, AViewerOfAnEmptyRoomOrAnUnknownParticipantIsAnsweredAndWaits) {
  JoinViewer(1, ViewerSdp());
  EXPECT_EQ(out_.Count(1, "answer"), 1u);
  JoinViewer(2, ViewerSdp(), "pnobody");
  EXPECT_EQ(out_.Count(2, "answer"), 1u);
  Join(3, "r", "A");
  Publish(3, PublishSdp({}));
  EXPECT_EQ(out_.Count(1, "offer"), 0u);
  EXPECT_EQ(out_.Count(2, "offer"), 0u);
  EXPECT_EQ(conference_->participant_count(), 3u);
}

}  // namespace
}  // namespace aegis::server
