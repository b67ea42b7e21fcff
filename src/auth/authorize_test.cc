#include "auth/authorize.h"

#include <gtest/gtest.h>

namespace aegis::auth {
namespace {

Claims For(std::string room, Grants grants) {
  Claims c;
  c.identity = "alice";
  c.room = std::move(room);
  c.grants = grants;
  c.not_before = 0;
  c.expires_at = 1;
  return c;
}

TokenError AuthorizeError(const Claims& c, std::string_view room, Action action) {
  auto r = Authorize(c, room, action);
  EXPECT_FALSE(r);
  return r ? TokenError::kWeakSecret : r.error();
}

constexpr Action kAllActions[] = {Action::kJoin, Action::kPublish, Action::kSubscribe, Action::kAdmin};

TEST(Authorize, AllGrantsAllowEverythingInTheirRoom) {
  Claims c = For("roomA", {.publish = true, .subscribe = true, .room_admin = true});
  for (Action a : kAllActions) EXPECT_TRUE(Authorize(c, "roomA", a));
}

TEST(Authorize, OtherRoomIsRefusedForEveryAction) {
  Claims c = For("roomA", {.publish = true, .subscribe = true, .room_admin = true});
  for (Action a : kAllActions) {
    EXPECT_EQ(AuthorizeError(c, "roomB", a), TokenError::kWrongRoom);
    EXPECT_EQ(AuthorizeError(c, "rooma", a), TokenError::kWrongRoom);   // case matters
    EXPECT_EQ(AuthorizeError(c, "roomA ", a), TokenError::kWrongRoom);  // no trimming
    EXPECT_EQ(AuthorizeError(c, "", a), TokenError::kWrongRoom);
  }
  EXPECT_EQ(AuthorizeError(For("", {}), "", Action::kJoin), TokenError::kWrongRoom);
}

TEST(Authorize, EachActionNeedsItsOwnGrant) {
  Claims none = For("r", {});
  EXPECT_TRUE(Authorize(none, "r", Action::kJoin));
  EXPECT_EQ(AuthorizeError(none, "r", Action::kPublish), TokenError::kGrantMissing);
  EXPECT_EQ(AuthorizeError(none, "r", Action::kSubscribe), TokenError::kGrantMissing);
  EXPECT_EQ(AuthorizeError(none, "r", Action::kAdmin), TokenError::kGrantMissing);

  Claims viewer = For("r", {.publish = false, .subscribe = true, .room_admin = false});
  EXPECT_TRUE(Authorize(viewer, "r", Action::kSubscribe));
  EXPECT_EQ(AuthorizeError(viewer, "r", Action::kPublish), TokenError::kGrantMissing);

  Claims publisher = For("r", {.publish = true, .subscribe = false, .room_admin = false});
  EXPECT_TRUE(Authorize(publisher, "r", Action::kPublish));
  EXPECT_EQ(AuthorizeError(publisher, "r", Action::kSubscribe), TokenError::kGrantMissing);
  EXPECT_EQ(AuthorizeError(publisher, "r", Action::kAdmin), TokenError::kGrantMissing);

  // room_admin implies nothing else.
  Claims admin = For("r", {.publish = false, .subscribe = false, .room_admin = true});
  EXPECT_TRUE(Authorize(admin, "r", Action::kAdmin));
  EXPECT_EQ(AuthorizeError(admin, "r", Action::kPublish), TokenError::kGrantMissing);
  EXPECT_EQ(AuthorizeError(admin, "r", Action::kSubscribe), TokenError::kGrantMissing);
}

TEST(Authorize, RoomIsCheckedBeforeGrants) {
  Claims none = For("roomA", {});
  EXPECT_EQ(AuthorizeError(none, "roomB", Action::kPublish), TokenError::kWrongRoom);
}

}  // namespace
}  // namespace aegis::auth
