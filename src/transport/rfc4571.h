// RFC 4571 framing: how ICE-TCP (RFC 6544) carries STUN, DTLS, RTP and RTCP
// packets over a TCP connection. Each packet is preceded by its length in
// two bytes, network order. Sans-IO: the server's TCP shell pushes the bytes
// it read and gets whole packets back; it frames what it sends with
// FrameRfc4571.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace aegis::transport {

class Rfc4571Deframer {
 public:
  // A packet longer than `max_packet` (the largest datagram the receiver
  // takes, as over UDP) ends the stream: a peer that announces more is
  // either broken or trying to make the server buffer it.
  explicit Rfc4571Deframer(size_t max_packet) : max_packet_(max_packet), buffer_(max_packet) {}

  // Hands every packet completed by `bytes` to `on_packet(std::span<uint8_t>)`
  // in order, as a writable span valid during the call (SRTP is removed in
  // place). False once the stream announced an oversized packet: nothing more
  // is accepted, and the connection should be closed. Empty packets (length
  // 0) carry nothing and are skipped.
  template <typename OnPacket>
  bool Push(std::span<const uint8_t> bytes, OnPacket&& on_packet) {
    while (!failed_ && !bytes.empty()) {
      if (header_read_ < 2) {
        header_[header_read_++] = bytes.front();
        bytes = bytes.subspan(1);
        if (header_read_ == 2) {
          expected_ = (size_t{header_[0]} << 8) | header_[1];
          if (expected_ > max_packet_) {
            failed_ = true;
            break;
          }
          if (expected_ == 0) header_read_ = 0;
        }
        continue;
      }
      const size_t take = std::min(expected_ - filled_, bytes.size());
      std::copy_n(bytes.begin(), take, buffer_.begin() + static_cast<std::ptrdiff_t>(filled_));
      filled_ += take;
      bytes = bytes.subspan(take);
      if (filled_ == expected_) {
        header_read_ = 0;
        filled_ = 0;
        on_packet(std::span<uint8_t>(buffer_.data(), expected_));
      }
    }
    return !failed_;
  }

  bool failed() const { return failed_; }

 private:
  size_t max_packet_;
  std::vector<uint8_t> buffer_;
  uint8_t header_[2] = {0, 0};
  size_t header_read_ = 0;
  size_t expected_ = 0;
  size_t filled_ = 0;
  bool failed_ = false;
};

// Appends `packet` with its length prefix to `out`; false (nothing
// appended) if it is longer than a length field can say (65,535 bytes).
bool FrameRfc4571(std::span<const uint8_t> packet, std::vector<uint8_t>& out);

}  // namespace aegis::transport
