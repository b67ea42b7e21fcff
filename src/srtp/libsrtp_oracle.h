// libsrtp2 behind a small C++ wrapper: the oracle of the differential test
// and the anchor of the benchmark. Header-only, test and benchmark only:
// libsrtp2 is never linked into aegis_srtp.
#pragma once

#include <srtp2/srtp.h>

#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "srtp/profile.h"

namespace aegis::srtp::testing {

class LibSrtp {
 public:
  // One direction, any SSRC, libsrtp's default 128-packet replay window.
  // `rtcp_auth_only` makes SRTCP authenticated but unencrypted (E=0).
  LibSrtp(Profile profile, std::span<const uint8_t> key, std::span<const uint8_t> salt, bool outbound,
          bool rtcp_auth_only = false) {
    static const bool initialized = srtp_init() == srtp_err_status_ok;
    if (!initialized) abort();
    srtp_policy_t policy{};
    switch (profile) {
      case Profile::kAes128CmHmacSha1_80:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        break;
      case Profile::kAes128CmHmacSha1_32:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);  // RFC 5764: SRTCP keeps 80 bits
        break;
      case Profile::kAeadAes128Gcm:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
        break;
      case Profile::kAeadAes256Gcm:
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp);
        break;
    }
    if (rtcp_auth_only) policy.rtcp.sec_serv = sec_serv_auth;
    key_.assign(key.begin(), key.end());
    key_.insert(key_.end(), salt.begin(), salt.end());
    policy.key = key_.data();
    policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
    policy.window_size = 128;
    if (srtp_create(&session_, &policy) != srtp_err_status_ok) abort();
  }
  ~LibSrtp() { srtp_dealloc(session_); }
  LibSrtp(const LibSrtp&) = delete;
  LibSrtp& operator=(const LibSrtp&) = delete;

  // In place on buffer[0, *len); buffer must have SRTP_MAX_TRAILER_LEN spare.
  srtp_err_status_t Protect(uint8_t* buffer, int* len) { return srtp_protect(session_, buffer, len); }
  srtp_err_status_t ProtectRtcp(uint8_t* buffer, int* len) { return srtp_protect_rtcp(session_, buffer, len); }
  srtp_err_status_t Unprotect(uint8_t* buffer, int* len) { return srtp_unprotect(session_, buffer, len); }
  srtp_err_status_t UnprotectRtcp(uint8_t* buffer, int* len) { return srtp_unprotect_rtcp(session_, buffer, len); }

  srtp_t session() { return session_; }

  // Vector conveniences for tests: resize to the result.
  srtp_err_status_t Apply(std::vector<uint8_t>& packet, bool rtcp, bool protect) {
    int len = static_cast<int>(packet.size());
    packet.resize(packet.size() + SRTP_MAX_TRAILER_LEN);
    srtp_err_status_t s = protect ? (rtcp ? ProtectRtcp(packet.data(), &len) : Protect(packet.data(), &len))
                                  : (rtcp ? UnprotectRtcp(packet.data(), &len) : Unprotect(packet.data(), &len));
    packet.resize(s == srtp_err_status_ok ? static_cast<size_t>(len) : packet.size() - SRTP_MAX_TRAILER_LEN);
    return s;
  }

 private:
  std::vector<uint8_t> key_;
  srtp_t session_ = nullptr;
};

}  // namespace aegis::srtp::testing
