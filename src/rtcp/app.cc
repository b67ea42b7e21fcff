#include "rtcp/app.h"

#include <algorithm>

#include "base/byte_reader.h"
#include "base/byte_writer.h"

namespace aegis::rtcp {

Result<App, ParseError> App::Parse(const CommonHeader& header) {
  if (header.packet_type != kTypeApp) return Err{ParseError::kWrongType};
  ByteReader r(header.payload);
  if (r.remaining() < 8) return Err{ParseError::kTooShort};
  App app;
  app.subtype = header.count;
  app.source = Ssrc(r.U32());
  auto name = r.Bytes(4);
  std::copy(name.begin(), name.end(), app.name.begin());
  // RFC 3550 padding is a whole number of words, so the data is too.
  if (r.remaining() % 4 != 0) return Err{ParseError::kBadPadding};
  auto data = r.Rest();
  app.data.assign(data.begin(), data.end());
  return app;
}

bool App::CanSerialize() const {
  return subtype <= kMaxCount && data.size() % 4 == 0 && 8 + data.size() <= kMaxBodySize;
}

void App::SerializeTo(std::vector<uint8_t>& out) const {
  if (!CanSerialize()) return;
  const size_t start = BeginPacket(out, subtype, kTypeApp);
  ByteWriter w(out);
  w.U32(source.value());
  w.Bytes(name);
  w.Bytes(data);
  EndPacket(out, start);
}

}  // namespace aegis::rtcp
