// Fuzzes the ICE-lite agent with arbitrary STUN datagrams from a few source
// addresses, in simulated time. Nothing may crash, and only authenticated
// checks may ever select an address: the fuzzer cannot know the password, so
// selection must never happen.
#include <cstdint>
#include <cstdlib>

#include "ice/ice_lite_agent.h"

using namespace aegis;
using namespace aegis::ice;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  IceLiteAgent agent({"srvufrag", "server-password-0123456789abcdef"}, {"cliufrag", ""});
  Timestamp now = Timestamp::Millis(1000);
  // Input: [1-byte source selector][2-byte length][datagram]...
  size_t pos = 0;
  while (pos + 3 <= size) {
    uint8_t source = data[pos];
    size_t len = (size_t{data[pos + 1]} << 8 | data[pos + 2]) % 1600;
    pos += 3;
    if (len > size - pos) len = size - pos;
    auto from = TransportAddress::Ipv4({127, 0, 0, static_cast<uint8_t>(source & 3)}, 5000);
    agent.HandleStun({data + pos, len}, from, now);
    pos += len;
    now += TimeDelta::Millis(source);
    agent.HandleTimeout(now);
    while (agent.PollTransmit()) {
    }
    while (agent.PollEvent()) {
    }
  }
  if (agent.selected().has_value()) abort();
  return 0;
}
