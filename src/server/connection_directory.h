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
// routed to a live connection keeps its route while that connection keeps
// using it, and each connection routes a bounded number of addresses, so a
// peer cannot capture another's traffic or grow the table without bound.
//
// Routes follow consent (RFC 7675): every authenticated datagram refreshes
// its address's route. A connection at its bound that authenticates a new
// address (a client that moved, many times) gives up its own least recently
// used route; a route unused for kRouteIdleTimeout (consent's 30 s: its peer
// can no longer be sending there) goes to another connection that
// authenticates the address, as after a NAT gave the port to someone else.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "base/time.h"
#include "stun/transport_address.h"

namespace aegis::server {

template <typename Connection>
class ConnectionDirectory {
 public:
  static constexpr size_t kMaxAddressesPerConnection = 8;
  static constexpr TimeDelta kRouteIdleTimeout = TimeDelta::Seconds(30);

  void Add(const std::string& ufrag, Connection* connection) { by_ufrag_[ufrag] = connection; }

  void Remove(Connection* connection) {
    std::erase_if(by_ufrag_, [&](const auto& kv) { return kv.second == connection; });
    if (auto it = routes_.find(connection); it != routes_.end()) {
      for (const AddressKey& key : it->second) by_address_.erase(key);
      routes_.erase(it);
    }
  }

  // An ICE restart: checks name the connection by its new ufrag only. Its
  // routes stay: the address it uses keeps working until a new one is
  // nominated (and then ages out as any unused route does).
  void ReplaceUfrag(Connection* connection, const std::string& ufrag) {
    std::erase_if(by_ufrag_, [&](const auto& kv) { return kv.second == connection; });
    by_ufrag_[ufrag] = connection;
  }

  Connection* FindByUfrag(std::string_view ufrag) const {
    auto it = by_ufrag_.find(std::string(ufrag));
    return it == by_ufrag_.end() ? nullptr : it->second;
  }

  Connection* FindByAddress(const stun::TransportAddress& from) const {
    auto it = by_address_.find(Key(from));
    return it == by_address_.end() ? nullptr : it->second.connection;
  }

  // Call after the connection authenticated `from` (every such datagram:
  // it keeps the route fresh).
  void AddRoute(const stun::TransportAddress& from, Connection* connection, Timestamp now) {
    const AddressKey key = Key(from);
    if (auto it = by_address_.find(key); it != by_address_.end()) {
      Route& route = it->second;
      if (route.connection == connection) {
        route.refreshed = now;
        return;
      }
      if (now - route.refreshed < kRouteIdleTimeout) return;  // still in use: never taken over
      std::erase(routes_[route.connection], key);
      by_address_.erase(it);
    }
    std::vector<AddressKey>& own = routes_[connection];
    if (own.size() >= kMaxAddressesPerConnection) {
      auto oldest = std::min_element(own.begin(), own.end(), [&](const AddressKey& a, const AddressKey& b) {
        return by_address_.at(a).refreshed < by_address_.at(b).refreshed;
      });
      by_address_.erase(*oldest);
      own.erase(oldest);
    }
    by_address_.emplace(key, Route{connection, now});
    own.push_back(key);
  }

  size_t routes() const { return by_address_.size(); }
  size_t size() const { return by_ufrag_.size(); }

 private:
  using AddressKey = std::tuple<uint8_t, std::array<uint8_t, 16>, uint16_t, uint8_t>;
  static AddressKey Key(const stun::TransportAddress& a) {
    return {static_cast<uint8_t>(a.family), a.bytes, a.port, static_cast<uint8_t>(a.protocol)};
  }

  std::map<std::string, Connection*, std::less<>> by_ufrag_;
  struct Route {
    Connection* connection;
    Timestamp refreshed;  // last authenticated datagram from the address
  };
  std::map<AddressKey, Route> by_address_;
  std::map<Connection*, std::vector<AddressKey>> routes_;  // each connection's, at most kMaxAddressesPerConnection
};

}  // namespace aegis::server
