#include "signaling/json_fields.h"

#include <cstdint>
#include <span>

#include "auth/base64url.h"
#include "auth/strict_json.h"

namespace aegis::signaling::internal {

using nlohmann::json;

Result<json, ProtocolError> ParseObject(std::string_view text) {
  // Before parsing: a huge message costs nothing but this comparison.
  if (text.size() > kMaxMessageSize) return Err{ProtocolError{ErrorCode::kTooLarge, ""}};
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  auto parsed = auth::ParseStrictJsonObject(bytes);
  if (!parsed) {
    if (parsed.error() == auth::TokenError::kDuplicateKey) {
      return Err{ProtocolError{ErrorCode::kDuplicateKey, ""}};
    }
    return Err{ProtocolError{ErrorCode::kMalformedJson, ""}};
  }
  return std::move(parsed).value();
}

Result<void, ProtocolError> OnlyMembers(const json& object,
                                        std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (std::string_view name : allowed) known = known || key == name;
    // The unknown name is client text: it is not echoed back.
    if (!known) return Err{ProtocolError{ErrorCode::kInvalidField, "(unknown member)"}};
  }
  return {};
}

const json* Member(const json& object, std::string_view name) {
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

Result<std::optional<std::string>, ProtocolError> GetString(const json& object,
                                                            std::string_view name, size_t max_size,
                                                            Presence presence) {
  const json* member = Member(object, name);
  if (member == nullptr) {
    if (presence == Presence::kRequired) return Err{ProtocolError{ErrorCode::kMissingField, name}};
    return std::optional<std::string>{};
  }
  const auto* text = member->get_ptr<const std::string*>();
  if (text == nullptr || text->empty()) return Err{ProtocolError{ErrorCode::kInvalidField, name}};
  if (text->size() > max_size) return Err{ProtocolError{ErrorCode::kTooLarge, name}};
  return std::optional<std::string>{*text};
}

Result<std::optional<std::string>, ProtocolError> GetId(const json& object, std::string_view name,
                                                        Presence presence) {
  auto text = GetString(object, name, kMaxIdSize, presence);
  if (!text) {
    // An over-long id is an invalid id, not a large message.
    if (text.error().code == ErrorCode::kTooLarge) {
      return Err{ProtocolError{ErrorCode::kInvalidField, name}};
    }
    return Err{text.error()};
  }
  if (*text && !IsSafeId(**text)) return Err{ProtocolError{ErrorCode::kInvalidField, name}};
  return std::move(text).value();
}

Result<std::optional<Blob>, ProtocolError> GetBlob(const json& object, std::string_view name,
                                                   size_t max_size, Presence presence) {
  // Encoded length of max_size bytes, unpadded: ceil(4 * n / 3).
  const size_t max_encoded = (max_size * 4 + 2) / 3;
  const json* member = Member(object, name);
  if (member == nullptr) {
    if (presence == Presence::kRequired) return Err{ProtocolError{ErrorCode::kMissingField, name}};
    return std::optional<Blob>{};
  }
  const auto* text = member->get_ptr<const std::string*>();
  if (text == nullptr || text->empty()) return Err{ProtocolError{ErrorCode::kInvalidField, name}};
  // Length first, so an oversized blob is never decoded.
  if (text->size() > max_encoded) return Err{ProtocolError{ErrorCode::kTooLarge, name}};
  auto bytes = auth::Base64UrlDecode(*text);
  if (!bytes) return Err{ProtocolError{ErrorCode::kBadBase64, name}};
  if (bytes->empty() || bytes->size() > max_size) {
    return Err{ProtocolError{ErrorCode::kTooLarge, name}};
  }
  return std::optional<Blob>{std::move(*bytes)};
}

Result<std::optional<bool>, ProtocolError> GetBool(const json& object, std::string_view name,
                                                   Presence presence) {
  const json* member = Member(object, name);
  if (member == nullptr) {
    if (presence == Presence::kRequired) return Err{ProtocolError{ErrorCode::kMissingField, name}};
    return std::optional<bool>{};
  }
  if (!member->is_boolean()) return Err{ProtocolError{ErrorCode::kInvalidField, name}};
  return std::optional<bool>{member->get<bool>()};
}

Result<std::optional<int64_t>, ProtocolError> GetInt(const json& object, std::string_view name,
                                                     int64_t min, int64_t max, Presence presence) {
  const json* member = Member(object, name);
  if (member == nullptr) {
    if (presence == Presence::kRequired) return Err{ProtocolError{ErrorCode::kMissingField, name}};
    return std::optional<int64_t>{};
  }
  // 1.0 and 1e0 are floats to nlohmann and refused here: one spelling per value.
  if (const auto* u = member->get_ptr<const json::number_unsigned_t*>()) {
    if (max < 0 || *u > static_cast<uint64_t>(max) || static_cast<int64_t>(*u) < min) {
      return Err{ProtocolError{ErrorCode::kInvalidField, name}};
    }
    return std::optional<int64_t>{static_cast<int64_t>(*u)};
  }
  if (const auto* i = member->get_ptr<const json::number_integer_t*>()) {
    if (*i < min || *i > max) return Err{ProtocolError{ErrorCode::kInvalidField, name}};
    return std::optional<int64_t>{*i};
  }
  return Err{ProtocolError{ErrorCode::kInvalidField, name}};
}

std::string Dump(const json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

}  // namespace aegis::signaling::internal
