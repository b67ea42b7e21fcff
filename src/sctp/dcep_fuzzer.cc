// Fuzzes DCEP parsing: parse → serialize → parse. Parsing is strict (exact
// lengths, no trailing bytes), so a message that parses must serialize back
// to exactly the input, and parse again to the same value.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "sctp/data_channel.h"
#include "sctp/dcep.h"
#include "base/utf8.h"

using namespace aegis::sctp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  auto parsed = ParseDcep(input);
  if (!parsed) return 0;
  std::vector<uint8_t> out;
  SerializeDcep(*parsed, out);
  if (out.size() != size || !std::equal(out.begin(), out.end(), input.begin())) abort();
  auto again = ParseDcep(out);
  if (!again || !(*again == *parsed)) abort();
  if (const auto* open = std::get_if<DataChannelOpen>(&*parsed)) {
    auto bytes = [](const std::string& s) { return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()); };
    if (!aegis::IsValidUtf8(bytes(open->label)) || !aegis::IsValidUtf8(bytes(open->protocol))) abort();
    // The reliability mapping is total and round-trips the channel type.
    if (ToChannelType(FromDcep(open->channel_type, open->reliability_parameter)) != open->channel_type) abort();
  }
  return 0;
}
