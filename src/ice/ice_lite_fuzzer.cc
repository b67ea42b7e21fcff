// Fuzzes the ICE-lite agent with STUN datagrams from four source addresses,
// in simulated time. Input: records
//   [source][2-byte length][bytes]
// source & 3 picks the address, 4 × (source & 0x7f) ms pass after the
// record. With bit 7 clear the bytes are one raw datagram. With it set the
// fuzzer plays the client, which knows both passwords, so inputs get past
// authentication; the bytes start with a flags byte:
//   flags bit 7 clear: a Binding check the fuzzer signs,
//     [flags][priority: 4][transaction id: 12][extra attributes]
//     bit 0 USE-CANDIDATE, 1 ICE-CONTROLLED (not CONTROLLING), 2 wrong
//     remote ufrag, 3 wrong local ufrag, 6 an indication, not a request;
//   flags bit 7 set: an answer to one of the agent's own checks,
//     [flags][which: 1][extra attributes]
//     which picks among the last checks the agent sent; bit 6 an error
//     response, not a success;
//   for both, bit 4 signs with a wrong password, bit 5 leaves FINGERPRINT out;
//   extra attributes are [type: 2][length: 1][value], added before the
//   integrity attributes.
// At most kMaxRecords records.
//
// Oracle (abort with a message), against the fuzzer's own model:
//  - the agent answers only a good check: signed by the fuzzer with the
//    server's password (or a byte-for-byte replay of one), FINGERPRINT,
//    USERNAME "srvufrag:cliufrag", ICE-CONTROLLING, a Binding request; the
//    answer goes to its source with its transaction id and
//    XOR-MAPPED-ADDRESS, and verifies with the server's password;
//  - a good check is answered once, unless its transaction id came from
//    another address within kReplayMemory (a replay: dropped);
//  - the agent's own checks go only to an address that nominated (a good
//    check with USE-CANDIDATE) or, while nothing was selected, sent any good
//    check, as Binding requests "cliufrag:srvufrag",
//    ICE-CONTROLLED, signed with the client's password;
//  - the selected address changes only on a success answer, signed by the
//    fuzzer with the client's password, from the very address one of the
//    agent's checks went to, with that check's transaction id; while nothing
//    was ever selected, such an answer to a check sent less than
//    kVerifyTimeout before, and not answered yet, selects;
//  - CanSend only within kConsentTimeout of such an answer from the
//    selected address.
// Every good check's transaction id stays within kRememberedTransactions.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/byte_reader.h"
#include "base/random.h"
#include "ice/ice_lite_agent.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"

using namespace aegis;
using namespace aegis::ice;

namespace {

#define CHECK(cond, what)                                                       \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::fprintf(stderr, "ice_lite_fuzzer: %s (line %d)\n", what, __LINE__);  \
      abort();                                                                  \
    }                                                                           \
  } while (0)

constexpr size_t kMaxRecords = 250;
static_assert(kMaxRecords <= IceLiteAgent::kRememberedTransactions);
const IceCredentials kLocal{"srvufrag", "server-password-0123456789abcdef"};
const IceCredentials kRemote{"cliufrag", "client-password-0123456789abcdef"};
const stun::MessageType kRequest{stun::method::kBinding, stun::MessageClass::kRequest};
const stun::MessageType kSuccess{stun::method::kBinding, stun::MessageClass::kSuccessResponse};

const std::array<TransportAddress, 4> kAddresses = {
    TransportAddress::Ipv4({127, 0, 0, 0}, 5000), TransportAddress::Ipv4({127, 0, 0, 1}, 5000),
    TransportAddress::Ipv4({127, 0, 0, 2}, 5000), TransportAddress::Ipv4({127, 0, 0, 3}, 5000)};

size_t IndexOf(const TransportAddress& a) {
  for (size_t i = 0; i < kAddresses.size(); ++i) {
    if (kAddresses[i] == a) return i;
  }
  CHECK(false, "an address the fuzzer never used");
  return 0;
}

// One of the agent's own checks, as the fuzzer saw it go out.
struct AgentCheck {
  stun::TransactionId id;
  size_t to;
  Timestamp first_sent;
  bool answered = false;
};

// A message the fuzzer built: its bytes, and whether it carries
// MESSAGE-INTEGRITY with the password meant for it and FINGERPRINT after it.
struct Built {
  std::vector<uint8_t> bytes;
  bool signed_right = false;
};

// Adds the extra attributes, then signs. The builder refuses an integrity
// attribute after extra ones that would hide it (another MESSAGE-INTEGRITY,
// MI-SHA256, FINGERPRINT).
Built Finish(stun::MessageBuilder& b, ByteReader& in, uint8_t flags, const std::string& password) {
  while (in.remaining() >= 3) {
    const uint16_t type = in.U16();
    auto value = in.Bytes(std::min<size_t>(in.U8(), in.remaining()));
    b.Add(stun::RawAttribute{type, {value.begin(), value.end()}});
  }
  const bool right = !(flags & 0x10);
  const bool integrity = b.AddMessageIntegrity(stun::ShortTermKey(right ? password : "not-the-password"));
  const bool fingerprint = !(flags & 0x20) && b.AddFingerprint();
  return {std::move(b).Take(), right && integrity && fingerprint};
}

Built BuildCheck(ByteReader& in, uint8_t flags) {
  const uint32_t priority = in.U32();
  stun::TransactionId id{};
  for (auto& byte : id) byte = in.U8();
  const auto cls = (flags & 0x40) ? stun::MessageClass::kIndication : stun::MessageClass::kRequest;
  stun::MessageBuilder b({stun::method::kBinding, cls}, id);
  const std::string local = (flags & 8) ? "nosuch" : kLocal.ufrag;
  b.Add(stun::Username{local + ":" + ((flags & 4) ? "other" : kRemote.ufrag)});
  b.Add(stun::Priority{priority});
  if (flags & 2) {
    b.Add(stun::IceControlled{0x1234});
  } else {
    b.Add(stun::IceControlling{0x1234});
  }
  if (flags & 1) b.Add(stun::UseCandidate{});
  return Finish(b, in, flags, kLocal.pwd);
}

Built BuildAnswer(ByteReader& in, uint8_t flags, const stun::TransactionId& id, const TransportAddress& from) {
  const auto cls = (flags & 0x40) ? stun::MessageClass::kErrorResponse : stun::MessageClass::kSuccessResponse;
  stun::MessageBuilder b({stun::method::kBinding, cls}, id);
  if (cls == stun::MessageClass::kErrorResponse) {
    b.Add(stun::ErrorCode{487, "Role Conflict"});
  } else {
    b.Add(stun::XorMappedAddress{from});
  }
  return Finish(b, in, flags, kRemote.pwd);
}

// What the model knows of a good check.
struct Good {
  stun::TransactionId id;
  bool use_candidate = false;
};

// A good check per the header comment, judged from its bytes once it is
// known to be signed right.
std::optional<Good> Judge(std::span<const uint8_t> bytes) {
  auto m = stun::Message::Parse(bytes);
  if (!m.ok() || m->type != kRequest) return std::nullopt;
  const auto* username = m->Get<stun::Username>();
  if (!username || username->value != kLocal.ufrag + ":" + kRemote.ufrag || !m->Has<stun::IceControlling>()) {
    return std::nullopt;
  }
  return Good{m->transaction_id, m->Has<stun::UseCandidate>()};
}

class Model {
 public:
  Model() : agent_(kLocal, kRemote, rng_) {}

  void Record(uint8_t source, std::span<const uint8_t> bytes, Timestamp now) {
    const size_t from = source & 3;
    if (!(source & 0x80)) return Datagram(bytes, from, now);
    ByteReader in(bytes);
    const uint8_t flags = in.U8();
    if (!(flags & 0x80)) {
      Built check = BuildCheck(in, flags);
      if (check.signed_right) signed_checks_.emplace(check.bytes.begin(), check.bytes.end());
      return Datagram(check.bytes, from, now);
    }
    if (sent_.empty()) return;
    // The newest checks first: `which` counts back from the last one.
    const AgentCheck& target = sent_[sent_.size() - 1 - in.U8() % std::min<size_t>(sent_.size(), 16)];
    Built answer = BuildAnswer(in, flags, target.id, kAddresses[from]);
    if (answer.signed_right) signed_answers_.emplace(answer.bytes.begin(), answer.bytes.end());
    Datagram(answer.bytes, from, now);
  }

  void Timeout(Timestamp now) {
    agent_.HandleTimeout(now);
    DrainTransmits(std::nullopt, now);
    while (agent_.PollEvent()) {
    }
    if (agent_.CanSend(now)) {
      const auto& last = last_answer_[IndexOf(*agent_.selected())];
      CHECK(last && now - *last < IceLiteAgent::kConsentTimeout, "CanSend without a fresh answer from there");
    }
  }

 private:
  void Datagram(std::span<const uint8_t> bytes, size_t from, Timestamp now) {
    const std::string key(bytes.begin(), bytes.end());
    const std::optional<Good> good = signed_checks_.contains(key) ? Judge(bytes) : std::nullopt;
    bool success = false;
    AgentCheck* answered = signed_answers_.contains(key) ? Answered(bytes, from, success) : nullptr;
    const std::optional<TransportAddress> before = agent_.selected();
    // Its own check there may go out at once.
    if (good && (good->use_candidate || !before)) nominated_[from] = true;  // before a selection any check counts

    agent_.HandleStun(bytes, kAddresses[from], now);

    const int answers = DrainTransmits(good, now, from);
    if (good) CheckAnswered(*good, from, now, answers);

    const std::optional<TransportAddress>& after = agent_.selected();
    CHECK(after == before || (success && after == kAddresses[from]),
          "selection moved without a signed answer from there to one of the agent's checks");
    if (!answered) return;
    if (success && !ever_selected_ && !answered->answered && now - answered->first_sent < IceLiteAgent::kVerifyTimeout) {
      CHECK(after == kAddresses[from], "a signed answer to a pending check did not select");
    }
    if (success && !answered->answered) last_answer_[from] = now;
    answered->answered = true;
    ever_selected_ = ever_selected_ || after.has_value();
  }

  // A good check is answered once, unless replayed from elsewhere while its
  // transaction id is remembered (kReplayMemory from when it was taken).
  void CheckAnswered(const Good& good, size_t from, Timestamp now, int answers) {
    auto [it, fresh] = seen_.try_emplace(good.id, Seen{from, now});
    Seen& seen = it->second;
    if (fresh || seen.unsure) {
      CHECK(fresh || answers <= 1, "a good check answered twice");
      CHECK(!fresh || answers == 1, "a good check with a new transaction id was not answered once");
      return;
    }
    const TimeDelta age = now - seen.at;
    if (age < IceLiteAgent::kReplayMemory) {
      CHECK(answers == (seen.from == from ? 1 : 0), "a good check answered wrongly (once, unless replayed)");
    } else if (age > IceLiteAgent::kReplayMemory) {
      CHECK(answers == 1, "a good check whose transaction id was forgotten was not answered once");
      seen = {from, now};  // taken afresh
    } else {
      seen.unsure = true;  // exactly at the edge: either way
    }
  }

  // The agent's check this signed answer from `from` answers, if any.
  AgentCheck* Answered(std::span<const uint8_t> bytes, size_t from, bool& success) {
    auto m = stun::Message::Parse(bytes);
    if (!m.ok() || m->type.method != stun::method::kBinding) return nullptr;
    success = m->type.cls == stun::MessageClass::kSuccessResponse;
    if (!success && m->type.cls != stun::MessageClass::kErrorResponse) return nullptr;
    for (AgentCheck& c : sent_) {
      if (c.id == m->transaction_id && c.to == from) return &c;
    }
    success = false;
    return nullptr;
  }

  // Checks everything the agent sends: answers (only to `good`, from
  // `source`) and its own checks. Returns the number of answers.
  int DrainTransmits(const std::optional<Good>& good, Timestamp now, size_t source = 0) {
    int answers = 0;
    while (auto t = agent_.PollTransmit()) {
      const size_t to = IndexOf(t->to);
      auto m = stun::Message::Parse(t->bytes);
      CHECK(m.ok(), "the agent sent a datagram that does not parse");
      CHECK(stun::VerifyFingerprint(t->bytes) == stun::IntegrityStatus::kOk, "the agent sent no valid FINGERPRINT");
      if (m->type == kRequest) {
        CheckOwnCheck(*m, t->bytes, to, now);
        continue;
      }
      CHECK(m->type == kSuccess, "the agent sent neither an answer nor a Binding request");
      CHECK(good.has_value(), "answered a datagram that is not a good check");
      CHECK(to == source, "answer sent somewhere other than the check's source");
      CHECK(m->transaction_id == good->id, "answer has another transaction id");
      const auto* mapped = m->Get<stun::XorMappedAddress>();
      CHECK(mapped && mapped->address == t->to, "answer maps another address");
      CHECK(stun::VerifyMessageIntegrity(t->bytes, stun::ShortTermKey(kLocal.pwd)) == stun::IntegrityStatus::kOk,
            "answer does not verify with the server's password");
      ++answers;
    }
    return answers;
  }

  void CheckOwnCheck(const stun::Message& m, std::span<const uint8_t> bytes, size_t to, Timestamp now) {
    CHECK(nominated_[to], "the agent checked an address that never nominated");
    const auto* username = m.Get<stun::Username>();
    CHECK(username && username->value == kRemote.ufrag + ":" + kLocal.ufrag, "the agent's check has a wrong USERNAME");
    CHECK(m.Has<stun::IceControlled>() && !m.Has<stun::IceControlling>(), "the agent's check is not ICE-CONTROLLED");
    CHECK(stun::VerifyMessageIntegrity(bytes, stun::ShortTermKey(kRemote.pwd)) == stun::IntegrityStatus::kOk,
          "the agent's check does not verify with the client's password");
    for (const AgentCheck& c : sent_) {
      if (c.id == m.transaction_id) {
        CHECK(c.to == to, "the agent sent one transaction to two addresses");
        return;  // a retransmission
      }
    }
    sent_.push_back({m.transaction_id, to, now});
  }

  SeededRandom rng_{0x1ce};
  IceLiteAgent agent_;
  std::unordered_set<std::string> signed_checks_;   // checks signed with the server's password, by bytes
  std::unordered_set<std::string> signed_answers_;  // answers signed with the client's password, by bytes
  struct Seen {
    size_t from;  // where the agent would remember it from, since `at`
    Timestamp at;
    bool unsure = false;
  };
  std::map<stun::TransactionId, Seen> seen_;  // good checks' transaction ids
  std::array<bool, 4> nominated_{};
  std::vector<AgentCheck> sent_;
  std::array<std::optional<Timestamp>, 4> last_answer_;  // last signed success answer to an agent's check
  bool ever_selected_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Model model;
  Timestamp now = Timestamp::Millis(1000);
  size_t pos = 0;
  for (size_t records = 0; pos + 3 <= size && records < kMaxRecords; ++records) {
    const uint8_t source = data[pos];
    size_t len = (size_t{data[pos + 1]} << 8 | data[pos + 2]) % 1600;
    pos += 3;
    if (len > size - pos) len = size - pos;
    model.Record(source, {data + pos, len}, now);
    pos += len;
    now += TimeDelta::Millis(4 * (source & 0x7f));
    model.Timeout(now);
  }
  return 0;
}
