// Routes each a= line to its parser by name, at session or media level.
// Names are case-sensitive (RFC 8866 §5.13): "a=Fingerprint" is an unknown
// attribute, which can only make the policy check stricter. An attribute
// known at the other level only is kept as unknown, like any other.
//
// Also the simple media attributes:
//   a=mid:<token> (RFC 5888)   a=sendrecv|sendonly|recvonly|inactive
//   a=rtcp-mux  a=rtcp-rsize  a=bundle-only  a=extmap-allow-mixed  a=end-of-candidates
//   a=sctp-port:<port>  a=max-message-size:<bytes>  (RFC 8841 §5-6)
//   a=group:<semantics> *(SP <mid>) (RFC 5888 §5)   a=ice-lite (RFC 8839 §5.3)
#include <array>

#include "sdp/attribute_parsers.h"
#include "sdp/text_util.h"

namespace aegis::sdp::internal {
namespace {

enum class Shape { kFlag, kValue };

template <typename Target>
struct Handler {
  std::string_view name;
  Shape shape;
  AttrResult (*parse)(std::string_view value, Target& target);
};

AttrResult SetDirection(CommonAttributes& c, Direction d) {
  if (c.direction) return Err{ParseError::kDuplicateAttribute};
  c.direction = d;
  return {};
}

AttrResult ParseGroup(std::string_view v, SessionDescription& sd) {
  text::FieldReader r(v);
  auto semantics = r.Next();
  if (!semantics) return Err{ParseError::kBadGroup};
  if (auto e = text::TokenError(*semantics)) return Err{*e};
  Group group{std::string(*semantics), {}};
  while (auto mid = r.Next()) {  // an empty BUNDLE group is legal (all sections rejected)
    if (auto e = text::TokenError(*mid)) return Err{*e};
    group.mids.emplace_back(*mid);
  }
  sd.groups.push_back(std::move(group));
  return {};
}

AttrResult ParseMid(std::string_view v, MediaSection& m) {
  if (m.mid) return Err{ParseError::kDuplicateAttribute};
  if (auto e = text::TokenError(v)) return Err{*e};
  m.mid = std::string(v);
  return {};
}

AttrResult ParseSctpPort(std::string_view v, MediaSection& m) {
  if (m.sctp_port) return Err{ParseError::kDuplicateAttribute};
  auto port = text::ParseUint(v, 0, 65535);
  if (!port) return Err{port.error()};
  m.sctp_port = static_cast<uint16_t>(*port);
  return {};
}

AttrResult ParseMaxMessageSize(std::string_view v, MediaSection& m) {
  if (m.max_message_size) return Err{ParseError::kDuplicateAttribute};
  auto size = text::ParseUint(v, 0, UINT64_MAX);  // 0 means "no limit" (RFC 8841 §6)
  if (!size) return Err{size.error()};
  m.max_message_size = *size;
  return {};
}

constexpr std::array<Handler<CommonAttributes>, 12> kCommonHandlers{{
    {"ice-ufrag", Shape::kValue, ParseIceUfrag},
    {"ice-pwd", Shape::kValue, ParseIcePwd},
    {"ice-options", Shape::kValue, ParseIceOptions},
    {"fingerprint", Shape::kValue, ParseFingerprint},
    {"setup", Shape::kValue, ParseSetup},
    {"extmap", Shape::kValue, ParseExtmap},
    {"extmap-allow-mixed", Shape::kFlag,
     [](std::string_view, CommonAttributes& c) -> AttrResult { c.extmap_allow_mixed = true; return {}; }},
    {"end-of-candidates", Shape::kFlag,
     [](std::string_view, CommonAttributes& c) -> AttrResult { c.end_of_candidates = true; return {}; }},
    {"sendrecv", Shape::kFlag,
     [](std::string_view, CommonAttributes& c) { return SetDirection(c, Direction::kSendRecv); }},
    {"sendonly", Shape::kFlag,
     [](std::string_view, CommonAttributes& c) { return SetDirection(c, Direction::kSendOnly); }},
    {"recvonly", Shape::kFlag,
     [](std::string_view, CommonAttributes& c) { return SetDirection(c, Direction::kRecvOnly); }},
    {"inactive", Shape::kFlag,
     [](std::string_view, CommonAttributes& c) { return SetDirection(c, Direction::kInactive); }},
}};

constexpr std::array<Handler<SessionDescription>, 3> kSessionHandlers{{
    {"group", Shape::kValue, ParseGroup},
    {"ice-lite", Shape::kFlag,
     [](std::string_view, SessionDescription& sd) -> AttrResult { sd.ice_lite = true; return {}; }},
    {"msid-semantic", Shape::kValue, ParseMsidSemantic},
}};

constexpr std::array<Handler<MediaSection>, 15> kMediaHandlers{{
    {"mid", Shape::kValue, ParseMid},
    {"rtcp-mux", Shape::kFlag, [](std::string_view, MediaSection& m) -> AttrResult { m.rtcp_mux = true; return {}; }},
    {"rtcp-rsize", Shape::kFlag,
     [](std::string_view, MediaSection& m) -> AttrResult { m.rtcp_rsize = true; return {}; }},
    {"bundle-only", Shape::kFlag,
     [](std::string_view, MediaSection& m) -> AttrResult { m.bundle_only = true; return {}; }},
    {"candidate", Shape::kValue, ParseCandidate},
    {"rtpmap", Shape::kValue, ParseRtpmap},
    {"fmtp", Shape::kValue, ParseFmtp},
    {"rtcp-fb", Shape::kValue, ParseRtcpFb},
    {"ssrc", Shape::kValue, ParseSsrc},
    {"ssrc-group", Shape::kValue, ParseSsrcGroup},
    {"msid", Shape::kValue, ParseMsid},
    {"rid", Shape::kValue, ParseRid},
    {"simulcast", Shape::kValue, ParseSimulcast},
    {"sctp-port", Shape::kValue, ParseSctpPort},
    {"max-message-size", Shape::kValue, ParseMaxMessageSize},
}};

// nullopt if no handler in the table has this name.
template <typename Target, size_t N>
std::optional<AttrResult> TryTable(const std::array<Handler<Target>, N>& table, std::string_view name,
                                   std::optional<std::string_view> value, Target& target) {
  for (const auto& h : table) {
    if (h.name != name) continue;
    if (h.shape == Shape::kFlag && value) return AttrResult(Err{ParseError::kUnexpectedValue});
    if (h.shape == Shape::kValue && (!value || value->empty())) return AttrResult(Err{ParseError::kMissingValue});
    return h.parse(value.value_or(std::string_view{}), target);
  }
  return std::nullopt;
}

struct Split {
  std::string_view name;
  std::optional<std::string_view> value;
};

Result<Split, ParseError> SplitAttribute(std::string_view text) {
  auto [name, value] = text::SplitOnce(text, ':');
  if (name.size() > kMaxTokenLength) return Err{ParseError::kValueTooLong};
  if (!text::IsToken(name)) return Err{ParseError::kBadAttributeName};
  return Split{name, value};
}

void KeepUnknown(const Split& s, CommonAttributes& c) {
  Attribute a{std::string(s.name), std::nullopt};
  if (s.value) a.value = std::string(*s.value);
  c.other.push_back(std::move(a));
}

}  // namespace

AttrResult ParseSessionAttribute(std::string_view text, SessionDescription& sd) {
  auto split = SplitAttribute(text);
  if (!split) return Err{split.error()};
  if (auto r = TryTable(kSessionHandlers, split->name, split->value, sd)) return *r;
  if (auto r = TryTable(kCommonHandlers, split->name, split->value, sd.common)) return *r;
  KeepUnknown(*split, sd.common);
  return {};
}

AttrResult ParseMediaAttribute(std::string_view text, MediaSection& m) {
  auto split = SplitAttribute(text);
  if (!split) return Err{split.error()};
  if (auto r = TryTable(kMediaHandlers, split->name, split->value, m)) return *r;
  if (auto r = TryTable(kCommonHandlers, split->name, split->value, m.common)) return *r;
  KeepUnknown(*split, m.common);
  return {};
}

}  // namespace aegis::sdp::internal
