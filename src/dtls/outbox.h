// Records OpenSSL writes, waiting to be sent, packed into datagrams of at
// most `mtu` bytes (several records per datagram, RFC 6347 §4.1.1); plus the
// copies of handshake flights that the engine re-sends on its own injected
// clock (see dtls_endpoint.cc for why it re-sends copies).
// Memory is bounded: past `max_bytes` queued, a record is dropped like a lost
// datagram and counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

namespace aegis::dtls {

class Outbox {
 public:
  Outbox(size_t mtu, size_t max_bytes) : mtu_(mtu), max_bytes_(max_bytes) {}

  // Queues one record. A `timed` record belongs to the handshake flight the
  // retransmission timer covers and is also kept in the flight copy; an
  // untimed one is kept in the capture while capturing is on.
  void Push(std::span<const uint8_t> record, bool timed);

  // A new timed flight begins: forget the previous one.
  void BeginFlight() { Clear(flight_, flight_bytes_); }
  void ClearFlight() { Clear(flight_, flight_bytes_); }
  // Queues the current flight again; the number of records queued.
  size_t ReplayFlight() { return Replay(flight_); }

  // Untimed records written while capturing (the server's last flight is
  // sent without a timer) can be kept as the final flight and replayed when
  // the peer shows it did not get it.
  void StartCapture();
  void StopCapture();
  void KeepCaptureAsFinalFlight();
  bool has_final_flight() const { return !final_flight_.empty(); }
  size_t ReplayFinalFlight() { return Replay(final_flight_); }

  // The next datagram to send, or nullopt when nothing is queued.
  std::optional<std::vector<uint8_t>> PopDatagram();

  // Bytes a Push of `n` bytes would leave room for.
  bool HasRoomFor(size_t n) const { return queued_bytes_ + n <= max_bytes_; }
  size_t queued_bytes() const { return queued_bytes_; }
  uint64_t dropped_records() const { return dropped_; }
  // Forgets every kept copy (after the handshake ends); queued records stay.
  void ClearCopies();

 private:
  using Record = std::vector<uint8_t>;
  static void Clear(std::vector<Record>& v, size_t& bytes) {
    v.clear();
    bytes = 0;
  }
  bool Enqueue(std::span<const uint8_t> record);
  size_t Replay(const std::vector<Record>& records);

  size_t mtu_;
  size_t max_bytes_;
  std::deque<Record> queue_;
  size_t queued_bytes_ = 0;
  std::vector<Record> flight_;
  size_t flight_bytes_ = 0;
  bool capturing_ = false;
  std::vector<Record> capture_;
  size_t capture_bytes_ = 0;
  std::vector<Record> final_flight_;
  uint64_t dropped_ = 0;
};

}  // namespace aegis::dtls
