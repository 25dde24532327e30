#include "mcp/authenticator.h"

namespace metamcp {

void BearerKeyAuthenticator::authenticate(const AuthRequest &request,
                                          std::function<void(const AuthResult &result)> done)
{
    const QByteArray &auth = request.authorization;
    QString key;
    if (auth.size() > 7 && auth.first(7).compare("Bearer ", Qt::CaseInsensitive) == 0)
        key = QString::fromUtf8(auth.mid(7).trimmed());
    if (!request.credentialRequired)
        return done(AuthResult::allow(Principal::anonymous()));
    std::optional<Principal> who;
    if (!key.isEmpty() && m_verify)
        who = m_verify(request.ns, key);
    if (who)
        return done(AuthResult::allow(*who));
    done(AuthResult::deny(401,
                          key.isEmpty()
                              ? QStringLiteral("This namespace needs an API key (Authorization: Bearer <key>)")
                              : QStringLiteral("The API key is not valid for this namespace"),
                          {{QByteArrayLiteral("WWW-Authenticate"),
                            key.isEmpty() ? QByteArrayLiteral("Bearer realm=\"metamcp\"")
                                          : QByteArrayLiteral("Bearer realm=\"metamcp\", error=\"invalid_token\"")}}));
}

} // namespace metamcp
