// Differential test against libsrtp2 (Debian 2.5.0), for every profile:
// the same plaintext protected by Aegis and by libsrtp must give the same
// bytes, and each side must unprotect what the other protected — random
// sizes, CSRCs, header extensions and padding, across a SEQ rollover, with
// reordering, duplicates, and SRTCP both ways.
#include <gtest/gtest.h>

#include <algorithm>

#include "base/hex.h"
#include "base/random.h"
#include "srtp/libsrtp_oracle.h"
#include "srtp/srtp_receiver.h"
#include "srtp/srtp_sender.h"
#include "srtp/srtp_test_peer.h"

namespace aegis::srtp {
namespace {

using testing::LibSrtp;

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  uint32_t Below(uint32_t n) { return rng_.U32() % n; }
  uint8_t Byte() { return static_cast<uint8_t>(rng_.U32()); }
  void Fill(std::span<uint8_t> out) { rng_.Fill(out); }

  // A valid RTP packet: random CSRC count, extension (RFC 8285 one-byte or a
  // raw profile), payload size and padding.
  std::vector<uint8_t> Rtp(uint32_t ssrc, uint16_t seq) {
    const bool ext = Below(2) == 0, pad = Below(3) == 0;
    const uint8_t cc = static_cast<uint8_t>(Below(4) == 0 ? Below(16) : 0);
    std::vector<uint8_t> p = {static_cast<uint8_t>(0x80 | (pad ? 0x20 : 0) | (ext ? 0x10 : 0) | cc),
                              static_cast<uint8_t>(Below(2) << 7 | 96),
                              static_cast<uint8_t>(seq >> 8),
                              static_cast<uint8_t>(seq),
                              Byte(), Byte(), Byte(), Byte(),
                              static_cast<uint8_t>(ssrc >> 24), static_cast<uint8_t>(ssrc >> 16),
                              static_cast<uint8_t>(ssrc >> 8), static_cast<uint8_t>(ssrc)};
    for (int i = 0; i < 4 * cc; ++i) p.push_back(Byte());
    if (ext) {
      std::vector<uint8_t> body;
      uint16_t profile = 0x1234;
      if (Below(2) == 0) {
        profile = 0xbede;
        for (uint32_t n = Below(4); n > 0; --n) {
          uint8_t len = static_cast<uint8_t>(1 + Below(16));
          body.push_back(static_cast<uint8_t>((1 + Below(14)) << 4 | (len - 1)));
          for (int i = 0; i < len; ++i) body.push_back(Byte());
        }
        body.resize((body.size() + 3) / 4 * 4, 0);
      } else {
        body.resize(4 * Below(5));
        Fill(body);
      }
      p.insert(p.end(), {uint8_t(profile >> 8), uint8_t(profile), uint8_t(body.size() / 4 >> 8),
                         uint8_t(body.size() / 4)});
      p.insert(p.end(), body.begin(), body.end());
    }
    size_t payload = Below(4) == 0 ? Below(1300) : Below(200);
    for (size_t i = 0; i < payload; ++i) p.push_back(Byte());
    if (pad) {
      uint8_t count = static_cast<uint8_t>(1 + Below(255));
      p.resize(p.size() + count - 1, 0);
      p.push_back(count);
    }
    return p;
  }

  // A compound RTCP packet: RR with 0–3 report blocks, then 0–2 APP packets.
  std::vector<uint8_t> Rtcp(uint32_t ssrc) {
    uint8_t rc = static_cast<uint8_t>(Below(4));
    uint16_t words = static_cast<uint16_t>(1 + 6 * rc);
    std::vector<uint8_t> p = {static_cast<uint8_t>(0x80 | rc), 201, uint8_t(words >> 8), uint8_t(words),
                              uint8_t(ssrc >> 24), uint8_t(ssrc >> 16), uint8_t(ssrc >> 8), uint8_t(ssrc)};
    for (int i = 0; i < 24 * rc; ++i) p.push_back(Byte());
    for (uint32_t n = Below(3); n > 0; --n) {
      uint16_t data_words = static_cast<uint16_t>(Below(40));
      uint16_t len = static_cast<uint16_t>(2 + data_words);
      p.insert(p.end(), {0x80, 204, uint8_t(len >> 8), uint8_t(len), uint8_t(ssrc >> 24), uint8_t(ssrc >> 16),
                         uint8_t(ssrc >> 8), uint8_t(ssrc), 'T', 'E', 'S', 'T'});
      for (int i = 0; i < 4 * data_words; ++i) p.push_back(Byte());
    }
    return p;
  }

  // A delivery order with local reordering (distance < 16) and the given
  // number of duplicates.
  std::vector<size_t> Order(size_t n, size_t duplicates) {
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    for (size_t i = 0; i + 1 < n; ++i) {
      if (Below(4) == 0) std::swap(order[i], order[std::min(n - 1, i + 1 + Below(15))]);
    }
    for (size_t d = 0; d < duplicates; ++d) {
      size_t at = 1 + Below(static_cast<uint32_t>(n - 1));
      order.insert(order.begin() + long(at), order[at - 1]);
    }
    return order;
  }

 private:
  SeededRandom rng_;
};

struct Keys {
  std::vector<uint8_t> key, salt;
};

Keys RandomKeys(Profile profile, Gen& gen) {
  const auto& p = GetProfileParams(profile);
  Keys k{std::vector<uint8_t>(p.key_size), std::vector<uint8_t>(p.salt_size)};
  gen.Fill(k.key);
  gen.Fill(k.salt);
  return k;
}

std::vector<uint8_t> AegisApply(SrtpSender* s, SrtpReceiver* r, std::vector<uint8_t> p, bool rtcp,
                                Error* error = nullptr) {
  size_t len = p.size();
  p.resize(len + 64);
  auto out = s ? (rtcp ? s->ProtectRtcp(p, len) : s->ProtectRtp(p, len))
               : (rtcp ? r->UnprotectRtcp(p, len) : r->UnprotectRtp(p, len));
  if (!out.ok()) {
    if (error) *error = out.error();
    return {};
  }
  p.resize(*out);
  return p;
}

class DifferentialTest : public ::testing::TestWithParam<Profile> {};

TEST_P(DifferentialTest, RtpBothWaysAcrossRollover) {
  const Profile profile = GetParam();
  Gen gen(static_cast<uint64_t>(profile) * 7919);
  Keys k = RandomKeys(profile, gen);
  auto aegis_tx = std::move(SrtpSender::Create(profile, k.key, k.salt)).value();
  auto aegis_rx = std::move(SrtpReceiver::Create(profile, k.key, k.salt)).value();
  LibSrtp lib_tx(profile, k.key, k.salt, true), lib_rx(profile, k.key, k.salt, false);

  const uint32_t ssrcs[] = {0x0badcafe, 0x12345678, 0xffffffff};
  std::vector<std::vector<uint8_t>> plain, from_aegis, from_lib;
  for (uint32_t i = 0; i < 400; ++i) {
    const uint32_t ssrc = ssrcs[i % 3];
    const uint16_t seq = static_cast<uint16_t>(65440 + i / 3 + (ssrc == 0x12345678 ? 40 : 0));
    plain.push_back(gen.Rtp(ssrc, seq));
    from_aegis.push_back(AegisApply(&aegis_tx, nullptr, plain.back(), false));
    ASSERT_FALSE(from_aegis.back().empty()) << i;
    auto lib = plain.back();
    ASSERT_EQ(lib_tx.Apply(lib, false, true), srtp_err_status_ok) << i;
    // Deterministic transform, same keys and index: identical bytes.
    ASSERT_EQ(ToHex(from_aegis.back()), ToHex(lib)) << "packet " << i << " seq " << seq;
    from_lib.push_back(std::move(lib));
  }

  size_t replays_aegis = 0, replays_lib = 0;
  std::vector<bool> seen(plain.size());
  for (size_t i : gen.Order(plain.size(), 12)) {
    auto a = from_aegis[i];
    srtp_err_status_t s = lib_rx.Apply(a, false, false);
    Error e{};
    auto b = AegisApply(nullptr, &aegis_rx, from_lib[i], false, &e);
    if (seen[i]) {
      EXPECT_EQ(s, srtp_err_status_replay_fail);
      EXPECT_TRUE(b.empty());
      EXPECT_EQ(e, Error::kReplayed);
      replays_lib += s == srtp_err_status_replay_fail;
      replays_aegis += e == Error::kReplayed;
      continue;
    }
    seen[i] = true;
    ASSERT_EQ(s, srtp_err_status_ok) << "libsrtp refused Aegis packet " << i;
    EXPECT_EQ(ToHex(a), ToHex(plain[i]));
    ASSERT_FALSE(b.empty()) << "Aegis refused libsrtp packet " << i << ": " << ErrorName(e);
    EXPECT_EQ(ToHex(b), ToHex(plain[i]));
  }
  EXPECT_EQ(replays_lib, 12u);
  EXPECT_EQ(replays_aegis, 12u);
  EXPECT_EQ(aegis_rx.counters().total_drops(), 12u);
  // Every stream ended in ROC 1 on the Aegis side.
  for (uint32_t ssrc : ssrcs) EXPECT_EQ(SrtpTestPeer::HighestReceivedRtpIndex(aegis_rx, ssrc) >> 16, 1u);
}

TEST_P(DifferentialTest, RtcpBothWays) {
  const Profile profile = GetParam();
  Gen gen(static_cast<uint64_t>(profile) * 104729);
  Keys k = RandomKeys(profile, gen);
  auto aegis_tx = std::move(SrtpSender::Create(profile, k.key, k.salt)).value();
  auto aegis_rx = std::move(SrtpReceiver::Create(profile, k.key, k.salt)).value();
  LibSrtp lib_tx(profile, k.key, k.salt, true), lib_rx(profile, k.key, k.salt, false);

  const uint32_t ssrcs[] = {0x0badcafe, 0x00000001};
  // libsrtp's first SRTCP index is 1; RFC 3711 §3.4 says 0. Align for the
  // byte comparison (receivers accept either).
  for (uint32_t ssrc : ssrcs) SrtpTestPeer::SetNextRtcpIndex(aegis_tx, ssrc, 1);
  std::vector<std::vector<uint8_t>> plain, from_aegis, from_lib;
  for (uint32_t i = 0; i < 120; ++i) {
    plain.push_back(gen.Rtcp(ssrcs[i % 2]));
    from_aegis.push_back(AegisApply(&aegis_tx, nullptr, plain.back(), true));
    ASSERT_FALSE(from_aegis.back().empty());
    auto lib = plain.back();
    ASSERT_EQ(lib_tx.Apply(lib, true, true), srtp_err_status_ok);
    ASSERT_EQ(ToHex(from_aegis.back()), ToHex(lib)) << "packet " << i;
    from_lib.push_back(std::move(lib));
  }
  std::vector<bool> seen(plain.size());
  for (size_t i : gen.Order(plain.size(), 6)) {
    auto a = from_aegis[i];
    srtp_err_status_t s = lib_rx.Apply(a, true, false);
    Error e{};
    auto b = AegisApply(nullptr, &aegis_rx, from_lib[i], true, &e);
    if (seen[i]) {
      EXPECT_EQ(s, srtp_err_status_replay_fail);
      EXPECT_EQ(e, Error::kReplayed);
      continue;
    }
    seen[i] = true;
    ASSERT_EQ(s, srtp_err_status_ok) << i;
    EXPECT_EQ(ToHex(a), ToHex(plain[i]));
    ASSERT_FALSE(b.empty()) << i << ": " << ErrorName(e);
    EXPECT_EQ(ToHex(b), ToHex(plain[i]));
  }
  EXPECT_EQ(aegis_rx.counters().drops(Error::kReplayed), 6u);
}

// Aegis's own first SRTCP index (0) is accepted by libsrtp too.
TEST_P(DifferentialTest, RtcpFromIndexZero) {
  const Profile profile = GetParam();
  Gen gen(99);
  Keys k = RandomKeys(profile, gen);
  auto aegis_tx = std::move(SrtpSender::Create(profile, k.key, k.salt)).value();
  LibSrtp lib_rx(profile, k.key, k.salt, false);
  for (int i = 0; i < 3; ++i) {
    auto p = gen.Rtcp(42);
    auto prot = AegisApply(&aegis_tx, nullptr, p, true);
    ASSERT_EQ(lib_rx.Apply(prot, true, false), srtp_err_status_ok) << i;
    EXPECT_EQ(ToHex(prot), ToHex(p));
  }
}

// SRTCP that is authenticated but not encrypted (E=0), from libsrtp, for the
// HMAC profiles (RFC 7714 §17.3/17.4 cover E=0 for GCM).
// Instantiated for the HMAC profiles only (below).
class HmacDifferentialTest : public ::testing::TestWithParam<Profile> {};

TEST_P(HmacDifferentialTest, RtcpUnencryptedFromLibsrtp) {
  const Profile profile = GetParam();
  Gen gen(7);
  Keys k = RandomKeys(profile, gen);
  LibSrtp lib_tx(profile, k.key, k.salt, true, /*rtcp_auth_only=*/true);
  auto aegis_rx = std::move(SrtpReceiver::Create(profile, k.key, k.salt)).value();
  for (int i = 0; i < 5; ++i) {
    auto p = gen.Rtcp(42);
    auto prot = p;
    ASSERT_EQ(lib_tx.Apply(prot, true, true), srtp_err_status_ok);
    // E=0: the packet travels in the clear, followed by the E|index word.
    ASSERT_EQ(ToHex(std::span(prot).first(p.size())), ToHex(p));
    EXPECT_EQ(prot[p.size()] & 0x80, 0);
    auto tampered = prot;
    tampered[p.size()] |= 0x80;  // claim E=1: covered by the tag
    Error e{};
    EXPECT_TRUE(AegisApply(nullptr, &aegis_rx, tampered, true, &e).empty());
    EXPECT_EQ(e, Error::kAuthFailed);
    auto out = AegisApply(nullptr, &aegis_rx, prot, true, &e);
    ASSERT_FALSE(out.empty()) << ErrorName(e);
    EXPECT_EQ(ToHex(out), ToHex(p));
  }
}

INSTANTIATE_TEST_SUITE_P(HmacProfiles, HmacDifferentialTest,
                         ::testing::Values(Profile::kAes128CmHmacSha1_80, Profile::kAes128CmHmacSha1_32),
                         [](const auto& p) { return std::string(GetProfileParams(p.param).name); });
INSTANTIATE_TEST_SUITE_P(AllProfiles, DifferentialTest,
                         ::testing::Values(Profile::kAes128CmHmacSha1_80, Profile::kAes128CmHmacSha1_32,
                                           Profile::kAeadAes128Gcm, Profile::kAeadAes256Gcm),
                         [](const auto& p) { return std::string(GetProfileParams(p.param).name); });

}  // namespace
}  // namespace aegis::srtp
