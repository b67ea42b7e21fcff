#include "signaling/json_fields.h"

#include <cstdint>
#include <span>

#include "auth/base64url.h"
#include "auth/strict_json.h"

namespace aegis::signaling::internal {

using nlohmann::json;

Result<json, ProtocolError> ParseObject(std::string_view text, size_t max_size) {
  // Before parsing: a huge message costs nothing but this comparison.
  if (text.size() > max_size) return Err{ProtocolError{ErrorCode::kTooLarge, ""}};
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

namespace {

// An integer (no fraction, no exponent) in [min, max], or nullopt.
std::optional<int64_t> IntIn(const json& value, int64_t min, int64_t max) {
  // 1.0 and 1e0 are floats to nlohmann and refused here: one spelling per value.
  if (const auto* u = value.get_ptr<const json::number_unsigned_t*>()) {
    if (max < 0 || *u > static_cast<uint64_t>(max) || static_cast<int64_t>(*u) < min) return std::nullopt;
    return static_cast<int64_t>(*u);
  }
  if (const auto* i = value.get_ptr<const json::number_integer_t*>()) {
    if (*i < min || *i > max) return std::nullopt;
    return *i;
  }
  return std::nullopt;
}

}  // namespace

Result<std::optional<int64_t>, ProtocolError> GetInt(const json& object, std::string_view name,
                                                     int64_t min, int64_t max, Presence presence) {
  const json* member = Member(object, name);
  if (member == nullptr) {
    if (presence == Presence::kRequired) return Err{ProtocolError{ErrorCode::kMissingField, name}};
    return std::optional<int64_t>{};
  }
  auto value = IntIn(*member, min, max);
  if (!value) return Err{ProtocolError{ErrorCode::kInvalidField, name}};
  return value;
}

namespace {

// Checks that `name` is absent or an array of at most `max_entries`; the
// array, or nullptr if absent.
Result<const json*, ProtocolError> GetArray(const json& object, std::string_view name, size_t max_entries) {
  const json* member = Member(object, name);
  if (member == nullptr) return static_cast<const json*>(nullptr);
  if (!member->is_array()) return Err{ProtocolError{ErrorCode::kInvalidField, name}};
  if (member->size() > max_entries) return Err{ProtocolError{ErrorCode::kTooLarge, name}};
  return member;
}

}  // namespace

Result<std::vector<std::string>, ProtocolError> GetIdList(const json& object, std::string_view name,
                                                          size_t max_entries) {
  auto array = GetArray(object, name, max_entries);
  if (!array) return Err{array.error()};
  std::vector<std::string> out;
  if (*array == nullptr) return out;
  for (const json& item : **array) {
    const auto* text = item.get_ptr<const std::string*>();
    if (text == nullptr || !IsSafeId(*text)) return Err{ProtocolError{ErrorCode::kInvalidField, name}};
    out.push_back(*text);
  }
  return out;
}

Result<std::vector<int64_t>, ProtocolError> GetIntList(const json& object, std::string_view name, int64_t min,
                                                       int64_t max, size_t max_entries) {
  auto array = GetArray(object, name, max_entries);
  if (!array) return Err{array.error()};
  std::vector<int64_t> out;
  if (*array == nullptr) return out;
  for (const json& item : **array) {
    auto value = IntIn(item, min, max);
    if (!value) return Err{ProtocolError{ErrorCode::kInvalidField, name}};
    out.push_back(*value);
  }
  return out;
}

std::string Dump(const json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

}  // namespace aegis::signaling::internal
