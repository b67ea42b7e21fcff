// Replies from a Redis server (or whatever answers on its address) through
// the RESP reader, fed in two pieces split by the first byte, with small
// limits so the bounds are reached.
#include <cstddef>
#include <cstdint>
#include <span>

#include "cluster/resp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  aegis::cluster::RespLimits limits;
  limits.max_reply_bytes = 4096;
  limits.max_line_bytes = 256;
  limits.max_elements = 256;
  aegis::cluster::RespReader reader(limits);
  std::span<const uint8_t> input(data + 1, size - 1);
  const size_t split = data[0] % (input.size() + 1);
  for (auto piece : {input.first(split), input.subspan(split)}) {
    reader.Feed(piece);
    for (int i = 0; i < 1000; ++i) {
      auto reply = reader.Next();
      if (!reply.ok() || !reply.value()) break;
    }
  }
  return 0;
}
