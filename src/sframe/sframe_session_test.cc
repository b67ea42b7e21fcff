// A sender and a receiver exchanging frames under every suite: round trips,
// CTR progression, key rotation, key limits and the replay window.
#include <gtest/gtest.h>

#include "sframe/sframe_receiver.h"
#include "sframe/sframe_sender.h"
#include "sframe/sframe_test_peer.h"
#include "sframe/sframe_test_util.h"

namespace aegis::sframe {
namespace {

std::vector<uint8_t> Key(uint8_t fill) { return std::vector<uint8_t>(16, fill); }

class SessionTest : public ::testing::TestWithParam<CipherSuite> {
 protected:
  SessionTest()
      : sender_(std::move(SframeSender::Create({.suite = GetParam()})).value()),
        receiver_(std::move(SframeReceiver::Create({.suite = GetParam()})).value()) {}

  // Encrypts `plain` under `kid`; the frame is exactly the ciphertext.
  std::vector<uint8_t> Encrypt(uint64_t kid, const std::vector<uint8_t>& plain, std::span<const uint8_t> md = {}) {
    std::vector<uint8_t> buf = plain;
    buf.resize(plain.size() + sender_.MaxOverhead());
    auto len = sender_.Encrypt(kid, md, buf, plain.size());
    EXPECT_TRUE(len.ok());
    buf.resize(len.ok() ? *len : 0);
    return buf;
  }
  Result<DecryptedFrame, Error> Decrypt(std::vector<uint8_t>& frame, std::span<const uint8_t> md = {}) {
    return receiver_.Decrypt(md, frame);
  }

  SframeSender sender_;
  SframeReceiver receiver_;
};

INSTANTIATE_TEST_SUITE_P(AllSuites, SessionTest, ::testing::ValuesIn(testing::kAllSuites), testing::SuiteName);

TEST_P(SessionTest, RoundTripOfManySizes) {
  ASSERT_TRUE(sender_.AddKey(42, Key(1)).ok());
  ASSERT_TRUE(receiver_.AddKey(42, Key(1)).ok());
  const uint8_t metadata[] = {'m', 'i', 'd', '=', '1'};
  uint64_t ctr = 0;
  for (size_t size : {0, 1, 15, 16, 17, 100, 1200, 30000}) {
    std::vector<uint8_t> plain(size);
    for (size_t i = 0; i < size; ++i) plain[i] = static_cast<uint8_t>(i * 7 + size);
    auto frame = Encrypt(42, plain, metadata);
    const size_t header_size = SframeHeader{42, ctr}.size();
    EXPECT_EQ(frame.size(), header_size + size + GetCipherSuiteParams(GetParam()).tag_size);
    auto out = Decrypt(frame, metadata);
    ASSERT_TRUE(out.ok()) << size;
    EXPECT_EQ(out->kid, 42u);
    EXPECT_EQ(out->ctr, ctr++);
    EXPECT_EQ(out->plaintext.data(), frame.data() + header_size);  // in place, not copied
    EXPECT_TRUE(std::equal(plain.begin(), plain.end(), out->plaintext.begin(), out->plaintext.end()));
  }
  EXPECT_EQ(sender_.counters().frames(), 8u);
  EXPECT_EQ(receiver_.counters().frames(), 8u);
  EXPECT_EQ(receiver_.counters().total_drops(), 0u);
}

TEST_P(SessionTest, MetadataIsAuthenticated) {
  ASSERT_TRUE(sender_.AddKey(1, Key(1)).ok());
  ASSERT_TRUE(receiver_.AddKey(1, Key(1)).ok());
  const uint8_t md[] = {1, 2, 3}, other[] = {1, 2, 4};
  auto frame = Encrypt(1, {9, 9, 9}, md);
  auto copy = frame;
  EXPECT_EQ(Decrypt(copy, other).error(), Error::kAuthFailed);
  copy = frame;
  EXPECT_EQ(Decrypt(copy, {}).error(), Error::kAuthFailed);
  EXPECT_TRUE(Decrypt(frame, md).ok());  // a failed attempt does not burn the CTR
}

TEST_P(SessionTest, CountersGoUpByOnePerFrameAndPerKey) {
  ASSERT_TRUE(sender_.AddKey(3, Key(1)).ok());
  ASSERT_TRUE(sender_.AddKey(300, Key(2)).ok());
  for (uint64_t i = 0; i < 20; ++i) {
    for (uint64_t kid : {3, 300}) {
      auto frame = Encrypt(kid, {1, 2, 3});
      auto h = SframeHeader::Parse(frame);
      ASSERT_TRUE(h.ok());
      EXPECT_EQ(h->kid, kid);
      EXPECT_EQ(h->ctr, i);
    }
  }
}

TEST_P(SessionTest, KeysAreBoundToTheirKid) {
  // The same base key under another KID derives another key (§4.4.2).
  ASSERT_TRUE(sender_.AddKey(5, Key(7)).ok());
  ASSERT_TRUE(receiver_.AddKey(5, Key(7)).ok());
  auto frame = Encrypt(5, {1, 2, 3, 4});
  frame[0] = static_cast<uint8_t>((frame[0] & 0x0f) | 0x60);  // KID 5 -> 6, same CTR
  ASSERT_TRUE(receiver_.AddKey(6, Key(7)).ok());
  EXPECT_EQ(Decrypt(frame).error(), Error::kAuthFailed);
}

TEST_P(SessionTest, RotationReplacesAndRemovesKeys) {
  ASSERT_TRUE(sender_.AddKey(1, Key(1)).ok());
  ASSERT_TRUE(receiver_.AddKey(1, Key(1)).ok());
  auto old_frame = Encrypt(1, {1});
  ASSERT_TRUE(Decrypt(old_frame).ok());
  auto late1 = Encrypt(1, {2}), later1 = Encrypt(1, {3});  // still in flight

  // New key under a new KID, both held by the receiver while it rolls in.
  ASSERT_TRUE(receiver_.AddKey(2, Key(2)).ok());
  ASSERT_TRUE(sender_.AddKey(2, Key(2)).ok());
  ASSERT_TRUE(sender_.RemoveKey(1));
  EXPECT_FALSE(sender_.RemoveKey(1));
  std::vector<uint8_t> buf(64);
  EXPECT_EQ(sender_.Encrypt(1, {}, buf, 4).error(), Error::kUnknownKid);
  auto new_frame = Encrypt(2, {4});
  ASSERT_TRUE(Decrypt(new_frame).ok());

  // Frames of the old key decrypt until the receiver drops it.
  EXPECT_TRUE(Decrypt(late1).ok());
  ASSERT_TRUE(receiver_.RemoveKey(1));
  EXPECT_EQ(receiver_.key_count(), 1u);
  EXPECT_EQ(Decrypt(later1).error(), Error::kUnknownKid);

  // Replacing the key under the same KID: old frames no longer authenticate.
  auto before = Encrypt(2, {4});
  ASSERT_TRUE(receiver_.AddKey(2, Key(3)).ok());
  EXPECT_EQ(Decrypt(before).error(), Error::kAuthFailed);
  ASSERT_TRUE(sender_.AddKey(2, Key(3)).ok());
  auto after = Encrypt(2, {5});
  EXPECT_EQ(SframeHeader::Parse(after)->ctr, 0u);  // a new key starts at CTR 0
  EXPECT_TRUE(Decrypt(after).ok());
}

TEST_P(SessionTest, AddingTheSameKeyAgainKeepsTheCounter) {
  ASSERT_TRUE(sender_.AddKey(9, Key(1)).ok());
  for (int i = 0; i < 3; ++i) Encrypt(9, {1});
  ASSERT_TRUE(sender_.AddKey(9, Key(1)).ok());
  EXPECT_EQ(SframeHeader::Parse(Encrypt(9, {1}))->ctr, 3u);  // not 0: no (key, CTR) reuse
  EXPECT_EQ(sender_.key_count(), 1u);
}

TEST_P(SessionTest, ARemovedKeyAddedBackResumesItsCounter) {
  ASSERT_TRUE(sender_.AddKey(9, Key(1)).ok());
  for (int i = 0; i < 3; ++i) Encrypt(9, {1});
  ASSERT_TRUE(sender_.RemoveKey(9));
  ASSERT_TRUE(sender_.AddKey(9, Key(1)).ok());
  EXPECT_EQ(SframeHeader::Parse(Encrypt(9, {1}))->ctr, 3u);
  // Replaced by another key and then brought back: the same.
  ASSERT_TRUE(sender_.AddKey(9, Key(2)).ok());
  EXPECT_EQ(SframeHeader::Parse(Encrypt(9, {1}))->ctr, 0u);
  ASSERT_TRUE(sender_.AddKey(9, Key(1)).ok());
  EXPECT_EQ(SframeHeader::Parse(Encrypt(9, {1}))->ctr, 4u);
  // The same base key under another KID is another key: it starts at 0.
  ASSERT_TRUE(sender_.AddKey(10, Key(1)).ok());
  EXPECT_EQ(SframeHeader::Parse(Encrypt(10, {1}))->ctr, 0u);
}

TEST_P(SessionTest, TheSenderRemembersOnlyTheLastRetiredKeys) {
  ASSERT_TRUE(sender_.AddKey(1, Key(1)).ok());
  Encrypt(1, {1});
  ASSERT_TRUE(sender_.RemoveKey(1));
  for (uint64_t kid = 100; kid < 100 + SframeSender::kRetiredKeys; ++kid) {
    ASSERT_TRUE(sender_.AddKey(kid, Key(2)).ok());
    ASSERT_TRUE(sender_.RemoveKey(kid));
  }
  // Key 1 fell out of the memory: this is the misuse the header warns about.
  ASSERT_TRUE(sender_.AddKey(1, Key(1)).ok());
  EXPECT_EQ(SframeHeader::Parse(Encrypt(1, {1}))->ctr, 0u);
}

TEST_P(SessionTest, KeyTablesAreBounded) {
  auto sender = std::move(SframeSender::Create({.suite = GetParam(), .max_keys = 2})).value();
  auto receiver = std::move(SframeReceiver::Create({.suite = GetParam(), .max_keys = 3})).value();
  ASSERT_TRUE(sender.AddKey(1, Key(1)).ok());
  ASSERT_TRUE(sender.AddKey(2, Key(2)).ok());
  EXPECT_EQ(sender.AddKey(3, Key(3)).error(), Error::kTooManyKeys);
  EXPECT_TRUE(sender.AddKey(2, Key(4)).ok());  // replacing needs no new slot
  for (uint64_t kid = 0; kid < 3; ++kid) ASSERT_TRUE(receiver.AddKey(kid, Key(1)).ok());
  EXPECT_EQ(receiver.AddKey(100, Key(1)).error(), Error::kTooManyKeys);
  EXPECT_FALSE(receiver.HasKey(100));
  ASSERT_TRUE(receiver.RemoveKey(1));
  EXPECT_TRUE(receiver.AddKey(100, Key(1)).ok());
  EXPECT_EQ(receiver.key_count(), 3u);
}

TEST_P(SessionTest, ReplayedAndTooOldFramesAreRefused) {
  ASSERT_TRUE(sender_.AddKey(1, Key(1)).ok());
  ASSERT_TRUE(receiver_.AddKey(1, Key(1)).ok());
  std::vector<std::vector<uint8_t>> frames;
  for (uint64_t i = 0; i < ReplayWindow::kSize + 2; ++i) frames.push_back(Encrypt(1, {static_cast<uint8_t>(i)}));
  auto first = frames[0], second = frames[1];
  ASSERT_TRUE(Decrypt(frames[0]).ok());
  EXPECT_EQ(Decrypt(first).error(), Error::kReplayed);
  // Out of order within the window is fine; the newest moves the window.
  ASSERT_TRUE(Decrypt(frames.back()).ok());
  EXPECT_EQ(Decrypt(second).error(), Error::kTooOld);
  ASSERT_TRUE(Decrypt(frames[5]).ok());
  EXPECT_EQ(receiver_.counters().drops(Error::kReplayed), 1u);
  EXPECT_EQ(receiver_.counters().drops(Error::kTooOld), 1u);
}

TEST_P(SessionTest, ReplayProtectionCanBeTurnedOff) {
  auto receiver = std::move(SframeReceiver::Create({.suite = GetParam(), .replay_protection = false})).value();
  ASSERT_TRUE(sender_.AddKey(1, Key(1)).ok());
  ASSERT_TRUE(receiver.AddKey(1, Key(1)).ok());
  const auto frame = Encrypt(1, {1, 2, 3});
  for (int i = 0; i < 3; ++i) {
    auto copy = frame;
    EXPECT_TRUE(receiver.Decrypt({}, copy).ok());
  }
}

TEST(SframeSuites, IdsAndDefault) {
  EXPECT_EQ(kDefaultCipherSuite, CipherSuite::kAes128GcmSha256_128);
  EXPECT_EQ(SframeSender::Create().value().suite(), CipherSuite{0x0004});
  EXPECT_FALSE(CipherSuiteFromId(0x0000).has_value());
  EXPECT_FALSE(CipherSuiteFromId(0x0006).has_value());
  EXPECT_FALSE(CipherSuiteFromId(0xf000).has_value());
  for (uint16_t id = 1; id <= 5; ++id) EXPECT_EQ(static_cast<uint16_t>(*CipherSuiteFromId(id)), id);
  EXPECT_EQ(SframeSender::Create({.suite = CipherSuite{6}}).error(), Error::kInvalidCipherSuite);
  EXPECT_EQ(SframeReceiver::Create({.suite = CipherSuite{0}}).error(), Error::kInvalidCipherSuite);
}

}  // namespace
}  // namespace aegis::sframe
