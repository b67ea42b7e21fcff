#include "app/test_hooks_impl.h"

#include <chrono>

#include "base/hex.h"
#include "rtp/rtp_packet.h"

namespace aegis::app {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Ids and room names are plain tokens, but a test file is no place to trust that.
std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

CaptureAndSubstituteHooks::CaptureAndSubstituteHooks(const std::string& capture_path,
                                                     std::optional<signaling::Blob> substitute_key_package)
    : substitute_(std::move(substitute_key_package)) {
  if (!capture_path.empty()) capture_ = std::fopen(capture_path.c_str(), "w");
}

CaptureAndSubstituteHooks::~CaptureAndSubstituteHooks() {
  if (capture_) std::fclose(capture_);
}

void CaptureAndSubstituteHooks::OnPublisherRtp(std::string_view publisher_id, bool audio,
                                               std::span<const uint8_t> rtp) {
  if (!capture_) return;
  auto view = rtp::RtpPacketView::Parse(rtp);
  if (!view) return;
  Write("{\"ms\":" + std::to_string(NowMs()) + ",\"event\":\"rtp\",\"publisher\":" + JsonString(publisher_id) +
        ",\"kind\":\"" + (audio ? "audio" : "video") + "\",\"ssrc\":" + std::to_string(view->ssrc().value()) +
        ",\"seq\":" + std::to_string(view->sequence_number()) + ",\"ts\":" + std::to_string(view->timestamp()) +
        ",\"marker\":" + (view->marker() ? "true" : "false") + ",\"payload\":\"" + ToHex(view->payload()) + "\"}\n");
}

void CaptureAndSubstituteHooks::OnMlsRelayed(std::string_view room, std::string_view type, std::string_view from_id,
                                             std::string_view to_id, std::span<const uint8_t> message) {
  if (!capture_) return;
  Write("{\"ms\":" + std::to_string(NowMs()) + ",\"event\":\"mls\",\"type\":" + JsonString(type) +
        ",\"room\":" + JsonString(room) + ",\"from\":" + JsonString(from_id.empty() ? "server" : from_id) +
        ",\"to\":" + JsonString(to_id) + ",\"bytes\":\"" + ToHex(message) + "\"}\n");
}

void CaptureAndSubstituteHooks::OnParticipantRemoved(std::string_view room, std::string_view participant_id) {
  if (!capture_) return;
  Write("{\"ms\":" + std::to_string(NowMs()) + ",\"event\":\"removed\",\"room\":" + JsonString(room) +
        ",\"participant\":" + JsonString(participant_id) + "}\n");
}

void CaptureAndSubstituteHooks::Write(const std::string& line) {
  std::lock_guard lock(mutex_);
  if (truncated_) return;
  if (written_ + line.size() > kMaxCaptureBytes) {
    truncated_ = true;
    const std::string last = "{\"ms\":" + std::to_string(NowMs()) + ",\"event\":\"truncated\"}\n";
    std::fwrite(last.data(), 1, last.size(), capture_);
    std::fflush(capture_);
    return;
  }
  written_ += line.size();
  std::fwrite(line.data(), 1, line.size(), capture_);
  std::fflush(capture_);
}

std::optional<signaling::Blob> CaptureAndSubstituteHooks::AnnouncedKeyPackage(std::string_view, size_t join_index,
                                                                             const signaling::Blob&) {
  if (!substitute_ || join_index != 1) return std::nullopt;
  return substitute_;
}

}  // namespace aegis::app
