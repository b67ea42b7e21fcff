#include "client/client.h"

#include <cstdio>
#include <tuple>
#include <variant>

#include <nlohmann/json.hpp>

#include "rtcp/compound.h"
#include "rtp/rtp_header.h"
#include "rtp/rtp_packet.h"
#include "sdp/sdp_parser.h"
#include "sdp/sdp_serializer.h"
#include "signaling/client_messages.h"

namespace aegis::client {
namespace {

std::string RandomToken(RandomSource& rng, size_t n) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  for (size_t i = 0; i < n; ++i) out += kAlphabet[rng.U32() % 62];
  return out;
}

sdp::Fingerprint ToSdp(const dtls::Fingerprint& fp) {
  std::string text = fp.ToSdpString();
  return {text.substr(0, text.find(' ')), {fp.digest().begin(), fp.digest().end()}};
}

std::optional<dtls::Fingerprint> FromSdp(const sdp::Fingerprint& fp) {
  std::string text = fp.hash + " ";
  char hex[4];
  for (size_t i = 0; i < fp.digest.size(); ++i) {
    std::snprintf(hex, sizeof hex, i ? ":%02X" : "%02X", fp.digest[i]);
    text += hex;
  }
  return dtls::Fingerprint::Parse(text);
}

}  // namespace

Client::Client(ClientConfig config) : config_(std::move(config)) {
  RandomSource& rng = *config_.rng;
  pub_.local = {RandomToken(rng, 8), RandomToken(rng, 24)};
  sub_.local = {RandomToken(rng, 8), RandomToken(rng, 24)};
  audio_ssrc_ = rng.U32() | 1;
  video_ssrc_ = (rng.U32() | 1) ^ 2;
  audio_seq_ = static_cast<uint16_t>(rng.U32());
  video_seq_ = static_cast<uint16_t>(rng.U32());
  audio_ts_ = rng.U32();
  video_ts_ = rng.U32();
}

Client::~Client() = default;

std::string Client::Start() {
  state_ = ClientState::kJoining;
  return signaling::Serialize(signaling::ClientMessage{signaling::JoinRequest{config_.room, config_.token, false, std::nullopt}});
}

std::optional<std::string> Client::PollSignal() {
  if (signals_.empty()) return std::nullopt;
  std::string s = std::move(signals_.front());
  signals_.pop_front();
  return s;
}

void Client::Fail(std::string code, std::string message) {
  if (state_ == ClientState::kFailed) return;
  state_ = ClientState::kFailed;
  error_ = ClientError{std::move(code), std::move(message)};
}

std::string Client::PublisherOffer() const {
  const std::string fingerprint = config_.dtls_context->certificate().fingerprint().ToSdpString();
  std::string bundle = "a=group:BUNDLE";
  std::vector<std::string> mids;
  if (config_.publish_audio) mids.push_back("0");
  if (config_.publish_video) mids.push_back(config_.publish_audio ? "1" : "0");
  for (const auto& m : mids) bundle += " " + m;
  auto transport = [&](const std::string& mid) {
    return "c=IN IP4 0.0.0.0\r\n"
           "a=rtcp:9 IN IP4 0.0.0.0\r\n"
           "a=ice-ufrag:" + pub_.local.ufrag + "\r\n"
           "a=ice-pwd:" + pub_.local.pwd + "\r\n"
           "a=fingerprint:" + fingerprint + "\r\n"
           "a=setup:active\r\n"
           "a=mid:" + mid + "\r\n";
  };
  std::string sdp =
      "v=0\r\n"
      "o=- " + std::to_string(audio_ssrc_) + " 2 IN IP4 127.0.0.1\r\n"
      "s=-\r\n"
      "t=0 0\r\n" + bundle + "\r\n" + "a=msid-semantic: WMS aegis-bot\r\n";
  size_t i = 0;
  if (config_.publish_audio) {
    sdp += "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" + transport(mids[i++]) +
           "a=sendonly\r\n"
           "a=msid:aegis-bot audio\r\n"
           "a=rtcp-mux\r\n"
           "a=rtpmap:111 opus/48000/2\r\n"
           "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
           "a=ssrc:" + std::to_string(audio_ssrc_) + " cname:aegis-bot\r\n";
  }
  if (config_.publish_video) {
    sdp += "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" + transport(mids[i++]) +
           "a=sendonly\r\n"
           "a=msid:aegis-bot video\r\n"
           "a=rtcp-mux\r\n"
           "a=rtcp-rsize\r\n"
           "a=rtpmap:96 VP8/90000\r\n"
           "a=rtcp-fb:96 nack pli\r\n"
           "a=ssrc:" + std::to_string(video_ssrc_) + " cname:aegis-bot\r\n";
  }
  return sdp;
}

std::optional<std::string> Client::SubscriberAnswer(std::string_view offer_text, const ice::IceCredentials& ice,
                                                    const dtls::Fingerprint& fingerprint) {
  auto parsed = sdp::ParseSdp(offer_text);
  if (!parsed.ok()) return std::nullopt;
  const sdp::SessionDescription offer = std::move(parsed).value();
  sdp::SessionDescription answer;
  answer.origin = {"-", 8147035672384019265u, 2, "IN", "IP4", "127.0.0.1"};
  answer.timings = {sdp::Timing{}};
  answer.groups = offer.groups;
  answer.msid_semantic = sdp::MsidSemantic{"WMS", {}};
  for (const auto& offered : offer.media) {
    sdp::MediaSection m = offered;
    m.port = offered.port == 0 ? 0 : 9;
    m.connection = sdp::Connection{"IN", "IP4", "0.0.0.0"};
    m.candidates.clear();
    m.common.end_of_candidates = false;
    m.ssrcs.clear();
    m.ssrc_groups.clear();  // the offerer's (e.g. Janus's RTX FID); a recvonly answer sends none
    // This client reads no RTP header extension, so it accepts none and the
    // server sends packets without them (Janus offers mid, abs-send-time and
    // transport-cc; Aegis offers none).
    m.common.extmaps.clear();
    m.msids.clear();
    m.common.direction = offered.common.direction == sdp::Direction::kInactive ? sdp::Direction::kInactive
                                                                               : sdp::Direction::kRecvOnly;
    m.common.setup = sdp::SetupRole::kActive;
    m.common.ice_ufrag = ice.ufrag;
    m.common.ice_pwd = ice.pwd;
    m.common.fingerprints = {ToSdp(fingerprint)};
    answer.media.push_back(std::move(m));
  }
  return sdp::SerializeSdp(answer);
}

void Client::StartTransport(Link& link, std::string_view server_sdp, Timestamp now) {
  if (link.transport) return;  // a renegotiation keeps the transport (same credentials)
  auto parsed = sdp::ParseSdp(server_sdp);
  if (!parsed.ok() || parsed.value().media.empty()) return Fail("bad_sdp", "the server's SDP does not parse");
  const auto& media = parsed.value().media;
  // ICE credentials and fingerprint as JSEP places them: in the section, else
  // at session level (Janus puts a=fingerprint there; Aegis in every section).
  const sdp::CommonAttributes& session = parsed.value().common;
  const sdp::MediaSection* first = nullptr;
  const sdp::CommonAttributes* ice_from = nullptr;
  const sdp::CommonAttributes* fingerprint_from = nullptr;
  for (const auto& m : media) {
    ice_from = m.common.ice_ufrag && m.common.ice_pwd ? &m.common : &session;
    fingerprint_from = m.common.fingerprints.empty() ? &session : &m.common;
    if (m.port != 0 && ice_from->ice_ufrag && ice_from->ice_pwd && !fingerprint_from->fingerprints.empty()) {
      first = &m;
      break;
    }
  }
  if (!first) return Fail("bad_sdp", "the server's SDP has no usable section");
  transport::PeerTransportConfig c;
  c.ice_role = transport::IceRole::kControlling;
  c.local_ice = link.local;
  c.remote_ice = {*ice_from->ice_ufrag, *ice_from->ice_pwd};
  for (const auto& cand : first->candidates) {
    if (cand.component != 1) continue;
    if (auto a = stun::TransportAddress::FromString(cand.address, cand.port)) c.remote_candidates.push_back(*a);
  }
  if (c.remote_candidates.empty()) return Fail("bad_sdp", "the server's SDP has no usable candidate");
  auto fp = FromSdp(fingerprint_from->fingerprints[0]);
  if (!fp) return Fail("bad_sdp", "the server's fingerprint does not parse");
  c.rng = config_.rng;
  c.dtls_role = dtls::DtlsRole::kClient;
  c.remote_fingerprint = *fp;
  c.dtls_context = config_.dtls_context;
  auto created = transport::PeerTransport::Create(std::move(c), now);
  if (!created.ok()) return Fail("transport", "the transport could not be created");
  link.transport = std::move(created).value();
  Pump(&link == &pub_ ? Connection::kPublisher : Connection::kSubscriber, link);
}

void Client::HandleSignal(std::string_view text, Timestamp now) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return;
  const std::string type = j.value("type", "");
  if (type == "joined") {
    if (state_ != ClientState::kJoining) return;
    state_ = ClientState::kJoined;
    participant_id_ = j.value("participant_id", "");
    if (config_.publish_audio || config_.publish_video) {
      signaling::PublishOffer offer{PublisherOffer()};
      auto msg = nlohmann::json::parse(signaling::Serialize(signaling::ClientMessage{offer}));
      msg["id"] = next_request_id_++;
      signals_.push_back(msg.dump());
    }
  } else if (type == "lobby") {
    // waits for joined (admitted) or error denied
  } else if (type == "answer") {
    HandlePublisherAnswer(j.value("sdp", ""), now);
  } else if (type == "offer") {
    auto answer = AnswerSubscriberOffer(j.value("sdp", ""), now);
    if (answer) signals_.push_back(signaling::Serialize(signaling::ClientMessage{signaling::SubscribeAnswer{*answer}}));
  } else if (type == "error") {
    std::string code = j.value("code", "");
    std::string message = j.value("message", "");
    // Refusals of the session itself end it; others (e.g. rate limits) are kept as the last error.
    if (state_ == ClientState::kJoining || code == "e2ee_required" || code == "bad_sdp") {
      Fail(std::move(code), std::move(message));
    } else {
      error_ = ClientError{std::move(code), std::move(message)};
    }
  }
}

void Client::HandlePublisherAnswer(std::string_view sdp, Timestamp now) { StartTransport(pub_, sdp, now); }

std::optional<std::string> Client::AnswerSubscriberOffer(std::string_view sdp, Timestamp now) {
  if (auto parsed = sdp::ParseSdp(sdp); parsed.ok()) {
    for (const auto& m : parsed.value().media) {
      if (m.port == 0 || m.msids.empty()) continue;
      for (const auto& a : m.ssrcs) {
        origins_[a.ssrc] = {m.msids[0].id, m.msids[0].app_data.value_or("")};
        for (auto& t : receive_stats_) {
          if (t.ssrc == a.ssrc) std::tie(t.participant_id, t.track_id) = origins_[a.ssrc];
        }
      }
    }
  }
  auto answer = SubscriberAnswer(sdp, sub_.local, config_.dtls_context->certificate().fingerprint());
  if (!answer) {
    Fail("bad_sdp", "the server's subscriber offer does not parse");
    return std::nullopt;
  }
  StartTransport(sub_, sdp, now);
  return answer;
}

void Client::Pump(Connection which, Link& link) {
  if (!link.transport) return;
  while (auto d = link.transport->PollTransmit()) transmits_.push_back({which, d->to, std::move(d->bytes)});
  while (auto e = link.transport->PollEvent()) {
    if (std::holds_alternative<transport::Failed>(*e)) {
      Fail("transport_failed", which == Connection::kPublisher ? "publisher connection failed"
                                                               : "subscriber connection failed");
    }
  }
}

void Client::HandleDatagram(Connection connection, std::span<uint8_t> datagram, const stun::TransportAddress& from,
                            Timestamp now) {
  Link& link = connection == Connection::kPublisher ? pub_ : sub_;
  if (!link.transport) return;
  auto got = link.transport->HandleDatagram(datagram, from, now);
  if (got.kind == transport::Received::Kind::kRtp) {
    TrackStats* track = CountRtp(got.packet);
    if (on_rtp) on_rtp(got.packet);
    if (track && on_frame) Assemble(*track, got.packet);
  } else if (got.kind == transport::Received::Kind::kRtcp && connection == Connection::kPublisher) {
    OnPublisherRtcp(got.packet);
  }
  Pump(connection, link);
}

void Client::OnPublisherRtcp(std::span<const uint8_t> packet) {
  auto packets = rtcp::ParseCompound(packet);
  if (!packets.ok()) return;  // authenticated but malformed: nothing to act on
  bool asked = false;
  for (const auto& p : *packets) {
    if (const auto* pli = std::get_if<rtcp::Pli>(&p)) asked |= pli->media_source == Ssrc(video_ssrc_);
    if (const auto* fir = std::get_if<rtcp::Fir>(&p)) {
      for (const auto& e : fir->entries) asked |= e.ssrc == Ssrc(video_ssrc_);
    }
  }
  if (!asked || video_ssrc_ == 0) return;
  ++keyframe_requests_;
  if (on_keyframe_request) on_keyframe_request();
}

TrackStats* Client::CountRtp(std::span<const uint8_t> p) {
  if (p.size() < 12) return nullptr;
  const uint16_t seq = static_cast<uint16_t>((p[2] << 8) | p[3]);
  const uint32_t ssrc = (uint32_t{p[8]} << 24) | (uint32_t{p[9]} << 16) | (uint32_t{p[10]} << 8) | p[11];
  for (auto& t : receive_stats_) {
    if (t.ssrc != ssrc) continue;
    const uint16_t delta = static_cast<uint16_t>(seq - t.highest_seq);
    if (delta != 0 && delta < 0x8000) {
      t.lost += delta - 1;
      t.highest_seq = seq;
    }
    ++t.packets;
    t.bytes += p.size();
    return &t;
  }
  TrackStats t;
  t.ssrc = ssrc;
  if (auto it = origins_.find(ssrc); it != origins_.end()) std::tie(t.participant_id, t.track_id) = it->second;
  t.payload_type = static_cast<uint8_t>(p[1] & 0x7f);
  t.packets = 1;
  t.bytes = p.size();
  t.highest_seq = seq;
  receive_stats_.push_back(std::move(t));
  return &receive_stats_.back();
}

namespace {

// RFC 7741 §4.2: the VP8 payload descriptor's size, or 0 if malformed.
size_t Vp8DescriptorSize(std::span<const uint8_t> p) {
  if (p.empty()) return 0;
  size_t n = 1;
  if (p[0] & 0x80) {  // X: extension byte
    if (p.size() < 2) return 0;
    const uint8_t x = p[1];
    n = 2;
    if (x & 0x80) {  // I: PictureID, 7 or 15 bits
      if (p.size() < n + 1) return 0;
      n += (p[n] & 0x80) ? 2 : 1;
    }
    if (x & 0x40) ++n;           // L: TL0PICIDX
    if (x & 0x30) ++n;           // T or K: TID/Y/KEYIDX
  }
  return n < p.size() ? n : 0;   // a descriptor with no payload is malformed too
}

}  // namespace

void Client::Assemble(TrackStats& track, std::span<const uint8_t> bytes) {
  auto view = rtp::RtpPacketView::Parse(bytes);
  if (!view) return;
  const auto payload = view->payload();
  ReceivedFrame frame;
  frame.ssrc = track.ssrc;
  frame.track = &track;
  frame.rtp_timestamp = view->timestamp();
  if (view->payload_type() == kOpusPayloadType) {
    frame.data = payload;
    on_frame(frame);
    return;
  }
  if (view->payload_type() != kVp8PayloadType) return;
  const size_t d = Vp8DescriptorSize(payload);
  if (d == 0) return;
  FrameBuffer& f = frames_[track.ssrc];
  const bool start = (payload[0] & 0x10) != 0 && (payload[0] & 0x07) == 0;  // S, partition 0
  if (start) {
    if (f.open) ++frames_dropped_;  // the previous one never ended
    f.open = true;
    f.timestamp = view->timestamp();
    f.data.assign(payload.begin() + d, payload.end());
  } else if (f.open && view->sequence_number() == f.next_seq && view->timestamp() == f.timestamp) {
    f.data.insert(f.data.end(), payload.begin() + d, payload.end());
  } else {
    if (f.open) ++frames_dropped_;
    f.open = false;
    return;
  }
  f.next_seq = static_cast<uint16_t>(view->sequence_number() + 1);
  if (!view->marker()) return;
  f.open = false;
  frame.video = true;
  frame.keyframe = !f.data.empty() && (f.data[0] & 0x01) == 0;
  frame.data = f.data;
  on_frame(frame);
}

std::optional<OutgoingDatagram> Client::PollTransmit() {
  if (transmits_.empty()) return std::nullopt;
  OutgoingDatagram d = std::move(transmits_.front());
  transmits_.pop_front();
  return d;
}

void Client::HandleTimeout(Timestamp now) {
  for (auto [which, link] : {std::pair{Connection::kPublisher, &pub_}, std::pair{Connection::kSubscriber, &sub_}}) {
    if (!link->transport) continue;
    if (auto next = link->transport->NextTimeout(); next && *next <= now) link->transport->HandleTimeout(now);
    Pump(which, *link);
  }
}

std::optional<Timestamp> Client::NextTimeout() const {
  std::optional<Timestamp> out;
  for (const Link* link : {&pub_, &sub_}) {
    if (!link->transport) continue;
    auto next = link->transport->NextTimeout();
    if (next && (!out || *next < *out)) out = next;
  }
  return out;
}

bool Client::publisher_connected() const {
  return pub_.transport && pub_.transport->state() == transport::TransportState::kConnected;
}
bool Client::subscriber_connected() const {
  return sub_.transport && sub_.transport->state() == transport::TransportState::kConnected;
}

uint64_t Client::srtp_errors() const {
  uint64_t n = 0;
  for (const Link* link : {&pub_, &sub_}) {
    if (link->transport) n += link->transport->stats().dropped_srtp;
  }
  return n;
}

bool Client::SendRtp(uint8_t pt, uint32_t ssrc, uint16_t& seq, uint32_t& ts, std::span<const uint8_t> payload,
                     bool marker, Timestamp now) {
  if (!publisher_connected()) return false;
  rtp::RtpHeader h;
  h.payload_type = pt;
  h.marker = marker;
  h.sequence_number = seq;
  h.timestamp = ts;
  h.ssrc = Ssrc(ssrc);
  std::vector<uint8_t> packet;
  if (!h.SerializeTo(payload, 0, packet)) return false;
  const size_t len = packet.size();
  packet.resize(len + transport::PeerTransport::kMaxSrtpOverhead);
  auto out = pub_.transport->ProtectRtp(packet, len, now);
  if (!out.ok()) return false;
  ++seq;
  ++packets_sent_;
  transmits_.push_back({Connection::kPublisher, *pub_.transport->remote_address(), {out->begin(), out->end()}});
  return true;
}

bool Client::SendAudio(std::span<const uint8_t> payload, uint32_t step, Timestamp now) {
  if (!config_.publish_audio) return false;
  audio_ts_ += step;
  return SendRtp(kOpusPayloadType, audio_ssrc_, audio_seq_, audio_ts_, payload, false, now);
}

bool Client::SendVideo(std::span<const uint8_t> payload, bool end_of_frame, uint32_t step, Timestamp now) {
  if (!config_.publish_video) return false;
  video_ts_ += step;
  return SendRtp(kVp8PayloadType, video_ssrc_, video_seq_, video_ts_, payload, end_of_frame, now);
}

}  // namespace aegis::client
