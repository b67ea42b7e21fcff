// Conversions between Boost.Asio UDP (and TCP) endpoints and the protocol
// layers' address type (stun::TransportAddress), for the programs' I/O shells (the
// server's media workers, aegis-echo). An IPv4-mapped IPv6 endpoint (a
// dual-stack socket) becomes the IPv4 address, so one peer has one address.
#pragma once

#include <sys/socket.h>

#include <utility>  // Boost 1.74 asio/awaitable.hpp uses std::exchange without it

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include "stun/transport_address.h"

namespace aegis::netio {

stun::TransportAddress ToTransportAddress(const boost::asio::ip::udp::endpoint& endpoint);
// A TCP peer (ICE-TCP): the same, with protocol kTcp.
stun::TransportAddress ToTransportAddress(const boost::asio::ip::tcp::endpoint& endpoint);
boost::asio::ip::udp::endpoint ToEndpoint(const stun::TransportAddress& address);
// The same for plain sockets (the media worker's recvmmsg/sendmmsg): the
// sockaddr length written; an IPv4-mapped source becomes the IPv4 address.
socklen_t ToSockaddr(const stun::TransportAddress& address, sockaddr_storage& out);
stun::TransportAddress FromSockaddr(const sockaddr_storage& in);

}  // namespace aegis::netio
