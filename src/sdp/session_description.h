// Typed model of an SDP session description (RFC 8866) with the attributes
// WebRTC uses (RFC 8829 JSEP, 8843 BUNDLE, 8122 fingerprint/setup, 8839 ICE,
// 8841 SCTP, 8285 extmap, 5576 ssrc, 8851/8853 rid/simulcast, 8830 msid).
//
//   v=0
//   o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>
//   s=<session name>
//   [i= u= e=* p=* c= b=*] t=<start> <stop> [r=*]* [z= k=] a=*
//   m=<media> <port>[/<count>] <proto> <fmt> ...
//   [i= c= b=* k=] a=*
//
// Plain structs with defaulted ==, so tests and the fuzzer can compare a
// parse against a re-parse. Attributes the model does not know are kept, in
// order, as (name, value) so nothing an offer says is silently dropped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aegis::sdp {

enum class Direction { kSendRecv, kSendOnly, kRecvOnly, kInactive };
// RFC 4145 §4 / RFC 8842 §5.
enum class SetupRole { kActPass, kActive, kPassive, kHoldConn };
enum class MediaKind { kAudio, kVideo, kApplication, kOther };
// The m= <proto> field. Everything but the first four is parsed and flagged
// here; the WebRTC policy refuses it.
enum class Profile {
  kUdpTlsRtpSavpf, kTcpTlsRtpSavpf, kUdpDtlsSctp, kTcpDtlsSctp,
  kRtpAvp, kRtpAvpf, kRtpSavp, kRtpSavpf, kDtlsSctp, kOther,
};
enum class RidDirection { kSend, kRecv };

struct Origin {
  std::string username = "-";
  uint64_t session_id = 0;
  uint64_t session_version = 0;
  std::string net_type = "IN";
  std::string address_type = "IP4";
  std::string address = "0.0.0.0";
  bool operator==(const Origin&) const = default;
};

struct Connection {  // c=<nettype> <addrtype> <connection-address>
  std::string net_type = "IN";
  std::string address_type = "IP4";
  std::string address = "0.0.0.0";
  bool operator==(const Connection&) const = default;
};

struct Bandwidth {  // b=<bwtype>:<bandwidth>
  std::string type;
  uint64_t value = 0;
  bool operator==(const Bandwidth&) const = default;
};

struct Timing {  // t=<start> <stop>, followed by its r= lines (kept as text)
  uint64_t start = 0;
  uint64_t stop = 0;
  std::vector<std::string> repeats;
  bool operator==(const Timing&) const = default;
};

struct Attribute {  // an attribute the model has no field for
  std::string name;
  std::optional<std::string> value;  // nullopt for "a=name", "" for "a=name:"
  bool operator==(const Attribute&) const = default;
};

struct Fingerprint {  // RFC 8122 §5: a=fingerprint:<hash-func> <XX:XX:...>
  std::string hash;   // lower case, e.g. "sha-256"
  std::vector<uint8_t> digest;
  bool operator==(const Fingerprint&) const = default;
};

struct Extmap {  // RFC 8285 §8: a=extmap:<id>[/<direction>] <uri> [<attributes>]
  uint16_t id = 0;  // 1..255
  std::optional<Direction> direction;
  std::string uri;
  std::string attributes;  // empty when absent
  bool operator==(const Extmap&) const = default;
};

struct Group {  // RFC 5888: a=group:<semantics> <mid> ...
  std::string semantics;  // "BUNDLE", "LS", ...
  std::vector<std::string> mids;
  bool operator==(const Group&) const = default;
};

struct MsidSemantic {  // a=msid-semantic: WMS <id> ... (legacy, still sent by browsers)
  std::string semantic;
  std::vector<std::string> ids;
  bool operator==(const MsidSemantic&) const = default;
};

struct CandidateExtension {
  std::string name;
  std::string value;
  bool operator==(const CandidateExtension&) const = default;
};

// RFC 8839 §5.1: a=candidate:<foundation> <component> <transport> <priority>
//   <address> <port> typ <type> [raddr <addr>] [rport <port>] *(<name> <value>)
struct Candidate {
  std::string foundation;
  uint16_t component = 1;  // 1..256
  std::string transport;   // "UDP", "udp", "TCP", ...
  uint32_t priority = 0;
  std::string address;     // IP address or FQDN (mDNS ".local" names)
  uint16_t port = 0;
  std::string type;        // host, srflx, prflx, relay
  std::optional<std::string> related_address;
  std::optional<uint16_t> related_port;
  std::optional<std::string> tcp_type;
  std::optional<uint32_t> generation;
  std::vector<CandidateExtension> extensions;  // ufrag, network-id, ... kept in order
  bool operator==(const Candidate&) const = default;
};

struct RtpMap {  // a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]
  uint8_t payload_type = 0;
  std::string encoding;
  uint32_t clock_rate = 0;
  std::optional<uint32_t> channels;
  bool operator==(const RtpMap&) const = default;
};

struct Fmtp {  // a=fmtp:<pt> <parameters>
  uint8_t payload_type = 0;
  std::string parameters;
  // The parameters split at ';' into (key, value); a part without '=' has an
  // empty key (e.g. RED's "111/111", telephone-event's "0-15").
  std::vector<std::pair<std::string, std::string>> Parameters() const;
  bool operator==(const Fmtp&) const = default;
};

struct RtcpFb {  // RFC 4585 §4.2: a=rtcp-fb:<pt|*> <type> [<subtype>]
  std::optional<uint8_t> payload_type;  // nullopt for '*'
  std::string type;                     // nack, ccm, goog-remb, transport-cc, trr-int
  std::string subtype;                  // pli, fir, ... or empty
  bool operator==(const RtcpFb&) const = default;
};

struct SsrcAttribute {  // RFC 5576 §4.1: a=ssrc:<ssrc> <attribute>[:<value>]
  uint32_t ssrc = 0;
  std::string attribute;
  std::optional<std::string> value;
  bool operator==(const SsrcAttribute&) const = default;
};

struct SsrcGroup {  // RFC 5576 §4.2: a=ssrc-group:<semantics> <ssrc> ...
  std::string semantics;  // FID, SIM, FEC-FR
  std::vector<uint32_t> ssrcs;
  bool operator==(const SsrcGroup&) const = default;
};

struct Msid {  // RFC 8830 §2: a=msid:<id> [<appdata>]
  std::string id;
  std::optional<std::string> app_data;
  bool operator==(const Msid&) const = default;
};

struct Rid {  // RFC 8851 §10: a=rid:<id> <send|recv> [<restrictions>]
  std::string id;
  RidDirection direction = RidDirection::kSend;
  std::string restrictions;  // e.g. "pt=96;max-width=1280", empty when absent
  bool operator==(const Rid&) const = default;
};

struct SimulcastLayer {
  std::string rid;
  bool paused = false;  // "~" prefix
  bool operator==(const SimulcastLayer&) const = default;
};
// One simulcast stream: its alternative rids, most preferred first (',').
using SimulcastStream = std::vector<SimulcastLayer>;
struct Simulcast {  // RFC 8853 §5.1: a=simulcast:send 1;2;3 recv 4
  std::vector<SimulcastStream> send;
  std::vector<SimulcastStream> recv;
  bool operator==(const Simulcast&) const = default;
};

// Attributes allowed both at session level and in a media section; the media
// value overrides the session value.
struct CommonAttributes {
  std::optional<std::string> ice_ufrag;
  std::optional<std::string> ice_pwd;
  std::vector<std::string> ice_options;
  std::vector<Fingerprint> fingerprints;
  std::optional<SetupRole> setup;
  std::optional<Direction> direction;
  std::vector<Extmap> extmaps;
  bool extmap_allow_mixed = false;
  bool end_of_candidates = false;
  std::vector<Attribute> other;  // unknown attributes, in order
  bool operator==(const CommonAttributes&) const = default;
};

struct MediaSection {
  std::string media = "audio";  // <media> token
  uint16_t port = 9;
  std::optional<uint16_t> port_count;  // "9/2"
  std::string proto = "UDP/TLS/RTP/SAVPF";
  std::vector<uint8_t> payload_types;  // <fmt> list of an RTP profile, 0..127
  std::vector<std::string> formats;    // <fmt> list otherwise ("webrtc-datachannel")
  std::optional<std::string> title;    // i=
  std::optional<Connection> connection;
  std::vector<Bandwidth> bandwidths;
  std::optional<std::string> key;      // k= (obsolete; kept so policy can refuse it)
  CommonAttributes common;
  std::optional<std::string> mid;
  bool rtcp_mux = false;
  bool rtcp_rsize = false;
  bool bundle_only = false;
  std::vector<Candidate> candidates;
  std::vector<RtpMap> rtpmaps;
  std::vector<Fmtp> fmtps;
  std::vector<RtcpFb> rtcp_fbs;
  std::vector<SsrcAttribute> ssrcs;
  std::vector<SsrcGroup> ssrc_groups;
  std::vector<Msid> msids;
  std::vector<Rid> rids;
  std::optional<Simulcast> simulcast;
  std::optional<uint16_t> sctp_port;
  std::optional<uint64_t> max_message_size;

  MediaKind kind() const;
  Profile profile() const;
  // True when <proto> is an RTP profile, whose formats are payload types.
  bool IsRtp() const { return IsRtpProto(proto); }
  static bool IsRtpProto(std::string_view proto);
  bool operator==(const MediaSection&) const = default;
};

struct SessionDescription {
  uint32_t version = 0;  // v=, always 0
  Origin origin;
  std::string session_name = "-";
  std::optional<std::string> information;  // i=
  std::optional<std::string> uri;          // u=
  std::vector<std::string> emails;         // e=
  std::vector<std::string> phones;         // p=
  std::optional<Connection> connection;
  std::vector<Bandwidth> bandwidths;
  std::vector<Timing> timings;
  std::optional<std::string> zone_adjustments;  // z=
  std::optional<std::string> key;               // k=
  CommonAttributes common;
  std::vector<Group> groups;
  bool ice_lite = false;
  std::optional<MsidSemantic> msid_semantic;
  std::vector<MediaSection> media;

  // Every a=group:BUNDLE, in order (RFC 8843).
  std::vector<const Group*> BundleGroups() const;
  const MediaSection* FindMid(std::string_view mid) const;
  bool operator==(const SessionDescription&) const = default;
};

std::string_view ToString(Direction d);
std::string_view ToString(SetupRole r);
std::string_view ToString(RidDirection d);

}  // namespace aegis::sdp
