// An in-memory network for engine tests: datagrams between addresses with
// delay, loss, duplication and reordering drawn from a seeded generator, so
// every run of a test sees the same network (str0m/dcsctp style).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "base/random.h"
#include "base/time.h"
#include "stun/transport_address.h"

namespace aegis::transport::testing {

struct NetworkConditions {
  double loss = 0.0;         // probability a datagram is dropped
  double duplicate = 0.0;    // probability it is delivered twice
  TimeDelta delay = TimeDelta::Millis(10);
  TimeDelta jitter = TimeDelta::Millis(0);  // uniform extra delay: reorders
};

struct InFlight {
  stun::TransportAddress from;
  stun::TransportAddress to;
  std::vector<uint8_t> bytes;
};

class SimulatedNetwork {
 public:
  explicit SimulatedNetwork(uint64_t seed) : rng_(seed) {}

  void set_conditions(const NetworkConditions& c) { conditions_ = c; }
  void Send(const stun::TransportAddress& from, const stun::TransportAddress& to, std::vector<uint8_t> bytes,
            Timestamp now);
  std::optional<Timestamp> NextDelivery() const;
  // The next datagram due at or before `now`, if any.
  std::optional<InFlight> Deliver(Timestamp now);

  uint64_t sent() const { return sent_; }
  uint64_t dropped() const { return dropped_; }

 private:
  double Uniform();
  SeededRandom rng_;
  NetworkConditions conditions_;
  std::multimap<Timestamp, InFlight> queue_;
  uint64_t sent_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace aegis::transport::testing
