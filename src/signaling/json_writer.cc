#include "signaling/json_writer.h"

#include <charconv>

#include "base/utf8.h"

namespace aegis::signaling {

void JsonWriter::BeforeValue() {
  if (after_value_) out_.push_back(',');
  after_value_ = true;
}

void JsonWriter::BeginObject() {
  BeforeValue();
  out_.push_back('{');
  after_value_ = false;
}

void JsonWriter::EndObject() {
  out_.push_back('}');
  after_value_ = true;
}

void JsonWriter::BeginArray() {
  BeforeValue();
  out_.push_back('[');
  after_value_ = false;
}

void JsonWriter::EndArray() {
  out_.push_back(']');
  after_value_ = true;
}

void JsonWriter::Key(std::string_view name) {
  String(name);
  out_.push_back(':');
  after_value_ = false;
}

void JsonWriter::String(std::string_view utf8) {
  BeforeValue();
  out_.reserve(out_.size() + utf8.size() + 2);
  out_.push_back('"');
  const auto* bytes = reinterpret_cast<const uint8_t*>(utf8.data());
  size_t i = 0;
  while (i < utf8.size()) {
    size_t plain = i;  // a run that needs no escape goes in with one append
    while (plain < utf8.size() && bytes[plain] >= 0x20 && bytes[plain] < 0x80 && bytes[plain] != '"' &&
           bytes[plain] != '\\') {
      ++plain;
    }
    out_.append(utf8.substr(i, plain - i));
    i = plain;
    if (i == utf8.size()) break;
    const uint8_t c = bytes[i];
    if (c >= 0x80) {
      const Utf8Step step = NextUtf8({bytes + i, utf8.size() - i});
      if (step.valid) {
        out_.append(utf8.substr(i, step.length));
      } else {
        out_.append("\xEF\xBF\xBD");  // U+FFFD
      }
      i += step.length;
      continue;
    }
    switch (c) {
      case '"': out_.append("\\\""); break;
      case '\\': out_.append("\\\\"); break;
      case '\b': out_.append("\\b"); break;
      case '\f': out_.append("\\f"); break;
      case '\n': out_.append("\\n"); break;
      case '\r': out_.append("\\r"); break;
      case '\t': out_.append("\\t"); break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        out_.append("\\u00");
        out_.push_back(kHex[c >> 4]);
        out_.push_back(kHex[c & 0xF]);
      }
    }
    ++i;
  }
  out_.push_back('"');
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  char buffer[24];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  out_.append(buffer, end);
}

void JsonWriter::Uint(uint64_t value) {
  BeforeValue();
  char buffer[24];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  out_.append(buffer, end);
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_.append(value ? "true" : "false");
}

}  // namespace aegis::signaling
