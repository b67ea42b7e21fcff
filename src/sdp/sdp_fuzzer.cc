// Fuzzes the SDP parser: parse → serialize → parse again must give an equal
// model and the same text; the policy check runs on every parsed input.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "sdp/limits.h"
#include "sdp/sdp_parser.h"
#include "sdp/sdp_serializer.h"
#include "sdp/webrtc_policy.h"

using namespace aegis::sdp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto first = ParseSdp(std::span<const uint8_t>(data, size));
  if (!first) {
    if (first.error().line > kMaxLines + 1) abort();
    (void)ToString(first.error().error);
    return 0;
  }
  (void)ValidateForWebRtc(*first);
  (void)ValidateForWebRtc(*first, SdpType::kAnswer);

  auto text = SerializeSdp(*first);
  if (!text) abort();  // anything parsed must be writable
  // Serializing writes "\r\n" for "\n" and may add a byte or two per line,
  // so a text at the size limit can come back just over it.
  if (text->size() > kMaxSdpSize) return 0;
  auto second = ParseSdp(*text);
  if (!second) abort();
  if (!(*second == *first)) abort();
  auto again = SerializeSdp(*second);
  if (!again || *again != *text) abort();
  return 0;
}
