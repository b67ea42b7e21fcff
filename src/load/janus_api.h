// The parts of the Janus 1.x HTTP API (JSON over POST /janus..., events by
// long poll GET /janus/<session>) that aegis-load's videoroom peer speaks,
// sans-IO: request bodies and a parser for what comes back. No HTTP here
// (janus_http_link.h carries it).
//
// Request paths: POST <base> creates a session, POST <base>/<session>
// attaches a plugin handle (and takes keepalives), POST <base>/<session>/
// <handle> sends a plugin message, GET <base>/<session>?maxev=N returns up to
// N queued events as a JSON array (a keepalive after 30 s without any).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace aegis::load::janus {

inline constexpr const char* kVideoRoomPlugin = "janus.plugin.videoroom";

// http://HOST[:PORT]/PATH, HOST an IPv4 address or a name (plain HTTP only;
// the Janus transport in bench/janus/ has no TLS).
struct JanusUrl {
  std::string host;
  std::string port = "80";
  std::string path;  // e.g. "/janus"; required, no trailing slash
  static std::optional<JanusUrl> Parse(std::string_view url);
};

struct Jsep {
  std::string type;  // "offer" or "answer"
  std::string sdp;
};

std::string CreateSessionRequest(std::string_view transaction);
std::string AttachRequest(std::string_view transaction, std::string_view plugin = kVideoRoomPlugin);
std::string KeepaliveRequest(std::string_view transaction);
// A plugin message; the jsep is sent with trickle false: every candidate
// the client has (none, with a controlling agent toward an ICE-lite
// server) is in the SDP.
std::string MessageRequest(std::string_view transaction, const nlohmann::json& body,
                           const std::optional<Jsep>& jsep = std::nullopt);

// One reply or event. `janus` is the message type: "success", "ack",
// "error" answer a POST; "event", "webrtcup", "media", "hangup", "slowlink",
// "detached", "timeout", "keepalive" come by long poll.
struct Message {
  std::string janus;
  std::string transaction;
  uint64_t sender = 0;   // the handle an event is about
  uint64_t data_id = 0;  // "success" of create/attach: the new session or handle id
  // "error": the core's error; an "event" whose plugin data has error_code:
  // the plugin's.
  std::optional<int> error_code;
  std::string error_reason;
  nlohmann::json plugin_data;  // plugindata.data (an object, or null)
  std::optional<Jsep> jsep;
  std::string reason;  // "hangup": why
};

struct ParsedBody {
  bool array = false;  // a long poll's answer (maxev > 1 always gives an array)
  std::vector<Message> messages;
};

// nullopt if `body` is not a JSON object or array of objects.
std::optional<ParsedBody> ParseBody(std::string_view body);

}  // namespace aegis::load::janus
