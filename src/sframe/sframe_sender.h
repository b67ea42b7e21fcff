// The sending half of an SFrame context (RFC 9605 §4.4, Appendix A): send
// keys by KID, each with its next CTR, and in-place frame encryption.
//
//   auto sender = SframeSender::Create();           // suite 0x0004
//   sender->AddKey(kid, base_key);
//   // buffer holds the plaintext at its start and has MaxOverhead() spare bytes
//   auto len = sender->Encrypt(kid, metadata, buffer, plaintext_len);
//   // buffer[0, *len) is now header || ciphertext || tag
//
// Each (key, KID, CTR) is used for one frame only: CTR starts at 0 and only
// goes up, a CTR is spent as soon as it is handed to the cipher (even if
// OpenSSL then fails), and after CTR 2^64 - 1 the key is refused
// (kCounterExhausted), never wrapped. Adding the key a KID already holds
// changes nothing (its CTR is kept); adding a different key under that KID
// replaces it. A key the sender dropped (removed or replaced) and is given
// again resumes at the CTR it had reached, as long as it is among the last
// kRetiredKeys keys dropped: the sender keeps their fingerprints (SHA-256
// of the derived key, truncated; never the key) and next CTRs. Key
// management must still never re-add a key: rotation means a fresh base key
// (RFC 9605 §9.1), and an older key would restart at CTR 0.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "sframe/key_table.h"
#include "sframe/sframe_config.h"
#include "sframe/sframe_error.h"
#include "sframe/sframe_header.h"

namespace aegis::sframe {

class SframeSender {
 public:
  static constexpr size_t kRetiredKeys = 64;

  // kInvalidCipherSuite if config.suite is not 0x0001-0x0005.
  static Result<SframeSender, Error> Create(const SenderConfig& config = {});

  // kInvalidKey (base key too short) or kTooManyKeys; the table is unchanged then.
  Result<void, Error> AddKey(uint64_t kid, std::span<const uint8_t> base_key);
  // Forgets (and wipes) the key; false if the KID had none.
  bool RemoveKey(uint64_t kid);
  bool HasKey(uint64_t kid) { return keys_.Find(kid) != nullptr; }

  // Encrypts buffer[0, plaintext_len) in place under `kid`, authenticating
  // `metadata` too; returns the SFrame ciphertext length (header + ciphertext
  // + tag), written from buffer[0]. On error the buffer is unchanged (except
  // kCryptoFailure) and the error is counted.
  Result<size_t, Error> Encrypt(uint64_t kid, std::span<const uint8_t> metadata, std::span<uint8_t> buffer,
                                size_t plaintext_len);

  CipherSuite suite() const { return suite_; }
  // Spare bytes a buffer needs beyond the plaintext, whatever the KID and CTR.
  size_t MaxOverhead() const { return SframeHeader::kMaxSize + tag_size_; }
  size_t key_count() const { return keys_.size(); }
  const Counters& counters() const { return counters_; }

 private:
  friend class SframeTestPeer;
  struct SendKey {
    KeyContext ctx;
    uint64_t next_ctr = 0;
    bool exhausted = false;  // CTR 2^64 - 1 was used
  };

  using Fingerprint = std::array<uint8_t, 16>;
  struct Retired {
    Fingerprint fingerprint;
    uint64_t next_ctr;
    bool exhausted;
  };

  explicit SframeSender(const SenderConfig& config);
  static Fingerprint KeyFingerprint(const KeyContext& ctx);
  // Remembers where `key` stopped, and resumes `key` where it stopped if it
  // was retired before.
  void Retire(const SendKey& key);
  void Resume(SendKey& key) const;
  Result<size_t, Error> DoEncrypt(uint64_t kid, std::span<const uint8_t> metadata, std::span<uint8_t> buffer,
                                  size_t plaintext_len);

  CipherSuite suite_;
  size_t tag_size_;
  KeyTable<SendKey> keys_;
  std::vector<Retired> retired_;  // a ring of kRetiredKeys
  size_t retired_next_ = 0;
  Counters counters_;
};

}  // namespace aegis::sframe
