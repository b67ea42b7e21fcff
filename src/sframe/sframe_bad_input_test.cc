// Malformed and hostile input: each case is refused with its own error and
// counted; none may read or write out of bounds (the ASan build checks that,
// frames are exactly-sized heap copies).
#include <gtest/gtest.h>

#include "base/hex.h"
#include "sframe/sframe_receiver.h"
#include "sframe/sframe_sender.h"
#include "sframe/sframe_test_peer.h"
#include "sframe/sframe_test_util.h"

namespace aegis::sframe {
namespace {

using testing::Hex;

constexpr uint64_t kKid = 0x1234;  // two KID bytes in the header

class BadInputTest : public ::testing::TestWithParam<CipherSuite> {
 protected:
  BadInputTest()
      : tag_size_(GetCipherSuiteParams(GetParam()).tag_size),
        sender_(std::move(SframeSender::Create({.suite = GetParam()})).value()),
        receiver_(std::move(SframeReceiver::Create({.suite = GetParam()})).value()) {
    EXPECT_TRUE(sender_.AddKey(kKid, key_).ok());
    EXPECT_TRUE(receiver_.AddKey(kKid, key_).ok());
  }

  std::vector<uint8_t> Encrypt(const std::vector<uint8_t>& plain) {
    std::vector<uint8_t> buf = plain;
    buf.resize(plain.size() + sender_.MaxOverhead());
    auto len = sender_.Encrypt(kKid, {}, buf, plain.size());
    EXPECT_TRUE(len.ok());
    buf.resize(len.ok() ? *len : 0);
    return buf;
  }
  // Decrypts `frame` (a copy of exactly its size), expects a refusal, checks
  // it is counted once under its reason, and returns it.
  Error DecryptError(std::vector<uint8_t> frame) {
    const uint64_t before = receiver_.counters().total_drops();
    auto r = receiver_.Decrypt({}, frame);
    EXPECT_FALSE(r.ok());
    if (r.ok()) return Error::kCryptoFailure;
    EXPECT_GT(receiver_.counters().drops(r.error()), 0u);
    EXPECT_EQ(receiver_.counters().total_drops(), before + 1);
    return r.error();
  }

  const std::vector<uint8_t> key_ = std::vector<uint8_t>(16, 0x5a);
  const size_t tag_size_;
  SframeSender sender_;
  SframeReceiver receiver_;
};

INSTANTIATE_TEST_SUITE_P(AllSuites, BadInputTest, ::testing::ValuesIn(testing::kAllSuites), testing::SuiteName);

TEST_P(BadInputTest, TruncatedFrames) {
  SframeTestPeer::SetNextCounter(sender_, kKid, 0x10000);  // 3 CTR bytes: header of 6
  const auto good = Encrypt({});                             // header + tag only
  ASSERT_EQ(good.size(), 6 + tag_size_);
  for (size_t n = 0; n < good.size(); ++n) {
    Error e = DecryptError(std::vector<uint8_t>(good.begin(), good.begin() + long(n)));
    EXPECT_EQ(e, Error::kTooShort) << n;  // inside the header, or no room for the tag
  }
  EXPECT_EQ(receiver_.counters().drops(Error::kTooShort), good.size());
  auto copy = good;
  EXPECT_TRUE(receiver_.Decrypt({}, copy).ok());
}

TEST_P(BadInputTest, TruncatedBodyFailsAuthentication) {
  const auto good = Encrypt(std::vector<uint8_t>(40, 1));
  for (size_t cut = 1; cut <= 40; cut += 13) {
    EXPECT_EQ(DecryptError(std::vector<uint8_t>(good.begin(), good.end() - long(cut))), Error::kAuthFailed);
  }
}

TEST_P(BadInputTest, NonMinimalKidOrCtr) {
  const auto good = Encrypt(std::vector<uint8_t>(10, 2));  // KID 0x1234, CTR 0: header 9012 34
  ASSERT_EQ(ToHex(std::span(good).first(3)), "901234");
  auto body = std::span(good).subspan(3);
  auto with_header = [&](const char* hex) {
    auto f = Hex(hex);
    f.insert(f.end(), body.begin(), body.end());
    return f;
  };
  // The same KID and CTR, padded with leading zero bytes or moved out of
  // the config byte: refused before any key lookup or crypto.
  EXPECT_EQ(DecryptError(with_header("a0001234")), Error::kNonMinimalHeader);    // KID in 3 bytes
  EXPECT_EQ(DecryptError(with_header("98123400")), Error::kNonMinimalHeader);    // CTR 0 in 1 byte
  EXPECT_EQ(DecryptError(with_header("9912340000")), Error::kNonMinimalHeader);  // CTR 0 in 2 bytes
  EXPECT_EQ(receiver_.counters().drops(Error::kNonMinimalHeader), 3u);
  EXPECT_EQ(receiver_.counters().drops(Error::kAuthFailed), 0u);
}

TEST_P(BadInputTest, EveryBitFlipIsRefused) {
  const auto good = Encrypt({'h', 'e', 'l', 'l', 'o'});
  for (size_t bit = 0; bit < good.size() * 8; ++bit) {
    auto bad = good;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto fresh = std::move(SframeReceiver::Create({.suite = GetParam()})).value();
    ASSERT_TRUE(fresh.AddKey(kKid, key_).ok());
    auto r = fresh.Decrypt({}, bad);
    ASSERT_FALSE(r.ok()) << "bit " << bit;
    // A flip in the header changes the KID (unknown), its length (short or
    // non-minimal) or the CTR (tag); anywhere else it is the tag.
    if (bit >= 3 * 8) {
      EXPECT_EQ(r.error(), Error::kAuthFailed) << "bit " << bit;
    }
  }
}

TEST_P(BadInputTest, WrongTagIsACountedDropAndLeavesNoPlaintext) {
  const std::vector<uint8_t> plain(64, 0x77);
  auto bad = Encrypt(plain);
  bad.back() ^= 1;
  auto copy = bad;
  auto r = receiver_.Decrypt({}, copy);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::kAuthFailed);
  EXPECT_EQ(receiver_.counters().drops(Error::kAuthFailed), 1u);
  EXPECT_EQ(receiver_.counters().frames(), 0u);
  auto body = std::span(copy).subspan(3, plain.size());
  EXPECT_EQ(std::search(body.begin(), body.end(), plain.begin(), plain.begin() + 16), body.end());
}

TEST_P(BadInputTest, WrongKeyFailsAuthentication) {
  auto other = std::move(SframeReceiver::Create({.suite = GetParam()})).value();
  ASSERT_TRUE(other.AddKey(kKid, std::vector<uint8_t>(16, 0x5b)).ok());
  auto frame = Encrypt({1, 2, 3});
  EXPECT_EQ(other.Decrypt({}, frame).error(), Error::kAuthFailed);
}

TEST_P(BadInputTest, UnknownKidLeavesTheFrameUntouched) {
  auto frame = Encrypt({1, 2, 3});
  auto other = std::move(SframeReceiver::Create({.suite = GetParam()})).value();
  ASSERT_TRUE(other.AddKey(kKid + 1, key_).ok());
  const auto before = frame;
  EXPECT_EQ(other.Decrypt({}, frame).error(), Error::kUnknownKid);
  EXPECT_EQ(other.counters().drops(Error::kUnknownKid), 1u);
  EXPECT_EQ(frame, before);  // can be kept and retried once the key arrives (§4.4.4)
  ASSERT_TRUE(other.AddKey(kKid, key_).ok());
  EXPECT_TRUE(other.Decrypt({}, frame).ok());
}

TEST_P(BadInputTest, BufferTooSmall) {
  const std::vector<uint8_t> plain(100, 3);
  const size_t need = 3 + plain.size() + tag_size_;  // header 901234 at CTR 0
  for (size_t size : {size_t{0}, size_t{50}, plain.size(), need - 1}) {
    std::vector<uint8_t> buf(size, 0xcc);
    std::copy_n(plain.begin(), std::min(size, plain.size()), buf.begin());
    const auto before = buf;
    auto r = sender_.Encrypt(kKid, {}, buf, plain.size());
    ASSERT_FALSE(r.ok()) << size;
    EXPECT_EQ(r.error(), Error::kBufferTooSmall) << size;
    EXPECT_EQ(buf, before);  // nothing written
  }
  EXPECT_EQ(sender_.counters().drops(Error::kBufferTooSmall), 4u);
  // A refusal spends no CTR: the next frame is still CTR 0, in an exact fit.
  std::vector<uint8_t> buf = plain;
  buf.resize(need);
  auto len = sender_.Encrypt(kKid, {}, buf, plain.size());
  ASSERT_TRUE(len.ok());
  EXPECT_EQ(*len, need);
  EXPECT_EQ(SframeHeader::Parse(buf)->ctr, 0u);
}

TEST_P(BadInputTest, UnknownKidOnSend) {
  std::vector<uint8_t> buf(64);
  EXPECT_EQ(sender_.Encrypt(kKid + 1, {}, buf, 8).error(), Error::kUnknownKid);
  EXPECT_EQ(sender_.counters().drops(Error::kUnknownKid), 1u);
}

TEST_P(BadInputTest, CounterIsNeverReusedNorWrapped) {
  std::vector<uint64_t> seen;
  for (int i = 0; i < 5; ++i) seen.push_back(SframeHeader::Parse(Encrypt({1}))->ctr);
  EXPECT_EQ(seen, (std::vector<uint64_t>{0, 1, 2, 3, 4}));

  SframeTestPeer::SetNextCounter(sender_, kKid, UINT64_MAX - 1);
  auto a = Encrypt({1}), b = Encrypt({2});
  EXPECT_EQ(SframeHeader::Parse(a)->ctr, UINT64_MAX - 1);
  EXPECT_EQ(SframeHeader::Parse(b)->ctr, UINT64_MAX);
  // CTR 2^64 - 1 is spent: the key refuses every further frame, and stays so.
  for (int i = 0; i < 3; ++i) {
    std::vector<uint8_t> buf(64, 0xcc);
    const auto before = buf;
    auto r = sender_.Encrypt(kKid, {}, buf, 8);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), Error::kCounterExhausted);
    EXPECT_EQ(buf, before);
  }
  EXPECT_EQ(sender_.counters().drops(Error::kCounterExhausted), 3u);
  // Adding the same key again, or removing it and adding it back, does not
  // revive it either.
  ASSERT_TRUE(sender_.AddKey(kKid, key_).ok());
  std::vector<uint8_t> buf(64);
  EXPECT_EQ(sender_.Encrypt(kKid, {}, buf, 8).error(), Error::kCounterExhausted);
  ASSERT_TRUE(sender_.RemoveKey(kKid));
  ASSERT_TRUE(sender_.AddKey(kKid, key_).ok());
  EXPECT_EQ(sender_.Encrypt(kKid, {}, buf, 8).error(), Error::kCounterExhausted);
  // The receiver takes both frames: CTR 2^64 - 1 is valid.
  EXPECT_TRUE(receiver_.Decrypt({}, a).ok());
  EXPECT_TRUE(receiver_.Decrypt({}, b).ok());
}

TEST_P(BadInputTest, ShortBaseKeysAreRefused) {
  for (size_t n : {size_t{0}, size_t{1}, kMinBaseKeySize - 1}) {
    std::vector<uint8_t> k(n, 1);
    EXPECT_EQ(sender_.AddKey(7, k).error(), Error::kInvalidKey);
    EXPECT_EQ(receiver_.AddKey(7, k).error(), Error::kInvalidKey);
  }
  EXPECT_FALSE(sender_.HasKey(7));
  EXPECT_TRUE(receiver_.AddKey(7, std::vector<uint8_t>(kMinBaseKeySize, 1)).ok());
}

TEST_P(BadInputTest, TooLongFrames) {
  std::vector<uint8_t> big(kMaxFrameSize + SframeHeader::kMaxSize + tag_size_ + 1);
  auto r = receiver_.Decrypt({}, big);
  EXPECT_EQ(r.error(), Error::kTooLong);
  auto s = sender_.Encrypt(kKid, {}, big, kMaxFrameSize + 1);
  EXPECT_EQ(s.error(), Error::kTooLong);
}

}  // namespace
}  // namespace aegis::sframe
