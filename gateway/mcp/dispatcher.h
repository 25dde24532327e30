#pragma once

// What the MCP transports hand client messages to. The transports (Streamable HTTP and legacy
// SSE in McpHttpEndpoint, stdio and bridged sessions in the facade) live below the Router in
// the layering (docs/ARCHITECTURE.md, "Layers"), so they see it only through this interface;
// core/router.h implements it. Gateway thread only.

#include "mcp/clientsession.h"
#include "model/config.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace metamcp {

class McpDispatcher
{
public:
    virtual ~McpDispatcher() = default;

    // The namespace's configuration, nullptr when there is no such namespace.
    virtual const NamespaceConfig *namespaceConfig(const QString &ns) const = 0;

    virtual void addSession(ClientSession *session) = 0;
    virtual void removeSession(ClientSession *session) = 0;

    // A client message. `requestBytes` is the size of the message on the wire.
    virtual void handleRequest(ClientSession *session, const QJsonObject &request, CallSinkPtr sink,
                               qint64 requestBytes = 0) = 0;
    virtual void handleNotification(ClientSession *session, const QJsonObject &notification) = 0;
    virtual void handleResponse(ClientSession *session, const QJsonObject &response) = 0;

    // The inputSchema of an enabled tool as exposed in `ns` (empty if there is no such tool):
    // the endpoint checks 2026-07-28 Mcp-Param-* headers against it.
    virtual QJsonObject toolInputSchema(const QString &ns, const QString &tool) = 0;

    // Subscribes the upstreams serving `uris` for a listening (2026-07-28) session.
    virtual void subscribe(ClientSession *session, const QStringList &uris) = 0;
};

} // namespace metamcp
