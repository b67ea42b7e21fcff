#include "mls/key_package.h"

namespace aegis::mls {
namespace {

void SkipCapabilities(TlsReader& in) {
  // versions, cipher_suites, extensions, proposals, credentials: each a
  // vector of uint16.
  for (int i = 0; i < 5; ++i) {
    in.ForEach([](TlsReader& items) { (void)items.U16(); });
  }
}

}  // namespace

void SkipExtensions(TlsReader& in) {
  in.ForEach([](TlsReader& extension) {
    (void)extension.U16();
    (void)extension.Vector();
  });
}

Credential ReadLeafNode(TlsReader& in, LeafNodeSource source) {
  (void)in.Vector();  // encryption_key
  (void)in.Vector();  // signature_key
  Credential credential = ReadCredential(in);
  SkipCapabilities(in);
  const uint8_t actual = in.U8();
  if (in.ok() && actual != static_cast<uint8_t>(source)) in.Fail(MlsError::kBadLeafNodeSource);
  switch (source) {
    case LeafNodeSource::kKeyPackage:
      (void)in.U64();  // lifetime.not_before
      (void)in.U64();  // lifetime.not_after
      break;
    case LeafNodeSource::kUpdate:
      break;
    case LeafNodeSource::kCommit:
      (void)in.Vector();  // parent_hash
      break;
  }
  SkipExtensions(in);
  (void)in.Vector();  // signature
  return credential;
}

KeyPackageInfo ReadKeyPackage(TlsReader& in) {
  KeyPackageInfo info;
  info.version = in.U16();
  // Another version's KeyPackage may be laid out differently.
  if (in.ok() && info.version != kMls10) in.Fail(MlsError::kUnsupportedVersion);
  info.cipher_suite = in.U16();
  (void)in.Vector();  // init_key
  info.credential = ReadLeafNode(in, LeafNodeSource::kKeyPackage);
  SkipExtensions(in);
  (void)in.Vector();  // signature
  return info;
}

}  // namespace aegis::mls
