#include "sdp/webrtc_policy.h"

#include "sdp/text_util.h"

namespace aegis::sdp {
namespace {

constexpr size_t kMinIceUfrag = 4;
constexpr size_t kMinIcePwd = 22;

using Check = std::optional<PolicyError>;

Check CheckAttributes(const std::vector<Attribute>& other) {
  for (const Attribute& a : other) {
    if (text::EqualsIgnoreCase(a.name, "crypto")) return PolicyError::kSdesCrypto;
    if (text::EqualsIgnoreCase(a.name, "key-mgmt")) return PolicyError::kKeyInSdp;
  }
  return std::nullopt;
}

size_t DigestSize(std::string_view hash) {
  if (text::EqualsIgnoreCase(hash, "sha-256")) return 32;
  if (text::EqualsIgnoreCase(hash, "sha-384")) return 48;
  if (text::EqualsIgnoreCase(hash, "sha-512")) return 64;
  return 0;
}

// Whatever transport values a section (or the session) carries must be
// acceptable, whether or not they end up being used.
Check CheckCarried(const CommonAttributes& c, std::optional<SdpType> type) {
  if (auto e = CheckAttributes(c.other)) return e;
  for (const Fingerprint& f : c.fingerprints) {
    size_t size = DigestSize(f.hash);
    if (size == 0) return PolicyError::kFingerprintHashNotAllowed;
    if (f.digest.size() != size) return PolicyError::kFingerprintLengthMismatch;
  }
  if (c.ice_ufrag && c.ice_ufrag->size() < kMinIceUfrag) return PolicyError::kIceUfragTooShort;
  if (c.ice_pwd && c.ice_pwd->size() < kMinIcePwd) return PolicyError::kIcePwdTooShort;
  if (c.setup == SetupRole::kHoldConn) return PolicyError::kInvalidSetup;
  if (c.setup == SetupRole::kActPass && type == SdpType::kAnswer) return PolicyError::kInvalidSetup;
  return std::nullopt;
}

// "DTLS/SCTP" is the older data-channel syntax (draft-ietf-mmusic-sctp-sdp-05,
// with a=sctpmap) that aiortc still offers; it is SCTP over DTLS all the same.
bool IsAllowedProfile(Profile p) {
  return p == Profile::kUdpTlsRtpSavpf || p == Profile::kTcpTlsRtpSavpf || p == Profile::kUdpDtlsSctp ||
         p == Profile::kTcpDtlsSctp || p == Profile::kDtlsSctp;
}

// The BUNDLE-tag section of the group that holds `mid`, or nullptr.
const MediaSection* BundleTag(const SessionDescription& sd, const std::optional<std::string>& mid) {
  if (!mid) return nullptr;
  for (const Group* g : sd.BundleGroups()) {
    for (const std::string& m : g->mids) {
      if (m == *mid) return sd.FindMid(g->mids.front());
    }
  }
  return nullptr;
}

std::optional<PolicyViolation> CheckMidsAndGroups(const SessionDescription& sd) {
  for (size_t i = 0; i < sd.media.size(); ++i) {
    if (!sd.media[i].mid) return PolicyViolation{PolicyError::kMissingMid, i};
    for (size_t j = 0; j < i; ++j) {
      if (sd.media[j].mid == sd.media[i].mid) return PolicyViolation{PolicyError::kDuplicateMid, i};
    }
  }
  // Mids are unique by now, so "bundled twice" is "its section bundled twice";
  // this stays linear in the group sizes, however long a hostile group is.
  std::vector<bool> bundled(sd.media.size(), false);
  for (const Group* g : sd.BundleGroups()) {
    for (const std::string& mid : g->mids) {
      const MediaSection* m = sd.FindMid(mid);
      if (!m) return PolicyViolation{PolicyError::kBundleMidUnknown, std::nullopt};
      auto index = static_cast<size_t>(m - sd.media.data());
      if (bundled[index]) return PolicyViolation{PolicyError::kMidBundledTwice, std::nullopt};
      bundled[index] = true;
    }
  }
  return std::nullopt;
}

// Presence of each transport attribute in the section, its BUNDLE tag or the session.
Check CheckEffectiveTransport(const SessionDescription& sd, const MediaSection& m) {
  const MediaSection* tag = BundleTag(sd, m.mid);
  bool rejected = m.port == 0 && tag == nullptr;
  if (rejected) return std::nullopt;
  const CommonAttributes* levels[] = {&m.common, tag ? &tag->common : nullptr, &sd.common};
  auto any = [&](auto has) {
    for (const CommonAttributes* c : levels) {
      if (c && has(*c)) return true;
    }
    return false;
  };
  if (!any([](const CommonAttributes& c) { return !c.fingerprints.empty(); })) {
    return PolicyError::kMissingFingerprint;
  }
  if (!any([](const CommonAttributes& c) { return c.ice_ufrag.has_value(); }) ||
      !any([](const CommonAttributes& c) { return c.ice_pwd.has_value(); })) {
    return PolicyError::kMissingIceCredentials;
  }
  if (!any([](const CommonAttributes& c) { return c.setup.has_value(); })) return PolicyError::kMissingSetup;
  if (m.IsRtp() && !m.rtcp_mux && !(tag && tag->rtcp_mux)) return PolicyError::kMissingRtcpMux;
  return std::nullopt;
}

Check CheckSection(const SessionDescription& sd, const MediaSection& m, std::optional<SdpType> type) {
  if (auto e = CheckCarried(m.common, type)) return e;
  if (m.key) return PolicyError::kKeyInSdp;
  if (!IsAllowedProfile(m.profile())) return PolicyError::kInsecureProfile;
  return CheckEffectiveTransport(sd, m);
}

Result<void, PolicyViolation> Validate(const SessionDescription& sd, std::optional<SdpType> type) {
  if (auto e = CheckCarried(sd.common, type)) return Err{PolicyViolation{*e, std::nullopt}};
  if (sd.key) return Err{PolicyViolation{PolicyError::kKeyInSdp, std::nullopt}};
  if (auto v = CheckMidsAndGroups(sd)) return Err{*v};
  for (size_t i = 0; i < sd.media.size(); ++i) {
    if (auto e = CheckSection(sd, sd.media[i], type)) return Err{PolicyViolation{*e, i}};
  }
  return {};
}

}  // namespace

Result<void, PolicyViolation> ValidateForWebRtc(const SessionDescription& sd) { return Validate(sd, std::nullopt); }

Result<void, PolicyViolation> ValidateForWebRtc(const SessionDescription& sd, SdpType type) {
  return Validate(sd, type);
}

std::string_view ToString(PolicyError e) {
  switch (e) {
    case PolicyError::kSdesCrypto: return "a=crypto (SDES) is refused";
    case PolicyError::kKeyInSdp: return "keys in SDP (k=, a=key-mgmt) are refused";
    case PolicyError::kInsecureProfile: return "profile is not DTLS-SRTP or DTLS/SCTP";
    case PolicyError::kMissingMid: return "media section without a=mid";
    case PolicyError::kDuplicateMid: return "duplicate mid";
    case PolicyError::kBundleMidUnknown: return "BUNDLE group names an unknown mid";
    case PolicyError::kMidBundledTwice: return "mid in more than one BUNDLE group";
    case PolicyError::kMissingFingerprint: return "missing fingerprint";
    case PolicyError::kFingerprintHashNotAllowed: return "fingerprint hash not sha-256/384/512";
    case PolicyError::kFingerprintLengthMismatch: return "fingerprint length does not match its hash";
    case PolicyError::kMissingIceCredentials: return "missing ice-ufrag or ice-pwd";
    case PolicyError::kIceUfragTooShort: return "ice-ufrag shorter than 4 characters";
    case PolicyError::kIcePwdTooShort: return "ice-pwd shorter than 22 characters";
    case PolicyError::kMissingSetup: return "missing setup";
    case PolicyError::kInvalidSetup: return "setup role not allowed";
    case PolicyError::kMissingRtcpMux: return "RTP section without rtcp-mux";
  }
  return "unknown";
}

}  // namespace aegis::sdp
