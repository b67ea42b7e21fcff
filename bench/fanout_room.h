// A room of real participants around one in-process Conference, in
// simulated time, for measuring the forwarding path without sockets: one
// publisher (client::Client) and N receive-only subscribers, all joined and
// connected over DTLS-SRTP exactly as on the wire. Then the publisher's
// SRTP-protected video packets are recorded once, and each benchmark
// iteration hands one of them to Conference::HandleDatagram, which
// unprotects, routes, rewrites and protects one copy per subscriber.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/random.h"
#include "base/time.h"
#include "client/client.h"
#include "server/conference.h"

namespace aegis::bench {

class FanoutRoom {
 public:
  // Joins and connects everyone; `error` says what did not come up.
  static std::unique_ptr<FanoutRoom> Create(size_t subscribers, std::string& error);
  ~FanoutRoom();

  // `count` protected video packets of `payload_size` bytes from the
  // publisher, in sequence (a fresh SRTP index each: no replay drop).
  std::vector<std::vector<uint8_t>> RecordVideo(size_t count, size_t payload_size);

  // One datagram from the publisher through the server. `scratch` is the
  // receive buffer (SRTP is removed in place, so a copy per call).
  void Forward(const std::vector<uint8_t>& packet, std::vector<uint8_t>& scratch);

  // What the Conference sent since the last call (datagrams, bytes).
  uint64_t TakeSentDatagrams();
  const server::ConferenceStats& stats() const;

 private:
  class Output;
  struct Peer;
  FanoutRoom();
  bool Connect(std::string& error);
  void Step();

  SeededRandom server_rng_{11};
  SeededRandom client_rng_{12};
  Timestamp now_ = Timestamp::Millis(1'000'000);
  std::unique_ptr<Output> output_;
  std::unique_ptr<server::Conference> conference_;
  std::vector<std::unique_ptr<Peer>> peers_;  // [0] publishes
  bool measuring_ = false;
};

}  // namespace aegis::bench
