// Fuzzes SrtpReceiver::UnprotectRtp with fixed keys.
//
// Byte 0 picks the profile (bits 0-1) and the mode (bit 2):
//  - raw: the rest of the input is one packet, unprotected as is;
//  - structured: the input describes up to 32 RTP packets that are
//    protected with the same keys, optionally mutated, then unprotected, so
//    the fuzzer reaches the code behind authentication. Oracle: an
//    unmutated packet must unprotect to the exact plaintext whenever the
//    receiver can know its index (its RFC 3711 estimate from the packets it
//    accepted equals the index the sender used; they differ only after a
//    jump of 2^15 the receiver did not see); a mutated one must never
//    unprotect (a forgery would be a bug: every byte is covered by the tag).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>

#include "srtp/srtp_fuzz_common.h"

using namespace aegis::srtp;

namespace {

std::vector<uint8_t> BuildRtp(fuzz::Cursor& in) {
  const uint8_t flags = in.U8();
  const uint8_t cc = flags & 0x03;
  const bool ext = flags & 0x04, pad = flags & 0x08;
  const uint32_t ssrcs[] = {1, 2, 0xdeadbeef, 0x80000000, 5};
  const uint32_t ssrc = ssrcs[(flags >> 4) % 5];
  const uint16_t seq = in.U16();
  std::vector<uint8_t> p = {static_cast<uint8_t>(0x80 | (pad ? 0x20 : 0) | (ext ? 0x10 : 0) | cc), 96,
                            static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq), 0, 0, 0, 7,
                            static_cast<uint8_t>(ssrc >> 24), static_cast<uint8_t>(ssrc >> 16),
                            static_cast<uint8_t>(ssrc >> 8), static_cast<uint8_t>(ssrc)};
  in.Append(p, 4u * cc);
  if (ext) {
    uint8_t words = in.U8() % 4;
    p.insert(p.end(), {0x12, 0x34, 0, words});  // a non-RFC 8285 profile: any body is valid
    in.Append(p, 4u * words);
  }
  in.Append(p, in.U8());
  if (pad) {
    uint8_t count = static_cast<uint8_t>(1 + in.U8() % 8);
    p.resize(p.size() + count - 1, 0);
    p.push_back(count);
  }
  return p;
}

// The index of `seq` after `highest` (RFC 3711 Appendix A, written out again
// here so the oracle does not trust the code under test); nullopt before
// index 0. Nothing before the first packet: its index is its SEQ.
std::optional<uint64_t> Estimate(std::optional<uint64_t> highest, uint16_t seq) {
  if (!highest) return seq;
  const int64_t roc = static_cast<int64_t>(*highest >> 16);
  const int64_t s_l = static_cast<int64_t>(*highest & 0xffff);
  int64_t v = roc;
  if (s_l < 32768 && seq - s_l > 32768) v = roc - 1;
  if (s_l >= 32768 && s_l - 32768 > seq) v = roc + 1;
  if (v < 0) return std::nullopt;
  return static_cast<uint64_t>(v) << 16 | seq;
}

void Fail(const char* what) {
  std::fprintf(stderr, "srtp_unprotect_fuzzer: %s\n", what);
  abort();
}

// Highest index per SSRC, as the sender and the receiver each know it.
struct Highest {
  std::optional<uint64_t> sent, received;
};

void Structured(fuzz::Contexts& c, fuzz::Cursor& in) {
  std::vector<uint8_t> previous;
  std::map<uint32_t, Highest> highest;
  for (int i = 0; i < 32 && !in.empty(); ++i) {
    const std::vector<uint8_t> plain = BuildRtp(in);
    const uint16_t seq = static_cast<uint16_t>(plain[2] << 8 | plain[3]);
    Highest& h = highest[static_cast<uint32_t>(plain[8] << 24 | plain[9] << 16 | plain[10] << 8 | plain[11])];
    std::vector<uint8_t> buf = plain;
    buf.resize(plain.size() + c.sender.rtp_overhead());
    auto len = c.sender.ProtectRtp(buf, plain.size());
    const uint8_t mutation = in.U8();
    if (!len.ok()) continue;  // e.g. a SEQ the sender already used
    buf.resize(*len);
    const std::optional<uint64_t> index = Estimate(h.sent, seq);
    if (!index) Fail("the sender protected a packet before index 0");
    h.sent = std::max(h.sent.value_or(0), *index);
    const std::vector<uint8_t> protected_copy = buf;
    bool mutated = false;
    if (mutation >= 0xf0 && !previous.empty()) {
      buf = previous;  // deliver an accepted packet again: a replay
      mutated = true;
    } else {
      mutated = fuzz::Mutate(buf, mutation, in);
    }
    // Exactly-sized heap copy so ASan catches any read past the packet.
    std::vector<uint8_t> exact(buf);
    auto out = c.receiver.UnprotectRtp(exact, exact.size());
    if (!out.ok()) {
      if (!mutated && Estimate(h.received, seq) == index) Fail("a validly protected packet failed to unprotect");
      continue;
    }
    if (mutated) Fail("a forged, truncated, extended or replayed packet was accepted");
    previous = protected_copy;
    h.received = std::max(h.received.value_or(0), *index);
    if (*out != plain.size() || memcmp(exact.data(), plain.data(), plain.size()) != 0) {
      Fail("unprotect did not give back the plaintext");
    }
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
    (void)contexts.receiver.UnprotectRtp(packet, packet.size());
  }
  return 0;
}
