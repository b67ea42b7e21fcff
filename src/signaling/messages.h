// Shared vocabulary of the signaling protocol (docs/protocol.md): version,
// size limits and the identifier character set. Client and server message
// types live in client_messages.h and server_messages.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aegis::signaling {

// Every message's "v". 2 since E2EE v1 (identity_key, key_blob) made way
// for MLS (docs/protocol.md §1); a client of version 1 is refused
// (unsupported_version) before anything else is read.
inline constexpr int64_t kProtocolVersion = 2;

// Checked on the raw text before any JSON is parsed.
inline constexpr size_t kMaxMessageSize = 64 * 1024;
// The one exception: an mls_commit may be this large (a commit that adds
// many members carries their KeyPackages, and its Welcome the ratchet
// tree). Anything larger is refused before parsing; a message between the
// two limits is parsed and refused unless it is an mls_commit.
inline constexpr size_t kMaxCommitMessageSize = 384 * 1024;
// An SDP with a few audio/video sections and a data channel is 3-8 KB;
// 32 KiB leaves room for many tracks without letting one message dominate.
inline constexpr size_t kMaxSdpSize = 32 * 1024;
// MLS (docs/protocol.md §7), decoded sizes. An X-Wing KeyPackage is about
// 2.7 KB; a commit or Welcome grows by about that much per member added.
inline constexpr size_t kMaxKeyPackageSize = 16 * 1024;
inline constexpr size_t kMaxMlsHandshakeSize = 256 * 1024;  // commit, welcome
inline constexpr size_t kMaxMlsAppMessageSize = 16 * 1024;
inline constexpr size_t kMaxMlsListEntries = 64;  // added, removed
// Leaf indexes fit 31 bits (a tree of 2^31 leaves is far past any room).
inline constexpr int64_t kMaxMlsLeaf = (int64_t{1} << 31) - 1;
// Access token as in auth::kMaxTokenSize.
inline constexpr size_t kMaxTokenSize = 4096;
// Participant, track and room ids.
inline constexpr size_t kMaxIdSize = 64;
inline constexpr size_t kMaxDisplayNameSize = 64;
inline constexpr size_t kMaxErrorMessageSize = 256;
// Participants listed in one joined message; tracks per participant.
inline constexpr size_t kMaxParticipantsListed = 256;
inline constexpr size_t kMaxTracksPerParticipant = 16;

// Ids are [A-Za-z0-9_-]{1,64}: safe in logs, HTML, JSON and file names.
constexpr bool IsSafeId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdSize) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

enum class TrackKind { kAudio, kVideo };

constexpr std::string_view WireName(TrackKind kind) {
  return kind == TrackKind::kAudio ? "audio" : "video";
}

// What a published track carries (docs/protocol.md §3 publish "sources"):
// the publisher says so per m-section; absent, camera (video) or microphone
// (audio).
enum class TrackSource { kCamera, kMicrophone, kScreen, kScreenAudio };
// Entries of a publish's "sources": no more than a participant's tracks.
inline constexpr size_t kMaxSourcesListed = 16;

constexpr std::string_view WireName(TrackSource source) {
  switch (source) {
    case TrackSource::kCamera: return "camera";
    case TrackSource::kMicrophone: return "microphone";
    case TrackSource::kScreen: return "screen";
    case TrackSource::kScreenAudio: return "screen_audio";
  }
  return "camera";
}

constexpr bool ParseTrackSource(std::string_view name, TrackSource* out) {
  for (auto s : {TrackSource::kCamera, TrackSource::kMicrophone, TrackSource::kScreen, TrackSource::kScreenAudio}) {
    if (WireName(s) == name) {
      *out = s;
      return true;
    }
  }
  return false;
}

// The kind a source's track must have.
constexpr TrackKind KindOf(TrackSource source) {
  return source == TrackSource::kMicrophone || source == TrackSource::kScreenAudio ? TrackKind::kAudio
                                                                                    : TrackKind::kVideo;
}

constexpr TrackSource DefaultSource(TrackKind kind) {
  return kind == TrackKind::kAudio ? TrackSource::kMicrophone : TrackSource::kCamera;
}

// Raw bytes of a blob; base64url (unpadded) on the wire.
using Blob = std::vector<uint8_t>;

}  // namespace aegis::signaling
