// The Conference as its rooms' MLS Delivery Service and external sender
// (docs/protocol.md §7). The browsers form one MLS group (RFC 9420) per
// room incarnation; the server keeps what orders and routes its messages:
// the group id, the epoch, who is in the group at which leaf, and the
// leaves of members who left. It reads only the public framing of the MLS
// messages (mls/), never a secret, and signs Remove proposals for members
// who left so that any remaining member can commit them.
//
// Commit sequencing: exactly one commit per epoch wins, the first to
// arrive for the current epoch; the others get mls_stale_epoch and rebase.
// Every member sees the accepted commits in one order on its one socket.
#include <algorithm>

#include "server/conference.h"
#include "server/member.h"

namespace aegis::server {

using signaling::ErrorCode;

namespace {

constexpr size_t kGroupIdSize = 16;

// The session's leaf, if the group has it and it reported one.
std::optional<uint32_t> LeafOf(const MlsGroupState& group, SessionId session) {
  auto it = group.members.find(session);
  return it == group.members.end() ? std::nullopt : it->second;
}

// The MLS message a server message relays, for the test hooks.
struct RelayedMls {
  std::string_view type;
  std::string_view from;  // empty: the server's own
  std::span<const uint8_t> message;
};

std::optional<RelayedMls> RelayedMlsOf(const signaling::ServerMessage& message) {
  if (const auto* m = std::get_if<signaling::MlsCommitRelay>(&message)) return RelayedMls{"mls_commit", m->from, m->commit};
  if (const auto* m = std::get_if<signaling::MlsWelcomeRelay>(&message)) {
    return RelayedMls{"mls_welcome", m->from, m->welcome};
  }
  if (const auto* m = std::get_if<signaling::MlsProposal>(&message)) return RelayedMls{"mls_proposal", {}, m->proposal};
  if (const auto* m = std::get_if<signaling::MlsAppRelay>(&message)) return RelayedMls{"mls_app", m->from, m->message};
  return std::nullopt;
}

}  // namespace

void Conference::SendMls(SessionId session, const signaling::ServerMessage& message, const std::string& text) {
  Deliver(session, text);
  if (!config_.test_hooks) return;
  if (auto relayed = RelayedMlsOf(message)) {
    const Member& to = *members_.at(session);
    config_.test_hooks->OnMlsRelayed(to.room, relayed->type, relayed->from, to.id, relayed->message);
  }
}

const mls::ExternalSenderKey& Conference::ExternalSender() {
  if (!external_sender_) {
    external_sender_ = config_.mls_external_sender
                           ? config_.mls_external_sender
                           : std::make_shared<const mls::ExternalSenderKey>(mls::ExternalSenderKey::Generate(rng_));
  }
  return *external_sender_;
}

bool Conference::CheckKeyPackage(SessionId session, const auth::Claims& claims, const signaling::Blob& key_package) {
  auto refuse = [&](std::string why) {
    SendError(session, ErrorCode::kInvalidField, "key_package refused: " + why, "key_package");
    output_.CloseSignal(session);
    return false;
  };
  auto parsed = mls::ParseMlsMessage(key_package);
  if (!parsed.ok()) return refuse(std::string(mls::ToString(parsed.error())));
  if (parsed->wire_format != mls::WireFormat::kKeyPackage) return refuse("not a KeyPackage");
  if (parsed->cipher_suite != config_.mls_suite) {
    return refuse("cipher suite " + std::to_string(*parsed->cipher_suite) + ", the room's is " +
                  std::to_string(config_.mls_suite));
  }
  // The credential must name this token's subject and display name: nobody
  // can enter a group as someone else (docs/protocol.md §7).
  if (!mls::IsMemberCredential(*parsed->credential, claims.identity, claims.display_name.value_or(""))) {
    return refuse("its credential is not identity<V> || name<V> of this token");
  }
  return true;
}

signaling::MlsGroupInfo Conference::GroupInfo(const MlsGroupState& group, bool create) {
  const auto& sender = ExternalSender().external_sender();
  return {group.group_id, group.epoch, group.suite, {sender.begin(), sender.end()}, create};
}

void Conference::NewGroup(RoomState& room, SessionId creator) {
  MlsGroupState group;
  group.group_id.resize(kGroupIdSize);
  rng_.Fill(group.group_id);
  group.suite = config_.mls_suite;
  // The creator makes the group at epoch 0 and is its leaf 0.
  group.members[creator] = 0;
  room.mls = std::move(group);
}

std::optional<signaling::MlsGroupInfo> Conference::MlsEnter(RoomState& room, const Member& member) {
  if (!room.mls) {
    NewGroup(room, member.session);
    return GroupInfo(*room.mls, /*create=*/true);
  }
  // The members add it when they see its KeyPackage (participant_joined).
  return GroupInfo(*room.mls, /*create=*/false);
}

void Conference::MlsLeave(RoomState& room, SessionId session) {
  if (!room.mls) return;
  MlsGroupState& group = *room.mls;
  auto it = group.members.find(session);
  if (it == group.members.end()) return;  // it waited for a Welcome: nothing to undo
  const std::optional<uint32_t> leaf = it->second;
  group.members.erase(it);
  if (group.members.empty()) {
    // The group ended with its last member. The first MLS participant still
    // waiting (in join order) creates the next one; the others wait for it.
    room.mls.reset();
    auto creator = std::find_if(room.members.begin(), room.members.end(),
                                [&](SessionId s) { return members_.at(s)->key_package.has_value(); });
    if (creator == room.members.end()) return;
    NewGroup(room, *creator);
    for (SessionId s : room.members) {
      if (members_.at(s)->key_package) Send(s, signaling::MlsGroup{GroupInfo(*room.mls, s == *creator)});
    }
    return;
  }
  // A member whose leaf is unknown (it never reported one) cannot be
  // proposed for removal; members remove leaves nobody in the room holds.
  if (!leaf) return;
  group.pending_removals.insert(*leaf);
  const auto proposal = ExternalSender().RemoveProposal(group.group_id, group.epoch, *leaf);
  SendToGroup(group, kNoSession, signaling::MlsProposal{group.epoch, proposal});
}

void Conference::SendToGroup(const MlsGroupState& group, SessionId except, const signaling::ServerMessage& message) {
  const std::string text = signaling::Serialize(message);
  for (const auto& [s, leaf] : group.members) {
    if (s != except) SendMls(s, message, text);
  }
}

void Conference::SendRemoveProposals(const MlsGroupState& group) {
  for (uint32_t leaf : group.pending_removals) {
    const auto proposal = ExternalSender().RemoveProposal(group.group_id, group.epoch, leaf);
    SendToGroup(group, kNoSession, signaling::MlsProposal{group.epoch, proposal});
  }
}

void Conference::HandleMlsCommit(Member& member, const signaling::MlsCommit& commit) {
  RoomState& room = *rooms_.at(member.room);
  auto refuse = [&](std::string why) { SendError(member.session, ErrorCode::kMlsRefused, "commit refused: " + why); };
  if (!room.mls || !room.mls->members.contains(member.session)) return refuse("not a member of the room's group");
  MlsGroupState& group = *room.mls;
  // Another commit won this epoch: the committer processes it (it is on its
  // socket already, before this error) and commits again on top of it.
  if (static_cast<uint64_t>(commit.epoch) < group.epoch) {
    return SendError(member.session, ErrorCode::kMlsStaleEpoch,
                     "epoch " + std::to_string(commit.epoch) + " already ended; the group is at epoch " +
                         std::to_string(group.epoch));
  }
  if (static_cast<uint64_t>(commit.epoch) > group.epoch) return refuse("the group is not at that epoch yet");
  auto parsed = mls::ParseMlsMessage(commit.commit);
  if (!parsed.ok()) return refuse(std::string(mls::ToString(parsed.error())));
  const mls::MlsMessageInfo& info = *parsed;
  if (info.wire_format != mls::WireFormat::kPublicMessage && info.wire_format != mls::WireFormat::kPrivateMessage) {
    return refuse("not a PublicMessage or PrivateMessage");
  }
  if (info.content_type != mls::ContentType::kCommit) return refuse("not a commit");
  if (info.group_id != group.group_id) return refuse("for another group");
  if (info.epoch != group.epoch) return refuse("its epoch is not the message's");
  const std::optional<uint32_t> own_leaf = LeafOf(group, member.session);
  if (info.sender) {
    // External (new member) commits are not part of this protocol.
    if (info.sender->type != mls::SenderType::kMember) return refuse("not from a member");
    if (own_leaf && info.sender->index != *own_leaf) return refuse("signed as another leaf");
  }
  if (commit.welcome.has_value() != !commit.added.empty()) return refuse("a Welcome goes with `added`, and only then");
  if (commit.welcome) {
    auto welcome = mls::ParseMlsMessage(*commit.welcome);
    if (!welcome.ok()) return refuse("welcome: " + std::string(mls::ToString(welcome.error())));
    if (welcome->wire_format != mls::WireFormat::kWelcome) return refuse("welcome is not a Welcome");
    if (welcome->cipher_suite != group.suite) return refuse("welcome for another cipher suite");
  }
  // RFC 9420 §12.2: a commit never removes its committer.
  if (own_leaf && std::find(commit.removed.begin(), commit.removed.end(), int64_t{*own_leaf}) != commit.removed.end()) {
    return refuse("it removes the committer");
  }

  // Accepted: the epoch ends, every member (the committer too) gets the
  // commit in this order, the participants it adds their Welcome.
  group.epoch += 1;
  SendToGroup(group, kNoSession, signaling::MlsCommitRelay{member.id, static_cast<uint64_t>(commit.epoch), commit.commit});
  for (int64_t removed : commit.removed) {
    const auto leaf = static_cast<uint32_t>(removed);
    group.pending_removals.erase(leaf);
    // A present member removed by a commit is out of the group; it needs a
    // new join (and KeyPackage) to come back.
    for (auto it = group.members.begin(); it != group.members.end();) {
      it = it->second == leaf ? group.members.erase(it) : std::next(it);
    }
  }
  for (const std::string& id : commit.added) {
    // Only a participant of this room that waits for a Welcome gets it; an id
    // that left meanwhile (or never was) is skipped, and its leaf, held by
    // nobody in the room, is the members' to remove.
    const auto joiner = std::find_if(room.members.begin(), room.members.end(), [&](SessionId s) {
      const Member& m = *members_.at(s);
      return m.id == id && m.key_package && !group.members.contains(s);
    });
    if (joiner == room.members.end()) continue;
    group.members[*joiner] = std::nullopt;
    const signaling::ServerMessage welcome = signaling::MlsWelcomeRelay{member.id, group.epoch, *commit.welcome};
    SendMls(*joiner, welcome, signaling::Serialize(welcome));
  }
  // Departed members' leaves this commit did not remove are proposed again,
  // signed for the new epoch.
  SendRemoveProposals(group);
}

void Conference::HandleMlsMember(Member& member, const signaling::MlsMember& report) {
  RoomState& room = *rooms_.at(member.room);
  auto refuse = [&](std::string why) { SendError(member.session, ErrorCode::kMlsRefused, "mls_member refused: " + why); };
  if (!room.mls || !room.mls->members.contains(member.session)) {
    return refuse("not in the room's group (wait for a Welcome)");
  }
  MlsGroupState& group = *room.mls;
  if (static_cast<uint64_t>(report.epoch) > group.epoch) return refuse("the group is not at that epoch yet");
  const auto leaf = static_cast<uint32_t>(report.leaf);
  std::optional<uint32_t>& own = group.members[member.session];
  if (own && *own != leaf) return refuse("its leaf is " + std::to_string(*own));
  for (const auto& [s, other] : group.members) {
    if (s != member.session && other == leaf) return refuse("another member holds that leaf");
  }
  own = leaf;
  // A leaf a present member holds is never proposed for removal (it would
  // remove that member), even if a commit failed to list it in `removed`.
  group.pending_removals.erase(leaf);
}

void Conference::HandleMlsApp(Member& member, const signaling::MlsApp& app) {
  RoomState& room = *rooms_.at(member.room);
  auto refuse = [&](std::string why) { SendError(member.session, ErrorCode::kMlsRefused, "mls_app refused: " + why); };
  if (!room.mls || !room.mls->members.contains(member.session)) return refuse("not a member of the room's group");
  const MlsGroupState& group = *room.mls;
  auto parsed = mls::ParseMlsMessage(app.message);
  if (!parsed.ok()) return refuse(std::string(mls::ToString(parsed.error())));
  // Application data is always a PrivateMessage (RFC 9420 §6.2).
  if (parsed->wire_format != mls::WireFormat::kPrivateMessage ||
      parsed->content_type != mls::ContentType::kApplication) {
    return refuse("not a PrivateMessage of content type application");
  }
  if (parsed->group_id != group.group_id) return refuse("for another group");
  // A message sent just before a commit arrived is from the previous epoch:
  // members keep a few epochs' keys, so older epochs are relayed too.
  if (parsed->epoch != static_cast<uint64_t>(app.epoch) || parsed->epoch > group.epoch) {
    return refuse("not for an epoch of this group");
  }
  SendToGroup(group, member.session, signaling::MlsAppRelay{member.id, app.message});
}

}  // namespace aegis::server
