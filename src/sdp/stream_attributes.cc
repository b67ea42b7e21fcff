// Stream identification attributes.
//   a=ssrc:<ssrc-id> <attribute>[:<value>]           (RFC 5576 §4.1)
//   a=ssrc-group:<semantics> <ssrc-id> ...           (RFC 5576 §4.2)
//   a=msid:<msid-id> [<msid-appdata>]                 (RFC 8830 §2, 1*64 token-char each)
//   a=msid-semantic: <semantic> [<id> ...]           (legacy WMS line browsers still send)
//   a=rid:<rid-id> <send|recv> [<restrictions>]      (RFC 8851 §10)
//   a=simulcast:<send|recv> <list> [<recv|send> <list>]   (RFC 8853 §5.1)
//     list = stream *(";" stream), stream = alt *("," alt), alt = ["~"] rid-id
#include "sdp/attribute_parsers.h"
#include "sdp/text_util.h"

namespace aegis::sdp::internal {
namespace {

std::optional<std::vector<SimulcastStream>> ParseSimulcastList(std::string_view list, size_t& layers) {
  std::vector<SimulcastStream> streams;
  for (;;) {
    auto [stream_text, more_streams] = text::SplitOnce(list, ';');
    SimulcastStream stream;
    for (;;) {
      auto [alt, more_alts] = text::SplitOnce(stream_text, ',');
      SimulcastLayer layer;
      if (!alt.empty() && alt.front() == '~') {
        layer.paused = true;
        alt.remove_prefix(1);
      }
      if (!IsRidId(alt) || ++layers > kMaxSimulcastLayers) return std::nullopt;
      layer.rid = std::string(alt);
      stream.push_back(std::move(layer));
      if (!more_alts) break;
      stream_text = *more_alts;
    }
    streams.push_back(std::move(stream));
    if (!more_streams) break;
    list = *more_streams;
  }
  return streams;
}

}  // namespace

// RFC 8851 §10: rid-id = 1*(alpha-numeric / "-" / "_").
bool IsRidId(std::string_view s) {
  if (s.empty() || s.size() > kMaxTokenLength) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

AttrResult ParseSsrc(std::string_view v, MediaSection& m) {
  text::FieldReader r(v);
  auto id = r.Next();
  if (!id) return Err{ParseError::kBadSsrc};
  auto ssrc = text::ParseUint(*id, 0, UINT32_MAX);
  if (!ssrc) return Err{ssrc.error()};
  auto [attribute, value] = text::SplitOnce(r.Rest(), ':');
  if (attribute.empty()) return Err{ParseError::kBadSsrc};
  if (auto e = text::TokenError(attribute)) return Err{*e};
  SsrcAttribute a{static_cast<uint32_t>(*ssrc), std::string(attribute), std::nullopt};
  if (value) a.value = std::string(*value);
  m.ssrcs.push_back(std::move(a));
  return {};
}

AttrResult ParseSsrcGroup(std::string_view v, MediaSection& m) {
  text::FieldReader r(v);
  auto semantics = r.Next();
  if (!semantics) return Err{ParseError::kBadSsrcGroup};
  if (auto e = text::TokenError(*semantics)) return Err{*e};
  SsrcGroup group{std::string(*semantics), {}};
  while (auto id = r.Next()) {
    if (group.ssrcs.size() >= kMaxSsrcsPerGroup) return Err{ParseError::kBadSsrcGroup};
    auto ssrc = text::ParseUint(*id, 0, UINT32_MAX);
    if (!ssrc) return Err{ssrc.error()};
    group.ssrcs.push_back(static_cast<uint32_t>(*ssrc));
  }
  if (group.ssrcs.empty()) return Err{ParseError::kBadSsrcGroup};
  m.ssrc_groups.push_back(std::move(group));
  return {};
}

AttrResult ParseMsid(std::string_view v, MediaSection& m) {
  text::FieldReader r(v);
  auto id = r.Next();
  if (!id) return Err{ParseError::kBadMsid};
  if (auto e = text::TokenError(*id, kMaxMsidIdLength)) return Err{*e};
  Msid msid{std::string(*id), std::nullopt};
  if (auto app_data = r.Next()) {
    if (auto e = text::TokenError(*app_data, kMaxMsidIdLength)) return Err{*e};
    msid.app_data = std::string(*app_data);
  }
  if (!r.AtEnd()) return Err{ParseError::kBadMsid};
  m.msids.push_back(std::move(msid));
  return {};
}

AttrResult ParseMsidSemantic(std::string_view v, SessionDescription& sd) {
  if (sd.msid_semantic) return Err{ParseError::kDuplicateAttribute};
  text::FieldReader r(v);
  auto semantic = r.Next();
  if (!semantic) return Err{ParseError::kBadMsid};
  if (auto e = text::TokenError(*semantic)) return Err{*e};
  MsidSemantic ms{std::string(*semantic), {}};
  while (auto id = r.Next()) {
    if (auto e = text::TokenError(*id)) return Err{*e};
    ms.ids.emplace_back(*id);
  }
  sd.msid_semantic = std::move(ms);
  return {};
}

AttrResult ParseRid(std::string_view v, MediaSection& m) {
  text::FieldReader r(v);
  auto id = r.Next();
  auto direction = r.Next();
  if (!id || !direction || !IsRidId(*id)) return Err{ParseError::kBadRid};
  Rid rid;
  rid.id = std::string(*id);
  if (*direction == "send") {
    rid.direction = RidDirection::kSend;
  } else if (*direction == "recv") {
    rid.direction = RidDirection::kRecv;
  } else {
    return Err{ParseError::kBadRid};
  }
  for (const Rid& existing : m.rids) {
    if (existing.id == rid.id) return Err{ParseError::kBadRid};  // unique per section (§4)
  }
  rid.restrictions = std::string(r.Rest());
  m.rids.push_back(std::move(rid));
  return {};
}

AttrResult ParseSimulcast(std::string_view v, MediaSection& m) {
  if (m.simulcast) return Err{ParseError::kDuplicateAttribute};
  text::FieldReader r(v);
  Simulcast sc;
  bool have_send = false, have_recv = false;
  size_t layers = 0;
  while (auto direction = r.Next()) {
    auto list = r.Next();
    if (!list) return Err{ParseError::kBadSimulcast};
    bool is_send = *direction == "send";
    if (!is_send && *direction != "recv") return Err{ParseError::kBadSimulcast};
    bool& seen = is_send ? have_send : have_recv;
    if (seen) return Err{ParseError::kBadSimulcast};
    seen = true;
    auto streams = ParseSimulcastList(*list, layers);
    if (!streams) return Err{ParseError::kBadSimulcast};
    (is_send ? sc.send : sc.recv) = std::move(*streams);
  }
  if (!have_send && !have_recv) return Err{ParseError::kBadSimulcast};
  m.simulcast = std::move(sc);
  return {};
}

}  // namespace aegis::sdp::internal
