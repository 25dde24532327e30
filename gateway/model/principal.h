#pragma once

// Who acts: every client request is resolved to exactly one Principal before the Router sees
// it (by the transport's Authenticator, mcp/authenticator.h). Limits, caches, upstream
// instances, tasks and call events key by it; the tenant is "default" until tenants exist.

#include <QMetaType>
#include <QString>
#include <QStringList>

namespace metamcp {

inline const QString kDefaultTenant = QStringLiteral("default");

struct Principal
{
    enum class Kind {
        Anonymous,  // a namespace without keys: whoever reached the listener
        ApiKey,     // a bearer API key of the namespace
        User,       // a signed-in person (OIDC, LDAP; later issues)
        LocalOwner, // the OS user running the gateway: stdio and bridged sessions, the console
    };

    QString tenant = kDefaultTenant;
    Kind kind = Kind::Anonymous;
    QString id;          // unique within tenant and kind: "key:<id>", a user id, the OS user, ""
    QString displayName; // what the console shows: a key's label (or prefix), a user's name
    QStringList scopes;  // what the credential grants (empty: the namespace's defaults)

    // One string per principal, for keys of limits, caches, isolated instances and tasks:
    // "<tenant>/<kind>/<id>". Two principals are the same caller exactly when their keys are equal.
    QString key() const { return tenant + u'/' + kindName(kind) + u'/' + id; }
    bool isAnonymous() const { return kind == Kind::Anonymous; }

    static QString kindName(Kind kind)
    {
        switch (kind) {
        case Kind::Anonymous:
            return QStringLiteral("anonymous");
        case Kind::ApiKey:
            return QStringLiteral("apikey");
        case Kind::User:
            return QStringLiteral("user");
        case Kind::LocalOwner:
            return QStringLiteral("local");
        }
        return QStringLiteral("unknown");
    }

    static Principal anonymous() { return {}; }
    static Principal localOwner(const QString &osUser)
    {
        Principal p;
        p.kind = Kind::LocalOwner;
        p.id = osUser;
        p.displayName = osUser;
        return p;
    }
    static Principal apiKey(qint64 keyId, const QString &label, const QString &prefix)
    {
        Principal p;
        p.kind = Kind::ApiKey;
        p.id = QStringLiteral("key:%1").arg(keyId);
        p.displayName = label.isEmpty() ? prefix : label;
        return p;
    }

    friend bool operator==(const Principal &a, const Principal &b) { return a.key() == b.key(); }
};

} // namespace metamcp

Q_DECLARE_METATYPE(metamcp::Principal)
