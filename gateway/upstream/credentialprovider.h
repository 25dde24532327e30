#pragma once

// Where an HTTP upstream (Streamable HTTP, SSE, REST) gets the headers of each request. The
// transports ask on every request, not at start: a refreshed token or a changed header takes
// effect with the next request, without restarting the upstream or losing its session. The
// services layer implements it (ConfigService: the configured headers with their secret values
// from the OS keychain); an upstream without a provider sends the headers of its config.
//
// Threading: called on the gateway thread, from the transport, synchronously; an implementation
// answers from memory (a token refresh updates that memory, it does not block a request).

#include <QMap>
#include <QString>

#include <optional>

namespace metamcp {

class CredentialProvider
{
public:
    CredentialProvider() = default;
    virtual ~CredentialProvider() = default;
    CredentialProvider(const CredentialProvider &) = delete;
    CredentialProvider &operator=(const CredentialProvider &) = delete;

    // The headers (name -> value) for the next request to upstream `server`; nullopt when the
    // provider does not know the server (the upstream then sends its configured headers).
    virtual std::optional<QMap<QString, QString>> requestHeaders(const QString &server) const = 0;
};

} // namespace metamcp
