// The association's data channel side: opening (RFC 8832 §6), sending
// (RFC 8831 §6.6), closing (RFC 8831 §6.7) and the DCEP messages received.
#include <algorithm>

#include "sctp/sctp_association.h"
#include "base/utf8.h"

namespace aegis::sctp {
namespace {

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

bool ValidText(const std::string& s) {
  return s.size() <= DataChannelOpen::kMaxFieldLength && IsValidUtf8(AsBytes(s));
}

}  // namespace

Result<uint16_t, SctpError> SctpAssociation::OpenChannel(const ChannelOptions& options) {
  stack_.CheckThread();
  if (state_ != State::kConnected) return Err{SctpError::kNotConnected};
  if (!ValidText(options.label) || !ValidText(options.protocol)) return Err{SctpError::kInvalidLabel};
  if (channels_.size() >= config_.max_channels) return Err{SctpError::kNoStreamAvailable};
  const auto stream_id = AllocateStreamId();
  if (!stream_id) return Err{SctpError::kNoStreamAvailable};

  DataChannel channel;
  channel.stream_id = *stream_id;
  channel.label = options.label;
  channel.protocol = options.protocol;
  channel.reliability = options.reliability;
  if (channel.reliability.policy == ReliabilityPolicy::kReliable) channel.reliability.value = 0;
  channel.priority = options.priority;
  channel.state = ChannelState::kOpening;
  channel.locally_initiated = true;

  DataChannelOpen open;
  open.channel_type = ToChannelType(channel.reliability);
  open.priority = channel.priority;
  open.reliability_parameter = channel.reliability.value;
  open.label = channel.label;
  open.protocol = channel.protocol;
  std::vector<uint8_t> bytes;
  open.SerializeTo(bytes);

  channels_.emplace(*stream_id, std::move(channel));
  EnqueueControl(*stream_id, std::move(bytes));
  FlushOutbound();
  return *stream_id;
}

Result<void, SctpError> SctpAssociation::Send(uint16_t stream_id, std::span<const uint8_t> data, bool binary) {
  stack_.CheckThread();
  if (state_ != State::kConnected) return Err{SctpError::kNotConnected};
  auto it = channels_.find(stream_id);
  if (it == channels_.end()) return Err{SctpError::kNoSuchChannel};
  const DataChannel& channel = it->second;
  if (channel.state == ChannelState::kClosing) return Err{SctpError::kChannelClosing};
  if (data.size() > max_outbound_message_size()) {
    ++stats_.outbound_oversize_refused;
    return Err{SctpError::kMessageTooLarge};
  }

  OutgoingMessage message;
  message.params.stream_id = stream_id;
  // SCTP cannot carry an empty message: one zero byte under PPID 56/57.
  Ppid ppid = binary ? Ppid::kBinary : Ppid::kString;
  if (data.empty()) ppid = binary ? Ppid::kBinaryEmpty : Ppid::kStringEmpty;
  message.params.ppid = static_cast<uint32_t>(ppid);
  message.params.unordered = !channel.reliability.ordered && channel.peer_spoke;
  message.params.policy = channel.reliability.policy;
  message.params.policy_value = channel.reliability.value;

  // Straight to usrsctp when nothing waits ahead of it (no copy kept).
  if (queue_.empty() && socket_) {
    const uint8_t zero = 0;
    const auto payload = data.empty() ? std::span<const uint8_t>(&zero, 1) : data;
    switch (socket_->Send(message.params, payload)) {
      case SendStatus::kOk:
        ++stats_.messages_sent;
        return {};
      case SendStatus::kWouldBlock:
        break;
      case SendStatus::kTooLarge:
        ++stats_.outbound_oversize_refused;
        return Err{SctpError::kMessageTooLarge};
      case SendStatus::kError:
        ++stats_.outbound_send_errors;
        return Err{SctpError::kSendFailed};
    }
  }
  if (data.empty()) {
    message.payload = {0};
  } else {
    message.payload.assign(data.begin(), data.end());
  }
  if (!queue_.Push(std::move(message), /*control=*/false)) {
    ++stats_.outbound_queue_full_refused;
    return Err{SctpError::kQueueFull};
  }
  return {};
}

Result<void, SctpError> SctpAssociation::SendText(uint16_t stream_id, std::string_view text) {
  return Send(stream_id, AsBytes(text), /*binary=*/false);
}

Result<void, SctpError> SctpAssociation::CloseChannel(uint16_t stream_id) {
  stack_.CheckThread();
  auto it = channels_.find(stream_id);
  if (it == channels_.end()) return Err{SctpError::kNoSuchChannel};
  if (it->second.state == ChannelState::kClosing) return Err{SctpError::kChannelClosing};
  it->second.state = ChannelState::kClosing;
  resets_.try_emplace(stream_id);
  FlushOutbound();
  return {};
}

void SctpAssociation::HandleUserMessage(ReceivedMessage message) {
  if (!Running()) return;
  const uint16_t id = message.stream_id;
  if (message.ppid == static_cast<uint32_t>(Ppid::kDcep)) {
    HandleDcep(id, message.unordered, message.data);
    return;
  }
  auto it = channels_.find(id);
  if (it == channels_.end()) {
    // RFC 8832 §6: user data on an unused stream is an error; close it.
    // Data still arriving on a stream being reset is simply late.
    ++stats_.messages_on_unknown_stream;
    if (!resets_.contains(id)) RejectStream(id);
    return;
  }
  DataChannel& channel = it->second;
  bool binary = false;
  bool empty = false;
  switch (static_cast<Ppid>(message.ppid)) {
    case Ppid::kString: break;
    case Ppid::kBinary: binary = true; break;
    case Ppid::kStringEmpty: empty = true; break;
    case Ppid::kBinaryEmpty: binary = true; empty = true; break;
    default:
      // Unknown or deprecated (52/54) PPID: RFC 8831 §6.6 says close.
      ++stats_.messages_unknown_ppid;
      RejectStream(id);
      return;
  }
  // Data before the ACK means the peer accepted the OPEN (the ACK may be
  // behind it, or the data was sent unordered after it).
  if (channel.state == ChannelState::kOpening) {
    channel.state = ChannelState::kOpen;
    Announce(channel);
  }
  channel.peer_spoke = true;
  if (!channel.announced) return;
  ++stats_.messages_received;
  Message event;
  event.stream_id = id;
  event.binary = binary;
  if (!empty) event.data = std::move(message.data);
  PushEvent(std::move(event));
}

void SctpAssociation::HandleDcep(uint16_t stream_id, bool unordered, std::span<const uint8_t> bytes) {
  // RFC 8832 §6: DCEP is always ordered and reliable.
  auto parsed = ParseDcep(bytes);
  if (unordered || !parsed) {
    ++stats_.dcep_rejected;
    RejectStream(stream_id);
    return;
  }
  if (auto* open = std::get_if<DataChannelOpen>(&*parsed)) {
    HandleOpen(stream_id, std::move(*open));
  } else {
    HandleAck(stream_id);
  }
}

void SctpAssociation::HandleOpen(uint16_t stream_id, DataChannelOpen open) {
  // The peer opens on its parity: odd if we are the DTLS client, even if not.
  const bool peer_parity = (stream_id % 2 == 1) == (config_.role == SctpRole::kClient);
  const bool too_big = open.label.size() + open.protocol.size() > config_.max_label_protocol_bytes;
  if ((!peer_parity && !config_.lenient_stream_parity) || StreamInUse(stream_id) ||
      channels_.size() >= config_.max_channels || too_big) {
    // Close the stream and never ACK (RFC 8832 §6); a channel already on
    // it is closed too.
    ++stats_.dcep_rejected;
    RejectStream(stream_id);
    return;
  }
  if (!peer_parity) ++stats_.dcep_wrong_parity_accepted;
  DataChannel channel;
  channel.stream_id = stream_id;
  channel.label = std::move(open.label);
  channel.protocol = std::move(open.protocol);
  channel.reliability = FromDcep(open.channel_type, open.reliability_parameter);
  channel.priority = open.priority;
  channel.state = ChannelState::kOpen;
  channel.locally_initiated = false;
  channel.peer_spoke = true;
  DataChannel& stored = channels_.emplace(stream_id, std::move(channel)).first->second;

  std::vector<uint8_t> ack;
  DataChannelAck{}.SerializeTo(ack);
  EnqueueControl(stream_id, std::move(ack));
  Announce(stored);
}

void SctpAssociation::HandleAck(uint16_t stream_id) {
  auto it = channels_.find(stream_id);
  if (it == channels_.end() || !it->second.locally_initiated || it->second.state != ChannelState::kOpening) {
    ++stats_.dcep_unexpected_ack;
    return;
  }
  it->second.state = ChannelState::kOpen;
  it->second.peer_spoke = true;
  Announce(it->second);
}

void SctpAssociation::RejectStream(uint16_t stream_id) {
  auto it = channels_.find(stream_id);
  if (it != channels_.end()) it->second.state = ChannelState::kClosing;
  resets_.try_emplace(stream_id);  // our outgoing reset goes out on the next flush
}

void SctpAssociation::Announce(DataChannel& channel) {
  channel.announced = true;
  ChannelOpened event;
  event.stream_id = channel.stream_id;
  event.label = channel.label;
  event.protocol = channel.protocol;
  event.reliability = channel.reliability;
  event.priority = channel.priority;
  event.locally_initiated = channel.locally_initiated;
  PushEvent(std::move(event));
}

std::optional<uint16_t> SctpAssociation::AllocateStreamId() {
  // RFC 8832 §6: the DTLS client takes even ids, the server odd ones.
  const uint32_t parity = config_.role == SctpRole::kClient ? 0 : 1;
  if (stream_limit_ <= parity) return std::nullopt;
  const uint32_t slots = (stream_limit_ - parity + 1) / 2;
  for (uint32_t k = 0; k < slots; ++k) {
    const uint32_t slot = (next_slot_ + k) % slots;
    const auto id = static_cast<uint16_t>(parity + 2 * slot);
    if (StreamInUse(id)) continue;
    next_slot_ = (slot + 1) % slots;
    return id;
  }
  return std::nullopt;
}

bool SctpAssociation::StreamInUse(uint16_t stream_id) const {
  return channels_.contains(stream_id) || resets_.contains(stream_id);
}

void SctpAssociation::EnqueueControl(uint16_t stream_id, std::vector<uint8_t> bytes) {
  OutgoingMessage message;
  message.params.stream_id = stream_id;
  message.params.ppid = static_cast<uint32_t>(Ppid::kDcep);
  message.payload = std::move(bytes);
  queue_.Push(std::move(message), /*control=*/true);
}

}  // namespace aegis::sctp
