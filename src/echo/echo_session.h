// One peer of the echo program: a PeerTransport (with data channels if the
// offer had them) that sends every audio/video packet back to its sender and
// answers every data-channel message with the same message.
//
// Echoed RTP goes out on the server's own SSRC for that section (announced
// in the answer), so the browser sees a remote track rather than its own
// SSRC coming back. A keyframe request (PLI/FIR) for that SSRC is turned
// into a PLI for the sender's SSRC, so the browser's encoder answers it.
// Sans-IO like the transport: the program's I/O shell drives it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "negotiation/answer.h"
#include "rtp/rtp_packet.h"
#include "transport/peer_transport.h"

namespace aegis::echo {

struct EchoStats {
  uint64_t rtp_echoed = 0;
  uint64_t rtp_unrouted = 0;  // no section matched the packet's SSRC, MID or PT
  uint64_t keyframe_requests_relayed = 0;
  uint64_t messages_echoed = 0;
};

class EchoSession {
 public:
  // `stack` may be null when the answer has no data channel.
  static std::unique_ptr<EchoSession> Create(const negotiation::Answer& answer,
                                             std::shared_ptr<const dtls::DtlsContext> context,
                                             const ice::IceCredentials& local_ice, sctp::SctpStack* stack,
                                             Timestamp now);
  ~EchoSession();

  void HandleDatagram(std::span<uint8_t> datagram, const stun::TransportAddress& from, Timestamp now);
  void HandleTimeout(Timestamp now);
  std::optional<Timestamp> NextTimeout() const;
  std::optional<transport::Datagram> PollTransmit();

  // Sends close_notify and wipes the keys.
  void Close(Timestamp now) { transport_->Close(now); }
  bool finished() const;
  // Set once DTLS connected: the negotiated SRTP profile.
  std::optional<srtp::Profile> connected_profile() const { return connected_profile_; }
  const transport::PeerTransport& transport() const { return *transport_; }
  const EchoStats& stats() const { return stats_; }

 private:
  EchoSession(const negotiation::Answer& answer, std::unique_ptr<transport::PeerTransport> transport);
  void EchoRtp(std::span<uint8_t> packet, Timestamp now);
  void HandleRtcp(std::span<const uint8_t> packet, Timestamp now);
  void SendPli(uint32_t media_ssrc, uint32_t sender_ssrc, Timestamp now);
  void Send(std::span<const uint8_t> protected_bytes);
  void PumpEvents(Timestamp now);
  const negotiation::AcceptedMedia* Route(const rtp::RtpPacketView& view) const;

  negotiation::Answer answer_;
  std::unique_ptr<transport::PeerTransport> transport_;
  std::map<uint32_t, const negotiation::AcceptedMedia*> by_remote_ssrc_;
  std::map<uint32_t, uint32_t> remote_ssrc_for_local_;  // learned from the packets echoed
  std::optional<srtp::Profile> connected_profile_;
  std::vector<transport::Datagram> outgoing_;
  std::vector<uint8_t> scratch_;
  EchoStats stats_;
};

}  // namespace aegis::echo
