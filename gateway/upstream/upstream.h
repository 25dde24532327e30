#pragma once

// One upstream MCP server as seen by the gateway: a JSON-RPC peer that the gateway
// initialises as an MCP client and then sends requests to. Subclasses provide the transport
// (StdioUpstream, HttpUpstream for Streamable HTTP, SseUpstream for legacy HTTP+SSE,
// RestUpstream for REST APIs exposed as tools).
//
// Threading: created, used and destroyed on the gateway thread only.
//
// Contract of sendRequest():
//  * `done` is called exactly once with a complete JSON-RPC response object
//    ({"jsonrpc","id","result"} or {"jsonrpc","id","error"}) — the upstream's own, or one the
//    gateway made up: -32001 timeout, -32002 upstream unavailable/crashed, -32800 cancelled.
//    The id in that object is the upstream-side id; callers ignore it.
//  * `done` is never called synchronously from inside sendRequest() (nor from cancelRequest(),
//    a deadline or stop()). It runs from the event loop with the Upstream as context: an
//    upstream's answer is handed on straight from the transport's event handler, everything
//    else through a queued call. Once the Upstream is destroyed, no callback runs
//    (stop() first and let the event loop run to have pending requests finished with -32002).
//  * While Starting, requests wait for Ready; while Stopped or Failing they finish at once
//    (asynchronously) with -32002.
//  * Requests beyond config().maxConcurrency wait in a FIFO queue (their deadline runs).
//  * Notifications and server->client requests that the upstream relates to this request
//    (Streamable HTTP: sent on that POST's SSE stream; any transport: notifications/progress
//    whose progressToken equals params._meta.progressToken of the request) go to `hooks`
//    instead of the notificationReceived / serverRequestReceived signals.

#include "model/config.h"
#include "model/errors.h"
#include "model/protocol.h"
#include "model/upstreamstate.h"
#include "upstream/credentialprovider.h"

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>

namespace metamcp {

struct RequestHooks
{
    // A notification related to the request (progress, logging message, ...): the full
    // JSON-RPC notification object as the upstream sent it.
    std::function<void(const QJsonObject &notification)> onNotification;
    // A server->client request related to the request (sampling/createMessage,
    // elicitation/create, roots/list). Call `reply` once with the JSON-RPC response object
    // to send back (its id is replaced by the upstream's request id).
    std::function<void(const QJsonObject &request, std::function<void(const QJsonObject &response)> reply)>
        onServerRequest;
    // A success whose `result` the transport has as JSON text (a REST body; an MCP server's
    // answer seen by dispatchSerializedResponse()): called instead of `done`, with that text
    // (one line) and whether it is a tool error (result.isError). Errors, and requests without
    // this hook, go to `done` parsed as usual.
    std::function<void(const QByteArray &resultJson, bool toolError)> onSerializedResult;
    // The upstream closed the request's SSE stream before answering, to be polled (SEP-1699):
    // the transport resumes it after `retryMs` (the stream's retry field). A gateway client may
    // be asked to do the same.
    std::function<void(int retryMs)> onStreamPaused;
};

class Upstream : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Upstream)
public:
    using ResponseHandler = std::function<void(const QJsonObject &response)>;

    explicit Upstream(const UpstreamConfig &config, QObject *parent = nullptr);
    ~Upstream() override;

    // Built by createUpstream() (upstream/upstreamfactory.h) or an injected UpstreamFactory.

    const UpstreamConfig &config() const { return m_config; }
    QString name() const { return m_config.name; }

    // Per-request headers of HTTP transports come from `provider` (shared: it outlives the
    // upstream whoever goes first); without one, from config().headers.
    void setCredentialProvider(std::shared_ptr<const CredentialProvider> provider)
    {
        m_credentials = std::move(provider);
    }
    // The headers of the next HTTP request: the provider's current ones, else the configured.
    QMap<QString, QString> requestHeaders() const;
    // Whether running with `next` instead of config() needs a new upstream (process, session).
    // Only the headers of an HTTP, SSE or REST server do not: they are read per request.
    static bool needsRestart(const UpstreamConfig &current, const UpstreamConfig &next);
    // Takes `next` as the config without restarting; only when !needsRestart(config(), next).
    void applyLiveConfig(const UpstreamConfig &next);
    UpstreamState state() const { return m_state; }
    QString stateReason() const { return m_stateReason; }

    // Filled after a successful initialize handshake.
    QJsonObject serverCapabilities() const { return m_serverCapabilities; }
    QJsonObject serverInfo() const { return m_serverInfo; }
    QString instructions() const { return m_instructions; }
    QString protocolVersion() const { return m_protocolVersion; }
    // The server speaks the stateless revision 2026-07-28 (negotiated by server/discover): no
    // session, no initialize; every request carries the _meta envelope (requestEnvelope()) and,
    // over HTTP, the standard headers.
    bool isStateless() const { return m_stateless; }
    // The arguments of `tool` that its inputSchema marks with x-mcp-header (SEP-2243), as
    // (argument, header name) pairs, learnt from the tools/list answers that passed.
    QList<std::pair<QString, QString>> headerParams(const QString &tool) const { return m_headerParams.value(tool); }

    // Connect/spawn, run initialize + notifications/initialized, then state Ready.
    // On failure: state Failing with a reason, retried with exponential backoff
    // (1 s, 2 s, 4 s ... capped at 60 s) until stop(). A stdio process that exits is respawned
    // the same way. Calling start() on a running upstream does nothing.
    virtual void start() = 0;
    // Terminate (stdio: close stdin, terminate, kill after 2 s; http: DELETE the session).
    // Pending requests finish with -32002. State Stopped.
    virtual void stop() = 0;
    void restart();

    quint64 sendRequest(const QString &method, const QJsonObject &params, ResponseHandler done, RequestHooks hooks = {},
                        int timeoutMs = -1 /* -1: config().requestTimeoutMs */);
    // Sends notifications/cancelled upstream (if already sent) and finishes the request with -32800.
    void cancelRequest(quint64 handle, const QString &reason);
    // A JSON-RPC notification to the upstream, sent with sendMessage().
    void sendNotification(const QString &method, const QJsonObject &params = {});
    // Answer an unrelated server->client request received through serverRequestReceived.
    void sendResponse(const QJsonObject &response);

    int inFlight() const;
    int queued() const;

    // Bounds (McpLimits): requests waiting for a slot, and (stdio) bytes the process has not
    // read. Beyond them a request fails at once with -32002 naming the limit.
    void setQueueLimit(int requests) { m_queueLimit = requests; }
    void setWriteBufferLimit(qint64 bytes) { m_writeBufferLimit = bytes; }

    // Bounded log of what the upstream wrote to stderr (stdio) or transport events, newest last.
    QStringList recentLog() const { return m_log; }

Q_SIGNALS:
    void stateChanged(metamcp::UpstreamState state, const QString &reason);
    // Unrelated notifications: */list_changed, resources/updated, message (logging), progress
    // that matched no request, cancelled for a server->client request.
    void notificationReceived(const QJsonObject &notification);
    // Unrelated server->client requests (e.g. roots/list, or sampling over stdio where the
    // transport cannot tell which call it belongs to). Answer with sendResponse().
    void serverRequestReceived(const QJsonObject &request);
    void logLine(const QString &line);

protected:
    int m_queueLimit = 1000;
    qint64 m_writeBufferLimit = 16 * 1024 * 1024;

    // Transport hook: actually send a request that has passed the concurrency gate. The
    // subclass calls finishRequest(handle, response) exactly once (not synchronously).
    virtual void transmitRequest(quint64 handle, const QJsonObject &request, const RequestHooks &hooks) = 0;
    // What the queue calls for a request that passed the gate. The default builds the JSON-RPC
    // request for transmitRequest(); a transport that needs only method and params (REST)
    // overrides this and skips that object.
    virtual void transmitCall(quint64 handle, const QString &method, const QJsonObject &params,
                              const RequestHooks &hooks);
    // Transport hook: send one JSON-RPC message that expects no answer (a notification, a
    // response to a server->client request) the way this transport sends messages: a line on
    // stdin, a POST, ... One it cannot deliver (not connected) is logged as dropped.
    virtual void sendMessage(const QJsonObject &message) = 0;
    // Transport hook: the request was cancelled/timed out after transmitRequest: forget it (abort
    // its exchange). Returns whether the upstream may have it and so is to be told: the base
    // class then sends notifications/cancelled (never for the handshake, nor to a stateless
    // 2026-07-28 server, for which the closed request is the cancellation).
    virtual bool abandonRequest(quint64 handle, const QString &reason) = 0;

    // How finishRequest() hands the response to `done`: Queued (always safe) or Direct, for a
    // transport delivering an answer from its own event handler. Direct falls back to Queued
    // inside sendRequest(), so the contract above holds either way.
    enum class Delivery { Queued, Direct };
    void finishRequest(quint64 handle, const QJsonObject &response, Delivery delivery = Delivery::Queued);
    // finishRequest() for a success whose result is strict JSON object text (`resultJson`),
    // handed to hooks.onSerializedResult unchanged but for line breaks (whitespace in valid JSON,
    // made spaces so that line-framed transports can carry it), or parsed for `done` when the
    // request has no such hook.
    void finishRequestSerialized(quint64 handle, const QByteArray &resultJson, bool toolError,
                                 Delivery delivery = Delivery::Queued);
    void setState(UpstreamState state, const QString &reason = {});
    void setServerInfo(const QJsonObject &initializeResult);
    void appendLog(const QString &line);
    // Finish every transmitted and queued request with the given error (crash, stop).
    void failAll(int code, const QString &message);
    // JSON-RPC id for the upstream request that `handle` stands for (handles are ids).
    static QJsonValue idFor(quint64 handle) { return QJsonValue(static_cast<qint64>(handle)); }

    static constexpr int kMaxLogLines = 500;

    // --- Helpers for the transports (not part of the public contract) ---

    // Sends a request outside the concurrency gate and whether or not the upstream is Ready
    // (initialize during start-up). Not counted in inFlight(); failAll() still finishes it.
    quint64 sendControlRequest(const QString &method, const QJsonObject &params, ResponseHandler done, int timeoutMs);
    // initialize (latest protocol version, gatewayClientCapabilities, gatewayClientInfo), check
    // the protocol version, setServerInfo(), notifications/initialized. `finished` gets an empty
    // string on success, else the reason. It does not change the state.
    void initializeSession(int timeoutMs, std::function<void(const QString &error)> finished);
    // server/discover first: a server that supports 2026-07-28 is used statelessly
    // (isStateless()); for any other answer (-32601, an HTTP error, older versions only) it falls
    // back to initializeSession(). For transports where every request gets an answer (HTTP).
    void negotiateSession(int timeoutMs, std::function<void(const QString &error)> finished, bool retried = false);
    // What a stateless request's params._meta carries: protocol version, the gateway's client
    // capabilities and client info.
    static QJsonObject requestEnvelope();
    // "[gateway] initialized <name> <version> (protocol <version><detail>)" once Ready.
    void logInitialized(const QString &detail = {});

    // Routes one incoming JSON-RPC message (object or batch array): responses finish the request
    // their id names; notifications and server->client requests go through dispatchNotification /
    // dispatchServerRequest. `relatedHandle` (0: none) is the request whose stream carried it.
    // `guessSole`: a server->client request with no related request goes to the hooks of the one
    // transmitted request that takes server requests (RequestHooks::onServerRequest) if exactly
    // one is in flight (stdio and legacy SSE cannot tell otherwise); with several it is not
    // guessed but emitted as unrelated (serverRequestReceived).
    void dispatchMessage(const QJsonValue &message, quint64 relatedHandle = 0, bool guessSole = false);
    // For the text of one message, before parsing it: if it is a success response to a
    // transmitted request whose caller takes serialized results (RequestHooks::onSerializedResult),
    // finishes that request with the result's text, never parsed into a QJsonObject, and returns
    // true. Otherwise (anything else, or invalid JSON) returns false: parse and dispatch as usual.
    bool dispatchSerializedResponse(const QByteArray &text);
    // The text of one message from the wire: dispatchSerializedResponse(), else parsed and
    // dispatchMessage(). False when it is not JSON (nothing dispatched; the transport reports it).
    bool dispatchText(const QByteArray &text, quint64 relatedHandle = 0, bool guessSole = false);
    void dispatchNotification(const QJsonObject &notification, quint64 relatedHandle = 0);
    void dispatchServerRequest(const QJsonObject &request, quint64 relatedHandle = 0, bool guessSole = false);
    // The request's stream was closed by the upstream for polling (RequestHooks::onStreamPaused).
    void dispatchStreamPaused(quint64 handle, int retryMs);

    // True while `handle` waits for its response (queued or transmitted).
    bool isPending(quint64 handle) const;
    // Method of a pending request (also valid inside abandonRequest); empty if unknown.
    QString pendingMethod(quint64 handle) const;
    // Handle named by a response id, 0 when the id is not one of ours.
    static quint64 handleFromId(const QJsonValue &id);

    // State Failing with `reason`, then retryStart() after the backoff delay (1 s, 2 s, 4 s ...
    // 60 s; back to 1 s once the upstream stayed Ready for 30 s).
    void scheduleRetry(const QString &reason);
    // The connection failed or the start-up did: every request fails with -32002 ("Upstream …
    // is not available: <reason>"), then scheduleRetry(reason).
    void failAndRetry(const QString &reason);
    // The end of stop(): every request fails with -32002 ("Upstream … stopped"), state Stopped.
    void finishStop();
    // Stops a scheduled retry and resets the backoff (stop()).
    void cancelRetry();
    // Called by the retry timer: connect/spawn again.
    virtual void retryStart() {}

private:
    struct Pending;
    // Removes a finishing request from the books (deadline, queue, in-flight count).
    // False when `handle` is unknown or being abandoned.
    bool takePending(quint64 handle, Pending *out);
    // Runs `answer` now (Direct outside sendRequest) or from the event loop, then pumps the
    // queue unless `answer` destroyed this upstream.
    template<typename Answer> void deliver(Answer &&answer, Delivery delivery);
    void pump();
    void onDeadline(quint64 handle);
    // A pending request is cancelled or timed out: if transmitted, abandonRequest(), then
    // notifications/cancelled. False when the request is gone meanwhile (nothing to finish).
    bool abandon(quint64 handle, const QString &reason);

    UpstreamConfig m_config;
    std::shared_ptr<const CredentialProvider> m_credentials;
    UpstreamState m_state = UpstreamState::Stopped;
    QString m_stateReason;
    QJsonObject m_serverCapabilities;
    QJsonObject m_serverInfo;
    QString m_instructions;
    QString m_protocolVersion;
    bool m_stateless = false;
    QHash<QString, QList<std::pair<QString, QString>>> m_headerParams;
    QStringList m_log;
    struct Impl;
    std::unique_ptr<Impl> d;
};

// What the gateway announces as client when it initialises an upstream.
QJsonObject gatewayClientInfo();
QJsonObject gatewayClientCapabilities(); // sampling, elicitation, roots{listChanged}

} // namespace metamcp
