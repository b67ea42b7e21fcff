// Fuzzes the client message parser. Any input must parse or be refused
// with a code, never crash. Invariants checked (abort on violation):
//   - a parsed message re-serializes to a message that parses to the same
//     value (the canonical form is a fixed point);
//   - the reply the server would send (pong, answer, relayed MLS commit or
//     application message, joined with its MLS group, or the
//     error for a refusal, also with the raw input as its message text)
//     serializes to valid JSON carrying "v":2;
//   - only an mls_commit parses when over 64 KiB.
//   - errors carry a code whose wire name maps back to it.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "signaling/client_messages.h"
#include "signaling/json_fields.h"
#include "signaling/server_messages.h"

using namespace aegis::signaling;

namespace {

ServerMessage ReplyTo(const ClientMessage& m) {
  if (const auto* ping = std::get_if<Ping>(&m)) return Pong{ping->seq};
  if (const auto* offer = std::get_if<PublishOffer>(&m)) {
    // A publish that names sources: the room hears of its first track, with that source.
    if (!offer->sources.empty()) {
      const auto& [mid, source] = *offer->sources.begin();
      return TrackPublished{"p1", {"t" + mid, KindOf(source), source}};
    }
    return PublishAnswer{offer->sdp, std::nullopt};
  }
  if (const auto* join = std::get_if<JoinRequest>(&m)) {
    ParticipantInfo other{"p2", join->token.substr(0, 64),
                          {{"t1", TrackKind::kAudio}, {"t2", TrackKind::kVideo, TrackSource::kScreen}}, false, false,
                          join->token.substr(0, 64), join->key_package};
    std::optional<MlsGroupInfo> mls;
    if (join->key_package) mls = MlsGroupInfo{Blob(16, 1), 0, 83, Blob(48, 2), true};
    return Joined{"p1", "room", {other}, true, false, {other}, mls, {IceServer{{"turn:t:3478"}, join->token.substr(0, 64), "c"}}};
  }
  if (const auto* commit = std::get_if<MlsCommit>(&m)) {
    return MlsCommitRelay{"p1", static_cast<uint64_t>(commit->epoch), commit->commit};
  }
  if (const auto* app = std::get_if<MlsApp>(&m)) return MlsAppRelay{"p1", app->message};
  if (const auto* member = std::get_if<MlsMember>(&m)) {
    return MlsGroup{MlsGroupInfo{Blob(16, 1), static_cast<uint64_t>(member->epoch), 1, Blob(48, 2), false}};
  }
  return ParticipantLeft{"p1"};
}

void CheckReply(const ServerMessage& reply) {
  const std::string text = Serialize(reply);
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object() || json.value("v", 0) != kProtocolVersion) abort();
  if (internal::Dump(json) != text) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseClientMessage(input);
  if (!parsed) {
    const auto back = ErrorCodeFromWireName(WireName(parsed.error().code));
    if (!back || *back != parsed.error().code) abort();
    CheckReply(MakeError(parsed.error()));
    // Arbitrary (possibly invalid UTF-8, overlong) text in an error message
    // must still serialize to valid JSON, never throw.
    const ErrorMessage raw{parsed.error().code, "", std::string(input), std::nullopt};
    CheckReply(raw);
    const nlohmann::json expected = {{"code", WireName(raw.code)},
                                     {"message", raw.message.substr(0, kMaxErrorMessageSize)},
                                     {"type", "error"},
                                     {"v", kProtocolVersion}};
    if (Serialize(raw) != internal::Dump(expected)) abort();
    return 0;
  }
  if (size > kMaxMessageSize && !std::holds_alternative<MlsCommit>(*parsed)) abort();
  const std::string canonical = Serialize(*parsed);
  auto again = ParseClientMessage(canonical);
  if (!again || !(*again == *parsed)) abort();
  CheckReply(ReplyTo(*parsed));
  return 0;
}
