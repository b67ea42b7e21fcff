#include "dtls/outbox.h"

namespace aegis::dtls {

bool Outbox::Enqueue(std::span<const uint8_t> record) {
  if (record.empty() || !HasRoomFor(record.size())) {
    ++dropped_;
    return false;
  }
  queue_.emplace_back(record.begin(), record.end());
  queued_bytes_ += record.size();
  return true;
}

void Outbox::Push(std::span<const uint8_t> record, bool timed) {
  if (!Enqueue(record)) return;
  // The copies obey the same byte bound as the queue.
  if (timed) {
    if (flight_bytes_ + record.size() <= max_bytes_) {
      flight_.emplace_back(record.begin(), record.end());
      flight_bytes_ += record.size();
    }
  } else if (capturing_ && capture_bytes_ + record.size() <= max_bytes_) {
    capture_.emplace_back(record.begin(), record.end());
    capture_bytes_ += record.size();
  }
}

void Outbox::StartCapture() {
  Clear(capture_, capture_bytes_);
  capturing_ = true;
}

void Outbox::StopCapture() {
  capturing_ = false;
  Clear(capture_, capture_bytes_);
}

void Outbox::KeepCaptureAsFinalFlight() {
  final_flight_ = std::move(capture_);
  StopCapture();
}

size_t Outbox::Replay(const std::vector<Record>& records) {
  size_t n = 0;
  for (const Record& r : records) n += Enqueue(r) ? 1 : 0;
  return n;
}

std::optional<std::vector<uint8_t>> Outbox::PopDatagram() {
  if (queue_.empty()) return std::nullopt;
  std::vector<uint8_t> datagram = std::move(queue_.front());
  queue_.pop_front();
  queued_bytes_ -= datagram.size();
  // Coalesce following records while they fit; OpenSSL already keeps each
  // record within the MTU.
  while (!queue_.empty() && datagram.size() + queue_.front().size() <= mtu_) {
    datagram.insert(datagram.end(), queue_.front().begin(), queue_.front().end());
    queued_bytes_ -= queue_.front().size();
    queue_.pop_front();
  }
  return datagram;
}

void Outbox::ClearCopies() {
  Clear(flight_, flight_bytes_);
  StopCapture();
  final_flight_.clear();
}

}  // namespace aegis::dtls
