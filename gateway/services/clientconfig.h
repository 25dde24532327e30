#pragma once

// Import/export of the `mcpServers` JSON of MCP clients:
//  * Claude Desktop  claude_desktop_config.json  {"mcpServers": {name: {command,args,env} | {url,headers}}}
//  * Cursor          ~/.cursor/mcp.json          {"mcpServers": {name: {command,args,env} | {url,headers}}}
//  * VS Code         .vscode/mcp.json            {"servers": {name: {type:"stdio"|"http"|"sse",
//  command,args,env,cwd,url,headers}}}
//                    settings.json               {"mcp": {"servers": {...}}}
//  * MetaMCP extension (import only): {"type": "rest", "url": base, "tools": [RestToolConfig JSON]},
//    read with UpstreamConfig::fromJson; no client understands it, so export skips REST servers.

#include "model/config.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace metamcp {

enum class ClientKind { ClaudeDesktop, Cursor, VsCode };

struct ImportResult
{
    QList<UpstreamConfig> servers;
    QStringList warnings; // entries skipped and why
    QString error;        // non-empty: the document could not be read at all
    bool ok() const { return error.isEmpty(); }
};

// Accepts any of the three shapes (detects "mcpServers", "servers", "mcp.servers").
ImportResult importMcpServers(const QByteArray &json);
ImportResult importMcpServersFile(const QString &path);

// Document for `kind` listing `servers` (REST servers are skipped).
QJsonObject exportMcpServers(const QList<UpstreamConfig> &servers, ClientKind kind);

// Adds/replaces one entry named `entryName` in an existing client config document (kept
// otherwise intact) that points the client at the gateway: {url} for HTTP-capable clients,
// or {command: metamcpd, args: [--stdio, ...]}.
QJsonObject mergeGatewayEntry(const QJsonObject &existing, ClientKind kind, const QString &entryName,
                              const QJsonObject &entry);

// "Claude Desktop", "Cursor", "VS Code" (product names, not translated).
QString clientDisplayName(ClientKind kind);

// Where each client keeps its config on this OS (for the console's client setup).
QString defaultClientConfigPath(ClientKind kind);

} // namespace metamcp
