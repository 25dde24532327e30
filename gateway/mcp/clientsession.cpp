#include "mcp/clientsession.h"

#include "model/errors.h"
#include "model/protocol.h"

#include <QJsonDocument>

namespace metamcp {

qint64 CallSink::finishSerialized(const QByteArray &response)
{
    return finish(QJsonDocument::fromJson(response).object());
}

ClientSession::ClientSession(const QString &id, const QString &ns, Transport transport, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_ns(ns)
    , m_transport(transport)
{}

ClientSession::~ClientSession()
{
    failClientRequests(QStringLiteral("client session closed"));
}

QString ClientSession::clientName() const
{
    const QString name = clientInfo.value(QLatin1String("name")).toString();
    const QString version = clientInfo.value(QLatin1String("version")).toString();
    QString who = version.isEmpty() ? name : name + QLatin1Char('/') + version;
    if (principal.kind == Principal::Kind::ApiKey) // the caller's identity: its key's label
        who += QStringLiteral(" [key: %1]").arg(principal.displayName);
    return who;
}

bool ClientSession::sendToClient(const QJsonObject &message)
{
    return m_channel && m_channel->sendToClient(message);
}

QString ClientSession::registerClientRequest(std::function<void(const QJsonObject &)> onResponse)
{
    const QString id = QStringLiteral("gw-%1").arg(m_nextClientRequestId++);
    m_pendingClientRequests.insert(jsonrpc::idKey(QJsonValue(id)), std::move(onResponse));
    return id;
}

bool ClientSession::deliverClientResponse(const QJsonObject &response)
{
    const QJsonValue id = response.value(QLatin1String("id"));
    if (!jsonrpc::isValidId(id))
        return false;
    auto handler = m_pendingClientRequests.take(jsonrpc::idKey(id));
    if (!handler)
        return false;
    handler(response);
    return true;
}

void ClientSession::forgetClientRequest(const QString &id)
{
    m_pendingClientRequests.remove(jsonrpc::idKey(QJsonValue(id)));
}

void ClientSession::failClientRequests(const QString &reason)
{
    const auto pending = std::exchange(m_pendingClientRequests, {});
    for (auto it = pending.cbegin(); it != pending.cend(); ++it)
        it.value()(jsonrpc::error(QJsonValue::Null, rpcerr::InternalError, reason));
}

void ClientSession::addInFlight(const QString &idKey, std::function<void(const QString &)> cancel)
{
    m_inFlight.insert(idKey, std::move(cancel));
}

void ClientSession::removeInFlight(const QString &idKey)
{
    m_inFlight.remove(idKey);
}

bool ClientSession::cancelInFlight(const QString &idKey, const QString &reason)
{
    auto cancel = m_inFlight.take(idKey);
    if (!cancel)
        return false;
    cancel(reason);
    return true;
}

void ClientSession::cancelAllInFlight(const QString &reason)
{
    const auto inFlight = std::exchange(m_inFlight, {});
    for (auto it = inFlight.cbegin(); it != inFlight.cend(); ++it)
        it.value()(reason);
}

} // namespace metamcp
