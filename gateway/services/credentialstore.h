#pragma once

// Usable from any thread: QtKeychain jobs run on the application's main thread (its job
// executor is process-wide), results come back to the thread owning this object.
//
// Secrets (upstream credentials: secret headers and environment values) live only in the OS
// keychain through QtKeychain: libsecret/gnome-keyring on Linux, Keychain on macOS, the
// Credential Manager on Windows. Never in SQLite, config files or logs; the store keeps only
// the names of the secret fields. Job-based and asynchronous; callbacks run on the thread
// that owns the CredentialStore. The insecure fallback of QtKeychain stays off. A backend
// that is not up yet (the secret service starting with the session) is retried a few times;
// a missing backend is a clear error.

#include <QObject>
#include <QString>

#include <functional>
#include <optional>

namespace metamcp {

class CredentialStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CredentialStore)
public:
    explicit CredentialStore(const QString &service = QStringLiteral("MetaMCP"), QObject *parent = nullptr);
    ~CredentialStore() override;

    using Done = std::function<void(const QString &error)>;
    // `value` is nullopt when the key does not exist (error empty).
    using ReadDone = std::function<void(const QString &error, const std::optional<QString> &value)>;

    void write(const QString &key, const QString &value, Done done);
    void read(const QString &key, ReadDone done);
    void remove(const QString &key, Done done); // removing a missing key is not an error

    QString service() const { return m_service; }

    // Keychain key of one secret field of an upstream server.
    static QString serverKey(const QString &server, const QString &field) { return server + QLatin1Char('/') + field; }

    static constexpr int kBackendRetries = 3;
    static constexpr int kBackendRetryDelayMs = 500;

private:
    QString m_service;
};

} // namespace metamcp
