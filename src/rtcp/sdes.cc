#include "rtcp/sdes.h"

#include "base/byte_reader.h"
#include "base/byte_writer.h"

namespace aegis::rtcp {
namespace {

size_t ChunkSize(const SdesChunk& chunk) {
  size_t size = 4;  // SSRC
  for (const SdesItem& item : chunk.items) size += 2 + item.value.size();
  return (size + 1 + 3) / 4 * 4;  // at least one null octet, then word aligned
}

}  // namespace

std::optional<std::string_view> SdesChunk::Cname() const {
  for (const SdesItem& item : items) {
    if (item.type == kSdesCname) return item.value;
  }
  return std::nullopt;
}

Result<Sdes, ParseError> Sdes::Parse(const CommonHeader& header) {
  if (header.packet_type != kTypeSdes) return Err{ParseError::kWrongType};
  ByteReader r(header.payload);
  Sdes sdes;
  sdes.chunks.reserve(header.count);
  for (uint8_t i = 0; i < header.count; ++i) {
    // Smallest chunk: SSRC and one word holding the terminator.
    if (r.remaining() < 8) return Err{ParseError::kCountExceedsLength};
    const size_t chunk_start = r.position();
    SdesChunk chunk;
    chunk.source = Ssrc(r.U32());
    for (;;) {
      const uint8_t type = r.U8();
      if (!r.ok()) return Err{ParseError::kBadSdesItem};  // no terminator
      if (type == kSdesEnd) break;
      const uint8_t length = r.U8();
      auto text = r.Bytes(length);
      if (!r.ok()) return Err{ParseError::kBadSdesItem};
      chunk.items.push_back(SdesItem{type, std::string(text.begin(), text.end())});
    }
    // Skip the null octets up to the chunk's next word boundary. Their
    // content carries nothing, so it is not checked.
    if (!r.Skip((4 - (r.position() - chunk_start) % 4) % 4)) return Err{ParseError::kBadSdesItem};
    sdes.chunks.push_back(std::move(chunk));
  }
  if (!r.empty()) return Err{ParseError::kTrailingBytes};
  return sdes;
}

bool Sdes::CanSerialize() const {
  if (chunks.size() > kMaxCount) return false;
  size_t size = 0;
  for (const SdesChunk& chunk : chunks) {
    for (const SdesItem& item : chunk.items) {
      if (item.type == kSdesEnd || item.value.size() > 255) return false;
    }
    size += ChunkSize(chunk);
  }
  return size <= kMaxBodySize;
}

void Sdes::SerializeTo(std::vector<uint8_t>& out) const {
  if (!CanSerialize()) return;
  const size_t start = BeginPacket(out, static_cast<uint8_t>(chunks.size()), kTypeSdes);
  ByteWriter w(out);
  for (const SdesChunk& chunk : chunks) {
    const size_t chunk_start = out.size();
    w.U32(chunk.source.value());
    for (const SdesItem& item : chunk.items) {
      w.U8(item.type);
      w.U8(static_cast<uint8_t>(item.value.size()));
      w.Bytes({reinterpret_cast<const uint8_t*>(item.value.data()), item.value.size()});
    }
    w.Zeros(ChunkSize(chunk) - (out.size() - chunk_start));
  }
  EndPacket(out, start);
}

}  // namespace aegis::rtcp
