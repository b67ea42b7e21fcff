// Test helpers: RTP packets with random payloads, and a Sink that records.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/random.h"
#include "rtp/rtp_header.h"
#include "rtcp/compound.h"
#include "sfu/router.h"
#include "sfu/sink.h"

namespace aegis::sfu::testing {

struct Sent {
  ParticipantId to;
  std::vector<uint8_t> bytes;
};

class RecordingSink : public Sink {
 public:
  void SendRtp(ParticipantId to, SinkTarget*, std::span<const uint8_t> packet) override {
    rtp.push_back({to, {packet.begin(), packet.end()}});
  }
  void SendRtcp(ParticipantId to, SinkTarget*, std::span<const uint8_t> packet) override {
    rtcp.push_back({to, {packet.begin(), packet.end()}});
  }
  std::vector<Sent> RtpTo(ParticipantId to) const { return Filter(rtp, to); }
  std::vector<Sent> RtcpTo(ParticipantId to) const { return Filter(rtcp, to); }
  void Clear() {
    rtp.clear();
    rtcp.clear();
  }

  std::vector<Sent> rtp;
  std::vector<Sent> rtcp;

 private:
  static std::vector<Sent> Filter(const std::vector<Sent>& all, ParticipantId to) {
    std::vector<Sent> out;
    for (const Sent& s : all) {
      if (s.to == to) out.push_back(s);
    }
    return out;
  }
};

// An RTP packet with `payload_size` random payload bytes, a CSRC, a
// one-byte header extension (id 1, a mid-like value) and optional padding.
inline std::vector<uint8_t> MakeRtp(Ssrc ssrc, uint8_t pt, uint16_t seq, uint32_t ts, size_t payload_size,
                                    RandomSource& random, bool marker = false, uint8_t padding = 0) {
  rtp::RtpHeader h;
  h.marker = marker;
  h.payload_type = pt;
  h.sequence_number = seq;
  h.timestamp = ts;
  h.ssrc = ssrc;
  h.csrcs = {0x0badf00d};
  h.extensions = {{1, {'0'}}};
  std::vector<uint8_t> payload(payload_size);
  random.Fill(payload);
  std::vector<uint8_t> out;
  if (!h.SerializeTo(payload, padding, out)) return {};
  return out;
}

// One packet in a compound of its own.
template <typename T>
std::vector<uint8_t> Rtcp(const T& packet) {
  std::vector<uint8_t> out;
  packet.SerializeTo(out);
  return out;
}

// The REMBs `sink` saw sent to `to`, in order.
inline std::vector<rtcp::Remb> RembsTo(const RecordingSink& sink, ParticipantId to) {
  std::vector<rtcp::Remb> out;
  for (const auto& sent : sink.RtcpTo(to)) {
    auto packets = rtcp::ParseCompound(sent.bytes);
    if (!packets) continue;
    for (const auto& p : *packets) {
      if (const auto* remb = std::get_if<rtcp::Remb>(&p)) out.push_back(*remb);
    }
  }
  return out;
}

}  // namespace aegis::sfu::testing
