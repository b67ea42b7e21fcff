// A thin owner of one usrsctp AF_CONN socket: the only file besides
// sctp_stack.cc and notification.cc that touches the usrsctp C API. Sockets
// are one-to-one (SOCK_STREAM), non-blocking, and closed abortively.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "sctp/data_channel.h"

struct socket;  // usrsctp's opaque socket

namespace aegis::sctp {

struct SocketOptions {
  uint16_t streams = 1024;            // requested in each direction
  int send_buffer_bytes = 1 << 20;    // SO_SNDBUF: bounds what usrsctp holds for us
  int receive_buffer_bytes = 1 << 20; // SO_RCVBUF: our advertised receive window
  uint32_t path_mtu = 1088;           // usrsctp emits packets up to path_mtu + 12 bytes
  uint32_t rto_initial_ms = 1000;
  uint32_t rto_min_ms = 250;
  uint32_t rto_max_ms = 10000;
};

struct RecvResult {
  enum class Kind : uint8_t { kWouldBlock, kData, kNotification, kEof, kError };
  Kind kind = Kind::kWouldBlock;
  size_t length = 0;
  bool end_of_record = false;
  uint16_t stream_id = 0;
  uint32_t ppid = 0;  // host byte order
  bool unordered = false;
};

enum class SendStatus : uint8_t { kOk, kWouldBlock, kTooLarge, kError };
enum class ResetStatus : uint8_t { kOk, kBusy, kError };

struct SendParams {
  uint16_t stream_id = 0;
  uint32_t ppid = 0;  // host byte order
  bool unordered = false;
  ReliabilityPolicy policy = ReliabilityPolicy::kReliable;
  uint32_t policy_value = 0;
};

class UsrsctpSocket {
 public:
  // A configured socket bound to (address, port); nullptr if usrsctp refuses.
  static std::unique_ptr<UsrsctpSocket> Create(const SocketOptions& options, void* address, uint16_t port);
  ~UsrsctpSocket();
  UsrsctpSocket(const UsrsctpSocket&) = delete;
  UsrsctpSocket& operator=(const UsrsctpSocket&) = delete;

  // Sends INIT to (address, port); the handshake completes asynchronously.
  bool Connect(void* address, uint16_t port);
  bool Listen();
  // The association that completed on this listening socket, or nullptr.
  std::unique_ptr<UsrsctpSocket> Accept(const SocketOptions& options);

  // One complete user message (usrsctp fragments it into DATA chunks).
  SendStatus Send(const SendParams& params, std::span<const uint8_t> data);
  // Reads one piece of a message or one notification into `buffer`.
  RecvResult Recv(std::span<uint8_t> buffer);
  // Resets our outgoing side of the given streams (RFC 6525).
  ResetStatus ResetOutgoing(std::span<const uint16_t> stream_ids);
  // Starts the graceful SHUTDOWN once everything queued is acknowledged.
  bool ShutdownWrite();

 private:
  explicit UsrsctpSocket(struct socket* so) : so_(so) {}
  bool Configure(const SocketOptions& options, bool accepted);

  struct socket* so_;
};

}  // namespace aegis::sctp
