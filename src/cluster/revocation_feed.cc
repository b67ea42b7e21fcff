#include "cluster/revocation_feed.h"

#include <charconv>

namespace aegis::cluster {

std::vector<std::string> RevocationXadd(const SharedRevocation& r) {
  std::vector<std::string> args = {"XADD", std::string(kRevocationStream), "MAXLEN", "~", "10000", "*",
                                   "origin", r.origin, "room", r.room};
  if (r.identity) {
    args.push_back("identity");
    args.push_back(*r.identity);
  }
  if (r.token_id) {
    args.push_back("jti");
    args.push_back(*r.token_id);
  }
  args.push_back("time");
  args.push_back(std::to_string(r.time_unix_s));
  return args;
}

std::optional<std::vector<std::pair<std::string, SharedRevocation>>> ParseRevocationXread(const RespReply& reply) {
  std::vector<std::pair<std::string, SharedRevocation>> out;
  if (reply.type == RespReply::Type::kNil) return out;  // BLOCK ran out
  if (reply.type != RespReply::Type::kArray) return std::nullopt;
  for (const auto& stream : reply.elements) {
    // [name, [[id, [field, value, ...]], ...]]
    if (stream.type != RespReply::Type::kArray || stream.elements.size() != 2 ||
        stream.elements[1].type != RespReply::Type::kArray) {
      return std::nullopt;
    }
    for (const auto& entry : stream.elements[1].elements) {
      if (entry.type != RespReply::Type::kArray || entry.elements.size() != 2 ||
          entry.elements[1].type != RespReply::Type::kArray) {
        return std::nullopt;
      }
      const std::string& id = entry.elements[0].text;
      const auto& fields = entry.elements[1].elements;
      SharedRevocation r;
      bool has_time = false;
      for (size_t i = 0; i + 1 < fields.size(); i += 2) {
        const std::string& key = fields[i].text;
        const std::string& value = fields[i + 1].text;
        if (key == "origin") r.origin = value;
        else if (key == "room") r.room = value;
        else if (key == "identity") r.identity = value;
        else if (key == "jti") r.token_id = value;
        else if (key == "time") {
          auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), r.time_unix_s);
          has_time = ec == std::errc() && end == value.data() + value.size();
        }
      }
      // Always advance past it, even when it is skipped.
      out.emplace_back(id, SharedRevocation{});
      if (!r.room.empty() && (r.identity || r.token_id) && has_time && !r.origin.empty()) out.back().second = r;
    }
  }
  return out;
}

RevocationFeed::RevocationFeed(Config config, std::function<void(SharedRevocation)> received,
                               std::function<void(const std::string&)> log)
    : config_(std::move(config)), on_received_(std::move(received)), log_(std::move(log)) {}

void RevocationFeed::Report(const std::string& failure) {
  const bool failing = !failure.empty();
  if (failing != failing_ && log_) log_(failing ? "revocation feed: " + failure : "revocation feed: working again");
  failing_ = failing;
}

RevocationFeed::~RevocationFeed() { Stop(); }

Result<void, std::string> RevocationFeed::Start() {
  auto redis = RedisClient::Connect(config_.endpoint, config_.timeout + config_.block);
  if (!redis.ok()) return Err{redis.error()};
  // The newest entry's id: reading starts after it.
  auto last = redis.value()->Command({"XREVRANGE", kRevocationStream, "+", "-", "COUNT", "1"});
  if (!last.ok()) return Err{"reading the revocation stream: " + last.error()};
  if (last.value().type == RespReply::Type::kError) return Err{"reading the revocation stream: " + last.value().text};
  if (last.value().type == RespReply::Type::kArray && !last.value().elements.empty() &&
      !last.value().elements[0].elements.empty()) {
    last_id_ = last.value().elements[0].elements[0].text;
  }
  redis_ = std::move(redis.value());
  thread_ = std::thread([this] { Run(); });
  return {};
}

void RevocationFeed::Publish(SharedRevocation revocation) {
  std::lock_guard lock(mutex_);
  outgoing_.push_back(std::move(revocation));
}

void RevocationFeed::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void RevocationFeed::Run() {
  const std::string block_ms = std::to_string(config_.block.count());
  while (true) {
    std::deque<SharedRevocation> outgoing;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      outgoing.swap(outgoing_);
    }
    if (!redis_ || !redis_->connected()) {
      auto redis = RedisClient::Connect(config_.endpoint, config_.timeout + config_.block);
      if (!redis.ok()) {
        Report(redis.error());
        // Kept for the next round.
        std::lock_guard lock(mutex_);
        outgoing_.insert(outgoing_.begin(), outgoing.begin(), outgoing.end());
        std::this_thread::sleep_for(config_.block);
        continue;
      }
      redis_ = std::move(redis.value());
    }
    while (!outgoing.empty()) {
      auto args = RevocationXadd(outgoing.front());
      std::vector<std::string_view> views(args.begin(), args.end());
      auto added = redis_->Command(views);
      if (!added.ok()) {  // reconnect and retry it next round
        Report("publishing: " + added.error());
        break;
      }
      if (added.value().type != RespReply::Type::kError) ++published_;
      outgoing.pop_front();
    }
    if (!outgoing.empty()) {
      std::lock_guard lock(mutex_);
      outgoing_.insert(outgoing_.begin(), outgoing.begin(), outgoing.end());
      continue;
    }
    auto read = redis_->Command({"XREAD", "COUNT", "100", "BLOCK", block_ms, "STREAMS", kRevocationStream, last_id_});
    if (!read.ok()) {
      Report("reading: " + read.error());
      continue;
    }
    auto entries = ParseRevocationXread(read.value());
    if (!entries) {  // an error reply (e.g. the user lost its rights): not a busy loop
      Report("reading: Redis answered " + (read.value().type == RespReply::Type::kError ? read.value().text
                                                                                          : std::string("an unexpected reply")));
      std::this_thread::sleep_for(config_.block);
      continue;
    }
    Report("");
    for (auto& [id, revocation] : *entries) {
      last_id_ = id;
      if (revocation.room.empty() || revocation.origin == config_.node_id) continue;
      ++received_;
      on_received_(std::move(revocation));
    }
  }
}

}  // namespace aegis::cluster
