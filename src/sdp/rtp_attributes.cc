// RTP payload and header-extension attributes.
//   a=rtpmap:<pt> <encoding name>/<clock rate>[/<channels>]   (RFC 8866 §6.6)
//   a=fmtp:<pt> <format specific parameters>                   (RFC 8866 §6.15)
//   a=rtcp-fb:<pt | *> <type> [<subtype and parameters>]       (RFC 4585 §4.2)
//   a=extmap:<id>[/<direction>] <uri> [<extension attributes>] (RFC 8285 §8)
#include "sdp/attribute_parsers.h"
#include "sdp/text_util.h"

namespace aegis::sdp::internal {
namespace {

constexpr uint64_t kMaxPayloadType = 127;

// Payload type 0..127 (RFC 3550: 7 bits).
Result<uint8_t, ParseError> ReadPayloadType(std::optional<std::string_view> f, ParseError missing) {
  if (!f) return Err{missing};
  auto n = text::ParseUint(*f, 0, kMaxPayloadType);
  if (!n) return Err{n.error()};
  return static_cast<uint8_t>(*n);
}

}  // namespace

std::optional<Direction> DirectionFromString(std::string_view v) {
  if (v == "sendrecv") return Direction::kSendRecv;
  if (v == "sendonly") return Direction::kSendOnly;
  if (v == "recvonly") return Direction::kRecvOnly;
  if (v == "inactive") return Direction::kInactive;
  return std::nullopt;
}

AttrResult ParseRtpmap(std::string_view v, MediaSection& m) {
  text::FieldReader r(v);
  auto pt = ReadPayloadType(r.Next(), ParseError::kBadRtpmap);
  if (!pt) return Err{pt.error()};
  auto spec = r.Next();
  if (!spec || !r.AtEnd()) return Err{ParseError::kBadRtpmap};
  for (const RtpMap& existing : m.rtpmaps) {
    if (existing.payload_type == *pt) return Err{ParseError::kDuplicatePayloadType};
  }
  RtpMap map;
  map.payload_type = *pt;
  auto [name, after_name] = text::SplitOnce(*spec, '/');
  if (!after_name) return Err{ParseError::kBadRtpmap};
  if (auto e = text::TokenError(name)) return Err{*e};
  map.encoding = std::string(name);
  auto [clock, channels] = text::SplitOnce(*after_name, '/');
  auto rate = text::ParseUint(clock, 1, UINT32_MAX);
  if (!rate) return Err{rate.error()};
  map.clock_rate = static_cast<uint32_t>(*rate);
  if (channels) {
    auto n = text::ParseUint(*channels, 1, UINT32_MAX);  // a further '/' makes this not a number
    if (!n) return Err{n.error()};
    map.channels = static_cast<uint32_t>(*n);
  }
  m.rtpmaps.push_back(std::move(map));
  return {};
}

AttrResult ParseFmtp(std::string_view v, MediaSection& m) {
  text::FieldReader r(v);
  auto pt = ReadPayloadType(r.Next(), ParseError::kBadFmtp);
  if (!pt) return Err{pt.error()};
  m.fmtps.push_back(Fmtp{*pt, std::string(r.Rest())});
  return {};
}

AttrResult ParseRtcpFb(std::string_view v, MediaSection& m) {
  text::FieldReader r(v);
  auto pt_field = r.Next();
  if (!pt_field) return Err{ParseError::kBadRtcpFb};
  RtcpFb fb;
  if (*pt_field != "*") {
    auto pt = ReadPayloadType(pt_field, ParseError::kBadRtcpFb);
    if (!pt) return Err{pt.error()};
    fb.payload_type = *pt;
  }
  auto type = r.Next();
  if (!type) return Err{ParseError::kBadRtcpFb};
  if (auto e = text::TokenError(*type)) return Err{*e};
  fb.type = std::string(*type);
  fb.subtype = std::string(r.Rest());
  m.rtcp_fbs.push_back(std::move(fb));
  return {};
}

AttrResult ParseExtmap(std::string_view v, CommonAttributes& c) {
  text::FieldReader r(v);
  auto id_field = r.Next();
  auto uri = r.Next();
  if (!id_field || !uri) return Err{ParseError::kBadExtmap};
  Extmap ext;
  auto [id_text, direction] = text::SplitOnce(*id_field, '/');
  auto id = text::ParseUint(id_text, 1, 255);
  if (!id) return Err{id.error()};
  ext.id = static_cast<uint16_t>(*id);
  if (direction) {
    ext.direction = DirectionFromString(*direction);
    if (!ext.direction) return Err{ParseError::kBadExtmap};
  }
  if (uri->size() > kMaxTokenLength) return Err{ParseError::kValueTooLong};
  if (!text::IsVisible(*uri)) return Err{ParseError::kBadExtmap};
  for (const Extmap& existing : c.extmaps) {
    if (existing.id == ext.id) return Err{ParseError::kDuplicateExtmapId};
  }
  ext.uri = std::string(*uri);
  ext.attributes = std::string(r.Rest());
  c.extmaps.push_back(std::move(ext));
  return {};
}

}  // namespace aegis::sdp::internal
