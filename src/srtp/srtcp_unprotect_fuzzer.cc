// Fuzzes SrtpReceiver::UnprotectRtcp with fixed keys.
//
// Byte 0 picks the profile (bits 0-1) and the mode (bit 2):
//  - raw: the rest of the input is one packet, unprotected as is;
//  - structured: up to 32 RTCP packets are built from the input, protected
//    with the same keys, optionally mutated, then unprotected. Oracle: an
//    unmutated packet must unprotect to the exact plaintext (SRTCP indices
//    are explicit, so sender and receiver never disagree); a mutated or
//    replayed one must never unprotect.
#include <cstdlib>
#include <cstring>

#include "srtp/srtp_fuzz_common.h"

using namespace aegis::srtp;

namespace {

std::vector<uint8_t> BuildRtcp(fuzz::Cursor& in) {
  const uint8_t flags = in.U8();
  const uint32_t ssrcs[] = {1, 2, 0xdeadbeef, 0x80000000, 5};
  const uint32_t ssrc = ssrcs[(flags >> 4) % 5];
  const uint8_t words = in.U8() % 64;
  std::vector<uint8_t> p = {static_cast<uint8_t>(0x80 | (flags & 0x1f)), static_cast<uint8_t>(200 + flags % 8),
                            0, words,
                            static_cast<uint8_t>(ssrc >> 24), static_cast<uint8_t>(ssrc >> 16),
                            static_cast<uint8_t>(ssrc >> 8), static_cast<uint8_t>(ssrc)};
  in.Append(p, 4u * words);
  return p;
}

void Structured(fuzz::Contexts& c, fuzz::Cursor& in) {
  std::vector<uint8_t> previous;
  for (int i = 0; i < 32 && !in.empty(); ++i) {
    const std::vector<uint8_t> plain = BuildRtcp(in);
    std::vector<uint8_t> buf = plain;
    buf.resize(plain.size() + c.sender.rtcp_overhead());
    auto len = c.sender.ProtectRtcp(buf, plain.size());
    const uint8_t mutation = in.U8();
    if (!len.ok()) {
      if (len.error() != Error::kTooManySsrcs) abort();  // nothing else can refuse a well-formed packet
      continue;
    }
    buf.resize(*len);
    const std::vector<uint8_t> protected_copy = buf;
    bool mutated = false;
    if (mutation >= 0xf0 && !previous.empty()) {
      buf = previous;  // deliver an accepted packet again: a replay
      mutated = true;
    } else {
      mutated = fuzz::Mutate(buf, mutation, in);
    }
    std::vector<uint8_t> exact(buf);
    auto out = c.receiver.UnprotectRtcp(exact, exact.size());
    if (!out.ok()) {
      // Without a mutation only the SSRC cap may refuse.
      if (!mutated && out.error() != Error::kTooManySsrcs) abort();
      continue;
    }
    if (mutated) abort();  // a forged, truncated, extended or replayed packet was accepted
    previous = protected_copy;
    if (*out != plain.size() || memcmp(exact.data(), plain.data(), plain.size()) != 0) abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  auto contexts = fuzz::MakeContexts(fuzz::kProfiles[data[0] & 3]);
  if (data[0] & 4) {
    fuzz::Cursor in(data + 1, size - 1);
    Structured(contexts, in);
  } else {
    std::vector<uint8_t> packet(data + 1, data + size);
    (void)contexts.receiver.UnprotectRtcp(packet, packet.size());
  }
  return 0;
}
