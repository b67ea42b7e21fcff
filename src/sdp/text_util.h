// Small text helpers for the SDP parser: token checks, a space-separated
// field reader and exception-free number parsing (std::from_chars). Internal
// to the sdp layer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "sdp/limits.h"
#include "sdp/parse_error.h"

namespace aegis::sdp::text {

// RFC 8866 §9 token-char: visible ASCII except space and "(),/:;<=>?@[\]{}"'.
// '/' is allowed here too because proto ("UDP/TLS/RTP/SAVPF") and several
// WebRTC tokens use it; callers that split on '/' do so first.
bool IsTokenChar(char c);
bool IsToken(std::string_view s);
// RFC 8839 §5.4 ice-char: ALPHA / DIGIT / "+" / "/".
bool IsIceChars(std::string_view s);
// Visible characters other than space (addresses, uris).
bool IsVisible(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToLower(std::string_view s);

// nullopt when s is a non-empty token of at most max_len bytes; otherwise
// kValueTooLong or kBadToken.
std::optional<ParseError> TokenError(std::string_view s, size_t max_len = kMaxTokenLength);

// A plain decimal number in [min, max]: kBadNumber for anything that is not
// one or more ASCII digits, kNumberOutOfRange when it does not fit.
Result<uint64_t, ParseError> ParseUint(std::string_view s, uint64_t min, uint64_t max);

// Reads fields separated by one or more spaces.
class FieldReader {
 public:
  explicit FieldReader(std::string_view s) : rest_(s) {}
  // The next field, or nullopt when only spaces remain.
  std::optional<std::string_view> Next();
  // Everything after the fields read so far, without leading spaces.
  std::string_view Rest();
  bool AtEnd();

 private:
  void SkipSpaces();
  std::string_view rest_;
};

// s without leading and trailing spaces.
std::string_view Trim(std::string_view s);

// Splits s at the first `sep`: (before, after); after is nullopt without one.
std::pair<std::string_view, std::optional<std::string_view>> SplitOnce(std::string_view s, char sep);

}  // namespace aegis::sdp::text
