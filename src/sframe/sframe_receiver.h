// The receiving half of an SFrame context (RFC 9605 §4.4.4, Appendix A):
// receive keys by KID and in-place frame decryption.
//
//   auto receiver = SframeReceiver::Create();        // suite 0x0004
//   receiver->AddKey(kid, base_key);
//   auto frame = receiver->Decrypt(metadata, ciphertext);  // a span, decrypted in place
//   if (frame) use(frame->plaintext);                // inside `ciphertext`
//
// Order of work per frame, cheapest refusal first: header (minimal encoding
// enforced) → KID lookup → length → replay window → authentication and
// decryption → only then does the window move, so a forged frame changes
// nothing but a drop counter. Every refusal is counted by reason.
//
// On kTooShort, kNonMinimalHeader, kTooLong, kUnknownKid, kReplayed and
// kTooOld the frame bytes are untouched, so an application may keep a frame
// with an unknown KID and retry once its key arrives (§4.4.4). On
// kAuthFailed the frame must be dropped; its body never holds
// unauthenticated plaintext (aead.h).
//
// Replay protection is per KID and on by default; see replay_window.h for
// why. Replacing a KID's key (a different base key) starts a fresh window;
// adding the same key again keeps the current one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "sframe/key_table.h"
#include "sframe/replay_window.h"
#include "sframe/sframe_config.h"
#include "sframe/sframe_error.h"

namespace aegis::sframe {

struct DecryptedFrame {
  uint64_t kid = 0;
  uint64_t ctr = 0;
  std::span<uint8_t> plaintext;  // inside the caller's buffer, after the header
};

class SframeReceiver {
 public:
  // kInvalidCipherSuite if config.suite is not 0x0001-0x0005.
  static Result<SframeReceiver, Error> Create(const ReceiverConfig& config = {});

  // Adds or replaces the key for `kid`. kInvalidKey or kTooManyKeys leave
  // the table unchanged.
  Result<void, Error> AddKey(uint64_t kid, std::span<const uint8_t> base_key);
  // Forgets (and wipes) the key; false if the KID had none.
  bool RemoveKey(uint64_t kid);
  bool HasKey(uint64_t kid) { return keys_.Find(kid) != nullptr; }

  // Verifies and decrypts the SFrame ciphertext `frame` (exactly one frame,
  // header to tag) in place, with `metadata` as the extra authenticated data.
  Result<DecryptedFrame, Error> Decrypt(std::span<const uint8_t> metadata, std::span<uint8_t> frame);

  CipherSuite suite() const { return suite_; }
  size_t key_count() const { return keys_.size(); }
  const Counters& counters() const { return counters_; }

 private:
  friend class SframeTestPeer;
  struct ReceiveKey {
    KeyContext ctx;
    ReplayWindow window;
  };

  explicit SframeReceiver(const ReceiverConfig& config);
  Result<DecryptedFrame, Error> DoDecrypt(std::span<const uint8_t> metadata, std::span<uint8_t> frame);

  CipherSuite suite_;
  size_t tag_size_;
  bool replay_protection_;
  KeyTable<ReceiveKey> keys_;
  Counters counters_;
};

}  // namespace aegis::sframe
