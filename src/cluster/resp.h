// RESP2, the Redis wire protocol (https://redis.io/docs/reference/protocol-spec/),
// sans-IO: commands out as arrays of bulk strings, replies in through a
// bounded, incremental reader.
//
// Why our own and not hiredis's reader, the usual C client
// (docs/architecture.md, "Several nodes"): Debian 12's hiredis is 0.14,
// which has no TLS (multi-node mode needs TLS off loopback) and whose
// reader sizes a multi-bulk reply's array from the count the peer states
// before any element arrives. Here every limit is explicit: a reply's
// bytes, its nesting and its element count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace aegis::cluster {

struct RespReply {
  enum class Type { kSimpleString, kError, kInteger, kBulkString, kNil, kArray };
  Type type = Type::kNil;
  std::string text;  // simple string, error, bulk string
  int64_t integer = 0;
  std::vector<RespReply> elements;

  bool IsOk() const { return type == Type::kSimpleString && text == "OK"; }
};

// *N\r\n then $len\r\narg\r\n per argument (binary-safe).
std::string EncodeCommand(std::span<const std::string_view> args);
std::string EncodeCommand(std::initializer_list<std::string_view> args);

struct RespLimits {
  size_t max_reply_bytes = 4 << 20;  // one reply, all its elements included
  size_t max_line_bytes = 64 << 10;  // a type line: simple string, error, a length
  size_t max_depth = 8;              // arrays inside arrays (an XREAD reply has 5 levels)
  size_t max_elements = 100000;      // all elements of one reply
};

enum class RespError { kMalformed, kTooLarge, kTooDeep, kTooManyElements };
const char* ToString(RespError error);

class RespReader {
 public:
  explicit RespReader(RespLimits limits = {}) : limits_(limits) {}

  void Feed(std::span<const uint8_t> bytes);
  void Feed(std::string_view bytes);
  // The next complete reply, or nullopt until more bytes arrive. An error
  // is final (the stream is out of step): close the connection.
  Result<std::optional<RespReply>, RespError> Next();
  size_t buffered() const { return buffer_.size() - pos_; }

 private:
  struct OpenArray {
    RespReply array;
    int64_t remaining = 0;
  };
  std::optional<RespError> Fail(RespError error);

  RespLimits limits_;
  std::string buffer_;
  size_t pos_ = 0;            // consumed bytes of buffer_
  size_t reply_bytes_ = 0;    // consumed by the reply being read
  size_t reply_elements_ = 0;  // declared by the reply's arrays so far
  std::vector<OpenArray> open_;
  std::optional<RespError> failed_;
};

}  // namespace aegis::cluster
