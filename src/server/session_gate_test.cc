#include "server/session_gate.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "auth/base64url.h"
#include "auth/jwt.h"
#include "auth/test_token.h"
#include "signaling/server_messages.h"

namespace aegis::server {
namespace {

using signaling::ClientMessage;

constexpr int64_t kUnixNow = 1'700'000'000;
constexpr const char* kPeer = "192.0.2.44";

const auth::ApiSecret& Secret() {
  static const auto* secret = new auth::ApiSecret(
      std::move(auth::ApiSecret::FromBytes(auth::testing::SecretOf("gate-test-api-secret-0123456789abcdef"))).value());
  return *secret;
}

const auth::ApiSecret& OtherSecret() {
  static const auto* secret = new auth::ApiSecret(
      std::move(auth::ApiSecret::FromBytes(auth::testing::SecretOf("another-api-secret-0123456789abcdef"))).value());
  return *secret;
}

auth::Claims BaseClaims(std::string room = "standup") {
  auth::Claims c;
  c.identity = "alice";
  c.room = std::move(room);
  c.grants = {.publish = true, .subscribe = true, .room_admin = false};
  c.display_name = "Alice";
  c.not_before = kUnixNow - 10;
  c.expires_at = kUnixNow + 600;
  c.issued_at = kUnixNow - 10;
  c.token_id = "mZ3x0a9SgAe1pQk2rV7f1w";
  return c;
}

std::string Mint(const auth::Claims& claims, const auth::ApiSecret& secret = Secret()) {
  auto token = auth::MintToken(claims, secret);
  EXPECT_TRUE(token.ok());
  return token.ok() ? *token : std::string();
}

std::string JoinText(const std::string& token, const std::string& room = "standup") {
  return signaling::Serialize(ClientMessage{signaling::JoinRequest{room, token, false, std::nullopt}});
}

std::string Text(const ClientMessage& m) { return signaling::Serialize(m); }

const std::string kPublish = Text(signaling::PublishOffer{"v=0\r\n"});
const std::string kAnswer = Text(signaling::SubscribeAnswer{"v=0\r\n"});

nlohmann::json Json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(j.is_object()) << text;
  return j;
}

// The error code of a verdict's only reply ("" if it is not one error).
std::string ErrorCode(const GateVerdict& v) {
  if (v.replies.size() != 1) return "replies: " + std::to_string(v.replies.size());
  auto j = Json(v.replies[0]);
  if (j.value("type", "") != "error") return "not an error: " + v.replies[0];
  return j.value("code", "");
}

bool Forwarded(const GateVerdict& v) { return !std::holds_alternative<std::monostate>(v.forward); }

class SessionGateTest : public ::testing::Test {
 protected:
  SessionGate& NewGate(std::string peer = kPeer) {
    gates_.push_back(std::make_unique<SessionGate>(config_, Secret(), joins_, std::move(peer), clock_.Now()));
    return *gates_.back();
  }
  GateVerdict Send(SessionGate& gate, const std::string& text, int64_t unix_now = kUnixNow) {
    return gate.OnMessage(text, clock_.Now(), unix_now);
  }
  // A gate that has joined with `claims`.
  SessionGate& Joined(const auth::Claims& claims = BaseClaims()) {
    SessionGate& gate = NewGate();
    auto v = Send(gate, JoinText(Mint(claims), claims.room));
    EXPECT_TRUE(std::holds_alternative<AdmittedJoin>(v.forward)) << (v.replies.empty() ? "" : v.replies[0]);
    return gate;
  }
  // The token refused: unauthorized on the token field, nothing forwarded.
  void ExpectUnauthorized(const std::string& token, const std::string& room = "standup") {
    SessionGate& gate = NewGate();
    auto v = Send(gate, JoinText(token, room));
    EXPECT_EQ(ErrorCode(v), "unauthorized") << token;
    ASSERT_EQ(v.replies.size(), 1u);
    EXPECT_EQ(Json(v.replies[0]).value("field", ""), "token");
    EXPECT_FALSE(Forwarded(v));
    EXPECT_FALSE(gate.joined());
    EXPECT_EQ(gate.room(), nullptr);
    EXPECT_EQ(gate.refused(), 1u);
  }

  GateConfig config_;
  FakeClock clock_;
  signaling::KeyedRateLimiter joins_{{1, 10}, 100};
  std::vector<std::unique_ptr<SessionGate>> gates_;
};

TEST_F(SessionGateTest, ValidJoinIsAdmittedWithTheTokensClaims) {
  SessionGate& gate = NewGate();
  const auth::Claims claims = BaseClaims();
  auto v = Send(gate, JoinText(Mint(claims)));
  EXPECT_TRUE(v.replies.empty());  // the worker answers "joined"
  EXPECT_FALSE(v.close);
  auto* admitted = std::get_if<AdmittedJoin>(&v.forward);
  ASSERT_NE(admitted, nullptr);
  EXPECT_EQ(admitted->claims, claims);
  EXPECT_EQ(admitted->request.room, "standup");
  EXPECT_TRUE(gate.joined());
  ASSERT_NE(gate.room(), nullptr);
  EXPECT_EQ(*gate.room(), "standup");
  EXPECT_EQ(gate.refused(), 0u);
}

// With TURN configured, every admitted join carries a relay credential for
// the token's subject that expires ttl_s from now; without, none.
TEST_F(SessionGateTest, AdmittedJoinCarriesATurnCredentialWhenConfigured) {
  auto v = Send(NewGate(), JoinText(Mint(BaseClaims())));
  ASSERT_TRUE(std::holds_alternative<AdmittedJoin>(v.forward));
  EXPECT_TRUE(std::get<AdmittedJoin>(v.forward).ice_servers.empty());

  config_.turn = {{"turn:198.51.100.9:3478?transport=udp", "turns:turn.example:443?transport=tcp"},
                  "north-wind-turn-secret", 3600};
  const int64_t now = 1'700'000'000;  // the vector below: expiry 1700003600
  auth::Claims claims = BaseClaims();
  claims.not_before = now - 10;
  claims.issued_at = now - 10;
  claims.expires_at = now + 600;
  auto turned = Send(NewGate(), JoinText(Mint(claims)), now);
  ASSERT_TRUE(std::holds_alternative<AdmittedJoin>(turned.forward));
  const auto& servers = std::get<AdmittedJoin>(turned.forward).ice_servers;
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0].urls, config_.turn.urls);
  EXPECT_EQ(servers[0].username, "1700003600:alice");
  // openssl dgst -sha1 -hmac north-wind-turn-secret of "1700003600:alice", in base64 (turn_credentials_test).
  EXPECT_EQ(servers[0].credential, "3TutR4J7lasX2Lh//gsncvDQ3RM=");
}

TEST_F(SessionGateTest, LeewayIsTheConfiguredOne) {
  auth::Claims claims = BaseClaims();
  claims.not_before = kUnixNow - 100;
  claims.issued_at = kUnixNow - 100;
  claims.expires_at = kUnixNow - 10;  // expired 10 s ago
  const std::string token = Mint(claims);
  EXPECT_TRUE(std::holds_alternative<AdmittedJoin>(Send(NewGate(), JoinText(token)).forward));  // leeway 30
  config_.token_leeway_s = 0;
  EXPECT_EQ(ErrorCode(Send(NewGate(), JoinText(token))), "unauthorized");
}

TEST_F(SessionGateTest, ExpiredTokenIsUnauthorized) {
  auth::Claims claims = BaseClaims();
  claims.not_before = kUnixNow - 7200;
  claims.issued_at = kUnixNow - 7200;
  claims.expires_at = kUnixNow - 3600;
  ExpectUnauthorized(Mint(claims));
}

TEST_F(SessionGateTest, NotYetValidTokenIsUnauthorized) {
  auth::Claims claims = BaseClaims();
  claims.not_before = kUnixNow + 3600;
  claims.issued_at = std::nullopt;
  claims.expires_at = kUnixNow + 7200;
  ExpectUnauthorized(Mint(claims));
}

TEST_F(SessionGateTest, ForgedTokenIsUnauthorized) {
  // Our signature, but the payload changed afterwards (grants escalated to room_admin).
  const std::string token = Mint(BaseClaims());
  const size_t first = token.find('.'), second = token.rfind('.');
  auth::Claims escalated = BaseClaims();
  escalated.grants.room_admin = true;
  const std::string other = Mint(escalated);
  const std::string other_payload = other.substr(other.find('.'), other.rfind('.') - other.find('.'));
  const std::string forged = token.substr(0, first) + other_payload + token.substr(second);
  ASSERT_NE(forged, token);
  ASSERT_NE(forged, other);
  ExpectUnauthorized(forged);
  // Garbage in the signature.
  std::string flipped = token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  ExpectUnauthorized(flipped);
  ExpectUnauthorized("not-a-token");
}

TEST_F(SessionGateTest, AlgNoneTokenIsUnauthorized) {
  const std::string token = Mint(BaseClaims());
  const std::string payload = token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
  const std::string none = auth::Base64UrlEncode(std::string_view(R"({"alg":"none","typ":"JWT"})"));
  ExpectUnauthorized(none + "." + payload + ".");
  ExpectUnauthorized(none + "." + payload + token.substr(token.rfind('.')));  // with a valid HS256 MAC
  // Even MAC'd with our own key, a header saying "none" is refused.
  auto json = auth::Base64UrlDecode(payload);
  ASSERT_TRUE(json.has_value());
  auto secret = Secret().view();
  ExpectUnauthorized(auth::testing::SignRaw(R"({"alg":"none"})", std::string(json->begin(), json->end()),
                                            {secret.begin(), secret.end()}));
}

TEST_F(SessionGateTest, TokenSignedWithAnotherKeyIsUnauthorized) {
  auto other = auth::ApiSecret::FromBytes(auth::testing::SecretOf("some-other-api-secret-0123456789abcdef"));
  ASSERT_TRUE(other.ok());
  ExpectUnauthorized(Mint(BaseClaims(), *other));
}

TEST_F(SessionGateTest, TokenForAnotherRoomIsUnauthorized) {
  ExpectUnauthorized(Mint(BaseClaims("other-room")), "standup");
  // The same token does open its own room.
  auto own_room = Send(NewGate(), JoinText(Mint(BaseClaims("other-room")), "other-room"));
  EXPECT_TRUE(std::holds_alternative<AdmittedJoin>(own_room.forward));
}

class FakeRoomRules final : public RoomRulesSource {
 public:
  RoomRules Lookup(std::string_view room) override {
    lookups.emplace_back(room);
    if (room == "secure") return {.e2ee_required = true, .max_participants = 4};
    if (room == "broken") return {.unavailable = true};
    return {};
  }
  std::vector<std::string> lookups;
};

TEST_F(SessionGateTest, RoomRulesRequireE2eeAndTravelWithTheJoin) {
  FakeRoomRules rules;
  SessionGate plain(config_, Secret(), joins_, kPeer, clock_.Now(), &rules);
  auto v = Send(plain, JoinText(Mint(BaseClaims("secure")), "secure"));
  EXPECT_EQ(ErrorCode(v), "e2ee_required");
  EXPECT_EQ(Json(v.replies[0]).value("field", ""), "e2ee");
  EXPECT_FALSE(Forwarded(v));
  EXPECT_FALSE(plain.joined());

  SessionGate e2ee(config_, Secret(), joins_, kPeer, clock_.Now(), &rules);
  const std::string join = signaling::Serialize(
      ClientMessage{signaling::JoinRequest{"secure", Mint(BaseClaims("secure")), true, signaling::Blob(65, 4)}});
  auto ok = Send(e2ee, join);
  auto* admitted = std::get_if<AdmittedJoin>(&ok.forward);
  ASSERT_NE(admitted, nullptr) << (ok.replies.empty() ? "" : ok.replies[0]);
  EXPECT_TRUE(admitted->rules.e2ee_required);
  EXPECT_EQ(admitted->rules.max_participants, 4u);
  EXPECT_EQ(admitted->request.key_package, signaling::Blob(65, 4));  // checked by the room's worker

  // A bad token never reaches the policy store.
  SessionGate forged(config_, Secret(), joins_, kPeer, clock_.Now(), &rules);
  rules.lookups.clear();
  EXPECT_EQ(ErrorCode(Send(forged, JoinText("x.y.z", "secure"))), "unauthorized");
  EXPECT_TRUE(rules.lookups.empty());
  // Rooms without a policy join as before.
  SessionGate other(config_, Secret(), joins_, kPeer, clock_.Now(), &rules);
  auto open = Send(other, JoinText(Mint(BaseClaims())));
  ASSERT_TRUE(std::holds_alternative<AdmittedJoin>(open.forward));
  EXPECT_FALSE(std::get<AdmittedJoin>(open.forward).rules.e2ee_required);
}

TEST_F(SessionGateTest, PublishWithoutThePublishGrantIsForbidden) {
  auth::Claims claims = BaseClaims();
  claims.grants.publish = false;
  SessionGate& gate = Joined(claims);
  auto v = Send(gate, kPublish);
  EXPECT_EQ(ErrorCode(v), "forbidden");
  EXPECT_FALSE(Forwarded(v));
  // Subscribing is still allowed.
  auto answer = Send(gate, kAnswer);
  EXPECT_TRUE(answer.replies.empty());
  EXPECT_TRUE(std::holds_alternative<ClientMessage>(answer.forward));
}

TEST_F(SessionGateTest, SubscribeAnswerWithoutTheSubscribeGrantIsForbidden) {
  auth::Claims claims = BaseClaims();
  claims.grants.subscribe = false;
  SessionGate& gate = Joined(claims);
  EXPECT_EQ(ErrorCode(Send(gate, kAnswer)), "forbidden");
  auto v = Send(gate, kPublish);
  ASSERT_TRUE(std::holds_alternative<ClientMessage>(v.forward));
  EXPECT_TRUE(std::holds_alternative<signaling::PublishOffer>(std::get<ClientMessage>(v.forward)));
}

TEST_F(SessionGateTest, MessagesBeforeJoinAreNotJoined) {
  SessionGate& gate = NewGate();
  for (const std::string& text : {kPublish, kAnswer, Text(signaling::LeaveRequest{}),
                                  Text(signaling::MlsApp{0, {1, 2, 3}})}) {
    auto v = Send(gate, text);
    EXPECT_EQ(ErrorCode(v), "not_joined") << text;
    EXPECT_FALSE(Forwarded(v));
    EXPECT_FALSE(v.close);
  }
  EXPECT_EQ(gate.refused(), 4u);
}

TEST_F(SessionGateTest, SecondJoinIsAlreadyJoined) {
  SessionGate& gate = Joined();
  auto v = Send(gate, JoinText(Mint(BaseClaims())));
  EXPECT_EQ(ErrorCode(v), "already_joined");
  EXPECT_FALSE(Forwarded(v));
  EXPECT_TRUE(gate.joined());
  // Even with a token for another room: the first join decides.
  auto other = Send(gate, JoinText(Mint(BaseClaims("elsewhere")), "elsewhere"));
  EXPECT_EQ(ErrorCode(other), "already_joined");
  EXPECT_EQ(*gate.room(), "standup");
}

TEST_F(SessionGateTest, PingIsAnsweredEvenBeforeJoin) {
  SessionGate& gate = NewGate();
  auto v = Send(gate, Text(signaling::Ping{17}));
  ASSERT_EQ(v.replies.size(), 1u);
  auto pong = Json(v.replies[0]);
  EXPECT_EQ(pong.value("type", ""), "pong");
  EXPECT_EQ(pong.value("seq", -1), 17);
  EXPECT_FALSE(Forwarded(v));
  EXPECT_EQ(gate.refused(), 0u);
  auto bare = Send(gate, Text(signaling::Ping{std::nullopt}));
  ASSERT_EQ(bare.replies.size(), 1u);
  EXPECT_FALSE(Json(bare.replies[0]).contains("seq"));
}

TEST_F(SessionGateTest, MalformedMessagesAreRefusedWithTheParserCode) {
  SessionGate& gate = Joined();
  EXPECT_EQ(ErrorCode(Send(gate, "{")), "malformed_json");
  // A protocol 1 client is told which version this server speaks.
  auto old = Send(gate, R"({"v":1,"type":"ping"})");
  EXPECT_EQ(ErrorCode(old), "unsupported_version");
  EXPECT_NE(Json(old.replies[0]).value("message", "").find("protocol version 2"), std::string::npos) << old.replies[0];
  EXPECT_EQ(ErrorCode(Send(gate, R"({"v":2,"type":"dance"})")), "unknown_type");
  auto v = Send(gate, R"({"v":2,"type":"ping","seq":1,"extra":2})");
  EXPECT_EQ(ErrorCode(v), "invalid_field");
  EXPECT_FALSE(Forwarded(v));
  EXPECT_EQ(gate.refused(), 4u);
}

TEST_F(SessionGateTest, PerConnectionRateLimit) {
  config_.messages_per_connection = {1, 3};  // 1/s, burst 3
  SessionGate& gate = NewGate();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Send(gate, Text(signaling::Ping{i})).replies.size(), 1u);
  auto v = Send(gate, Text(signaling::Ping{3}));
  EXPECT_EQ(ErrorCode(v), "rate_limited");
  EXPECT_EQ(gate.refused(), 1u);
  // A join over the limit is not even looked at.
  auto join = Send(gate, JoinText(Mint(BaseClaims())));
  EXPECT_EQ(ErrorCode(join), "rate_limited");
  EXPECT_FALSE(gate.joined());
  clock_.Advance(TimeDelta::Seconds(1));
  auto later = Send(gate, JoinText(Mint(BaseClaims())));
  EXPECT_TRUE(std::holds_alternative<AdmittedJoin>(later.forward));
}

TEST_F(SessionGateTest, ALargeMessageCostsATokenPerStarted64KiB) {
  config_.messages_per_connection = {1, 10};  // 1/s, burst 10
  SessionGate& gate = Joined();
  // A 250 KiB commit (a 341 KB message: 6 started 64 KiB blocks) passes
  // once; the next cannot pay and is refused before it is parsed.
  const std::string commit = Text(signaling::MlsCommit{0, signaling::Blob(250 * 1024, 1), std::nullopt, {}, {}});
  ASSERT_GT(commit.size(), 5 * signaling::kMaxMessageSize);
  ASSERT_LE(commit.size(), signaling::kMaxCommitMessageSize);
  auto first = Send(gate, commit);
  EXPECT_TRUE(first.replies.empty());
  EXPECT_TRUE(std::holds_alternative<ClientMessage>(first.forward));
  EXPECT_EQ(ErrorCode(Send(gate, commit)), "rate_limited");
  // 3 tokens remain (10 - 1 for the join - 6): small messages still pass.
  EXPECT_EQ(Send(gate, Text(signaling::Ping{1})).replies.size(), 1u);
  // A message over 64 KiB that is not a commit still pays for its size, then is refused.
  clock_.Advance(TimeDelta::Seconds(10));
  std::string padded = R"({"v":2,"type":"ping"})";
  padded.append(5 * signaling::kMaxMessageSize, ' ');
  EXPECT_EQ(ErrorCode(Send(gate, padded)), "too_large");
  EXPECT_EQ(ErrorCode(Send(gate, padded)), "rate_limited");
}

TEST_F(SessionGateTest, PerAddressJoinLimitIsSharedAcrossConnections) {
  joins_ = signaling::KeyedRateLimiter({0.01, 3}, 100);
  const std::string token = Mint(BaseClaims());
  // A failed join counts too: guessing tokens is as slow as joining.
  EXPECT_EQ(ErrorCode(Send(NewGate("198.51.100.7"), JoinText("bad-token"))), "unauthorized");
  EXPECT_TRUE(std::holds_alternative<AdmittedJoin>(Send(NewGate("198.51.100.7"), JoinText(token)).forward));
  EXPECT_TRUE(std::holds_alternative<AdmittedJoin>(Send(NewGate("198.51.100.7"), JoinText(token)).forward));
  SessionGate& fourth = NewGate("198.51.100.7");
  auto v = Send(fourth, JoinText(token));
  EXPECT_EQ(ErrorCode(v), "rate_limited");
  EXPECT_FALSE(Forwarded(v));
  EXPECT_FALSE(fourth.joined());
  // Another address has its own bucket.
  EXPECT_TRUE(std::holds_alternative<AdmittedJoin>(Send(NewGate("198.51.100.8"), JoinText(token)).forward));
  // Pings do not take from the address bucket.
  EXPECT_EQ(Send(NewGate("198.51.100.7"), Text(signaling::Ping{1})).replies.size(), 1u);
  EXPECT_EQ(ErrorCode(Send(NewGate("198.51.100.7"), JoinText(token))), "rate_limited");
}

TEST_F(SessionGateTest, AbuseTrackerClosesAfterRepeatedRefusals) {
  config_.abuse = {3, TimeDelta::Seconds(60)};
  SessionGate& gate = NewGate();
  auto first = Send(gate, "not json");
  auto second = Send(gate, kPublish);  // not joined
  EXPECT_FALSE(first.close);
  EXPECT_FALSE(second.close);
  auto third = Send(gate, JoinText("forged"));
  EXPECT_EQ(ErrorCode(third), "unauthorized");  // the last error is still sent
  EXPECT_TRUE(third.close);
  EXPECT_EQ(gate.refused(), 3u);
  // Pings and good messages never count.
  config_.abuse = {2, TimeDelta::Seconds(60)};
  SessionGate& polite = Joined();
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(Send(polite, Text(signaling::Ping{i})).close);
  EXPECT_FALSE(Send(polite, kPublish).close);
  EXPECT_EQ(polite.refused(), 0u);
}

TEST_F(SessionGateTest, ErrorsOutsideTheWindowDoNotClose) {
  config_.abuse = {2, TimeDelta::Seconds(10)};
  SessionGate& gate = NewGate();
  EXPECT_FALSE(Send(gate, "x").close);
  clock_.Advance(TimeDelta::Seconds(11));
  EXPECT_FALSE(Send(gate, "x").close);
  EXPECT_TRUE(Send(gate, "x").close);
}

TEST_F(SessionGateTest, BinaryFramesAreRefusedAndCounted) {
  config_.messages_per_connection = {1, 3};
  config_.abuse = {3, TimeDelta::Seconds(60)};
  SessionGate& gate = Joined();  // takes one message
  auto first = gate.OnBinaryFrame(clock_.Now());
  EXPECT_EQ(ErrorCode(first), "malformed_json");
  EXPECT_FALSE(Forwarded(first));
  EXPECT_FALSE(first.close);
  EXPECT_EQ(ErrorCode(gate.OnBinaryFrame(clock_.Now())), "malformed_json");
  // The bucket is empty now: the third frame is rate limited, and the third refusal closes.
  auto third = gate.OnBinaryFrame(clock_.Now());
  EXPECT_EQ(ErrorCode(third), "rate_limited");
  EXPECT_TRUE(third.close);
  EXPECT_EQ(gate.refused(), 3u);
}

TEST_F(SessionGateTest, LeaveIsForwardedAndCloses) {
  SessionGate& gate = Joined();
  auto v = Send(gate, Text(signaling::LeaveRequest{}));
  EXPECT_TRUE(v.close);
  EXPECT_TRUE(v.replies.empty());
  ASSERT_TRUE(std::holds_alternative<ClientMessage>(v.forward));
  EXPECT_TRUE(std::holds_alternative<signaling::LeaveRequest>(std::get<ClientMessage>(v.forward)));
}

TEST_F(SessionGateTest, TheOperatorLogSaysWhyATokenWasRefusedTheClientDoesNot) {
  SessionGate& forged = NewGate();
  auto bad = Send(forged, JoinText(Mint(BaseClaims(), auth::ApiSecret::FromBytes(auth::testing::SecretOf(
                                                          "another-api-secret-0123456789abcdef0123")).value())));
  EXPECT_EQ(ErrorCode(bad), "unauthorized");
  EXPECT_NE(bad.log.find("token bad signature"), std::string::npos) << bad.log;
  EXPECT_EQ(bad.replies[0].find("signature"), std::string::npos) << bad.replies[0];

  SessionGate& other_room = NewGate();
  auto wrong = Send(other_room, JoinText(Mint(BaseClaims("standup")), "boardroom"));
  EXPECT_EQ(ErrorCode(wrong), "unauthorized");
  EXPECT_NE(wrong.log.find("token for room standup"), std::string::npos) << wrong.log;

  SessionGate& good = NewGate();
  auto ok = Send(good, JoinText(Mint(BaseClaims())));
  EXPECT_TRUE(Forwarded(ok));
  EXPECT_NE(ok.log.find("join room standup identity alice"), std::string::npos) << ok.log;
}

TEST_F(SessionGateTest, AnUnreadablePolicyRefusesTheJoin) {
  FakeRoomRules rules;
  SessionGate gate(config_, Secret(), joins_, kPeer, clock_.Now(), &rules);
  auto v = Send(gate, JoinText(Mint(BaseClaims("broken")), "broken"));
  EXPECT_EQ(ErrorCode(v), "internal");
  EXPECT_FALSE(Forwarded(v));
  EXPECT_FALSE(gate.joined());
}

TEST_F(SessionGateTest, MlsMessagesAreForwardedUnchanged) {
  SessionGate& gate = Joined();
  for (const ClientMessage& m : std::vector<ClientMessage>{
           signaling::MlsApp{3, {9, 8, 7}}, signaling::MlsMember{3, 1},
           signaling::MlsCommit{3, {1, 2}, signaling::Blob{3}, {"p0123"}, {2}}}) {
    auto v = Send(gate, Text(m));
    ASSERT_TRUE(std::holds_alternative<ClientMessage>(v.forward)) << Text(m);
    EXPECT_EQ(std::get<ClientMessage>(v.forward), m);
    EXPECT_TRUE(v.replies.empty());
    EXPECT_FALSE(v.close);
  }
}

TEST_F(SessionGateTest, RoomAdminRequestsWithoutTheGrantAreForbidden) {
  SessionGate& gate = Joined();
  for (const ClientMessage& m : std::vector<ClientMessage>{
           signaling::KickRequest{"p1"}, signaling::MuteRequest{"p1", signaling::TrackKind::kVideo, true},
           signaling::LockRequest{true}, signaling::EndRequest{}, signaling::LobbyDecision{"p1", false}}) {
    auto v = Send(gate, Text(m));
    EXPECT_EQ(ErrorCode(v), "forbidden") << Text(m);
    EXPECT_FALSE(Forwarded(v));
  }
  auth::Claims admin = BaseClaims();
  admin.identity = "root";
  admin.grants.room_admin = true;
  SessionGate& admin_gate = Joined(admin);
  auto v = Send(admin_gate, Text(signaling::KickRequest{"p1"}));
  EXPECT_TRUE(v.replies.empty());
  EXPECT_TRUE(std::holds_alternative<ClientMessage>(v.forward));
}

TEST_F(SessionGateTest, AdmittedJoinCarriesTheTokensRemainingLifetime) {
  SessionGate& gate = NewGate();
  auto v = Send(gate, JoinText(Mint(BaseClaims())), kUnixNow + 100);
  ASSERT_TRUE(std::holds_alternative<AdmittedJoin>(v.forward));
  // exp is kUnixNow + 600, the leeway 30 s.
  EXPECT_EQ(std::get<AdmittedJoin>(v.forward).token_remaining_s, 600 - 100 + config_.token_leeway_s);
}

TEST_F(SessionGateTest, RefreshNeedsAValidTokenForTheSameRoomAndIdentity) {
  SessionGate& gate = Joined();
  auth::Claims fresh = BaseClaims();
  fresh.expires_at = kUnixNow + 3600;
  fresh.token_id = "fresh-jti";
  auto v = Send(gate, Text(signaling::RefreshToken{Mint(fresh), std::nullopt, 0}));
  ASSERT_TRUE(std::holds_alternative<ClientMessage>(v.forward)) << (v.replies.empty() ? "" : v.replies[0]);
  const auto& refresh = std::get<signaling::RefreshToken>(std::get<ClientMessage>(v.forward));
  ASSERT_TRUE(refresh.verified_claims.has_value());
  EXPECT_EQ(refresh.verified_claims->token_id, "fresh-jti");
  EXPECT_EQ(refresh.verified_remaining_s, 3600 + config_.token_leeway_s);

  auth::Claims other_identity = BaseClaims();
  other_identity.identity = "mallory";
  auth::Claims other_room = BaseClaims("other");
  auth::Claims expired = BaseClaims();
  expired.not_before = kUnixNow - 900;
  expired.issued_at = kUnixNow - 900;
  expired.expires_at = kUnixNow - 120;
  for (const std::string& token : {Mint(other_identity), Mint(other_room), Mint(expired), Mint(fresh, OtherSecret())}) {
    auto refused = Send(gate, Text(signaling::RefreshToken{token, std::nullopt, 0}));
    EXPECT_EQ(ErrorCode(refused), "unauthorized");
    EXPECT_FALSE(Forwarded(refused));
  }
}

// Revocations by jti, or by identity for tokens issued until then.
class FakeRevocations final : public RevocationSource {
 public:
  bool IsRevoked(const auth::Claims& claims) override {
    return claims.token_id == revoked_jti || (claims.identity == revoked_identity &&
                                              claims.issued_at.value_or(0) <= revoked_at);
  }
  std::string revoked_jti = "-";
  std::string revoked_identity = "-";
  int64_t revoked_at = 0;
};

TEST_F(SessionGateTest, RevokedTokensAreRefusedAtJoinAndRefresh) {
  FakeRevocations revocations;
  revocations.revoked_jti = BaseClaims().token_id.value();
  gates_.push_back(std::make_unique<SessionGate>(config_, Secret(), joins_, kPeer, clock_.Now(), nullptr, &revocations));
  auto v = Send(*gates_.back(), JoinText(Mint(BaseClaims())));
  EXPECT_EQ(ErrorCode(v), "unauthorized");
  EXPECT_NE(v.log.find("revoked"), std::string::npos) << v.log;

  auth::Claims other = BaseClaims();
  other.token_id = "another";
  gates_.push_back(std::make_unique<SessionGate>(config_, Secret(), joins_, kPeer, clock_.Now(), nullptr, &revocations));
  SessionGate& gate = *gates_.back();
  ASSERT_TRUE(std::holds_alternative<AdmittedJoin>(Send(gate, JoinText(Mint(other))).forward));
  revocations.revoked_identity = "alice";
  revocations.revoked_at = kUnixNow;
  auto refused = Send(gate, Text(signaling::RefreshToken{Mint(other), std::nullopt, 0}));
  EXPECT_EQ(ErrorCode(refused), "unauthorized");
}

}  // namespace
}  // namespace aegis::server
