// Helpers shared by the SRTP tests.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/hex.h"
#include "base/strong_id.h"
#include "rtp/rtp_header.h"

namespace aegis::srtp::testing {

inline std::vector<uint8_t> Hex(std::string_view text) { return FromHex(text).value(); }

inline nlohmann::json LoadVectors(const std::string& file) {
  std::ifstream in(std::string(AEGIS_TESTDATA_DIR) + "/" + file);
  return nlohmann::json::parse(in);
}

// A plain RTP packet with `payload_size` bytes of payload (value `fill`).
inline std::vector<uint8_t> MakeRtp(uint32_t ssrc, uint16_t seq, size_t payload_size = 40, uint8_t fill = 0xab) {
  rtp::RtpHeader h;
  h.payload_type = 96;
  h.sequence_number = seq;
  h.timestamp = 1000u * seq;
  h.ssrc = Ssrc(ssrc);
  std::vector<uint8_t> payload(payload_size, fill);
  std::vector<uint8_t> out;
  h.SerializeTo(payload, 0, out);
  return out;
}

// A receiver report (RC = 0) from `ssrc`, plus `extra` bytes of an APP body.
inline std::vector<uint8_t> MakeRtcp(uint32_t ssrc, size_t extra_words = 0) {
  std::vector<uint8_t> p = {0x80, 201, 0, 1, uint8_t(ssrc >> 24), uint8_t(ssrc >> 16), uint8_t(ssrc >> 8),
                            uint8_t(ssrc)};
  if (extra_words > 0) {
    // APP packet: V=2, subtype 0, PT 204, length, SSRC, name, data.
    uint16_t len = static_cast<uint16_t>(2 + extra_words);
    std::vector<uint8_t> app = {0x80, 204, uint8_t(len >> 8), uint8_t(len), 0, 0, 0, 1, 'A', 'E', 'G', 'S'};
    app.resize(app.size() + 4 * extra_words, 0x5a);
    p.insert(p.end(), app.begin(), app.end());
  }
  return p;
}

}  // namespace aegis::srtp::testing
