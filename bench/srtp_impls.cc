// Aegis and libsrtp2 behind the benchmark interface (see srtp_impls.h).
#include "bench/srtp_impls.h"

#include <arpa/inet.h>

#include <cstring>
#include <vector>

#include "base/big_endian.h"
#include "srtp/libsrtp_oracle.h"
#include "srtp/srtp_receiver.h"
#include "srtp/srtp_sender.h"

namespace aegis::bench {
namespace {

constexpr uint32_t kSsrc = 0x0a0b0c0d;
constexpr uint16_t kRingFirstSeq = 1000;  // the priming packet has kRingFirstSeq - 1
constexpr size_t kSpare = 64;             // >= SRTP_MAX_TRAILER_LEN and any Aegis tag

std::vector<uint8_t> PlainPacket(uint16_t seq) {
  std::vector<uint8_t> p(kPacketSize + kSpare, 0);
  p[0] = 0x80;
  p[1] = 96;
  StoreBE16(p.data() + 2, seq);
  StoreBE32(p.data() + 4, 90000);
  StoreBE32(p.data() + 8, kSsrc);
  for (size_t i = kHeaderSize; i < kPacketSize; ++i) p[i] = static_cast<uint8_t>(i * 31);
  return p;
}

struct MasterKey {
  std::vector<uint8_t> key, salt;
  explicit MasterKey(srtp::Profile profile) {
    const auto& p = srtp::GetProfileParams(profile);
    for (size_t i = 0; i < p.key_size; ++i) key.push_back(static_cast<uint8_t>(0x10 + i));
    for (size_t i = 0; i < p.salt_size; ++i) salt.push_back(static_cast<uint8_t>(0xc0 + i));
  }
};

// What both SRTP implementations share: the send buffer, the ring of
// protected packets, the priming packet and the work buffer.
class RingImpl : public SrtpImpl {
 public:
  bool Unprotect(size_t i) override {
    std::memcpy(work_.data(), ring_[i].data(), ring_[i].size());
    return UnprotectWork(ring_[i].size());
  }
  bool ResetReceiver() override {
    if (!ForgetReceiveState()) return false;
    std::memcpy(work_.data(), prime_.data(), prime_.size());
    return UnprotectWork(prime_.size());
  }

 protected:
  // Fills the ring and the priming packet with `protect`, which protects a
  // plain packet in place and returns its new length (0 on failure).
  template <typename F>
  bool FillRing(F protect) {
    prime_ = PlainPacket(kRingFirstSeq - 1);
    size_t n = protect(prime_);
    if (n == 0) return false;
    prime_.resize(n);
    for (size_t i = 0; i < kRingSize; ++i) {
      auto p = PlainPacket(static_cast<uint16_t>(kRingFirstSeq + i));
      n = protect(p);
      if (n == 0) return false;
      p.resize(n);
      ring_.push_back(std::move(p));
    }
    return ResetReceiver();
  }
  virtual bool UnprotectWork(size_t len) = 0;
  virtual bool ForgetReceiveState() = 0;

  std::vector<uint8_t> send_ = PlainPacket(0);
  uint16_t next_seq_ = 0;
  std::vector<uint8_t> work_ = std::vector<uint8_t>(kPacketSize + kSpare);
  std::vector<std::vector<uint8_t>> ring_;
  std::vector<uint8_t> prime_;
};

class AegisImpl final : public RingImpl {
 public:
  AegisImpl(srtp::SrtpSender sender, srtp::SrtpSender ring_sender, srtp::SrtpReceiver receiver)
      : sender_(std::move(sender)), ring_sender_(std::move(ring_sender)), receiver_(std::move(receiver)) {}

  bool Init() {
    return FillRing([this](std::vector<uint8_t>& p) -> size_t {
      auto r = ring_sender_.ProtectRtp(p, kPacketSize);
      return r.ok() ? *r : 0;
    });
  }
  bool Protect() override {
    StoreBE16(send_.data() + 2, next_seq_++);
    return sender_.ProtectRtp(send_, kPacketSize).ok();
  }

 private:
  bool UnprotectWork(size_t len) override { return receiver_.UnprotectRtp(work_, len).ok(); }
  bool ForgetReceiveState() override {
    receiver_.RemoveSsrc(Ssrc(kSsrc));
    return true;
  }

  srtp::SrtpSender sender_, ring_sender_;
  srtp::SrtpReceiver receiver_;
};

class LibSrtpImpl final : public RingImpl {
 public:
  LibSrtpImpl(srtp::Profile profile, const MasterKey& k)
      : sender_(profile, k.key, k.salt, true),
        ring_sender_(profile, k.key, k.salt, true),
        receiver_(profile, k.key, k.salt, false) {}

  bool Init() {
    return FillRing([this](std::vector<uint8_t>& p) -> size_t {
      int len = static_cast<int>(kPacketSize);
      return ring_sender_.Protect(p.data(), &len) == srtp_err_status_ok ? static_cast<size_t>(len) : 0;
    });
  }
  bool Protect() override {
    StoreBE16(send_.data() + 2, next_seq_++);
    int len = static_cast<int>(kPacketSize);
    return sender_.Protect(send_.data(), &len) == srtp_err_status_ok;
  }

 private:
  bool UnprotectWork(size_t len) override {
    int n = static_cast<int>(len);
    return receiver_.Unprotect(work_.data(), &n) == srtp_err_status_ok;
  }
  bool ForgetReceiveState() override {
    // Absent on the very first call (before any packet): not an error.
    srtp_remove_stream(receiver_.session(), htonl(kSsrc));
    return true;
  }

  srtp::testing::LibSrtp sender_, ring_sender_, receiver_;
};

}  // namespace

std::unique_ptr<SrtpImpl> MakeAegisImpl(srtp::Profile profile) {
  MasterKey k(profile);
  auto s = srtp::SrtpSender::Create(profile, k.key, k.salt);
  auto rs = srtp::SrtpSender::Create(profile, k.key, k.salt);
  auto r = srtp::SrtpReceiver::Create(profile, k.key, k.salt);
  if (!s.ok() || !rs.ok() || !r.ok()) return nullptr;
  auto impl = std::make_unique<AegisImpl>(std::move(s).value(), std::move(rs).value(), std::move(r).value());
  return impl->Init() ? std::move(impl) : nullptr;
}

std::unique_ptr<SrtpImpl> MakeLibSrtpImpl(srtp::Profile profile) {
  auto impl = std::make_unique<LibSrtpImpl>(profile, MasterKey(profile));
  return impl->Init() ? std::move(impl) : nullptr;
}

}  // namespace aegis::bench
