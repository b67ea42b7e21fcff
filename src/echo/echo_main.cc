// aegis-echo: a WebRTC echo endpoint for interop tests and for trying the
// transport by hand. A peer POSTs an SDP offer to /whip (the RFC 9725
// shape), gets the answer, connects over ICE-lite + DTLS-SRTP, and receives
// back its own audio, video and data-channel messages.
//
//   aegis-echo [--ip 127.0.0.1] [--http-port 8080] [--udp-port 40000] [--web-dir DIR]
//
// One thread: HTTP, UDP and timers run on one Boost.Asio io_context.
#include <utility>  // Boost 1.74 asio/awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "crypto/secure_random.h"
#include "dtls/certificate.h"
#include "echo/echo_server.h"

namespace {

struct Options {
  std::string ip = "127.0.0.1";
  uint16_t http_port = 8080;
  uint16_t udp_port = 40000;
  std::string web_dir;
};

bool ParseOptions(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (arg == "--ip" && (v = next())) {
      o.ip = v;
    } else if (arg == "--http-port" && (v = next())) {
      o.http_port = static_cast<uint16_t>(std::atoi(v));
    } else if (arg == "--udp-port" && (v = next())) {
      o.udp_port = static_cast<uint16_t>(std::atoi(v));
    } else if (arg == "--web-dir" && (v = next())) {
      o.web_dir = v;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseOptions(argc, argv, options)) {
    std::fprintf(stderr, "usage: aegis-echo [--ip IP] [--http-port N] [--udp-port N] [--web-dir DIR]\n");
    return 2;
  }
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(options.ip, ec);
  if (ec) {
    std::fprintf(stderr, "aegis-echo: bad --ip %s\n", options.ip.c_str());
    return 2;
  }
  if (!address.is_loopback()) {
    // The echo program serves plain HTTP: it is a test tool, not the server.
    std::fprintf(stderr, "aegis-echo: refusing to listen on non-loopback address %s\n", options.ip.c_str());
    return 2;
  }
  boost::asio::io_context io;
  aegis::echo::EchoServer server(io, address, options.http_port, options.udp_port, options.web_dir);
  if (!server.Start()) return 1;
  std::printf("aegis-echo: listening http://%s:%u/ (WHIP at /whip), media udp %s:%u\n", options.ip.c_str(),
              server.http_port(), options.ip.c_str(), server.udp_port());
  std::fflush(stdout);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    server.Stop();
    io.stop();
  });
  io.run();
  return 0;
}
