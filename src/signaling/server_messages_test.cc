#include "signaling/server_messages.h"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "signaling/json_fields.h"

namespace aegis::signaling {
namespace {

TEST(ServerMessages, Joined) {
  ParticipantInfo alice{"alice-1", "Alice", {{"a1", TrackKind::kAudio}, {"v1", TrackKind::kVideo}}, false, false,
                        std::nullopt, std::nullopt};
  ParticipantInfo bob{"bob-2", "", {}, true, false, std::nullopt, std::nullopt};
  EXPECT_EQ(Serialize(Joined{"me-3", "room_A", {alice, bob}, false, false, {}, std::nullopt, {}}),
            R"({"admin":false,"locked":false,"participant_id":"me-3","participants":[)"
            R"({"id":"alice-1","name":"Alice","tracks":[{"id":"a1","kind":"audio","source":"microphone"},)"
            R"({"id":"v1","kind":"video","source":"camera"}]},)"
            R"({"audio_muted":true,"id":"bob-2","name":"","tracks":[]}],"room":"room_A","type":"joined","v":2})");
  // Only an admin is told who waits in the lobby.
  EXPECT_EQ(Serialize(Joined{"me", "r", {}, true, true, {bob}, std::nullopt, {}}),
            R"({"admin":true,"lobby":[{"audio_muted":true,"id":"bob-2","name":"","tracks":[]}],"locked":true,)"
            R"("participant_id":"me","participants":[],"room":"r","type":"joined","v":2})");
  EXPECT_EQ(Serialize(Joined{"me", "r", {}, false, false, {bob}, std::nullopt, {}}),
            R"({"admin":false,"locked":false,"participant_id":"me","participants":[],"room":"r","type":"joined","v":2})");
}

TEST(ServerMessages, JoinedCarriesTurnServersWhenConfigured) {
  Joined joined{"me", "r", {}, false, false, {}, std::nullopt, {}};
  EXPECT_EQ(Serialize(joined).find("ice_servers"), std::string::npos);  // none configured: not sent
  joined.ice_servers = {IceServer{{"turn:10.0.0.1:3478?transport=udp"}, "1700003600:alice", "cred+/="}};
  EXPECT_EQ(Serialize(joined),
            R"({"admin":false,"ice_servers":[{"credential":"cred+/=","urls":["turn:10.0.0.1:3478?transport=udp"],)"
            R"("username":"1700003600:alice"}],"locked":false,"participant_id":"me","participants":[],"room":"r",)"
            R"("type":"joined","v":2})");
}

TEST(ServerMessages, ModerationAndTokenEvents) {
  EXPECT_EQ(Serialize(TokenExpiring{60}), R"({"expires_in_s":60,"type":"token_expiring","v":2})");
  EXPECT_EQ(Serialize(Muted{"p1", TrackKind::kVideo, true}),
            R"({"kind":"video","muted":true,"participant_id":"p1","type":"muted","v":2})");
  EXPECT_EQ(Serialize(Locked{false}), R"({"locked":false,"type":"locked","v":2})");
  EXPECT_EQ(Serialize(LobbyWaiting{}), R"({"type":"lobby","v":2})");
  EXPECT_EQ(Serialize(LobbyJoined{{"p2", "<b>", {}, false, false, std::nullopt, std::nullopt}}),
            R"({"participant":{"id":"p2","name":"<b>","tracks":[]},"type":"lobby_joined","v":2})");
  EXPECT_EQ(Serialize(LobbyLeft{"p2"}), R"({"participant_id":"p2","type":"lobby_left","v":2})");
  EXPECT_EQ(Serialize(ErrorMessage{ErrorCode::kKicked, "", "removed by a room admin", std::nullopt}),
            R"({"code":"kicked","message":"removed by a room admin","type":"error","v":2})");
}

TEST(ServerMessages, ParticipantEvents) {
  EXPECT_EQ(Serialize(ParticipantJoined{{"p", "P", {}, false, false, std::nullopt, std::nullopt}}),
            R"({"participant":{"id":"p","name":"P","tracks":[]},"type":"participant_joined","v":2})");
  EXPECT_EQ(Serialize(ParticipantLeft{"p"}), R"({"participant_id":"p","type":"participant_left","v":2})");
  EXPECT_EQ(Serialize(TrackPublished{"p", {"t1", TrackKind::kVideo}}),
            R"({"kind":"video","participant_id":"p","source":"camera","track_id":"t1","type":"track_published","v":2})");
  EXPECT_EQ(Serialize(TrackPublished{"p", {"t2", TrackKind::kVideo, TrackSource::kScreen}}),
            R"({"kind":"video","participant_id":"p","source":"screen","track_id":"t2","type":"track_published","v":2})");
  EXPECT_EQ(Serialize(TrackUnpublished{"p", "t1"}),
            R"({"participant_id":"p","track_id":"t1","type":"track_unpublished","v":2})");
}

TEST(ServerMessages, ParticipantTracksNameTheirSource) {
  ParticipantInfo p{"p", "P",
                    {{"t1", TrackKind::kAudio}, {"t2", TrackKind::kVideo}, {"t3", TrackKind::kVideo, TrackSource::kScreen},
                     {"t4", TrackKind::kAudio, TrackSource::kScreenAudio}},
                    false, false, std::nullopt, std::nullopt};
  EXPECT_EQ(nlohmann::json::parse(Serialize(ParticipantJoined{p}))["participant"]["tracks"].dump(),
            R"([{"id":"t1","kind":"audio","source":"microphone"},{"id":"t2","kind":"video","source":"camera"},)"
            R"({"id":"t3","kind":"video","source":"screen"},{"id":"t4","kind":"audio","source":"screen_audio"}])");
}

TEST(ServerMessages, Mls) {
  const MlsGroupInfo group{Blob{1, 2, 3}, 4, 83, Blob{0xFF}, true};
  ParticipantInfo carol{"p3", "Carol", {}, false, false, "user-3", Blob{9, 9}};
  auto joined = nlohmann::json::parse(Serialize(Joined{"me", "r", {carol}, false, false, {}, group, {}}));
  EXPECT_EQ(joined["mls"].dump(),
            R"({"create":true,"epoch":4,"external_sender":"_w","group_id":"AQID","suite":83})");
  EXPECT_EQ(joined["participants"][0]["identity"], "user-3");
  EXPECT_EQ(joined["participants"][0]["key_package"], "CQk");
  EXPECT_EQ(Serialize(MlsGroup{MlsGroupInfo{Blob{1}, 0, 1, Blob{2}, false}}),
            R"({"create":false,"epoch":0,"external_sender":"Ag","group_id":"AQ","suite":1,"type":"mls_group","v":2})");
  EXPECT_EQ(Serialize(MlsCommitRelay{"p1", 7, Blob{1}}),
            R"({"commit":"AQ","epoch":7,"from":"p1","type":"mls_commit","v":2})");
  EXPECT_EQ(Serialize(MlsWelcomeRelay{"p1", 8, Blob{2}}),
            R"({"epoch":8,"from":"p1","type":"mls_welcome","v":2,"welcome":"Ag"})");
  EXPECT_EQ(Serialize(MlsProposal{8, Blob{3}}), R"({"epoch":8,"proposal":"Aw","type":"mls_proposal","v":2})");
  EXPECT_EQ(Serialize(MlsAppRelay{"p2", Blob{4}}), R"({"from":"p2","message":"BA","type":"mls_app","v":2})");
  EXPECT_EQ(Serialize(ErrorMessage{ErrorCode::kMlsStaleEpoch, "", "stale", 3}),
            R"({"code":"mls_stale_epoch","message":"stale","re":3,"type":"error","v":2})");
}

TEST(ServerMessages, SdpPong) {
  EXPECT_EQ(Serialize(PublishAnswer{"v=0\r\n", std::nullopt}), R"({"sdp":"v=0\r\n","type":"answer","v":2})");
  EXPECT_EQ(Serialize(PublishAnswer{"v=0\r\n", 7}), R"({"re":7,"sdp":"v=0\r\n","type":"answer","v":2})");
  EXPECT_EQ(Serialize(ErrorMessage{ErrorCode::kBadSdp, "", "no", 41}),
            R"({"code":"bad_sdp","message":"no","re":41,"type":"error","v":2})");
  EXPECT_EQ(Serialize(SubscribeOffer{"v=0\r\n"}), R"({"sdp":"v=0\r\n","type":"offer","v":2})");
  EXPECT_EQ(Serialize(Pong{}), R"({"type":"pong","v":2})");
  EXPECT_EQ(Serialize(Pong{7}), R"({"seq":7,"type":"pong","v":2})");
}

TEST(ServerMessages, ErrorFromProtocolError) {
  // What a client of another protocol version is told.
  EXPECT_EQ(Serialize(MakeError({ErrorCode::kUnsupportedVersion, "v"})),
            R"({"code":"unsupported_version","field":"v","message":"unsupported protocol version: this server speaks )"
            R"(protocol version 2","type":"error","v":2})");
  EXPECT_EQ(Serialize(MakeError({ErrorCode::kUnknownType, "type"})),
            R"({"code":"unknown_type","field":"type","message":"unknown message type","type":"error","v":2})");
  EXPECT_EQ(Serialize(MakeError({ErrorCode::kRateLimited, ""})),
            R"({"code":"rate_limited","message":"too many requests","type":"error","v":2})");
}

// Text that reaches a client from elsewhere (display names from tokens,
// error messages) is escaped, never able to end the string or the object.
TEST(ServerMessages, HostileTextIsEscaped) {
  ParticipantInfo p{"p", "\"},\"type\":\"offer\"</script>\n\x01", {}, false, false, std::nullopt, std::nullopt};
  const std::string text = Serialize(ParticipantJoined{p});
  EXPECT_EQ(text,
            R"({"participant":{"id":"p","name":"\"},\"type\":\"offer\"</script>\n\u0001","tracks":[]},)"
            R"("type":"participant_joined","v":2})");
  auto parsed = nlohmann::json::parse(text);
  EXPECT_EQ(parsed["type"], "participant_joined");
  EXPECT_EQ(parsed["participant"]["name"], p.name);
}

TEST(ServerMessages, InvalidUtf8AndLongMessagesDoNotThrow) {
  ErrorMessage e{ErrorCode::kInternal, "", std::string(300, 'x') + "\xC3", std::nullopt};
  const std::string text = Serialize(e);
  auto parsed = nlohmann::json::parse(text);
  EXPECT_EQ(parsed["message"].get<std::string>().size(), kMaxErrorMessageSize);
  // A name cut inside a UTF-8 sequence becomes U+FFFD instead of throwing.
  ParticipantInfo p{"p", "ab\xC3", {}, false, false, std::nullopt, std::nullopt};
  EXPECT_EQ(Serialize(ParticipantLeft{"p"}), R"({"participant_id":"p","type":"participant_left","v":2})");
  EXPECT_EQ(nlohmann::json::parse(Serialize(ParticipantJoined{p}))["participant"]["name"], "ab\xEF\xBF\xBD");
}

// The writer gives every object's keys in byte order and escapes as
// nlohmann's dump does, so a message re-dumped from its parse is the same
// bytes: every message type, with every optional member present.
TEST(ServerMessages, BytesAreWhatADumpOfTheSameObjectWrites) {
  const MlsGroupInfo group{Blob{1, 2, 3}, 4, 83, Blob{0xFF}, true};
  const ParticipantInfo full{"p1", "Zo\xC3\xAB \"q\" \\ \x7F", {{"t1", TrackKind::kAudio}, {"t2", TrackKind::kVideo, TrackSource::kScreen}},
                             true, true, "user-1", Blob{7, 8}};
  const std::vector<ServerMessage> all = {
      Joined{"me", "r", {full, full}, true, true, {full}, group,
             {IceServer{{"turn:turn.example:3478?transport=udp", "turns:turn.example:443?transport=tcp"},
                         "1700003600:alice", "3TutR4J7lasX2Lh//gsncvDQ3RM="}}},
      ParticipantJoined{full},
      ParticipantLeft{"p"},
      TrackPublished{"p", {"t", TrackKind::kAudio, TrackSource::kScreenAudio}},
      TrackUnpublished{"p", "t"},
      PublishAnswer{"v=0\r\n\ta\x01", -5},
      SubscribeOffer{"v=0\r\n"},
      ErrorMessage{ErrorCode::kInvalidField, "sdp", "bad \xF0\x9F\x98 cut", 9},
      Pong{INT64_MIN},
      TokenExpiring{60},
      Muted{"p", TrackKind::kAudio, false},
      Locked{true},
      LobbyWaiting{},
      LobbyJoined{full},
      LobbyLeft{"p"},
      MlsGroup{group},
      MlsCommitRelay{"p", UINT64_MAX, Blob{1}},
      MlsWelcomeRelay{"p", 3, Blob{2}},
      MlsProposal{4, Blob{3}},
      MlsAppRelay{"p", Blob{4}},
  };
  for (const auto& message : all) {
    const std::string text = Serialize(message);
    EXPECT_EQ(internal::Dump(nlohmann::json::parse(text)), text);
  }
}

}  // namespace
}  // namespace aegis::signaling
