// Client → server signaling messages (docs/protocol.md §3) and their strict
// parser. Every message is one JSON object {"v":1,"type":"...",...}:
//
//   join              {room, token, e2ee?, identity_key?}
//   publish           {sdp}     offer for the publisher connection
//   subscribe_answer  {sdp}     answer to the server's subscriber offer
//   leave             {}
//   key_blob          {to?, blob}  opaque E2EE blob, relayed, never read
//   ping              {seq?}
//
// ParseClientMessage refuses anything outside this: unknown members and
// unknown types included, so two parsers can never disagree on a message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "base/result.h"
#include "signaling/messages.h"
#include "signaling/protocol_error.h"

namespace aegis::signaling {

struct JoinRequest {
  // The room the client asks for; must equal the token's room, so a token
  // for one room can never be used to enter another.
  std::string room;
  std::string token;  // access token; verified by the session, not here
  bool e2ee = false;  // the client can do end-to-end encryption
  std::optional<Blob> identity_key;  // present iff e2ee; public key, opaque here
  bool operator==(const JoinRequest&) const = default;
};

struct PublishOffer {
  std::string sdp;
  bool operator==(const PublishOffer&) const = default;
};

struct SubscribeAnswer {
  std::string sdp;
  bool operator==(const SubscribeAnswer&) const = default;
};

struct LeaveRequest {
  bool operator==(const LeaveRequest&) const = default;
};

struct KeyBlobSend {
  std::optional<std::string> to;  // a participant id; absent = everyone else in the room
  Blob blob;                      // 1..kMaxKeyBlobSize bytes
  bool operator==(const KeyBlobSend&) const = default;
};

// Highest integer a JavaScript number holds exactly.
inline constexpr int64_t kMaxSeq = (int64_t{1} << 53) - 1;

struct Ping {
  std::optional<int64_t> seq;  // 0..kMaxSeq, echoed in pong
  bool operator==(const Ping&) const = default;
};

using ClientMessage =
    std::variant<JoinRequest, PublishOffer, SubscribeAnswer, LeaveRequest, KeyBlobSend, Ping>;

Result<ClientMessage, ProtocolError> ParseClientMessage(std::string_view json);

// The canonical encoding (what a conforming client sends); used by tests,
// the fuzzer and native clients. ParseClientMessage(Serialize(m)) == m.
std::string Serialize(const ClientMessage& message);

}  // namespace aegis::signaling
