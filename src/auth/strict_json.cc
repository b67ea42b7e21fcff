#include "auth/strict_json.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace aegis::auth {

Result<nlohmann::json, TokenError> ParseStrictJsonObject(std::span<const uint8_t> text) {
  using Event = nlohmann::json::parse_event_t;
  // nlohmann skips a UTF-8 BOM; RFC 8259 §8.1 forbids sending one, so it is
  // not JSON we wrote or should accept.
  if (text.size() >= 3 && text[0] == 0xEF && text[1] == 0xBB && text[2] == 0xBF) {
    return Err{TokenError::kMalformedJson};
  }
  // nlohmann's lexer takes a NUL byte for the end of input, so "{...}\0junk"
  // would parse. A raw NUL is never valid JSON (RFC 8259 §7: control
  // characters in strings must be escaped), so refuse it outright.
  if (std::find(text.begin(), text.end(), uint8_t{0}) != text.end()) return Err{TokenError::kMalformedJson};
  std::vector<std::set<std::string>> open_objects;  // member names per open object
  int depth = 0;
  bool duplicate = false;
  bool too_deep = false;
  auto callback = [&](int /*depth*/, Event event, nlohmann::json& parsed) {
    switch (event) {
      case Event::object_start:
        open_objects.emplace_back();
        [[fallthrough]];
      case Event::array_start:
        if (++depth > kMaxJsonDepth) too_deep = true;
        break;
      case Event::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        [[fallthrough]];
      case Event::array_end:
        --depth;
        break;
      case Event::key:
        if (const auto* name = parsed.get_ptr<const std::string*>(); name && !open_objects.empty()) {
          if (!open_objects.back().insert(*name).second) duplicate = true;
        }
        break;
      case Event::value:
        break;
    }
    return true;  // keep everything; the flags decide afterwards
  };
  nlohmann::json value = nlohmann::json::parse(text.begin(), text.end(), callback,
                                               /*allow_exceptions=*/false, /*ignore_comments=*/false);
  if (value.is_discarded() || too_deep) return Err{TokenError::kMalformedJson};
  if (duplicate) return Err{TokenError::kDuplicateKey};
  if (!value.is_object()) return Err{TokenError::kNotAnObject};
  return value;
}

}  // namespace aegis::auth
