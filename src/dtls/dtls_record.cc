#include "dtls/dtls_record.h"

#include "base/byte_writer.h"

namespace aegis::dtls {
namespace {

constexpr uint16_t kDtls10 = 0xfeff;
constexpr uint16_t kDtls12 = 0xfefd;

bool KnownContentType(uint8_t t) {
  return t >= static_cast<uint8_t>(ContentType::kChangeCipherSpec) &&
         t <= static_cast<uint8_t>(ContentType::kApplicationData);
}

bool KnownHandshakeType(uint8_t t) {
  return t <= static_cast<uint8_t>(HandshakeType::kNewSessionTicket) ||
         (t >= static_cast<uint8_t>(HandshakeType::kCertificate) &&
          t <= static_cast<uint8_t>(HandshakeType::kClientKeyExchange));
}

// What an epoch-0 handshake record holds, or nullopt if it is not a sequence
// of well-formed handshake fragments.
struct HandshakeRecordInfo {
  bool only_client_hello = true;
  bool client_final_flight = false;
};

std::optional<HandshakeRecordInfo> InspectHandshakeRecord(ByteReader fragment) {
  HandshakeRecordInfo info;
  if (fragment.empty()) return std::nullopt;
  while (!fragment.empty()) {
    uint8_t type = fragment.U8();
    uint32_t length = fragment.U24();
    fragment.U16();  // message_seq
    uint32_t offset = fragment.U24();
    uint32_t fragment_length = fragment.U24();
    if (!fragment.ok() || !KnownHandshakeType(type) || uint64_t{offset} + fragment_length > length ||
        !fragment.Skip(fragment_length)) {
      return std::nullopt;
    }
    auto msg = static_cast<HandshakeType>(type);
    if (msg != HandshakeType::kClientHello) info.only_client_hello = false;
    if (msg == HandshakeType::kCertificate || msg == HandshakeType::kClientKeyExchange ||
        msg == HandshakeType::kCertificateVerify) {
      info.client_final_flight = true;
    }
  }
  return info;
}

}  // namespace

std::optional<DtlsRecordHeader> DtlsRecordHeader::Parse(ByteReader& reader) {
  DtlsRecordHeader h;
  h.content_type = reader.U8();
  h.version = reader.U16();
  h.epoch = reader.U16();
  uint64_t seq_hi = reader.U16();
  uint64_t seq_lo = reader.U32();
  h.sequence_number = seq_hi << 32 | seq_lo;
  h.length = reader.U16();
  if (!reader.ok() || !KnownContentType(h.content_type) || (h.version != kDtls10 && h.version != kDtls12) ||
      h.length > kMaxLength) {
    return std::nullopt;
  }
  return h;
}

void DtlsRecordHeader::SerializeTo(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  w.U8(content_type);
  w.U16(version);
  w.U16(epoch);
  w.U16(static_cast<uint16_t>(sequence_number >> 32));
  w.U32(static_cast<uint32_t>(sequence_number));
  w.U16(length);
}

Result<DatagramSummary, DatagramError> InspectDatagram(std::span<const uint8_t> datagram, size_t max_size) {
  if (datagram.empty()) return Err{DatagramError::kEmpty};
  if (datagram.size() > max_size) return Err{DatagramError::kTooLarge};
  if (datagram[0] < 20 || datagram[0] > 63) return Err{DatagramError::kNotDtls};

  DatagramSummary summary;
  ByteReader reader(datagram);
  while (!reader.empty()) {
    auto header = DtlsRecordHeader::Parse(reader);
    if (!header) return Err{DatagramError::kMalformed};
    ByteReader fragment = reader.Sub(header->length);
    if (!reader.ok()) return Err{DatagramError::kMalformed};
    ++summary.records;

    auto type = static_cast<ContentType>(header->content_type);
    if (type == ContentType::kApplicationData) ++summary.application_data_records;
    if (type == ContentType::kChangeCipherSpec) ++summary.client_final_flight_records;
    if (header->epoch != 0) continue;  // encrypted: OpenSSL authenticates it
    switch (type) {
      case ContentType::kChangeCipherSpec:
        if (header->length != 1 || fragment.U8() != 1) return Err{DatagramError::kMalformed};
        break;
      case ContentType::kAlert: {
        uint8_t level = fragment.U8();
        if (header->length != 2 || (level != 1 && level != 2)) return Err{DatagramError::kMalformed};
        break;
      }
      case ContentType::kHandshake: {
        auto info = InspectHandshakeRecord(fragment);
        if (!info) return Err{DatagramError::kMalformed};
        if (info->only_client_hello) ++summary.client_hello_records;
        if (info->client_final_flight) ++summary.client_final_flight_records;
        break;
      }
      case ContentType::kApplicationData:
        break;  // never valid in epoch 0; dropped before the handshake ends
    }
  }
  return summary;
}

void CopyWithoutApplicationData(std::span<const uint8_t> datagram, std::vector<uint8_t>& out) {
  out.clear();
  ByteReader reader(datagram);
  while (!reader.empty()) {
    size_t start = reader.position();
    auto header = DtlsRecordHeader::Parse(reader);
    if (!header || !reader.Skip(header->length)) return;
    if (static_cast<ContentType>(header->content_type) == ContentType::kApplicationData) continue;
    auto record = datagram.subspan(start, DtlsRecordHeader::kSize + header->length);
    out.insert(out.end(), record.begin(), record.end());
  }
}

}  // namespace aegis::dtls
