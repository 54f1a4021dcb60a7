#pragma once

#include <string>

#include "tests/fakes/fake_http_server.hpp"

namespace tb::fakes {

// A fresh EC P-256 key and a self-signed certificate for `common_name`, with subjectAltName
// IP:127.0.0.1 and DNS:localhost, valid from an hour ago for a day. PEM strings.
TlsIdentity make_self_signed_identity(std::string common_name = "127.0.0.1");

}  // namespace tb::fakes
