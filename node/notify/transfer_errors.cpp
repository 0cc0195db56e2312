#include "node/notify/transfer_errors.hpp"

#include <openssl/x509.h>

#include <cerrno>
#include <cstdlib>

namespace signalnode::node::notify {
namespace {

// OpenSSL's reason, e.g. "self-signed certificate"; printable ASCII only, in
// case a library ever puts something odd there. A chain that verifies but
// names another host is caught by curl itself, which says so only in its
// message, not in the verify result.
std::string verify_reason(CURL* handle, std::string_view curl_message) {
  long verify = 0;
  (void)curl_easy_getinfo(handle, CURLINFO_SSL_VERIFYRESULT, &verify);
  if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH ||
      ((verify == X509_V_OK || verify == X509_V_ERR_UNSPECIFIED) && curl_message.find("name") != curl_message.npos)) {
    return "it is made out for another host name";
  }
  std::string reason;
  for (const char* p = X509_verify_cert_error_string(verify); p && *p && reason.size() < 120; ++p) {
    if (*p >= 0x20 && *p < 0x7f) reason += *p;
  }
  return reason;
}

}  // namespace

SendResult failed(bool permanent, std::string error) {
  SendResult result;
  result.permanent = permanent;
  result.error = std::move(error);
  return result;
}

std::string capitalised(std::string_view text) {
  std::string out(text);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

std::optional<SendResult> connection_failure(CURL* handle, CURLcode code, std::string_view curl_message,
                                             const Peer& peer, int timeout_seconds) {
  const std::string nl = capitalised(peer.nl);
  const std::string en(peer.en);
  const std::string& where = peer.where;
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return failed(false, nl + " is niet bereikbaar: de naam " + where + " is niet te vinden / " + en +
                               " cannot be reached: the name " + where + " does not resolve");
    case CURLE_COULDNT_CONNECT: {
      long os_errno = 0;
      (void)curl_easy_getinfo(handle, CURLINFO_OS_ERRNO, &os_errno);
      if (os_errno == ECONNREFUSED) {
        return failed(false, nl + " is niet bereikbaar: " + where + " weigert de verbinding / " + en +
                                 " cannot be reached: " + where + " refused the connection");
      }
      return failed(false, nl + " is niet bereikbaar (" + where + ") / " + en + " cannot be reached (" + where + ")");
    }
    case CURLE_OPERATION_TIMEDOUT: {
      const std::string seconds = std::to_string(timeout_seconds);
      return failed(false, nl + " antwoordt niet binnen " + seconds + " seconden (" + where + ") / " + en +
                               " did not answer within " + seconds + " seconds (" + where + ")");
    }
    case CURLE_PEER_FAILED_VERIFICATION:
      // A configuration problem (trust store, certificate, host name):
      // retrying changes nothing until an admin acts.
      return failed(true, "Het certificaat van " + std::string(peer.nl) + " wordt niet vertrouwd (" + where +
                              ") / the certificate of " + en + " is not trusted (" + where +
                              "): " + verify_reason(handle, curl_message));
    case CURLE_SSL_CACERT_BADFILE:
      return failed(true, "Het CA-bestand voor " + std::string(peer.nl) +
                              " kan niet worden gelezen / the CA file for " + en + " cannot be read");
    case CURLE_SSL_CONNECT_ERROR:
      return failed(false, "De TLS-verbinding met " + std::string(peer.nl) + " is mislukt (" + where +
                               ") / the TLS handshake with " + en + " failed (" + where + ")");
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING: {
      long status = 0;
      (void)curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
      if (status != 0) return std::nullopt;  // an answer came: the protocol's to judge
      return failed(false,
                    nl + " verbrak de verbinding (" + where + ") / " + en + " closed the connection (" + where + ")");
    }
    case CURLE_ABORTED_BY_CALLBACK:
      return failed(false, "Afgebroken omdat de node stopt; wordt opnieuw geprobeerd / stopped because the node is "
                           "stopping; will be tried again");
    case CURLE_OUT_OF_MEMORY:
      return failed(false, "Te weinig geheugen om te versturen / out of memory while sending");
    default:
      return std::nullopt;
  }
}

void set_no_proxy_for_loopback(CURL* handle) {
  std::string list = "localhost,127.0.0.1,::1";
  for (const char* name : {"no_proxy", "NO_PROXY"}) {
    if (const char* value = std::getenv(name); value && *value) {
      list += ",";
      list += value;
      break;
    }
  }
  (void)curl_easy_setopt(handle, CURLOPT_NOPROXY, list.c_str());  // copied by curl
}

}  // namespace signalnode::node::notify
