// Uses each installed part once, the way a bot starts: a DTLS certificate,
// a Client with its join message and publisher offer, a WebSocket URL, and
// one VP8 frame of the synthetic camera cut into RTP payloads. Prints what
// it made and exits 1 on the first thing that is not as it must be.
#include <chrono>
#include <cstdio>
#include <string>

#include "client/client.h"
#include "client/ws_channel.h"
#include "crypto/secure_random.h"
#include "dtls/certificate.h"
#include "media/test_pattern.h"
#include "media/vp8_encoder.h"
#include "media/vp8_packetizer.h"

namespace {

int failures = 0;

void Check(bool ok, const char* what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) ++failures;
}

}  // namespace

int main() {
  aegis::crypto::SecureRandom rng;
  auto cert = aegis::dtls::Certificate::Generate(
      rng, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  Check(cert != nullptr, "DTLS certificate generated");
  if (cert == nullptr) return 1;

  aegis::client::ClientConfig config;
  config.room = "lobby";
  config.token = "not-a-real-token";
  config.dtls_context = aegis::dtls::DtlsContext::Create(cert);
  config.rng = &rng;
  aegis::client::Client client(std::move(config));
  std::string join = client.Start();
  Check(join.find("\"join\"") != std::string::npos && join.find("\"lobby\"") != std::string::npos,
        "join message names the room");
  Check(client.state() == aegis::client::ClientState::kJoining, "client is joining");
  std::string offer = client.PublisherOffer();
  Check(offer.find("a=fingerprint:sha-256 ") != std::string::npos, "publisher offer carries the fingerprint");
  Check(offer.find("a=rtpmap:96 VP8/90000") != std::string::npos, "publisher offer has VP8");

  auto url = aegis::client::WsUrl::Parse("wss://example.test:8443/ws");
  Check(url && url->tls && url->port == "8443", "wss:// URL parsed");

  auto encoder = aegis::media::Vp8Encoder::Create({.width = 320, .height = 240, .fps = 30});
  Check(encoder.ok(), "VP8 encoder created");
  if (!encoder.ok()) return 1;
  aegis::media::TestPatternVideo camera(320, 240);
  auto frame = encoder.value()->Encode(camera.Render(0));
  Check(frame.ok() && frame.value().keyframe, "first frame is a keyframe");
  if (!frame.ok()) return 1;
  auto payloads = aegis::media::PacketizeVp8(frame.value().data);
  Check(!payloads.empty(), "keyframe packetized");
  std::printf("join %zu bytes, offer %zu bytes, keyframe %zu bytes in %zu RTP payloads\n", join.size(),
              offer.size(), frame.value().data.size(), payloads.size());
  return failures == 0 ? 0 : 1;
}
