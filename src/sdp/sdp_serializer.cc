#include "sdp/sdp_serializer.h"

#include <charconv>

#include "sdp/limits.h"
#include "sdp/text_util.h"

namespace aegis::sdp {
namespace {

class Writer {
 public:
  Writer& Line(char type) {
    out_ += type;
    out_ += '=';
    return *this;
  }
  Writer& Attr(std::string_view name) {
    out_ += "a=";
    out_ += name;
    return *this;
  }
  // A line the parser would refuse as too long fails the whole text. Lines of
  // a parsed description never grow when written, so they always fit.
  void End() {
    if (out_.size() - line_start_ > kMaxLineLength) ok_ = false;
    out_ += "\r\n";
    line_start_ = out_.size();
  }
  // A literal or a separator the serializer itself chose.
  Writer& Raw(std::string_view s) {
    out_ += s;
    return *this;
  }
  // Free text: anything but the line breaks and NUL that would end the line.
  Writer& Text(std::string_view s) {
    if (s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) ok_ = false;
    out_ += s;
    return *this;
  }
  // One space-separated field: visible characters only, never empty.
  Writer& Field(std::string_view s) {
    if (!text::IsVisible(s)) ok_ = false;
    out_ += s;
    return *this;
  }
  // A token (no ':' or ';' either): attribute names and the like.
  Writer& Token(std::string_view s) {
    if (!text::IsToken(s)) ok_ = false;
    out_ += s;
    return *this;
  }
  Writer& Number(uint64_t v) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    (void)ec;  // 24 bytes always hold a uint64
    out_.append(buf, end);
    return *this;
  }
  Writer& PayloadType(uint8_t pt) {
    if (pt > 127) ok_ = false;
    return Number(pt);
  }
  void Fail() { ok_ = false; }
  bool ok() const { return ok_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
  size_t line_start_ = 0;
  bool ok_ = true;
};

std::string HexColon(const std::vector<uint8_t>& bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string s;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) s += ':';
    s += kHex[bytes[i] >> 4];
    s += kHex[bytes[i] & 0xf];
  }
  return s;
}

void WriteConnection(Writer& w, const Connection& c) {
  w.Line('c').Token(c.net_type).Raw(" ").Token(c.address_type).Raw(" ").Field(c.address).End();
}

void WriteBandwidths(Writer& w, const std::vector<Bandwidth>& bandwidths) {
  for (const Bandwidth& b : bandwidths) w.Line('b').Token(b.type).Raw(":").Number(b.value).End();
}

void WriteFieldList(Writer& w, const std::vector<std::string>& fields) {
  for (const std::string& f : fields) w.Raw(" ").Field(f);
}

// ICE and DTLS attributes, at either level.
void WriteTransport(Writer& w, const CommonAttributes& c) {
  if (c.ice_ufrag) w.Attr("ice-ufrag:").Field(*c.ice_ufrag).End();
  if (c.ice_pwd) w.Attr("ice-pwd:").Field(*c.ice_pwd).End();
  if (!c.ice_options.empty()) {
    w.Attr("ice-options:").Field(c.ice_options.front());
    WriteFieldList(w, {c.ice_options.begin() + 1, c.ice_options.end()});
    w.End();
  }
  for (const Fingerprint& f : c.fingerprints) {
    if (f.digest.empty()) w.Fail();
    w.Attr("fingerprint:").Token(f.hash).Raw(" ").Raw(HexColon(f.digest)).End();
  }
  if (c.setup) w.Attr("setup:").Raw(ToString(*c.setup)).End();
}

void WriteDirectionAndExtmaps(Writer& w, const CommonAttributes& c) {
  if (c.direction) w.Attr(ToString(*c.direction)).End();
  if (c.extmap_allow_mixed) w.Attr("extmap-allow-mixed").End();
  for (const Extmap& e : c.extmaps) {
    if (e.id < 1 || e.id > 255) w.Fail();
    w.Attr("extmap:").Number(e.id);
    if (e.direction) w.Raw("/").Raw(ToString(*e.direction));
    w.Raw(" ").Field(e.uri);
    if (!e.attributes.empty()) w.Raw(" ").Text(e.attributes);
    w.End();
  }
}

void WriteOther(Writer& w, const CommonAttributes& c) {
  if (c.end_of_candidates) w.Attr("end-of-candidates").End();
  for (const Attribute& a : c.other) {
    w.Raw("a=").Token(a.name);
    if (a.value) w.Raw(":").Text(*a.value);
    w.End();
  }
}

void WriteCandidate(Writer& w, const Candidate& c) {
  if (c.component < 1 || c.component > 256) w.Fail();
  w.Attr("candidate:").Field(c.foundation).Raw(" ").Number(c.component).Raw(" ").Field(c.transport);
  w.Raw(" ").Number(c.priority).Raw(" ").Field(c.address).Raw(" ").Number(c.port);
  w.Raw(" typ ").Field(c.type);
  if (c.related_address) w.Raw(" raddr ").Field(*c.related_address);
  if (c.related_port) w.Raw(" rport ").Number(*c.related_port);
  if (c.tcp_type) w.Raw(" tcptype ").Field(*c.tcp_type);
  if (c.generation) w.Raw(" generation ").Number(*c.generation);
  for (const CandidateExtension& e : c.extensions) w.Raw(" ").Token(e.name).Raw(" ").Field(e.value);
  w.End();
}

void WritePayloadAttributes(Writer& w, const MediaSection& m) {
  for (const RtpMap& r : m.rtpmaps) {
    w.Attr("rtpmap:").PayloadType(r.payload_type).Raw(" ").Token(r.encoding).Raw("/").Number(r.clock_rate);
    if (r.channels) w.Raw("/").Number(*r.channels);
    w.End();
  }
  for (const RtcpFb& fb : m.rtcp_fbs) {
    w.Attr("rtcp-fb:");
    if (fb.payload_type) {
      w.PayloadType(*fb.payload_type);
    } else {
      w.Raw("*");
    }
    w.Raw(" ").Token(fb.type);
    if (!fb.subtype.empty()) w.Raw(" ").Text(fb.subtype);
    w.End();
  }
  for (const Fmtp& f : m.fmtps) {
    w.Attr("fmtp:").PayloadType(f.payload_type);
    if (!f.parameters.empty()) w.Raw(" ").Text(f.parameters);
    w.End();
  }
}

void WriteSimulcastList(Writer& w, const std::vector<SimulcastStream>& streams) {
  if (streams.empty()) w.Fail();
  for (size_t i = 0; i < streams.size(); ++i) {
    if (i) w.Raw(";");
    if (streams[i].empty()) w.Fail();
    for (size_t j = 0; j < streams[i].size(); ++j) {
      if (j) w.Raw(",");
      if (streams[i][j].paused) w.Raw("~");
      w.Token(streams[i][j].rid);
    }
  }
}

void WriteStreamAttributes(Writer& w, const MediaSection& m) {
  for (const Rid& r : m.rids) {
    w.Attr("rid:").Token(r.id).Raw(" ").Raw(ToString(r.direction));
    if (!r.restrictions.empty()) w.Raw(" ").Text(r.restrictions);
    w.End();
  }
  if (m.simulcast) {
    w.Attr("simulcast:");
    const char* sep = "";
    if (!m.simulcast->send.empty()) {
      w.Raw("send ");
      WriteSimulcastList(w, m.simulcast->send);
      sep = " ";
    }
    if (!m.simulcast->recv.empty()) {
      w.Raw(sep).Raw("recv ");
      WriteSimulcastList(w, m.simulcast->recv);
    }
    if (m.simulcast->send.empty() && m.simulcast->recv.empty()) w.Fail();
    w.End();
  }
  for (const SsrcGroup& g : m.ssrc_groups) {
    if (g.ssrcs.empty()) w.Fail();
    w.Attr("ssrc-group:").Token(g.semantics);
    for (uint32_t s : g.ssrcs) w.Raw(" ").Number(s);
    w.End();
  }
  for (const SsrcAttribute& s : m.ssrcs) {
    w.Attr("ssrc:").Number(s.ssrc).Raw(" ").Token(s.attribute);
    if (s.value) w.Raw(":").Text(*s.value);
    w.End();
  }
}

void WriteMedia(Writer& w, const MediaSection& m) {
  w.Line('m').Token(m.media).Raw(" ").Number(m.port);
  if (m.port_count) w.Raw("/").Number(*m.port_count);
  w.Raw(" ").Token(m.proto);
  // The format list must match the profile, or it would parse differently.
  if (m.IsRtp() ? (!m.formats.empty() || m.payload_types.empty())
                : (!m.payload_types.empty() || m.formats.empty())) {
    w.Fail();
  }
  for (uint8_t pt : m.payload_types) w.Raw(" ").PayloadType(pt);
  WriteFieldList(w, m.formats);
  w.End();
  if (m.title) w.Line('i').Text(*m.title).End();
  if (m.connection) WriteConnection(w, *m.connection);
  WriteBandwidths(w, m.bandwidths);
  if (m.key) w.Line('k').Text(*m.key).End();

  if (m.mid) w.Attr("mid:").Token(*m.mid).End();
  WriteTransport(w, m.common);
  for (const Msid& id : m.msids) {
    w.Attr("msid:").Token(id.id);
    if (id.app_data) w.Raw(" ").Token(*id.app_data);
    w.End();
  }
  if (m.rtcp_mux) w.Attr("rtcp-mux").End();
  if (m.rtcp_rsize) w.Attr("rtcp-rsize").End();
  if (m.bundle_only) w.Attr("bundle-only").End();
  WriteDirectionAndExtmaps(w, m.common);
  WritePayloadAttributes(w, m);
  WriteStreamAttributes(w, m);
  if (m.sctp_port) w.Attr("sctp-port:").Number(*m.sctp_port).End();
  if (m.max_message_size) w.Attr("max-message-size:").Number(*m.max_message_size).End();
  for (const Candidate& c : m.candidates) WriteCandidate(w, c);
  WriteOther(w, m.common);
}

void WriteSession(Writer& w, const SessionDescription& sd) {
  if (sd.version != 0) w.Fail();
  w.Line('v').Raw("0").End();
  const Origin& o = sd.origin;
  w.Line('o').Field(o.username).Raw(" ").Number(o.session_id).Raw(" ").Number(o.session_version);
  w.Raw(" ").Token(o.net_type).Raw(" ").Token(o.address_type).Raw(" ").Field(o.address).End();
  w.Line('s').Text(sd.session_name).End();
  if (sd.information) w.Line('i').Text(*sd.information).End();
  if (sd.uri) w.Line('u').Text(*sd.uri).End();
  for (const std::string& e : sd.emails) w.Line('e').Text(e).End();
  for (const std::string& p : sd.phones) w.Line('p').Text(p).End();
  if (sd.connection) WriteConnection(w, *sd.connection);
  WriteBandwidths(w, sd.bandwidths);
  if (sd.timings.empty()) w.Fail();  // t= is required
  for (const Timing& t : sd.timings) {
    w.Line('t').Number(t.start).Raw(" ").Number(t.stop).End();
    for (const std::string& r : t.repeats) {
      if (r.empty()) w.Fail();
      w.Line('r').Text(r).End();
    }
  }
  if (sd.zone_adjustments) w.Line('z').Text(*sd.zone_adjustments).End();
  if (sd.key) w.Line('k').Text(*sd.key).End();

  for (const Group& g : sd.groups) {
    w.Attr("group:").Token(g.semantics);
    for (const std::string& mid : g.mids) w.Raw(" ").Token(mid);
    w.End();
  }
  if (sd.ice_lite) w.Attr("ice-lite").End();
  if (sd.msid_semantic) {
    // Chromium writes "msid-semantic: WMS"; the form without the space (as
    // Firefox writes it) keeps every written line no longer than its source.
    w.Attr("msid-semantic:").Token(sd.msid_semantic->semantic);
    for (const std::string& id : sd.msid_semantic->ids) w.Raw(" ").Token(id);
    w.End();
  }
  WriteTransport(w, sd.common);
  WriteDirectionAndExtmaps(w, sd.common);
  WriteOther(w, sd.common);
}

}  // namespace

std::optional<std::string> SerializeSdp(const SessionDescription& sd) {
  Writer w;
  WriteSession(w, sd);
  for (const MediaSection& m : sd.media) WriteMedia(w, m);
  if (!w.ok()) return std::nullopt;
  return w.Take();
}

}  // namespace aegis::sdp
