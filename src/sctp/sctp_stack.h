// SctpStack: the one process-wide usrsctp instance, run sans-IO.
//
// usrsctp keeps global state (endpoint tables, one timer wheel, sysctls), so
// a process has at most one SctpStack, and every SctpAssociation registers
// with it. The stack and all its associations belong to ONE thread: the one
// that built the stack. Every entry point checks this and aborts on misuse.
// A server runs its data channels on one worker, or its I/O shell serializes
// every call onto that thread.
//
// How usrsctp runs without its threads
// ------------------------------------
// - usrsctp_init_nothreads(): no timer thread and no receive threads. usrsctp
//   0.9.5 still starts one internal "SCTP iterator" thread; it only runs work
//   queued by address changes (ASCONF), which we disable. As a guard, a
//   packet that usrsctp hands us on any thread but ours is dropped (counted
//   in foreign_thread_outputs()) without touching association state.
// - Packets: AF_CONN sockets. Each association registers its own address
//   (usrsctp_register_address(this)); usrsctp's output callback receives that
//   address back and we append the packet to that association's transmit
//   queue, to be sent inside DTLS. Input goes in through usrsctp_conninput(),
//   which processes it synchronously on our thread.
// - Received data: sockets are non-blocking and we read them with
//   usrsctp_recvv() after every call into usrsctp (no receive callback, no
//   upcall), so nothing runs behind our back.
// - Timers: usrsctp keeps one global tick counter (1 tick = 1 ms) and a list
//   of callouts. usrsctp_handle_timers(elapsed_ms) adds elapsed_ms to it and
//   runs every callout that came due. AdvanceTo(now) feeds it the whole
//   milliseconds of the injected clock since the last call; every
//   association calls it at the start of HandleInput/HandleTimeout, so the
//   wheel always sees our clock, never the system's. usrsctp has no API for
//   "when is the next callout due", so NextTick() is a fixed granularity
//   (10 ms by default: the interval usrsctp's own timer thread uses) after
//   the last advance; every association returns it from NextTimeout() while
//   it is running. A timer may fire for association B during a call on A;
//   its packets wait in B's transmit queue until B is polled (at the latest
//   at its next NextTimeout()).
// - usrsctp also reads the wall clock (gettimeofday) for RTT samples, cookie
//   lifetime, and to pick which chunks are old enough to retransmit when
//   T3-rtx fires. In production the wall clock and the injected clock move
//   together, so this is harmless; a simulation must move both, which is
//   what the test-only usrsctp_test_hooks.h does.
// - usrsctp's tick counter is a C int: it wraps after ~24.8 days of fed time
//   (as it does in threaded mode); nothing here can reset it.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <thread>
#include <unordered_set>
#include <vector>

#include "base/time.h"

namespace aegis::sctp {

class SctpAssociation;

class SctpStack {
 public:
  static constexpr TimeDelta kDefaultTick = TimeDelta::Millis(10);

  // Initializes usrsctp. Aborts if another SctpStack exists in the process.
  explicit SctpStack(Timestamp now, TimeDelta tick = kDefaultTick);
  // Every association must be destroyed first (aborts otherwise).
  ~SctpStack();
  SctpStack(const SctpStack&) = delete;
  SctpStack& operator=(const SctpStack&) = delete;

  // Runs usrsctp's timers up to `now`. Time never goes back: an earlier
  // `now` is ignored.
  void AdvanceTo(Timestamp now);
  // When the timer wheel should next be advanced.
  Timestamp NextTick() const { return Timestamp::Millis(fed_ms_) + tick_; }

  size_t association_count() const { return associations_.size(); }
  uint64_t foreign_thread_outputs() const { return foreign_thread_outputs_.load(); }
  uint64_t unknown_address_outputs() const { return unknown_address_outputs_; }

  // Aborts unless called on the stack's thread.
  void CheckThread() const;

 private:
  friend class SctpAssociation;
  static constexpr size_t kScratchSize = 64 * 1024;

  void Register(SctpAssociation* association);
  void Unregister(SctpAssociation* association);
  // Hands one received SCTP packet to usrsctp, addressed to `association`.
  void Input(SctpAssociation* association, std::span<const uint8_t> packet);
  // One receive buffer shared by all associations: they run on one thread.
  std::span<uint8_t> scratch() { return scratch_; }

  static int OnOutput(void* address, void* data, size_t length, uint8_t tos, uint8_t set_df);

  const std::thread::id owner_;
  const TimeDelta tick_;
  int64_t fed_ms_;
  std::unordered_set<SctpAssociation*> associations_;
  std::vector<uint8_t> scratch_;
  std::atomic<uint64_t> foreign_thread_outputs_{0};
  uint64_t unknown_address_outputs_ = 0;
};

}  // namespace aegis::sctp
