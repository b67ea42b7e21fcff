#include "srtp/srtp_receiver.h"

#include "srtp/rollover.h"
#include "srtp/srtcp.h"
#include "srtp/srtp_transform.h"

namespace aegis::srtp {

Result<SrtpReceiver, Error> SrtpReceiver::Create(Profile profile, std::span<const uint8_t> master_key,
                                                 std::span<const uint8_t> master_salt, const SrtpConfig& config) {
  auto keys = DeriveSessionKeys(profile, master_key, master_salt);
  if (!keys) return Err{Error::kInvalidKey};
  return CreateFromSessionKeys(profile, *keys, config);
}

Result<SrtpReceiver, Error> SrtpReceiver::CreateFromSessionKeys(Profile profile, const DerivedKeys& keys,
                                                                const SrtpConfig& config) {
  auto ciphers = CreateCipherPair(profile, keys);
  if (!ciphers) return Err{Error::kInvalidKey};
  return SrtpReceiver(profile, std::move(ciphers->rtp), std::move(ciphers->rtcp), config);
}

SrtpReceiver::SrtpReceiver(Profile profile, std::unique_ptr<PacketCipher> rtp, std::unique_ptr<PacketCipher> rtcp,
                           const SrtpConfig& config)
    : profile_(profile), rtp_(std::move(rtp)), rtcp_(std::move(rtcp)), streams_(config.max_ssrcs) {}

Result<size_t, Error> SrtpReceiver::UnprotectRtp(std::span<uint8_t> buffer, size_t packet_len) {
  auto result = DoUnprotectRtp(buffer, packet_len);
  if (!result) counters_.Count(result.error());
  return result;
}

Result<size_t, Error> SrtpReceiver::UnprotectRtcp(std::span<uint8_t> buffer, size_t packet_len) {
  auto result = DoUnprotectRtcp(buffer, packet_len);
  if (!result) counters_.Count(result.error());
  return result;
}

Result<SrtpReceiver::Stream*, Error> SrtpReceiver::Find(uint32_t ssrc) {
  Stream* stream = streams_.Find(ssrc);
  if (!stream && streams_.full()) return Err{Error::kTooManySsrcs};
  return stream;
}

SrtpReceiver::Stream& SrtpReceiver::Add(uint32_t ssrc) {
  // Find() saw room and nothing runs in between, so Insert cannot fail.
  return *streams_.Insert(ssrc, Stream{});
}

Result<size_t, Error> SrtpReceiver::DoUnprotectRtp(std::span<uint8_t> buffer, size_t packet_len) {
  if (packet_len > buffer.size()) return Err{Error::kBufferTooSmall};
  if (packet_len > kMaxPacketSize) return Err{Error::kTooLong};
  const size_t tag_size = rtp_->tag_size();
  if (packet_len < kRtpFixedHeaderSize + tag_size) return Err{Error::kTooShort};
  auto packet = buffer.first(packet_len - tag_size);
  auto tag = buffer.subspan(packet_len - tag_size, tag_size);
  auto header = ReadProtectedRtpHeader(packet);
  if (!header) return Err{header.error()};

  auto stream = Find(header->ssrc);
  if (!stream) return Err{stream.error()};
  Stream* known = *stream;
  // A new SSRC starts at ROC 0 with s_l = SEQ (RFC 3711 §3.3.1).
  auto index = (!known || known->rtp.empty()) ? Result<uint64_t, Error>(header->sequence_number)
                                              : EstimateSrtpIndex(known->rtp.highest(), header->sequence_number);
  if (!index) return Err{index.error()};
  if (known) {
    if (auto fresh = known->rtp.Check(*index); !fresh) return Err{fresh.error()};
  }
  if (!OpenRtp(*rtp_, packet, header->header_size, header->ssrc, *index, tag)) return Err{Error::kAuthFailed};

  (known ? *known : Add(header->ssrc)).rtp.Update(*index);
  return packet.size();
}

Result<size_t, Error> SrtpReceiver::DoUnprotectRtcp(std::span<uint8_t> buffer, size_t packet_len) {
  if (packet_len > buffer.size()) return Err{Error::kBufferTooSmall};
  if (packet_len > kMaxPacketSize) return Err{Error::kTooLong};
  const size_t trailer_size = rtcp_->tag_size() + kSrtcpIndexSize;
  if (packet_len < kRtcpHeaderSize + trailer_size) return Err{Error::kTooShort};
  auto packet = buffer.first(packet_len);
  const SrtcpTrailer trailer = ReadSrtcpTrailer(*rtcp_, packet);
  auto ssrc = ReadRtcpSenderSsrc(packet.first(trailer.rtcp_size));
  if (!ssrc) return Err{ssrc.error()};

  auto stream = Find(*ssrc);
  if (!stream) return Err{stream.error()};
  Stream* known = *stream;
  if (known) {
    if (auto fresh = known->rtcp.Check(trailer.index()); !fresh) return Err{fresh.error()};
  }
  if (!OpenRtcp(*rtcp_, packet, *ssrc, trailer)) return Err{Error::kAuthFailed};

  (known ? *known : Add(*ssrc)).rtcp.Update(trailer.index());
  return trailer.rtcp_size;
}

}  // namespace aegis::srtp
