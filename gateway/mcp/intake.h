#pragma once

// One message intake for every client transport: Streamable HTTP (POST), legacy SSE (POST to
// /messages), stdio and bridged stdio. The transports only frame bytes; what a message is, and
// which errors a bad one gets, is decided here once, so the same bad input gets the same JSON-RPC
// error on every transport (tests/integration/tst_intake.cpp sends the same battery over stdio
// and HTTP):
//   parse()          bytes -> one JSON object (or a batch array): -32700 for invalid JSON and raw
//                    control characters in strings, -32600 for valid JSON that is no object
//   classify()       request, notification or response, or -32600 naming why not
//   isStateless()    the era: a request whose params._meta claims a protocol version is
//                    2026-07-28 (stateless); anything else belongs to a session
//   checkStateless() the 2026-07-28 rules: the _meta envelope, a served version, no client
//                    responses, the methods 2026-07-28 removed; over HTTP also the headers that
//                    repeat the body (MCP-Protocol-Version, Mcp-Method, Mcp-Name, Mcp-Param-*)

#include "http/httptypes.h"
#include "model/protocol.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <functional>
#include <optional>

namespace metamcp::intake {

// An answer the intake gives instead of handing the message on: the HTTP status (for HTTP), and
// the JSON-RPC error (id, code, message, data).
struct Rejection
{
    int httpStatus = 400;
    int code = 0;
    QString message;
    QJsonValue data;
    QJsonValue id = QJsonValue::Null;

    QJsonObject error() const { return jsonrpc::error(id, code, message, data); }
};

struct Parsed
{
    QJsonObject object;                 // the message, when it is one object
    std::optional<QJsonArray> batch;    // a JSON array (a batch: only 2025-03-26 sessions)
    std::optional<Rejection> rejection; // neither
};
Parsed parse(const QByteArray &bytes);

struct Classified
{
    jsonrpc::Kind kind = jsonrpc::Kind::Invalid;
    QString method;
    std::optional<Rejection> rejection; // kind Invalid
};
Classified classify(const QJsonObject &message);

// Whether the message claims a protocol version in params._meta (2026-07-28, stateless).
bool isStateless(const QJsonObject &message);

// 2026-07-28 checks. `request` is the HTTP request (its headers are checked against the body),
// nullptr for stdio. `inputSchema(tool)` gives the exposed tool's inputSchema for Mcp-Param-*.
struct StatelessCheck
{
    enum class Outcome {
        Proceed,      // a request to dispatch
        Notification, // accepted, nothing to dispatch (HTTP 202)
        Reject,
    };
    Outcome outcome = Outcome::Proceed;
    Rejection rejection;
    QString version;
};
StatelessCheck checkStateless(const QJsonObject &message, const http::HttpRequest *request,
                              const std::function<QJsonObject(const QString &tool)> &inputSchema);

// A header value of 2026-07-28: as is, or "=?base64?<Base64 of UTF-8>?=" (nullopt: bad Base64).
std::optional<QString> decodeHeaderValue(const QByteArray &raw);

} // namespace metamcp::intake
