// Fuzzes the client message parser. Any input must parse or be refused
// with a code, never crash. Invariants checked (abort on violation):
//   - a parsed message re-serializes to a message that parses to the same
//     value (the canonical form is a fixed point);
//   - the reply the server would send (pong, answer, relayed blob, or the
//     error for a refusal, also with the raw input as its message text)
//     serializes to valid JSON carrying "v":1;
//   - errors carry a code whose wire name maps back to it.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "signaling/client_messages.h"
#include "signaling/server_messages.h"

using namespace aegis::signaling;

namespace {

ServerMessage ReplyTo(const ClientMessage& m) {
  if (const auto* ping = std::get_if<Ping>(&m)) return Pong{ping->seq};
  if (const auto* offer = std::get_if<PublishOffer>(&m)) return PublishAnswer{offer->sdp, std::nullopt};
  if (const auto* blob = std::get_if<KeyBlobSend>(&m)) return KeyBlobRelay{"fuzz-sender", blob->blob};
  if (const auto* join = std::get_if<JoinRequest>(&m)) {
    ParticipantInfo other{"p2", join->token.substr(0, 64), join->identity_key, {}, false, false};
    return Joined{"p1", "room", {other}, true, false, {other}};
  }
  return ParticipantLeft{"p1"};
}

void CheckReply(const ServerMessage& reply) {
  const std::string text = Serialize(reply);
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object() || json.value("v", 0) != 1) abort();
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
    CheckReply(ErrorMessage{parsed.error().code, "", std::string(input), std::nullopt});
    return 0;
  }
  const std::string canonical = Serialize(*parsed);
  auto again = ParseClientMessage(canonical);
  if (!again || !(*again == *parsed)) abort();
  CheckReply(ReplyTo(*parsed));
  return 0;
}
