// The receiving half of an SRTP/SRTCP crypto context: verifies and decrypts
// RTP and RTCP in place under one master key (one DTLS-SRTP direction).
//
//   auto receiver = SrtpReceiver::Create(Profile::kAeadAes128Gcm, key, salt);
//   auto len = receiver->UnprotectRtp(buffer, packet_len);  // plain RTP length
//
// Order of work per packet, cheapest refusal first: lengths and header →
// SSRC slot → index estimate and replay check → authentication (and
// decryption) → only then is the per-SSRC state created or advanced, so a
// forged packet changes nothing but a drop counter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "base/result.h"
#include "base/strong_id.h"
#include "srtp/key_derivation.h"
#include "srtp/packet_cipher.h"
#include "srtp/profile.h"
#include "srtp/replay_window.h"
#include "srtp/srtp_config.h"
#include "srtp/srtp_error.h"
#include "srtp/ssrc_table.h"

namespace aegis::srtp {

class SrtpReceiver {
 public:
  static Result<SrtpReceiver, Error> Create(Profile profile, std::span<const uint8_t> master_key,
                                            std::span<const uint8_t> master_salt, const SrtpConfig& config = {});
  static Result<SrtpReceiver, Error> CreateFromSessionKeys(Profile profile, const DerivedKeys& keys,
                                                           const SrtpConfig& config = {});

  // Unprotects the SRTP packet in buffer[0, packet_len) in place; returns the
  // plain RTP length. On error the packet must be dropped (for GCM the
  // payload bytes may have been overwritten).
  Result<size_t, Error> UnprotectRtp(std::span<uint8_t> buffer, size_t packet_len);
  // Same for SRTCP; accepts E=0 (authenticated, unencrypted) packets too.
  Result<size_t, Error> UnprotectRtcp(std::span<uint8_t> buffer, size_t packet_len);

  Profile profile() const { return profile_; }
  bool RemoveSsrc(Ssrc ssrc) { return streams_.Remove(ssrc.value()); }
  size_t ssrc_count() const { return streams_.size(); }
  const DropCounters& counters() const { return counters_; }

 private:
  friend class SrtpTestPeer;
  struct Stream {
    ReplayWindow rtp;   // over the 48-bit SRTP index
    ReplayWindow rtcp;  // over the 31-bit SRTCP index
  };

  SrtpReceiver(Profile profile, std::unique_ptr<PacketCipher> rtp, std::unique_ptr<PacketCipher> rtcp,
               const SrtpConfig& config);
  Result<size_t, Error> DoUnprotectRtp(std::span<uint8_t> buffer, size_t packet_len);
  Result<size_t, Error> DoUnprotectRtcp(std::span<uint8_t> buffer, size_t packet_len);
  // The SSRC's state; nullptr for an SSRC not seen yet (its state is added
  // once a packet authenticates); kTooManySsrcs if there is no room for it.
  Result<Stream*, Error> Find(uint32_t ssrc);
  Stream& Add(uint32_t ssrc);

  Profile profile_;
  std::unique_ptr<PacketCipher> rtp_;
  std::unique_ptr<PacketCipher> rtcp_;
  SsrcTable<Stream> streams_;
  DropCounters counters_;
};

}  // namespace aegis::srtp
