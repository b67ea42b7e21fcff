// Typed member access for the signaling parsers: each helper checks presence,
// JSON type and limits, and never throws. Internal to signaling/.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "signaling/messages.h"
#include "signaling/protocol_error.h"

namespace aegis::signaling::internal {

// Strict parse of one JSON object: size (at most `max_size` bytes), NUL,
// BOM, duplicate keys, depth.
Result<nlohmann::json, ProtocolError> ParseObject(std::string_view text, size_t max_size = kMaxMessageSize);

// kInvalidField if `object` has a member not in `allowed`.
Result<void, ProtocolError> OnlyMembers(const nlohmann::json& object,
                                        std::initializer_list<std::string_view> allowed);

// Pointer to the member, or nullptr if absent.
const nlohmann::json* Member(const nlohmann::json& object, std::string_view name);

enum class Presence { kRequired, kOptional };

// A string of 1..max_size bytes (nlohmann has already checked UTF-8).
Result<std::optional<std::string>, ProtocolError> GetString(const nlohmann::json& object,
                                                            std::string_view name, size_t max_size,
                                                            Presence presence);
// A string in the IsSafeId set.
Result<std::optional<std::string>, ProtocolError> GetId(const nlohmann::json& object,
                                                        std::string_view name, Presence presence);
// Canonical unpadded base64url decoding to 1..max_size bytes.
Result<std::optional<Blob>, ProtocolError> GetBlob(const nlohmann::json& object,
                                                   std::string_view name, size_t max_size,
                                                   Presence presence);
Result<std::optional<bool>, ProtocolError> GetBool(const nlohmann::json& object,
                                                   std::string_view name, Presence presence);
// An integer (no fraction, no exponent) in [min, max].
Result<std::optional<int64_t>, ProtocolError> GetInt(const nlohmann::json& object,
                                                     std::string_view name, int64_t min,
                                                     int64_t max, Presence presence);

// An optional array (absent: empty) of at most `max_entries` ids.
Result<std::vector<std::string>, ProtocolError> GetIdList(const nlohmann::json& object, std::string_view name,
                                                          size_t max_entries);
// An optional array (absent: empty) of at most `max_entries` integers in [min, max].
Result<std::vector<int64_t>, ProtocolError> GetIntList(const nlohmann::json& object, std::string_view name,
                                                       int64_t min, int64_t max, size_t max_entries);

// Compact output that never throws (invalid UTF-8 is replaced, not fatal).
std::string Dump(const nlohmann::json& value);

}  // namespace aegis::signaling::internal
