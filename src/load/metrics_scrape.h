// One GET of the server's /metrics (docs/configuration.md, Metrics) on the
// load loop's io_context, so the participants keep sending while it runs:
// https:// with the same trust as the signaling URL (the pin or the CA
// file, client::ServerCertificateCheck), `Authorization: Bearer <token>`.
// A fresh connection per scrape (two per measured window).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "client/ws_channel.h"

namespace aegis::load {

// https://HOST[:PORT]/PATH or http://...; nullopt otherwise.
std::optional<client::WsUrl> ParseMetricsUrl(const std::string& url);

struct ScrapeTarget {
  client::WsUrl url;
  boost::asio::ssl::context* tls = nullptr;  // for https://
  std::string pinned_fingerprint;            // normalized; empty: the chain
  std::string token;                         // empty: no Authorization header
};

// Starts the GET; `done` gets the body of a 200 answer, or an error text.
// The target and `io` must outlive the request; 3 s at most.
void ScrapeMetrics(boost::asio::io_context& io, const ScrapeTarget& target,
                   std::function<void(std::string body, std::string error)> done);

}  // namespace aegis::load
