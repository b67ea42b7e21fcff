// The process-wide stack: one per process, one thread, and several
// associations side by side on it (as on an SFU worker).
#include "sctp/sctp_stack.h"

#include <gtest/gtest.h>

#include <thread>

#include "sctp/sctp_association.h"
#include "sctp/usrsctp_test_hooks.h"

namespace aegis::sctp {
namespace {

TEST(SctpStackDeathTest, UseFromAnotherThreadAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        SctpStack stack(Timestamp::Millis(0));
        std::thread([&] { stack.AdvanceTo(Timestamp::Millis(10)); }).join();
      },
      "thread other than its owner");
}

TEST(SctpStackDeathTest, SecondStackAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        SctpStack first(Timestamp::Millis(0));
        SctpStack second(Timestamp::Millis(0));
      },
      "a second SctpStack");
}

TEST(SctpStack, AdvanceFeedsWholeMillisecondsAndNeverGoesBack) {
  SctpStack stack(Timestamp::Millis(1000));
  EXPECT_EQ(stack.NextTick(), Timestamp::Millis(1010));
  stack.AdvanceTo(Timestamp::Micros(1'004'999));
  EXPECT_EQ(stack.NextTick(), Timestamp::Millis(1014));
  stack.AdvanceTo(Timestamp::Millis(500));  // earlier: ignored
  EXPECT_EQ(stack.NextTick(), Timestamp::Millis(1014));
  stack.AdvanceTo(Timestamp::Millis(1000 + 20LL * 24 * 3600 * 1000));  // 20 days: two slices of 2^30 ms
  EXPECT_EQ(stack.NextTick(), Timestamp::Millis(1010 + 20LL * 24 * 3600 * 1000));
}

// Two client/server pairs on one stack, all on port 5000: each association
// gets only its own packets and messages.
TEST(SctpStack, AssociationsOnOneStackStayApart) {
  FakeClock clock;
  testing::SeedUsrsctpRandom(3);
  testing::SetSimulatedWallClock(&clock);
  {
    SctpStack stack(clock.Now());
    SctpConfig client_config;
    SctpConfig server_config;
    server_config.role = SctpRole::kServer;
    std::unique_ptr<SctpAssociation> c[2], s[2];
    for (int i = 0; i < 2; ++i) {
      c[i] = SctpAssociation::Create(stack, client_config);
      s[i] = SctpAssociation::Create(stack, server_config);
      ASSERT_TRUE(c[i] && s[i]);
      ASSERT_TRUE(s[i]->Connect(clock.Now()).ok());
      ASSERT_TRUE(c[i]->Connect(clock.Now()).ok());
    }
    EXPECT_EQ(stack.association_count(), 4u);
    std::vector<SctpEvent> events[2];
    std::vector<uint8_t> stray;  // one of pair 0's packets, for the wrong server
    auto run = [&](TimeDelta d) {
      const Timestamp end = clock.Now() + d;
      while (clock.Now() < end) {
        clock.Advance(TimeDelta::Millis(5));
        for (int i = 0; i < 2; ++i) {
          c[i]->HandleTimeout(clock.Now());
          s[i]->HandleTimeout(clock.Now());
          while (auto p = c[i]->PollTransmit()) {
            if (i == 0 && stray.empty() && c[0]->state() == SctpAssociation::State::kConnected) stray = *p;
            s[i]->HandleInput(*p, clock.Now());
          }
          while (auto p = s[i]->PollTransmit()) c[i]->HandleInput(*p, clock.Now());
          while (auto e = s[i]->PollEvent()) events[i].push_back(std::move(*e));
          while (c[i]->PollEvent()) {
          }
        }
      }
    };
    run(TimeDelta::Millis(200));
    for (int i = 0; i < 2; ++i) ASSERT_EQ(s[i]->state(), SctpAssociation::State::kConnected) << i;
    uint16_t ids[2];
    for (int i = 0; i < 2; ++i) {
      auto id = c[i]->OpenChannel({});
      ASSERT_TRUE(id.ok());
      ids[i] = *id;
    }
    run(TimeDelta::Millis(200));
    for (int i = 0; i < 2; ++i) {
      const std::vector<uint8_t> m(100 + i, static_cast<uint8_t>(i));
      ASSERT_TRUE(c[i]->Send(ids[i], m, true).ok());
    }
    run(TimeDelta::Millis(200));
    // Pair 0's packet handed to pair 1's server: wrong verification tag.
    ASSERT_FALSE(stray.empty());
    s[1]->HandleInput(stray, clock.Now());
    run(TimeDelta::Millis(200));
    for (int i = 0; i < 2; ++i) {
      std::vector<Message> got;
      for (auto& e : events[i]) {
        if (auto* m = std::get_if<Message>(&e)) got.push_back(*m);
      }
      ASSERT_EQ(got.size(), 1u) << i;
      EXPECT_EQ(got[0].data, std::vector<uint8_t>(100 + i, static_cast<uint8_t>(i)));
      EXPECT_EQ(s[i]->state(), SctpAssociation::State::kConnected);
    }
    EXPECT_EQ(stack.unknown_address_outputs(), 0u);
    for (int i = 0; i < 2; ++i) {
      c[i].reset();
      s[i].reset();
    }
  }
  testing::SetSimulatedWallClock(nullptr);
}

}  // namespace
}  // namespace aegis::sctp
