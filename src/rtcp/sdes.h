// Source description, PT=202 (RFC 3550 §6.5):
//
//         0                   1                   2                   3
//         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// header |V=2|P|    SC   |  PT=SDES=202  |             length            |
//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// chunk  |                          SSRC/CSRC_1                          |
//   1    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        |                           SDES items                          |
//        |                              ...                              |
//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// chunk  |                          SSRC/CSRC_2                          |
//   2    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        |                           SDES items                          |
//        |                              ...                              |
//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//
// An item is type (8 bits), length (8 bits) and that many bytes of text,
// e.g. CNAME (§6.5.1):
//
//        |    CNAME=1    |     length    | user and domain name        ...
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// A chunk's item list ends with a null octet (item type 0, no length),
// followed by more null octets up to the next 32-bit boundary.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/strong_id.h"
#include "rtcp/common_header.h"
#include "rtcp/parse_error.h"

namespace aegis::rtcp {

enum SdesItemType : uint8_t {
  kSdesEnd = 0,
  kSdesCname = 1,
  kSdesName = 2,
  kSdesEmail = 3,
  kSdesPhone = 4,
  kSdesLoc = 5,
  kSdesTool = 6,
  kSdesNote = 7,
  kSdesPriv = 8,
};

struct SdesItem {
  uint8_t type = kSdesCname;  // never kSdesEnd
  std::string value;          // at most 255 bytes; PRIV keeps its prefix inside
  bool operator==(const SdesItem&) const = default;
};

struct SdesChunk {
  Ssrc source;
  std::vector<SdesItem> items;

  // The first CNAME item's value, if any.
  std::optional<std::string_view> Cname() const;
  bool operator==(const SdesChunk&) const = default;
};

struct Sdes {
  std::vector<SdesChunk> chunks;  // at most 31

  static Result<Sdes, ParseError> Parse(const CommonHeader& header);
  // False if a count or length cannot be encoded; SerializeTo then writes nothing.
  bool CanSerialize() const;
  void SerializeTo(std::vector<uint8_t>& out) const;
  bool operator==(const Sdes&) const = default;
};

}  // namespace aegis::rtcp
