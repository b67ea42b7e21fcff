// Session lifecycle and moderation in the Conference: one session per
// identity, token expiry and refresh, revocation, and the room_admin
// requests (kick, mute, lock, end, lobby admit/deny).
#include "server/conference_test_fixture.h"

namespace aegis::server {
namespace {

using namespace conference_testing;  // NOLINT: the fixture is this file's vocabulary

class ConferenceModerationTest : public ConferenceTest {
 protected:
  // Joins `session` as `identity`; returns the participant id ("" if none).
  std::string JoinAs(S session, const std::string& room, const std::string& identity, bool admin = false,
                     const RoomRules& rules = {}, int64_t remaining_s = 600, std::string jti = "") {
    auth::Claims claims;
    claims.identity = identity;
    claims.room = room;
    claims.display_name = identity;
    claims.grants = {.publish = true, .subscribe = true, .room_admin = admin};
    claims.not_before = 1'700'000'000;
    claims.issued_at = 1'700'000'000;
    claims.expires_at = 1'700'000'000 + remaining_s;
    if (!jti.empty()) claims.token_id = jti;
    conference_->Join(session, claims, signaling::JoinRequest{room, "token", false, std::nullopt}, now_, rules,
                      TimeDelta::Seconds(remaining_s));
    if (out_.Count(session, "joined") > 0) return out_.Last(session, "joined").value("participant_id", "");
    if (out_.Count(session, "lobby") > 0) return "lobby";
    return "";
  }
  void Advance(TimeDelta d) {
    now_ = now_ + d;
    conference_->HandleTimers(now_);
  }
  bool Closed(S session) const {
    return std::find(out_.closed.begin(), out_.closed.end(), session) != out_.closed.end();
  }
  std::string LobbyId(S admin) { return out_.Last(admin, "lobby_joined")["participant"]["id"]; }
};

TEST_F(ConferenceModerationTest, TheSameIdentityJoiningAgainReplacesTheOldSession) {
  const std::string first = JoinAs(1, "standup", "ada");
  const std::string bob = JoinAs(2, "standup", "bob");
  const std::string second = JoinAs(3, "standup", "ada");
  ASSERT_FALSE(second.empty());
  EXPECT_NE(first, second);
  EXPECT_EQ(LastError(1), "replaced");
  EXPECT_TRUE(Closed(1));
  EXPECT_EQ(out_.Last(2, "participant_left")["participant_id"], first);
  EXPECT_EQ(out_.Last(2, "participant_joined")["participant"]["id"], second);
  EXPECT_EQ(conference_->participant_count(), 2u);
  // Another room is another session: no replacement there.
  EXPECT_FALSE(JoinAs(4, "other", "ada").empty());
  EXPECT_EQ(out_.Count(3, "error"), 0u);
}

TEST_F(ConferenceModerationTest, ASessionEndsWhenItsTokenExpiresAfterAWarning) {
  JoinAs(1, "standup", "ada", false, {}, /*remaining_s=*/120);
  Advance(TimeDelta::Seconds(59));
  EXPECT_EQ(out_.Count(1, "token_expiring"), 0u);
  Advance(TimeDelta::Seconds(2));
  ASSERT_EQ(out_.Count(1, "token_expiring"), 1u);
  const auto expires_in = out_.Last(1, "token_expiring")["expires_in_s"].get<int64_t>();
  EXPECT_TRUE(expires_in >= 58 && expires_in <= 60) << expires_in;
  Advance(TimeDelta::Seconds(58));
  EXPECT_FALSE(Closed(1));
  Advance(TimeDelta::Seconds(2));
  EXPECT_EQ(LastError(1), "token_expired");
  EXPECT_TRUE(Closed(1));
  EXPECT_EQ(conference_->participant_count(), 0u);
}

TEST_F(ConferenceModerationTest, ARefreshedTokenKeepsTheSession) {
  JoinAs(1, "standup", "ada", false, {}, /*remaining_s=*/120);
  Advance(TimeDelta::Seconds(70));
  ASSERT_EQ(out_.Count(1, "token_expiring"), 1u);
  signaling::RefreshToken refresh;
  refresh.token = "fresh";
  refresh.verified_claims = auth::Claims{};
  refresh.verified_claims->token_id = "j2";
  refresh.verified_remaining_s = 600;
  Send(1, refresh);
  Advance(TimeDelta::Seconds(120));
  EXPECT_FALSE(Closed(1));
  EXPECT_EQ(conference_->participant_count(), 1u);
  Advance(TimeDelta::Seconds(600 - 120 - 59));
  EXPECT_EQ(out_.Count(1, "token_expiring"), 2u);  // warned again, for the new token
  Advance(TimeDelta::Seconds(60));
  EXPECT_EQ(LastError(1), "token_expired");
}

TEST_F(ConferenceModerationTest, ARefreshTheGateDidNotVerifyIsRefused) {
  JoinAs(1, "standup", "ada", false, {}, /*remaining_s=*/120);
  signaling::RefreshToken unverified;
  unverified.token = "a.b.c";
  Send(1, unverified);
  EXPECT_EQ(LastError(1), "internal");
  Advance(TimeDelta::Seconds(121));
  EXPECT_TRUE(Closed(1));
}

TEST_F(ConferenceModerationTest, RevocationEndsMatchingSessionsOnly) {
  JoinAs(1, "standup", "ada", false, {}, 600, "jti-ada");
  JoinAs(2, "standup", "bob", false, {}, 600, "jti-bob");
  JoinAs(3, "other", "ada", false, {}, 600, "jti-ada2");
  conference_->Revoke({"standup", "ada", std::nullopt, 1'700'000'000}, now_);
  EXPECT_EQ(LastError(1), "revoked");
  EXPECT_TRUE(Closed(1));
  EXPECT_FALSE(Closed(2));
  EXPECT_FALSE(Closed(3));  // another room
  // A token issued after an identity revocation is not touched by it.
  JoinAs(4, "standup", "ada", false, {}, 600, "jti-later");
  conference_->Revoke({"standup", "ada", std::nullopt, 1'699'999'999}, now_);
  EXPECT_FALSE(Closed(4));
  conference_->Revoke({"standup", std::nullopt, "jti-bob", 1'700'000'000}, now_);
  EXPECT_EQ(LastError(2), "revoked");
  EXPECT_TRUE(Closed(2));
  EXPECT_EQ(conference_->participant_count(), 2u);
}

TEST_F(ConferenceModerationTest, ErrorsAndAnswersNameTheRequestTheyAnswer) {
  JoinAs(1, "standup", "ada");
  conference_->HandleMessage(SessionId(1), signaling::PublishOffer{"not sdp"}, now_, 17);
  EXPECT_EQ(out_.Last(1, "error")["re"], 17);
  conference_->HandleMessage(SessionId(1), signaling::PublishOffer{PublishSdp({})}, now_, 18);
  EXPECT_EQ(out_.Last(1, "answer")["re"], 18);
  conference_->HandleMessage(SessionId(1), signaling::KickRequest{"p"}, now_);
  EXPECT_FALSE(out_.Last(1, "error").contains("re"));
}

TEST_F(ConferenceModerationTest, RoomAdminRequestsNeedTheGrant) {
  JoinAs(1, "standup", "ada");
  const std::string bob = JoinAs(2, "standup", "bob");
  for (const signaling::ClientMessage& m : std::vector<signaling::ClientMessage>{
           signaling::KickRequest{bob}, signaling::MuteRequest{bob, signaling::TrackKind::kAudio, true},
           signaling::LockRequest{true}, signaling::EndRequest{}, signaling::LobbyDecision{bob, true}}) {
    const size_t errors = out_.Count(1, "error");
    Send(1, m);
    EXPECT_EQ(out_.Count(1, "error"), errors + 1);
    EXPECT_EQ(LastError(1), "forbidden");
  }
  EXPECT_FALSE(Closed(2));
  EXPECT_EQ(out_.Count(2, "muted") + out_.Count(2, "locked"), 0u);
}

TEST_F(ConferenceModerationTest, AnAdminKicksMutesLocksAndEnds) {
  const std::string admin = JoinAs(1, "standup", "ada", /*admin=*/true);
  const std::string bob = JoinAs(2, "standup", "bob");
  const std::string carol = JoinAs(3, "standup", "carol");
  EXPECT_TRUE(out_.Last(1, "joined")["admin"].get<bool>());
  EXPECT_FALSE(out_.Last(2, "joined")["admin"].get<bool>());
  Publish(2, PublishSdp({}));

  Send(1, signaling::MuteRequest{bob, signaling::TrackKind::kAudio, true});
  for (S s : {1, 2, 3}) {
    ASSERT_EQ(out_.Count(s, "muted"), 1u) << s;
    EXPECT_EQ(out_.Last(s, "muted")["participant_id"], bob);
    EXPECT_EQ(out_.Last(s, "muted")["kind"], "audio");
  }
  // A late joiner learns the mute from the participant list.
  JoinAs(4, "standup", "dan");
  const json late_joined = out_.Last(4, "joined");
  for (const auto& p : late_joined["participants"]) {
    if (p["id"] == bob) {
      EXPECT_TRUE(p.value("audio_muted", false));
    }
  }

  Send(1, signaling::KickRequest{carol});
  EXPECT_EQ(LastError(3), "kicked");
  EXPECT_TRUE(Closed(3));
  EXPECT_EQ(out_.Last(2, "participant_left")["participant_id"], carol);
  Send(1, signaling::KickRequest{"p-nobody"});
  EXPECT_EQ(LastError(1), "unknown_participant");

  Send(1, signaling::LockRequest{true});
  EXPECT_TRUE(out_.Last(2, "locked")["locked"].get<bool>());
  EXPECT_EQ(JoinAs(5, "standup", "eve"), "");
  EXPECT_EQ(LastError(5), "room_locked");
  EXPECT_FALSE(JoinAs(6, "standup", "fay", /*admin=*/true).empty());  // admins still enter

  Send(1, signaling::EndRequest{});
  for (S s : {1, 2, 4, 6}) {
    EXPECT_EQ(LastError(s), "room_ended") << s;
    EXPECT_TRUE(Closed(s)) << s;
  }
  EXPECT_EQ(conference_->participant_count(), 0u);
  // The room is gone with its lock: a new call starts unlocked.
  EXPECT_FALSE(JoinAs(7, "standup", "eve").empty());
}

TEST_F(ConferenceModerationTest, TheLobbyHoldsJoinersUntilAnAdminDecides) {
  const RoomRules lobby{.lobby = true};
  JoinAs(1, "standup", "ada", /*admin=*/true, lobby);
  EXPECT_EQ(out_.Count(1, "lobby"), 0u);  // admins never wait
  const std::string bob = JoinAs(2, "standup", "bob", false, lobby);
  EXPECT_EQ(bob, "lobby");
  EXPECT_EQ(out_.Count(2, "joined"), 0u);
  const std::string waiting = LobbyId(1);
  EXPECT_EQ(out_.Last(1, "lobby_joined")["participant"]["name"], "bob");
  // A waiter sees and sends nothing.
  Publish(2, PublishSdp({}));
  EXPECT_EQ(LastError(2), "not_joined");
  Send(2, signaling::MlsApp{0, {1, 2, 3}});
  EXPECT_EQ(LastError(2), "not_joined");
  EXPECT_EQ(out_.Count(1, "mls_app"), 0u);
  EXPECT_EQ(out_.Count(1, "participant_joined"), 0u);
  // An admin who arrives later is told who waits.
  JoinAs(3, "standup", "cat", /*admin=*/true, lobby);
  ASSERT_EQ(out_.Last(3, "joined")["lobby"].size(), 1u);
  EXPECT_EQ(out_.Last(3, "joined")["lobby"][0]["id"], waiting);

  Send(1, signaling::LobbyDecision{waiting, true});
  ASSERT_EQ(out_.Count(2, "joined"), 1u);
  EXPECT_EQ(out_.Last(2, "joined")["participant_id"], waiting);
  EXPECT_EQ(out_.Last(1, "participant_joined")["participant"]["id"], waiting);
  EXPECT_EQ(out_.Last(3, "lobby_left")["participant_id"], waiting);

  JoinAs(4, "standup", "eve", false, lobby);
  Send(3, signaling::LobbyDecision{LobbyId(3), false});
  EXPECT_EQ(LastError(4), "denied");
  EXPECT_TRUE(Closed(4));
  EXPECT_EQ(out_.Count(2, "participant_joined"), 0u);  // eve never entered (cat was there before bob)
  EXPECT_EQ(conference_->participant_count(), 3u);
}

TEST_F(ConferenceModerationTest, AWaiterWhoLeavesOrDisconnectsLeavesTheLobby) {
  const RoomRules lobby{.lobby = true};
  JoinAs(1, "standup", "ada", /*admin=*/true, lobby);
  JoinAs(2, "standup", "bob", false, lobby);
  const std::string waiting = LobbyId(1);
  Disconnected(2);
  EXPECT_EQ(out_.Last(1, "lobby_left")["participant_id"], waiting);
  Send(1, signaling::LobbyDecision{waiting, true});
  EXPECT_EQ(LastError(1), "unknown_participant");
  // A room with only waiters in it is removed when they go.
  JoinAs(3, "solo", "carl", false, lobby);
  Disconnected(3);
  EXPECT_EQ(conference_->participant_count(), 1u);
}

}  // namespace
}  // namespace aegis::server
