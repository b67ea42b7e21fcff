// The association's I/O side: usrsctp in and out, notifications, the
// outbound queue and stream resets. Channel and DCEP logic is in
// sctp_channels.cc.
#include "sctp/sctp_association.h"

#include <algorithm>

#include "base/byte_reader.h"
#include "sctp/notification.h"

namespace aegis::sctp {
namespace {

constexpr size_t kCommonHeaderSize = 12;   // RFC 9260 §3.1
constexpr size_t kMaxInputPacket = 65535;  // far above any DTLS record (2^14 bytes)
constexpr int kMaxResetAttempts = 3;
// What an event costs against max_pending_event_bytes besides its payload.
constexpr size_t kEventOverhead = 64;

size_t EventCost(const SctpEvent& event) {
  if (const auto* m = std::get_if<Message>(&event)) return kEventOverhead + m->data.size();
  if (const auto* o = std::get_if<ChannelOpened>(&event)) {
    return kEventOverhead + o->label.size() + o->protocol.size();
  }
  return kEventOverhead;
}

}  // namespace

std::string_view ToString(SctpError error) {
  switch (error) {
    case SctpError::kNotConnected: return "association not connected";
    case SctpError::kAlreadyStarted: return "Connect() already called";
    case SctpError::kNoSuchChannel: return "no such channel";
    case SctpError::kChannelClosing: return "channel is closing";
    case SctpError::kMessageTooLarge: return "message larger than the maximum message size";
    case SctpError::kQueueFull: return "outbound queue full";
    case SctpError::kNoStreamAvailable: return "no free stream id";
    case SctpError::kInvalidLabel: return "label or protocol too long or not UTF-8";
    case SctpError::kSendFailed: return "usrsctp refused the message";
  }
  return "unknown SCTP error";
}

std::unique_ptr<SctpAssociation> SctpAssociation::Create(SctpStack& stack, const SctpConfig& config) {
  stack.CheckThread();
  std::unique_ptr<SctpAssociation> association(new SctpAssociation(stack, config));
  if (!association->Init()) return nullptr;
  return association;
}

SctpAssociation::SctpAssociation(SctpStack& stack, const SctpConfig& config)
    : stack_(stack), config_(config), queue_(config.max_queued_bytes), reassembler_(config.max_message_size) {
  stack_.Register(this);
}

bool SctpAssociation::Init() {
  auto socket = UsrsctpSocket::Create(config_.socket, this, config_.local_port);
  if (!socket) return false;
  if (config_.role == SctpRole::kServer) {
    listener_ = std::move(socket);
  } else {
    socket_ = std::move(socket);
  }
  return true;
}

SctpAssociation::~SctpAssociation() {
  // Abortive close while still registered: the ABORT usrsctp emits lands in
  // transmit_ and dies with us; then usrsctp forgets our address.
  socket_.reset();
  listener_.reset();
  stack_.Unregister(this);
}

Result<void, SctpError> SctpAssociation::Connect(Timestamp now) {
  stack_.AdvanceTo(now);
  if (state_ != State::kIdle) return Err{SctpError::kAlreadyStarted};
  state_ = State::kConnecting;
  // AF_CONN: the peer's "address" is our own registration, so usrsctp's
  // output callback hands its packets back to us.
  const bool ok = config_.role == SctpRole::kClient ? socket_->Connect(this, config_.remote_port)
                                                    : listener_->Listen();
  if (!ok) Finish(Failed{FailureReason::kSocketError});
  return {};
}

void SctpAssociation::HandleInput(std::span<const uint8_t> packet, Timestamp now) {
  stack_.AdvanceTo(now);
  ++stats_.packets_received;
  ByteReader reader(packet);
  const uint16_t source_port = reader.U16();
  const uint16_t destination_port = reader.U16();
  if (!reader.ok() || packet.size() < kCommonHeaderSize || packet.size() > kMaxInputPacket) {
    ++stats_.packets_dropped_malformed;
  } else if (state_ != State::kConnecting && !Running()) {
    ++stats_.packets_dropped_not_running;
  } else if (source_port != config_.remote_port || destination_port != config_.local_port) {
    // usrsctp would answer with ABORT; nothing legitimate uses other ports.
    ++stats_.packets_dropped_wrong_port;
  } else {
    stack_.Input(this, packet);
  }
  Service();
}

void SctpAssociation::HandleTimeout(Timestamp now) {
  stack_.AdvanceTo(now);
  Service();
}

std::optional<Timestamp> SctpAssociation::NextTimeout() const {
  if (state_ != State::kConnecting && !Running()) return std::nullopt;
  return stack_.NextTick();
}

std::optional<std::vector<uint8_t>> SctpAssociation::PollTransmit() {
  if (transmit_.empty()) return std::nullopt;
  std::vector<uint8_t> packet = std::move(transmit_.front());
  transmit_.pop_front();
  transmit_bytes_ -= packet.size();
  return packet;
}

std::optional<SctpEvent> SctpAssociation::PollEvent() {
  if (events_.empty()) return std::nullopt;
  SctpEvent event = std::move(events_.front());
  events_.pop_front();
  pending_event_bytes_ -= EventCost(event);
  // Reading stopped at the cap resumes once the application catches up.
  if (reading_paused_ && pending_event_bytes_ < config_.max_pending_event_bytes) {
    stack_.CheckThread();
    reading_paused_ = false;
    Service();
  }
  return event;
}

void SctpAssociation::OnOutboundPacket(std::span<const uint8_t> packet) {
  if (transmit_bytes_ + packet.size() > config_.max_transmit_bytes) {
    ++stats_.packets_dropped_transmit_full;
    return;
  }
  transmit_.emplace_back(packet.begin(), packet.end());
  transmit_bytes_ += packet.size();
  ++stats_.packets_sent;
}

void SctpAssociation::Service() {
  if (listener_ && !socket_ && state_ == State::kConnecting) {
    socket_ = listener_->Accept(config_.socket);
    // One association per transport: stop listening once we have it.
    if (socket_) listener_.reset();
  }
  DrainSocket();
  FlushOutbound();
}

void SctpAssociation::DrainSocket() {
  if (!socket_) return;
  const std::span<uint8_t> buffer = stack_.scratch();
  for (;;) {
    if (pending_event_bytes_ >= config_.max_pending_event_bytes) {
      if (!reading_paused_) ++stats_.events_paused;
      reading_paused_ = true;
      return;
    }
    const RecvResult r = socket_->Recv(buffer);
    switch (r.kind) {
      case RecvResult::Kind::kWouldBlock:
      case RecvResult::Kind::kError:
        return;
      case RecvResult::Kind::kEof:
        if (shutdown_requested_ || state_ == State::kShuttingDown) {
          Finish(Closed{});
        } else {
          Finish(Failed{FailureReason::kConnectionLost});
        }
        return;
      case RecvResult::Kind::kNotification: {
        // A notification longer than the buffer (SEND_FAILED carries the
        // whole abandoned message) arrives in pieces: act on the first only.
        const bool continuation = in_notification_;
        in_notification_ = !r.end_of_record;
        if (!continuation) HandleNotification(buffer.first(r.length));
        break;
      }
      case RecvResult::Kind::kData: {
        auto message = reassembler_.Append(r.stream_id, r.ppid, r.unordered, buffer.first(r.length),
                                           r.end_of_record);
        stats_.inbound_oversize_dropped = reassembler_.oversize_dropped();
        if (message) HandleUserMessage(std::move(*message));
        break;
      }
    }
  }
}

void SctpAssociation::HandleNotification(std::span<const uint8_t> bytes) {
  const auto notification = ParseNotification(bytes);
  if (!notification) return;
  if (const auto* change = std::get_if<AssocChangeNotice>(&*notification)) {
    using S = AssocChangeNotice::State;
    switch (change->state) {
      case S::kCommUp:
        if (state_ != State::kConnecting) break;
        state_ = State::kConnected;
        outbound_streams_ = change->outbound_streams;
        stream_limit_ = std::min({change->inbound_streams, change->outbound_streams, config_.max_streams});
        PushEvent(Connected{});
        break;
      case S::kCommLost: Finish(Failed{FailureReason::kConnectionLost}); break;
      case S::kCannotStart: Finish(Failed{FailureReason::kCannotStart}); break;
      case S::kShutdownComplete: Finish(Closed{}); break;
      case S::kRestart:
      case S::kOther: break;
    }
  } else if (const auto* reset = std::get_if<StreamResetNotice>(&*notification)) {
    OnStreamReset(reset->incoming, reset->outgoing, reset->failed, reset->stream_ids);
  } else if (std::holds_alternative<SendFailedNotice>(*notification)) {
    ++stats_.messages_abandoned;
  } else if (std::holds_alternative<PartialDeliveryAbortedNotice>(*notification)) {
    reassembler_.Abort();
    ++stats_.partial_deliveries_aborted;
  } else if (std::holds_alternative<PeerShutdownNotice>(*notification)) {
    if (state_ == State::kConnected) state_ = State::kShuttingDown;
  }
}

void SctpAssociation::OnStreamReset(bool incoming, bool outgoing, bool failed,
                                    const std::vector<uint16_t>& listed) {
  std::vector<uint16_t> ids = listed;
  if (ids.empty() && incoming && !failed) {
    // RFC 6525 §4.1: an empty list resets every stream.
    for (const auto& [id, channel] : channels_) ids.push_back(id);
  }
  for (const uint16_t id : ids) {
    if (failed) {
      auto it = resets_.find(id);
      if (!outgoing || it == resets_.end()) continue;
      it->second.outgoing_requested = false;  // IssuePendingResets tries again
      if (it->second.attempts >= kMaxResetAttempts) {
        it->second.outgoing_done = true;
        MaybeFinishReset(id);
      }
      continue;
    }
    if (incoming) {
      // The peer closed its side (RFC 8831 §6.7): close ours in return.
      resets_[id].incoming_done = true;
      auto channel = channels_.find(id);
      if (channel != channels_.end()) channel->second.state = ChannelState::kClosing;
      MaybeFinishReset(id);
    }
    if (outgoing) {
      auto it = resets_.find(id);
      if (it == resets_.end()) continue;
      it->second.outgoing_done = true;
      MaybeFinishReset(id);
    }
  }
}

void SctpAssociation::MaybeFinishReset(uint16_t stream_id) {
  auto it = resets_.find(stream_id);
  if (it == resets_.end()) return;
  if (it->second.outgoing_done) {
    // Our direction is reset: the channel is gone for the application. The
    // id stays reserved until the peer's direction is reset too.
    auto channel = channels_.find(stream_id);
    if (channel != channels_.end()) {
      const bool report = channel->second.announced || channel->second.locally_initiated;
      channels_.erase(channel);
      if (report) PushEvent(ChannelClosed{stream_id});
    }
    if (it->second.incoming_done) {
      resets_.erase(it);
      ++stats_.streams_reset;
    }
  }
}

void SctpAssociation::FlushOutbound() {
  if (!socket_ || !Running()) return;
  queue_.Flush([this](const OutgoingMessage& m) {
    switch (socket_->Send(m.params, m.payload)) {
      case SendStatus::kOk:
        if (m.params.ppid != static_cast<uint32_t>(Ppid::kDcep)) ++stats_.messages_sent;
        return OutboundQueue::Verdict::kTaken;
      case SendStatus::kWouldBlock:
        return OutboundQueue::Verdict::kStop;
      case SendStatus::kTooLarge:
      case SendStatus::kError:
        break;
    }
    ++stats_.outbound_send_errors;
    return OutboundQueue::Verdict::kDropped;
  });
  IssuePendingResets();
  if (shutdown_requested_ && !shutdown_sent_ && queue_.empty()) {
    shutdown_sent_ = true;
    if (!socket_->ShutdownWrite()) Finish(Failed{FailureReason::kSocketError});
  }
}

void SctpAssociation::IssuePendingResets() {
  std::vector<uint16_t> ids;
  std::vector<uint16_t> never_sent;
  for (auto& [id, reset] : resets_) {
    if (reset.outgoing_requested || reset.outgoing_done || queue_.HasStream(id)) continue;
    // A stream we have no outgoing side for was never used by us.
    (id < outbound_streams_ ? ids : never_sent).push_back(id);
  }
  for (const uint16_t id : never_sent) {
    resets_[id].outgoing_done = true;
    MaybeFinishReset(id);
  }
  if (ids.empty()) return;
  switch (socket_->ResetOutgoing(ids)) {
    case ResetStatus::kOk:
      for (const uint16_t id : ids) {
        resets_[id].outgoing_requested = true;
        ++resets_[id].attempts;
      }
      break;
    case ResetStatus::kBusy:
      break;  // one request at a time: retried on the next call
    case ResetStatus::kError:
      // The peer cannot reset streams: close locally.
      for (const uint16_t id : ids) {
        resets_[id].outgoing_done = true;
        MaybeFinishReset(id);
      }
      break;
  }
}

void SctpAssociation::Shutdown() {
  stack_.CheckThread();
  if (state_ == State::kConnected) {
    shutdown_requested_ = true;
    state_ = State::kShuttingDown;
    FlushOutbound();
  } else if (state_ == State::kIdle || state_ == State::kConnecting) {
    Abort();
  }
}

void SctpAssociation::Abort() {
  stack_.CheckThread();
  socket_.reset();
  listener_.reset();
  Finish(Closed{});
}

void SctpAssociation::Finish(SctpEvent terminal) {
  if (state_ == State::kClosed || state_ == State::kFailed) return;
  state_ = std::holds_alternative<Closed>(terminal) ? State::kClosed : State::kFailed;
  // After Closed/Failed no channel events follow: every channel is gone.
  queue_.Clear();
  channels_.clear();
  resets_.clear();
  reassembler_.Abort();
  PushEvent(std::move(terminal));
}

void SctpAssociation::PushEvent(SctpEvent event) {
  pending_event_bytes_ += EventCost(event);
  events_.push_back(std::move(event));
}

const DataChannel* SctpAssociation::channel(uint16_t stream_id) const {
  auto it = channels_.find(stream_id);
  return it == channels_.end() ? nullptr : &it->second;
}

size_t SctpAssociation::max_outbound_message_size() const {
  size_t limit = static_cast<size_t>(std::max(config_.socket.send_buffer_bytes, 0));
  if (config_.remote_max_message_size != 0) limit = std::min(limit, config_.remote_max_message_size);
  return limit;
}

}  // namespace aegis::sctp
