#include "server/http_routes.h"

#include <nlohmann/json.hpp>

#include "auth/jwt.h"
#include "base/hex.h"
#include "signaling/messages.h"

namespace aegis::server {

HttpReply MintDevToken(std::string_view content_type, std::string_view body, const auth::ApiSecret& secret,
                       RandomSource& rng, int64_t unix_now_s) {
  constexpr int64_t kTtlSeconds = 600;
  auto bad = [](std::string why) { return HttpReply{400, "text/plain; charset=utf-8", why + "\n"}; };
  // The media type decides (parameters such as charset do not matter); it
  // must not be one a cross-site form can send without a preflight.
  auto media_type = content_type.substr(0, content_type.find(';'));
  while (!media_type.empty() && media_type.back() == ' ') media_type.remove_suffix(1);
  if (media_type != "application/json") return {415, "text/plain; charset=utf-8", "use application/json\n"};
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return bad("body must be a JSON object");
  const auto room = json.find("room");
  if (room == json.end() || !room->is_string() || !signaling::IsSafeId(room->get<std::string>())) {
    return bad("room must be 1-64 of A-Z a-z 0-9 _ -");
  }
  auth::Claims claims;
  std::array<uint8_t, 8> id;
  rng.Fill(id);
  claims.identity = "dev-" + ToHex(id);
  claims.room = room->get<std::string>();
  claims.grants = {.publish = true, .subscribe = true, .room_admin = false};
  if (const auto name = json.find("name"); name != json.end()) {
    if (!name->is_string()) return bad("name must be a string");
    if (!name->get<std::string>().empty()) claims.display_name = name->get<std::string>();
  }
  claims.not_before = unix_now_s;
  claims.issued_at = unix_now_s;
  claims.expires_at = unix_now_s + kTtlSeconds;
  claims.token_id = auth::NewTokenId(rng);
  auto token = auth::MintToken(claims, secret);
  if (!token) return bad("name must be 1-64 bytes of text without control characters");
  nlohmann::json reply{{"token", *token}, {"room", claims.room}, {"identity", claims.identity}};
  return {200, "application/json", reply.dump()};
}

}  // namespace aegis::server
