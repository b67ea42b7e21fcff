#include "rtp/transport_sequence.h"

#include <algorithm>

namespace aegis::rtp {
namespace {

constexpr uint8_t kExtensionBit = 0x10;

}  // namespace

size_t WriteHeaderWithTransportSequence(const RtpPacketView& packet, TransportSequence sequence,
                                        std::span<uint8_t> out) {
  const size_t size = HeaderSizeWithTransportSequence(packet);
  if (out.size() < size || sequence.extension_id == 0 || sequence.extension_id > 14) return 0;
  const size_t fixed = size - kTransportSequenceBlockSize;
  std::copy_n(packet.bytes().begin(), fixed, out.begin());
  out[0] = static_cast<uint8_t>(out[0] | kExtensionBit);
  uint8_t* block = out.data() + fixed;
  StoreBE16(block, kOneByteExtensionProfile);
  StoreBE16(block + 2, 1);  // one 32-bit word follows
  block[4] = static_cast<uint8_t>(sequence.extension_id << 4 | 1);  // L = length - 1
  StoreBE16(block + 5, sequence.sequence);
  block[7] = 0;  // padding
  return size;
}

size_t CopyWithTransportSequence(const RtpPacketView& packet, TransportSequence sequence, std::span<uint8_t> out) {
  if (out.size() < SizeWithTransportSequence(packet)) return 0;
  const size_t header = WriteHeaderWithTransportSequence(packet, sequence, out);
  if (header == 0) return 0;
  const auto rest = packet.bytes().subspan(packet.header_size());  // payload and padding
  std::copy(rest.begin(), rest.end(), out.begin() + static_cast<std::ptrdiff_t>(header));
  return header + rest.size();
}

std::optional<uint16_t> ReadTransportSequence(const RtpPacketView& packet, uint8_t extension_id) {
  auto value = packet.FindExtension(extension_id);
  if (!value || value->size() != 2) return std::nullopt;
  return LoadBE16(value->data());
}

}  // namespace aegis::rtp
