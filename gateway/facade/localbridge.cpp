#include "facade/localbridge.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#endif

namespace metamcp::bridge {

namespace {

QByteArray line(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

} // namespace

QString serverName(const QString &dataDir)
{
    const QString dir = QFileInfo(dataDir).absoluteFilePath();
    const QByteArray hash =
        QCryptographicHash::hash(QDir::cleanPath(dir).toUtf8(), QCryptographicHash::Sha256).toHex().left(20);
#ifdef Q_OS_UNIX
    const QString inDataDir = QDir(dir).filePath(QStringLiteral("metamcp.sock"));
    if (inDataDir.toUtf8().size() < 100) // sun_path holds 104 to 108 bytes
        return inDataDir;
    return QDir(QDir::tempPath())
        .filePath(QStringLiteral("metamcp-%1-%2.sock").arg(::geteuid()).arg(QString::fromLatin1(hash)));
#else
    return QStringLiteral("metamcp-") + QString::fromLatin1(hash);
#endif
}

bool peerIsSameUser(qintptr socketDescriptor, QString *why)
{
#if defined(Q_OS_LINUX)
    struct ucred cred
    {
    };
    socklen_t length = sizeof cred;
    if (::getsockopt(int(socketDescriptor), SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0) {
        *why = QStringLiteral("the peer's credentials cannot be read");
        return false;
    }
    if (cred.uid != ::geteuid()) {
        *why = QStringLiteral("the peer runs as user id %1, not %2").arg(cred.uid).arg(::geteuid());
        return false;
    }
    return true;
#elif defined(Q_OS_UNIX)
    uid_t uid = 0;
    gid_t gid = 0;
    if (::getpeereid(int(socketDescriptor), &uid, &gid) != 0) {
        *why = QStringLiteral("the peer's credentials cannot be read");
        return false;
    }
    if (uid != ::geteuid()) {
        *why = QStringLiteral("the peer runs as user id %1, not %2").arg(uid).arg(::geteuid());
        return false;
    }
    return true;
#else
    // Windows: the pipe's ACL (QLocalServer::UserAccessOption) admits only this user.
    Q_UNUSED(socketDescriptor)
    Q_UNUSED(why)
    return true;
#endif
}

QByteArray helloLine(const QString &ns, const QString &client)
{
    return line({{QStringLiteral("metamcp-bridge"), kProtocol},
                 {QStringLiteral("namespace"), ns},
                 {QStringLiteral("client"), client}});
}

QByteArray acceptLine()
{
    return line({{QStringLiteral("metamcp-bridge"), kProtocol}, {QStringLiteral("ok"), true}});
}

QByteArray refuseLine(const QString &why)
{
    return line({{QStringLiteral("metamcp-bridge"), kProtocol}, {QStringLiteral("error"), why}});
}

} // namespace metamcp::bridge
