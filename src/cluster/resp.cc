#include "cluster/resp.h"

#include <charconv>
#include <utility>

#include "base/byte_reader.h"

namespace aegis::cluster {

std::string EncodeCommand(std::span<const std::string_view> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (std::string_view arg : args) {
    out += "$" + std::to_string(arg.size()) + "\r\n";
    out.append(arg);
    out += "\r\n";
  }
  return out;
}

std::string EncodeCommand(std::initializer_list<std::string_view> args) {
  return EncodeCommand(std::span<const std::string_view>(args.begin(), args.size()));
}

const char* ToString(RespError error) {
  switch (error) {
    case RespError::kMalformed: return "malformed RESP reply";
    case RespError::kTooLarge: return "RESP reply too large";
    case RespError::kTooDeep: return "RESP reply nested too deep";
    case RespError::kTooManyElements: return "RESP reply has too many elements";
  }
  return "RESP error";
}

void RespReader::Feed(std::span<const uint8_t> bytes) {
  Feed(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

void RespReader::Feed(std::string_view bytes) {
  // Drop what was consumed before growing (replies are small; this keeps
  // the buffer at most one reply plus one read).
  if (pos_ > 0 && pos_ >= buffer_.size() / 2) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(bytes);
}

std::optional<RespError> RespReader::Fail(RespError error) {
  failed_ = error;
  return error;
}

namespace {

// A whole line of digits with an optional '-': RESP lengths and integers.
std::optional<int64_t> ParseInteger(std::string_view text) {
  if (text.empty() || text == "-") return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Result<std::optional<RespReply>, RespError> RespReader::Next() {
  if (failed_) return Err{*failed_};
  while (true) {
    std::string_view rest(buffer_.data() + pos_, buffer_.size() - pos_);
    size_t line_end = rest.find("\r\n");
    if (line_end == std::string_view::npos) {
      if (rest.size() > limits_.max_line_bytes) return Err{*Fail(RespError::kTooLarge)};
      return std::optional<RespReply>();
    }
    if (line_end > limits_.max_line_bytes) return Err{*Fail(RespError::kTooLarge)};
    if (line_end == 0) return Err{*Fail(RespError::kMalformed)};
    const char kind = rest[0];
    std::string_view line = rest.substr(1, line_end - 1);
    size_t consumed = line_end + 2;

    RespReply value;
    switch (kind) {
      case '+':
        value.type = RespReply::Type::kSimpleString;
        value.text = line;
        break;
      case '-':
        value.type = RespReply::Type::kError;
        value.text = line;
        break;
      case ':': {
        auto n = ParseInteger(line);
        if (!n) return Err{*Fail(RespError::kMalformed)};
        value.type = RespReply::Type::kInteger;
        value.integer = *n;
        break;
      }
      case '$': {
        auto n = ParseInteger(line);
        if (!n || *n < -1) return Err{*Fail(RespError::kMalformed)};
        if (*n == -1) {
          value.type = RespReply::Type::kNil;
          break;
        }
        if (static_cast<uint64_t>(*n) > limits_.max_reply_bytes) return Err{*Fail(RespError::kTooLarge)};
        const size_t length = static_cast<size_t>(*n);
        // The header is read again once the payload is all here.
        ByteReader payload(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(rest.data()), rest.size()));
        payload.Skip(consumed);
        auto bytes = payload.Bytes(length);
        auto crlf = payload.Bytes(2);
        if (!payload.ok()) {
          if (reply_bytes_ + consumed + length + 2 > limits_.max_reply_bytes) return Err{*Fail(RespError::kTooLarge)};
          return std::optional<RespReply>();
        }
        if (crlf[0] != '\r' || crlf[1] != '\n') return Err{*Fail(RespError::kMalformed)};
        value.type = RespReply::Type::kBulkString;
        value.text.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        consumed += length + 2;
        break;
      }
      case '*': {
        auto n = ParseInteger(line);
        if (!n || *n < -1) return Err{*Fail(RespError::kMalformed)};
        if (*n == -1) {
          value.type = RespReply::Type::kNil;
          break;
        }
        value.type = RespReply::Type::kArray;
        if (*n == 0) break;
        if (open_.size() >= limits_.max_depth) return Err{*Fail(RespError::kTooDeep)};
        // Counted as declared, so nested arrays cannot multiply the limit.
        if (static_cast<uint64_t>(*n) > limits_.max_elements - reply_elements_) {
          return Err{*Fail(RespError::kTooManyElements)};
        }
        reply_elements_ += static_cast<size_t>(*n);
        pos_ += consumed;
        reply_bytes_ += consumed;
        open_.push_back(OpenArray{std::move(value), *n});
        continue;
      }
      default:
        return Err{*Fail(RespError::kMalformed)};
    }

    pos_ += consumed;
    reply_bytes_ += consumed;
    if (reply_bytes_ > limits_.max_reply_bytes) return Err{*Fail(RespError::kTooLarge)};
    // Complete values fill the innermost open array; a full array is
    // itself a complete value of the one around it.
    while (!open_.empty()) {
      OpenArray& top = open_.back();
      top.array.elements.push_back(std::move(value));
      if (--top.remaining > 0) break;
      value = std::move(top.array);
      open_.pop_back();
    }
    if (open_.empty()) {
      reply_bytes_ = 0;
      reply_elements_ = 0;
      return std::optional<RespReply>(std::move(value));
    }
  }
}

}  // namespace aegis::cluster
