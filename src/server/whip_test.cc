// WHIP ingest (RFC 9725): the sans-IO checks of a POST (every refusal and
// its status), the mapping of the worker's reply, CORS, and the routes of
// a real signaling server with one media worker on loopback (201 with the
// answer and Location, PATCH 405, DELETE with the same token only, the
// slot limits; nothing is created for a refused POST).
#include "server/whip.h"

#include <gtest/gtest.h>

#include <boost/beast.hpp>

#include <chrono>
#include <future>
#include <thread>

#include <nlohmann/json.hpp>

#include "auth/jwt.h"
#include "auth/test_token.h"
#include "base/random.h"
#include "dtls/certificate.h"
#include "sdp/test_sdps.h"
#include "server/media_worker.h"
#include "server/signaling_server.h"
#include "signaling/messages.h"

namespace aegis::server {
namespace {

constexpr int64_t kUnixNow = 1'700'000'000;
constexpr const char* kPeer = "192.0.2.44";

const auth::ApiSecret& Secret() {
  static const auto* secret = new auth::ApiSecret(
      std::move(auth::ApiSecret::FromBytes(auth::testing::SecretOf("whip-test-api-secret-0123456789abcdef"))).value());
  return *secret;
}

const auth::ApiSecret& OtherSecret() {
  static const auto* secret = new auth::ApiSecret(
      std::move(auth::ApiSecret::FromBytes(auth::testing::SecretOf("another-api-secret-0123456789abcdef"))).value());
  return *secret;
}

auth::Claims Claims(std::string room = "studio", std::string identity = "obs", int64_t now = kUnixNow) {
  auth::Claims c;
  c.identity = std::move(identity);
  c.room = std::move(room);
  c.grants = {.publish = true, .subscribe = true, .room_admin = false};
  c.display_name = "OBS";
  c.not_before = now - 10;
  c.expires_at = now + 600;
  c.issued_at = now - 10;
  c.token_id = "whipTokenId0000000001";
  return c;
}

std::string Mint(const auth::Claims& claims, const auth::ApiSecret& secret = Secret()) {
  auto token = auth::MintToken(claims, secret);
  EXPECT_TRUE(token.ok());
  return token.ok() ? *token : std::string();
}

std::string Header(const HttpReply& reply, std::string_view name) {
  for (const auto& [n, v] : reply.headers) {
    if (n == name) return v;
  }
  return "";
}

class FixedRules final : public RoomRulesSource {
 public:
  explicit FixedRules(RoomRules rules) : rules_(rules) {}
  RoomRules Lookup(std::string_view) override { return rules_; }

 private:
  RoomRules rules_;
};

class RevokeAll final : public RevocationSource {
 public:
  bool IsRevoked(const auth::Claims&) override { return true; }
};

TEST(WhipTarget, EndpointAndSessionPathsWithSafeIdsOnly) {
  auto endpoint = ParseWhipTarget("/whip/studio");
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->room, "studio");
  EXPECT_EQ(endpoint->resource, "");
  auto session = ParseWhipTarget("/whip/studio/0a1b2c");
  ASSERT_TRUE(session);
  EXPECT_EQ(session->room, "studio");
  EXPECT_EQ(session->resource, "0a1b2c");
  EXPECT_FALSE(ParseWhipTarget("/whip/"));
  EXPECT_FALSE(ParseWhipTarget("/whip/studio/"));
  EXPECT_FALSE(ParseWhipTarget("/whip/../etc"));
  EXPECT_FALSE(ParseWhipTarget("/whip/studio?x=1"));
  EXPECT_FALSE(ParseWhipTarget("/whip/a/b/c"));
  EXPECT_FALSE(ParseWhipTarget("/whep/studio"));
  EXPECT_FALSE(ParseWhipTarget("/whip/" + std::string(65, 'a')));
}

TEST(WhipTarget, BearerTokenOfTheAuthorizationHeader) {
  EXPECT_EQ(BearerToken("Bearer abc.def.ghi").value_or(""), "abc.def.ghi");
  EXPECT_EQ(BearerToken("bearer  abc ").value_or(""), "abc");
  EXPECT_FALSE(BearerToken(""));
  EXPECT_FALSE(BearerToken("Bearer "));
  EXPECT_FALSE(BearerToken("Basic dXNlcjpwYXNz"));
  EXPECT_FALSE(BearerToken("Bearerabc"));
}

class WhipCheckTest : public ::testing::Test {
 protected:
  WhipCheck Post(std::string_view authorization, std::string_view body = sdp::testing::kAiortcOffer,
                 std::string_view content_type = "application/sdp", std::string room = "studio") {
    WhipHttpRequest request{"POST", authorization, content_type, "", body};
    return CheckWhipPost(request, WhipTarget{std::move(room), "", ""}, config_, Secret(), joins_, kPeer, now_, kUnixNow,
                         rules_, revocations_);
  }
  std::string Bearer(const auth::Claims& claims, const auth::ApiSecret& secret = Secret()) {
    return "Bearer " + Mint(claims, secret);
  }

  GateConfig config_;
  signaling::KeyedRateLimiter joins_{{1, 100}, 100};
  Timestamp now_ = Timestamp::Micros(1'000'000);
  RoomRulesSource* rules_ = nullptr;
  RevocationSource* revocations_ = nullptr;
};

TEST_F(WhipCheckTest, AValidPublishTokenIsAdmittedAsAPublisherThatSubscribesToNothing) {
  auto check = Post(Bearer(Claims()));
  ASSERT_TRUE(check.admitted) << check.refusal.body;
  EXPECT_EQ(check.admitted->join.claims.room, "studio");
  EXPECT_EQ(check.admitted->join.claims.identity, "obs");
  EXPECT_EQ(check.admitted->join.claims.display_name.value_or(""), "OBS");
  EXPECT_TRUE(check.admitted->join.claims.grants.publish);
  EXPECT_FALSE(check.admitted->join.claims.grants.subscribe);
  EXPECT_FALSE(check.admitted->join.request.e2ee);
  EXPECT_EQ(check.admitted->offer, sdp::testing::kAiortcOffer);
  EXPECT_EQ("Bearer " + check.admitted->token, Bearer(Claims()));
  EXPECT_GE(check.admitted->join.token_remaining_s, 600);
}

TEST_F(WhipCheckTest, MissingForgedExpiredOrOtherRoomTokensAre401WithWwwAuthenticate) {
  auto missing = Post("");
  EXPECT_FALSE(missing.admitted);
  EXPECT_EQ(missing.refusal.status, 401);
  EXPECT_EQ(Header(missing.refusal, "WWW-Authenticate"), "Bearer");
  EXPECT_EQ(Post("Basic dXNlcjpwYXNz").refusal.status, 401);

  auto forged = Post(Bearer(Claims(), OtherSecret()));
  EXPECT_FALSE(forged.admitted);
  EXPECT_EQ(forged.refusal.status, 401);
  EXPECT_EQ(Header(forged.refusal, "WWW-Authenticate"), "Bearer error=\"invalid_token\"");
  EXPECT_NE(forged.log.find("signature"), std::string::npos) << forged.log;

  auto expired_claims = Claims("studio", "obs", kUnixNow - 3600);
  auto expired = Post(Bearer(expired_claims));
  EXPECT_FALSE(expired.admitted);
  EXPECT_EQ(expired.refusal.status, 401);

  auto other_room = Post(Bearer(Claims("another")));
  EXPECT_FALSE(other_room.admitted);
  EXPECT_EQ(other_room.refusal.status, 401);
  EXPECT_EQ(other_room.refusal.body, forged.refusal.body);  // the same answer for every token failure

  RevokeAll revoked;
  revocations_ = &revoked;
  auto revoked_check = Post(Bearer(Claims()));
  EXPECT_FALSE(revoked_check.admitted);
  EXPECT_EQ(revoked_check.refusal.status, 401);
}

TEST_F(WhipCheckTest, ATokenWithoutThePublishGrantIs403) {
  auto claims = Claims();
  claims.grants.publish = false;
  auto check = Post(Bearer(claims));
  EXPECT_FALSE(check.admitted);
  EXPECT_EQ(check.refusal.status, 403);
  EXPECT_EQ(Header(check.refusal, "WWW-Authenticate"), "Bearer error=\"insufficient_scope\"");
}

TEST_F(WhipCheckTest, BodyAndContentTypeAreChecked) {
  EXPECT_EQ(Post(Bearer(Claims()), sdp::testing::kAiortcOffer, "application/json").refusal.status, 415);
  EXPECT_EQ(Post(Bearer(Claims()), sdp::testing::kAiortcOffer, "").refusal.status, 415);
  EXPECT_TRUE(Post(Bearer(Claims()), sdp::testing::kAiortcOffer, "application/sdp; charset=utf-8").admitted);
  const std::string big(signaling::kMaxSdpSize + 1, 'a');
  EXPECT_EQ(Post(Bearer(Claims()), big).refusal.status, 413);
  EXPECT_EQ(Post(Bearer(Claims()), "").refusal.status, 400);
}

TEST_F(WhipCheckTest, RoomPolicyE2eeRequiredLobbyAndUnreadable) {
  FixedRules e2ee({.e2ee_required = true});
  rules_ = &e2ee;
  auto refused = Post(Bearer(Claims()));
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.refusal.status, 403);
  EXPECT_NE(refused.refusal.body.find("requires end-to-end encryption, which WHIP cannot do"), std::string::npos)
      << refused.refusal.body;

  FixedRules lobby({.lobby = true});
  rules_ = &lobby;
  EXPECT_EQ(Post(Bearer(Claims())).refusal.status, 403);
  auto admin = Claims();
  admin.grants.room_admin = true;
  EXPECT_TRUE(Post(Bearer(admin)).admitted);  // an admin does not wait

  FixedRules unreadable({.unavailable = true});
  rules_ = &unreadable;
  EXPECT_EQ(Post(Bearer(Claims())).refusal.status, 503);

  FixedRules small({.max_participants = 2});
  rules_ = &small;
  auto admitted = Post(Bearer(Claims()));
  ASSERT_TRUE(admitted.admitted);
  EXPECT_EQ(admitted.admitted->join.rules.max_participants, 2u);  // the worker decides
}

TEST_F(WhipCheckTest, EveryAttemptCountsAgainstTheAddressJoinRate) {
  signaling::KeyedRateLimiter tight({1, 2}, 100);
  auto post = [&](std::string authorization) {
    WhipHttpRequest request{"POST", authorization, "application/sdp", "", sdp::testing::kAiortcOffer};
    return CheckWhipPost(request, WhipTarget{"studio", "", ""}, config_, Secret(), tight, kPeer, now_, kUnixNow, nullptr,
                         nullptr);
  };
  EXPECT_EQ(post(Bearer(Claims(), OtherSecret())).refusal.status, 401);
  EXPECT_EQ(post(Bearer(Claims(), OtherSecret())).refusal.status, 401);
  auto limited = post(Bearer(Claims()));
  EXPECT_FALSE(limited.admitted);
  EXPECT_EQ(limited.refusal.status, 429);
}

// WHEP playback (docs/protocol.md §1b): the same checks for a viewer.
TEST(WhepTarget, EndpointAndSessionPathsAreSeparateFromWhip) {
  auto endpoint = ParseWhepTarget("/whep/studio");
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->room, "studio");
  EXPECT_TRUE(endpoint->resource.empty());
  auto session = ParseWhepTarget("/whep/studio/abc123");
  ASSERT_TRUE(session);
  EXPECT_EQ(session->resource, "abc123");
  EXPECT_FALSE(ParseWhepTarget("/whip/studio"));
  EXPECT_FALSE(ParseWhipTarget("/whep/studio"));
  EXPECT_FALSE(ParseWhepTarget("/whep/../x"));
  EXPECT_FALSE(ParseWhepTarget("/whep/"));
  auto named = ParseWhepTarget("/whep/studio?participant=p0123abcd");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->room, "studio");
  EXPECT_EQ(named->participant, "p0123abcd");
  EXPECT_FALSE(ParseWhepTarget("/whep/studio?participant="));
  EXPECT_FALSE(ParseWhepTarget("/whep/studio?participant=a/b"));
  EXPECT_FALSE(ParseWhepTarget("/whep/studio?other=1"));
  EXPECT_FALSE(ParseWhepTarget("/whep/studio/abc?participant=p1"));
}

class WhepCheckTest : public WhipCheckTest {
 protected:
  WhipCheck View(std::string_view authorization, std::string_view body = sdp::testing::kAiortcOffer,
                 std::string_view content_type = "application/sdp") {
    WhipHttpRequest request{"POST", authorization, content_type, "", body};
    return CheckWhepPost(request, WhipTarget{"studio", "", ""}, config_, Secret(), joins_, kPeer, now_, kUnixNow, rules_,
                         revocations_);
  }
  static auth::Claims Viewer() {
    auto claims = Claims("studio", "viewer");
    claims.grants = {.publish = false, .subscribe = true, .room_admin = false};
    return claims;
  }
};

TEST_F(WhepCheckTest, ASubscribeTokenIsAdmittedAsAViewerThatPublishesNothing) {
  auto check = View(Bearer(Viewer()));
  ASSERT_TRUE(check.admitted) << check.refusal.body;
  EXPECT_EQ(check.admitted->join.claims.identity, "viewer");
  EXPECT_FALSE(check.admitted->join.claims.grants.publish);
  EXPECT_TRUE(check.admitted->join.claims.grants.subscribe);
  EXPECT_NE(check.log.find("whep join room studio"), std::string::npos) << check.log;
  EXPECT_EQ(check.admitted->join.viewer_offer.value_or(""), sdp::testing::kAiortcOffer);
  EXPECT_TRUE(check.admitted->join.viewer_participant.empty());
  // A token with both grants views too, and publishes nothing.
  auto both = View(Bearer(Claims()));
  ASSERT_TRUE(both.admitted);
  EXPECT_FALSE(both.admitted->join.claims.grants.publish);
}

TEST_F(WhepCheckTest, ATokenWithoutTheSubscribeGrantIs403AndBadTokensAre401) {
  auto publisher_only = Claims();
  publisher_only.grants.subscribe = false;
  auto refused = View(Bearer(publisher_only));
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.refusal.status, 403);
  EXPECT_EQ(refused.refusal.body, "the token does not allow subscribing\n");
  EXPECT_EQ(Header(refused.refusal, "WWW-Authenticate"), "Bearer error=\"insufficient_scope\"");
  EXPECT_EQ(View("").refusal.status, 401);
  EXPECT_EQ(View(Bearer(Viewer(), OtherSecret())).refusal.status, 401);
  auto other_room = Viewer();
  other_room.room = "another";
  EXPECT_EQ(View(Bearer(other_room)).refusal.status, 401);
  EXPECT_EQ(View(Bearer(Viewer()), sdp::testing::kAiortcOffer, "text/plain").refusal.status, 415);
}

TEST_F(WhepCheckTest, AnE2eeRequiredRoomRefusesWhepBecauseAViewerCannotDecryptSframe) {
  FixedRules e2ee({.e2ee_required = true});
  rules_ = &e2ee;
  auto refused = View(Bearer(Viewer()));
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.refusal.status, 403);
  EXPECT_NE(refused.refusal.body.find("requires end-to-end encryption, which WHEP cannot do"), std::string::npos)
      << refused.refusal.body;
}

TEST(WhipReply, TheAnswerIs201WithLocationOtherMessagesAreDroppedErrorsMapToStatuses) {
  auto answer = WhipReplyFor(R"({"v":2,"type":"answer","sdp":"v=0\r\n","re":1})", "/whip/studio/abc");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 201);
  EXPECT_EQ(answer->content_type, "application/sdp");
  EXPECT_EQ(answer->body, "v=0\r\n");
  EXPECT_EQ(Header(*answer, "Location"), "/whip/studio/abc");
  EXPECT_FALSE(WhipReplyFor(R"({"v":2,"type":"joined","participant_id":"p1"})", "/x"));
  EXPECT_FALSE(WhipReplyFor(R"({"v":2,"type":"participant_joined"})", "/x"));
  EXPECT_FALSE(WhipReplyFor("not json", "/x"));
  auto status = [](std::string code) {
    return WhipReplyFor(R"({"v":2,"type":"error","code":")" + code + R"(","message":"m"})", "/x")->status;
  };
  EXPECT_EQ(status("bad_sdp"), 400);
  EXPECT_EQ(status("too_many_tracks"), 400);
  EXPECT_EQ(status("room_full"), 503);
  EXPECT_EQ(status("room_locked"), 403);
  EXPECT_EQ(status("rate_limited"), 429);
  EXPECT_EQ(status("internal"), 500);
  EXPECT_EQ(WhipReplyFor(R"({"v":2,"type":"lobby_waiting"})", "/x")->status, 403);
}

TEST(WhipCors, OnlyConfiguredOriginsGetCorsHeaders) {
  WhipCorsPolicy none;
  HttpReply reply;
  AddCorsHeaders(reply, none, "https://studio.example", false);
  EXPECT_TRUE(reply.headers.empty());
  WhipCorsPolicy one{{"https://studio.example"}};
  AddCorsHeaders(reply, one, "https://evil.example", true);
  EXPECT_TRUE(reply.headers.empty());
  AddCorsHeaders(reply, one, "", true);
  EXPECT_TRUE(reply.headers.empty());
  HttpReply preflight;
  AddCorsHeaders(preflight, one, "https://studio.example", true);
  EXPECT_EQ(Header(preflight, "Access-Control-Allow-Origin"), "https://studio.example");
  EXPECT_EQ(Header(preflight, "Access-Control-Allow-Methods"), "POST, DELETE, OPTIONS");
  EXPECT_EQ(Header(preflight, "Access-Control-Allow-Headers"), "Authorization, Content-Type");
  HttpReply created;
  AddCorsHeaders(created, one, "https://studio.example", false);
  EXPECT_EQ(Header(created, "Access-Control-Expose-Headers"), "Location");
}

// ---- a real signaling server and media worker on loopback

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace asio = boost::asio;

struct Response {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  std::string Get(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class WhipServerTest : public ::testing::Test {
 protected:
  void StartServer(SignalingConfig config = {}, RoomRules rules = {}) {
    rules_ = std::make_unique<FixedRules>(rules);
    config.address = asio::ip::make_address("127.0.0.1");
    config.port = 0;
    server_ = std::make_unique<SignalingServer>(io_, config, nullptr, Secret());
    server_->SetRoomRules(rules_.get());
    SeededRandom rng(7);
    MediaWorkerConfig worker_config;
    worker_config.bind_address = asio::ip::make_address("127.0.0.1");
    worker_config.port = 0;
    worker_config.dtls_context = dtls::DtlsContext::Create(dtls::Certificate::Generate(
        rng, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())));
    worker_ = std::make_unique<MediaWorker>(0, worker_config, *server_);
    server_->AddWorker(worker_.get());
    std::string error;
    ASSERT_TRUE(worker_->Start(error)) << error;
    ASSERT_TRUE(server_->Start(error)) << error;
    port_ = server_->port();
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (!server_) return;
    asio::post(io_, [this] { server_->Stop(); });
    worker_->Stop();
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  size_t WhipSessions() {
    std::promise<size_t> count;
    asio::post(io_, [&] { count.set_value(server_->whip_sessions()); });
    return count.get_future().get();
  }
  size_t Connections() {
    std::promise<size_t> count;
    asio::post(io_, [&] { count.set_value(server_->connection_table().total()); });
    return count.get_future().get();
  }
  // The server releases a closed request's slot a moment after the client read the answer.
  bool WaitConnections(size_t n) {
    for (int i = 0; i < 200; ++i) {
      if (Connections() == n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }

  Response Request(bhttp::verb method, const std::string& target, const std::string& authorization = "",
                   const std::string& body = "", const std::string& content_type = "application/sdp",
                   const std::string& origin = "") {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port_});
    bhttp::request<bhttp::string_body> request{method, target, 11};
    request.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port_));
    if (!authorization.empty()) request.set(bhttp::field::authorization, authorization);
    if (!origin.empty()) request.set(bhttp::field::origin, origin);
    if (!body.empty()) {
      request.set(bhttp::field::content_type, content_type);
      request.body() = body;
    }
    request.keep_alive(false);
    request.prepare_payload();
    bhttp::write(socket, request);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> response;
    bhttp::read(socket, buffer, response);
    Response out{static_cast<int>(response.result_int()), response.body(), {}};
    for (const auto& field : response) out.headers[std::string(field.name_string())] = std::string(field.value());
    return out;
  }

  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{io_.get_executor()};
  std::unique_ptr<FixedRules> rules_;
  std::unique_ptr<SignalingServer> server_;
  std::unique_ptr<MediaWorker> worker_;
  std::thread thread_;
  uint16_t port_ = 0;
};

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string LiveBearer(std::string identity = "obs", const auth::ApiSecret& secret = Secret()) {
  return "Bearer " + Mint(Claims("studio", std::move(identity), Now()), secret);
}

TEST_F(WhipServerTest, PostAnswers201WithTheAnswerAndLocationPatchIs405DeleteNeedsTheSameToken) {
  StartServer();
  const std::string bearer = LiveBearer();
  auto created = Request(bhttp::verb::post, "/whip/studio", bearer, sdp::testing::kChromiumOffer);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Get("Content-Type"), "application/sdp");
  const std::string location = created.Get("Location");
  ASSERT_TRUE(location.starts_with("/whip/studio/")) << location;
  EXPECT_TRUE(created.body.starts_with("v=0\r\n")) << created.body;
  EXPECT_NE(created.body.find("a=ice-lite"), std::string::npos);
  EXPECT_NE(created.body.find("a=fingerprint:sha-256 "), std::string::npos);
  EXPECT_TRUE(created.Get("Access-Control-Allow-Origin").empty());  // no CORS unless configured
  EXPECT_EQ(WhipSessions(), 1u);

  auto patch = Request(bhttp::verb::patch, location, bearer, "a=ice-ufrag:x\r\n", "application/trickle-ice-sdpfrag");
  EXPECT_EQ(patch.status, 405);
  EXPECT_EQ(patch.Get("Allow"), "DELETE, OPTIONS");
  EXPECT_EQ(Request(bhttp::verb::post, location, bearer, sdp::testing::kChromiumOffer).status, 405);

  auto no_token = Request(bhttp::verb::delete_, location);
  EXPECT_EQ(no_token.status, 401);
  EXPECT_EQ(no_token.Get("WWW-Authenticate"), "Bearer");
  // Another valid token of the same room is not the session's.
  EXPECT_EQ(Request(bhttp::verb::delete_, location, LiveBearer("someone-else")).status, 401);
  EXPECT_EQ(Request(bhttp::verb::delete_, "/whip/other/" + location.substr(13), bearer).status, 404);
  EXPECT_EQ(WhipSessions(), 1u);

  EXPECT_EQ(Request(bhttp::verb::delete_, location, bearer).status, 200);
  EXPECT_EQ(WhipSessions(), 0u);
  EXPECT_EQ(Request(bhttp::verb::delete_, location, bearer).status, 404);
}

TEST_F(WhipServerTest, RefusedPostsCreateNothing) {
  StartServer();
  auto missing = Request(bhttp::verb::post, "/whip/studio", "", sdp::testing::kChromiumOffer);
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.Get("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(Request(bhttp::verb::post, "/whip/studio", LiveBearer("obs", OtherSecret()), sdp::testing::kChromiumOffer)
                .status,
            401);
  EXPECT_EQ(Request(bhttp::verb::post, "/whip/other", LiveBearer(), sdp::testing::kChromiumOffer).status, 401);
  // An offer the publisher policy refuses: the participant is removed again.
  auto bad = Request(bhttp::verb::post, "/whip/studio", LiveBearer(), "v=0\r\n");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(Request(bhttp::verb::get, "/whip/studio").status, 405);
  auto options = Request(bhttp::verb::options, "/whip/studio");
  EXPECT_EQ(options.status, 204);
  EXPECT_EQ(options.Get("Allow"), "POST, OPTIONS");
  EXPECT_TRUE(options.Get("Access-Control-Allow-Origin").empty());
  // A page of another site, not configured for CORS.
  EXPECT_EQ(Request(bhttp::verb::post, "/whip/studio", LiveBearer(), sdp::testing::kChromiumOffer,
                    "application/sdp", "https://evil.example")
                .status,
            403);
  EXPECT_EQ(WhipSessions(), 0u);
}

TEST_F(WhipServerTest, AnE2eeRequiredRoomRefusesWhipWithAClearError) {
  StartServer({}, RoomRules{.e2ee_required = true});
  auto refused = Request(bhttp::verb::post, "/whip/studio", LiveBearer(), sdp::testing::kChromiumOffer);
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("requires end-to-end encryption"), std::string::npos) << refused.body;
  EXPECT_EQ(WhipSessions(), 0u);
}

TEST_F(WhipServerTest, ConfiguredOriginsGetCorsOnPreflightAndPost) {
  SignalingConfig config;
  config.whip_cors.allowed_origins = {"https://studio.example"};
  StartServer(config);
  auto preflight = Request(bhttp::verb::options, "/whip/studio", "", "", "", "https://studio.example");
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.Get("Access-Control-Allow-Origin"), "https://studio.example");
  EXPECT_EQ(preflight.Get("Access-Control-Allow-Methods"), "POST, DELETE, OPTIONS");
  auto created = Request(bhttp::verb::post, "/whip/studio", LiveBearer(), sdp::testing::kChromiumOffer,
                         "application/sdp", "https://studio.example");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Get("Access-Control-Allow-Origin"), "https://studio.example");
  EXPECT_EQ(created.Get("Access-Control-Expose-Headers"), "Location");
}

TEST_F(WhipServerTest, SessionsHoldConnectionSlotsOfTheirAddress) {
  SignalingConfig config;
  config.max_connections_per_address = 3;
  StartServer(config);
  // Each request's own connection takes a slot while it is answered.
  EXPECT_EQ(Request(bhttp::verb::post, "/whip/studio", LiveBearer("a"), sdp::testing::kChromiumOffer).status, 201);
  ASSERT_TRUE(WaitConnections(1));
  EXPECT_EQ(Request(bhttp::verb::post, "/whip/studio", LiveBearer("b"), sdp::testing::kChromiumOffer).status, 201);
  ASSERT_TRUE(WaitConnections(2));
  auto full = Request(bhttp::verb::post, "/whip/studio", LiveBearer("c"), sdp::testing::kChromiumOffer);
  EXPECT_EQ(full.status, 503) << full.body;
  EXPECT_EQ(WhipSessions(), 2u);
  EXPECT_TRUE(WaitConnections(2));  // the two sessions; the requests' connections are closed
}

TEST_F(WhipServerTest, AnOversizedOfferIs413AndAFullRoomIs503) {
  StartServer({}, RoomRules{.max_participants = 1});
  const std::string big = std::string(sdp::testing::kChromiumOffer) + std::string(signaling::kMaxSdpSize, 'x');
  EXPECT_EQ(Request(bhttp::verb::post, "/whip/studio", LiveBearer(), big).status, 413);
  // Far more is not read at all: the connection is dropped.
  EXPECT_ANY_THROW(Request(bhttp::verb::post, "/whip/studio", LiveBearer(), std::string(4 * signaling::kMaxSdpSize, 'x')));
  ASSERT_EQ(Request(bhttp::verb::post, "/whip/studio", LiveBearer("a"), sdp::testing::kChromiumOffer).status, 201);
  auto full = Request(bhttp::verb::post, "/whip/studio", LiveBearer("b"), sdp::testing::kChromiumOffer);
  EXPECT_EQ(full.status, 503) << full.body;
  EXPECT_NE(full.body.find("full"), std::string::npos) << full.body;
  for (int i = 0; i < 100 && WhipSessions() != 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(WhipSessions(), 1u);
}

TEST_F(WhipServerTest, TheSessionEndsWhenItsTokenExpires) {
  SignalingConfig config;
  config.gate.token_leeway_s = 0;
  StartServer(config);
  auto claims = Claims("studio", "obs", Now());
  claims.expires_at = Now() + 2;
  auto created = Request(bhttp::verb::post, "/whip/studio", "Bearer " + Mint(claims), sdp::testing::kChromiumOffer);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(WhipSessions(), 1u);
  for (int i = 0; i < 500 && WhipSessions() != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(WhipSessions(), 0u);
  EXPECT_TRUE(WaitConnections(0));  // its slot is free again
}

TEST_F(WhipServerTest, TheSameIdentityReplacesItsOlderSession) {
  StartServer();
  auto first = Request(bhttp::verb::post, "/whip/studio", LiveBearer(), sdp::testing::kChromiumOffer);
  ASSERT_EQ(first.status, 201);
  auto second = Request(bhttp::verb::post, "/whip/studio", LiveBearer(), sdp::testing::kChromiumOffer);
  ASSERT_EQ(second.status, 201);
  for (int i = 0; i < 100 && WhipSessions() != 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(WhipSessions(), 1u);
}

// A browser's offer turned into a WHEP viewer's: every section recvonly, no SSRCs.
std::string RecvOnly(std::string sdp) {
  std::string out;
  size_t start = 0;
  while (start < sdp.size()) {
    size_t end = sdp.find('\n', start);
    end = end == std::string::npos ? sdp.size() : end + 1;
    std::string line = sdp.substr(start, end - start);
    start = end;
    if (line.starts_with("a=ssrc") || line.starts_with("a=msid")) continue;
    if (line.starts_with("a=sendrecv") || line.starts_with("a=sendonly")) line = "a=recvonly\r\n";
    out += line;
  }
  return out;
}

auth::Claims ViewerClaims() {
  auto viewer = Claims("studio", "viewer", Now());
  viewer.grants = {.publish = false, .subscribe = true, .room_admin = false};
  return viewer;
}

TEST_F(WhipServerTest, WhepAnswers201WithSendonlySectionsPatchIs405DeleteEndsIt) {
  StartServer();
  const std::string bearer = "Bearer " + Mint(ViewerClaims());
  auto created = Request(bhttp::verb::post, "/whep/studio", bearer, RecvOnly(sdp::testing::kChromiumOffer));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Get("Content-Type"), "application/sdp");
  const std::string location = created.Get("Location");
  ASSERT_TRUE(location.starts_with("/whep/studio/")) << location;
  EXPECT_NE(created.body.find("a=sendonly"), std::string::npos) << created.body;
  EXPECT_EQ(created.body.find("a=recvonly"), std::string::npos) << created.body;
  EXPECT_NE(created.body.find("a=ice-lite"), std::string::npos);
  EXPECT_EQ(WhipSessions(), 1u);

  auto patch = Request(bhttp::verb::patch, location, bearer, "a=x\r\n", "application/trickle-ice-sdpfrag");
  EXPECT_EQ(patch.status, 405);
  EXPECT_EQ(patch.Get("Allow"), "DELETE, OPTIONS");
  // A WHEP session is not a WHIP one.
  EXPECT_EQ(Request(bhttp::verb::delete_, "/whip/studio/" + location.substr(13), bearer).status, 404);
  EXPECT_EQ(Request(bhttp::verb::delete_, location, "Bearer " + Mint(Claims("studio", "other", Now()))).status, 401);
  EXPECT_EQ(Request(bhttp::verb::delete_, location, bearer).status, 200);
  EXPECT_EQ(WhipSessions(), 0u);
  EXPECT_EQ(Request(bhttp::verb::delete_, location, bearer).status, 404);
}

TEST_F(WhipServerTest, WhepRefusesBadTokensAPublishOnlyTokenAndAnOfferThatSends) {
  StartServer();
  const std::string offer = RecvOnly(sdp::testing::kChromiumOffer);
  auto missing = Request(bhttp::verb::post, "/whep/studio", "", offer);
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.Get("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(Request(bhttp::verb::post, "/whep/studio", LiveBearer("v", OtherSecret()), offer).status, 401);
  auto publisher_only = Claims("studio", "obs", Now());
  publisher_only.grants.subscribe = false;
  EXPECT_EQ(Request(bhttp::verb::post, "/whep/studio", "Bearer " + Mint(publisher_only), offer).status, 403);
  // The viewer receives only: a section that would send is refused.
  auto sends = Request(bhttp::verb::post, "/whep/studio", "Bearer " + Mint(ViewerClaims()),
                       sdp::testing::kChromiumOffer);
  EXPECT_EQ(sends.status, 400) << sends.body;
  EXPECT_NE(sends.body.find("recvonly"), std::string::npos) << sends.body;
  EXPECT_EQ(Request(bhttp::verb::get, "/whep/studio").status, 405);
  auto options = Request(bhttp::verb::options, "/whep/studio");
  EXPECT_EQ(options.status, 204);
  EXPECT_EQ(options.Get("Allow"), "POST, OPTIONS");
  EXPECT_EQ(Request(bhttp::verb::post, "/whep/studio", "Bearer " + Mint(ViewerClaims()), offer, "application/sdp",
                    "https://evil.example")
                .status,
            403);
  EXPECT_EQ(WhipSessions(), 0u);
}

TEST_F(WhipServerTest, AnE2eeRequiredRoomRefusesWhepWithAClearError) {
  StartServer({}, RoomRules{.e2ee_required = true});
  auto viewer = Claims("studio", "viewer", Now());
  viewer.grants = {.publish = false, .subscribe = true, .room_admin = false};
  auto refused = Request(bhttp::verb::post, "/whep/studio", "Bearer " + Mint(viewer), sdp::testing::kChromiumOffer);
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("which WHEP cannot do"), std::string::npos) << refused.body;
}

}  // namespace
}  // namespace aegis::server
