#include "sctp/sctp_stack.h"

#include <usrsctp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "sctp/sctp_association.h"

namespace aegis::sctp {
namespace {

std::atomic<SctpStack*> g_stack{nullptr};
// Set if usrsctp_finish() never succeeded: usrsctp must not be initialized
// over its own leftovers.
std::atomic<bool> g_unfinished{false};

[[noreturn]] void Die(const char* why) {
  std::fprintf(stderr, "aegis::sctp::SctpStack: %s\n", why);
  std::abort();
}

// Process-wide usrsctp settings for WebRTC data channels (RFC 8831 §6.1).
void ConfigureSysctls() {
  // DTLS already authenticates every packet; ASCONF needs AUTH and is
  // what the iterator thread would act on.
  usrsctp_sysctl_set_sctp_asconf_enable(0);
  usrsctp_sysctl_set_sctp_auth_enable(0);
  usrsctp_sysctl_set_sctp_ecn_enable(0);  // no IP header to carry ECN bits
  usrsctp_sysctl_set_sctp_nrsack_enable(0);
  usrsctp_sysctl_set_sctp_pktdrop_enable(0);
  usrsctp_sysctl_set_sctp_pr_enable(1);        // partial reliability (RFC 3758/7496)
  usrsctp_sysctl_set_sctp_reconfig_enable(1);  // stream reset (RFC 6525) closes channels
}

}  // namespace

SctpStack::SctpStack(Timestamp now, TimeDelta tick)
    : owner_(std::this_thread::get_id()), tick_(tick), fed_ms_(now.ms()), scratch_(kScratchSize) {
  SctpStack* expected = nullptr;
  if (!g_stack.compare_exchange_strong(expected, this)) Die("a second SctpStack in one process");
  if (g_unfinished.load()) Die("usrsctp was never finished by the previous SctpStack");
  if (tick_ <= TimeDelta()) Die("timer tick must be positive");
  usrsctp_init_nothreads(0, &SctpStack::OnOutput, nullptr);
  ConfigureSysctls();
}

SctpStack::~SctpStack() {
  CheckThread();
  if (!associations_.empty()) Die("destroyed while associations still exist");
  // Closed sockets are aborted (SO_LINGER 0), so finish normally succeeds at
  // once; an endpoint still being torn down needs its timers run.
  bool finished = usrsctp_finish() == 0;
  for (int attempt = 0; !finished && attempt < 120; ++attempt) {
    usrsctp_handle_timers(1000);
    finished = usrsctp_finish() == 0;
  }
  if (!finished) g_unfinished.store(true);
  g_stack.store(nullptr);
}

void SctpStack::CheckThread() const {
  if (std::this_thread::get_id() != owner_) Die("used from a thread other than its owner");
}

void SctpStack::AdvanceTo(Timestamp now) {
  CheckThread();
  int64_t elapsed = now.ms() - fed_ms_;
  if (elapsed <= 0) return;
  fed_ms_ = now.ms();
  // usrsctp takes a uint32 and adds it to an int: feed big jumps in slices.
  constexpr int64_t kMaxSlice = int64_t{1} << 30;
  while (elapsed > 0) {
    const int64_t slice = std::min(elapsed, kMaxSlice);
    usrsctp_handle_timers(static_cast<uint32_t>(slice));
    elapsed -= slice;
  }
}

void SctpStack::Register(SctpAssociation* association) {
  CheckThread();
  associations_.insert(association);
  usrsctp_register_address(association);
}

void SctpStack::Unregister(SctpAssociation* association) {
  CheckThread();
  usrsctp_deregister_address(association);
  associations_.erase(association);
}

void SctpStack::Input(SctpAssociation* association, std::span<const uint8_t> packet) {
  CheckThread();
  usrsctp_conninput(association, packet.data(), packet.size(), 0);
}

int SctpStack::OnOutput(void* address, void* data, size_t length, uint8_t /*tos*/, uint8_t /*set_df*/) {
  SctpStack* stack = g_stack.load();
  if (stack == nullptr) return 0;
  if (std::this_thread::get_id() != stack->owner_) {
    stack->foreign_thread_outputs_.fetch_add(1);
    return 0;  // as if lost on the wire; SCTP retransmits
  }
  // usrsctp hands back the address we registered; only a live association
  // registered with us is ever dereferenced.
  auto* association = static_cast<SctpAssociation*>(address);
  if (!stack->associations_.contains(association)) {
    ++stack->unknown_address_outputs_;
    return 0;
  }
  association->OnOutboundPacket({static_cast<const uint8_t*>(data), length});
  return 0;
}

}  // namespace aegis::sctp
