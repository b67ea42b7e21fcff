#include "sctp/usrsctp_socket.h"

#include <usrsctp.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace aegis::sctp {
namespace {

template <typename T>
bool SetOption(struct socket* so, int level, int name, const T& value) {
  return usrsctp_setsockopt(so, level, name, &value, static_cast<socklen_t>(sizeof(T))) == 0;
}

sockaddr_conn ConnAddress(void* address, uint16_t port) {
  sockaddr_conn sconn;
  std::memset(&sconn, 0, sizeof(sconn));
  sconn.sconn_family = AF_CONN;
  sconn.sconn_port = htons(port);
  sconn.sconn_addr = address;
  return sconn;
}

bool WouldBlock(int error) { return error == EWOULDBLOCK || error == EAGAIN; }

}  // namespace

std::unique_ptr<UsrsctpSocket> UsrsctpSocket::Create(const SocketOptions& options, void* address,
                                                     uint16_t port) {
  struct socket* so = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, nullptr, nullptr, 0, nullptr);
  if (so == nullptr) return nullptr;
  std::unique_ptr<UsrsctpSocket> socket(new UsrsctpSocket(so));
  if (!socket->Configure(options, /*accepted=*/false)) return nullptr;
  sockaddr_conn local = ConnAddress(address, port);
  if (usrsctp_bind(so, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) return nullptr;
  return socket;
}

UsrsctpSocket::~UsrsctpSocket() { usrsctp_close(so_); }

bool UsrsctpSocket::Configure(const SocketOptions& options, bool accepted) {
  if (usrsctp_set_non_blocking(so_, 1) != 0) return false;
  // Closing sends ABORT and frees everything at once: no lingering state
  // that would need timers after the association object is gone.
  const linger abortive{1, 0};
  const int on = 1;
  bool ok = SetOption(so_, SOL_SOCKET, SO_LINGER, abortive);
  ok = ok && SetOption(so_, IPPROTO_SCTP, SCTP_NODELAY, on);  // RFC 8831 §6.6: no Nagle
  ok = ok && SetOption(so_, IPPROTO_SCTP, SCTP_RECVRCVINFO, on);
  ok = ok && SetOption(so_, SOL_SOCKET, SO_SNDBUF, options.send_buffer_bytes);
  ok = ok && SetOption(so_, SOL_SOCKET, SO_RCVBUF, options.receive_buffer_bytes);

  sctp_assoc_value reset{};
  reset.assoc_id = SCTP_ALL_ASSOC;
  reset.assoc_value = SCTP_ENABLE_RESET_STREAM_REQ;
  ok = ok && SetOption(so_, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, reset);

  for (int type : {SCTP_ASSOC_CHANGE, SCTP_STREAM_RESET_EVENT, SCTP_SEND_FAILED_EVENT,
                        SCTP_SHUTDOWN_EVENT, SCTP_PARTIAL_DELIVERY_EVENT}) {
    sctp_event event{};
    event.se_assoc_id = SCTP_ALL_ASSOC;
    event.se_on = 1;
    event.se_type = static_cast<uint16_t>(type);
    ok = ok && SetOption(so_, IPPROTO_SCTP, SCTP_EVENT, event);
  }

  // An accepted association was already set up from the listener's
  // defaults below (and usrsctp refuses address parameters without an
  // address once an association exists).
  if (accepted) return ok;

  sctp_initmsg init{};
  init.sinit_num_ostreams = options.streams;
  init.sinit_max_instreams = options.streams;
  ok = ok && SetOption(so_, IPPROTO_SCTP, SCTP_INITMSG, init);

  // RFC 8261 §5: no ICMP reaches us, so a fixed MTU that fits in DTLS.
  sctp_paddrparams params{};
  params.spp_assoc_id = SCTP_FUTURE_ASSOC;
  params.spp_flags = SPP_PMTUD_DISABLE;
  params.spp_pathmtu = options.path_mtu;
  ok = ok && SetOption(so_, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, params);

  sctp_rtoinfo rto{};
  rto.srto_assoc_id = SCTP_FUTURE_ASSOC;
  rto.srto_initial = options.rto_initial_ms;
  rto.srto_min = options.rto_min_ms;
  rto.srto_max = options.rto_max_ms;
  ok = ok && SetOption(so_, IPPROTO_SCTP, SCTP_RTOINFO, rto);
  return ok;
}

bool UsrsctpSocket::Connect(void* address, uint16_t port) {
  sockaddr_conn remote = ConnAddress(address, port);
  if (usrsctp_connect(so_, reinterpret_cast<sockaddr*>(&remote), sizeof(remote)) == 0) return true;
  return errno == EINPROGRESS;
}

bool UsrsctpSocket::Listen() { return usrsctp_listen(so_, 1) == 0; }

std::unique_ptr<UsrsctpSocket> UsrsctpSocket::Accept(const SocketOptions& options) {
  struct socket* so = usrsctp_accept(so_, nullptr, nullptr);
  if (so == nullptr) return nullptr;
  std::unique_ptr<UsrsctpSocket> socket(new UsrsctpSocket(so));
  if (!socket->Configure(options, /*accepted=*/true)) return nullptr;
  return socket;
}

SendStatus UsrsctpSocket::Send(const SendParams& params, std::span<const uint8_t> data) {
  sctp_sendv_spa spa{};
  spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
  spa.sendv_sndinfo.snd_sid = params.stream_id;
  spa.sendv_sndinfo.snd_ppid = htonl(params.ppid);
  // Without SCTP_EXPLICIT_EOR every send is one whole message; usrsctp
  // splits it into DATA chunks that fit the path MTU.
  spa.sendv_sndinfo.snd_flags = params.unordered ? SCTP_UNORDERED : 0;
  if (params.policy != ReliabilityPolicy::kReliable) {
    spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
    spa.sendv_prinfo.pr_policy =
        params.policy == ReliabilityPolicy::kMaxRetransmits ? SCTP_PR_SCTP_RTX : SCTP_PR_SCTP_TTL;
    spa.sendv_prinfo.pr_value = params.policy_value;
  }
  const ssize_t sent = usrsctp_sendv(so_, data.data(), data.size(), nullptr, 0, &spa,
                                     static_cast<socklen_t>(sizeof(spa)), SCTP_SENDV_SPA, 0);
  if (sent >= 0) return SendStatus::kOk;
  if (WouldBlock(errno)) return SendStatus::kWouldBlock;
  if (errno == EMSGSIZE) return SendStatus::kTooLarge;
  return SendStatus::kError;
}

RecvResult UsrsctpSocket::Recv(std::span<uint8_t> buffer) {
  sctp_rcvinfo info{};
  socklen_t info_length = sizeof(info);
  unsigned int info_type = 0;
  int flags = 0;
  sockaddr_conn from{};
  socklen_t from_length = sizeof(from);
  const ssize_t n = usrsctp_recvv(so_, buffer.data(), buffer.size(), reinterpret_cast<sockaddr*>(&from),
                                  &from_length, &info, &info_length, &info_type, &flags);
  RecvResult result;
  if (n < 0) {
    result.kind = WouldBlock(errno) ? RecvResult::Kind::kWouldBlock : RecvResult::Kind::kError;
    return result;
  }
  if (n == 0) {
    result.kind = RecvResult::Kind::kEof;
    return result;
  }
  result.length = static_cast<size_t>(n);
  result.end_of_record = (flags & MSG_EOR) != 0;
  if (flags & MSG_NOTIFICATION) {
    result.kind = RecvResult::Kind::kNotification;
    return result;
  }
  result.kind = RecvResult::Kind::kData;
  if (info_type == SCTP_RECVV_RCVINFO) {
    result.stream_id = info.rcv_sid;
    result.ppid = ntohl(info.rcv_ppid);
    result.unordered = (info.rcv_flags & SCTP_UNORDERED) != 0;
  }
  return result;
}

ResetStatus UsrsctpSocket::ResetOutgoing(std::span<const uint16_t> stream_ids) {
  // struct sctp_reset_streams ends in a flexible array of stream ids.
  const size_t size = sizeof(sctp_reset_streams) + stream_ids.size() * sizeof(uint16_t);
  std::vector<uint8_t> storage(size);
  sctp_reset_streams header{};
  header.srs_assoc_id = SCTP_ALL_ASSOC;
  header.srs_flags = SCTP_STREAM_RESET_OUTGOING;
  header.srs_number_streams = static_cast<uint16_t>(stream_ids.size());
  std::memcpy(storage.data(), &header, sizeof(header));
  std::memcpy(storage.data() + sizeof(header), stream_ids.data(), stream_ids.size() * sizeof(uint16_t));
  if (usrsctp_setsockopt(so_, IPPROTO_SCTP, SCTP_RESET_STREAMS, storage.data(),
                         static_cast<socklen_t>(size)) == 0) {
    return ResetStatus::kOk;
  }
  // One reconfiguration request may be outstanding at a time (RFC 6525 §5.1.1).
  if (errno == EALREADY || errno == EBUSY || WouldBlock(errno)) return ResetStatus::kBusy;
  return ResetStatus::kError;
}

bool UsrsctpSocket::ShutdownWrite() { return usrsctp_shutdown(so_, SHUT_WR) == 0; }

}  // namespace aegis::sctp
