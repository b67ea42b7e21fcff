// Wire constants of STUN (RFC 8489) and the ICE attributes (RFC 8445 §16.1).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace aegis::stun {

inline constexpr uint32_t kMagicCookie = 0x2112A442;
inline constexpr size_t kHeaderSize = 20;
inline constexpr size_t kAttributeHeaderSize = 4;
inline constexpr size_t kTransactionIdSize = 12;

// Largest message we accept, header included. Every STUN message this
// project exchanges (ICE checks, consent, binding responses) is well under
// 300 bytes, and STUN over UDP must fit the path MTU (RFC 8489 §6.2.1); a
// full Ethernet frame's payload (1500) is the most a non-fragmented datagram
// can carry on the paths we use. Anything bigger is refused before any
// attribute is read, which bounds the work an attacker can cause per packet.
inline constexpr size_t kMaxMessageSize = 1500;
// Most attributes we walk in one message. An ICE check carries ~6; this cap
// bounds the per-message work and memory for attribute lists even when the
// message is made of empty attributes (1480 / 4 = 370 otherwise).
inline constexpr size_t kMaxAttributes = 64;
// USERNAME, REALM, NONCE, SOFTWARE, ERROR-CODE reason: "fewer than 128
// characters ... as long as 763 bytes when decoding" (RFC 8489 §14.3–14.14).
inline constexpr size_t kMaxTextLength = 763;

// FINGERPRINT = CRC-32 XOR this ("STUN"), RFC 8489 §14.7.
inline constexpr uint32_t kFingerprintXor = 0x5354554e;

inline constexpr size_t kMessageIntegritySize = 20;       // HMAC-SHA1
inline constexpr size_t kMessageIntegritySha256Min = 16;  // §14.6: 16..32,
inline constexpr size_t kMessageIntegritySha256Max = 32;  // multiple of 4

using TransactionId = std::array<uint8_t, kTransactionIdSize>;

namespace method {
inline constexpr uint16_t kBinding = 0x001;
}  // namespace method

// Attribute type codes (IANA "STUN Attributes").
namespace attr {
inline constexpr uint16_t kMappedAddress = 0x0001;
inline constexpr uint16_t kUsername = 0x0006;
inline constexpr uint16_t kMessageIntegrity = 0x0008;
inline constexpr uint16_t kErrorCode = 0x0009;
inline constexpr uint16_t kUnknownAttributes = 0x000A;
inline constexpr uint16_t kRealm = 0x0014;
inline constexpr uint16_t kNonce = 0x0015;
inline constexpr uint16_t kMessageIntegritySha256 = 0x001C;
inline constexpr uint16_t kXorMappedAddress = 0x0020;
inline constexpr uint16_t kPriority = 0x0024;           // RFC 8445
inline constexpr uint16_t kUseCandidate = 0x0025;       // RFC 8445
inline constexpr uint16_t kSoftware = 0x8022;
inline constexpr uint16_t kFingerprint = 0x8028;
inline constexpr uint16_t kIceControlled = 0x8029;      // RFC 8445
inline constexpr uint16_t kIceControlling = 0x802A;     // RFC 8445

// 0x0000–0x7FFF must be understood to process the message (§14).
constexpr bool IsComprehensionRequired(uint16_t type) { return type < 0x8000; }
}  // namespace attr

}  // namespace aegis::stun
