#include "sdp/text_util.h"

#include <charconv>
#include <cstring>

namespace aegis::sdp::text {

bool IsTokenChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  return std::strchr("\"(),:;<=>?@[\\]", c) == nullptr;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool IsIceChars(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (!ok) return false;
  }
  return !s.empty();
}

bool IsVisible(std::string_view s) {
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
  }
  return !s.empty();
}

static char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

std::optional<ParseError> TokenError(std::string_view s, size_t max_len) {
  if (s.size() > max_len) return ParseError::kValueTooLong;
  if (!IsToken(s)) return ParseError::kBadToken;
  return std::nullopt;
}

Result<uint64_t, ParseError> ParseUint(std::string_view s, uint64_t min, uint64_t max) {
  if (s.empty()) return Err{ParseError::kBadNumber};
  for (char c : s) {
    if (c < '0' || c > '9') return Err{ParseError::kBadNumber};
  }
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range) return Err{ParseError::kNumberOutOfRange};
  if (ec != std::errc() || ptr != s.data() + s.size()) return Err{ParseError::kBadNumber};
  if (v < min || v > max) return Err{ParseError::kNumberOutOfRange};
  return v;
}

void FieldReader::SkipSpaces() {
  size_t i = 0;
  while (i < rest_.size() && rest_[i] == ' ') ++i;
  rest_.remove_prefix(i);
}

std::optional<std::string_view> FieldReader::Next() {
  SkipSpaces();
  if (rest_.empty()) return std::nullopt;
  size_t end = rest_.find(' ');
  if (end == std::string_view::npos) end = rest_.size();
  std::string_view field = rest_.substr(0, end);
  rest_.remove_prefix(end);
  return field;
}

std::string_view FieldReader::Rest() {
  SkipSpaces();
  std::string_view r = rest_;
  rest_ = {};
  return r;
}

bool FieldReader::AtEnd() {
  SkipSpaces();
  return rest_.empty();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::pair<std::string_view, std::optional<std::string_view>> SplitOnce(std::string_view s, char sep) {
  size_t pos = s.find(sep);
  if (pos == std::string_view::npos) return {s, std::nullopt};
  return {s.substr(0, pos), s.substr(pos + 1)};
}

}  // namespace aegis::sdp::text
