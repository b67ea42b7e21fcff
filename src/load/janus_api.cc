#include "load/janus_api.h"

#include <charconv>

namespace aegis::load::janus {
namespace {

using nlohmann::json;

std::string String(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

uint64_t Id(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

std::optional<Message> ParseMessage(const json& j) {
  if (!j.is_object()) return std::nullopt;
  Message m;
  m.janus = String(j, "janus");
  if (m.janus.empty()) return std::nullopt;
  m.transaction = String(j, "transaction");
  m.sender = Id(j, "sender");
  m.reason = String(j, "reason");
  if (auto data = j.find("data"); data != j.end() && data->is_object()) m.data_id = Id(*data, "id");
  if (auto error = j.find("error"); error != j.end() && error->is_object()) {
    if (auto code = error->find("code"); code != error->end() && code->is_number_integer()) {
      m.error_code = code->get<int>();
    }
    m.error_reason = String(*error, "reason");
  }
  if (auto pd = j.find("plugindata"); pd != j.end() && pd->is_object()) {
    if (auto data = pd->find("data"); data != pd->end() && data->is_object()) {
      m.plugin_data = *data;
      if (auto code = data->find("error_code"); code != data->end() && code->is_number_integer()) {
        m.error_code = code->get<int>();
        m.error_reason = String(*data, "error");
      }
    }
  }
  if (auto jsep = j.find("jsep"); jsep != j.end() && jsep->is_object()) {
    Jsep js{String(*jsep, "type"), String(*jsep, "sdp")};
    if (!js.type.empty() && !js.sdp.empty()) m.jsep = std::move(js);
  }
  return m;
}

}  // namespace

std::optional<JanusUrl> JanusUrl::Parse(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  url.remove_prefix(kScheme.size());
  JanusUrl u;
  const size_t slash = url.find('/');
  if (slash == std::string_view::npos) return std::nullopt;  // the API lives under a base path
  std::string_view authority = url.substr(0, slash);
  u.path = std::string(url.substr(slash));
  while (u.path.size() > 1 && u.path.back() == '/') u.path.pop_back();
  if (u.path == "/") return std::nullopt;
  if (authority.find('[') != std::string_view::npos) return std::nullopt;  // IPv4 or a name only
  if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) return std::nullopt;
    u.port = std::string(port);
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return std::nullopt;
  u.host = std::string(authority);
  return u;
}

std::string CreateSessionRequest(std::string_view transaction) {
  return json{{"janus", "create"}, {"transaction", transaction}}.dump();
}

std::string AttachRequest(std::string_view transaction, std::string_view plugin) {
  return json{{"janus", "attach"}, {"plugin", plugin}, {"transaction", transaction}}.dump();
}

std::string KeepaliveRequest(std::string_view transaction) {
  return json{{"janus", "keepalive"}, {"transaction", transaction}}.dump();
}

std::string MessageRequest(std::string_view transaction, const json& body, const std::optional<Jsep>& jsep) {
  json j{{"janus", "message"}, {"transaction", transaction}, {"body", body}};
  if (jsep) j["jsep"] = {{"type", jsep->type}, {"sdp", jsep->sdp}, {"trickle", false}};
  return j.dump();
}

std::optional<ParsedBody> ParseBody(std::string_view body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  ParsedBody out;
  if (j.is_array()) {
    out.array = true;
    for (const auto& item : j) {
      auto m = ParseMessage(item);
      if (!m) return std::nullopt;
      out.messages.push_back(std::move(*m));
    }
    return out;
  }
  auto m = ParseMessage(j);
  if (!m) return std::nullopt;
  out.messages.push_back(std::move(*m));
  return out;
}

}  // namespace aegis::load::janus
