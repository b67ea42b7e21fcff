// A member's two peer connections (publisher, subscriber): created with
// their own ICE credentials, started by the first remote description,
// restarted (ICE restart) by a later one with new credentials, dropped.
#include "server/conference.h"
#include "server/member.h"

namespace aegis::server {

negotiation::LocalParameters Conference::LocalFor(const ice::IceCredentials& ice, uint64_t session_id) const {
  negotiation::LocalParameters local;
  local.ice = ice;
  local.fingerprint = config_.dtls_context->certificate().fingerprint();
  local.candidates = config_.candidates;
  local.session_id = session_id;
  return local;
}

// Credentials whose ufrag names no other connection: checks are routed by it.
ice::IceCredentials Conference::UniqueLocalIce() {
  ice::IceCredentials ice;
  do {
    ice = ice::GenerateIceCredentials(rng_);
  } while (directory_.FindByUfrag(ice.ufrag));
  return ice;
}

std::unique_ptr<Connection> Conference::NewConnection(Member& owner, bool publisher) {
  auto connection = std::make_unique<Connection>();
  connection->owner = &owner;
  connection->publisher = publisher;
  connection->local_ice = UniqueLocalIce();
  directory_.Add(connection->local_ice.ufrag, connection.get());
  return connection;
}

// The first remote description of a connection starts its transport.
bool Conference::StartTransport(Connection& connection, const ice::IceCredentials& remote_ice,
                                const dtls::Fingerprint& remote_fingerprint, dtls::DtlsRole local_role,
                                Timestamp now) {
  transport::PeerTransportConfig tc;
  tc.ice_role = transport::IceRole::kLite;
  tc.local_ice = connection.local_ice;
  tc.remote_ice = remote_ice;
  tc.dtls_role = local_role;
  tc.remote_fingerprint = remote_fingerprint;
  tc.dtls_context = config_.dtls_context;
  auto transport = transport::PeerTransport::Create(std::move(tc), now);
  if (!transport.ok()) return false;
  connection.transport = std::move(transport).value();
  Pump(connection);  // a DTLS client's first flight
  Reschedule(connection);
  connection.remote_ice = remote_ice;
  connection.remote_fingerprint = remote_fingerprint;
  return true;
}

bool Conference::SameRemote(const Connection& connection, const ice::IceCredentials& remote_ice,
                            const dtls::Fingerprint& remote_fingerprint) {
  return remote_ice.ufrag == connection.remote_ice.ufrag && remote_ice.pwd == connection.remote_ice.pwd &&
         remote_fingerprint == connection.remote_fingerprint;
}

// An ICE restart (RFC 8445 §9) keeps the DTLS association and its SRTP keys:
// only the ICE credentials change, and with them the addresses the
// connection accepts. Media keeps going to the address in use until a check
// under the new credentials nominates another (a client that moved).
void Conference::RestartIce(Connection& connection, const ice::IceCredentials& local,
                            const ice::IceCredentials& remote, Timestamp now) {
  directory_.ReplaceUfrag(&connection, local.ufrag);
  connection.local_ice = local;
  connection.remote_ice = remote;
  connection.transport->RestartIce(local, remote, now);
  Pump(connection);
  Reschedule(connection);
  ++stats_.ice_restarts;
  output_.Log("ice restart: room " + connection.owner->room + " participant " + connection.owner->id + " " +
              (connection.publisher ? "publisher" : "subscriber") + " connection");
}

// `restart_ice`: the next subscriber offer carries new credentials (at once,
// or after the answer to the one outstanding). Nothing to restart before the
// connection started.
void Conference::RequestSubscriberIceRestart(Member& member) {
  const Connection* connection = member.subscriber.get();
  if (!connection || !connection->transport || member.viewer) return;
  member.subscriber_ice_restart = true;
  member.offer_dirty = true;
  MaybeSendOffer(member);
}

void Conference::DropConnection(std::unique_ptr<Connection>& connection, Timestamp now) {
  if (!connection) return;
  directory_.Remove(connection.get());
  Unschedule(*connection);
  if (connection->transport) {
    retired_transport_stats_ += connection->transport->stats();
    connection->transport->Close(now);
    while (auto d = connection->transport->PollTransmit()) output_.SendDatagram(d->to, d->bytes);
  }
  connection.reset();
}

}  // namespace aegis::server
