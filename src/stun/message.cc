#include "stun/message.h"

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "stun/wire.h"

namespace aegis::stun {

Result<Message, ParseError> Message::Parse(std::span<const uint8_t> data) {
  if (auto h = CheckHeader(data); !h) return Err{h.error()};
  Message m;
  ByteReader r(data);
  m.type = MessageType::Decode(r.U16());
  r.Skip(6);  // length and cookie, checked above
  const auto id = r.Bytes(kTransactionIdSize);
  for (size_t i = 0; i < kTransactionIdSize; ++i) m.transaction_id[i] = id[i];

  bool seen_mi = false;
  bool seen_mi_sha256 = false;
  AttributeWalker walker(data);
  while (auto raw = walker.Next()) {
    const bool is_fingerprint = raw->type == attr::kFingerprint;
    // §14.5/§14.6: after an integrity attribute only the later integrity
    // attribute (SHA256 after SHA1) and FINGERPRINT are processed.
    if (seen_mi_sha256 && !is_fingerprint) continue;
    if (seen_mi && !is_fingerprint && raw->type != attr::kMessageIntegritySha256) continue;
    auto a = ParseAttribute(raw->type, raw->value, m.transaction_id);
    if (!a) return Err{a.error()};
    if (raw->type == attr::kMessageIntegrity) seen_mi = true;
    if (raw->type == attr::kMessageIntegritySha256) seen_mi_sha256 = true;
    m.attributes.push_back(std::move(a).value());
  }
  if (walker.error()) return Err{*walker.error()};
  return m;
}

void Message::SerializeTo(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  const size_t start = w.size();
  w.U16(type.Encode());
  w.U16(0);  // patched below
  w.U32(kMagicCookie);
  w.Bytes(transaction_id);
  for (const auto& a : attributes) SerializeAttribute(a, transaction_id, w);
  w.PatchU16(start + 2, static_cast<uint16_t>(w.size() - start - kHeaderSize));
}

std::vector<uint16_t> Message::UnknownComprehensionRequired() const {
  std::vector<uint16_t> out;
  for (const auto& a : attributes) {
    if (const auto* raw = std::get_if<RawAttribute>(&a)) {
      if (attr::IsComprehensionRequired(raw->type)) out.push_back(raw->type);
    }
  }
  return out;
}

}  // namespace aegis::stun
