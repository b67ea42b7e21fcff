// Fuzzes the MLS framing parser (RFC 9420 §6) the server runs on every
// key package, commit, welcome and application message a client sends.
// Any input parses or is refused with an error, never crashes. Invariants
// (abort on violation):
//   - parsing is deterministic (the same bytes give the same fields);
//   - a parsed message's fields are those of its wire format only;
//   - every vector length header the reader accepts re-encodes to the same
//     bytes (minimal encoding, §2.1.2);
//   - for a parsed public or private message, the server's Remove proposal
//     for that group, epoch and leaf parses back to exactly those values.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "mls/external_sender.h"
#include "mls/mls_message.h"
#include "mls/tls_codec.h"

using namespace aegis;
using namespace aegis::mls;

namespace {

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      fprintf(stderr, "mls_framing_fuzzer: invariant failed: %s (line %d)\n", #cond, __LINE__); \
      abort();                                                                      \
    }                                                                               \
  } while (0)

const ExternalSenderKey& Key() {
  static const ExternalSenderKey* key = [] {
    SeededRandom rng(1);
    return new ExternalSenderKey(ExternalSenderKey::Generate(rng));
  }();
  return *key;
}

void CheckVarints(std::span<const uint8_t> data) {
  TlsReader in(data);
  while (!in.empty()) {
    const uint32_t value = in.Varint();
    if (!in.ok()) return;
    std::vector<uint8_t> encoded;
    ByteWriter out(encoded);
    WriteVarint(out, value);
    CHECK(encoded.size() <= data.size());
    CHECK(std::equal(encoded.begin(), encoded.end(), data.begin()));
    data = data.subspan(encoded.size());
  }
}

bool SameInfo(const MlsMessageInfo& a, const MlsMessageInfo& b) {
  return a.wire_format == b.wire_format && a.group_id == b.group_id && a.epoch == b.epoch &&
         a.content_type == b.content_type && a.sender == b.sender && a.cipher_suite == b.cipher_suite &&
         a.credential == b.credential && a.proposal.has_value() == b.proposal.has_value() &&
         (!a.proposal || (a.proposal->proposal_type == b.proposal->proposal_type &&
                          a.proposal->removed == b.proposal->removed));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  CheckVarints(input.first(std::min<size_t>(size, 64)));
  auto parsed = ParseMlsMessage(input);
  if (!parsed.ok()) {
    CHECK(!ToString(parsed.error()).empty());
    return 0;
  }
  auto again = ParseMlsMessage(input);
  CHECK(again.ok() && SameInfo(*parsed, *again));
  const MlsMessageInfo& info = *parsed;
  switch (info.wire_format) {
    case WireFormat::kPublicMessage:
    case WireFormat::kPrivateMessage: {
      CHECK(info.content_type.has_value());
      CHECK(info.sender.has_value() == (info.wire_format == WireFormat::kPublicMessage));
      CHECK(info.proposal.has_value() == (info.sender && *info.content_type == ContentType::kProposal));
      CHECK(!info.cipher_suite && !info.credential);
      const uint32_t leaf = info.sender ? info.sender->index : 0;
      auto proposal = ParseMlsMessage(Key().RemoveProposal(info.group_id, info.epoch, leaf));
      CHECK(proposal.ok());
      CHECK(proposal->group_id == info.group_id && proposal->epoch == info.epoch);
      CHECK(proposal->sender == (Sender{SenderType::kExternal, 0}));
      CHECK(proposal->proposal && proposal->proposal->removed == leaf);
      break;
    }
    case WireFormat::kWelcome:
      CHECK(info.cipher_suite && info.group_id.empty() && !info.content_type && !info.credential);
      break;
    case WireFormat::kGroupInfo:
      CHECK(info.cipher_suite && !info.content_type && !info.credential);
      break;
    case WireFormat::kKeyPackage:
      CHECK(info.cipher_suite && info.credential && !info.content_type);
      (void)IsMemberCredential(*info.credential, "fuzz", "");
      break;
  }
  return 0;
}
