// Helpers shared by the answerer (answer.cc) and the subscriber offerer
// (subscriber_offer.cc): both write the server's transport attributes the
// same way and read the peer's the same way. Internal to the negotiation layer.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "dtls/fingerprint.h"
#include "negotiation/answer.h"
#include "sdp/session_description.h"

namespace aegis::negotiation::internal {

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Media-level values override session-level ones (RFC 8829 §5.8).
template <typename T>
const T& Effective(const T& media_value, const T& session_value) {
  return media_value ? media_value : session_value;
}

// The first fingerprint the DTLS layer can use, or nullopt.
std::optional<dtls::Fingerprint> ToDtlsFingerprint(const std::vector<sdp::Fingerprint>& fps);
sdp::Fingerprint ToSdpFingerprint(const dtls::Fingerprint& fp);

// ICE credentials, fingerprint, setup role, host candidates (then
// end-of-candidates: the server is ICE-lite and never trickles) and the
// m=/c= address of the first candidate. Without candidates the section keeps
// port 9 with c=IN IP4 0.0.0.0, as JSEP writes it (RFC 8829 §5.2.1).
void AddTransportAttributes(sdp::MediaSection& section, const LocalParameters& local, sdp::SetupRole setup);

}  // namespace aegis::negotiation::internal
