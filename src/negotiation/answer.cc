#include "negotiation/answer.h"

#include <algorithm>

#include "negotiation/sdp_common.h"
#include "rtp/transport_sequence.h"

namespace aegis::negotiation {
namespace {

using internal::AddTransportAttributes;
using internal::Effective;
using internal::EqualsIgnoreCase;
using internal::ToDtlsFingerprint;

constexpr size_t kMaxSections = 32;
constexpr const char* kMidExtensionUri = "urn:ietf:params:rtp-hdrext:sdes:mid";

sdp::Direction Reverse(sdp::Direction d) {
  switch (d) {
    case sdp::Direction::kSendOnly: return sdp::Direction::kRecvOnly;
    case sdp::Direction::kRecvOnly: return sdp::Direction::kSendOnly;
    default: return d;
  }
}

// The payload types the SFU can forward for this section's kind.
std::vector<uint8_t> AcceptableCodecs(const sdp::MediaSection& m) {
  std::vector<uint8_t> out;
  for (const auto& map : m.rtpmaps) {
    if (std::find(m.payload_types.begin(), m.payload_types.end(), map.payload_type) == m.payload_types.end()) continue;
    bool ok = (m.kind() == sdp::MediaKind::kAudio && EqualsIgnoreCase(map.encoding, "opus") &&
               map.clock_rate == 48000) ||
              (m.kind() == sdp::MediaKind::kVideo && EqualsIgnoreCase(map.encoding, "VP8") && map.clock_rate == 90000);
    if (ok) out.push_back(map.payload_type);
  }
  return out;
}

bool Contains(const std::vector<uint8_t>& v, std::optional<uint8_t> pt) {
  return pt && std::find(v.begin(), v.end(), *pt) != v.end();
}

// The offer's RTX payload types (rtx/90000 with an apt) that repeat one of
// the accepted media payload types.
std::vector<RtxPayloadTypePair> AcceptableRtx(const sdp::MediaSection& m, const std::vector<uint8_t>& media) {
  std::vector<RtxPayloadTypePair> out;
  if (m.kind() != sdp::MediaKind::kVideo) return out;
  for (const auto& map : m.rtpmaps) {
    if (!EqualsIgnoreCase(map.encoding, "rtx") || map.clock_rate != 90000 || Contains(media, map.payload_type) ||
        std::find(m.payload_types.begin(), m.payload_types.end(), map.payload_type) == m.payload_types.end()) {
      continue;
    }
    for (const auto& f : m.fmtps) {
      if (f.payload_type != map.payload_type) continue;
      for (const auto& [key, value] : f.Parameters()) {
        if (key != "apt" || value.empty() || value.size() > 3 ||
            !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
          continue;
        }
        const int apt = std::stoi(value);
        if (apt <= 127 && Contains(media, static_cast<uint8_t>(apt))) {
          out.push_back({map.payload_type, static_cast<uint8_t>(apt)});
        }
      }
    }
  }
  return out;
}

// Splits the offer's SSRCs into media ones and the RTX ones that FID groups
// pair with them (only when RTX was accepted; otherwise all count as media,
// as before RTX existed).
void SplitSsrcs(const sdp::MediaSection& m, bool rtx_accepted, AcceptedMedia& accepted) {
  if (rtx_accepted) {
    for (const auto& g : m.ssrc_groups) {
      if (g.semantics != "FID" || g.ssrcs.size() != 2 || g.ssrcs[0] == g.ssrcs[1]) continue;
      accepted.remote_rtx_ssrcs.push_back({g.ssrcs[0], g.ssrcs[1]});
    }
  }
  auto is_rtx = [&](uint32_t ssrc) {
    return std::any_of(accepted.remote_rtx_ssrcs.begin(), accepted.remote_rtx_ssrcs.end(),
                       [&](const RtxSsrcPair& p) { return p.rtx == ssrc; });
  };
  for (const auto& s : m.ssrcs) {
    if (is_rtx(s.ssrc)) continue;
    if (std::find(accepted.remote_ssrcs.begin(), accepted.remote_ssrcs.end(), s.ssrc) == accepted.remote_ssrcs.end()) {
      accepted.remote_ssrcs.push_back(s.ssrc);
    }
  }
  // A pair whose media SSRC has no a=ssrc line of its own pairs nothing.
  std::erase_if(accepted.remote_rtx_ssrcs, [&](const RtxSsrcPair& p) {
    return std::find(accepted.remote_ssrcs.begin(), accepted.remote_ssrcs.end(), p.media) ==
           accepted.remote_ssrcs.end();
  });
}

std::optional<uint16_t> LegacySctpPort(const sdp::MediaSection& m) {
  if (m.formats.empty()) return std::nullopt;
  const std::string& f = m.formats.front();
  uint32_t port = 0;
  for (char c : f) {
    if (c < '0' || c > '9' || port > 65535) return std::nullopt;
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  if (f.empty() || port == 0 || port > 65535) return std::nullopt;
  return static_cast<uint16_t>(port);
}

sdp::MediaSection Rejected(const sdp::MediaSection& offered) {
  sdp::MediaSection m;
  m.media = offered.media;
  m.port = 0;
  m.proto = offered.proto;
  m.payload_types = offered.payload_types;
  m.formats = offered.formats;
  m.mid = offered.mid;
  return m;
}

}  // namespace

Result<Answer, NegotiationError> AnswerOffer(const sdp::SessionDescription& offer, const LocalParameters& local,
                                             RandomSource& rng, AnswerOptions options) {
  if (offer.media.size() > kMaxSections) return Err{NegotiationError{NegotiationErrorCode::kTooManySections, {}}};
  if (auto policy = sdp::ValidateForWebRtc(offer, sdp::SdpType::kOffer); !policy.ok()) {
    return Err{NegotiationError{NegotiationErrorCode::kPolicy, policy.error()}};
  }
  auto bundle = std::find_if(offer.groups.begin(), offer.groups.end(),
                             [](const sdp::Group& g) { return g.semantics == "BUNDLE"; });
  if (bundle == offer.groups.end() || bundle->mids.empty()) {
    return Err{NegotiationError{NegotiationErrorCode::kNoBundle, {}}};
  }
  auto in_bundle = [&](const std::optional<std::string>& mid) {
    return mid && std::find(bundle->mids.begin(), bundle->mids.end(), *mid) != bundle->mids.end();
  };

  Answer answer;
  sdp::SessionDescription& sd = answer.sdp;
  sd.origin = {"-", local.session_id, 2, "IN", "IP4", "127.0.0.1"};
  sd.session_name = "-";
  sd.timings = {sdp::Timing{}};
  sd.ice_lite = true;
  sdp::Group answer_bundle{"BUNDLE", {}};

  bool transport_taken = false;
  for (const auto& offered : offer.media) {
    // Port 0 with a=bundle-only is how a max-bundle offer asks to share the tag's transport.
    if (!in_bundle(offered.mid) || (offered.port == 0 && !offered.bundle_only)) {
      sd.media.push_back(Rejected(offered));
      continue;
    }
    // The transport is the one of the first accepted section (the BUNDLE tag).
    if (!transport_taken) {
      const auto& ufrag = Effective(offered.common.ice_ufrag, offer.common.ice_ufrag);
      const auto& pwd = Effective(offered.common.ice_pwd, offer.common.ice_pwd);
      const auto& fps = offered.common.fingerprints.empty() ? offer.common.fingerprints : offered.common.fingerprints;
      auto fingerprint = ToDtlsFingerprint(fps);
      if (!fingerprint) return Err{NegotiationError{NegotiationErrorCode::kBadFingerprint, {}}};
      answer.remote_ice = {*ufrag, *pwd};  // present: the policy check requires them
      answer.remote_fingerprint = *fingerprint;
      auto setup = Effective(offered.common.setup, offer.common.setup).value_or(sdp::SetupRole::kActPass);
      // We take the DTLS server role (passive) unless the offer insists on it:
      // the DTLS server chooses the SRTP profile, and browsers, as servers,
      // put AES_CM_128_HMAC_SHA1_80 first while we prefer AEAD_AES_128_GCM.
      answer.local_dtls_role = setup == sdp::SetupRole::kPassive ? dtls::DtlsRole::kClient : dtls::DtlsRole::kServer;
      transport_taken = true;
    }
    auto our_setup = answer.local_dtls_role == dtls::DtlsRole::kServer ? sdp::SetupRole::kPassive
                                                                       : sdp::SetupRole::kActive;

    sdp::MediaSection m;
    m.media = offered.media;
    m.proto = offered.proto;
    m.mid = offered.mid;
    if (offered.kind() == sdp::MediaKind::kApplication && offered.profile() == sdp::Profile::kUdpDtlsSctp) {
      m.formats = offered.formats;
      m.sctp_port = 5000;
      m.max_message_size = 262144;
      answer.remote_sctp_port = offered.sctp_port.value_or(5000);
      answer.remote_max_message_size = offered.max_message_size.value_or(65536);
    } else if (offered.kind() == sdp::MediaKind::kApplication && offered.profile() == sdp::Profile::kDtlsSctp) {
      // The older syntax: the SCTP port is the format, described by a=sctpmap.
      answer.remote_sctp_port = LegacySctpPort(offered).value_or(5000);
      answer.remote_max_message_size = offered.max_message_size.value_or(65536);
      m.formats = {"5000"};
      m.common.other.push_back({"sctpmap", std::string("5000 webrtc-datachannel 1024")});
      m.max_message_size = 262144;
    } else if (offered.kind() == sdp::MediaKind::kAudio || offered.kind() == sdp::MediaKind::kVideo) {
      auto pts = AcceptableCodecs(offered);
      if (pts.empty()) {
        sd.media.push_back(Rejected(offered));
        continue;
      }
      AcceptedMedia accepted;
      accepted.mid = *offered.mid;
      accepted.kind = offered.kind();
      accepted.payload_types = pts;
      accepted.rtx_payload_types = AcceptableRtx(offered, pts);
      SplitSsrcs(offered, !accepted.rtx_payload_types.empty(), accepted);
      std::vector<uint8_t> all_pts = pts;
      for (const auto& rtx : accepted.rtx_payload_types) all_pts.push_back(rtx.rtx);
      m.payload_types = all_pts;
      for (const auto& map : offered.rtpmaps) {
        if (Contains(all_pts, map.payload_type)) m.rtpmaps.push_back(map);
      }
      for (const auto& f : offered.fmtps) {
        if (Contains(all_pts, f.payload_type)) m.fmtps.push_back(f);
      }
      const auto& extmaps = offered.common.extmaps.empty() ? offer.common.extmaps : offered.common.extmaps;
      for (const auto& ext : extmaps) {
        if (ext.uri == kMidExtensionUri && ext.id <= 255) {
          m.common.extmaps.push_back({ext.id, std::nullopt, ext.uri, ""});
          accepted.mid_extension = static_cast<uint8_t>(ext.id);
        }
        // One-byte form only (ids 1-14): the SFU reads it as such.
        if (options.transport_feedback && ext.uri == rtp::kTransportSequenceUri && ext.id >= 1 && ext.id <= 14) {
          m.common.extmaps.push_back({ext.id, std::nullopt, ext.uri, ""});
          accepted.transport_sequence_extension = static_cast<uint8_t>(ext.id);
        }
      }
      for (const auto& fb : offered.rtcp_fbs) {
        bool wanted = fb.type == "nack" || (fb.type == "ccm" && fb.subtype == "fir") ||
                      (fb.type == "transport-cc" && accepted.transport_sequence_extension);
        if (wanted && (!fb.payload_type || Contains(pts, fb.payload_type))) m.rtcp_fbs.push_back(fb);
      }
      m.rtcp_mux = true;
      m.rtcp_rsize = offered.rtcp_rsize;
      accepted.direction = Reverse(Effective(offered.common.direction, offer.common.direction)
                                       .value_or(sdp::Direction::kSendRecv));
      m.common.direction = accepted.direction;
      if (accepted.direction == sdp::Direction::kSendRecv || accepted.direction == sdp::Direction::kSendOnly) {
        do {
          accepted.local_ssrc = rng.U32();
        } while (accepted.local_ssrc == 0);
        std::string track = "aegis-" + accepted.mid;
        m.msids.push_back({"aegis", track});
        m.ssrcs.push_back({accepted.local_ssrc, "cname", local.cname});
        m.ssrcs.push_back({accepted.local_ssrc, "msid", "aegis " + track});
        if (!accepted.rtx_payload_types.empty()) {
          do {
            accepted.local_rtx_ssrc = rng.U32();
          } while (accepted.local_rtx_ssrc == 0 || accepted.local_rtx_ssrc == accepted.local_ssrc);
          m.ssrc_groups.push_back({"FID", {accepted.local_ssrc, accepted.local_rtx_ssrc}});
          m.ssrcs.push_back({accepted.local_rtx_ssrc, "cname", local.cname});
          m.ssrcs.push_back({accepted.local_rtx_ssrc, "msid", "aegis " + track});
        }
      }
      answer.media.push_back(std::move(accepted));
    } else {
      sd.media.push_back(Rejected(offered));
      continue;
    }
    AddTransportAttributes(m, local, our_setup);
    answer_bundle.mids.push_back(*m.mid);
    sd.media.push_back(std::move(m));
  }
  // RFC 8843 §7.3.3: if the offerer's tagged section (the first mid of the
  // group) is rejected, the whole group is. We accept nothing in that case.
  if (answer_bundle.mids.empty() || answer_bundle.mids.front() != bundle->mids.front()) {
    return Err{NegotiationError{NegotiationErrorCode::kNoUsableSection, {}}};
  }
  sd.groups = {answer_bundle};
  sd.msid_semantic = sdp::MsidSemantic{"WMS", {"aegis"}};
  return answer;
}

}  // namespace aegis::negotiation
