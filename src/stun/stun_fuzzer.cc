// Fuzzes STUN parsing and integrity checking on untrusted bytes:
//  - Parse, the raw-byte verifiers and IsStunMessage must agree on what is
//    well framed;
//  - parse → serialize → parse gives the same message (and no longer bytes);
//  - the parsed attributes rebuilt with MESSAGE-INTEGRITY and FINGERPRINT
//    under a fixed key must verify and parse back to the same attributes.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "stun/integrity.h"
#include "stun/is_stun_message.h"
#include "stun/message.h"
#include "stun/message_builder.h"

using namespace aegis::stun;

namespace {

const uint8_t kKey[] = {'f', 'u', 'z', 'z', '-', 'k', 'e', 'y'};

bool IsComputed(const Attribute& a) {
  const uint16_t t = AttributeType(a);
  return t == attr::kMessageIntegrity || t == attr::kMessageIntegritySha256 ||
         t == attr::kFingerprint;
}

void Check(bool condition) {
  if (!condition) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  const bool looks_like_stun = IsStunMessage(in);
  const auto m = Message::Parse(in);
  const auto mi = VerifyMessageIntegrity(in, kKey);
  const auto mi256 = VerifyMessageIntegritySha256(in, kKey);
  const auto fp = VerifyFingerprint(in);
  if (!looks_like_stun) {
    Check(!m.ok());
    Check(mi == IntegrityStatus::kMalformed && fp == IntegrityStatus::kMalformed);
    return 0;
  }
  if (!m.ok()) return 0;
  // What parses also frames for the verifiers, and they find what it found.
  Check(mi != IntegrityStatus::kMalformed && mi256 != IntegrityStatus::kMalformed &&
        fp != IntegrityStatus::kMalformed);
  Check((mi == IntegrityStatus::kAbsent) == !m->Has<MessageIntegrity>());
  Check((mi256 == IntegrityStatus::kAbsent) == !m->Has<MessageIntegritySha256>());
  Check((fp == IntegrityStatus::kAbsent) == !m->Has<Fingerprint>());
  (void)m->UnknownComprehensionRequired();

  std::vector<uint8_t> out;
  m->SerializeTo(out);
  Check(out.size() <= size);
  const auto again = Message::Parse(out);
  Check(again.ok());
  Check(*again == *m);

  MessageBuilder b(m->type, m->transaction_id);
  std::vector<Attribute> plain;
  for (const auto& a : m->attributes) {
    if (IsComputed(a)) continue;
    Check(b.Add(a));  // whatever we parsed, we can send
    plain.push_back(a);
  }
  if (b.AddMessageIntegrity(kKey) && b.AddFingerprint()) {
    const auto& built = b.bytes();
    Check(VerifyMessageIntegrity(built, kKey) == IntegrityStatus::kOk);
    Check(VerifyFingerprint(built) == IntegrityStatus::kOk);
    const auto rebuilt = Message::Parse(built);
    Check(rebuilt.ok());
    std::vector<Attribute> rebuilt_plain;
    for (const auto& a : rebuilt->attributes) {
      if (!IsComputed(a)) rebuilt_plain.push_back(a);
    }
    Check(rebuilt_plain == plain);
  }
  return 0;
}
