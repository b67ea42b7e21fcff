// The Janus target's sans-IO parts: the API's URL and reply parsing, and
// JanusPeer's request sequence against scripted Janus replies (shaped like
// Janus 1.1.2's, see bench/janus/), down to the client starting its ICE
// checks toward the candidate Janus's SDP names.
#include <gtest/gtest.h>

#include "base/random.h"
#include "dtls/certificate.h"
#include "load/janus_api.h"
#include "load/janus_peer.h"

namespace aegis::load {
namespace {

using nlohmann::json;

TEST(JanusUrlTest, ParsesHostPortAndPath) {
  auto u = janus::JanusUrl::Parse("http://10.78.0.1:8088/janus");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "10.78.0.1");
  EXPECT_EQ(u->port, "8088");
  EXPECT_EQ(u->path, "/janus");
  auto d = janus::JanusUrl::Parse("http://example.test/janus/");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->port, "80");
  EXPECT_EQ(d->path, "/janus");
  for (const char* bad :
       {"https://h:8089/janus", "http://h:8088", "http://h:8088/", "http://h:0/janus", "http://h:99999/janus",
        "http://:8088/janus", "http://h:80x/janus", "ws://h/janus", "http://[::1]:8088/janus"}) {
    EXPECT_FALSE(janus::JanusUrl::Parse(bad)) << bad;
  }
}

TEST(JanusApiTest, ParsesRepliesAndLongPollEvents) {
  auto created = janus::ParseBody(R"({"janus":"success","transaction":"t1","data":{"id":2544350799990308}})");
  ASSERT_TRUE(created);
  EXPECT_FALSE(created->array);
  EXPECT_EQ(created->messages[0].janus, "success");
  EXPECT_EQ(created->messages[0].transaction, "t1");
  EXPECT_EQ(created->messages[0].data_id, 2544350799990308u);

  auto error =
      janus::ParseBody(R"({"janus":"error","transaction":"t2","error":{"code":458,"reason":"No such session"}})");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->messages[0].error_code, 458);
  EXPECT_EQ(error->messages[0].error_reason, "No such session");

  auto events = janus::ParseBody(R"([{"janus":"event","sender":7,"transaction":"t3",
      "plugindata":{"plugin":"janus.plugin.videoroom","data":{"videoroom":"event","error_code":426,"error":"No such room"}}},
      {"janus":"hangup","sender":7,"reason":"DTLS alert"},
      {"janus":"event","sender":8,"plugindata":{"data":{"videoroom":"attached"}},"jsep":{"type":"offer","sdp":"v=0"}}])");
  ASSERT_TRUE(events);
  EXPECT_TRUE(events->array);
  ASSERT_EQ(events->messages.size(), 3u);
  EXPECT_EQ(events->messages[0].sender, 7u);
  EXPECT_EQ(events->messages[0].error_code, 426);
  EXPECT_EQ(events->messages[0].error_reason, "No such room");
  EXPECT_EQ(events->messages[1].reason, "DTLS alert");
  ASSERT_TRUE(events->messages[2].jsep);
  EXPECT_EQ(events->messages[2].jsep->type, "offer");
  EXPECT_EQ(events->messages[2].plugin_data["videoroom"], "attached");

  EXPECT_FALSE(janus::ParseBody("not json"));
  EXPECT_FALSE(janus::ParseBody(R"({"transaction":"t"})"));  // no janus type
  EXPECT_FALSE(janus::ParseBody(R"([{"janus":"keepalive"}, 3])"));
  EXPECT_FALSE(janus::ParseBody(""));
}

TEST(JanusApiTest, MessageCarriesJsepWithoutTrickle) {
  auto j = json::parse(janus::MessageRequest("t9", {{"request", "start"}}, janus::Jsep{"answer", "v=0\r\n"}));
  EXPECT_EQ(j["janus"], "message");
  EXPECT_EQ(j["transaction"], "t9");
  EXPECT_EQ(j["body"]["request"], "start");
  EXPECT_EQ(j["jsep"]["type"], "answer");
  EXPECT_EQ(j["jsep"]["trickle"], false);
  EXPECT_FALSE(json::parse(janus::MessageRequest("t", {{"request", "join"}})).contains("jsep"));
}

// Janus's SDP (as 1.1.2 writes it): fingerprint at session level, ICE-lite,
// one host candidate, two bundled sections.
std::string JanusSdp(const std::string& direction, bool with_ssrcs) {
  std::string fp = "sha-256 ";
  for (int i = 0; i < 32; ++i) fp += i ? ":AB" : "AB";
  std::string sdp =
      "v=0\r\no=- 1 2 IN IP4 10.78.0.1\r\ns=VideoRoom 1\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
      "a=ice-options:trickle\r\na=fingerprint:" +
      fp +
      "\r\na=extmap-allow-mixed\r\n"
      "a=msid-semantic: WMS *\r\na=ice-lite\r\n";
  const char* kinds[] = {"audio 9 UDP/TLS/RTP/SAVPF 111", "video 9 UDP/TLS/RTP/SAVPF 96"};
  for (int i = 0; i < 2; ++i) {
    sdp += std::string("m=") + kinds[i] + "\r\nc=IN IP4 10.78.0.1\r\na=" + direction +
           "\r\na=mid:" + std::to_string(i) +
           "\r\na=rtcp-mux\r\na=ice-ufrag:4xDX\r\na=ice-pwd:Kbojux7djFzttNWyYt0r+C\r\n"
           "a=ice-options:trickle\r\na=setup:" +
           (direction == "sendonly" ? "actpass" : "passive") + "\r\n" +
           (i == 0 ? "a=rtpmap:111 opus/48000/2\r\n" : "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack pli\r\n");
    if (with_ssrcs && i == 1) sdp += "a=ssrc-group:FID 1001 2001\r\na=ssrc:2001 cname:janus\r\n";
    if (i == 1) sdp += "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n";
    if (with_ssrcs)
      sdp += "a=msid:janus janus" + std::to_string(i) + "\r\na=ssrc:" + std::to_string(1000 + i) + " cname:janus\r\n";
    sdp += "a=candidate:1 1 udp 2015363327 10.78.0.1 28891 typ host\r\na=end-of-candidates\r\n";
  }
  return sdp;
}

class JanusPeerTest : public ::testing::Test {
 protected:
  std::unique_ptr<JanusPeer> Make(PeerRole role) {
    return std::make_unique<JanusPeer>(PeerSpec{0, "r", "peer-0", role}, JanusPeerConfig{"/janus", 7, context_, &rng_});
  }
  // The next request; fails the test if there is none.
  SignalMessage Next(JanusPeer& peer) {
    auto m = peer.PollSignal();
    EXPECT_TRUE(m.has_value());
    return m ? *m : SignalMessage{};
  }
  static std::string Transaction(const SignalMessage& m) { return json::parse(m.body).value("transaction", ""); }
  static std::string Reply(const SignalMessage& m, const std::string& janus, uint64_t id = 0) {
    json j{{"janus", janus}, {"transaction", Transaction(m)}};
    if (id) j["data"] = {{"id", id}};
    return j.dump();
  }
  static std::string Event(uint64_t sender, json data, const std::optional<janus::Jsep>& jsep = std::nullopt) {
    json e{
        {"janus", "event"}, {"sender", sender}, {"plugindata", {{"plugin", "janus.plugin.videoroom"}, {"data", data}}}};
    if (jsep) e["jsep"] = {{"type", jsep->type}, {"sdp", jsep->sdp}};
    return json::array({e}).dump();
  }
  // create (session 11) and the first attach (handle `main`).
  void Open(JanusPeer& peer, uint64_t main) {
    peer.Start(now_);
    SignalMessage create = Next(peer);
    EXPECT_EQ(create.method, "POST");
    EXPECT_EQ(create.path, "/janus");
    EXPECT_EQ(json::parse(create.body)["janus"], "create");
    peer.HandleSignal(Reply(create, "success", 11), 200, now_);
    SignalMessage attach = Next(peer);
    EXPECT_EQ(attach.path, "/janus/11");
    EXPECT_EQ(json::parse(attach.body)["plugin"], "janus.plugin.videoroom");
    peer.HandleSignal(Reply(attach, "success", main), 200, now_);
  }

  SeededRandom rng_{5};
  std::shared_ptr<const dtls::DtlsContext> context_ = dtls::DtlsContext::Create(
      dtls::Certificate::Generate(rng_, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())));
  Timestamp now_ = Timestamp::Millis(1'000'000);
};

TEST_F(JanusPeerTest, PublisherJoinsWithItsOfferAndStartsIceTowardJanus) {
  auto peer = Make(PeerRole::kPublisher);
  EXPECT_EQ(peer->signaling_kind(), SignalingKind::kHttp);
  Open(*peer, 22);
  SignalMessage join = Next(*peer);
  EXPECT_EQ(join.path, "/janus/11/22");
  json j = json::parse(join.body);
  EXPECT_EQ(j["body"]["request"], "joinandconfigure");
  EXPECT_EQ(j["body"]["ptype"], "publisher");
  EXPECT_EQ(j["body"]["room"], 7);
  EXPECT_EQ(j["jsep"]["type"], "offer");
  const std::string offer = j["jsep"]["sdp"];
  EXPECT_NE(offer.find("m=audio"), std::string::npos);
  EXPECT_NE(offer.find("m=video"), std::string::npos);
  EXPECT_FALSE(peer->PollSignal());  // no long poll before the join is acknowledged
  peer->HandleSignal(Reply(join, "ack"), 200, now_);
  SignalMessage poll = Next(*peer);
  EXPECT_EQ(poll.method, "GET");
  EXPECT_EQ(poll.path, "/janus/11?maxev=16");
  EXPECT_FALSE(peer->PollTransmit());
  EXPECT_FALSE(peer->stats().joined);

  peer->HandleSignal(Event(22, {{"videoroom", "joined"}, {"room", 7}, {"id", 555}, {"publishers", json::array()}},
                           janus::Jsep{"answer", JanusSdp("recvonly", true)}),
                     200, now_);
  EXPECT_TRUE(peer->stats().joined);
  EXPECT_FALSE(peer->stats().error) << *peer->stats().error;
  EXPECT_EQ(Next(*peer).method, "GET");  // the next long poll
  auto check = peer->PollTransmit();     // the controlling agent's first check
  ASSERT_TRUE(check);
  EXPECT_EQ(check->connection, 0u);
  EXPECT_EQ(check->to, *stun::TransportAddress::FromString("10.78.0.1", 28891));
  EXPECT_FALSE(peer->media_ready());
}

TEST_F(JanusPeerTest, SubscriberSubscribesToEveryFeedAndAnswersEachOffer) {
  auto peer = Make(PeerRole::kSubscriber);
  Open(*peer, 21);
  SignalMessage attach = Next(*peer);  // the subscription handle
  EXPECT_EQ(json::parse(attach.body)["janus"], "attach");
  peer->HandleSignal(Reply(attach, "success", 31), 200, now_);
  SignalMessage watch = Next(*peer);
  EXPECT_EQ(watch.path, "/janus/11/21");
  EXPECT_EQ(json::parse(watch.body)["body"]["ptype"], "publisher");
  EXPECT_FALSE(json::parse(watch.body).contains("jsep"));
  peer->HandleSignal(Reply(watch, "ack"), 200, now_);
  EXPECT_EQ(Next(*peer).method, "GET");

  // Two feeds, one of them Janus's dummy publisher (never subscribed to).
  peer->HandleSignal(
      Event(21, {{"videoroom", "joined"}, {"publishers", {{{"id", 100}}, {{"id", 101}, {"dummy", true}}}}}), 200, now_);
  SignalMessage join = Next(*peer);
  EXPECT_EQ(join.path, "/janus/11/31");
  json j = json::parse(join.body);
  EXPECT_EQ(j["body"]["request"], "join");
  EXPECT_EQ(j["body"]["ptype"], "subscriber");
  EXPECT_EQ(j["body"]["streams"], json::parse(R"([{"feed":100}])"));
  EXPECT_EQ(Next(*peer).method, "GET");  // requests first, then the long poll

  // A feed that appears while the subscription waits for its offer waits too.
  peer->HandleSignal(Event(21, {{"videoroom", "event"}, {"publishers", {{{"id", 102}}}}}), 200, now_);
  EXPECT_EQ(Next(*peer).method, "GET");
  EXPECT_FALSE(peer->PollSignal());

  peer->HandleSignal(Event(31, {{"videoroom", "attached"}}, janus::Jsep{"offer", JanusSdp("sendonly", true)}), 200,
                     now_);
  SignalMessage start = Next(*peer);
  json s = json::parse(start.body);
  EXPECT_EQ(s["body"]["request"], "start");
  EXPECT_EQ(s["jsep"]["type"], "answer");
  const std::string answer = s["jsep"]["sdp"];
  EXPECT_NE(answer.find("a=recvonly"), std::string::npos);
  EXPECT_NE(answer.find("a=setup:active"), std::string::npos);
  EXPECT_EQ(answer.find("a=ssrc"), std::string::npos);  // neither Janus's SSRCs nor its RTX group
  EXPECT_EQ(answer.find("a=extmap:"), std::string::npos);   // no header extension accepted
  SignalMessage more = Next(*peer);
  EXPECT_EQ(json::parse(more.body)["body"]["request"], "subscribe");
  EXPECT_EQ(json::parse(more.body)["body"]["streams"], json::parse(R"([{"feed":102}])"));
  EXPECT_EQ(Next(*peer).method, "GET");
  EXPECT_EQ(peer->subscribed_feeds(), (std::set<uint64_t>{100, 102}));
  ASSERT_TRUE(peer->PollTransmit());  // ICE toward Janus
  EXPECT_FALSE(peer->stats().error);

  // The renegotiation's offer is answered on the same transport.
  peer->HandleSignal(Event(31, {{"videoroom", "updated"}}, janus::Jsep{"offer", JanusSdp("sendonly", true)}), 200,
                     now_);
  EXPECT_EQ(json::parse(Next(*peer).body)["body"]["request"], "start");

  peer->HandleSignal(json::array({{{"janus", "hangup"}, {"sender", 31}, {"reason", "DTLS alert"}}}).dump(), 200, now_);
  ASSERT_TRUE(peer->stats().error);
  EXPECT_EQ(*peer->stats().error, "janus hangup: DTLS alert");
}

TEST_F(JanusPeerTest, FailuresEndThePeer) {
  auto refused = Make(PeerRole::kPublisher);
  Open(*refused, 22);
  SignalMessage join = Next(*refused);
  refused->HandleSignal(Reply(join, "ack"), 200, now_);
  refused->HandleSignal(Event(22, {{"videoroom", "event"}, {"error_code", 426}, {"error", "No such room (7)"}}), 200,
                        now_);
  ASSERT_TRUE(refused->stats().error);
  EXPECT_EQ(*refused->stats().error, "janus videoroom error 426 No such room (7)");

  auto http = Make(PeerRole::kSubscriber);
  http->Start(now_);
  http->HandleSignal("", 404, now_);
  ASSERT_TRUE(http->stats().error);
  EXPECT_EQ(*http->stats().error, "janus: HTTP status 404");
  EXPECT_FALSE(http->PollSignal());
}

TEST_F(JanusPeerTest, KeepaliveEvery25Seconds) {
  auto peer = Make(PeerRole::kPublisher);
  Open(*peer, 22);
  Next(*peer);  // the join
  ASSERT_TRUE(peer->NextTimeout());
  EXPECT_EQ(*peer->NextTimeout(), now_ + JanusPeer::kKeepaliveInterval);
  peer->HandleTimeout(now_ + JanusPeer::kKeepaliveInterval);
  SignalMessage keepalive = Next(*peer);
  EXPECT_EQ(keepalive.path, "/janus/11");
  EXPECT_EQ(json::parse(keepalive.body)["janus"], "keepalive");
  EXPECT_EQ(*peer->NextTimeout(), now_ + JanusPeer::kKeepaliveInterval + JanusPeer::kKeepaliveInterval);
}

}  // namespace
}  // namespace aegis::load
