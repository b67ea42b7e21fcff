// Compound RTCP packets (RFC 3550 §6.1): one datagram holding several RTCP
// packets back to back. Parsing checks every packet's framing and body and
// rejects the whole compound on the first error, with its ParseError.
//
// Not enforced: that the first packet is SR or RR and that SDES with a
// CNAME is present. RFC 5506 reduced-size RTCP (a=rtcp-rsize, used by
// browsers) allows lone feedback packets.
#pragma once

#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "base/result.h"
#include "rtcp/app.h"
#include "rtcp/bye.h"
#include "rtcp/fir.h"
#include "rtcp/nack.h"
#include "rtcp/parse_error.h"
#include "rtcp/pli.h"
#include "rtcp/receiver_report.h"
#include "rtcp/remb.h"
#include "rtcp/sdes.h"
#include "rtcp/sender_report.h"
#include "rtcp/transport_feedback.h"
#include "rtcp/unknown_packet.h"

namespace aegis::rtcp {

using Packet = std::variant<SenderReport, ReceiverReport, Sdes, Bye, App, Nack, Pli, Fir, Remb, TransportFeedback,
                            UnknownPacket>;

// Parses a whole (decrypted) compound packet. Unknown types and formats
// come back as UnknownPacket.
Result<std::vector<Packet>, ParseError> ParseCompound(std::span<const uint8_t> data);

// Appends the packets to `out`, in order. False (and `out` unchanged) if the
// list is empty, a packet cannot be serialized, or a padded UnknownPacket is
// not last.
bool SerializeCompound(std::span<const Packet> packets, std::vector<uint8_t>& out);

}  // namespace aegis::rtcp
