// The echo program's I/O shell: one UDP socket for every peer's media, an
// HTTP listener for the WHIP exchange and static test pages, and a timer
// that drives the sans-IO sessions.
#pragma once

#include <utility>  // Boost 1.74 asio/awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "base/time.h"
#include "crypto/secure_random.h"
#include "echo/echo_session.h"
#include "sctp/sctp_stack.h"

namespace aegis::echo {

class EchoServer {
 public:
  EchoServer(boost::asio::io_context& io, boost::asio::ip::address address, uint16_t http_port, uint16_t udp_port,
             std::string web_dir);
  ~EchoServer();

  bool Start();
  void Stop();
  uint16_t http_port() const;
  uint16_t udp_port() const;

  // The HTTP handlers (called by the connection objects in echo_server.cc).
  // Returns status, content type and body; `location` is set on 201.
  struct HttpResult {
    int status = 404;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::string location;
  };
  HttpResult HandleWhipOffer(const std::string& sdp_offer);
  HttpResult HandleWhipDelete(const std::string& id);
  HttpResult HandleStatic(const std::string& path) const;

 private:
  using AddressKey = std::tuple<uint8_t, std::array<uint8_t, 16>, uint16_t>;
  static AddressKey Key(const stun::TransportAddress& a) {
    return {static_cast<uint8_t>(a.family), a.bytes, a.port};
  }
  void ReceiveNext();
  void OnDatagram(size_t size);
  EchoSession* FindSession(std::span<const uint8_t> datagram, const stun::TransportAddress& from);
  void Flush(EchoSession& session);
  void ArmTimer();
  void OnTick();
  void AcceptNext();
  void RemoveSession(const std::string& id);
  struct Entry;
  void Report(const std::string& id, Entry& entry);

  boost::asio::io_context& io_;
  boost::asio::ip::address address_;
  boost::asio::ip::udp::socket udp_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer timer_;
  uint16_t http_port_;
  uint16_t udp_port_;
  std::string web_dir_;

  SystemClock clock_;
  crypto::SecureRandom rng_;
  std::shared_ptr<const dtls::DtlsContext> dtls_context_;
  std::unique_ptr<sctp::SctpStack> sctp_stack_;

  struct Entry {
    std::unique_ptr<EchoSession> session;
    std::string ufrag;
    bool reported_connected = false;
    int routed_addresses = 0;
  };
  std::map<std::string, Entry> sessions_;                // by WHIP resource id
  std::map<std::string, std::string> id_by_ufrag_;       // local ICE ufrag -> id
  std::map<AddressKey, std::string> id_by_address_;      // authenticated source -> id

  std::array<uint8_t, 2048> rx_buffer_{};
  boost::asio::ip::udp::endpoint rx_from_;
};

}  // namespace aegis::echo
