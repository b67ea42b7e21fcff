#include "signaling/client_messages.h"

#include <string>

#include <gtest/gtest.h>

namespace aegis::signaling {
namespace {

ProtocolError ParseError(std::string_view text) {
  auto r = ParseClientMessage(text);
  EXPECT_FALSE(r.ok()) << text;
  return r ? ProtocolError{} : r.error();
}

ErrorCode Code(std::string_view text) { return ParseError(text).code; }

template <typename T>
T ParseAs(std::string_view text) {
  auto r = ParseClientMessage(text);
  EXPECT_TRUE(r.ok()) << text << " -> " << (r ? "" : WireName(r.error().code));
  if (!r) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*r)) << text;
  if (!std::holds_alternative<T>(*r)) return T{};
  return std::get<T>(*r);
}

TEST(ClientMessages, JoinParsesAndRoundTrips) {
  const std::string text = R"({"v":2,"type":"join","room":"r","token":"a.b.c"})";
  auto join = ParseAs<JoinRequest>(text);
  EXPECT_EQ(join.room, "r");
  EXPECT_EQ(join.token, "a.b.c");
  EXPECT_FALSE(join.e2ee);
  EXPECT_FALSE(join.key_package);
  EXPECT_EQ(Serialize(join), R"({"room":"r","token":"a.b.c","type":"join","v":2})");
  EXPECT_EQ(ParseAs<JoinRequest>(Serialize(join)), join);
}

TEST(ClientMessages, JoinWithE2eeCarriesAKeyPackage) {
  auto join = ParseAs<JoinRequest>(R"({"v":2,"type":"join","room":"r","token":"t","e2ee":true,"key_package":"AAEABQ"})");
  EXPECT_TRUE(join.e2ee);
  EXPECT_EQ(join.key_package, (Blob{0, 1, 0, 5}));
  EXPECT_EQ(Serialize(join), R"({"e2ee":true,"key_package":"AAEABQ","room":"r","token":"t","type":"join","v":2})");
  EXPECT_EQ(ParseAs<JoinRequest>(Serialize(join)), join);
  // 16 KiB decoded at most.
  const std::string big = Serialize(JoinRequest{"r", "t", true, Blob(kMaxKeyPackageSize + 1, 7)});
  EXPECT_EQ(ParseError(big), (ProtocolError{ErrorCode::kTooLarge, "key_package"}));
  EXPECT_TRUE(ParseClientMessage(Serialize(JoinRequest{"r", "t", true, Blob(kMaxKeyPackageSize, 7)})));
}

TEST(ClientMessages, ResumableJoinAndResumeParseAndRoundTrip) {
  auto join = ParseAs<JoinRequest>(R"({"v":2,"type":"join","room":"r","token":"t","resumable":true})");
  EXPECT_TRUE(join.resumable);
  EXPECT_EQ(Serialize(join), R"({"resumable":true,"room":"r","token":"t","type":"join","v":2})");
  EXPECT_EQ(Code(R"({"v":2,"type":"join","room":"r","token":"t","resumable":1})"), ErrorCode::kInvalidField);

  const std::string text =
      R"({"v":2,"type":"resume","room":"r","token":"a.b.c","participant_id":"p01","resume_token":"Zm9v_-","last_seq":42})";
  auto resume = ParseAs<ResumeRequest>(text);
  EXPECT_EQ(resume, (ResumeRequest{"r", "a.b.c", "p01", "Zm9v_-", 42}));
  EXPECT_EQ(ParseAs<ResumeRequest>(Serialize(resume)), resume);
  // Every member is required; the secret and the ids are restricted ids; the
  // count is a non-negative integer.
  EXPECT_EQ(ParseError(R"({"v":2,"type":"resume","room":"r","token":"t","participant_id":"p","last_seq":1})"),
            (ProtocolError{ErrorCode::kMissingField, "resume_token"}));
  EXPECT_EQ(Code(R"({"v":2,"type":"resume","room":"r","token":"t","participant_id":"p","resume_token":"a b","last_seq":1})"),
            ErrorCode::kInvalidField);
  EXPECT_EQ(Code(R"({"v":2,"type":"resume","room":"r","token":"t","participant_id":"p","resume_token":"a","last_seq":-1})"),
            ErrorCode::kInvalidField);
  EXPECT_EQ(Code(R"({"v":2,"type":"resume","room":"r","token":"t","participant_id":"p","resume_token":"a","last_seq":1,"x":1})"),
            ErrorCode::kInvalidField);
}

TEST(ClientMessages, JoinKeyPackageGoesWithE2ee) {
  EXPECT_EQ(ParseError(R"({"v":2,"type":"join","room":"r","token":"t","e2ee":true})"),
            (ProtocolError{ErrorCode::kMissingField, "key_package"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"join","room":"r","token":"t","key_package":"AAEABQ"})"),
            (ProtocolError{ErrorCode::kInvalidField, "key_package"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"join","room":"r","token":"t","e2ee":"yes"})"),
            (ProtocolError{ErrorCode::kInvalidField, "e2ee"}));
  // E2EE v1's identity key is no member of join any more.
  EXPECT_EQ(ParseError(R"({"v":2,"type":"join","room":"r","token":"t","e2ee":true,"identity_key":"AQID"})"),
            (ProtocolError{ErrorCode::kInvalidField, "(unknown member)"}));
}

TEST(ClientMessages, MlsMessagesParseAndRoundTrip) {
  auto commit = ParseAs<MlsCommit>(
      R"({"v":2,"type":"mls_commit","epoch":3,"commit":"AQI","welcome":"Aw","added":["p1","p2"],"removed":[0,5]})");
  EXPECT_EQ(commit.epoch, 3);
  EXPECT_EQ(commit.commit, (Blob{1, 2}));
  EXPECT_EQ(commit.welcome, (Blob{3}));
  EXPECT_EQ(commit.added, (std::vector<std::string>{"p1", "p2"}));
  EXPECT_EQ(commit.removed, (std::vector<int64_t>{0, 5}));
  EXPECT_EQ(ParseAs<MlsCommit>(Serialize(commit)), commit);
  auto bare = ParseAs<MlsCommit>(R"({"v":2,"type":"mls_commit","epoch":0,"commit":"AQI"})");
  EXPECT_FALSE(bare.welcome);
  EXPECT_TRUE(bare.added.empty() && bare.removed.empty());
  EXPECT_EQ(Serialize(bare), R"({"commit":"AQI","epoch":0,"type":"mls_commit","v":2})");

  auto member = ParseAs<MlsMember>(R"({"v":2,"type":"mls_member","epoch":1,"leaf":2147483647})");
  EXPECT_EQ(member.leaf, kMaxMlsLeaf);
  EXPECT_EQ(ParseAs<MlsMember>(Serialize(member)), member);
  auto app = ParseAs<MlsApp>(R"({"v":2,"type":"mls_app","epoch":9,"message":"_w","id":4})");
  EXPECT_EQ(app.message, (Blob{0xFF}));
  EXPECT_EQ(ParseAs<MlsApp>(Serialize(app)), app);
}

TEST(ClientMessages, MlsMessageLimits) {
  EXPECT_EQ(ParseError(R"({"v":2,"type":"mls_commit","commit":"AQI"})"),
            (ProtocolError{ErrorCode::kMissingField, "epoch"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"mls_commit","epoch":-1,"commit":"AQI"})"),
            (ProtocolError{ErrorCode::kInvalidField, "epoch"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"mls_commit","epoch":1,"commit":"AQI","added":"p1"})"),
            (ProtocolError{ErrorCode::kInvalidField, "added"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"mls_commit","epoch":1,"commit":"AQI","added":["a b"]})"),
            (ProtocolError{ErrorCode::kInvalidField, "added"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"mls_commit","epoch":1,"commit":"AQI","removed":[1.0]})"),
            (ProtocolError{ErrorCode::kInvalidField, "removed"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"mls_commit","epoch":1,"commit":"AQI","removed":[2147483648]})"),
            (ProtocolError{ErrorCode::kInvalidField, "removed"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"mls_member","epoch":1,"leaf":2147483648})"),
            (ProtocolError{ErrorCode::kInvalidField, "leaf"}));
  MlsCommit many{1, Blob{1}, std::nullopt, std::vector<std::string>(kMaxMlsListEntries + 1, "p"), {}};
  EXPECT_EQ(ParseError(Serialize(many)), (ProtocolError{ErrorCode::kTooLarge, "added"}));
  many.added.pop_back();
  EXPECT_TRUE(ParseClientMessage(Serialize(many)));
  EXPECT_EQ(ParseError(Serialize(MlsApp{1, Blob(kMaxMlsAppMessageSize + 1, 1)})),
            (ProtocolError{ErrorCode::kTooLarge, "message"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"mls_proposal","epoch":1,"proposal":"AQI"})"),
            (ProtocolError{ErrorCode::kUnknownType, "type"}));  // members commit their own proposals
}

TEST(ClientMessages, OnlyAnMlsCommitMayExceed64KiB) {
  // A 256 KiB commit: a 341 KiB message.
  const MlsCommit big{5, Blob(kMaxMlsHandshakeSize, 0xAB), std::nullopt, {}, {}};
  const std::string text = Serialize(big);
  ASSERT_GT(text.size(), kMaxMessageSize);
  ASSERT_LE(text.size(), kMaxCommitMessageSize);
  EXPECT_EQ(ParseAs<MlsCommit>(text), big);
  // The same size as anything else is too large (after parsing, to learn the type).
  EXPECT_EQ(ParseError(Serialize(MlsApp{1, Blob(kMaxMlsHandshakeSize, 0xAB)})),
            (ProtocolError{ErrorCode::kTooLarge, ""}));
  std::string padded_ping = R"({"v":2,"type":"ping"})";
  padded_ping.append(kMaxMessageSize, ' ');
  EXPECT_EQ(ParseError(padded_ping), (ProtocolError{ErrorCode::kTooLarge, ""}));
  // Commit and welcome at their limits together exceed the message limit:
  // refused before parsing.
  const MlsCommit both{5, Blob(kMaxMlsHandshakeSize, 1), Blob(kMaxMlsHandshakeSize, 2), {"p1"}, {}};
  EXPECT_EQ(ParseError(Serialize(both)), (ProtocolError{ErrorCode::kTooLarge, ""}));
  EXPECT_EQ(Code(std::string(kMaxCommitMessageSize + 1, '{')), ErrorCode::kTooLarge);
  // Over 256 KiB of commit, within the message limit: the field's limit.
  const MlsCommit over{5, Blob(kMaxMlsHandshakeSize + 1, 1), std::nullopt, {}, {}};
  EXPECT_EQ(ParseError(Serialize(over)), (ProtocolError{ErrorCode::kTooLarge, "commit"}));
}

TEST(ClientMessages, SdpMessagesRoundTrip) {
  const std::string sdp = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=\"quoted\" \\ \xC3\xA9\r\n";
  PublishOffer offer{sdp};
  const std::string text = Serialize(offer);
  EXPECT_EQ(text, R"({"sdp":"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=\"quoted\" \\ )"
                  "\xC3\xA9"
                  R"(\r\n","type":"publish","v":2})");
  EXPECT_EQ(ParseAs<PublishOffer>(text), offer);
  SubscribeAnswer answer{sdp};
  EXPECT_EQ(Serialize(answer).find(R"("type":"subscribe_answer")") != std::string::npos, true);
  EXPECT_EQ(ParseAs<SubscribeAnswer>(Serialize(answer)), answer);
}

TEST(ClientMessages, PublishSourcesParseAndRoundTrip) {
  auto offer = ParseAs<PublishOffer>(R"({"v":2,"type":"publish","sdp":"v=0","sources":{"1":"screen","0":"microphone"}})");
  EXPECT_EQ(offer.sdp, "v=0");
  EXPECT_EQ(offer.sources, (std::map<std::string, TrackSource>{{"0", TrackSource::kMicrophone}, {"1", TrackSource::kScreen}}));
  EXPECT_EQ(Serialize(offer), R"({"sdp":"v=0","sources":{"0":"microphone","1":"screen"},"type":"publish","v":2})");
  EXPECT_EQ(ParseAs<PublishOffer>(Serialize(offer)), offer);
  PublishOffer all{"v=0", {{"a", TrackSource::kCamera}, {"b", TrackSource::kScreenAudio}}};
  EXPECT_EQ(ParseAs<PublishOffer>(Serialize(all)), all);
  // Absent or empty: no sources (by kind on the server).
  EXPECT_TRUE(ParseAs<PublishOffer>(R"({"v":2,"type":"publish","sdp":"v=0","sources":{}})").sources.empty());
  EXPECT_EQ(Serialize(PublishOffer{"v=0"}), R"({"sdp":"v=0","type":"publish","v":2})");
}

TEST(ClientMessages, PublishSourcesRefusals) {
  const ProtocolError invalid{ErrorCode::kInvalidField, "sources"};
  EXPECT_EQ(ParseError(R"({"v":2,"type":"publish","sdp":"v=0","sources":{"0":"window"}})"), invalid);
  EXPECT_EQ(ParseError(R"({"v":2,"type":"publish","sdp":"v=0","sources":{"0":"Screen"}})"), invalid);
  EXPECT_EQ(ParseError(R"({"v":2,"type":"publish","sdp":"v=0","sources":{"0":1}})"), invalid);
  EXPECT_EQ(ParseError(R"({"v":2,"type":"publish","sdp":"v=0","sources":{"0":null}})"), invalid);
  EXPECT_EQ(ParseError(R"({"v":2,"type":"publish","sdp":"v=0","sources":{"a b":"screen"}})"), invalid);
  EXPECT_EQ(ParseError(R"({"v":2,"type":"publish","sdp":"v=0","sources":{"":"screen"}})"), invalid);
  EXPECT_EQ(ParseError(R"({"v":2,"type":"publish","sdp":"v=0","sources":["0","screen"]})"), invalid);
  EXPECT_EQ(ParseError(R"({"v":2,"type":"publish","sdp":"v=0","sources":"screen"})"), invalid);
  std::string many = R"({"v":2,"type":"publish","sdp":"v=0","sources":{)";
  for (int i = 0; i <= 16; ++i) many += (i ? "," : "") + std::string("\"") + std::to_string(i) + "\":\"camera\"";
  EXPECT_EQ(ParseError(many + "}}"), (ProtocolError{ErrorCode::kTooLarge, "sources"}));
  // A subscribe_answer has no sources.
  EXPECT_EQ(Code(R"({"v":2,"type":"subscribe_answer","sdp":"v=0","sources":{}})"), ErrorCode::kInvalidField);
}

TEST(ClientMessages, LeavePingRoundTrip) {
  EXPECT_EQ(Serialize(LeaveRequest{}), R"({"type":"leave","v":2})");
  ParseAs<LeaveRequest>(R"({"v":2,"type":"leave"})");
  EXPECT_EQ(ParseAs<Ping>(R"({"type":"ping","v":2})"), Ping{});
  EXPECT_EQ(ParseAs<Ping>(R"({"type":"ping","v":2,"seq":9007199254740991})").seq, kMaxSeq);
  EXPECT_EQ(Serialize(Ping{42}), R"({"seq":42,"type":"ping","v":2})");
  EXPECT_EQ(ParseAs<Ping>(Serialize(Ping{42})), Ping{42});
  EXPECT_EQ(ParseError(R"({"v":2,"type":"ping","seq":9007199254740992})"),
            (ProtocolError{ErrorCode::kInvalidField, "seq"}));
  EXPECT_EQ(Code(R"({"v":2,"type":"ping","seq":-1})"), ErrorCode::kInvalidField);
  EXPECT_EQ(Code(R"({"v":2,"type":"ping","seq":1.5})"), ErrorCode::kInvalidField);
  EXPECT_EQ(Code(R"({"v":2,"type":"ping","seq":"1"})"), ErrorCode::kInvalidField);
}

TEST(ClientMessages, RestartIceRoundTrip) {
  EXPECT_EQ(Serialize(IceRestartRequest{}), R"({"type":"restart_ice","v":2})");
  EXPECT_EQ(ParseAs<IceRestartRequest>(R"({"v":2,"type":"restart_ice","id":7})"), IceRestartRequest{});
  // Which connection restarts is not the client's to say: the publisher
  // restarts with a publish offer.
  EXPECT_EQ(ParseError(R"({"v":2,"type":"restart_ice","connection":"publisher"})"),
            (ProtocolError{ErrorCode::kInvalidField, "(unknown member)"}));
}

TEST(ClientMessages, BlobAndIdRefusals) {
  // Blobs: padding, standard-alphabet characters, whitespace, non-canonical last char.
  for (const char* blob : {"AQI=", "+/8", "AQ I", "AR", "A"}) {
    EXPECT_EQ(ParseError(std::string(R"({"v":2,"type":"mls_app","epoch":1,"message":")") + blob + "\"}"),
              (ProtocolError{ErrorCode::kBadBase64, "message"}))
        << blob;
  }
  EXPECT_EQ(ParseError(R"({"v":2,"type":"mls_app","epoch":1,"message":""})"),
            (ProtocolError{ErrorCode::kInvalidField, "message"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"mls_app","epoch":1,"message":[1]})"),
            (ProtocolError{ErrorCode::kInvalidField, "message"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"mls_app","epoch":1})"),
            (ProtocolError{ErrorCode::kMissingField, "message"}));
  // Ids: safe set, 1..64 bytes.
  for (const char* id : {R"("a b")", R"("<script>")", R"("")", R"(7)", R"("é")"}) {
    EXPECT_EQ(ParseError(std::string(R"({"v":2,"type":"kick","participant_id":)") + id + "}"),
              (ProtocolError{ErrorCode::kInvalidField, "participant_id"}))
        << id;
  }
  const std::string id64(64, 'a');
  EXPECT_TRUE(ParseClientMessage(R"({"v":2,"type":"kick","participant_id":")" + id64 + "\"}"));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"kick","participant_id":")" + id64 + "a\"}"),
            (ProtocolError{ErrorCode::kInvalidField, "participant_id"}));
  // E2EE v1's key_blob is no message any more.
  EXPECT_EQ(ParseError(R"({"v":2,"type":"key_blob","blob":"AQID"})"), (ProtocolError{ErrorCode::kUnknownType, "type"}));
}

TEST(ClientMessages, RefreshAndModerationRoundTrip) {
  auto refresh = ParseAs<RefreshToken>(R"({"v":2,"type":"refresh","token":"a.b.c"})");
  EXPECT_EQ(refresh.token, "a.b.c");
  auto kick = ParseAs<KickRequest>(R"({"v":2,"type":"kick","participant_id":"p1"})");
  EXPECT_EQ(kick.participant_id, "p1");
  auto mute = ParseAs<MuteRequest>(R"({"v":2,"type":"mute","participant_id":"p1","kind":"video","muted":false})");
  EXPECT_EQ(mute, (MuteRequest{"p1", TrackKind::kVideo, false}));
  EXPECT_EQ(ParseAs<LockRequest>(R"({"v":2,"type":"lock","locked":true})"), LockRequest{true});
  EXPECT_EQ(ParseAs<EndRequest>(R"({"v":2,"type":"end"})"), EndRequest{});
  EXPECT_EQ(ParseAs<LobbyDecision>(R"({"v":2,"type":"admit","participant_id":"p2"})"), (LobbyDecision{"p2", true}));
  EXPECT_EQ(ParseAs<LobbyDecision>(R"({"v":2,"type":"deny","participant_id":"p2"})"), (LobbyDecision{"p2", false}));
  for (const ClientMessage& m : std::vector<ClientMessage>{refresh, kick, mute, LockRequest{false}, EndRequest{},
                                                           LobbyDecision{"p2", false}}) {
    auto again = ParseClientMessage(Serialize(m));
    ASSERT_TRUE(again.ok()) << Serialize(m);
    EXPECT_EQ(*again, m);
  }
  EXPECT_TRUE(IsAdminRequest(kick));
  EXPECT_TRUE(IsAdminRequest(mute));
  EXPECT_TRUE(IsAdminRequest(EndRequest{}));
  EXPECT_TRUE(IsAdminRequest(LobbyDecision{"p", true}));
  EXPECT_FALSE(IsAdminRequest(refresh));
  EXPECT_FALSE(IsAdminRequest(LeaveRequest{}));
}

TEST(ClientMessages, RequestIdsAreOptionalIntegersOnEveryMessage) {
  std::optional<int64_t> id;
  ASSERT_TRUE(ParseClientMessage(R"({"v":2,"type":"publish","sdp":"v=0","id":42})", &id).ok());
  EXPECT_EQ(id, 42);
  ASSERT_TRUE(ParseClientMessage(R"({"v":2,"type":"leave"})", &id).ok());
  EXPECT_FALSE(id.has_value());
  ASSERT_TRUE(ParseClientMessage(R"({"v":2,"type":"kick","participant_id":"p","id":0})", &id).ok());
  EXPECT_EQ(id, 0);
  EXPECT_EQ(Code(R"({"v":2,"type":"ping","id":-1})"), ErrorCode::kInvalidField);
  EXPECT_EQ(Code(R"({"v":2,"type":"ping","id":"x"})"), ErrorCode::kInvalidField);
  // A refusal after the id was read still reports it, so the error can name the request.
  auto refused = ParseClientMessage(R"({"v":2,"type":"publish","id":9})", &id);
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(id, 9);
}

TEST(ClientMessages, ModerationRefusals) {
  EXPECT_EQ(Code(R"({"v":2,"type":"kick"})"), ErrorCode::kMissingField);
  EXPECT_EQ(Code(R"({"v":2,"type":"kick","participant_id":"p 1"})"), ErrorCode::kInvalidField);
  EXPECT_EQ(Code(R"({"v":2,"type":"mute","participant_id":"p","kind":"screen","muted":true})"),
            ErrorCode::kInvalidField);
  EXPECT_EQ(Code(R"({"v":2,"type":"mute","participant_id":"p","kind":"audio"})"), ErrorCode::kMissingField);
  EXPECT_EQ(Code(R"({"v":2,"type":"lock","locked":"yes"})"), ErrorCode::kInvalidField);
  EXPECT_EQ(Code(R"({"v":2,"type":"end","now":true})"), ErrorCode::kInvalidField);
  EXPECT_EQ(Code(R"({"v":2,"type":"refresh"})"), ErrorCode::kMissingField);
  EXPECT_EQ(Code(R"({"v":2,"type":"admit","participant_id":""})"), ErrorCode::kInvalidField);
}

TEST(ClientMessages, MalformedJson) {
  for (std::string_view text :
       {"", "{", "not json", R"({"v":2,"type":"ping"} x)", R"({"v":2,"type":"ping",})",
        "[1]", "\"ping\"", "null", R"({"v":2,"type":"ping"} {})", "\xEF\xBB\xBF{\"v\":2,\"type\":\"ping\"}",
        R"({"v":2,"type":"join","room":"r","token":"\xff"})",
        "{\"v\":2,\"type\":\"join\",\"token\":\"\xC3\"}", R"({"v":2,"type":"ping"/*c*/})"}) {
    EXPECT_EQ(Code(text), ErrorCode::kMalformedJson) << text;
  }
  std::string nul("{\"v\":2,\"type\":\"ping\"}");
  nul.push_back('\0');
  EXPECT_EQ(Code(nul), ErrorCode::kMalformedJson);
  // Deep nesting inside an otherwise valid message.
  std::string deep = R"({"v":2,"type":"ping","x":)" + std::string(20, '[') + std::string(20, ']') + "}";
  EXPECT_EQ(Code(deep), ErrorCode::kMalformedJson);
}

TEST(ClientMessages, DuplicateKeys) {
  EXPECT_EQ(Code(R"({"v":2,"type":"ping","type":"leave"})"), ErrorCode::kDuplicateKey);
  EXPECT_EQ(Code(R"({"v":2,"v":2,"type":"ping"})"), ErrorCode::kDuplicateKey);
  EXPECT_EQ(Code(R"({"v":2,"type":"join","room":"r","token":"a","token":"b"})"), ErrorCode::kDuplicateKey);
}

TEST(ClientMessages, VersionAndType) {
  EXPECT_EQ(ParseError(R"({"type":"ping"})"), (ProtocolError{ErrorCode::kMissingField, "v"}));
  // A protocol 1 client (E2EE v1, before the version changed) and a future one.
  EXPECT_EQ(ParseError(R"({"v":1,"type":"join","room":"r","token":"t","e2ee":true,"identity_key":"AQID"})"),
            (ProtocolError{ErrorCode::kUnsupportedVersion, "v"}));
  EXPECT_EQ(ParseError(R"({"v":3,"type":"ping"})"), (ProtocolError{ErrorCode::kUnsupportedVersion, "v"}));
  EXPECT_EQ(ParseError(R"({"v":0,"type":"ping"})"), (ProtocolError{ErrorCode::kUnsupportedVersion, "v"}));
  EXPECT_EQ(ParseError(R"({"v":-1,"type":"ping"})"), (ProtocolError{ErrorCode::kUnsupportedVersion, "v"}));
  for (std::string_view v : {R"("2")", "2.0", "2e0", "true", "null"}) {
    EXPECT_EQ(ParseError(std::string(R"({"type":"ping","v":)") + std::string(v) + "}"),
              (ProtocolError{ErrorCode::kInvalidField, "v"}))
        << v;
  }
  EXPECT_EQ(ParseError(R"({"v":2})"), (ProtocolError{ErrorCode::kMissingField, "type"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":5})"), (ProtocolError{ErrorCode::kInvalidField, "type"}));
  for (std::string_view type : {"pong", "joined", "Ping", "ping ", "offer", "x"}) {
    EXPECT_EQ(ParseError(R"({"v":2,"type":")" + std::string(type) + "\"}"),
              (ProtocolError{ErrorCode::kUnknownType, "type"}))
        << type;
  }
  EXPECT_EQ(ParseError(R"({"v":2,"type":")" + std::string(1000, 'j') + "\"}"),
            (ProtocolError{ErrorCode::kUnknownType, "type"}));
}

TEST(ClientMessages, MissingAndWrongTypedFields) {
  EXPECT_EQ(ParseError(R"({"v":2,"type":"join"})"), (ProtocolError{ErrorCode::kMissingField, "room"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"join","room":"r"})"), (ProtocolError{ErrorCode::kMissingField, "token"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"join","room":"a b","token":"t"})"),
            (ProtocolError{ErrorCode::kInvalidField, "room"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"join","room":"r","token":1})"),
            (ProtocolError{ErrorCode::kInvalidField, "token"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"join","room":"r","token":""})"),
            (ProtocolError{ErrorCode::kInvalidField, "token"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"publish"})"), (ProtocolError{ErrorCode::kMissingField, "sdp"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"subscribe_answer","sdp":{}})"),
            (ProtocolError{ErrorCode::kInvalidField, "sdp"}));
  EXPECT_EQ(ParseError(R"({"v":2,"type":"publish","sdp":null})"),
            (ProtocolError{ErrorCode::kInvalidField, "sdp"}));
  // Unknown members are refused, in every message type.
  for (std::string_view text :
       {R"({"v":2,"type":"leave","reason":"x"})", R"({"v":2,"type":"ping","__proto__":{}})",
        R"({"v":2,"type":"publish","sdp":"x","sdp2":"y"})", R"({"v":2,"type":"join","room":"r","token":"t","name":"n"})",
        R"({"v":2,"type":"mls_app","epoch":1,"message":"AQID","from":"me"})",
        R"({"v":2,"type":"subscribe_answer","sdp":"x","extra":1})"}) {
    EXPECT_EQ(ParseError(text), (ProtocolError{ErrorCode::kInvalidField, "(unknown member)"})) << text;
  }
}

TEST(ClientMessages, SizeLimits) {
  const std::string sdp_max(kMaxSdpSize, 'a');
  EXPECT_EQ(ParseAs<PublishOffer>(Serialize(PublishOffer{sdp_max})).sdp, sdp_max);
  EXPECT_EQ(ParseError(Serialize(PublishOffer{sdp_max + "a"})), (ProtocolError{ErrorCode::kTooLarge, "sdp"}));
  EXPECT_EQ(ParseError(Serialize(JoinRequest{"r", std::string(kMaxTokenSize + 1, 't'), false, {}})),
            (ProtocolError{ErrorCode::kTooLarge, "token"}));
  // Whole message: 64 KiB, unless it is an mls_commit (whose type is known
  // only after parsing); over kMaxCommitMessageSize, refused before parsing.
  std::string big = R"({"v":2,"type":"ping"})";
  big.append(kMaxMessageSize - big.size(), ' ');
  EXPECT_TRUE(ParseClientMessage(big));
  big.push_back(' ');
  EXPECT_EQ(ParseError(big), (ProtocolError{ErrorCode::kTooLarge, ""}));
  EXPECT_EQ(Code(std::string(kMaxMessageSize + 1, '{')), ErrorCode::kMalformedJson);
  EXPECT_EQ(Code(std::string(kMaxCommitMessageSize + 1, '{')), ErrorCode::kTooLarge);
}

TEST(ProtocolErrors, WireNamesAreStableAndDistinct) {
  EXPECT_EQ(WireName(ErrorCode::kMalformedJson), "malformed_json");
  EXPECT_EQ(WireName(ErrorCode::kUnknownType), "unknown_type");
  EXPECT_EQ(WireName(ErrorCode::kRateLimited), "rate_limited");
  EXPECT_EQ(WireName(ErrorCode::kNotJoined), "not_joined");
  for (int i = 0; i <= static_cast<int>(ErrorCode::kInternal); ++i) {
    const auto code = static_cast<ErrorCode>(i);
    auto back = ErrorCodeFromWireName(WireName(code));
    ASSERT_TRUE(back) << i;
    EXPECT_EQ(*back, code);
  }
  EXPECT_FALSE(ErrorCodeFromWireName("nope"));
}

}  // namespace
}  // namespace aegis::signaling
