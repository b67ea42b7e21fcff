#include "srtp/replay_window.h"

#include <gtest/gtest.h>

namespace aegis::srtp {
namespace {

Error CheckError(const ReplayWindow& w, uint64_t index) {
  auto r = w.Check(index);
  EXPECT_FALSE(r.ok()) << index;
  return r.ok() ? Error::kCryptoFailure : r.error();
}

TEST(ReplayWindow, EmptyAcceptsAnything) {
  ReplayWindow w;
  EXPECT_TRUE(w.empty());
  EXPECT_TRUE(w.Check(0).ok());
  EXPECT_TRUE(w.Check(123456789).ok());
  w.Update(5000);
  EXPECT_FALSE(w.empty());
  EXPECT_EQ(w.highest(), 5000u);
  EXPECT_EQ(CheckError(w, 5000), Error::kReplayed);
}

TEST(ReplayWindow, InOrderReorderedAndReplayed) {
  ReplayWindow w;
  for (uint64_t i = 100; i < 3000; ++i) {
    ASSERT_TRUE(w.Check(i).ok());
    w.Update(i);
  }
  EXPECT_EQ(w.highest(), 2999u);
  for (uint64_t i = 3000 - ReplayWindow::kSize; i < 3000; ++i) EXPECT_EQ(CheckError(w, i), Error::kReplayed);
  EXPECT_EQ(CheckError(w, 3000 - ReplayWindow::kSize - 1), Error::kTooOld);
  EXPECT_EQ(CheckError(w, 0), Error::kTooOld);

  // A gap: the skipped indices are acceptable once, late, within the window.
  w.Update(3010);
  for (uint64_t i = 3000; i < 3010; ++i) EXPECT_TRUE(w.Check(i).ok()) << i;
  w.Update(3005);
  EXPECT_EQ(CheckError(w, 3005), Error::kReplayed);
  EXPECT_TRUE(w.Check(3004).ok());
  EXPECT_EQ(w.highest(), 3010u);  // a late packet does not move the window
}

TEST(ReplayWindow, EdgesOfTheWindow) {
  ReplayWindow w;
  w.Update(10000);
  const uint64_t oldest = 10000 - ReplayWindow::kSize + 1;
  EXPECT_TRUE(w.Check(oldest).ok());
  EXPECT_EQ(CheckError(w, oldest - 1), Error::kTooOld);
  w.Update(oldest);
  EXPECT_EQ(CheckError(w, oldest), Error::kReplayed);
  // Moving by exactly one forgets exactly the oldest entry.
  w.Update(10001);
  EXPECT_EQ(CheckError(w, oldest), Error::kTooOld);
  EXPECT_EQ(CheckError(w, 10000), Error::kReplayed);
}

TEST(ReplayWindow, LargeJumpsClearStaleBits) {
  // Every jump size, including ones spanning whole words and the full window:
  // indices entering the window must read as unseen even though their ring
  // bits were set by indices kSize (or a multiple) earlier.
  for (uint64_t jump : {1u, 2u, 63u, 64u, 65u, 127u, 128u, 129u, 500u, 1023u, 1024u, 1025u, 5000u}) {
    ReplayWindow w;
    for (uint64_t i = 0; i < 2 * ReplayWindow::kSize; ++i) w.Update(i);
    const uint64_t top = 2 * ReplayWindow::kSize - 1;
    w.Update(top + jump);
    for (uint64_t i = top + 1; i < top + jump; ++i) {
      if (top + jump - i < ReplayWindow::kSize) {
        ASSERT_TRUE(w.Check(i).ok()) << "jump " << jump << " i " << i;
      }
    }
    for (uint64_t i = top + jump >= ReplayWindow::kSize ? top + jump - ReplayWindow::kSize + 1 : 0; i <= top; ++i) {
      ASSERT_EQ(CheckError(w, i), Error::kReplayed) << "jump " << jump << " i " << i;
    }
    EXPECT_EQ(CheckError(w, top + jump), Error::kReplayed);
  }
}

TEST(ReplayWindow, UpdateBehindWindowIsIgnored) {
  ReplayWindow w;
  w.Update(5000);
  // Behind the window (Check says kTooOld); its ring bit stands for 4990,
  // which must stay unseen.
  w.Update(4990 - ReplayWindow::kSize);
  EXPECT_TRUE(w.Check(4990).ok());
  EXPECT_EQ(w.highest(), 5000u);
}

}  // namespace
}  // namespace aegis::srtp
