#include "cluster/node_record.h"

#include <gtest/gtest.h>

namespace aegis::cluster {
namespace {

TEST(NodeRecordTest, RoundTripsThroughJson) {
  NodeRecord r;
  r.id = "node-1";
  r.signaling_url = "https://10.0.0.1:8443";
  r.media_addresses = {"10.0.0.1", "2001:db8::1"};
  r.version = "0.1.0";
  r.max_participants = 1000;
  r.rooms = 3;
  r.participants = 17;
  r.worker_busy = 0.25;
  r.updated_ms = 1765160000000;
  auto back = NodeRecordFromJson(ToJson(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, r.id);
  EXPECT_EQ(back->signaling_url, r.signaling_url);
  EXPECT_EQ(back->media_addresses, r.media_addresses);
  EXPECT_EQ(back->participants, 17);
  EXPECT_DOUBLE_EQ(back->worker_busy, 0.25);
  EXPECT_EQ(back->updated_ms, r.updated_ms);
  EXPECT_EQ(NodeKey("node-1"), "aegis:node:node-1");
}

TEST(NodeRecordTest, RefusesRecordsMissingFieldsOrWithBadIds) {
  EXPECT_FALSE(NodeRecordFromJson("not json"));
  EXPECT_FALSE(NodeRecordFromJson("[]"));
  NodeRecord r;
  r.id = "n";
  r.signaling_url = "u";
  std::string good = ToJson(r);
  EXPECT_TRUE(NodeRecordFromJson(good));
  r.id = "bad id";
  EXPECT_FALSE(NodeRecordFromJson(ToJson(r)));
  r.id = std::string(65, 'a');
  EXPECT_FALSE(NodeRecordFromJson(ToJson(r)));
  EXPECT_FALSE(NodeRecordFromJson(R"({"id":"n","signaling_url":"u","version":"v","max_participants":1,)"
                                  R"("rooms":"3","participants":0,"worker_busy":0,"updated_ms":0,"media_addresses":[]})"));
  EXPECT_FALSE(NodeRecordFromJson(R"({"id":"n","signaling_url":"u","version":"v","max_participants":1,)"
                                  R"("rooms":3,"participants":0,"worker_busy":0,"updated_ms":0,"media_addresses":[1]})"));
  EXPECT_TRUE(NodeRecordFromJson(R"({"id":"n","signaling_url":"u","version":"v","max_participants":1,)"
                                 R"("rooms":3,"participants":0,"worker_busy":0,"updated_ms":0,"media_addresses":[]})"));
  EXPECT_FALSE(NodeRecordFromJson(R"({"id":"n","signaling_url":"u","version":"v","max_participants":1,)"
                                  R"("rooms":3,"participants":0,"updated_ms":0,"media_addresses":[]})"));
}

TEST(NodeRecordTest, NodeIdsAreShortAndPlain) {
  EXPECT_TRUE(IsValidNodeId("eu-west.1_a"));
  EXPECT_FALSE(IsValidNodeId(""));
  EXPECT_FALSE(IsValidNodeId("a:b"));
  EXPECT_FALSE(IsValidNodeId("a*"));
}

}  // namespace
}  // namespace aegis::cluster
