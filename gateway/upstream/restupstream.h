#pragma once

// A REST API exposed as MCP tools. Behaves like an upstream MCP server that supports
// initialize, ping, tools/list and tools/call: every call is a real HTTP request made with
// rest::HttpClient (on this thread, a keep-alive pool per origin) from the tool's RestToolConfig
// (method, URL template with {param} placeholders, headers, query parameters, JSON body). A JSON
// response becomes a text content block plus structuredContent (objects as-is, other JSON wrapped
// as {"result": ...}); other content types become text. HTTP errors (status >= 400), network
// errors and timeouts become results with isError: true and a readable message ("HTTP 404 Not
// Found from GET http://…: <body excerpt>"). Arguments are validated by the gateway before the
// call. Failures are logged (recentLog()), successful calls are not; new connections are.

#include "upstream/upstream.h"

#include <memory>

namespace metamcp {

namespace rest {
struct HttpClientResponse;
} // namespace rest

class RestUpstream final : public Upstream
{
    Q_OBJECT
public:
    explicit RestUpstream(const UpstreamConfig &config, QObject *parent = nullptr);
    ~RestUpstream() override;

    void start() override; // Ready at once (nothing to connect to); Failing if config invalid
    void stop() override;

    // The tools/list entry for one REST tool.
    static QJsonObject toolDescriptor(const RestToolConfig &tool);

protected:
    void transmitRequest(quint64 handle, const QJsonObject &request, const RequestHooks &hooks) override;
    void transmitCall(quint64 handle, const QString &method, const QJsonObject &params,
                      const RequestHooks &hooks) override;
    // Nothing: notifications/initialized means nothing to a REST API, and it never sends
    // server->client requests to answer.
    void sendMessage(const QJsonObject &message) override;
    bool abandonRequest(quint64 handle, const QString &reason) override;

private:
    void onResponse(quint64 handle, const rest::HttpClientResponse &response);

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace metamcp
