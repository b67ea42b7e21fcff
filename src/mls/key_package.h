// KeyPackage and LeafNode (RFC 9420 §10, §7.2), read only as far as the
// Delivery Service needs: the version, the cipher suite and the leaf's
// credential. Every other field is delimited (so trailing bytes and
// malformed lengths are refused) but not interpreted; signatures are the
// members' to verify.
//
//   struct {
//       ProtocolVersion version;           // uint16
//       CipherSuite cipher_suite;          // uint16
//       HPKEPublicKey init_key;            // opaque<V>
//       LeafNode leaf_node;
//       Extension extensions<V>;
//       opaque signature<V>;
//   } KeyPackage;
//
//   struct {
//       HPKEPublicKey encryption_key;      // opaque<V>
//       SignaturePublicKey signature_key;  // opaque<V>
//       Credential credential;
//       Capabilities capabilities;         // five vectors of uint16
//       LeafNodeSource leaf_node_source;   // uint8: key_package(1), update(2), commit(3)
//       select (leaf_node_source) {
//           case key_package: Lifetime lifetime;        // uint64 not_before, not_after
//           case update:      struct{};
//           case commit:      opaque parent_hash<V>;
//       };
//       Extension extensions<V>;           // Extension: uint16 type, opaque data<V>
//       opaque signature<V>;
//   } LeafNode;
#pragma once

#include <cstdint>

#include "mls/credential.h"
#include "mls/tls_codec.h"

namespace aegis::mls {

enum class LeafNodeSource : uint8_t { kKeyPackage = 1, kUpdate = 2, kCommit = 3 };

struct KeyPackageInfo {
  uint16_t version = 0;
  uint16_t cipher_suite = 0;
  Credential credential;
};

// A LeafNode whose source must be `source` (a KeyPackage's leaf comes from
// a key package, an UpdatePath's from a commit, an Update proposal's from
// an update); returns its credential.
Credential ReadLeafNode(TlsReader& in, LeafNodeSource source);
KeyPackageInfo ReadKeyPackage(TlsReader& in);
// Extension extensions<V>.
void SkipExtensions(TlsReader& in);

}  // namespace aegis::mls
