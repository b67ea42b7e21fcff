#include "app/test_hooks_impl.h"

#include <openssl/ec.h>
#include <openssl/evp.h>

#include <chrono>

#include "base/hex.h"
#include "rtp/rtp_packet.h"

namespace aegis::app {
namespace {

// A fresh P-256 public key, raw uncompressed (65 bytes): what a browser
// sends as its identity key, so clients accept it and only the SAS shows it.
signaling::Blob FreshP256PublicKey() {
  signaling::Blob out;
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (!key) return out;
  size_t size = 0;
  if (EVP_PKEY_get_octet_string_param(key, "encoded-pub-key", nullptr, 0, &size) == 1) {
    out.resize(size);
    if (EVP_PKEY_get_octet_string_param(key, "encoded-pub-key", out.data(), out.size(), &size) != 1) out.clear();
  }
  EVP_PKEY_free(key);
  return out;
}

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

CaptureAndSubstituteHooks::CaptureAndSubstituteHooks(const std::string& capture_path, bool substitute_identity_key)
    : substitute_(substitute_identity_key) {
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

void CaptureAndSubstituteHooks::OnKeyBlobRelayed(std::string_view room, std::string_view from_id,
                                                 std::string_view to_id) {
  if (!capture_) return;
  Write("{\"ms\":" + std::to_string(NowMs()) + ",\"event\":\"key_blob\",\"room\":" + JsonString(room) +
        ",\"from\":" + JsonString(from_id) + ",\"to\":" + JsonString(to_id) + "}\n");
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

std::optional<signaling::Blob> CaptureAndSubstituteHooks::AnnouncedIdentityKey(std::string_view, size_t join_index,
                                                                              const signaling::Blob&) {
  if (!substitute_ || join_index != 1) return std::nullopt;
  auto key = FreshP256PublicKey();
  if (key.empty()) return std::nullopt;
  return key;
}

}  // namespace aegis::app
