// Which peer connection a datagram on a shared UDP port belongs to.
//
// STUN checks are routed by the ufrag they name, never by where they came
// from: a check for one connection must not reach another because of its
// source address. Everything else (DTLS, SRTP, and the answers to the
// server's own checks, which name no ufrag) is routed by source address, and
// an address only becomes a route after it sent a check that proved a
// connection's ICE password (IceAgent::IsAuthenticated): the server checks
// only such addresses, so their answers find the connection that asked. The
// ICE agent accepts an answer only for its own transaction, from where that
// transaction went, signed with the peer's password. An address already
// routed to a live connection keeps its route, and each connection routes a
// bounded number of addresses, so a peer cannot capture another's traffic
// or grow the table without bound.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <tuple>

#include "stun/transport_address.h"

namespace aegis::server {

template <typename Connection>
class ConnectionDirectory {
 public:
  static constexpr int kMaxAddressesPerConnection = 8;

  void Add(const std::string& ufrag, Connection* connection) { by_ufrag_[ufrag] = connection; }

  void Remove(Connection* connection) {
    std::erase_if(by_ufrag_, [&](const auto& kv) { return kv.second == connection; });
    std::erase_if(by_address_, [&](const auto& kv) { return kv.second == connection; });
    routes_.erase(connection);
  }

  Connection* FindByUfrag(std::string_view ufrag) const {
    auto it = by_ufrag_.find(std::string(ufrag));
    return it == by_ufrag_.end() ? nullptr : it->second;
  }

  Connection* FindByAddress(const stun::TransportAddress& from) const {
    auto it = by_address_.find(Key(from));
    return it == by_address_.end() ? nullptr : it->second;
  }

  // Call after the connection authenticated `from`.
  void AddRoute(const stun::TransportAddress& from, Connection* connection) {
    if (by_address_.contains(Key(from))) return;
    int& routes = routes_[connection];
    if (routes >= kMaxAddressesPerConnection) return;
    by_address_[Key(from)] = connection;
    ++routes;
  }

  size_t size() const { return by_ufrag_.size(); }

 private:
  using AddressKey = std::tuple<uint8_t, std::array<uint8_t, 16>, uint16_t>;
  static AddressKey Key(const stun::TransportAddress& a) { return {static_cast<uint8_t>(a.family), a.bytes, a.port}; }

  std::map<std::string, Connection*, std::less<>> by_ufrag_;
  std::map<AddressKey, Connection*> by_address_;
  std::map<Connection*, int> routes_;
};

}  // namespace aegis::server
