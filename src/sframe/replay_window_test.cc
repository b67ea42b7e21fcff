// The per-KID anti-replay window over CTR.
#include "sframe/replay_window.h"

#include <gtest/gtest.h>

namespace aegis::sframe {
namespace {

// Check, then Update as the receiver does once a frame authenticated.
bool Fresh(ReplayWindow& w, uint64_t ctr) {
  if (!w.Check(ctr).ok()) return false;
  w.Update(ctr);
  return true;
}

TEST(SframeReplayWindow, InOrderOutOfOrderAndRepeats) {
  ReplayWindow w;
  EXPECT_TRUE(Fresh(w, 5));
  EXPECT_FALSE(Fresh(w, 5));
  EXPECT_TRUE(Fresh(w, 3));  // below the highest but never seen
  EXPECT_FALSE(Fresh(w, 3));
  EXPECT_TRUE(Fresh(w, 100));
  EXPECT_TRUE(Fresh(w, 4));
  EXPECT_EQ(w.Check(100).error(), Error::kReplayed);
}

TEST(SframeReplayWindow, EdgesOfTheWindow) {
  ReplayWindow w;
  const uint64_t top = 5000;
  ASSERT_TRUE(Fresh(w, top));
  EXPECT_TRUE(w.Check(top - ReplayWindow::kSize + 1).ok());  // oldest still inside
  EXPECT_EQ(w.Check(top - ReplayWindow::kSize).error(), Error::kTooOld);
  ASSERT_TRUE(Fresh(w, top - ReplayWindow::kSize + 1));
  // One step up pushes that CTR out.
  ASSERT_TRUE(Fresh(w, top + 1));
  EXPECT_EQ(w.Check(top - ReplayWindow::kSize + 1).error(), Error::kTooOld);
}

TEST(SframeReplayWindow, JumpsForgetOnlyWhatLeftTheWindow) {
  ReplayWindow w;
  for (uint64_t c = 0; c < 64; ++c) ASSERT_TRUE(Fresh(w, c));
  ASSERT_TRUE(Fresh(w, 700));  // a jump smaller than the window
  for (uint64_t c = 0; c < 64; ++c) EXPECT_FALSE(Fresh(w, c)) << c;
  for (uint64_t c = 64; c < 700; c += 37) EXPECT_TRUE(Fresh(w, c)) << c;
  // A jump past the whole window: CTRs whose ring bits were set earlier must
  // read as fresh (they are new CTRs), older ones as too old.
  ASSERT_TRUE(Fresh(w, 700 + 3 * ReplayWindow::kSize));
  EXPECT_TRUE(Fresh(w, 700 + 3 * ReplayWindow::kSize - 1));
  EXPECT_TRUE(Fresh(w, 64 + 3 * ReplayWindow::kSize));  // ring bit of CTR 64
  EXPECT_EQ(w.Check(700).error(), Error::kTooOld);
}

TEST(SframeReplayWindow, TopOfTheCounterSpace) {
  ReplayWindow w;
  ASSERT_TRUE(Fresh(w, UINT64_MAX - 1));
  ASSERT_TRUE(Fresh(w, UINT64_MAX));
  EXPECT_FALSE(Fresh(w, UINT64_MAX));
  EXPECT_FALSE(Fresh(w, UINT64_MAX - 1));
  EXPECT_TRUE(Fresh(w, UINT64_MAX - 2));
  EXPECT_EQ(w.Check(0).error(), Error::kTooOld);
}

TEST(SframeReplayWindow, FirstFrameMayHaveAnyCounter) {
  ReplayWindow w;
  EXPECT_TRUE(Fresh(w, 123456789));
  EXPECT_TRUE(Fresh(w, 123456789 - 1000));
}

}  // namespace
}  // namespace aegis::sframe
