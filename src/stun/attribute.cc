#include "stun/attribute.h"

#include <type_traits>
#include <utility>

namespace aegis::stun {
namespace {

template <typename T>
Result<Attribute, ParseError> Wrap(Result<T, ParseError> r) {
  if (!r) return Err{r.error()};
  return Attribute{std::move(r).value()};
}

}  // namespace

uint16_t AttributeType(const Attribute& a) {
  return std::visit(
      [](const auto& v) -> uint16_t {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, RawAttribute>) {
          return v.type;
        } else {
          return std::decay_t<decltype(v)>::kType;
        }
      },
      a);
}

Result<Attribute, ParseError> ParseAttribute(uint16_t type, std::span<const uint8_t> value,
                                             const TransactionId& id) {
  switch (type) {
    case attr::kMappedAddress: return Wrap(MappedAddress::Parse(value));
    case attr::kXorMappedAddress: return Wrap(XorMappedAddress::Parse(value, id));
    case attr::kUsername: return Wrap(Username::Parse(value));
    case attr::kRealm: return Wrap(Realm::Parse(value));
    case attr::kNonce: return Wrap(Nonce::Parse(value));
    case attr::kSoftware: return Wrap(Software::Parse(value));
    case attr::kErrorCode: return Wrap(ErrorCode::Parse(value));
    case attr::kUnknownAttributes: return Wrap(UnknownAttributes::Parse(value));
    case attr::kPriority: return Wrap(Priority::Parse(value));
    case attr::kUseCandidate: return Wrap(UseCandidate::Parse(value));
    case attr::kIceControlling: return Wrap(IceControlling::Parse(value));
    case attr::kIceControlled: return Wrap(IceControlled::Parse(value));
    case attr::kMessageIntegrity: return Wrap(MessageIntegrity::Parse(value));
    case attr::kMessageIntegritySha256: return Wrap(MessageIntegritySha256::Parse(value));
    case attr::kFingerprint: return Wrap(Fingerprint::Parse(value));
    default: return Attribute{RawAttribute{type, std::vector<uint8_t>(value.begin(), value.end())}};
  }
}

void SerializeAttribute(const Attribute& a, const TransactionId& id, ByteWriter& w) {
  w.U16(AttributeType(a));
  const size_t length_at = w.size();
  w.U16(0);  // patched below, once the value is written
  const size_t value_at = w.size();
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, RawAttribute>) {
          w.Bytes(v.value);
        } else if constexpr (std::is_same_v<T, XorMappedAddress>) {
          v.SerializeValueTo(w, id);
        } else {
          v.SerializeValueTo(w);
        }
      },
      a);
  const size_t length = w.size() - value_at;
  w.PatchU16(length_at, static_cast<uint16_t>(length));
  w.Zeros((4 - length % 4) % 4);
}

}  // namespace aegis::stun
