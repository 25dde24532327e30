#include "services/credentialstore.h"

#include <QCoreApplication>
#include <QPointer>
#include <QTimer>

#include <qt6keychain/keychain.h>

namespace metamcp {

// QtKeychain keeps a process-wide job executor that lives in the thread which first used it,
// so every job is created on the application's main thread; results come back to the thread
// that owns the CredentialStore (the gateway thread in the console and metamcpd).

namespace {

bool retryable(QKeychain::Error error)
{
    return error == QKeychain::NoBackendAvailable || error == QKeychain::OtherError;
}

QString describe(QKeychain::Job *job)
{
    switch (job->error()) {
    case QKeychain::NoBackendAvailable:
        return QStringLiteral("No OS keychain is available (on Linux: a running secret service such as "
                              "gnome-keyring or KWallet): %1")
            .arg(job->errorString());
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return QStringLiteral("The OS keychain denied access: %1").arg(job->errorString());
    default:
        return QStringLiteral("The OS keychain failed: %1").arg(job->errorString());
    }
}

enum class Op { Read, Write, Remove };

struct Result
{
    QString error;
    std::optional<QString> value;
};

// Runs on the main thread: one job, retried while the backend is not up yet.
void runJob(const QString &service, Op op, const QString &key, const QString &value, int attempt,
            std::function<void(const Result &)> finished)
{
    QKeychain::Job *job = nullptr;
    switch (op) {
    case Op::Read:
        job = new QKeychain::ReadPasswordJob(service);
        break;
    case Op::Write: {
        auto *write = new QKeychain::WritePasswordJob(service);
        write->setTextData(value);
        job = write;
        break;
    }
    case Op::Remove:
        job = new QKeychain::DeletePasswordJob(service);
        break;
    }
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(key);
    QObject::connect(job, &QKeychain::Job::finished, QCoreApplication::instance(),
                     [service, op, key, value, attempt, finished](QKeychain::Job *j) {
                         Result result;
                         if (j->error() == QKeychain::NoError) {
                             if (op == Op::Read)
                                 result.value = static_cast<QKeychain::ReadPasswordJob *>(j)->textData();
                         } else if (j->error() == QKeychain::EntryNotFound && op != Op::Write) {
                             // missing: nullopt for reads, fine for removals
                         } else if (retryable(j->error()) && attempt + 1 < CredentialStore::kBackendRetries) {
                             QTimer::singleShot(CredentialStore::kBackendRetryDelayMs, QCoreApplication::instance(),
                                                [service, op, key, value, attempt, finished] {
                                                    runJob(service, op, key, value, attempt + 1, finished);
                                                });
                             return;
                         } else {
                             result.error = describe(j);
                         }
                         finished(result);
                     });
    job->start();
}

} // namespace

CredentialStore::CredentialStore(const QString &service, QObject *parent)
    : QObject(parent)
    , m_service(service)
{}

CredentialStore::~CredentialStore() = default;

static void dispatch(CredentialStore *store, const QString &service, Op op, const QString &key, const QString &value,
                     std::function<void(const Result &)> done)
{
    QPointer<CredentialStore> self = store;
    auto deliver = [self, done](const Result &result) {
        if (!self)
            return;
        QMetaObject::invokeMethod(
            self.data(),
            [self, done, result] {
                if (self && done)
                    done(result);
            },
            Qt::QueuedConnection);
    };
    QCoreApplication *app = QCoreApplication::instance();
    if (!app) {
        deliver(Result{QStringLiteral("The OS keychain needs a running application object"), std::nullopt});
        return;
    }
    QMetaObject::invokeMethod(
        app, [service, op, key, value, deliver] { runJob(service, op, key, value, 0, deliver); }, Qt::QueuedConnection);
}

void CredentialStore::write(const QString &key, const QString &value, Done done)
{
    dispatch(this, m_service, Op::Write, key, value, [done](const Result &r) {
        if (done)
            done(r.error);
    });
}

void CredentialStore::read(const QString &key, ReadDone done)
{
    dispatch(this, m_service, Op::Read, key, {}, [done](const Result &r) {
        if (done)
            done(r.error, r.value);
    });
}

void CredentialStore::remove(const QString &key, Done done)
{
    dispatch(this, m_service, Op::Remove, key, {}, [done](const Result &r) {
        if (done)
            done(r.error);
    });
}

} // namespace metamcp
