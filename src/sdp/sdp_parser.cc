#include "sdp/sdp_parser.h"

#include <cstring>

#include "base/byte_reader.h"
#include "sdp/attribute_parsers.h"
#include "sdp/limits.h"
#include "sdp/text_util.h"

namespace aegis::sdp {
namespace {

using LineResult = Result<void, ParseError>;

std::string_view AsText(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// One line's type letter and value, after framing checks.
struct Line {
  char type;
  std::string_view value;
};

// "<letter>=<value>" with no NUL and no bare CR (RFC 8866 §5).
Result<Line, ParseError> FrameLine(std::string_view raw) {
  if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
  if (raw.size() > kMaxLineLength) return Err{ParseError::kLineTooLong};
  if (raw.find('\r') != std::string_view::npos || raw.find('\0') != std::string_view::npos) {
    return Err{ParseError::kBadCharacter};
  }
  if (raw.size() < 2 || raw[1] != '=') return Err{ParseError::kMalformedLine};
  char type = raw[0];
  // A type letter SDP does not define makes the whole description unusable (§5).
  if (type < 'a' || type > 'z' || std::strchr("vosiuepcbtrzkam", type) == nullptr) {
    return Err{ParseError::kUnknownLineType};
  }
  return Line{type, raw.substr(2)};
}

template <typename T>
LineResult SetOnce(std::optional<T>& field, T value) {
  if (field) return Err{ParseError::kDuplicateLine};
  field = std::move(value);
  return {};
}

LineResult ReadToken(std::optional<std::string_view> f, ParseError missing, std::string& out) {
  if (!f) return Err{missing};
  if (auto e = text::TokenError(*f)) return Err{*e};
  out = std::string(*f);
  return {};
}

LineResult ReadVisible(std::optional<std::string_view> f, ParseError missing, std::string& out) {
  if (!f) return Err{missing};
  if (f->size() > kMaxTokenLength) return Err{ParseError::kValueTooLong};
  if (!text::IsVisible(*f)) return Err{missing};
  out = std::string(*f);
  return {};
}

LineResult ReadUint64(std::optional<std::string_view> f, ParseError missing, uint64_t& out) {
  if (!f) return Err{missing};
  auto n = text::ParseUint(*f, 0, UINT64_MAX);
  if (!n) return Err{n.error()};
  out = *n;
  return {};
}

// o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
LineResult ParseOrigin(std::string_view v, Origin& o) {
  text::FieldReader r(v);
  constexpr ParseError kBad = ParseError::kBadOrigin;
  LineResult res = ReadVisible(r.Next(), kBad, o.username);
  if (res) res = ReadUint64(r.Next(), kBad, o.session_id);
  if (res) res = ReadUint64(r.Next(), kBad, o.session_version);
  if (res) res = ReadToken(r.Next(), kBad, o.net_type);
  if (res) res = ReadToken(r.Next(), kBad, o.address_type);
  if (res) res = ReadVisible(r.Next(), kBad, o.address);
  if (res && !r.AtEnd()) return Err{kBad};
  return res;
}

// c=<nettype> <addrtype> <connection-address>
Result<Connection, ParseError> ParseConnection(std::string_view v) {
  text::FieldReader r(v);
  Connection c;
  constexpr ParseError kBad = ParseError::kBadConnection;
  LineResult res = ReadToken(r.Next(), kBad, c.net_type);
  if (res) res = ReadToken(r.Next(), kBad, c.address_type);
  if (res) res = ReadVisible(r.Next(), kBad, c.address);
  if (!res) return Err{res.error()};
  if (!r.AtEnd()) return Err{kBad};
  return c;
}

// b=<bwtype>:<bandwidth>
LineResult ParseBandwidth(std::string_view v, std::vector<Bandwidth>& out) {
  auto [type, value] = text::SplitOnce(v, ':');
  if (!value) return Err{ParseError::kBadBandwidth};
  Bandwidth b;
  if (auto res = ReadToken(type, ParseError::kBadBandwidth, b.type); !res) return res;
  if (auto res = ReadUint64(*value, ParseError::kBadBandwidth, b.value); !res) return res;
  out.push_back(std::move(b));
  return {};
}

// t=<start-time> <stop-time>
LineResult ParseTiming(std::string_view v, std::vector<Timing>& out) {
  text::FieldReader r(v);
  Timing t;
  LineResult res = ReadUint64(r.Next(), ParseError::kBadTiming, t.start);
  if (res) res = ReadUint64(r.Next(), ParseError::kBadTiming, t.stop);
  if (!res) return res;
  if (!r.AtEnd()) return Err{ParseError::kBadTiming};
  out.push_back(std::move(t));
  return {};
}

// m=<media> <port>[/<number of ports>] <proto> <fmt> ...
LineResult ParseMediaLine(std::string_view v, MediaSection& m) {
  text::FieldReader r(v);
  LineResult res = ReadToken(r.Next(), ParseError::kBadMediaLine, m.media);
  if (!res) return res;
  auto port_field = r.Next();
  if (!port_field) return Err{ParseError::kBadMediaLine};
  auto [port_text, count_text] = text::SplitOnce(*port_field, '/');
  auto port = text::ParseUint(port_text, 0, 65535);
  if (!port) return Err{port.error()};
  m.port = static_cast<uint16_t>(*port);
  if (count_text) {
    auto count = text::ParseUint(*count_text, 1, 65535);
    if (!count) return Err{count.error()};
    m.port_count = static_cast<uint16_t>(*count);
  }
  if (res = ReadToken(r.Next(), ParseError::kBadMediaLine, m.proto); !res) return res;
  bool rtp = m.IsRtp();
  while (auto fmt = r.Next()) {
    if (m.payload_types.size() + m.formats.size() >= kMaxFormatsPerSection) return Err{ParseError::kTooManyFormats};
    if (rtp) {
      auto pt = text::ParseUint(*fmt, 0, 127);
      if (!pt) return Err{pt.error()};
      m.payload_types.push_back(static_cast<uint8_t>(*pt));
    } else {
      if (auto e = text::TokenError(*fmt)) return Err{*e};
      m.formats.emplace_back(*fmt);
    }
  }
  if (m.payload_types.empty() && m.formats.empty()) return Err{ParseError::kBadMediaLine};
  return {};
}

class Parser {
 public:
  // Lines 1-3 are fixed: v=, o=, s= (RFC 8866 §5).
  LineResult Handle(size_t number, const Line& line) {
    if (number == 1) {
      if (line.type != 'v') return Err{ParseError::kMissingVersion};
      if (line.value != "0") return Err{ParseError::kBadVersion};
      return {};
    }
    if (number == 2) {
      if (line.type != 'o') return Err{ParseError::kMissingOrigin};
      return ParseOrigin(line.value, sd_.origin);
    }
    if (number == 3) {
      if (line.type != 's') return Err{ParseError::kMissingSessionName};
      sd_.session_name = std::string(line.value);
      return {};
    }
    if (line.type == 'm') return StartMedia(line.value);
    return sd_.media.empty() ? SessionLine(line) : MediaLine(line, sd_.media.back());
  }

  // What is still missing once the text ends after `lines` lines: a missing
  // fixed line is reported at its own number, a missing t= at the last line.
  std::optional<ParseFailure> Finish(size_t lines) {
    if (lines < 1) return ParseFailure{ParseError::kMissingVersion, 1};
    if (lines < 2) return ParseFailure{ParseError::kMissingOrigin, 2};
    if (lines < 3) return ParseFailure{ParseError::kMissingSessionName, 3};
    if (sd_.timings.empty()) return ParseFailure{ParseError::kMissingTiming, lines};
    return std::nullopt;
  }

  SessionDescription& result() { return sd_; }

 private:
  LineResult StartMedia(std::string_view value) {
    if (sd_.timings.empty()) return Err{ParseError::kMissingTiming};
    if (sd_.media.size() >= kMaxMediaSections) return Err{ParseError::kTooManyMediaSections};
    sd_.media.emplace_back();
    return ParseMediaLine(value, sd_.media.back());
  }

  LineResult SessionLine(const Line& line) {
    std::string value(line.value);
    switch (line.type) {
      case 'i': return SetOnce(sd_.information, std::move(value));
      case 'u': return SetOnce(sd_.uri, std::move(value));
      case 'e': sd_.emails.push_back(std::move(value)); return {};
      case 'p': sd_.phones.push_back(std::move(value)); return {};
      case 'c': {
        auto c = ParseConnection(line.value);
        if (!c) return Err{c.error()};
        return SetOnce(sd_.connection, std::move(*c));
      }
      case 'b': return ParseBandwidth(line.value, sd_.bandwidths);
      case 't': return ParseTiming(line.value, sd_.timings);
      case 'r':  // a repeat time belongs to the t= before it
        if (sd_.timings.empty()) return Err{ParseError::kUnexpectedLine};
        if (line.value.empty()) return Err{ParseError::kBadTiming};
        sd_.timings.back().repeats.push_back(std::move(value));
        return {};
      case 'z': return SetOnce(sd_.zone_adjustments, std::move(value));
      case 'k': return SetOnce(sd_.key, std::move(value));
      case 'a': return internal::ParseSessionAttribute(line.value, sd_);
      default: return Err{ParseError::kUnexpectedLine};  // v, o, s again
    }
  }

  static LineResult MediaLine(const Line& line, MediaSection& m) {
    switch (line.type) {
      case 'i': return SetOnce(m.title, std::string(line.value));
      case 'c': {
        auto c = ParseConnection(line.value);
        if (!c) return Err{c.error()};
        return SetOnce(m.connection, std::move(*c));
      }
      case 'b': return ParseBandwidth(line.value, m.bandwidths);
      case 'k': return SetOnce(m.key, std::string(line.value));
      case 'a': return internal::ParseMediaAttribute(line.value, m);
      default: return Err{ParseError::kUnexpectedLine};  // session-only lines
    }
  }

  SessionDescription sd_;
};

}  // namespace

Result<SessionDescription, ParseFailure> ParseSdp(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxSdpSize) return Err{ParseFailure{ParseError::kTooLarge, 0}};
  ByteReader reader(bytes);
  Parser parser;
  size_t number = 0;
  while (!reader.empty()) {
    ByteReader peek = reader;
    std::string_view rest = AsText(peek.Rest());
    size_t end = rest.find('\n');
    bool has_newline = end != std::string_view::npos;
    if (!has_newline) end = rest.size();
    std::string_view raw = AsText(reader.Bytes(end));
    if (has_newline) reader.Skip(1);
    if (++number > kMaxLines) return Err{ParseFailure{ParseError::kTooManyLines, number}};
    auto line = FrameLine(raw);
    if (!line) return Err{ParseFailure{line.error(), number}};
    if (auto res = parser.Handle(number, *line); !res) return Err{ParseFailure{res.error(), number}};
  }
  if (auto failure = parser.Finish(number)) return Err{*failure};
  return std::move(parser.result());
}

Result<SessionDescription, ParseFailure> ParseSdp(std::string_view text) {
  return ParseSdp(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace aegis::sdp
