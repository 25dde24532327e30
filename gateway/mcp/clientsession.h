#pragma once

// A downstream MCP client as the gateway sees it. Transport-independent: Streamable HTTP,
// legacy SSE and stdio all create ClientSessions and hand their messages to the Router.
// Lives on the gateway thread.

#include "http/httptypes.h"
#include "model/principal.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QString>

#include <functional>
#include <memory>

namespace metamcp {

// Messages the gateway sends that belong to no particular client request (list_changed,
// resources/updated, unrelated server->client requests): the Streamable HTTP GET stream,
// the legacy SSE stream, or stdout of the stdio transport.
class ClientChannel
{
public:
    virtual ~ClientChannel() = default;
    // False if the message could not be delivered (no stream open).
    virtual bool sendToClient(const QJsonObject &message) = 0;
};

// Messages that belong to one client request: related notifications and server->client
// requests (message), then exactly one finish(): the response, or an empty object when no
// response may be sent (the client cancelled the request). finish() returns the bytes
// written for the response (0 if none).
class CallSink
{
public:
    virtual ~CallSink() = default;
    virtual void message(const QJsonObject &message) = 0;
    virtual qint64 finish(const QJsonObject &response) = 0;
    // The response as serialized JSON-RPC text (the Router splices results it need not parse).
    // Sinks that write bytes override this; the default parses it for finish().
    virtual qint64 finishSerialized(const QByteArray &response);
    // HTTP status and extra headers for the answer that follows (finish()), when the gateway
    // decided it: 2026-07-28's 404 for an unknown method and 400 for a missing client capability,
    // a stage's local reply (429 with Retry-After, ...). True if the answer will carry them: a
    // JSON answer not yet begun. False where they cannot go (a stream already open or preferred,
    // stdio, legacy SSE): the Router then puts them into the error's data.
    virtual bool setStatus(int status, const http::HttpHeaders &headers)
    {
        Q_UNUSED(status)
        Q_UNUSED(headers)
        return false;
    }
    // The upstream closed its stream of the call to be polled after `retryMs` (SEP-1699). A sink
    // that can (a 2025-11-25 session's POST stream) does the same to its client; others ignore it.
    virtual void pause(int retryMs) { Q_UNUSED(retryMs) }
};
using CallSinkPtr = std::shared_ptr<CallSink>;

class ClientSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClientSession)
public:
    enum class Transport { StreamableHttp, LegacySse, Stdio, Stateless };

    ClientSession(const QString &id, const QString &ns, Transport transport, QObject *parent = nullptr);
    ~ClientSession() override;

    QString id() const { return m_id; }
    QString ns() const { return m_ns; }
    Transport transport() const { return m_transport; }
    bool isStateless() const { return m_transport == Transport::Stateless; }

    QString protocolVersion;
    QJsonObject clientInfo;
    QJsonObject clientCapabilities;
    bool initialized = false;    // initialize answered
    Principal principal;         // who the client is (set by the transport before the Router sees it)
    QString logLevel;            // logging/setLevel, empty: not set
    QSet<QString> subscriptions; // resource URIs
    QDateTime created = QDateTime::currentDateTimeUtc();
    QDateTime lastActivity = created;

    QString clientName() const; // "name/version", plus " [key: label]" for an API key's principal
    bool clientSupports(const QString &capability) const { return clientCapabilities.contains(capability); }

    void setChannel(ClientChannel *channel) { m_channel = channel; }
    ClientChannel *channel() const { return m_channel; }
    bool sendToClient(const QJsonObject &message);

    // Server->client requests waiting for the client's response, by jsonrpc::idKey.
    QString registerClientRequest(std::function<void(const QJsonObject &response)> onResponse);
    bool deliverClientResponse(const QJsonObject &response);
    // The server side gave up on a request it sent: forget it without answering.
    void forgetClientRequest(const QString &id);
    // Fails every pending server->client request (session ends).
    void failClientRequests(const QString &reason);

    // Client requests in flight, by jsonrpc::idKey: how to cancel each.
    void addInFlight(const QString &idKey, std::function<void(const QString &reason)> cancel);
    void removeInFlight(const QString &idKey);
    bool cancelInFlight(const QString &idKey, const QString &reason);
    void cancelAllInFlight(const QString &reason);
    int inFlightCount() const { return int(m_inFlight.size()); }

Q_SIGNALS:
    void closing();

private:
    QString m_id;
    QString m_ns;
    Transport m_transport;
    ClientChannel *m_channel = nullptr;
    quint64 m_nextClientRequestId = 1;
    QHash<QString, std::function<void(const QJsonObject &)>> m_pendingClientRequests;
    QHash<QString, std::function<void(const QString &)>> m_inFlight;
};

} // namespace metamcp
