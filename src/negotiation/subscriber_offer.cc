#include "negotiation/subscriber_offer.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "negotiation/sdp_common.h"
#include "rtp/transport_sequence.h"
#include "sdp/sdp_serializer.h"

namespace aegis::negotiation {
namespace {

using internal::AddTransportAttributes;
using internal::Effective;
using internal::EqualsIgnoreCase;
using internal::ToDtlsFingerprint;

constexpr size_t kMaxIdLength = 64;

NegotiationError Error(NegotiationErrorCode code) { return NegotiationError{code, std::nullopt}; }

NegotiationError PolicyError(sdp::PolicyError e, std::optional<size_t> index) {
  return NegotiationError{NegotiationErrorCode::kPolicy, sdp::PolicyViolation{e, index}};
}

// [A-Za-z0-9_-]{1,max_len}: safe as an SDP token and in every browser's msid/mid handling.
bool IsId(std::string_view s, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool IsWellFormed(const OfferedTrack& t) {
  bool media = t.kind == sdp::MediaKind::kAudio || (t.kind == sdp::MediaKind::kVideo && t.rtx_ssrc != t.ssrc);
  bool rtx = t.kind == sdp::MediaKind::kVideo || t.rtx_ssrc == 0;
  return media && rtx && t.ssrc != 0 && IsId(t.mid, kMaxSubscriberMidLength) && IsId(t.stream_id, kMaxIdLength) &&
         IsId(t.track_id, kMaxIdLength);
}

// Whether two tracks would put the same SSRC in the offer.
bool ShareSsrc(const OfferedTrack& a, const OfferedTrack& b) {
  auto rtx_hits = [](const OfferedTrack& x, uint32_t ssrc) { return x.rtx_ssrc != 0 && x.rtx_ssrc == ssrc; };
  return a.ssrc == b.ssrc || rtx_hits(a, b.ssrc) || rtx_hits(b, a.ssrc) || rtx_hits(a, b.rtx_ssrc);
}

std::optional<NegotiationErrorCode> CheckTracks(std::span<const OfferedTrack> tracks) {
  if (tracks.empty()) return NegotiationErrorCode::kBadConfig;
  if (tracks.size() > kMaxSubscriberSections) return NegotiationErrorCode::kTooManySections;
  for (size_t i = 0; i < tracks.size(); ++i) {
    if (!IsWellFormed(tracks[i])) return NegotiationErrorCode::kBadConfig;
    // Quadratic, but over at most kMaxSubscriberSections tracks.
    for (size_t j = 0; j < i; ++j) {
      if (tracks[j].mid == tracks[i].mid || ShareSsrc(tracks[j], tracks[i])) return NegotiationErrorCode::kBadConfig;
    }
  }
  return std::nullopt;
}

void AddOpus(sdp::MediaSection& m) {
  m.media = "audio";
  m.payload_types = {kSubscriberOpusPayloadType};
  m.rtpmaps = {{kSubscriberOpusPayloadType, "opus", 48000, 2}};
  m.fmtps = {{kSubscriberOpusPayloadType, "minptime=10;useinbandfec=1"}};
  m.rtcp_fbs = {{kSubscriberOpusPayloadType, "transport-cc", ""}};
}

// No goog-remb: the SFU estimates from transport-cc feedback itself.
void AddVp8(sdp::MediaSection& m) {
  m.media = "video";
  m.payload_types = {kSubscriberVp8PayloadType, kSubscriberRtxPayloadType};
  m.rtpmaps = {{kSubscriberVp8PayloadType, "VP8", 90000, std::nullopt},
               {kSubscriberRtxPayloadType, "rtx", 90000, std::nullopt}};
  m.fmtps = {{kSubscriberRtxPayloadType, "apt=" + std::to_string(kSubscriberVp8PayloadType)}};
  m.rtcp_fbs = {{kSubscriberVp8PayloadType, "nack", ""},
                {kSubscriberVp8PayloadType, "nack", "pli"},
                {kSubscriberVp8PayloadType, "ccm", "fir"},
                {kSubscriberVp8PayloadType, "transport-cc", ""}};
}

sdp::MediaSection TrackSection(const OfferedTrack& t, const LocalParameters& local) {
  sdp::MediaSection m;
  if (t.kind == sdp::MediaKind::kAudio) {
    AddOpus(m);
  } else {
    AddVp8(m);
  }
  m.mid = t.mid;
  m.common.extmaps = {{kSubscriberTransportSequenceId, std::nullopt, rtp::kTransportSequenceUri, ""}};
  m.rtcp_mux = true;
  m.rtcp_rsize = true;
  m.common.direction = t.active ? sdp::Direction::kSendOnly : sdp::Direction::kInactive;
  // Without a mid header extension the browser routes packets by these SSRCs.
  if (t.active) {
    m.msids.push_back({t.stream_id, t.track_id});
    m.ssrcs.push_back({t.ssrc, "cname", local.cname});
    m.ssrcs.push_back({t.ssrc, "msid", t.stream_id + " " + t.track_id});
    if (t.rtx_ssrc != 0) {
      m.ssrc_groups.push_back({"FID", {t.ssrc, t.rtx_ssrc}});
      m.ssrcs.push_back({t.rtx_ssrc, "cname", local.cname});
      m.ssrcs.push_back({t.rtx_ssrc, "msid", t.stream_id + " " + t.track_id});
    }
  }
  AddTransportAttributes(m, local, sdp::SetupRole::kActPass);
  return m;
}

// Our own offer's one BUNDLE group; a valid answer has exactly one too.
const sdp::Group* OnlyBundle(const sdp::SessionDescription& sd) {
  auto groups = sd.BundleGroups();
  return groups.size() == 1 && !groups.front()->mids.empty() ? groups.front() : nullptr;
}

bool InGroup(const sdp::Group& g, const std::string& mid) {
  return std::find(g.mids.begin(), g.mids.end(), mid) != g.mids.end();
}

bool SameSections(const sdp::SessionDescription& offer, const sdp::SessionDescription& answer) {
  if (offer.media.size() != answer.media.size()) return false;
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const auto& o = offer.media[i];
    const auto& a = answer.media[i];
    if (a.mid != o.mid || a.kind() != o.kind() || a.proto != o.proto) return false;
  }
  return true;
}

const sdp::RtpMap* FindRtpMap(const sdp::MediaSection& m, uint8_t pt) {
  auto it = std::find_if(m.rtpmaps.begin(), m.rtpmaps.end(),
                         [pt](const sdp::RtpMap& r) { return r.payload_type == pt; });
  return it == m.rtpmaps.end() ? nullptr : &*it;
}

// RFC 3264 §6.1: the answer uses the offer's payload types, for the same codecs.
bool AnswersOfferedCodecs(const sdp::MediaSection& offered, const sdp::MediaSection& answered) {
  for (uint8_t pt : answered.payload_types) {
    if (std::find(offered.payload_types.begin(), offered.payload_types.end(), pt) == offered.payload_types.end()) {
      return false;
    }
    const sdp::RtpMap* ours = FindRtpMap(offered, pt);
    const sdp::RtpMap* theirs = FindRtpMap(answered, pt);
    bool same_codec = !ours || !theirs ||
                      (EqualsIgnoreCase(ours->encoding, theirs->encoding) && ours->clock_rate == theirs->clock_rate);
    if (!same_codec) return false;
  }
  return true;
}

sdp::Direction DirectionOf(const sdp::MediaSection& m, const sdp::SessionDescription& sd) {
  return Effective(m.common.direction, sd.common.direction).value_or(sdp::Direction::kSendRecv);
}

// The subscriber connection carries media one way only, server to browser.
bool DirectionFits(sdp::Direction offered, sdp::Direction answered) {
  if (offered == sdp::Direction::kInactive) return answered == sdp::Direction::kInactive;
  return answered == sdp::Direction::kRecvOnly || answered == sdp::Direction::kInactive;
}

// Checks every section against its offered counterpart; collects the rejected ones.
Result<std::vector<std::string>, NegotiationError> CheckSections(const sdp::SessionDescription& offer,
                                                                 const sdp::SessionDescription& answer,
                                                                 const sdp::Group& bundle) {
  std::vector<std::string> rejected;
  for (size_t i = 0; i < answer.media.size(); ++i) {
    const auto& o = offer.media[i];
    const auto& a = answer.media[i];
    if (!InGroup(bundle, *a.mid)) {
      // Outside BUNDLE only a rejection makes sense: we offer no second transport.
      if (a.port != 0) return Err{Error(NegotiationErrorCode::kNoBundle)};
      rejected.push_back(*a.mid);
      continue;
    }
    if (!DirectionFits(DirectionOf(o, offer), DirectionOf(a, answer))) {
      return Err{Error(NegotiationErrorCode::kBadDirection)};
    }
    if (!AnswersOfferedCodecs(o, a)) return Err{Error(NegotiationErrorCode::kAnswerMismatch)};
  }
  return rejected;
}

// ICE, fingerprint and DTLS role from the BUNDLE tag section (or session level).
Result<SubscriberAnswer, NegotiationError> TransportOf(const sdp::SessionDescription& answer,
                                                       const sdp::Group& bundle) {
  const sdp::MediaSection* tag = answer.FindMid(bundle.mids.front());
  auto index = static_cast<size_t>(tag - answer.media.data());
  const auto& ufrag = Effective(tag->common.ice_ufrag, answer.common.ice_ufrag);
  const auto& pwd = Effective(tag->common.ice_pwd, answer.common.ice_pwd);
  if (!ufrag || !pwd) return Err{PolicyError(sdp::PolicyError::kMissingIceCredentials, index)};
  const auto& fps = tag->common.fingerprints.empty() ? answer.common.fingerprints : tag->common.fingerprints;
  auto fingerprint = ToDtlsFingerprint(fps);
  if (!fingerprint) return Err{Error(NegotiationErrorCode::kBadFingerprint)};

  SubscriberAnswer out;
  out.remote_ice = {*ufrag, *pwd};
  out.remote_fingerprint = *fingerprint;
  // The answerer picks the DTLS role (RFC 8842 §5.3); we take the other one.
  switch (Effective(tag->common.setup, answer.common.setup).value_or(sdp::SetupRole::kActPass)) {
    case sdp::SetupRole::kActive: out.local_dtls_role = dtls::DtlsRole::kServer; break;
    case sdp::SetupRole::kPassive: out.local_dtls_role = dtls::DtlsRole::kClient; break;
    default: return Err{PolicyError(sdp::PolicyError::kInvalidSetup, index)};
  }
  return out;
}

// The id the answer kept for the transport-wide sequence number: ours, in
// every section that receives, with transport-cc feedback on a payload type
// of each (a browser that dropped either would number nothing or report
// nothing). Inactive sections carry no packets and need not say.
std::optional<uint8_t> TransportSequenceOf(const sdp::SessionDescription& answer) {
  bool any = false;
  for (const auto& m : answer.media) {
    const auto direction = Effective(m.common.direction, answer.common.direction).value_or(sdp::Direction::kSendRecv);
    if (m.port == 0 || direction == sdp::Direction::kInactive || direction == sdp::Direction::kSendOnly) continue;
    const auto& extmaps = m.common.extmaps.empty() ? answer.common.extmaps : m.common.extmaps;
    const bool numbered = std::any_of(extmaps.begin(), extmaps.end(), [](const sdp::Extmap& e) {
      return e.uri == rtp::kTransportSequenceUri && e.id == kSubscriberTransportSequenceId;
    });
    const bool reported = std::any_of(m.rtcp_fbs.begin(), m.rtcp_fbs.end(),
                                      [](const sdp::RtcpFb& fb) { return fb.type == "transport-cc"; });
    if (!numbered || !reported) return std::nullopt;
    any = true;
  }
  return any ? std::optional<uint8_t>(kSubscriberTransportSequenceId) : std::nullopt;
}

}  // namespace

Result<sdp::SessionDescription, NegotiationError> BuildSubscriberOffer(const LocalParameters& local, uint64_t version,
                                                                      std::span<const OfferedTrack> tracks) {
  if (auto code = CheckTracks(tracks)) return Err{Error(*code)};
  if (!IsId(local.cname, kMaxIdLength)) return Err{Error(NegotiationErrorCode::kBadConfig)};

  sdp::SessionDescription offer;
  offer.origin = {"-", local.session_id, version, "IN", "IP4", "127.0.0.1"};
  offer.session_name = "-";
  offer.timings = {sdp::Timing{}};
  offer.ice_lite = true;
  offer.msid_semantic = sdp::MsidSemantic{"WMS", {"*"}};
  sdp::Group bundle{"BUNDLE", {}};
  for (const auto& t : tracks) {
    bundle.mids.push_back(t.mid);
    offer.media.push_back(TrackSection(t, local));
  }
  offer.groups = {std::move(bundle)};

  // The tracks are checked above; what is left to go wrong is `local`
  // (short ICE credentials, an empty fingerprint, an address the serializer refuses).
  if (auto policy = sdp::ValidateForWebRtc(offer, sdp::SdpType::kOffer); !policy.ok()) {
    return Err{NegotiationError{NegotiationErrorCode::kBadConfig, policy.error()}};
  }
  if (!sdp::SerializeSdp(offer)) return Err{Error(NegotiationErrorCode::kBadConfig)};
  return offer;
}

Result<SubscriberAnswer, NegotiationError> AcceptSubscriberAnswer(const sdp::SessionDescription& offer,
                                                                 const sdp::SessionDescription& answer) {
  if (auto policy = sdp::ValidateForWebRtc(answer, sdp::SdpType::kAnswer); !policy.ok()) {
    return Err{NegotiationError{NegotiationErrorCode::kPolicy, policy.error()}};
  }
  // Mids are present and unique in the answer (policy) and in our offer (we built it).
  if (!SameSections(offer, answer)) return Err{Error(NegotiationErrorCode::kAnswerMismatch)};
  const sdp::Group* offered = OnlyBundle(offer);
  const sdp::Group* bundle = OnlyBundle(answer);
  // RFC 8843 §7.3.3: the answerer keeps the offerer's tag, or rejects the whole group.
  if (!offered || !bundle || bundle->mids.front() != offered->mids.front()) {
    return Err{Error(NegotiationErrorCode::kNoBundle)};
  }
  auto rejected = CheckSections(offer, answer, *bundle);
  if (!rejected.ok()) return Err{rejected.error()};
  auto result = TransportOf(answer, *bundle);
  if (!result.ok()) return result;
  result->rejected_mids = std::move(rejected).value();
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const auto& o = offer.media[i];
    const auto& a = answer.media[i];
    const auto has_rtx = [](const sdp::MediaSection& m) {
      return std::find(m.payload_types.begin(), m.payload_types.end(), kSubscriberRtxPayloadType) != m.payload_types.end();
    };
    if (a.port != 0 && has_rtx(o) && !has_rtx(a)) result->without_rtx_mids.push_back(*a.mid);
  }
  result->transport_sequence_id = TransportSequenceOf(answer);
  return result;
}

}  // namespace aegis::negotiation
