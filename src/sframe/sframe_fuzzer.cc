// Fuzzes SFrame header parsing and SframeReceiver::Decrypt with fixed keys.
//
// Byte 0 picks the cipher suite (value % 5) and the mode (bit 7):
//  - raw: byte 1 is a metadata length m (mod 32), then m bytes of metadata,
//    then one SFrame ciphertext, decrypted as is by a receiver that holds
//    fixed keys for KIDs 0, 7, 0x123 (the RFC 9605 vectors' KID and base key,
//    so the vectors' frames in the seed corpus decrypt) and 2^64 - 1.
//    Oracles: a header that parses re-encodes to the same bytes (one
//    encoding per value); a frame that decrypts has the parsed KID and CTR
//    and a plaintext of the expected size inside the frame.
//  - structured: the rest drives a sender with the same keys: up to 32
//    frames, each encrypted, optionally mutated, then decrypted. Oracles: an
//    unmutated frame decrypts to its plaintext; a mutated one never
//    decrypts (every byte is covered by the tag); a replay is refused.
#include <cstdlib>
#include <cstring>
#include <vector>

#include "sframe/sframe_header.h"
#include "sframe/sframe_receiver.h"
#include "sframe/sframe_sender.h"

using namespace aegis::sframe;

namespace {

constexpr CipherSuite kSuites[] = {CipherSuite::kAes128CtrHmacSha256_80, CipherSuite::kAes128CtrHmacSha256_64,
                                   CipherSuite::kAes128CtrHmacSha256_32, CipherSuite::kAes128GcmSha256_128,
                                   CipherSuite::kAes256GcmSha512_128};
constexpr uint64_t kKids[] = {0, 7, 0x123, UINT64_MAX};
// RFC 9605 Appendix C.3 base_key.
constexpr uint8_t kBaseKey[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                  0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};

// Input bytes, then zeros once used up (so every input is valid).
class Cursor {
 public:
  Cursor(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  uint8_t U8() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint16_t U16() { return static_cast<uint16_t>(U8() << 8 | U8()); }
  void Append(std::vector<uint8_t>& out, size_t n) {
    for (size_t i = 0; i < n; ++i) out.push_back(U8());
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

void CheckHeader(std::span<const uint8_t> frame) {
  auto h = SframeHeader::Parse(frame);
  if (!h) return;
  std::vector<uint8_t> again;
  h->SerializeTo(again);
  if (again.size() > frame.size() || std::memcmp(again.data(), frame.data(), again.size()) != 0) abort();
}

void Raw(SframeReceiver& receiver, Cursor& in, const uint8_t* rest, size_t rest_size) {
  const size_t m = in.U8() % 32;
  std::vector<uint8_t> metadata;
  in.Append(metadata, m);
  const size_t used = std::min(rest_size, 1 + m);
  // Exactly-sized heap copy so ASan catches any access past the frame.
  std::vector<uint8_t> frame(rest + used, rest + rest_size);
  CheckHeader(frame);
  auto out = receiver.Decrypt(metadata, frame);
  if (!out) return;
  auto h = SframeHeader::Parse(frame);
  const size_t tag = GetCipherSuiteParams(receiver.suite()).tag_size;
  if (!h || h->kid != out->kid || h->ctr != out->ctr) abort();
  if (out->plaintext.data() != frame.data() + h->size() || out->plaintext.size() != frame.size() - h->size() - tag) {
    abort();
  }
}

// Applies mutation `kind`; false if the frame is unchanged.
bool Mutate(std::vector<uint8_t>& frame, uint8_t kind, Cursor& in) {
  switch (kind % 5) {
    case 1: {  // flip one bit
      size_t at = in.U16() % frame.size();
      frame[at] ^= static_cast<uint8_t>(1u << (in.U8() % 8));
      return true;
    }
    case 2: {  // truncate
      frame.resize(frame.size() - (1 + in.U8() % frame.size()));
      return true;
    }
    case 3: {  // append bytes
      in.Append(frame, 1 + in.U8() % 16);
      return true;
    }
    case 4: {  // overwrite a byte with a different value
      size_t at = in.U16() % frame.size();
      uint8_t v = in.U8();
      frame[at] = v == frame[at] ? static_cast<uint8_t>(v + 1) : v;
      return true;
    }
    default: return false;
  }
}

void Structured(SframeSender& sender, SframeReceiver& receiver, Cursor& in) {
  std::vector<uint8_t> previous;
  for (int i = 0; i < 32 && !in.empty(); ++i) {
    const uint8_t op = in.U8();
    const uint64_t kid = kKids[op % 4];
    std::vector<uint8_t> metadata;
    in.Append(metadata, (op >> 2) % 4);
    std::vector<uint8_t> plain;
    in.Append(plain, in.U8());
    std::vector<uint8_t> buf = plain;
    buf.resize(plain.size() + sender.MaxOverhead());
    auto len = sender.Encrypt(kid, metadata, buf, plain.size());
    if (!len) abort();  // keys are present, CTRs far from exhaustion
    buf.resize(*len);
    const std::vector<uint8_t> sent = buf;
    const uint8_t mutation = in.U8();
    bool mutated;
    if (mutation >= 0xf0 && !previous.empty()) {
      buf = previous;  // deliver an accepted frame again: a replay
      mutated = true;
    } else {
      mutated = Mutate(buf, mutation, in);
    }
    std::vector<uint8_t> exact(buf);
    auto out = receiver.Decrypt(metadata, exact);
    if (!out) {
      if (!mutated) abort();  // a genuine frame was refused
      continue;
    }
    if (mutated) abort();  // a forged, truncated, extended or replayed frame was accepted
    previous = sent;
    if (out->plaintext.size() != plain.size() ||
        (!plain.empty() && std::memcmp(out->plaintext.data(), plain.data(), plain.size()) != 0)) {
      abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const CipherSuite suite = kSuites[(data[0] & 0x7f) % 5];
  auto sender = std::move(SframeSender::Create({.suite = suite})).value();
  auto receiver = std::move(SframeReceiver::Create({.suite = suite, .max_keys = 4})).value();
  for (uint64_t kid : kKids) {
    if (!sender.AddKey(kid, kBaseKey) || !receiver.AddKey(kid, kBaseKey)) abort();
  }
  Cursor in(data + 1, size - 1);
  if (data[0] & 0x80) {
    Structured(sender, receiver, in);
  } else {
    Raw(receiver, in, data + 1, size - 1);
  }
  return 0;
}
