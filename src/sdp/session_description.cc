#include "sdp/session_description.h"

#include "sdp/text_util.h"

namespace aegis::sdp {

MediaKind MediaSection::kind() const {
  if (media == "audio") return MediaKind::kAudio;
  if (media == "video") return MediaKind::kVideo;
  if (media == "application") return MediaKind::kApplication;
  return MediaKind::kOther;
}

Profile MediaSection::profile() const {
  // Protocol names are matched exactly as registered (RFC 8866 §8.2.2).
  if (proto == "UDP/TLS/RTP/SAVPF") return Profile::kUdpTlsRtpSavpf;
  if (proto == "TCP/TLS/RTP/SAVPF") return Profile::kTcpTlsRtpSavpf;
  if (proto == "UDP/DTLS/SCTP") return Profile::kUdpDtlsSctp;
  if (proto == "TCP/DTLS/SCTP") return Profile::kTcpDtlsSctp;
  if (proto == "RTP/AVP") return Profile::kRtpAvp;
  if (proto == "RTP/AVPF") return Profile::kRtpAvpf;
  if (proto == "RTP/SAVP") return Profile::kRtpSavp;
  if (proto == "RTP/SAVPF") return Profile::kRtpSavpf;
  if (proto == "DTLS/SCTP") return Profile::kDtlsSctp;
  return Profile::kOther;
}

bool MediaSection::IsRtpProto(std::string_view proto) {
  // Any profile with an "RTP" component carries payload types as formats.
  size_t start = 0;
  while (start <= proto.size()) {
    size_t end = proto.find('/', start);
    if (end == std::string_view::npos) end = proto.size();
    if (proto.substr(start, end - start) == "RTP") return true;
    start = end + 1;
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> Fmtp::Parameters() const {
  std::vector<std::pair<std::string, std::string>> out;
  std::string_view rest = parameters;
  while (!rest.empty()) {
    auto [part, after] = text::SplitOnce(rest, ';');
    rest = after.value_or(std::string_view{});
    part = text::Trim(part);
    if (part.empty()) continue;
    auto [key, value] = text::SplitOnce(part, '=');
    if (value) {
      out.emplace_back(std::string(text::Trim(key)), std::string(text::Trim(*value)));
    } else {
      out.emplace_back(std::string(), std::string(part));
    }
  }
  return out;
}

std::vector<const Group*> SessionDescription::BundleGroups() const {
  std::vector<const Group*> out;
  for (const Group& g : groups) {
    if (g.semantics == "BUNDLE") out.push_back(&g);
  }
  return out;
}

const MediaSection* SessionDescription::FindMid(std::string_view mid) const {
  for (const MediaSection& m : media) {
    if (m.mid && *m.mid == mid) return &m;
  }
  return nullptr;
}

std::string_view ToString(Direction d) {
  switch (d) {
    case Direction::kSendRecv: return "sendrecv";
    case Direction::kSendOnly: return "sendonly";
    case Direction::kRecvOnly: return "recvonly";
    case Direction::kInactive: return "inactive";
  }
  return "sendrecv";
}

std::string_view ToString(SetupRole r) {
  switch (r) {
    case SetupRole::kActPass: return "actpass";
    case SetupRole::kActive: return "active";
    case SetupRole::kPassive: return "passive";
    case SetupRole::kHoldConn: return "holdconn";
  }
  return "actpass";
}

std::string_view ToString(RidDirection d) { return d == RidDirection::kSend ? "send" : "recv"; }

}  // namespace aegis::sdp
