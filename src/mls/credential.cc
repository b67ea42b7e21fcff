#include "mls/credential.h"

#include <algorithm>

namespace aegis::mls {
namespace {

std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

}  // namespace

Credential ReadCredential(TlsReader& in) {
  Credential credential;
  credential.credential_type = in.U16();
  if (!in.ok()) return credential;
  switch (credential.credential_type) {
    case kCredentialBasic: {
      auto identity = in.Vector();
      credential.identity.assign(identity.begin(), identity.end());
      break;
    }
    case kCredentialX509:
      in.ForEach([](TlsReader& certificates) { (void)certificates.Vector(); });
      break;
    default:
      in.Fail(MlsError::kUnknownCredentialType);
  }
  return credential;
}

void WriteBasicCredential(ByteWriter& out, std::span<const uint8_t> identity) {
  out.U16(kCredentialBasic);
  WriteVector(out, identity);
}

std::vector<uint8_t> EncodeMemberIdentity(std::string_view identity, std::string_view name) {
  std::vector<uint8_t> out;
  ByteWriter writer(out);
  WriteVector(writer, AsBytes(identity));
  WriteVector(writer, AsBytes(name));
  return out;
}

bool IsMemberCredential(const Credential& credential, std::string_view identity, std::string_view name) {
  if (credential.credential_type != kCredentialBasic) return false;
  const auto expected = EncodeMemberIdentity(identity, name);
  return std::equal(credential.identity.begin(), credential.identity.end(), expected.begin(), expected.end());
}

}  // namespace aegis::mls
