#pragma once

// One gateway for every local client. A running gateway (console or metamcpd) listens on a
// local socket tied to its data directory; `metamcpd --stdio` for the same data directory
// connects there and only relays lines between its stdin/stdout and that gateway, so that a
// client that can only start processes (Claude Desktop) uses the same upstream processes,
// limits and inspector as everyone else. Only the same OS user may attach: the socket is
// created for the user only, and both ends check the other's user id (SO_PEERCRED /
// getpeereid) before a byte of MCP crosses.
//
// The connection opens with one line each way, then carries MCP messages one JSON object per
// line, as stdio does:
//   bridge  -> {"metamcp-bridge":1,"namespace":"<ns>","client":"metamcpd <version>"}
//   gateway -> {"metamcp-bridge":1,"ok":true}  or  {"metamcp-bridge":1,"error":"<why>"} and close

#include <QByteArray>
#include <QString>

namespace metamcp::bridge {

inline constexpr int kProtocol = 1;

// The local server name for `dataDir`: <dataDir>/metamcp.sock where the path is short enough
// for a Unix socket, else a per-user name in the temporary folder (Windows: a named pipe).
QString serverName(const QString &dataDir);

// Whether the process at the other end of a connected local socket runs as this user.
// `why` says what was found when it does not.
bool peerIsSameUser(qintptr socketDescriptor, QString *why);

// The hello line of each side.
QByteArray helloLine(const QString &ns, const QString &client);
QByteArray acceptLine();
QByteArray refuseLine(const QString &why);

} // namespace metamcp::bridge
