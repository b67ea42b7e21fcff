#include "server/signal_replay.h"

#include <gtest/gtest.h>

namespace aegis::server {
namespace {

std::vector<std::string> Texts(const std::optional<std::vector<const std::string*>>& kept) {
  std::vector<std::string> out;
  for (const std::string* s : *kept) out.push_back(*s);
  return out;
}

TEST(SignalReplay, NumbersEachMessageFirstAndReplaysWhatFollows) {
  SignalReplay replay;
  EXPECT_EQ(replay.Number(R"({"type":"joined","v":2})"), R"({"seq":1,"type":"joined","v":2})");
  EXPECT_EQ(replay.Number("{}"), R"({"seq":2})");
  EXPECT_EQ(replay.Number(R"({"a":1})"), R"({"seq":3,"a":1})");
  EXPECT_EQ(replay.last_seq(), 3u);
  EXPECT_EQ(Texts(replay.After(1)), (std::vector<std::string>{R"({"seq":2})", R"({"seq":3,"a":1})"}));
  EXPECT_TRUE(replay.After(3)->empty());
  EXPECT_EQ(replay.After(0)->size(), 3u);
  EXPECT_FALSE(replay.After(4));  // a number never given: not this session's
}

TEST(SignalReplay, KeepsABoundedTailAndSaysWhenAGapCannotBeFilled) {
  SignalReplay replay;
  for (size_t i = 0; i < SignalReplay::kMaxMessages + 10; ++i) replay.Number("{}");
  EXPECT_FALSE(replay.After(9));   // message 10 is gone
  ASSERT_TRUE(replay.After(10));   // 11.. are all there
  EXPECT_EQ(replay.After(10)->size(), SignalReplay::kMaxMessages);
  // By bytes too: three messages of a megabyte keep only the last two.
  SignalReplay big;
  const std::string mb = "{\"x\":\"" + std::string(700 << 10, 'a') + "\"}";
  for (int i = 0; i < 3; ++i) big.Number(mb);
  EXPECT_FALSE(big.After(0));
  EXPECT_EQ(big.After(1)->size(), 2u);
}

}  // namespace
}  // namespace aegis::server
