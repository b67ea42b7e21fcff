// aegis-load's command line (kUsage in load_options.cc).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <nlohmann/json.hpp>

#include "client/ws_channel.h"
#include "load/janus_api.h"
#include "load/media_pattern.h"

namespace aegis::load {

struct LoadOptions {
  // --target janus: a Janus videoroom over its HTTP API (janus_peer.h)
  // instead of an Aegis server; no token secret then.
  bool janus = false;
  janus::JanusUrl janus_url;
  std::string janus_url_text;
  uint64_t janus_room = 1;  // room r of the run is janus_room + r
  client::WsUrl url;
  std::string url_text;
  std::string tls_fingerprint;  // normalized
  std::string ca_file;
  std::string data_dir;     // the server's data folder (its API key mints the tokens)
  std::string secret_file;  // or the API secret as hex text
  size_t rooms = 1;
  size_t publishers = 1;
  size_t subscribers = 2;
  double duration_s = 20;
  MediaPatternConfig media;
  // How often the loop sends what is due: every publisher's due packets leave
  // together each tick, so a long one makes the server see bursts.
  int64_t tick_us = 2000;
  std::vector<boost::asio::ip::address> source_addresses;
  std::string room_prefix;  // default: "load" and a random tag
  int connect_timeout_s = 30;
  int server_pid = 0;
  // The server's GET /metrics, scraped at each measured window's start and end.
  std::optional<client::WsUrl> metrics_url;
  std::string metrics_url_text;
  std::string metrics_token_file;
  bool quiet = false;
  // Publishers send no media while the run is measured: the server's memory
  // for idle participants; then a second window with media (load_main.cc).
  bool idle = false;
  bool ramp = false;
  bool ramp_by_rooms = false;
  size_t ramp_step = 0;  // default: --subscribers (or --rooms)
  size_t ramp_max = 0;   // default: 256 - publishers (the server's room limit is 257), or 64 rooms
  double step_seconds = 5;
  double ramp_max_loss_percent = 0.5;
  double ramp_max_p99_ms = 50;
};

// Fills `o`; an exit code to return now (0 after --help/--version, 2 on bad
// usage with a message on stderr), or nullopt to run.
std::optional<int> ParseLoadOptions(int argc, char** argv, LoadOptions& o, const char* version);

nlohmann::json OptionsJson(const LoadOptions& o);

}  // namespace aegis::load
