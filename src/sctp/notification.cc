#include "sctp/notification.h"

#include <usrsctp.h>

#include <cstring>

namespace aegis::sctp {
namespace {

// Copies the fixed part of a notification struct; false if too short.
// (Several end in a flexible array, so they cannot live in std::optional.)
template <typename T>
bool Read(std::span<const uint8_t> bytes, T& out) {
  if (bytes.size() < sizeof(T)) return false;
  std::memcpy(&out, bytes.data(), sizeof(T));
  return true;
}

AssocChangeNotice::State ToState(uint16_t state) {
  using S = AssocChangeNotice::State;
  switch (state) {
    case SCTP_COMM_UP: return S::kCommUp;
    case SCTP_COMM_LOST: return S::kCommLost;
    case SCTP_RESTART: return S::kRestart;
    case SCTP_SHUTDOWN_COMP: return S::kShutdownComplete;
    case SCTP_CANT_STR_ASSOC: return S::kCannotStart;
    default: return S::kOther;
  }
}

std::optional<Notification> ParseStreamReset(std::span<const uint8_t> bytes) {
  sctp_stream_reset_event event;
  if (!Read(bytes, event)) return std::nullopt;
  StreamResetNotice notice;
  notice.incoming = (event.strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN) != 0;
  notice.outgoing = (event.strreset_flags & SCTP_STREAM_RESET_OUTGOING_SSN) != 0;
  notice.failed = (event.strreset_flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED)) != 0;
  // The stream list follows the fixed part; trust neither strreset_length
  // nor the buffer alone, take the smaller.
  size_t end = bytes.size();
  if (event.strreset_length < end) end = event.strreset_length;
  for (size_t at = sizeof(sctp_stream_reset_event); at + sizeof(uint16_t) <= end; at += sizeof(uint16_t)) {
    uint16_t id;
    std::memcpy(&id, bytes.data() + at, sizeof(id));
    notice.stream_ids.push_back(id);
  }
  return notice;
}

}  // namespace

std::optional<Notification> ParseNotification(std::span<const uint8_t> bytes) {
  // Every notification starts with uint16 sn_type (sctp_notification::sn_header).
  uint16_t type;
  if (!Read(bytes, type)) return std::nullopt;
  switch (type) {
    case SCTP_ASSOC_CHANGE: {
      sctp_assoc_change change;
      if (!Read(bytes, change)) return std::nullopt;
      return AssocChangeNotice{ToState(change.sac_state), change.sac_inbound_streams,
                               change.sac_outbound_streams};
    }
    case SCTP_STREAM_RESET_EVENT:
      return ParseStreamReset(bytes);
    case SCTP_SEND_FAILED_EVENT:
      return SendFailedNotice{};
    case SCTP_PARTIAL_DELIVERY_EVENT: {
      sctp_pdapi_event pdapi;
      if (!Read(bytes, pdapi)) return std::nullopt;
      if (pdapi.pdapi_indication == SCTP_PARTIAL_DELIVERY_ABORTED) return PartialDeliveryAbortedNotice{};
      return OtherNotice{type};
    }
    case SCTP_SHUTDOWN_EVENT:
      return PeerShutdownNotice{};
    default:
      return OtherNotice{type};
  }
}

}  // namespace aegis::sctp
