#pragma once

// What one namespace exposes, computed from its configuration and its servers' listings alone
// (no upstream, no I/O): the exposed tool names (prefix `<server><sep><tool>` or the plain name,
// then overrides: rename, description, disable), the first server winning a clash; prompts
// likewise; resources by URI and templates by RFC 6570 pattern; and the servers left out with
// their state and reason (the `io.metamcp/unavailable` of a list result). The Router keeps one
// per namespace and rebuilds it when a registry or the configuration changes.

#include "model/config.h"
#include "model/events.h"
#include "model/upstreamstate.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QRegularExpression>

namespace metamcp {

struct ToolRef
{
    QString server;
    QString upstreamName;
    bool enabled = true;
    QJsonObject tool; // as exposed
    QJsonObject inputSchema;
    QByteArray validatorKey; // server, tool and registry generation: one compiled schema each
};

struct PromptRef
{
    QString server;
    QString upstreamName;
};

// One server of the namespace as the index sees it.
struct ServerListing
{
    QString server;
    bool running = false; // an upstream exists for it (else "stopped", or "disabled" if !enabled)
    bool enabled = true;  // its configuration's enabled flag
    UpstreamState state = UpstreamState::Stopped;
    QString stateReason;
    bool loaded = false;    // a complete listing arrived since it became Ready
    quint64 generation = 0; // of its listing: part of a tool's validatorKey
    QJsonArray tools;
    QJsonArray prompts;
    QJsonArray resources;
    QJsonArray resourceTemplates;
};

class NamespaceIndex
{
public:
    // `ns` in the order of its servers; `generation` numbers this build (list cursors carry it).
    static NamespaceIndex build(const NamespaceConfig &ns, const QList<ServerListing> &servers, quint64 generation);

    quint64 generation = 0;
    QHash<QString, ToolRef> tools; // by exposed name, disabled ones included
    QJsonArray toolList;           // enabled tools in order
    QList<ToolInfo> toolInfos;     // all, for the console
    QHash<QString, PromptRef> prompts;
    QJsonArray promptList;
    QJsonArray resourceList;
    QJsonArray templateList;
    QHash<QString, QString> resourceServer; // uri -> server
    QList<std::pair<QRegularExpression, QString>> templateServers;
    QJsonArray unavailable; // [{server, state, reason}]

    // An enabled tool by exposed name (nullptr if none).
    const ToolRef *enabledTool(const QString &exposed) const;
    // The server of a listed resource, else of the first template matching `uri` (empty if none).
    QString serverForUri(const QString &uri) const;
    // RFC 6570 template -> anchored regex, each expression matching greedily (invalid if the
    // template is).
    static QRegularExpression templateRegex(const QString &uriTemplate);
};

} // namespace metamcp
