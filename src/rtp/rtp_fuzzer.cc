// Fuzzes RTP parsing: parse → owned header → serialize → parse again, and the
// two parses must agree on every field and on the payload. Also RTX: wrap
// and unwrap must give back the packet (without its padding), and
// unwrapping the untrusted bytes as RTX must stay in bounds.
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <span>
#include <vector>

#include "rtp/rtp_header.h"
#include "rtp/rtp_packet.h"
#include "rtp/rtx.h"

using namespace aegis::rtp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto view = RtpPacketView::Parse({data, size});
  if (!view) return 0;
  // Exercise every accessor over the untrusted bytes.
  (void)view->FindExtension(1);
  size_t total = view->header_size() + view->payload_size() + view->padding_size();
  if (total != size) abort();

  std::vector<uint8_t> rtx(RtxSize(*view));
  if (WriteRtx(*view, aegis::Ssrc(7), 97, 1, view->sequence_number(), rtx) != rtx.size()) abort();
  auto rtx_view = RtpPacketView::Parse(rtx);
  if (!rtx_view) abort();
  std::vector<uint8_t> recovered(rtx.size());
  const size_t n = RecoverFromRtx(*rtx_view, view->ssrc(), view->payload_type(), recovered);
  if (n != size - view->padding_size()) abort();
  auto recovered_view = RtpPacketView::Parse(std::span(recovered).first(n));
  if (!recovered_view || recovered_view->sequence_number() != view->sequence_number() ||
      recovered_view->ssrc() != view->ssrc() || recovered_view->timestamp() != view->timestamp() ||
      !std::ranges::equal(recovered_view->payload(), view->payload())) {
    abort();
  }
  (void)RecoverFromRtx(*view, aegis::Ssrc(1), 96, recovered);

  RtpHeader header = RtpHeader::FromView(*view);
  std::vector<uint8_t> out;
  if (!header.SerializeTo(view->payload(), static_cast<uint8_t>(view->padding_size()), out)) {
    // Only an RFC 8285 element that neither form can carry may refuse.
    return 0;
  }
  auto again = RtpPacketView::Parse(out);
  if (!again) abort();
  if (!(RtpHeader::FromView(*again) == header)) abort();
  auto p1 = view->payload(), p2 = again->payload();
  if (p1.size() != p2.size() || !std::equal(p1.begin(), p1.end(), p2.begin())) abort();
  return 0;
}
