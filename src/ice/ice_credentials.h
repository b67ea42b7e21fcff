// ICE short-term credentials (RFC 8445 §5.3, RFC 8839 §5.4).
#pragma once

#include <string>

#include "base/random.h"

namespace aegis::ice {

struct IceCredentials {
  std::string ufrag;
  std::string pwd;
  bool operator==(const IceCredentials&) const = default;
};

// Fresh credentials from `rng`: an 8-character ufrag (48 random bits; the
// RFC asks for at least 24) and a 32-character password (192 bits; at least
// 128 required), both from the ice-char alphabet (ALPHA / DIGIT / "+" / "/").
IceCredentials GenerateIceCredentials(RandomSource& rng);

}  // namespace aegis::ice
