// VP8's RTP payload format (RFC 7741 §4): a frame split into payloads of at
// most `max_payload` bytes, each opening with the one-byte payload
// descriptor (S bit on the frame's first packet, partition index 0; no
// picture id), in sizes as even as the split allows. The marker bit goes on
// the last one; the caller sets it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace aegis::media {

inline constexpr size_t kDefaultMaxVp8Payload = 1100;  // fits SRTP and a typical 1280-byte path

// Empty if the frame is empty or max_payload < 2.
std::vector<std::vector<uint8_t>> PacketizeVp8(std::span<const uint8_t> frame,
                                               size_t max_payload = kDefaultMaxVp8Payload);

}  // namespace aegis::media
