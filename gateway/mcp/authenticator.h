#pragma once

// How a transport learns who sends a request: asynchronously, so that an authenticator may ask
// a directory, an introspection endpoint or a JWKS first (later issues). The transport holds
// the request until `done` runs and never assumes it runs before authenticate() returns.
// Gateway thread only.

#include "http/httptypes.h"
#include "model/principal.h"

#include <QByteArray>
#include <QHostAddress>
#include <QString>

#include <functional>
#include <optional>

namespace metamcp {

struct AuthRequest
{
    QString ns;               // the namespace the request is for
    bool credentialRequired;  // the namespace accepts no anonymous callers
    QByteArray authorization; // the Authorization header as sent ("" when none)
    QHostAddress peer;        // the client's address
};

struct AuthResult
{
    std::optional<Principal> principal; // set: the request may go on as this principal
    // Otherwise: the answer to the client.
    int httpStatus = 401;
    QString message;
    http::HttpHeaders headers; // e.g. WWW-Authenticate

    static AuthResult allow(Principal p)
    {
        AuthResult r;
        r.principal = std::move(p);
        return r;
    }
    static AuthResult deny(int status, QString message, http::HttpHeaders headers = {})
    {
        AuthResult r;
        r.httpStatus = status;
        r.message = std::move(message);
        r.headers = std::move(headers);
        return r;
    }
};

class Authenticator
{
public:
    virtual ~Authenticator() = default;
    // Calls `done` exactly once, now or later, on the gateway thread.
    virtual void authenticate(const AuthRequest &request, std::function<void(const AuthResult &result)> done) = 0;
};

// Bearer API keys (and anonymous callers where the namespace takes them) checked by a function
// that answers at once: `verify(ns, key)` returns the key's principal or nothing.
class BearerKeyAuthenticator final : public Authenticator
{
public:
    using Verify = std::function<std::optional<Principal>(const QString &ns, const QString &key)>;
    explicit BearerKeyAuthenticator(Verify verify)
        : m_verify(std::move(verify))
    {}
    void authenticate(const AuthRequest &request, std::function<void(const AuthResult &result)> done) override;

private:
    Verify m_verify;
};

} // namespace metamcp
