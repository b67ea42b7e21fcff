// aegis-sframe: one SFrame frame in or out, in hex, with the C++ library.
// For tests that check other implementations against ours (the browser
// SDK's sframe.js, frames captured at the server) and for people checking
// a frame by hand.
//
//   aegis-sframe encrypt --suite 4 --key HEX --kid N [--ctr N] [--metadata HEX] --plaintext HEX
//   aegis-sframe decrypt --suite 4 --key HEX [--metadata HEX] --frame HEX
//
// encrypt prints the frame (header || ciphertext || tag), decrypt the
// plaintext, in lower-case hex on stdout. Exit 0 on success, 1 when the
// frame does not decrypt (the reason on stderr), 2 on bad usage. --ctr
// starts the sender's counter there (it encrypts CTR frames first and
// prints the last), so a test can produce a frame with any counter.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/hex.h"
#include "sframe/cipher_suite.h"
#include "sframe/sframe_receiver.h"
#include "sframe/sframe_sender.h"

namespace {

using aegis::sframe::CipherSuite;

int Usage(const char* why) {
  std::fprintf(stderr,
               "aegis-sframe: %s\n"
               "usage: aegis-sframe encrypt --suite N --key HEX --kid N [--ctr N] [--metadata HEX] --plaintext HEX\n"
               "       aegis-sframe decrypt --suite N --key HEX [--metadata HEX] --frame HEX\n",
               why);
  return 2;
}

// False unless `text` is a decimal number (plain values, not optionals:
// GCC 12 misreads optionals here as maybe-uninitialized).
bool ParseU64(const std::string& text, uint64_t& out) {
  if (text.empty() || text.size() > 20 || text[0] < '0' || text[0] > '9') return false;
  char* end = nullptr;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (*end != '\0') return false;
  out = static_cast<uint64_t>(v);
  return true;
}

bool Arg(const std::map<std::string, std::string>& args, const char* name, uint64_t& out) {
  auto it = args.find(name);
  return it != args.end() && ParseU64(it->second, out);
}

int Encrypt(const std::map<std::string, std::string>& args, CipherSuite suite, const std::vector<uint8_t>& key,
            const std::vector<uint8_t>& metadata) {
  uint64_t kid = 0;
  uint64_t ctr = 0;
  auto plaintext = args.contains("--plaintext") ? aegis::FromHex(args.at("--plaintext")) : std::nullopt;
  if (!Arg(args, "--kid", kid) || !plaintext) return Usage("encrypt needs --kid N and --plaintext HEX");
  if (args.contains("--ctr") && !Arg(args, "--ctr", ctr)) return Usage("--ctr must be a number");
  if (ctr > 100000) return Usage("--ctr above 100000 would take long: this tool walks the counter");
  auto sender = aegis::sframe::SframeSender::Create({suite});
  if (!sender || !sender->AddKey(kid, key)) return Usage("the key is not usable for this suite");
  std::vector<uint8_t> buffer;
  for (uint64_t i = 0; i <= ctr; ++i) {
    buffer = *plaintext;
    buffer.resize(plaintext->size() + sender->MaxOverhead());
    auto len = sender->Encrypt(kid, metadata, buffer, plaintext->size());
    if (!len) {
      std::fprintf(stderr, "aegis-sframe: encrypt failed: %s\n", aegis::sframe::ErrorName(len.error()));
      return 1;
    }
    buffer.resize(*len);
  }
  std::printf("%s\n", aegis::ToHex(buffer).c_str());
  return 0;
}

int Decrypt(const std::map<std::string, std::string>& args, CipherSuite suite, const std::vector<uint8_t>& key,
            const std::vector<uint8_t>& metadata) {
  auto frame = args.contains("--frame") ? aegis::FromHex(args.at("--frame")) : std::nullopt;
  if (!frame) return Usage("decrypt needs --frame HEX");
  // The KID comes from the frame's own header; the key is the one given.
  auto header = aegis::sframe::SframeHeader::Parse(*frame);
  if (!header) {
    std::fprintf(stderr, "aegis-sframe: bad header: %s\n", aegis::sframe::ErrorName(header.error()));
    return 1;
  }
  auto receiver = aegis::sframe::SframeReceiver::Create({suite});
  if (!receiver || !receiver->AddKey(header->kid, key)) return Usage("the key is not usable for this suite");
  auto plain = receiver->Decrypt(metadata, *frame);
  if (!plain) {
    std::fprintf(stderr, "aegis-sframe: decrypt failed: %s\n", aegis::sframe::ErrorName(plain.error()));
    return 1;
  }
  std::printf("%s\n", aegis::ToHex(plain->plaintext).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage("missing command");
  const std::string_view command = argv[1];
  std::map<std::string, std::string> args;
  for (int i = 2; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  if ((argc - 2) % 2 != 0) return Usage("every option takes a value");
  uint64_t suite_id = 4;
  if (args.contains("--suite") && !Arg(args, "--suite", suite_id)) return Usage("--suite must be 1-5");
  auto suite = suite_id <= 0xffff ? aegis::sframe::CipherSuiteFromId(static_cast<uint16_t>(suite_id)) : std::nullopt;
  auto key = args.contains("--key") ? aegis::FromHex(args.at("--key")) : std::nullopt;
  auto metadata = args.contains("--metadata") ? aegis::FromHex(args.at("--metadata")) : std::vector<uint8_t>{};
  if (!suite) return Usage("--suite must be 1-5");
  if (!key) return Usage("--key HEX is required");
  if (!metadata) return Usage("--metadata must be hex");
  const CipherSuite chosen = *suite;
  if (command == "encrypt") return Encrypt(args, chosen, *key, *metadata);
  if (command == "decrypt") return Decrypt(args, chosen, *key, *metadata);
  return Usage("unknown command");
}
