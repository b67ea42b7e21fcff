// The sending half of an SRTP/SRTCP crypto context: protects RTP and RTCP in
// place under one master key (one DTLS-SRTP direction).
//
//   auto sender = SrtpSender::Create(Profile::kAeadAes128Gcm, key, salt);
//   // buffer holds packet_len bytes of RTP and has rtp_overhead() spare bytes
//   auto len = sender->ProtectRtp(buffer, packet_len);
//
// Per SSRC it tracks the packet index (the ROC increments when SEQ wraps,
// estimated as RFC 3711 Appendix A does, so reordered sends stay correct)
// and refuses to use an index twice: a repeated (key, IV) would leak the
// keystream, and for GCM the authentication key. It refuses the SRTCP index
// past 0x7fffffff and the SRTP index past 2^48 - 1 (kIndexExhausted): the key
// must be replaced first.
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

class SrtpSender {
 public:
  static Result<SrtpSender, Error> Create(Profile profile, std::span<const uint8_t> master_key,
                                          std::span<const uint8_t> master_salt, const SrtpConfig& config = {});
  // From session keys already derived (tests use RFC 7714 §16, which gives
  // session keys, not master keys).
  static Result<SrtpSender, Error> CreateFromSessionKeys(Profile profile, const DerivedKeys& keys,
                                                         const SrtpConfig& config = {});

  // Protects the RTP packet in buffer[0, packet_len) in place; returns the
  // new length (packet_len + rtp_overhead()). On error the buffer is unchanged.
  Result<size_t, Error> ProtectRtp(std::span<uint8_t> buffer, size_t packet_len);
  // Same for an RTCP (compound) packet; always encrypts (E=1).
  Result<size_t, Error> ProtectRtcp(std::span<uint8_t> buffer, size_t packet_len);

  size_t rtp_overhead() const { return rtp_->tag_size(); }
  size_t rtcp_overhead() const { return rtcp_->tag_size() + 4; }
  Profile profile() const { return profile_; }

  // Forgets an SSRC (its stream ended), freeing its slot.
  bool RemoveSsrc(Ssrc ssrc) { return streams_.Remove(ssrc.value()); }
  size_t ssrc_count() const { return streams_.size(); }
  const DropCounters& counters() const { return counters_; }

 private:
  friend class SrtpTestPeer;
  struct Stream {
    ReplayWindow rtp;             // indices used so far
    uint32_t next_rtcp_index = 0;  // kMaxSrtcpIndex + 1 once exhausted
  };

  SrtpSender(Profile profile, std::unique_ptr<PacketCipher> rtp, std::unique_ptr<PacketCipher> rtcp,
             const SrtpConfig& config);
  Result<size_t, Error> DoProtectRtp(std::span<uint8_t> buffer, size_t packet_len);
  Result<size_t, Error> DoProtectRtcp(std::span<uint8_t> buffer, size_t packet_len);
  Result<Stream*, Error> FindOrAdd(uint32_t ssrc);

  Profile profile_;
  std::unique_ptr<PacketCipher> rtp_;
  std::unique_ptr<PacketCipher> rtcp_;
  SsrcTable<Stream> streams_;
  DropCounters counters_;
};

}  // namespace aegis::srtp
