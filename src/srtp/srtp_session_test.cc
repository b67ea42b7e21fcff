// Round trips through SrtpSender/SrtpReceiver for every profile: rollover,
// reordering, per-SSRC state, the SSRC cap, index exhaustion.
#include <gtest/gtest.h>

#include "base/random.h"
#include "srtp/srtp_receiver.h"
#include "srtp/srtp_sender.h"
#include "srtp/srtp_test_peer.h"
#include "srtp/srtp_test_util.h"

namespace aegis::srtp {
namespace {

using testing::MakeRtcp;
using testing::MakeRtp;

struct Pair {
  SrtpSender sender;
  SrtpReceiver receiver;
};

Pair MakePair(Profile profile, const SrtpConfig& config = {}) {
  const auto& p = GetProfileParams(profile);
  std::vector<uint8_t> key(p.key_size), salt(p.salt_size);
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(3 * i + 1);
  for (size_t i = 0; i < salt.size(); ++i) salt[i] = static_cast<uint8_t>(7 * i + 5);
  return Pair{std::move(SrtpSender::Create(profile, key, salt, config)).value(),
              std::move(SrtpReceiver::Create(profile, key, salt, config)).value()};
}

std::vector<uint8_t> Protect(SrtpSender& s, const std::vector<uint8_t>& plain, bool rtcp = false) {
  std::vector<uint8_t> buf = plain;
  buf.resize(plain.size() + s.rtcp_overhead());
  auto len = rtcp ? s.ProtectRtcp(buf, plain.size()) : s.ProtectRtp(buf, plain.size());
  EXPECT_TRUE(len.ok()) << ErrorName(len.error());
  buf.resize(len.ok() ? *len : 0);
  return buf;
}

// Unprotects a copy; the error, or success with `plain` checked.
std::optional<Error> Unprotect(SrtpReceiver& r, std::vector<uint8_t> buf, const std::vector<uint8_t>& plain,
                               bool rtcp = false) {
  auto len = rtcp ? r.UnprotectRtcp(buf, buf.size()) : r.UnprotectRtp(buf, buf.size());
  if (!len.ok()) return len.error();
  buf.resize(*len);
  EXPECT_EQ(ToHex(buf), ToHex(plain));
  return std::nullopt;
}

class SrtpSessionTest : public ::testing::TestWithParam<Profile> {};

TEST_P(SrtpSessionTest, RoundTripAcrossRolloverWithReordering) {
  auto [sender, receiver] = MakePair(GetParam());
  const uint32_t ssrc = 0x11223344;
  std::vector<std::vector<uint8_t>> plain, prot;
  for (uint32_t i = 0; i < 200; ++i) {
    uint16_t seq = static_cast<uint16_t>(65450 + i);  // wraps after 86 packets
    plain.push_back(MakeRtp(ssrc, seq, 20 + i % 50, static_cast<uint8_t>(i)));
    prot.push_back(Protect(sender, plain.back()));
    EXPECT_EQ(prot.back().size(), plain.back().size() + sender.rtp_overhead());
    EXPECT_NE(ToHex(prot.back()), ToHex(plain.back()));
  }
  // Deliver in a shuffled order: swap neighbours, and hold some back by up to 30.
  std::vector<size_t> order;
  for (size_t i = 0; i < prot.size(); ++i) order.push_back(i);
  for (size_t i = 0; i + 1 < order.size(); i += 3) std::swap(order[i], order[i + 1]);
  for (size_t i = 10; i + 30 < order.size(); i += 37) std::rotate(order.begin() + long(i), order.begin() + long(i) + 1, order.begin() + long(i) + 30);
  for (size_t i : order) EXPECT_EQ(Unprotect(receiver, prot[i], plain[i]), std::nullopt) << i;
  // The receiver is in ROC 1 now.
  EXPECT_EQ(SrtpTestPeer::HighestReceivedRtpIndex(receiver, ssrc), (uint64_t{1} << 16) | uint16_t(65450 + 199));
  // Each one again is a replay.
  for (size_t i = 150; i < 200; ++i) EXPECT_EQ(Unprotect(receiver, prot[i], plain[i]), Error::kReplayed);
  EXPECT_EQ(receiver.counters().drops(Error::kReplayed), 50u);
  EXPECT_EQ(receiver.counters().total_drops(), 50u);
}

TEST_P(SrtpSessionTest, SrtcpRoundTrip) {
  auto [sender, receiver] = MakePair(GetParam());
  std::vector<std::vector<uint8_t>> plain, prot;
  for (size_t i = 0; i < 20; ++i) {
    plain.push_back(MakeRtcp(0xabcdef01, i));
    prot.push_back(Protect(sender, plain.back(), true));
    EXPECT_EQ(prot.back().size(), plain.back().size() + sender.rtcp_overhead());
  }
  std::swap(prot[3], prot[7]);
  std::swap(plain[3], plain[7]);
  for (size_t i = 0; i < prot.size(); ++i) EXPECT_EQ(Unprotect(receiver, prot[i], plain[i], true), std::nullopt);
  EXPECT_EQ(Unprotect(receiver, prot[5], plain[5], true), Error::kReplayed);
  // E=1 and indices 0, 1, ... : the body after 8 bytes is encrypted.
  EXPECT_NE(ToHex(std::span(prot[10]).subspan(8, 8)), ToHex(std::span(plain[10]).subspan(8, 8)));
}

TEST_P(SrtpSessionTest, SsrcsAreIndependentAndCapped) {
  SrtpConfig config;
  config.max_ssrcs = 3;
  auto [sender, receiver] = MakePair(GetParam(), config);
  for (uint32_t ssrc = 1; ssrc <= 3; ++ssrc) {
    auto p = MakeRtp(ssrc, 100);  // same SEQ, different SSRC: different IV
    EXPECT_EQ(Unprotect(receiver, Protect(sender, p), p), std::nullopt);
  }
  EXPECT_EQ(sender.ssrc_count(), 3u);
  EXPECT_EQ(receiver.ssrc_count(), 3u);

  auto p4 = MakeRtp(4, 100);
  std::vector<uint8_t> buf = p4;
  buf.resize(p4.size() + 16);
  auto refused = sender.ProtectRtp(buf, p4.size());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error(), Error::kTooManySsrcs);
  EXPECT_EQ(sender.counters().drops(Error::kTooManySsrcs), 1u);

  // Freeing a slot lets SSRC 4 in on both sides.
  EXPECT_TRUE(sender.RemoveSsrc(Ssrc(2)));
  EXPECT_FALSE(sender.RemoveSsrc(Ssrc(2)));
  auto prot4 = Protect(sender, p4);
  EXPECT_EQ(Unprotect(receiver, prot4, p4), Error::kTooManySsrcs);
  EXPECT_EQ(receiver.ssrc_count(), 3u);
  EXPECT_TRUE(receiver.RemoveSsrc(Ssrc(2)));
  EXPECT_EQ(Unprotect(receiver, prot4, p4), std::nullopt);
  // SSRC 1 kept its state across the removals.
  auto p1 = MakeRtp(1, 100);
  EXPECT_EQ(Unprotect(receiver, Protect(sender, MakeRtp(1, 101)), MakeRtp(1, 101)), std::nullopt);
  buf = p1;
  buf.resize(p1.size() + 16);
  auto dup = sender.ProtectRtp(buf, p1.size());
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error(), Error::kReplayed);
}

TEST_P(SrtpSessionTest, ForgedPacketsChangeNoState) {
  auto [sender, receiver] = MakePair(GetParam());
  auto p = MakeRtp(9, 33000);
  EXPECT_EQ(Unprotect(receiver, Protect(sender, p), p), std::nullopt);
  // A forged packet that would move the ROC to 1, and one for a new SSRC.
  for (auto forged : {MakeRtp(9, 100), MakeRtp(77, 5)}) {
    auto junk = forged;
    junk.resize(forged.size() + sender.rtp_overhead(), 0x42);
    EXPECT_EQ(Unprotect(receiver, junk, forged), Error::kAuthFailed);
  }
  EXPECT_EQ(receiver.ssrc_count(), 1u);
  EXPECT_EQ(SrtpTestPeer::HighestReceivedRtpIndex(receiver, 9), 33000u);
  auto next = MakeRtp(9, 33001);
  EXPECT_EQ(Unprotect(receiver, Protect(sender, next), next), std::nullopt);
  EXPECT_EQ(receiver.counters().drops(Error::kAuthFailed), 2u);
}

TEST_P(SrtpSessionTest, SrtpIndexExhaustion) {
  auto [sender, receiver] = MakePair(GetParam());
  const uint32_t ssrc = 5;
  SrtpTestPeer::SetSentRtpIndex(sender, ssrc, kMaxSrtpIndex - 1);
  SrtpTestPeer::SetReceivedRtpIndex(receiver, ssrc, kMaxSrtpIndex - 1);
  auto last = MakeRtp(ssrc, 0xffff);
  EXPECT_EQ(Unprotect(receiver, Protect(sender, last), last), std::nullopt);
  auto beyond = MakeRtp(ssrc, 0);
  std::vector<uint8_t> buf = beyond;
  buf.resize(beyond.size() + 16);
  auto r = sender.ProtectRtp(buf, beyond.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::kIndexExhausted);
  EXPECT_EQ(sender.counters().drops(Error::kIndexExhausted), 1u);
}

TEST_P(SrtpSessionTest, SrtcpIndexExhaustion) {
  auto [sender, receiver] = MakePair(GetParam());
  const uint32_t ssrc = 0xabcdef01;
  SrtpTestPeer::SetNextRtcpIndex(sender, ssrc, kMaxSrtcpIndex - 1);
  auto p = MakeRtcp(ssrc, 1);
  auto a = Protect(sender, p, true);
  auto b = Protect(sender, p, true);  // index 0x7fffffff: the last usable one
  EXPECT_EQ(Unprotect(receiver, a, p, true), std::nullopt);
  EXPECT_EQ(Unprotect(receiver, b, p, true), std::nullopt);
  EXPECT_EQ(Unprotect(receiver, b, p, true), Error::kReplayed);
  std::vector<uint8_t> buf = p;
  buf.resize(p.size() + sender.rtcp_overhead());
  for (int i = 0; i < 2; ++i) {
    auto r = sender.ProtectRtcp(buf, p.size());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), Error::kIndexExhausted);
  }
  EXPECT_EQ(ToHex(std::span(buf).first(p.size())), ToHex(p));  // untouched
  EXPECT_EQ(sender.counters().drops(Error::kIndexExhausted), 2u);
}

TEST_P(SrtpSessionTest, SenderRefusesIndexReuse) {
  auto [sender, receiver] = MakePair(GetParam());
  auto p = MakeRtp(1, 500);
  (void)Protect(sender, p);
  (void)Protect(sender, MakeRtp(1, 510));
  EXPECT_EQ(Unprotect(receiver, Protect(sender, MakeRtp(1, 505)), MakeRtp(1, 505)), std::nullopt);  // late is fine
  std::vector<uint8_t> buf = p;
  buf.resize(p.size() + 16);
  auto r = sender.ProtectRtp(buf, p.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::kReplayed);
  EXPECT_EQ(ToHex(std::span(buf).first(p.size())), ToHex(p));
}

INSTANTIATE_TEST_SUITE_P(AllProfiles, SrtpSessionTest,
                         ::testing::Values(Profile::kAes128CmHmacSha1_80, Profile::kAes128CmHmacSha1_32,
                                           Profile::kAeadAes128Gcm, Profile::kAeadAes256Gcm),
                         [](const auto& p) { return std::string(GetProfileParams(p.param).name); });

TEST(SrtpSession, CreateRefusesBadKeys) {
  std::vector<uint8_t> k16(16), s14(14), s12(12);
  auto a = SrtpSender::Create(Profile::kAeadAes128Gcm, k16, s14);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error(), Error::kInvalidKey);
  auto b = SrtpReceiver::Create(static_cast<Profile>(0x0005), k16, s14);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error(), Error::kInvalidKey);
  DerivedKeys empty;
  EXPECT_FALSE(SrtpSender::CreateFromSessionKeys(Profile::kAes128CmHmacSha1_80, empty).ok());
  EXPECT_TRUE(SrtpSender::Create(Profile::kAes128CmHmacSha1_80, k16, s14).ok());
}

}  // namespace
}  // namespace aegis::srtp
