#include "negotiation/sdp_common.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "base/hex.h"

namespace aegis::negotiation::internal {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<dtls::Fingerprint> ToDtlsFingerprint(const std::vector<sdp::Fingerprint>& fps) {
  for (const auto& fp : fps) {
    std::string hex = ToHex(fp.digest);
    std::string text = fp.hash + " ";
    for (size_t i = 0; i < hex.size(); i += 2) {
      if (i) text += ':';
      text += hex.substr(i, 2);
    }
    if (auto parsed = dtls::Fingerprint::Parse(text)) return parsed;
  }
  return std::nullopt;
}

sdp::Fingerprint ToSdpFingerprint(const dtls::Fingerprint& fp) {
  std::string text = fp.ToSdpString();  // "sha-256 AB:CD:..."
  sdp::Fingerprint out;
  out.hash = text.substr(0, text.find(' '));
  out.digest.assign(fp.digest().begin(), fp.digest().end());
  return out;
}

void AddTransportAttributes(sdp::MediaSection& section, const LocalParameters& local, sdp::SetupRole setup) {
  section.common.ice_ufrag = local.ice.ufrag;
  section.common.ice_pwd = local.ice.pwd;
  section.common.fingerprints = {ToSdpFingerprint(local.fingerprint)};
  section.common.setup = setup;
  // Host candidates (RFC 8445 §5.1.2.1: type preference 126, component 1),
  // UDP before TCP. A TCP candidate is passive (RFC 6544: the client
  // connects) and ranks below every UDP one (§4.2: local preference
  // 2^13 * direction preference 4 + other preference), so a browser
  // uses it only where UDP does not get through.
  uint32_t udp_priority = (126u << 24) | (65535u << 8) | 255u;
  uint32_t tcp_priority = (126u << 24) | ((4u * 8192u + 8191u) << 8) | 255u;
  int foundation = 1;
  for (const auto& addr : local.candidates) {
    const bool tcp = addr.protocol == stun::Protocol::kTcp;
    sdp::Candidate c;
    c.foundation = std::to_string(foundation++);
    c.component = 1;
    c.transport = tcp ? "tcp" : "udp";
    c.priority = tcp ? tcp_priority-- : udp_priority--;
    c.address = addr.IpString();
    c.port = addr.port;
    c.type = "host";
    if (tcp) c.tcp_type = "passive";
    section.candidates.push_back(std::move(c));
  }
  section.common.end_of_candidates = true;
  section.connection = sdp::Connection{"IN", "IP4", "0.0.0.0"};
  if (!local.candidates.empty()) {
    const auto& first = local.candidates.front();  // UDP, when the server has it
    section.port = first.port;
    bool v6 = first.family == stun::AddressFamily::kIpv6;
    section.connection = sdp::Connection{"IN", v6 ? "IP6" : "IP4", first.IpString()};
  }
}

}  // namespace aegis::negotiation::internal
