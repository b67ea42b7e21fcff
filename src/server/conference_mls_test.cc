// The Conference as the rooms' MLS Delivery Service and external sender
// (docs/protocol.md §7): group creation, KeyPackage checks, commit
// sequencing, Welcome routing, member reports, application messages and
// the server's signed Remove proposals.
#include "crypto/ed25519.h"
#include "mls/external_sender.h"
#include "mls/test_messages.h"
#include "server/conference_test_fixture.h"

namespace aegis::server {
namespace {

using namespace conference_testing;  // NOLINT: the fixture is this file's vocabulary
using signaling::Blob;

constexpr uint16_t kSuite = mls::kSuiteXWingAes256;  // the ConferenceConfig default

Blob Decode(const json& field) {
  auto bytes = auth::Base64UrlDecode(field.get<std::string>());
  EXPECT_TRUE(bytes.has_value()) << field;
  return bytes.value_or(Blob{});
}

class ConferenceMlsTest : public ConferenceTest {
 protected:
  // The fixture's identity for a session; its credential names it.
  static std::string IdentityOf(S session) { return "identity-" + std::to_string(session.n); }

  // Joins with e2ee and a KeyPackage (by default the right one); returns the
  // participant id ("" if refused).
  std::string JoinMls(S session, const std::string& room, const std::string& name,
                      std::optional<Blob> key_package = std::nullopt, bool admin = false) {
    auth::Claims claims;
    claims.identity = IdentityOf(session);
    claims.room = room;
    claims.display_name = name;
    claims.grants = {.publish = true, .subscribe = true, .room_admin = admin};
    claims.not_before = 1'700'000'000;
    claims.expires_at = 1'700'000'600;
    if (!key_package) key_package = mls::testing::MemberKeyPackage(kSuite, claims.identity, name);
    const size_t before = out_.Count(session, "joined");
    conference_->Join(session, claims, signaling::JoinRequest{room, "token", true, key_package}, now_);
    if (out_.Count(session, "joined") == before) return "";
    return out_.Last(session, "joined").value("participant_id", "");
  }

  json Mls(S session) { return out_.Last(session, "joined")["mls"]; }
  Blob GroupId(S session) { return Decode(Mls(session)["group_id"]); }

  // A commit from `session` at `epoch` of the group `group`: a PrivateMessage
  // unless `leaf` is given (then a PublicMessage signed as that leaf).
  void Commit(S session, const Blob& group, int64_t epoch, std::vector<std::string> added = {},
              std::vector<int64_t> removed = {}, std::optional<uint32_t> leaf = std::nullopt,
              std::optional<int64_t> request_id = std::nullopt) {
    signaling::MlsCommit commit;
    commit.epoch = epoch;
    commit.commit = leaf ? mls::testing::PublicMessage(group, static_cast<uint64_t>(epoch), *leaf,
                                                       mls::ContentType::kCommit)
                         : mls::testing::PrivateMessage(group, static_cast<uint64_t>(epoch), mls::ContentType::kCommit);
    if (!added.empty()) commit.welcome = mls::testing::WelcomeMessage(kSuite, added.size());
    commit.added = std::move(added);
    commit.removed = std::move(removed);
    conference_->HandleMessage(session, commit, now_, request_id);
  }
  void Member(S session, int64_t epoch, int64_t leaf) {
    Send(session, signaling::MlsMember{epoch, leaf});
  }

  // Alice (1) creates the group in `room`, adds Bob (2) and Carol (3) one
  // commit each; all three report their leaves 0, 1, 2. The group is then
  // at epoch 2.
  Blob ThreeMembers(const std::string& room = "standup") {
    const std::string alice = JoinMls(1, room, "Alice");
    const Blob group = GroupId(1);
    bob_ = JoinMls(2, room, "Bob");
    Commit(1, group, 0, {bob_});
    Member(1, 1, 0);
    Member(2, 1, 1);
    carol_ = JoinMls(3, room, "Carol");
    Commit(2, group, 1, {carol_});
    Member(3, 2, 2);
    EXPECT_EQ(out_.Count(1, "error") + out_.Count(2, "error") + out_.Count(3, "error"), 0u);
    alice_ = alice;
    return group;
  }

  // The server's proposal in `message` (an mls_proposal): its framing, and
  // its signature checked with the external sender key announced in joined.
  mls::MlsMessageInfo CheckProposal(const json& message, const Blob& external_sender) {
    const Blob proposal = Decode(message["proposal"]);
    auto parsed = mls::ParseMlsMessage(proposal);
    EXPECT_TRUE(parsed.ok());
    if (!parsed.ok()) return {};
    EXPECT_EQ(parsed->epoch, message["epoch"].get<uint64_t>());
    EXPECT_EQ(parsed->sender, (mls::Sender{mls::SenderType::kExternal, 0}));
    // ExternalSender = signature_key<V> (32 bytes) || credential.
    EXPECT_EQ(external_sender.at(0), 32);
    const std::span<const uint8_t> key(external_sender.data() + 1, 32);
    const size_t tbs_size = proposal.size() - 66;  // signature<V>: 2-byte length, 64 bytes
    const auto tbs = std::span(proposal).first(tbs_size);
    EXPECT_TRUE(crypto::Ed25519Verify(key, mls::SignContent("FramedContentTBS", tbs),
                                      std::span(proposal).subspan(tbs_size + 2)));
    return std::move(parsed).value();
  }

  std::string alice_, bob_, carol_;
};

TEST_F(ConferenceMlsTest, FirstJoinerCreatesTheGroupTheNextOneWaitsWithItsKeyPackageAnnounced) {
  const std::string alice = JoinMls(1, "standup", "Alice");
  ASSERT_FALSE(alice.empty());
  const json mls = Mls(1);
  EXPECT_TRUE(mls["create"].get<bool>());
  EXPECT_EQ(mls["epoch"], 0);
  EXPECT_EQ(mls["suite"], 83);
  EXPECT_EQ(GroupId(1).size(), 16u);
  const Blob external_sender = Decode(mls["external_sender"]);
  EXPECT_EQ(external_sender.size(), 1u + 32 + 2 + 1 + 12);  // key, basic credential "aegis-server"

  const Blob bob_key_package = mls::testing::MemberKeyPackage(kSuite, IdentityOf(2), "Bob");
  const std::string bob = JoinMls(2, "standup", "Bob", bob_key_package);
  ASSERT_FALSE(bob.empty());
  EXPECT_FALSE(Mls(2)["create"].get<bool>());
  EXPECT_EQ(GroupId(2), GroupId(1));
  EXPECT_EQ(Decode(Mls(2)["external_sender"]), external_sender);
  // Alice learns Bob's KeyPackage and identity (to add him and check his leaf).
  const json announced = out_.Last(1, "participant_joined")["participant"];
  EXPECT_EQ(announced["identity"], IdentityOf(2));
  EXPECT_EQ(Decode(announced["key_package"]), bob_key_package);
  const json listed = out_.Last(2, "joined")["participants"][0];
  EXPECT_EQ(listed["identity"], IdentityOf(1));
  EXPECT_TRUE(listed.contains("key_package"));
  // Nothing to commit, nobody to welcome yet: Bob waits.
  EXPECT_EQ(out_.Count(2, "mls_welcome"), 0u);

  // A participant without E2EE gets no group, and its identity stays private.
  Join(3, "standup", "Carol");
  EXPECT_FALSE(out_.Last(3, "joined").contains("mls"));
  const json carol = out_.Last(1, "participant_joined")["participant"];
  EXPECT_FALSE(carol.contains("identity"));
  EXPECT_FALSE(carol.contains("key_package"));
  // Another room has its own group.
  JoinMls(4, "other", "Dan");
  EXPECT_TRUE(Mls(4)["create"].get<bool>());
  EXPECT_NE(GroupId(4), GroupId(1));
}

TEST_F(ConferenceMlsTest, ACommitAtTheCurrentEpochWinsTheOthersAreStale) {
  JoinMls(1, "standup", "Alice");
  const Blob group = GroupId(1);
  const std::string bob = JoinMls(2, "standup", "Bob");
  Commit(1, group, 0, {bob});
  // The committer gets its own commit back (it applies it only then).
  ASSERT_EQ(out_.Count(1, "mls_commit"), 1u);
  EXPECT_EQ(out_.Last(1, "mls_commit")["from"], out_.Last(1, "joined")["participant_id"]);
  EXPECT_EQ(out_.Last(1, "mls_commit")["epoch"], 0);
  EXPECT_EQ(out_.Count(2, "mls_commit"), 0u);  // Bob starts from the Welcome
  Member(2, 1, 1);

  const std::string carol = JoinMls(3, "standup", "Carol");
  out_.Clear();
  // Both members commit on epoch 1 (say, both adding Carol): Bob's is first.
  Commit(2, group, 1, {carol});
  Commit(1, group, 1, {carol}, {}, std::nullopt, /*request_id=*/77);
  for (S s : {1, 2}) {
    ASSERT_EQ(out_.Count(s, "mls_commit"), 1u) << s;
    EXPECT_EQ(out_.Last(s, "mls_commit")["from"], bob);
    EXPECT_EQ(out_.Last(s, "mls_commit")["epoch"], 1);
    EXPECT_EQ(Decode(out_.Last(s, "mls_commit")["commit"]),
              mls::testing::PrivateMessage(group, 1, mls::ContentType::kCommit));
  }
  const json stale = out_.Last(1, "error");
  EXPECT_EQ(stale["code"], "mls_stale_epoch");
  EXPECT_EQ(stale["re"], 77);
  // One socket, one order: the winning commit before the refusal.
  EXPECT_EQ(out_.log, (std::vector<std::string>{"signal 1 mls_commit", "signal 2 mls_commit", "signal 3 mls_welcome",
                                                "signal 1 error"}));
  EXPECT_EQ(out_.Count(3, "mls_welcome"), 1u);  // once, from the winner
  EXPECT_EQ(out_.Last(3, "mls_welcome")["from"], bob);
  EXPECT_EQ(out_.Last(3, "mls_welcome")["epoch"], 2);

  // The next epoch is 2; Alice rebases and wins it. Carol is a member now.
  out_.Clear();
  Commit(1, group, 2);
  EXPECT_EQ(out_.Count(1, "error"), 0u);
  for (S s : {1, 2, 3}) EXPECT_EQ(out_.Count(s, "mls_commit"), 1u) << s;
  // A commit for an epoch not reached yet is refused, not stale.
  Commit(2, group, 9);
  EXPECT_EQ(LastError(2), "mls_refused");
}

TEST_F(ConferenceMlsTest, TheWelcomeGoesOnlyToTheListedJoiner) {
  JoinMls(1, "standup", "Alice");
  const Blob group = GroupId(1);
  const std::string bob = JoinMls(2, "standup", "Bob");
  JoinMls(3, "standup", "Carol");
  const std::string dan = Join(4, "standup", "Dan");  // no E2EE: cannot be welcomed
  const std::string eve = JoinMls(5, "other", "Eve");  // another room
  Commit(1, group, 0, {bob, dan, eve});
  EXPECT_EQ(out_.Count(1, "error"), 0u);
  ASSERT_EQ(out_.Count(2, "mls_welcome"), 1u);
  const json welcome = out_.Last(2, "mls_welcome");
  EXPECT_EQ(welcome["epoch"], 1);
  EXPECT_EQ(Decode(welcome["welcome"]), mls::testing::WelcomeMessage(kSuite, 3));
  for (S s : {3, 4, 5}) EXPECT_EQ(out_.Count(s, "mls_welcome"), 0u) << s;
  // Bob is a member now (and gets commits); Carol still waits.
  Commit(1, group, 1);
  EXPECT_EQ(out_.Count(2, "mls_commit"), 1u);
  EXPECT_EQ(out_.Count(3, "mls_commit"), 0u);
  // A Welcome for someone already in the group is not sent again.
  Commit(1, group, 2, {bob});
  EXPECT_EQ(out_.Count(2, "mls_welcome"), 1u);
}

TEST_F(ConferenceMlsTest, AKeyPackageForAnotherIdentityOrSuiteIsRefused) {
  ASSERT_FALSE(JoinMls(1, "standup", "Alice").empty());
  struct Case {
    const char* why;
    Blob key_package;
  };
  const Case cases[] = {
      {"another identity", mls::testing::MemberKeyPackage(kSuite, IdentityOf(1), "Bob")},
      {"another name", mls::testing::MemberKeyPackage(kSuite, IdentityOf(2), "Bobby")},
      {"no name split", mls::testing::KeyPackageMessage(kSuite, Blob{'i', 'd', 'e', 'n'})},
      {"another suite", mls::testing::MemberKeyPackage(mls::kSuiteX25519Aes128, IdentityOf(2), "Bob")},
      {"not a KeyPackage", mls::testing::WelcomeMessage(kSuite)},
      {"malformed", Blob{0, 1, 0, 5, 0}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.why);
    out_.Clear();
    EXPECT_TRUE(JoinMls(2, "standup", "Bob", c.key_package).empty());
    const json error = out_.Last(2, "error");
    EXPECT_EQ(error["code"], "invalid_field");
    EXPECT_EQ(error["field"], "key_package");
    EXPECT_EQ(out_.closed, (Sessions({2})));
    EXPECT_EQ(out_.Count(1), 0u);  // Alice heard of nothing
  }
  // A refused KeyPackage does not replace the identity's live session: a
  // second session of Alice's identity with someone else's KeyPackage.
  out_.Clear();
  auth::Claims claims;
  claims.identity = IdentityOf(1);
  claims.room = "standup";
  claims.display_name = "Alice";
  claims.expires_at = 1'700'000'600;
  conference_->Join(SessionId(7), claims,
                    signaling::JoinRequest{"standup", "token", true,
                                           mls::testing::MemberKeyPackage(kSuite, IdentityOf(9), "Alice")},
                    now_);
  EXPECT_EQ(LastError(7), "invalid_field");
  EXPECT_EQ(out_.Count(1), 0u);  // not "replaced"
  EXPECT_EQ(conference_->participant_count(), 1u);
}

TEST_F(ConferenceMlsTest, TheSuiteIsTheServersOption) {
  ConferenceConfig config;
  config.candidates = {kServer1};
  config.dtls_context = ServerContext();
  config.mls_suite = mls::kSuiteX25519Aes128;
  SeededRandom key_rng(3);
  config.mls_external_sender = std::make_shared<const mls::ExternalSenderKey>(mls::ExternalSenderKey::Generate(key_rng));
  const Blob expected_sender = config.mls_external_sender->external_sender();
  conference_ = std::make_unique<Conference>(std::move(config), out_, rng_);
  EXPECT_TRUE(JoinMls(1, "standup", "Alice").empty());  // an X-Wing KeyPackage
  EXPECT_FALSE(
      JoinMls(2, "standup", "Bob", mls::testing::MemberKeyPackage(mls::kSuiteX25519Aes128, IdentityOf(2), "Bob"))
          .empty());
  EXPECT_EQ(Mls(2)["suite"], 1);
  EXPECT_EQ(Decode(Mls(2)["external_sender"]), expected_sender);  // the process's key, not a new one
}

TEST_F(ConferenceMlsTest, ALeaversLeafIsProposedForRemovalUntilACommitRemovesIt) {
  const Blob group = ThreeMembers();
  const Blob external_sender = Decode(Mls(1)["external_sender"]);
  out_.Clear();
  Send(2, signaling::LeaveRequest{});  // Bob, leaf 1
  for (S s : {1, 3}) {
    ASSERT_EQ(out_.Count(s, "mls_proposal"), 1u) << s;
    const auto proposal = CheckProposal(out_.Last(s, "mls_proposal"), external_sender);
    EXPECT_EQ(proposal.group_id, group);
    EXPECT_EQ(proposal.epoch, 2u);
    ASSERT_TRUE(proposal.proposal.has_value());
    EXPECT_EQ(proposal.proposal->proposal_type, mls::kProposalRemove);
    EXPECT_EQ(proposal.proposal->removed, 1u);
  }
  // participant_left first, then the proposal.
  EXPECT_EQ(out_.To(1)[0]["type"], "participant_left");

  // An unrelated commit: the proposal comes again, signed for the new epoch.
  out_.Clear();
  Commit(3, group, 2);
  for (S s : {1, 3}) {
    ASSERT_EQ(out_.Count(s, "mls_proposal"), 1u) << s;
    EXPECT_EQ(out_.To(s).back()["type"], "mls_proposal");  // after the commit
    const auto proposal = CheckProposal(out_.Last(s, "mls_proposal"), external_sender);
    EXPECT_EQ(proposal.epoch, 3u);
    EXPECT_EQ(proposal.proposal->removed, 1u);
  }
  // A commit that lists leaf 1 in `removed`: no more proposals.
  out_.Clear();
  Commit(1, group, 3, {}, {1});
  EXPECT_EQ(out_.Count(1, "mls_commit"), 1u);
  EXPECT_EQ(out_.Count(1, "mls_proposal") + out_.Count(3, "mls_proposal"), 0u);
  Commit(1, group, 4);
  EXPECT_EQ(out_.Count(1, "mls_proposal") + out_.Count(3, "mls_proposal"), 0u);
}

TEST_F(ConferenceMlsTest, KickAndDisconnectAreProposedForRemovalToo) {
  JoinMls(1, "standup", "Alice", std::nullopt, /*admin=*/true);
  const Blob group = GroupId(1);
  const Blob external_sender = Decode(Mls(1)["external_sender"]);
  const std::string bob = JoinMls(2, "standup", "Bob");
  const std::string carol = JoinMls(3, "standup", "Carol");
  Commit(1, group, 0, {bob, carol});
  Member(2, 1, 1);
  Member(3, 1, 2);
  out_.Clear();
  Send(1, signaling::KickRequest{bob});
  ASSERT_EQ(out_.Count(1, "mls_proposal"), 1u);
  EXPECT_EQ(CheckProposal(out_.Last(1, "mls_proposal"), external_sender).proposal->removed, 1u);
  Disconnected(3);
  ASSERT_EQ(out_.Count(1, "mls_proposal"), 2u);
  EXPECT_EQ(CheckProposal(out_.Last(1, "mls_proposal"), external_sender).proposal->removed, 2u);
  // Both pending: after the next commit, both come again.
  out_.Clear();
  Commit(1, group, 1);
  EXPECT_EQ(out_.Count(1, "mls_proposal"), 2u);
}

TEST_F(ConferenceMlsTest, AMemberWithoutAReportedLeafIsNotProposed) {
  JoinMls(1, "standup", "Alice");
  const Blob group = GroupId(1);
  const std::string bob = JoinMls(2, "standup", "Bob");
  Commit(1, group, 0, {bob});
  out_.Clear();
  Disconnected(2);  // welcomed, never said which leaf it took
  EXPECT_EQ(out_.Count(1, "participant_left"), 1u);
  EXPECT_EQ(out_.Count(1, "mls_proposal"), 0u);
}

TEST_F(ConferenceMlsTest, WhenTheLastMemberLeavesTheFirstWaiterCreatesANewGroup) {
  JoinMls(1, "standup", "Alice");
  const Blob old_group = GroupId(1);
  JoinMls(2, "standup", "Bob");    // waits for a Welcome that never comes
  JoinMls(3, "standup", "Carol");  // too
  Join(4, "standup", "Dan");       // no E2EE
  out_.Clear();
  Send(1, signaling::LeaveRequest{});
  ASSERT_EQ(out_.Count(2, "mls_group"), 1u);
  const json created = out_.Last(2, "mls_group");
  EXPECT_TRUE(created["create"].get<bool>());
  EXPECT_EQ(created["epoch"], 0);
  EXPECT_EQ(created["suite"], 83);
  const Blob new_group = Decode(created["group_id"]);
  EXPECT_EQ(new_group.size(), 16u);
  EXPECT_NE(new_group, old_group);
  ASSERT_EQ(out_.Count(3, "mls_group"), 1u);
  EXPECT_FALSE(out_.Last(3, "mls_group")["create"].get<bool>());
  EXPECT_EQ(Decode(out_.Last(3, "mls_group")["group_id"]), new_group);
  EXPECT_EQ(out_.Count(4, "mls_group"), 0u);
  EXPECT_EQ(out_.Count(2, "mls_proposal") + out_.Count(3, "mls_proposal"), 0u);  // nobody to remove from
}

TEST_F(ConferenceMlsTest, TheNewCreatorCommitsOnTheNewGroup) {
  JoinMls(1, "standup", "Alice");
  const Blob old_group = GroupId(1);
  JoinMls(2, "standup", "Bob");
  const std::string carol = JoinMls(3, "standup", "Carol");
  Send(1, signaling::LeaveRequest{});
  const Blob new_group = Decode(out_.Last(2, "mls_group")["group_id"]);
  out_.Clear();
  Commit(2, old_group, 0, {carol});  // the old group is gone
  EXPECT_EQ(LastError(2), "mls_refused");
  Commit(2, new_group, 0, {carol});
  EXPECT_EQ(out_.Count(2, "mls_commit"), 1u);
  EXPECT_EQ(out_.Count(3, "mls_welcome"), 1u);
  // Everybody gone: the room (and its group) is gone; the next joiner creates.
  Send(2, signaling::LeaveRequest{});
  Send(3, signaling::LeaveRequest{});
  JoinMls(4, "standup", "Dan");
  EXPECT_TRUE(Mls(4)["create"].get<bool>());
  EXPECT_NE(GroupId(4), new_group);
}

TEST_F(ConferenceMlsTest, ApplicationMessagesStayInTheRoomsGroup) {
  const Blob group_a = ThreeMembers("alpha");
  JoinMls(4, "beta", "Dan");
  const Blob group_b = GroupId(4);
  const std::string erin = JoinMls(5, "beta", "Erin");
  Commit(4, group_b, 0, {erin});
  const std::string frank = JoinMls(6, "alpha", "Frank");  // waits in alpha
  out_.Clear();
  const Blob message = mls::testing::PrivateMessage(group_a, 2, mls::ContentType::kApplication, 40);
  Send(1, signaling::MlsApp{2, message});
  for (S s : {2, 3}) {
    ASSERT_EQ(out_.Count(s, "mls_app"), 1u) << s;
    EXPECT_EQ(out_.Last(s, "mls_app")["from"], alice_);
    EXPECT_EQ(Decode(out_.Last(s, "mls_app")["message"]), message);
  }
  EXPECT_EQ(out_.Count(1, "mls_app"), 0u);  // not echoed
  EXPECT_EQ(out_.Count(6, "mls_app"), 0u);  // not in the group yet
  for (S s : {4, 5}) EXPECT_EQ(out_.Count(s), 0u) << s;  // another room hears nothing

  // A message from the previous epoch (sent before a commit arrived) passes.
  Send(2, signaling::MlsApp{1, mls::testing::PrivateMessage(group_a, 1, mls::ContentType::kApplication)});
  EXPECT_EQ(out_.Count(1, "mls_app"), 1u);
  // Room beta's group id from room alpha: refused, relayed nowhere.
  out_.Clear();
  Send(1, signaling::MlsApp{1, mls::testing::PrivateMessage(group_b, 1, mls::ContentType::kApplication)});
  EXPECT_EQ(LastError(1), "mls_refused");
  for (S s : {2, 3, 4, 5, 6}) EXPECT_EQ(out_.Count(s), 0u) << s;
  // Not an application PrivateMessage, an epoch ahead, or the epochs disagree.
  Send(1, signaling::MlsApp{2, mls::testing::PrivateMessage(group_a, 2, mls::ContentType::kCommit)});
  Send(1, signaling::MlsApp{2, mls::testing::PublicMessage(group_a, 2, 0, mls::ContentType::kApplication)});
  Send(1, signaling::MlsApp{3, mls::testing::PrivateMessage(group_a, 3, mls::ContentType::kApplication)});
  Send(1, signaling::MlsApp{1, mls::testing::PrivateMessage(group_a, 2, mls::ContentType::kApplication)});
  Send(6, signaling::MlsApp{2, message});  // Frank is no member yet
  EXPECT_EQ(out_.Count(1, "error"), 5u);
  EXPECT_EQ(out_.Count(6, "error"), 1u);
  for (S s : {1, 2, 3, 4, 5, 6}) EXPECT_EQ(out_.Count(s, "mls_app"), 0u) << s;
  (void)frank;
}

TEST_F(ConferenceMlsTest, CommitsFromNonMembersOrForOtherGroupsAreRefused) {
  JoinMls(1, "standup", "Alice");
  const Blob group = GroupId(1);
  const std::string bob = JoinMls(2, "standup", "Bob");
  Join(3, "standup", "Carol");  // no E2EE
  JoinMls(4, "other", "Dan");
  const Blob other_group = GroupId(4);
  out_.Clear();
  Commit(2, group, 0);  // Bob waits for a Welcome: not a member
  Commit(3, group, 0);  // Carol is no MLS participant
  Commit(4, group, 0);  // Dan's room has another group
  EXPECT_EQ(LastError(2), "mls_refused");
  EXPECT_EQ(LastError(3), "mls_refused");
  EXPECT_EQ(LastError(4), "mls_refused");

  struct Case {
    const char* why;
    signaling::MlsCommit commit;
  };
  auto with = [&](Blob bytes, std::optional<Blob> welcome = std::nullopt, std::vector<std::string> added = {},
                  std::vector<int64_t> removed = {}) {
    return signaling::MlsCommit{0, std::move(bytes), std::move(welcome), std::move(added), std::move(removed)};
  };
  const Case cases[] = {
      {"another group", with(mls::testing::PrivateMessage(other_group, 0, mls::ContentType::kCommit))},
      {"the message's epoch differs", with(mls::testing::PrivateMessage(group, 1, mls::ContentType::kCommit))},
      {"a proposal", with(mls::testing::PrivateMessage(group, 0, mls::ContentType::kProposal))},
      {"application data", with(mls::testing::PrivateMessage(group, 0, mls::ContentType::kApplication))},
      {"a Welcome", with(mls::testing::WelcomeMessage(kSuite))},
      {"malformed", with(Blob{0, 1, 0, 2, 0x10})},
      {"trailing bytes", with([&] {
         auto b = mls::testing::PrivateMessage(group, 0, mls::ContentType::kCommit);
         b.push_back(0);
         return b;
       }())},
      {"a Welcome without added", with(mls::testing::PrivateMessage(group, 0, mls::ContentType::kCommit),
                                       mls::testing::WelcomeMessage(kSuite))},
      {"added without a Welcome",
       with(mls::testing::PrivateMessage(group, 0, mls::ContentType::kCommit), std::nullopt, {bob})},
      {"a Welcome of another suite", with(mls::testing::PrivateMessage(group, 0, mls::ContentType::kCommit),
                                          mls::testing::WelcomeMessage(mls::kSuiteX25519Aes128), {bob})},
      {"a malformed Welcome", with(mls::testing::PrivateMessage(group, 0, mls::ContentType::kCommit),
                                   Blob{0, 1, 0, 3, 0}, {bob})},
      {"removes the committer (leaf 0)",
       with(mls::testing::PrivateMessage(group, 0, mls::ContentType::kCommit), std::nullopt, {}, {0})},
      {"signed as another leaf", with(mls::testing::PublicMessage(group, 0, 5, mls::ContentType::kCommit))},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.why);
    out_.Clear();
    conference_->HandleMessage(SessionId(1), c.commit, now_, 5);
    const json error = out_.Last(1, "error");
    EXPECT_EQ(error["code"], "mls_refused");
    EXPECT_EQ(error["re"], 5);
    EXPECT_EQ(out_.Count(1, "mls_commit"), 0u);
    EXPECT_EQ(out_.Count(2, "mls_welcome"), 0u);
  }
  // The epoch did not move: a good commit at epoch 0 still wins, as a
  // PublicMessage signed as the creator's leaf 0.
  out_.Clear();
  Commit(1, group, 0, {bob}, {}, 0u);
  EXPECT_EQ(out_.Count(1, "error"), 0u);
  EXPECT_EQ(out_.Count(2, "mls_welcome"), 1u);
}

TEST_F(ConferenceMlsTest, MemberReports) {
  JoinMls(1, "standup", "Alice");
  const Blob group = GroupId(1);
  const std::string bob = JoinMls(2, "standup", "Bob");
  const std::string carol = JoinMls(3, "standup", "Carol");
  Member(2, 0, 1);  // before its Welcome
  EXPECT_EQ(LastError(2), "mls_refused");
  Commit(1, group, 0, {bob, carol});
  Member(1, 0, 0);  // the creator confirms leaf 0
  Member(2, 1, 1);
  EXPECT_EQ(out_.Count(1, "error") + out_.Count(2, "error"), 1u);  // only the early one
  Member(3, 2, 2);  // an epoch the group has not reached
  EXPECT_EQ(LastError(3), "mls_refused");
  Member(3, 1, 1);  // Bob's leaf
  EXPECT_EQ(LastError(3), "mls_refused");
  Member(1, 1, 3);  // the creator is leaf 0, not 3
  EXPECT_EQ(LastError(1), "mls_refused");
  Member(3, 1, 2);
  EXPECT_EQ(out_.Count(3, "error"), 2u);
  // A member signs commits as its own leaf only.
  out_.Clear();
  Commit(3, group, 1, {}, {}, 1u);
  EXPECT_EQ(LastError(3), "mls_refused");
  Commit(3, group, 1, {}, {}, 2u);
  EXPECT_EQ(out_.Count(3, "mls_commit"), 1u);
}

// What aegis-test-server's hooks see (src/app/test_hooks_impl.h).
class RecordingHooks final : public ConferenceTestHooks {
 public:
  struct Relay {
    std::string room, type, from, to;
    Blob message;
  };
  explicit RecordingHooks(Blob substitute) : substitute_(std::move(substitute)) {}
  void OnPublisherRtp(std::string_view, bool, std::span<const uint8_t>) override {}
  std::optional<Blob> AnnouncedKeyPackage(std::string_view room, size_t join_index, const Blob&) override {
    asked.push_back(std::string(room) + ":" + std::to_string(join_index));
    if (join_index != 1) return std::nullopt;
    return substitute_;
  }
  void OnMlsRelayed(std::string_view room, std::string_view type, std::string_view from, std::string_view to,
                    std::span<const uint8_t> message) override {
    relays.push_back({std::string(room), std::string(type), std::string(from), std::string(to),
                      Blob(message.begin(), message.end())});
  }
  void OnParticipantRemoved(std::string_view room, std::string_view id) override {
    removed.push_back(std::string(room) + ":" + std::string(id));
  }
  std::vector<std::string> asked, removed;
  std::vector<Relay> relays;

 private:
  Blob substitute_;
};

TEST_F(ConferenceMlsTest, TestHooksSubstituteTheSecondJoinersKeyPackageAndSeeEveryMlsRelay) {
  // Bob's credential with another init key: what a key-substituting server announces.
  Blob substitute = mls::testing::MemberKeyPackage(kSuite, IdentityOf(2), "Bob");
  substitute.at(12) ^= 0xFF;
  RecordingHooks hooks(substitute);
  MakeConference(64, 1000, &hooks);
  const std::string alice = JoinMls(1, "standup", "Alice");
  const Blob group = GroupId(1);
  const Blob bob_own = mls::testing::MemberKeyPackage(kSuite, IdentityOf(2), "Bob");
  const std::string bob = JoinMls(2, "standup", "Bob", bob_own);
  // Alice is told the substitute, and so is a later joiner; Carol's own stands.
  EXPECT_EQ(Decode(out_.Last(1, "participant_joined")["participant"]["key_package"]), substitute);
  const std::string carol = JoinMls(3, "standup", "Carol");
  EXPECT_EQ(hooks.asked, (std::vector<std::string>{"standup:0", "standup:1", "standup:2"}));
  const json carol_joined = out_.Last(3, "joined");  // a named copy: a range-for does not keep a temporary's member alive
  for (const json& p : carol_joined["participants"]) {
    EXPECT_EQ(Decode(p["key_package"]) == substitute, p["id"] == bob) << p["id"];
  }
  EXPECT_NE(Decode(out_.Last(1, "participant_joined")["participant"]["key_package"]), substitute);

  // Alice adds "Bob" (the Welcome goes to the real Bob, as without the hook)
  // and Carol; every relay is seen once per recipient with its bytes.
  Commit(1, group, 0, {bob, carol});
  ASSERT_EQ(out_.Count(2, "mls_welcome"), 1u);
  Member(1, 1, 0);
  Member(3, 1, 2);
  const Blob chat = mls::testing::PrivateMessage(group, 1, mls::ContentType::kApplication, 40);
  Send(1, signaling::MlsApp{1, chat});
  Send(3, signaling::LeaveRequest{});
  EXPECT_EQ(hooks.removed, std::vector<std::string>{"standup:" + carol});
  std::vector<std::string> seen;
  for (const auto& r : hooks.relays) {
    EXPECT_EQ(r.room, "standup");
    seen.push_back(r.type + " " + r.from + ">" + r.to);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "mls_commit " + alice + ">" + alice, "mls_welcome " + alice + ">" + bob,
                      "mls_welcome " + alice + ">" + carol, "mls_app " + alice + ">" + bob,
                      "mls_app " + alice + ">" + carol, "mls_proposal >" + alice, "mls_proposal >" + bob}));
  ASSERT_EQ(hooks.relays.size(), 7u);
  EXPECT_EQ(hooks.relays[0].message, Decode(out_.Last(1, "mls_commit")["commit"]));
  EXPECT_EQ(hooks.relays[1].message, Decode(out_.Last(2, "mls_welcome")["welcome"]));
  EXPECT_EQ(hooks.relays[3].message, chat);
  EXPECT_EQ(hooks.relays[5].message, Decode(out_.Last(1, "mls_proposal")["proposal"]));
  MakeConference();  // before `hooks` goes
}

TEST_F(ConferenceMlsTest, ParticipantsWithoutAKeyPackageTakeNoPart) {
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  EXPECT_FALSE(out_.Last(2, "joined").contains("mls"));
  const json alice = out_.Last(2, "joined")["participants"][0];
  EXPECT_FALSE(alice.contains("identity") || alice.contains("key_package")) << alice;
  Send(1, signaling::MlsApp{0, mls::testing::PrivateMessage(Blob(16, 1), 0, mls::ContentType::kApplication)});
  EXPECT_EQ(LastError(1), "mls_refused");
  Send(1, signaling::MlsMember{0, 0});
  EXPECT_EQ(LastError(1), "mls_refused");
  EXPECT_EQ(out_.Count(2, "mls_app"), 0u);
}

}  // namespace
}  // namespace aegis::server
