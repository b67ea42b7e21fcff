#include "cluster/resp.h"

#include <gtest/gtest.h>

#include <string>

namespace aegis::cluster {
namespace {

using Type = RespReply::Type;

RespReply ReadOne(std::string_view bytes) {
  RespReader reader;
  reader.Feed(bytes);
  auto reply = reader.Next();
  EXPECT_TRUE(reply.ok());
  EXPECT_TRUE(reply.ok() && reply.value().has_value());
  return reply.ok() && reply.value() ? *reply.value() : RespReply{};
}

RespError ReadError(std::string_view bytes, RespLimits limits = {}) {
  RespReader reader(limits);
  reader.Feed(bytes);
  auto reply = reader.Next();
  EXPECT_FALSE(reply.ok());
  return reply.ok() ? RespError::kMalformed : reply.error();
}

TEST(RespTest, EncodesCommandsAsBulkStringArrays) {
  EXPECT_EQ(EncodeCommand({"SET", "k", "v\r\n"}), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\r\n\r\n");
  EXPECT_EQ(EncodeCommand({"PING"}), "*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(EncodeCommand({"GET", ""}), "*2\r\n$3\r\nGET\r\n$0\r\n\r\n");
}

TEST(RespTest, ReadsEachType) {
  EXPECT_TRUE(ReadOne("+OK\r\n").IsOk());
  auto error = ReadOne("-WRONGPASS invalid username-password pair\r\n");
  EXPECT_EQ(error.type, Type::kError);
  EXPECT_EQ(error.text, "WRONGPASS invalid username-password pair");
  EXPECT_EQ(ReadOne(":-42\r\n").integer, -42);
  auto bulk = ReadOne("$5\r\na\r\nbc\r\n");
  EXPECT_EQ(bulk.type, Type::kBulkString);
  EXPECT_EQ(bulk.text, "a\r\nbc");
  EXPECT_EQ(ReadOne("$-1\r\n").type, Type::kNil);
  EXPECT_EQ(ReadOne("*-1\r\n").type, Type::kNil);
  auto empty = ReadOne("*0\r\n");
  EXPECT_EQ(empty.type, Type::kArray);
  EXPECT_TRUE(empty.elements.empty());
}

TEST(RespTest, ReadsNestedArrays) {
  // A SCAN reply: cursor, then the keys.
  auto scan = ReadOne("*2\r\n$1\r\n0\r\n*2\r\n$3\r\nn:a\r\n$3\r\nn:b\r\n");
  ASSERT_EQ(scan.type, Type::kArray);
  ASSERT_EQ(scan.elements.size(), 2u);
  EXPECT_EQ(scan.elements[0].text, "0");
  ASSERT_EQ(scan.elements[1].elements.size(), 2u);
  EXPECT_EQ(scan.elements[1].elements[1].text, "n:b");
}

TEST(RespTest, ReadsRepliesArrivingByteByByteAndBackToBack) {
  const std::string wire = "*3\r\n:1\r\n$-1\r\n*1\r\n+x\r\n+OK\r\n$3\r\nabc\r\n";
  RespReader reader;
  std::vector<RespReply> replies;
  for (char c : wire) {
    reader.Feed(std::string_view(&c, 1));
    while (true) {
      auto next = reader.Next();
      ASSERT_TRUE(next.ok());
      if (!next.value()) break;
      replies.push_back(*next.value());
    }
  }
  ASSERT_EQ(replies.size(), 3u);
  ASSERT_EQ(replies[0].elements.size(), 3u);
  EXPECT_EQ(replies[0].elements[2].elements[0].text, "x");
  EXPECT_TRUE(replies[1].IsOk());
  EXPECT_EQ(replies[2].text, "abc");
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(RespTest, RefusesMalformedReplies) {
  EXPECT_EQ(ReadError("?what\r\n"), RespError::kMalformed);
  EXPECT_EQ(ReadError("\r\n"), RespError::kMalformed);
  EXPECT_EQ(ReadError(":12a\r\n"), RespError::kMalformed);
  EXPECT_EQ(ReadError(":\r\n"), RespError::kMalformed);
  EXPECT_EQ(ReadError("$-2\r\n"), RespError::kMalformed);
  EXPECT_EQ(ReadError("*-5\r\n"), RespError::kMalformed);
  EXPECT_EQ(ReadError("$3\r\nabcXY"), RespError::kMalformed);  // no CRLF after the payload
  EXPECT_EQ(ReadError("$+3\r\nabc\r\n"), RespError::kMalformed);
}

TEST(RespTest, BoundsWhatAPeerCanMakeItHold) {
  RespLimits limits;
  limits.max_reply_bytes = 100;
  limits.max_line_bytes = 16;
  limits.max_depth = 2;
  limits.max_elements = 10;
  // A length beyond the reply limit is refused before its bytes arrive.
  EXPECT_EQ(ReadError("$1000\r\n", limits), RespError::kTooLarge);
  // A line that never ends.
  EXPECT_EQ(ReadError(std::string(17, '+'), limits), RespError::kTooLarge);
  EXPECT_EQ(ReadError("*1\r\n*1\r\n*1\r\n", limits), RespError::kTooDeep);
  // Declared counts add up, even across nesting, before any element arrives.
  EXPECT_EQ(ReadError("*11\r\n", limits), RespError::kTooManyElements);
  EXPECT_EQ(ReadError("*2\r\n*5\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n*5\r\n", limits), RespError::kTooManyElements);
  // Many small elements within the count still hit the byte limit.
  std::string many = "*9\r\n";
  for (int i = 0; i < 9; ++i) many += "$8\r\n12345678\r\n";
  EXPECT_EQ(ReadError(many, limits), RespError::kTooLarge);
}

TEST(RespTest, AnErrorIsFinal) {
  RespReader reader;
  reader.Feed("?bad\r\n+OK\r\n");
  EXPECT_FALSE(reader.Next().ok());
  EXPECT_FALSE(reader.Next().ok());
}

}  // namespace
}  // namespace aegis::cluster
