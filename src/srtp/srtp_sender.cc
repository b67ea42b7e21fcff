#include "srtp/srtp_sender.h"

#include "rtp/rtp_packet.h"
#include "srtp/rollover.h"
#include "srtp/srtcp.h"
#include "srtp/srtp_transform.h"

namespace aegis::srtp {

Result<SrtpSender, Error> SrtpSender::Create(Profile profile, std::span<const uint8_t> master_key,
                                             std::span<const uint8_t> master_salt, const SrtpConfig& config) {
  auto keys = DeriveSessionKeys(profile, master_key, master_salt);
  if (!keys) return Err{Error::kInvalidKey};
  return CreateFromSessionKeys(profile, *keys, config);
}

Result<SrtpSender, Error> SrtpSender::CreateFromSessionKeys(Profile profile, const DerivedKeys& keys,
                                                            const SrtpConfig& config) {
  auto ciphers = CreateCipherPair(profile, keys);
  if (!ciphers) return Err{Error::kInvalidKey};
  return SrtpSender(profile, std::move(ciphers->rtp), std::move(ciphers->rtcp), config);
}

SrtpSender::SrtpSender(Profile profile, std::unique_ptr<PacketCipher> rtp, std::unique_ptr<PacketCipher> rtcp,
                       const SrtpConfig& config)
    : profile_(profile), rtp_(std::move(rtp)), rtcp_(std::move(rtcp)), streams_(config.max_ssrcs) {}

Result<size_t, Error> SrtpSender::ProtectRtp(std::span<uint8_t> buffer, size_t packet_len) {
  auto result = DoProtectRtp(buffer, packet_len);
  if (!result) counters_.Count(result.error());
  return result;
}

Result<size_t, Error> SrtpSender::ProtectRtcp(std::span<uint8_t> buffer, size_t packet_len) {
  auto result = DoProtectRtcp(buffer, packet_len);
  if (!result) counters_.Count(result.error());
  return result;
}

Result<SrtpSender::Stream*, Error> SrtpSender::FindOrAdd(uint32_t ssrc) {
  if (Stream* s = streams_.Find(ssrc)) return s;
  if (Stream* s = streams_.Insert(ssrc, Stream{})) return s;
  return Err{Error::kTooManySsrcs};
}

Result<size_t, Error> SrtpSender::DoProtectRtp(std::span<uint8_t> buffer, size_t packet_len) {
  if (packet_len > buffer.size()) return Err{Error::kBufferTooSmall};
  if (packet_len > kMaxPacketSize) return Err{Error::kTooLong};
  auto packet = buffer.first(packet_len);
  auto view = rtp::RtpPacketView::Parse(packet);
  if (!view) return Err{packet_len < kRtpFixedHeaderSize ? Error::kTooShort : Error::kBadHeader};
  const size_t tag_size = rtp_->tag_size();
  if (buffer.size() - packet_len < tag_size) return Err{Error::kBufferTooSmall};

  const uint32_t ssrc = view->ssrc().value();
  auto stream = FindOrAdd(ssrc);
  if (!stream) return Err{stream.error()};
  ReplayWindow& window = (*stream)->rtp;
  // The first packet of an SSRC starts at ROC 0 (RFC 3711 §3.3.1).
  auto index = window.empty() ? Result<uint64_t, Error>(view->sequence_number())
                              : EstimateSrtpIndex(window.highest(), view->sequence_number());
  if (!index) return Err{index.error()};
  if (auto fresh = window.Check(*index); !fresh) return Err{fresh.error()};

  if (!SealRtp(*rtp_, packet, view->header_size(), ssrc, *index, buffer.subspan(packet_len, tag_size))) {
    return Err{Error::kCryptoFailure};
  }
  window.Update(*index);
  return packet_len + tag_size;
}

Result<size_t, Error> SrtpSender::DoProtectRtcp(std::span<uint8_t> buffer, size_t packet_len) {
  if (packet_len > buffer.size()) return Err{Error::kBufferTooSmall};
  if (packet_len > kMaxPacketSize) return Err{Error::kTooLong};
  auto rtcp = buffer.first(packet_len);
  auto ssrc = ReadRtcpSenderSsrc(rtcp);
  if (!ssrc) return Err{ssrc.error()};
  const size_t trailer_size = rtcp_overhead();
  if (buffer.size() - packet_len < trailer_size) return Err{Error::kBufferTooSmall};

  auto stream = FindOrAdd(*ssrc);
  if (!stream) return Err{stream.error()};
  uint32_t& next = (*stream)->next_rtcp_index;
  if (next > kMaxSrtcpIndex) return Err{Error::kIndexExhausted};
  if (!SealRtcp(*rtcp_, rtcp, *ssrc, next, buffer.subspan(packet_len, trailer_size))) {
    return Err{Error::kCryptoFailure};
  }
  ++next;  // after 0x7fffffff this is 0x80000000: exhausted
  return packet_len + trailer_size;
}

}  // namespace aegis::srtp
