#include "mcp/mcphttpendpoint.h"
#include "mcp/intake.h"

#include "model/errors.h"
#include "model/jsontext.h"
#include "model/protocol.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QLoggingCategory>
#include <QPointer>
#include <QTimer>
#include <QUuid>

#include <algorithm>
#include <cctype>

Q_LOGGING_CATEGORY(lcHttp, "metamcp.http")

namespace metamcp {

using http::HttpHeaders;
using http::HttpRequest;
using http::HttpResponder;

namespace {

const QByteArray kJson = QByteArrayLiteral("application/json");
const QByteArray kEventStream = QByteArrayLiteral("text/event-stream");
const QByteArray kSessionHeader = QByteArrayLiteral("Mcp-Session-Id");

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// Does an Accept header admit `type` ("application/json")? Wildcards count. (Runs per request:
// views only, no allocation.)
bool accepts(QByteArrayView accept, QByteArrayView type)
{
    const QByteArrayView major = type.first(type.indexOf('/'));
    while (!accept.isEmpty()) {
        const qsizetype comma = accept.indexOf(',');
        QByteArrayView media = comma < 0 ? accept : accept.first(comma);
        accept = comma < 0 ? QByteArrayView() : accept.sliced(comma + 1);
        if (const qsizetype semi = media.indexOf(';'); semi >= 0)
            media = media.first(semi);
        media = media.trimmed();
        if (media.compare(type, Qt::CaseInsensitive) == 0 || media == "*/*")
            return true;
        if (media.endsWith("/*") && media.first(media.size() - 2).compare(major, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

// Does an Accept header prefer text/event-stream to application/json? The higher q value wins
// (RFC 9110 12.5.1); on a tie the type listed first, as the client wrote it. Wildcards admit both
// alike and decide nothing. Most clients list JSON first and get JSON; one that lists the event
// stream first gets every answer to a POST as a stream (priming event, resumable).
bool prefersEventStream(QByteArrayView accept)
{
    double qJson = -1, qSse = -1;
    int posJson = -1, posSse = -1;
    for (int pos = 0; !accept.isEmpty(); ++pos) {
        const qsizetype comma = accept.indexOf(',');
        QByteArrayView media = comma < 0 ? accept : accept.first(comma);
        accept = comma < 0 ? QByteArrayView() : accept.sliced(comma + 1);
        double q = 1;
        if (const qsizetype semi = media.indexOf(';'); semi >= 0) {
            QByteArrayView params = media.sliced(semi + 1);
            media = media.first(semi);
            while (!params.isEmpty()) {
                const qsizetype next = params.indexOf(';');
                const QByteArrayView param = (next < 0 ? params : params.first(next)).trimmed();
                params = next < 0 ? QByteArrayView() : params.sliced(next + 1);
                if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
                    bool ok = false;
                    const double value = param.sliced(2).toDouble(&ok);
                    q = ok ? std::clamp(value, 0.0, 1.0) : 0;
                }
            }
        }
        media = media.trimmed();
        if (posJson < 0 && media.compare(kJson, Qt::CaseInsensitive) == 0) {
            qJson = q;
            posJson = pos;
        } else if (posSse < 0 && media.compare(kEventStream, Qt::CaseInsensitive) == 0) {
            qSse = q;
            posSse = pos;
        }
    }
    if (posSse < 0 || qSse <= 0)
        return false;
    if (posJson < 0)
        return true;
    return qSse > qJson || (qSse == qJson && posSse < posJson);
}

// Is this Content-Type application/json? The media type must be exactly that, in any case;
// parameters (charset) may follow a ';', with optional whitespace around it (RFC 9110 8.3.1).
// "application/jsonx" or "application/json-seq" are other media types.
bool isJsonContentType(QByteArrayView contentType)
{
    if (const qsizetype semi = contentType.indexOf(';'); semi >= 0)
        contentType = contentType.first(semi);
    return contentType.trimmed().compare(kJson, Qt::CaseInsensitive) == 0;
}

// The name of an Mcp-* header as the spec writes it (the parser hands them over lower-cased).
QString mcpHeaderName(const QByteArray &lowerName)
{
    if (lowerName == "mcp-protocol-version")
        return QStringLiteral("MCP-Protocol-Version");
    if (lowerName == "mcp-session-id")
        return QStringLiteral("Mcp-Session-Id");
    if (lowerName == "mcp-method")
        return QStringLiteral("Mcp-Method");
    if (lowerName == "mcp-name")
        return QStringLiteral("Mcp-Name");
    if (lowerName.startsWith("mcp-param-"))
        return QStringLiteral("Mcp-Param-") + QString::fromLatin1(lowerName.mid(10));
    return QString::fromLatin1(lowerName);
}

bool isLoopbackHostName(QByteArrayView host)
{
    return host == "localhost" || host == "127.0.0.1" || host == "[::1]" || host == "::1" ||
           host.endsWith(".localhost");
}

// "host:port" / "[v6]:port" -> host part, lower-cased.
QByteArray hostPart(const QByteArray &hostHeader)
{
    QByteArray h = hostHeader.trimmed().toLower();
    if (h.startsWith('[')) {
        const qsizetype close = h.indexOf(']');
        return close < 0 ? h : h.left(close + 1);
    }
    const qsizetype colon = h.lastIndexOf(':');
    return colon < 0 ? h : h.left(colon);
}

// One SSE event: a JSON-RPC message unless `event` says otherwise.
QByteArray sseEvent(const QByteArray &data, const QByteArray &id = {}, QByteArrayView event = "message")
{
    QByteArray out;
    out.reserve(data.size() + id.size() + 32);
    if (!event.isEmpty())
        out.append("event: ").append(event).append('\n');
    if (!id.isEmpty())
        out.append("id: ").append(id).append('\n');
    out.append("data: ").append(data).append("\n\n");
    return out;
}

// Every SSE response of the endpoint: `headers` (CORS, session id) and the same stream headers,
// the event-stream type, no caching, and no buffering by a proxy in between (nginx).
void beginEventStream(HttpResponder *responder, HttpHeaders headers)
{
    headers.append({QByteArrayLiteral("Content-Type"), kEventStream});
    headers.append({QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-cache")});
    headers.append({QByteArrayLiteral("X-Accel-Buffering"), QByteArrayLiteral("no")});
    responder->beginStream(200, headers);
}

// A JSON body with `headers` and its Content-Type.
void sendJson(HttpResponder *responder, int status, HttpHeaders headers, const QByteArray &body)
{
    headers.append({QByteArrayLiteral("Content-Type"), kJson});
    responder->respond(status, headers, body);
}

} // namespace

// One logical SSE stream of a session: the standalone GET stream or one POST's stream. Events
// are numbered and kept (bounded) so a client can resume with Last-Event-ID.
struct McpHttpEndpoint::Stream
{
    QString id;
    QPointer<HttpResponder> responder;
    QList<std::pair<quint64, QByteArray>> replay;
    quint64 nextSeq = 1;
    bool ended = false;
    bool standalone = false;
    int replayLimit = 512;

    QByteArray eventId(quint64 seq) const { return (id + QLatin1Char('_') + QString::number(seq)).toLatin1(); }

    // Writes (or buffers) one message; returns the event bytes.
    qint64 write(const QJsonObject &message) { return writeSerialized(compact(message)); }
    qint64 writeSerialized(const QByteArray &message)
    {
        const quint64 seq = nextSeq++;
        const QByteArray bytes = sseEvent(message, eventId(seq));
        replay.append({seq, bytes});
        while (replay.size() > replayLimit)
            replay.removeFirst();
        if (responder && !responder->isFinished())
            responder->writeChunk(bytes);
        return bytes.size();
    }
    void prime(int retryMs = 1000)
    {
        // Priming event: an id and empty data, so the client can resume from here; `retry` is
        // how long it waits before it reconnects.
        const quint64 seq = nextSeq++;
        if (responder && !responder->isFinished())
            responder->writeChunk("id: " + eventId(seq) + "\nretry: " + QByteArray::number(retryMs) + "\ndata: \n\n");
    }
    // The server closes the connection but not the stream (SEP-1699 polling): what follows is
    // kept for the client's GET with Last-Event-ID.
    void detach()
    {
        if (responder && !responder->isFinished())
            responder->endStream();
        responder = nullptr;
    }
    void end()
    {
        ended = true;
        if (responder && !responder->isFinished())
            responder->endStream();
        responder = nullptr;
    }
};

struct McpHttpEndpoint::HttpSession
{
    QPointer<ClientSession> session;
    QHash<QString, std::shared_ptr<Stream>> streams; // by stream id
    std::shared_ptr<Stream> standalone;              // GET stream (or the legacy SSE stream)
    std::unique_ptr<ClientChannel> channel;
    QPointer<HttpResponder> legacyResponder; // legacy transport: the one SSE connection
    QPointer<HttpResponder> listenResponder; // 2026-07-28 subscriptions/listen stream
    QJsonValue listenId;
    QJsonObject listenFilter;
    QDateTime lastSeen = QDateTime::currentDateTimeUtc();
};

// Unrelated messages of a session go to its standalone stream (if open).
class McpHttpEndpoint::StreamChannel final : public ClientChannel
{
public:
    explicit StreamChannel(McpHttpEndpoint::HttpSession *s)
        : m_session(s)
    {}
    bool sendToClient(const QJsonObject &message) override
    {
        if (!m_session->standalone || m_session->standalone->ended || !m_session->standalone->responder)
            return false;
        m_session->standalone->write(message);
        return true;
    }

private:
    McpHttpEndpoint::HttpSession *m_session;
};

// The answer to one POSTed request of a session: JSON if the response comes first, else an
// SSE stream that carries the related messages and then the response.
class McpHttpEndpoint::PostSink final : public CallSink
{
public:
    PostSink(McpHttpEndpoint *endpoint, std::weak_ptr<HttpSession> session, HttpResponder *responder, bool acceptsSse,
             bool primeStreams, bool prefersSse, HttpHeaders headers)
        : m_endpoint(endpoint)
        , m_session(std::move(session))
        , m_responder(responder)
        , m_acceptsSse(acceptsSse)
        , m_prime(primeStreams)
        , m_prefersSse(prefersSse)
        , m_headers(std::move(headers))
    {}

    // The upstream closed its stream of this call to be polled: the client is told the same,
    // a priming event with the upstream's retry, and the connection ends; the answer waits
    // for the client's GET with Last-Event-ID. Only clients that know resumption (2025-11-25).
    void pause(int retryMs) override
    {
        if (!m_prime)
            return;
        if (!m_stream) {
            if (!openStream(retryMs))
                return;
        } else if (m_stream->responder && !m_stream->responder->isFinished()) {
            m_stream->responder->writeChunk("retry: " + QByteArray::number(retryMs) + "\n\n");
        }
        m_stream->detach();
    }

    void message(const QJsonObject &message) override
    {
        if (!m_stream && !openStream())
            return; // client accepts JSON only: related messages cannot be delivered
        m_stream->write(message);
    }

    qint64 finish(const QJsonObject &response) override
    {
        if (!m_stream && m_prefersSse && !response.isEmpty())
            openStream();
        if (m_stream) {
            qint64 n = 0;
            if (!response.isEmpty())
                n = m_stream->write(response);
            m_stream->end();
            return n;
        }
        if (!m_responder || m_responder->isFinished())
            return 0;
        if (response.isEmpty()) {
            m_responder->respond(202, m_headers, {});
            return 0;
        }
        return respondJson(compact(response));
    }

    qint64 finishSerialized(const QByteArray &response) override
    {
        if (!m_stream && m_prefersSse)
            openStream();
        if (m_stream) {
            const qint64 n = m_stream->writeSerialized(response);
            m_stream->end();
            return n;
        }
        if (!m_responder || m_responder->isFinished())
            return 0;
        return respondJson(response);
    }

    // A session's call answered by the gateway before any stream (a stage's 429, ...).
    bool setStatus(int status, const HttpHeaders &headers) override
    {
        if (m_stream || m_prefersSse || !m_responder || m_responder->isFinished())
            return false;
        m_status = status;
        m_extraHeaders = headers;
        return true;
    }

private:
    qint64 respondJson(const QByteArray &body)
    {
        sendJson(m_responder, m_status, m_headers + m_extraHeaders, body);
        return body.size();
    }

    bool openStream(int retryMs = 1000)
    {
        auto session = m_session.lock();
        if (!m_acceptsSse || !session || !m_responder || m_responder->isFinished())
            return false;
        m_stream = std::make_shared<Stream>();
        m_stream->id = QStringLiteral("p%1").arg(m_endpoint->m_nextStreamId++);
        m_stream->replayLimit = m_endpoint->m_replayLimit;
        m_stream->responder = m_responder;
        session->streams.insert(m_stream->id, m_stream);
        beginEventStream(m_responder, m_headers);
        if (m_prime)
            m_stream->prime(retryMs);
        return true;
    }

    McpHttpEndpoint *m_endpoint;
    std::weak_ptr<HttpSession> m_session;
    QPointer<HttpResponder> m_responder;
    bool m_acceptsSse;
    bool m_prime;
    bool m_prefersSse;
    HttpHeaders m_headers;
    int m_status = 200;
    HttpHeaders m_extraHeaders;
    std::shared_ptr<Stream> m_stream;
};

// Stateless (2026-07-28) request: request-scoped SSE when related messages come first.
class McpHttpEndpoint::StatelessSink final : public CallSink
{
public:
    StatelessSink(HttpResponder *responder, bool acceptsSse, HttpHeaders headers, ClientSession *session)
        : m_responder(responder)
        , m_acceptsSse(acceptsSse)
        , m_headers(std::move(headers))
        , m_session(session)
    {}
    ~StatelessSink() override
    {
        if (m_session)
            m_session->deleteLater();
    }
    void message(const QJsonObject &message) override
    {
        if (!m_responder || m_responder->isFinished() || !m_acceptsSse)
            return;
        if (!m_streaming) {
            beginEventStream(m_responder, m_headers);
            m_streaming = true;
        }
        m_responder->writeChunk(sseEvent(compact(message)));
    }
    qint64 finish(const QJsonObject &response) override
    {
        if (!m_responder || m_responder->isFinished())
            return 0;
        const QByteArray body = compact(response);
        if (m_streaming) {
            if (!response.isEmpty())
                m_responder->writeChunk(sseEvent(body));
            m_responder->endStream();
            return body.size();
        }
        if (response.isEmpty()) {
            m_responder->respond(202, m_headers, {});
            return 0;
        }
        // Errors the gateway decided carry their HTTP status (PROTOCOL-NOTES 1.5); errors from
        // upstreams and tool failures are answered in the body with 200.
        sendJson(m_responder, m_status, m_headers + m_extraHeaders, body);
        return body.size();
    }

    bool setStatus(int status, const HttpHeaders &headers) override
    {
        if (m_streaming || !m_responder || m_responder->isFinished())
            return false;
        m_status = status;
        m_extraHeaders = headers;
        return true;
    }

private:
    QPointer<HttpResponder> m_responder;
    bool m_acceptsSse;
    bool m_streaming = false;
    int m_status = 200;
    HttpHeaders m_headers;
    HttpHeaders m_extraHeaders;
    QPointer<ClientSession> m_session;
};

// Legacy HTTP+SSE: everything goes on the session's one SSE stream.
class McpHttpEndpoint::LegacySink final : public CallSink
{
public:
    explicit LegacySink(std::weak_ptr<HttpSession> session)
        : m_session(std::move(session))
    {}
    void message(const QJsonObject &message) override { send(message); }
    qint64 finish(const QJsonObject &response) override { return response.isEmpty() ? 0 : send(response); }
    qint64 finishSerialized(const QByteArray &response) override { return sendSerialized(response); }

private:
    qint64 send(const QJsonObject &message) { return sendSerialized(compact(message)); }
    qint64 sendSerialized(const QByteArray &message)
    {
        auto s = m_session.lock();
        if (!s || !s->legacyResponder || s->legacyResponder->isFinished())
            return 0;
        const QByteArray bytes = sseEvent(message);
        s->legacyResponder->writeChunk(bytes);
        return bytes.size();
    }
    std::weak_ptr<HttpSession> m_session;
};

// ---------------------------------------------------------------------------------------------

McpHttpEndpoint::McpHttpEndpoint(McpDispatcher *router, QObject *parent)
    : QObject(parent)
    , m_router(router)
    , m_keepAliveTimer(new QTimer(this))
    , m_sweepTimer(new QTimer(this))
{
    connect(m_keepAliveTimer, &QTimer::timeout, this, &McpHttpEndpoint::keepAlive);
    m_keepAliveTimer->start(15'000);
    connect(m_sweepTimer, &QTimer::timeout, this, &McpHttpEndpoint::sweep);
    m_sweepTimer->start(60'000);
}

McpHttpEndpoint::~McpHttpEndpoint()
{
    closeAllSessions();
}

void McpHttpEndpoint::setListenConfig(const ListenConfig &listen)
{
    m_listen = listen;
}

void McpHttpEndpoint::setKeepAliveIntervalMs(int ms)
{
    m_keepAliveTimer->start(ms);
}

int McpHttpEndpoint::sessionCount() const
{
    return int(m_sessions.size());
}

void McpHttpEndpoint::closeAllSessions()
{
    const QStringList ids = m_sessions.keys();
    for (const QString &id : ids)
        closeSession(id);
}

void McpHttpEndpoint::replyError(HttpResponder *responder, int status, int code, const QString &message,
                                 const HttpHeaders &extra, const QJsonValue &id)
{
    sendJson(responder, status, extra, compact(jsonrpc::error(id, code, message)));
}

HttpHeaders McpHttpEndpoint::corsHeaders(const HttpRequest &request) const
{
    const QByteArray origin = request.header("origin");
    if (origin.isEmpty())
        return {};
    return {{QByteArrayLiteral("Access-Control-Allow-Origin"), origin},
            {QByteArrayLiteral("Vary"), QByteArrayLiteral("Origin")},
            {QByteArrayLiteral("Access-Control-Expose-Headers"),
             QByteArrayLiteral("Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate")}};
}

void McpHttpEndpoint::handleRequest(const HttpRequest &request, HttpResponder *responder)
{
    const QByteArray &path = request.path;
    if (path == "/healthz") {
        sendJson(responder, 200, {},
                 compact(QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")},
                                     {QStringLiteral("sessions"), sessionCount()}}));
        return;
    }
    auto nsFrom = [&path](QByteArrayView prefix, QString *ns) {
        if (path == prefix || path == QByteArray(prefix.toByteArray() + '/')) {
            *ns = kDefaultNamespace;
            return true;
        }
        if (path.startsWith(QByteArray(prefix.toByteArray() + '/'))) {
            QByteArray rest = path.mid(prefix.size() + 1);
            if (rest.endsWith('/'))
                rest.chop(1);
            if (rest.isEmpty() || rest.contains('/'))
                return false;
            *ns = QString::fromUtf8(rest);
            return true;
        }
        return false;
    };
    QString ns;
    const bool isMcp = nsFrom("/mcp", &ns);
    const bool isSse = !isMcp && nsFrom("/sse", &ns);
    const bool isMessages = path == "/messages" || path == "/message";
    if (!isMcp && !isSse && !isMessages) {
        replyError(responder, 404, rpcerr::InvalidRequest,
                   QStringLiteral("Not found: %1 (the MCP endpoint is /mcp)").arg(QString::fromUtf8(path)));
        return;
    }
    if (!checkHostAndOrigin(request, responder))
        return;
    if (request.method == "OPTIONS") {
        HttpHeaders headers = corsHeaders(request);
        headers.append(
            {QByteArrayLiteral("Access-Control-Allow-Methods"), QByteArrayLiteral("GET, POST, DELETE, OPTIONS")});
        QByteArray allowHeaders = QByteArrayLiteral("Content-Type, Accept, Authorization, Mcp-Session-Id, "
                                                    "MCP-Protocol-Version, Last-Event-ID, Mcp-Method, Mcp-Name");
        // Tools name their own Mcp-Param-<Name> headers (x-mcp-header): allow those the browser
        // asks for. Only well-formed names (tokens) are echoed.
        const QByteArray requested = request.header("access-control-request-headers");
        for (const QByteArray &part : requested.split(',')) {
            const QByteArray name = part.trimmed();
            const bool token = std::all_of(name.begin(), name.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
            });
            if (token && name.size() > 10 && qstrnicmp(name.constData(), "mcp-param-", 10) == 0)
                allowHeaders += ", " + name;
        }
        headers.append({QByteArrayLiteral("Access-Control-Allow-Headers"), allowHeaders});
        headers.append({QByteArrayLiteral("Access-Control-Max-Age"), QByteArrayLiteral("600")});
        responder->respond(204, headers, {});
        return;
    }
    if (isMessages)
        return handleLegacyPost(request, responder);
    if (!m_router->namespaceConfig(ns)) {
        replyError(responder, 404, rpcerr::InvalidRequest, QStringLiteral("Unknown namespace \"%1\"").arg(ns));
        return;
    }
    if (isSse)
        return handleLegacySse(request, responder, ns);
    handleMcp(request, responder, ns);
}

bool McpHttpEndpoint::checkHostAndOrigin(const HttpRequest &request, HttpResponder *responder)
{
    // RFC 9112 3.2: an HTTP/1.1 request without Host, or any with two, is malformed (400), not
    // from a foreign host (403). The HTTP server refuses them already; requests can reach the
    // endpoint without it, and two Hosts would leave the choice of the one to check to us.
    const auto hosts = std::count_if(request.headers.cbegin(), request.headers.cend(),
                                     [](const auto &header) { return header.first == "host"; });
    if (hosts > 1 || (hosts == 0 && request.version != "HTTP/1.0")) {
        replyError(responder, 400, rpcerr::InvalidRequest,
                   hosts > 1 ? QStringLiteral("Bad Request: more than one Host header")
                             : QStringLiteral("Bad Request: an HTTP/1.1 request needs a Host header"));
        return false;
    }
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends Host: evil.example.
    const QByteArray host = hostPart(request.header("host"));
    bool hostOk = host.isEmpty() ? request.version == "HTTP/1.0" : isLoopbackHostName(host);
    if (!hostOk) {
        for (const QString &allowed : std::as_const(m_listen.allowedHosts))
            if (host == allowed.toLower().toUtf8())
                hostOk = true;
        if (!m_listen.address.isLoopback() && !m_listen.address.isEqual(QHostAddress::Any) &&
            !m_listen.address.isEqual(QHostAddress::AnyIPv6) &&
            QHostAddress(QString::fromLatin1(host.startsWith('[') ? host.mid(1, host.size() - 2) : host))
                .isEqual(m_listen.address))
            hostOk = true;
    }
    if (!hostOk) {
        replyError(responder, 403, rpcerr::InvalidRequest,
                   QStringLiteral("Forbidden: Host \"%1\" is not allowed").arg(QString::fromUtf8(host)));
        return false;
    }
    const QByteArray origin = request.header("origin");
    if (origin.isEmpty())
        return true; // non-browser clients send no Origin
    const QUrl originUrl(QString::fromUtf8(origin));
    bool originOk = originUrl.isValid() && (originUrl.scheme() == u"http" || originUrl.scheme() == u"https") &&
                    isLoopbackHostName(originUrl.host().toLower().toUtf8());
    if (!originOk && originUrl.host() == u"::1")
        originOk = true;
    for (const QString &allowed : std::as_const(m_listen.allowedOrigins))
        if (allowed == QString::fromUtf8(origin) || allowed == u"*")
            originOk = true;
    if (!originOk) {
        replyError(responder, 403, rpcerr::InvalidRequest,
                   QStringLiteral("Forbidden: Origin \"%1\" is not allowed").arg(QString::fromUtf8(origin)));
        return false;
    }
    return true;
}

void McpHttpEndpoint::authenticate(const HttpRequest &request, HttpResponder *responder, const QString &ns,
                                   std::function<void(const Principal &principal)> next)
{
    const NamespaceConfig *cfg = m_router->namespaceConfig(ns);
    AuthRequest auth;
    auth.ns = ns;
    auth.credentialRequired = cfg && cfg->requireApiKey;
    auth.authorization = request.header("authorization");
    auth.peer = request.peerAddress;
    if (!m_authenticator) {
        if (auth.credentialRequired)
            replyError(responder, 401, rpcerr::Unauthorized, QStringLiteral("No authenticator is configured"),
                       corsHeaders(request));
        else
            next(Principal::anonymous());
        return;
    }
    QPointer<HttpResponder> guard = responder;
    m_authenticator->authenticate(
        auth, [this, guard, cors = corsHeaders(request), next = std::move(next)](const AuthResult &result) {
            if (!guard || guard->isFinished())
                return; // the client left while it was being authenticated
            if (!result.principal) {
                HttpHeaders headers = cors;
                headers.append(result.headers);
                replyError(guard, result.httpStatus, rpcerr::Unauthorized, result.message, headers);
                return;
            }
            next(*result.principal);
        });
}

bool McpHttpEndpoint::checkMcpHeaders(const HttpRequest &request, HttpResponder *responder)
{
    // Each Mcp-* header (Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method, Mcp-Name,
    // Mcp-Param-*) carries one value: with two, which one counts would be up to each reader
    // (the first here, perhaps the last in a proxy in front). An empty session id or protocol
    // version is no value either; absent, the header would mean something else.
    const HttpHeaders &headers = request.headers;
    for (auto it = headers.cbegin(); it != headers.cend(); ++it) {
        const QByteArray &name = it->first;
        if (!name.startsWith("mcp-"))
            continue;
        QString problem;
        if (std::any_of(it + 1, headers.cend(), [&name](const auto &other) { return other.first == name; }))
            problem = QStringLiteral("Bad Request: more than one %1 header");
        else if (it->second.isEmpty() && (name == "mcp-session-id" || name == "mcp-protocol-version"))
            problem = QStringLiteral("Bad Request: the %1 header is empty");
        if (!problem.isEmpty()) {
            replyError(responder, 400, rpcerr::InvalidRequest, problem.arg(mcpHeaderName(name)), corsHeaders(request));
            return false;
        }
    }
    return true;
}

void McpHttpEndpoint::handleMcp(const HttpRequest &request, HttpResponder *responder, const QString &ns)
{
    if (!checkMcpHeaders(request, responder))
        return;
    authenticate(request, responder, ns, [this, request, responder, ns](const Principal &principal) {
        handleMcpAs(request, responder, ns, principal);
    });
}

void McpHttpEndpoint::handleMcpAs(const HttpRequest &request, HttpResponder *responder, const QString &ns,
                                  const Principal &principal)
{
    if (request.method == "POST")
        return handleMcpPost(request, responder, ns, principal);
    if ((request.method == "GET" || request.method == "DELETE") &&
        mcp::isStatelessVersion(QString::fromLatin1(request.header("mcp-protocol-version")))) {
        // 2026-07-28 has neither sessions nor a GET stream: everything is a POST.
        HttpHeaders headers = corsHeaders(request);
        headers.append({QByteArrayLiteral("Allow"), QByteArrayLiteral("POST")});
        replyError(
            responder, 405, rpcerr::InvalidRequest,
            QStringLiteral("Protocol %1 has no %2 on this endpoint; use POST")
                .arg(QString::fromLatin1(request.header("mcp-protocol-version")), QString::fromLatin1(request.method)),
            headers);
        return;
    }
    // Session operations: a version we do not speak is refused.
    if (!checkLegacyVersionHeader(request, responder))
        return;
    if (request.method == "GET")
        return handleMcpGet(request, responder, ns, principal);
    if (request.method == "DELETE")
        return handleMcpDelete(request, responder, ns, principal);
    HttpHeaders headers = corsHeaders(request);
    headers.append({QByteArrayLiteral("Allow"), QByteArrayLiteral("GET, POST, DELETE, OPTIONS")});
    replyError(responder, 405, rpcerr::InvalidRequest,
               QStringLiteral("Method %1 not allowed").arg(QString::fromLatin1(request.method)), headers);
}

McpHttpEndpoint::HttpSession *McpHttpEndpoint::sessionFor(const HttpRequest &request, HttpResponder *responder,
                                                          const QString &ns, const Principal &principal)
{
    const QByteArray id = request.header("mcp-session-id");
    if (id.isEmpty()) {
        replyError(responder, 400, rpcerr::InvalidRequest,
                   QStringLiteral("Bad Request: Mcp-Session-Id header is required (initialize first)"),
                   corsHeaders(request));
        return nullptr;
    }
    auto it = m_sessions.constFind(QString::fromLatin1(id));
    if (it == m_sessions.cend() || !it.value()->session || it.value()->session->ns() != ns ||
        it.value()->session->transport() != ClientSession::Transport::StreamableHttp ||
        it.value()->session->principal != principal) {
        // Another principal's session is not found either: a session id is no credential.
        replyError(responder, 404, rpcerr::SessionNotFound,
                   QStringLiteral("Session not found: it expired or was terminated; initialize a new one"),
                   corsHeaders(request));
        return nullptr;
    }
    it.value()->lastSeen = QDateTime::currentDateTimeUtc();
    return it.value().get();
}

McpHttpEndpoint::HttpSession *McpHttpEndpoint::createSession(const QString &ns, ClientSession::Transport transport,
                                                             const Principal &principal)
{
    const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    auto s = std::make_shared<HttpSession>();
    s->session = new ClientSession(id, ns, transport, this);
    s->session->principal = principal;
    s->channel = std::make_unique<StreamChannel>(s.get());
    s->session->setChannel(s->channel.get());
    m_sessions.insert(id, s);
    m_router->addSession(s->session);
    Q_EMIT sessionOpened(id, ns);
    return s.get();
}

bool McpHttpEndpoint::admitSession(const Principal &principal, HttpResponder *responder, const HttpHeaders &cors,
                                   const QJsonValue &id)
{
    HttpHeaders headers = cors;
    headers.append({QByteArrayLiteral("Retry-After"), QByteArrayLiteral("30")});
    if (m_limits.maxSessions > 0 && m_sessions.size() >= m_limits.maxSessions) {
        replyError(responder, 503, rpcerr::LimitReached,
                   QStringLiteral("The gateway serves %1 sessions, its limit (maxSessions); try again later")
                       .arg(m_sessions.size()),
                   headers, id);
        return false;
    }
    if (m_limits.maxSessionsPerPrincipal > 0) {
        int mine = 0;
        const QString key = principal.key();
        for (const auto &s : std::as_const(m_sessions))
            if (s->session && s->session->principal.key() == key)
                ++mine;
        if (mine >= m_limits.maxSessionsPerPrincipal) {
            replyError(responder, 429, rpcerr::LimitReached,
                       QStringLiteral("%1 has %2 sessions open, the limit per caller (maxSessionsPerPrincipal); close "
                                      "one (DELETE) or try again later")
                           .arg(principal.displayName.isEmpty() ? principal.key() : principal.displayName)
                           .arg(mine),
                       headers, id);
            return false;
        }
    }
    return true;
}

void McpHttpEndpoint::closeSession(const QString &id)
{
    auto s = m_sessions.take(id);
    if (!s)
        return;
    for (const auto &stream : std::as_const(s->streams))
        stream->end();
    if (s->standalone)
        s->standalone->end();
    if (s->legacyResponder && !s->legacyResponder->isFinished())
        s->legacyResponder->endStream();
    if (s->listenResponder && !s->listenResponder->isFinished()) {
        // Graceful end of a subscription: a final result, then close.
        const QJsonObject done = jsonrpc::result(
            s->listenId,
            QJsonObject{{QStringLiteral("resultType"), QStringLiteral("complete")},
                        {QStringLiteral("_meta"),
                         QJsonObject{{QStringLiteral("io.modelcontextprotocol/subscriptionId"), s->listenId}}}});
        s->listenResponder->writeChunk(sseEvent(compact(done)));
        s->listenResponder->endStream();
    }
    if (s->session) {
        m_router->removeSession(s->session);
        s->session->setChannel(nullptr);
        // Cancel what the client still has in flight upstream.
        Q_EMIT s->session->closing();
        s->session->cancelAllInFlight(QStringLiteral("the client session ended"));
        s->session->deleteLater();
    }
    Q_EMIT sessionClosed(id);
}

void McpHttpEndpoint::handleMcpPost(const HttpRequest &request, HttpResponder *responder, const QString &ns,
                                    const Principal &principal)
{
    const HttpHeaders cors = corsHeaders(request);
    if (!isJsonContentType(request.header("content-type"))) {
        replyError(responder, 415, rpcerr::InvalidRequest,
                   QStringLiteral("Unsupported Media Type: Content-Type must be application/json"), cors);
        return;
    }
    const QByteArray accept = request.header("accept");
    const bool acceptsJson = accepts(accept, "application/json");
    const bool acceptsSse = accepts(accept, "text/event-stream");
    if (!acceptsJson || !acceptsSse) {
        replyError(responder, 406, rpcerr::InvalidRequest,
                   QStringLiteral("Not Acceptable: Accept must list application/json and text/event-stream"), cors);
        return;
    }
    const intake::Parsed parsed = intake::parse(request.body);
    if (parsed.rejection) {
        replyError(responder, parsed.rejection->httpStatus, parsed.rejection->code, parsed.rejection->message, cors);
        return;
    }
    const QByteArray sessionId = request.header("mcp-session-id");
    const QByteArray versionHeader = request.header("mcp-protocol-version");

    if (parsed.batch) {
        // Batches were removed in 2025-06-18; only 2025-03-26 sessions may send them.
        HttpSession *s = sessionId.isEmpty() ? nullptr : sessionFor(request, responder, ns, principal);
        if (!sessionId.isEmpty() && !s)
            return;
        const QString version = s ? s->session->protocolVersion : QString::fromLatin1(versionHeader);
        if (!s || version.isEmpty() || mcp::versionAtLeast(version, mcp::V2025_06_18)) {
            replyError(responder, 400, rpcerr::InvalidRequest,
                       QStringLiteral("JSON-RPC batches are not supported by protocol %1")
                           .arg(version.isEmpty() ? mcp::V2025_11_25 : version),
                       cors);
            return;
        }
        // 2025-03-26 batch: answer all requests in one JSON array.
        const QJsonArray &batch = *parsed.batch;
        if (batch.isEmpty()) {
            replyError(responder, 400, rpcerr::InvalidRequest, QStringLiteral("Empty batch"), cors);
            return;
        }
        struct BatchState
        {
            QJsonArray responses;
            int pending = 0;
            QPointer<HttpResponder> responder;
            HttpHeaders headers;
        };
        auto state = std::make_shared<BatchState>();
        state->responder = responder;
        state->headers = cors;
        class BatchSink final : public CallSink
        {
        public:
            explicit BatchSink(std::shared_ptr<BatchState> st)
                : m_state(std::move(st))
            {}
            void message(const QJsonObject &) override {}
            qint64 finish(const QJsonObject &response) override
            {
                if (!response.isEmpty())
                    m_state->responses.append(response);
                if (--m_state->pending == 0 && m_state->responder && !m_state->responder->isFinished()) {
                    if (m_state->responses.isEmpty()) { // only notifications and responses: nothing to answer
                        m_state->responder->respond(202, m_state->headers, {});
                        return 0;
                    }
                    sendJson(m_state->responder, 200, m_state->headers,
                             QJsonDocument(m_state->responses).toJson(QJsonDocument::Compact));
                }
                return 0;
            }

        private:
            std::shared_ptr<BatchState> m_state;
        };
        ++state->pending; // guard while dispatching
        for (const QJsonValue &v : batch) {
            const QJsonObject m = v.toObject();
            QString why;
            const jsonrpc::Kind kind = jsonrpc::classify(m, &why);
            if (kind == jsonrpc::Kind::Request) {
                ++state->pending;
                m_router->handleRequest(s->session, m, std::make_shared<BatchSink>(state));
            } else if (kind == jsonrpc::Kind::Notification) {
                m_router->handleNotification(s->session, m);
            } else if (kind == jsonrpc::Kind::Response) {
                m_router->handleResponse(s->session, m);
            } else {
                state->responses.append(jsonrpc::error(QJsonValue::Null, rpcerr::InvalidRequest, why));
            }
        }
        BatchSink(state).finish({}); // drops the guard: answers now if nothing is pending
        return;
    }
    const QJsonObject &message = parsed.object;
    const intake::Classified classified = intake::classify(message);
    if (classified.rejection) {
        const intake::Rejection &r = *classified.rejection;
        replyError(responder, r.httpStatus, r.code, r.message, cors, r.id);
        return;
    }
    const jsonrpc::Kind kind = classified.kind;
    const QString &method = classified.method;

    // Which era? The body decides (PROTOCOL-NOTES.md 1.7): a request whose _meta claims a
    // protocol version is 2026-07-28 (stateless); initialize and unclaimed messages are the
    // session protocol; a modern header without a claim is a malformed modern request.
    const bool claim = intake::isStateless(message);
    const bool modernHeader = mcp::isStatelessVersion(QString::fromLatin1(versionHeader));
    if (kind == jsonrpc::Kind::Request && method == u"initialize") {
        if (claim)
            return handleStateless(request, responder, ns, message, request.body.size(), principal);
        if (modernHeader) {
            replyError(responder, 400, rpcerr::HeaderMismatch,
                       QStringLiteral("Bad Request: initialize is not part of protocol %1; send server/discover or "
                                      "requests with a _meta envelope")
                           .arg(QString::fromLatin1(versionHeader)),
                       cors, message.value(QLatin1String("id")));
            return;
        }
    } else if (claim) {
        return handleStateless(request, responder, ns, message, request.body.size(), principal);
    } else if (modernHeader) {
        if (kind != jsonrpc::Kind::Request) {
            responder->respond(202, cors, {});
            return;
        }
        sendJson(responder, 400, cors,
                 compact(jsonrpc::error(
                     message.value(QLatin1String("id")), rpcerr::InvalidParams,
                     QStringLiteral("Invalid _meta envelope for protocol revision %1: _meta missing")
                         .arg(QString::fromLatin1(versionHeader)),
                     QJsonObject{{QStringLiteral("envelope"),
                                  QJsonObject{{QStringLiteral("missing"), QJsonArray{QStringLiteral("_meta")}}}}})));
        return;
    }
    if (!checkLegacyVersionHeader(request, responder))
        return;

    if (method == u"initialize") {
        if (kind != jsonrpc::Kind::Request) {
            replyError(responder, 400, rpcerr::InvalidRequest, QStringLiteral("initialize must be a request"), cors);
            return;
        }
        if (!sessionId.isEmpty() && m_sessions.contains(QString::fromLatin1(sessionId))) {
            replyError(responder, 400, rpcerr::InvalidRequest,
                       QStringLiteral("Bad Request: this session is already initialized"), cors,
                       message.value(QLatin1String("id")));
            return;
        }
        if (!admitSession(principal, responder, cors, message.value(QLatin1String("id"))))
            return;
        HttpSession *s = createSession(ns, ClientSession::Transport::StreamableHttp, principal);
        const QString id = s->session->id();
        HttpHeaders headers = cors;
        headers.append({kSessionHeader, id.toLatin1()});
        std::weak_ptr<HttpSession> weak = m_sessions.value(id);
        // Initialize is answered as JSON; the session dies if it fails.
        class InitSink final : public CallSink
        {
        public:
            InitSink(McpHttpEndpoint *e, QString id, HttpResponder *r, HttpHeaders h)
                : m_endpoint(e)
                , m_id(std::move(id))
                , m_responder(r)
                , m_headers(std::move(h))
            {}
            void message(const QJsonObject &) override {}
            qint64 finish(const QJsonObject &response) override
            {
                if (jsonrpc::isError(response) || response.isEmpty())
                    QMetaObject::invokeMethod(
                        m_endpoint,
                        [e = QPointer(m_endpoint), id = m_id] {
                            if (e)
                                e->closeSession(id);
                        },
                        Qt::QueuedConnection);
                if (!m_responder || m_responder->isFinished())
                    return 0;
                const QByteArray body = compact(response);
                sendJson(m_responder, 200, m_headers, body);
                return body.size();
            }

        private:
            QPointer<McpHttpEndpoint> m_endpoint;
            QString m_id;
            QPointer<HttpResponder> m_responder;
            HttpHeaders m_headers;
        };
        m_router->handleRequest(s->session, message, std::make_shared<InitSink>(this, id, responder, headers),
                                request.body.size());
        return;
    }

    HttpSession *s = sessionFor(request, responder, ns, principal);
    if (!s)
        return;
    ClientSession *session = s->session;
    switch (kind) {
    case jsonrpc::Kind::Request: {
        const bool prime = mcp::versionAtLeast(session->protocolVersion, mcp::V2025_11_25);
        m_router->handleRequest(session, message,
                                std::make_shared<PostSink>(this, m_sessions.value(session->id()), responder, acceptsSse,
                                                           prime, prefersEventStream(request.header("accept")), cors),
                                request.body.size());
        return;
    }
    case jsonrpc::Kind::Notification:
        m_router->handleNotification(session, message);
        responder->respond(202, cors, {});
        return;
    case jsonrpc::Kind::Response:
        m_router->handleResponse(session, message);
        responder->respond(202, cors, {});
        return;
    case jsonrpc::Kind::Invalid:
        break;
    }
}

bool McpHttpEndpoint::checkLegacyVersionHeader(const HttpRequest &request, HttpResponder *responder)
{
    const QByteArray versionHeader = request.header("mcp-protocol-version");
    if (versionHeader.isEmpty() || mcp::sessionProtocolVersions().contains(QString::fromLatin1(versionHeader)))
        return true;
    replyError(responder, 400, rpcerr::InvalidRequest,
               QStringLiteral("Bad Request: unsupported MCP-Protocol-Version \"%1\" (supported: %2)")
                   .arg(QString::fromLatin1(versionHeader), mcp::sessionProtocolVersions().join(QStringLiteral(", "))),
               corsHeaders(request));
    return false;
}

// A header value that repeats the body (SEP-2243): surrounding whitespace ignored, and values
// that are not plain ASCII sent as "=?base64?<UTF-8 in standard Base64 with padding>?=" decoded.
// Any other value is taken literally, even one with only the prefix or only the suffix.
// nullopt: Base64 with a bad character or bad padding. Qt's strict mode rejects characters
// outside the alphabet and misplaced '=', but accepts missing padding: the length check does that.
void McpHttpEndpoint::handleStateless(const HttpRequest &request, HttpResponder *responder, const QString &ns,
                                      const QJsonObject &message, qint64 bytes, const Principal &principal)
{
    const HttpHeaders cors = corsHeaders(request);
    const QString method = message.value(QLatin1String("method")).toString();
    const QJsonObject meta = message.value(QLatin1String("params")).toObject().value(QLatin1String("_meta")).toObject();
    const intake::StatelessCheck check = intake::checkStateless(
        message, &request, [this, &ns](const QString &tool) { return m_router->toolInputSchema(ns, tool); });
    if (check.outcome == intake::StatelessCheck::Outcome::Notification) {
        responder->respond(202, cors, {});
        return;
    }
    if (check.outcome == intake::StatelessCheck::Outcome::Reject) {
        sendJson(responder, check.rejection.httpStatus, cors, compact(check.rejection.error()));
        return;
    }
    const QString &version = check.version;

    auto *session = new ClientSession(QUuid::createUuid().toString(QUuid::WithoutBraces), ns,
                                      ClientSession::Transport::Stateless, this);
    session->principal = principal;
    session->protocolVersion = version;
    session->clientCapabilities = meta.value(mcp::kMetaClientCapabilities).toObject();
    session->clientInfo = meta.value(mcp::kMetaClientInfo).toObject();
    session->logLevel = meta.value(QLatin1String("io.modelcontextprotocol/logLevel")).toString();
    session->initialized = true;
    const bool acceptsSse = accepts(request.header("accept"), "text/event-stream");

    if (method == u"subscriptions/listen")
        return openListenStream(request, responder, session, message);

    // Closing the response stream cancels the request.
    connect(responder, &HttpResponder::closed, session,
            [session] { session->cancelAllInFlight(QStringLiteral("the client closed the response stream")); });
    m_router->handleRequest(session, message, std::make_shared<StatelessSink>(responder, acceptsSse, cors, session),
                            bytes);
}

void McpHttpEndpoint::openListenStream(const HttpRequest &request, HttpResponder *responder, ClientSession *session,
                                       const QJsonObject &message)
{
    const QJsonValue id = message.value(QLatin1String("id"));
    const QJsonObject params = message.value(QLatin1String("params")).toObject();
    const QJsonValue filterValue = params.value(QLatin1String("notifications"));
    if (!filterValue.isObject()) {
        session->deleteLater();
        sendJson(responder, 200, corsHeaders(request),
                 compact(jsonrpc::error(id, rpcerr::InvalidParams,
                                        QStringLiteral("subscriptions/listen needs params.notifications"))));
        return;
    }
    // Everything the gateway advertises can be honoured.
    const QJsonObject filter = filterValue.toObject();
    QJsonObject honoured;
    for (const char *key : {"toolsListChanged", "promptsListChanged", "resourcesListChanged"})
        if (filter.value(QLatin1String(key)).toBool())
            honoured.insert(QLatin1String(key), true);
    QStringList uris;
    for (const QJsonValue &v : filter.value(QLatin1String("resourceSubscriptions")).toArray())
        if (v.isString())
            uris.append(v.toString());
    if (!uris.isEmpty())
        honoured.insert(QStringLiteral("resourceSubscriptions"), QJsonArray::fromStringList(uris));

    auto s = std::make_shared<HttpSession>();
    s->session = session;
    s->listenResponder = responder;
    s->listenId = id;
    s->listenFilter = honoured;
    class ListenChannel final : public ClientChannel
    {
    public:
        explicit ListenChannel(HttpSession *s)
            : m_s(s)
        {}
        bool sendToClient(const QJsonObject &message) override
        {
            if (!m_s->listenResponder || m_s->listenResponder->isFinished())
                return false;
            const QString method = message.value(QLatin1String("method")).toString();
            const QJsonObject &f = m_s->listenFilter;
            const bool wanted =
                (method == u"notifications/tools/list_changed" && f.contains(QLatin1String("toolsListChanged"))) ||
                (method == u"notifications/prompts/list_changed" && f.contains(QLatin1String("promptsListChanged"))) ||
                (method == u"notifications/resources/list_changed" &&
                 f.contains(QLatin1String("resourcesListChanged"))) ||
                method == u"notifications/resources/updated" ||
                // The Router sends task notifications only to their caller's streams that declared tasks.
                method == u"notifications/tasks";
            if (!wanted)
                return true; // not subscribed: dropped on purpose
            QJsonObject n = message;
            QJsonObject p = n.value(QLatin1String("params")).toObject();
            QJsonObject meta = p.value(QLatin1String("_meta")).toObject();
            meta.insert(QStringLiteral("io.modelcontextprotocol/subscriptionId"), m_s->listenId);
            p.insert(QStringLiteral("_meta"), meta);
            n.insert(QStringLiteral("params"), p);
            m_s->listenResponder->writeChunk(sseEvent(compact(n)));
            return true;
        }

    private:
        HttpSession *m_s;
    };
    s->channel = std::make_unique<ListenChannel>(s.get());
    session->setChannel(s->channel.get());
    session->subscriptions = QSet<QString>(uris.cbegin(), uris.cend());
    const QString sid = session->id();
    m_sessions.insert(sid, s);
    m_router->addSession(session);
    m_router->subscribe(session, uris);
    connect(responder, &HttpResponder::closed, this, [this, sid] { closeSession(sid); });

    beginEventStream(responder, corsHeaders(request));
    const QJsonObject ack = jsonrpc::notification(
        QStringLiteral("notifications/subscriptions/acknowledged"),
        QJsonObject{
            {QStringLiteral("notifications"), honoured},
            {QStringLiteral("_meta"), QJsonObject{{QStringLiteral("io.modelcontextprotocol/subscriptionId"), id}}}});
    responder->writeChunk(sseEvent(compact(ack)));
}

void McpHttpEndpoint::handleMcpGet(const HttpRequest &request, HttpResponder *responder, const QString &ns,
                                   const Principal &principal)
{
    const HttpHeaders cors = corsHeaders(request);
    if (!accepts(request.header("accept"), "text/event-stream")) {
        replyError(responder, 406, rpcerr::InvalidRequest,
                   QStringLiteral("Not Acceptable: GET needs Accept: text/event-stream"), cors);
        return;
    }
    HttpSession *s = sessionFor(request, responder, ns, principal);
    if (!s)
        return;
    HttpHeaders headers = cors;
    headers.append({kSessionHeader, s->session->id().toLatin1()});

    // Resumption: Last-Event-ID names the stream and the last event the client saw.
    const QByteArray lastEventId = request.header("last-event-id");
    if (!lastEventId.isEmpty()) {
        const qsizetype sep = lastEventId.lastIndexOf('_');
        const QString streamId = QString::fromLatin1(sep > 0 ? lastEventId.left(sep) : lastEventId);
        const quint64 lastSeq = sep > 0 ? lastEventId.mid(sep + 1).toULongLong() : 0;
        std::shared_ptr<Stream> stream = s->streams.value(streamId);
        if (!stream && s->standalone && s->standalone->id == streamId)
            stream = s->standalone;
        if (!stream) {
            replyError(responder, 404, rpcerr::InvalidRequest,
                       QStringLiteral("Unknown Last-Event-ID \"%1\"").arg(QString::fromLatin1(lastEventId)), cors);
            return;
        }
        if (stream->responder && !stream->responder->isFinished()) {
            replyError(responder, 409, rpcerr::InvalidRequest,
                       QStringLiteral("Conflict: that stream is still open on another connection"), cors);
            return;
        }
        beginEventStream(responder, headers);
        for (const auto &[seq, bytes] : std::as_const(stream->replay))
            if (seq > lastSeq)
                responder->writeChunk(bytes);
        if (stream->ended) {
            responder->endStream();
            return;
        }
        stream->responder = responder;
        return;
    }
    if (s->standalone && s->standalone->responder && !s->standalone->responder->isFinished()) {
        replyError(responder, 409, rpcerr::InvalidRequest, QStringLiteral("Conflict: only one GET stream per session"),
                   cors);
        return;
    }
    if (!s->standalone) {
        s->standalone = std::make_shared<Stream>();
        s->standalone->id = QStringLiteral("g%1").arg(m_nextStreamId++);
        s->standalone->standalone = true;
        s->standalone->replayLimit = m_replayLimit;
    }
    s->standalone->responder = responder;
    beginEventStream(responder, headers);
    if (mcp::versionAtLeast(s->session->protocolVersion, mcp::V2025_11_25))
        s->standalone->prime();
}

void McpHttpEndpoint::handleMcpDelete(const HttpRequest &request, HttpResponder *responder, const QString &ns,
                                      const Principal &principal)
{
    HttpSession *s = sessionFor(request, responder, ns, principal);
    if (!s)
        return;
    closeSession(s->session->id());
    responder->respond(200, corsHeaders(request), {});
}

void McpHttpEndpoint::handleLegacySse(const HttpRequest &request, HttpResponder *responder, const QString &ns)
{
    if (request.method != "GET") {
        replyError(responder, 405, rpcerr::InvalidRequest,
                   QStringLiteral("The legacy SSE endpoint takes GET; POST messages to the endpoint it announces"),
                   {{QByteArrayLiteral("Allow"), QByteArrayLiteral("GET")}});
        return;
    }
    authenticate(request, responder, ns, [this, request, responder, ns](const Principal &principal) {
        openLegacyStream(request, responder, ns, principal);
    });
}

void McpHttpEndpoint::openLegacyStream(const HttpRequest &request, HttpResponder *responder, const QString &ns,
                                       const Principal &principal)
{
    if (!admitSession(principal, responder, corsHeaders(request)))
        return;
    HttpSession *s = createSession(ns, ClientSession::Transport::LegacySse, principal);
    s->legacyResponder = responder;
    const QString id = s->session->id();
    // Unrelated messages go on the same stream.
    class LegacyChannel final : public ClientChannel
    {
    public:
        explicit LegacyChannel(HttpSession *s)
            : m_s(s)
        {}
        bool sendToClient(const QJsonObject &message) override
        {
            if (!m_s->legacyResponder || m_s->legacyResponder->isFinished())
                return false;
            m_s->legacyResponder->writeChunk(sseEvent(compact(message)));
            return true;
        }

    private:
        HttpSession *m_s;
    };
    s->channel = std::make_unique<LegacyChannel>(s);
    s->session->setChannel(s->channel.get());
    s->session->protocolVersion = mcp::V2024_11_05;
    connect(responder, &HttpResponder::closed, this, [this, id] { closeSession(id); });
    beginEventStream(responder, corsHeaders(request));
    responder->writeChunk(sseEvent("/messages?sessionId=" + id.toLatin1(), {}, "endpoint"));
}

void McpHttpEndpoint::handleLegacyPost(const HttpRequest &request, HttpResponder *responder)
{
    const HttpHeaders cors = corsHeaders(request);
    if (request.method != "POST") {
        replyError(responder, 405, rpcerr::InvalidRequest, QStringLiteral("POST messages here"), cors);
        return;
    }
    const QString id = request.query.queryItemValue(QStringLiteral("sessionId"));
    auto s = m_sessions.value(id);
    if (id.isEmpty() || !s || !s->session || s->session->transport() != ClientSession::Transport::LegacySse) {
        replyError(responder, 404, rpcerr::InvalidRequest, QStringLiteral("Unknown sessionId; open /sse first"), cors);
        return;
    }
    authenticate(request, responder, s->session->ns(), [this, request, responder, id](const Principal &principal) {
        handleLegacyPostAs(request, responder, id, principal);
    });
}

void McpHttpEndpoint::handleLegacyPostAs(const HttpRequest &request, HttpResponder *responder, const QString &id,
                                         const Principal &principal)
{
    const HttpHeaders cors = corsHeaders(request);
    auto s = m_sessions.value(id);
    // Gone meanwhile, or another principal's stream: a session id is no credential.
    if (!s || !s->session || s->session->principal != principal) {
        replyError(responder, 404, rpcerr::InvalidRequest, QStringLiteral("Unknown sessionId; open /sse first"), cors);
        return;
    }
    if (!isJsonContentType(request.header("content-type"))) {
        replyError(responder, 415, rpcerr::InvalidRequest,
                   QStringLiteral("Unsupported Media Type: Content-Type must be application/json"), cors);
        return;
    }
    const intake::Parsed parsed = intake::parse(request.body);
    if (parsed.rejection || parsed.batch) {
        replyError(responder, 400, parsed.batch ? rpcerr::InvalidRequest : parsed.rejection->code,
                   parsed.batch ? QStringLiteral("Invalid Request: expected a JSON object") : parsed.rejection->message,
                   cors);
        return;
    }
    const QJsonObject &message = parsed.object;
    const intake::Classified classified = intake::classify(message);
    switch (classified.kind) {
    case jsonrpc::Kind::Request:
        responder->respond(202, cors, "Accepted");
        m_router->handleRequest(s->session, message, std::make_shared<LegacySink>(s), request.body.size());
        return;
    case jsonrpc::Kind::Notification:
        responder->respond(202, cors, "Accepted");
        m_router->handleNotification(s->session, message);
        return;
    case jsonrpc::Kind::Response:
        responder->respond(202, cors, "Accepted");
        m_router->handleResponse(s->session, message);
        return;
    case jsonrpc::Kind::Invalid:
        replyError(responder, classified.rejection->httpStatus, classified.rejection->code,
                   classified.rejection->message, cors, classified.rejection->id);
        return;
    }
}

void McpHttpEndpoint::keepAlive()
{
    static const QByteArray comment = QByteArrayLiteral(": keep-alive\n\n");
    for (const auto &s : std::as_const(m_sessions)) {
        if (s->legacyResponder && !s->legacyResponder->isFinished())
            s->legacyResponder->writeChunk(comment);
        if (s->listenResponder && !s->listenResponder->isFinished())
            s->listenResponder->writeChunk(comment);
        if (s->standalone && s->standalone->responder && !s->standalone->responder->isFinished())
            s->standalone->responder->writeChunk(comment);
        for (const auto &stream : std::as_const(s->streams))
            if (stream->responder && !stream->responder->isFinished())
                stream->responder->writeChunk(comment);
    }
}

void McpHttpEndpoint::sweep()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QStringList expired;
    for (auto it = m_sessions.cbegin(); it != m_sessions.cend(); ++it) {
        HttpSession &s = *it.value();
        // Forget ended POST streams nobody resumed for a while.
        for (auto st = s.streams.begin(); st != s.streams.end();) {
            if (st.value()->ended && !st.value()->responder)
                st = s.streams.erase(st);
            else
                ++st;
        }
        const bool streaming = (s.standalone && s.standalone->responder) || s.legacyResponder || s.listenResponder;
        const QDateTime last = s.session ? std::max(s.lastSeen, s.session->lastActivity) : s.lastSeen;
        if (!streaming && (!s.session || s.session->inFlightCount() == 0) && last.msecsTo(now) > m_sessionIdleTimeoutMs)
            expired.append(it.key());
    }
    for (const QString &id : expired)
        closeSession(id);
}

} // namespace metamcp
