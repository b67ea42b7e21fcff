#include "transport/simulated_network.h"

namespace aegis::transport::testing {

double SimulatedNetwork::Uniform() { return static_cast<double>(rng_.U32()) / 4294967296.0; }

void SimulatedNetwork::Send(const stun::TransportAddress& from, const stun::TransportAddress& to,
                            std::vector<uint8_t> bytes, Timestamp now) {
  ++sent_;
  if (Uniform() < conditions_.loss) {
    ++dropped_;
    return;
  }
  int copies = Uniform() < conditions_.duplicate ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    auto jitter = TimeDelta::Micros(static_cast<int64_t>(Uniform() * static_cast<double>(conditions_.jitter.us())));
    queue_.emplace(now + conditions_.delay + jitter, InFlight{from, to, bytes});
  }
}

std::optional<Timestamp> SimulatedNetwork::NextDelivery() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.begin()->first;
}

std::optional<InFlight> SimulatedNetwork::Deliver(Timestamp now) {
  if (queue_.empty() || queue_.begin()->first > now) return std::nullopt;
  InFlight d = std::move(queue_.begin()->second);
  queue_.erase(queue_.begin());
  return d;
}

}  // namespace aegis::transport::testing
