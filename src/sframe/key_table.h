// Per-KID key state with a hard cap on the number of KIDs, so that no peer
// or key-management bug can grow memory without bound. A flat array scanned
// linearly, the last hit tried first: a context holds a few keys per
// participant (current and next during a rotation), and frames of one KID
// come in runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "base/result.h"
#include "crypto/secure_memory.h"
#include "sframe/aead.h"
#include "sframe/sframe_error.h"

namespace aegis::sframe {

// What one base key gives under one KID: its AEAD and nonce salt. The derived
// key is kept (wiped on removal) only to recognise the same key added again.
struct KeyContext {
  crypto::SecretBytes key;
  crypto::SecretBytes salt;
  std::unique_ptr<Aead> aead;

  // kInvalidKey if base_key is too short.
  static Result<KeyContext, Error> Derive(CipherSuite suite, uint64_t kid, std::span<const uint8_t> base_key);
  bool SameKey(const KeyContext& other) const;
};

template <typename Entry>
class KeyTable {
 public:
  explicit KeyTable(size_t capacity) : capacity_(capacity) {}

  size_t size() const { return entries_.size(); }
  size_t capacity() const { return capacity_; }

  Entry* Find(uint64_t kid) {
    if (last_ < entries_.size() && entries_[last_].first == kid) return &entries_[last_].second;
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (entries_[i].first == kid) {
        last_ = i;
        return &entries_[i].second;
      }
    }
    return nullptr;
  }

  // For a KID not in the table; nullptr if the table is full.
  Entry* Insert(uint64_t kid, Entry entry) {
    if (entries_.size() >= capacity_) return nullptr;
    entries_.emplace_back(kid, std::move(entry));
    last_ = entries_.size() - 1;
    return &entries_.back().second;
  }

  bool Remove(uint64_t kid) {
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (entries_[i].first != kid) continue;
      if (i + 1 != entries_.size()) entries_[i] = std::move(entries_.back());
      entries_.pop_back();  // destroys the entry: its SecretBytes wipe themselves
      last_ = 0;
      return true;
    }
    return false;
  }

 private:
  size_t capacity_;
  size_t last_ = 0;
  std::vector<std::pair<uint64_t, Entry>> entries_;
};

}  // namespace aegis::sframe
