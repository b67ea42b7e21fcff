// Compact JSON written straight into one string: what the server's
// messages use instead of building a document tree and dumping it (a tree
// costs an allocation per key and value; a room's join sends one message
// to everyone in it).
//
// The writer adds commas and escapes strings; it does not order keys. The
// server's messages give their keys sorted, so the bytes are exactly what
// nlohmann's dump of the same object writes (server_messages_test and the
// signaling fuzzer compare them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace aegis::signaling {

class JsonWriter {
 public:
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // An object member's name; its value comes next.
  void Key(std::string_view name);

  // Escaped as nlohmann's dump escapes (", \, \b \f \n \r \t, other control
  // characters as \u00xx); invalid UTF-8 becomes U+FFFD, one per maximal
  // invalid sequence, so no client-chosen bytes can break the framing.
  void String(std::string_view utf8);
  void Int(int64_t value);
  void Uint(uint64_t value);
  void Bool(bool value);

  void StringField(std::string_view name, std::string_view value) { Key(name), String(value); }
  void IntField(std::string_view name, int64_t value) { Key(name), Int(value); }
  void UintField(std::string_view name, uint64_t value) { Key(name), Uint(value); }
  void BoolField(std::string_view name, bool value) { Key(name), Bool(value); }

  std::string Take() && { return std::move(out_); }

 private:
  void BeforeValue();

  std::string out_;
  bool after_value_ = false;  // the next value or key needs a comma first
};

}  // namespace aegis::signaling
