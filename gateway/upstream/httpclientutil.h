#pragma once

// Small helpers shared by the two HTTP upstream clients (HttpUpstream, SseUpstream): request
// headers from the UpstreamConfig, turning HTTP and network failures into readable JSON-RPC
// errors, and content type checks. Private to gateway/upstream.

#include "model/config.h"

#include <QByteArray>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QString>
#include <QUrl>

class QNetworkReply;

namespace metamcp::httpclient {

// A request to `url` with `headers` (Upstream::requestHeaders(): asked per request) and
// `accept`; caching disabled.
QNetworkRequest makeRequest(const QMap<QString, QString> &headers, const QUrl &url, const QByteArray &accept);
// Whether `url` is a valid http or https URL (what the HTTP transports connect to).
bool isHttpUrl(const QUrl &url);
// Lets a reply go (none: nothing): disconnected from `receiver`, aborted, deleted later.
void drop(QNetworkReply *reply, const QObject *receiver);
// URL as shown in messages and logs: no user info, query or fragment (they may hold secrets).
QString displayUrl(const QUrl &url);
// The start of a body as one readable line ("" for an empty body).
QString bodyExcerpt(const QByteArray &body, qsizetype maxChars = 400);
// HTTP status of a finished (or started) reply, 0 when no HTTP response arrived.
int httpStatus(const QNetworkReply *reply);
// Content type without parameters, lower-case ("text/event-stream").
QByteArray mediaType(const QNetworkReply *reply);
// "HTTP 500 from http://host/mcp: <body excerpt>" or "network error from …: <error string>".
QString failureMessage(const QNetworkReply *reply, const QUrl &url, const QByteArray &body);
// For a 401 or 403 answer: "needs authorization: HTTP 401, resource_metadata=\"…\"", with the
// parameters of its WWW-Authenticate challenge (where a client gets a token), else empty.
QString authorizationFailure(const QNetworkReply *reply);
// JSON-RPC error code for an HTTP failure: 401/403 -> Unauthorized; a JSON-RPC error body keeps
// its code; otherwise UpstreamUnavailable.
int failureCode(int status, const QByteArray &body);
// True when an HTTP failure means the server lost the session: 404, or 400 with a body that
// talks about the session id (servers that answer a lost session with 400 instead of 404, like
// the TypeScript SDK examples).
bool sessionLost(int status, const QByteArray &body);

} // namespace metamcp::httpclient
