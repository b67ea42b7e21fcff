// Resuming a participant whose WebSocket dropped (JoinRequest::resumable):
// it stays for the grace period, its messages are numbered and kept, and a
// new socket that proves the session's secret takes over and gets exactly
// what it missed.
#include <gtest/gtest.h>

#include "server/conference_test_fixture.h"

namespace aegis::server {
namespace {

using namespace conference_testing;  // NOLINT: the fixture is this file's vocabulary

class ConferenceResumeTest : public ConferenceTest {
 protected:
  auth::Claims ClaimsFor(S session, const std::string& room) {
    auth::Claims claims;
    claims.identity = "identity-" + std::to_string(session.n);
    claims.room = room;
    claims.display_name = "name";
    claims.grants = {.publish = true, .subscribe = true, .room_admin = false};
    claims.not_before = 1'700'000'000;
    claims.expires_at = 1'700'000'600;
    return claims;
  }
  std::string JoinResumable(S session, const std::string& room) {
    signaling::JoinRequest request{room, "token", false, std::nullopt, /*resumable=*/true};
    conference_->Join(session, ClaimsFor(session, room), request, now_, {});
    return out_.Last(session, "joined").value("participant_id", "");
  }
  void Resume(S socket, S as, const std::string& room, const std::string& id, const std::string& secret,
              int64_t last_seq) {
    conference_->Resume(socket, ClaimsFor(as, room), signaling::ResumeRequest{room, "token", id, secret, last_seq},
                        now_);
  }
  int64_t LastSeq(S session) { return out_.To(session).back().value("seq", int64_t{-1}); }
  std::vector<std::string> Types(S session) {
    std::vector<std::string> out;
    for (const auto& m : out_.To(session)) out.push_back(m.value("type", ""));
    return out;
  }
};

TEST_F(ConferenceResumeTest, AResumableJoinGetsASecretAndNumberedMessages) {
  JoinResumable(1, "r");
  const auto joined = out_.Last(1, "joined");
  EXPECT_EQ(joined.value("seq", 0), 1);
  ASSERT_TRUE(joined.contains("resume"));
  EXPECT_EQ(joined["resume"].value("token", "").size(), 43u);  // 32 random bytes, base64url
  EXPECT_EQ(joined["resume"].value("grace_s", 0), 15);
  Join(2, "r", "Bob");
  EXPECT_EQ(out_.Last(1, "participant_joined").value("seq", 0), 2);
  // A join that did not ask is neither numbered nor resumable.
  EXPECT_FALSE(out_.Last(2, "joined").contains("seq"));
  EXPECT_FALSE(out_.Last(2, "joined").contains("resume"));
}

TEST_F(ConferenceResumeTest, ADroppedSocketKeepsTheParticipantAndResumingReplaysWhatItMissed) {
  const std::string alice = JoinResumable(1, "r");
  const std::string secret = out_.Last(1, "joined")["resume"].value("token", "");
  Join(2, "r", "Bob");
  const int64_t seen = LastSeq(1);  // participant_joined (Bob)
  Disconnected(1);
  EXPECT_EQ(conference_->participant_count(), 2u);
  EXPECT_EQ(out_.Count(2, "participant_left"), 0u);  // nobody is told: it may come back
  // While it is away: Bob publishes (a track and an offer for Alice).
  out_.Clear();
  Publish(2, PublishSdp({.audio = true, .video = true}));
  EXPECT_EQ(out_.Count(1), 0u);  // no socket to send to
  now_ += TimeDelta::Seconds(10);
  conference_->HandleTimers(now_);
  EXPECT_EQ(conference_->participant_count(), 2u);

  Resume(11, 1, "r", alice, secret, seen);
  const auto got = out_.To(11);
  ASSERT_GE(got.size(), 3u);
  EXPECT_EQ(got[0].value("type", ""), "resumed");
  EXPECT_EQ(got[0].value("participant_id", ""), alice);
  EXPECT_EQ(got[0].value("replayed", 0), static_cast<int64_t>(got.size() - 1));
  for (size_t i = 1; i < got.size(); ++i) EXPECT_EQ(got[i].value("seq", 0), seen + static_cast<int64_t>(i)) << i;
  std::vector<std::string> replayed;
  for (size_t i = 1; i < got.size(); ++i) replayed.push_back(got[i].value("type", ""));
  EXPECT_NE(std::find(replayed.begin(), replayed.end(), "track_published"), replayed.end());
  EXPECT_NE(std::find(replayed.begin(), replayed.end(), "offer"), replayed.end());
  EXPECT_TRUE(out_.closed.empty());

  // From now on the new socket speaks for Alice, and her messages go to it.
  const std::string bob = out_.Last(11, "track_published").value("participant_id", "");
  Send(2, signaling::LeaveRequest{});
  EXPECT_EQ(out_.Last(11, "participant_left").value("participant_id", ""), bob);
  Send(11, signaling::LeaveRequest{});
  EXPECT_EQ(conference_->participant_count(), 0u);
  EXPECT_EQ(out_.closed, (Sessions({2, 11})));
}

TEST_F(ConferenceResumeTest, AWrongSecretOrIdentityIsRefusedAndChangesNothing) {
  const std::string alice = JoinResumable(1, "r");
  const std::string secret = out_.Last(1, "joined")["resume"].value("token", "");
  Join(2, "r", "Bob");
  Disconnected(1);
  std::string wrong = secret;
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  Resume(11, 1, "r", alice, wrong, 1);
  EXPECT_EQ(LastError(11), "resume_failed");
  Resume(12, 2, "r", alice, secret, 1);  // Bob's token, Alice's secret
  EXPECT_EQ(LastError(12), "resume_failed");
  Resume(13, 1, "other", alice, secret, 1);  // another room
  EXPECT_EQ(LastError(13), "resume_failed");
  Resume(14, 1, "r", "p0000000000000000", secret, 1);  // nobody
  EXPECT_EQ(LastError(14), "resume_failed");
  EXPECT_EQ(out_.closed, (Sessions({11, 12, 13, 14})));
  EXPECT_EQ(conference_->participant_count(), 2u);
  // The right one still works.
  Resume(15, 1, "r", alice, secret, 1);
  EXPECT_EQ(out_.Last(15, "resumed").value("participant_id", ""), alice);
}

TEST_F(ConferenceResumeTest, NotResumedWithinTheGracePeriodTheParticipantLeaves) {
  const std::string alice = JoinResumable(1, "r");
  const std::string secret = out_.Last(1, "joined")["resume"].value("token", "");
  Join(2, "r", "Bob");
  Disconnected(1);
  ASSERT_TRUE(conference_->NextTimeout().has_value());
  EXPECT_LE(*conference_->NextTimeout(), now_ + TimeDelta::Seconds(15));
  now_ += TimeDelta::Seconds(15);
  conference_->HandleTimers(now_);
  EXPECT_EQ(out_.Last(2, "participant_left").value("participant_id", ""), alice);
  EXPECT_EQ(conference_->participant_count(), 1u);
  Resume(11, 1, "r", alice, secret, 2);
  EXPECT_EQ(LastError(11), "resume_failed");
}

TEST_F(ConferenceResumeTest, ResumingOverAStillOpenSocketClosesIt) {
  const std::string alice = JoinResumable(1, "r");
  const std::string secret = out_.Last(1, "joined")["resume"].value("token", "");
  // The client saw its socket die; the server has not noticed yet (half-open TCP).
  Resume(11, 1, "r", alice, secret, LastSeq(1));
  EXPECT_EQ(out_.closed, (Sessions({1})));
  EXPECT_EQ(out_.Last(11, "resumed").value("replayed", -1), 0);
  // The old socket's late disconnect changes nothing.
  Disconnected(1);
  EXPECT_EQ(conference_->participant_count(), 1u);
  Join(2, "r", "Bob");
  EXPECT_EQ(out_.Count(11, "participant_joined"), 1u);
  EXPECT_EQ(out_.Count(1, "participant_joined"), 0u);
}

// The resumed socket is its session's: a join (or another resume) on it is
// a second join, never a second participant (found by the conference fuzzer).
TEST_F(ConferenceResumeTest, AResumedSocketCannotJoinOrResumeAgain) {
  const std::string alice = JoinResumable(1, "r");
  const std::string secret = out_.Last(1, "joined")["resume"].value("token", "");
  Disconnected(1);
  Resume(11, 1, "r", alice, secret, LastSeq(1));
  conference_->Join(SessionId(11), ClaimsFor(1, "r"), signaling::JoinRequest{"r", "token", false, std::nullopt, true}, now_, {});
  EXPECT_EQ(LastError(11), "already_joined");
  Resume(11, 1, "r", alice, secret, 1);
  EXPECT_EQ(conference_->participant_count(), 1u);
  EXPECT_EQ(out_.Count(11, "resumed"), 1u);
  EXPECT_TRUE(out_.closed.empty());
}

TEST_F(ConferenceResumeTest, AClaimToHaveSeenMessagesNeverSentEndsTheSession) {
  const std::string alice = JoinResumable(1, "r");
  const std::string secret = out_.Last(1, "joined")["resume"].value("token", "");
  Join(2, "r", "Bob");
  Disconnected(1);
  Resume(11, 1, "r", alice, secret, 1'000);
  EXPECT_EQ(LastError(11), "resume_failed");
  EXPECT_EQ(out_.Last(2, "participant_left").value("participant_id", ""), alice);
}

}  // namespace
}  // namespace aegis::server
