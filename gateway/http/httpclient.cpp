#include "http/httpclient.h"

#include "http/httpresponseparser.h"
#include "http/httptext.h"

#include <QByteArrayView>
#include <QElapsedTimer>
#include <QHash>
#include <QPointer>
#include <QSslConfiguration>
#include <QSslError>
#include <QSslSocket>
#include <QStringList>
#include <QTcpSocket>
#include <QTimer>
#include <QTimerEvent>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <deque>
#include <limits>
#include <unordered_map>
#include <vector>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <sys/socket.h>
#endif

// Ownership and lifetime
//   HttpClient::Private owns the exchanges (one per send(), by id) and the pools (one per origin).
//   A Pool lists its connections; a Connection is a QObject without parent that owns its socket
//   and is deleted with deleteLater() once closed (never inside one of its own socket's signals).
//   Exchange <-> Connection pointers are set while a request is on a connection, and cleared on
//   both sides together.
//
// Callbacks
//   A callback is the last thing a socket handler or timer event does: nothing of the client is
//   touched after it, so it may destroy the client. While send(), abort() or pump() run, a
//   finished exchange is delivered from the event loop instead (deferDepth).

namespace metamcp::rest {

namespace {

using namespace metamcp::http::text;

using Error = HttpClientResponse::Error;

// Socket handlers on the stack of this thread (any client): a client destroyed from inside one
// of its callbacks must not delete the socket whose signal is being emitted.
thread_local int t_handlerDepth = 0;

struct HandlerScope
{
    HandlerScope() { ++t_handlerDepth; }
    ~HandlerScope() { --t_handlerDepth; }
    Q_DISABLE_COPY_MOVE(HandlerScope)
};

bool isIdempotent(QByteArrayView method)
{
    return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "OPTIONS" ||
           method == "TRACE";
}

bool expectsBody(QByteArrayView method)
{
    return method == "POST" || method == "PUT" || method == "PATCH";
}

bool isRedirectStatus(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

struct Pool;
struct Exchange;

// One connection to an origin. Deleted with deleteLater() after close (see the top of the file).
class PooledConnection final : public QObject
{
public:
    PooledConnection(Pool *p, QTcpSocket *s, bool secure)
        : pool(p)
        , socket(s)
        , tls(secure)
    {
        socket->setParent(this);
    }

    Pool *pool;
    QTcpSocket *socket;
    Exchange *exchange = nullptr; // the request on this connection (or the one it was opened for)
    http::HttpResponseParser parser;
    QByteArray in;  // received, not yet parsed (an unfinished line)
    QByteArray out; // the serialised request (capacity reused)
    QStringList sslErrors;
    qint64 idleSince = 0;
    int served = 0; // responses completed on this connection
    bool tls;
    bool ready = false;  // connected (and encrypted for https)
    bool closed = false; // removed from its pool
    bool wrote = false;  // bytes of the current exchange were handed to the socket
};

struct Exchange
{
    quint64 id = 0;
    HttpClientRequest request;
    HttpClient::Callback done;
    HttpClientResponse response;
    QByteArray target; // request-target of the current URL
    Pool *pool = nullptr;
    PooledConnection *connection = nullptr;
    int timerId = 0;
    int redirects = 0; // followed so far
    bool queued = false;
    bool retried = false;
    bool needsFresh = false; // the retry goes on a new connection
    bool closeAfter = false; // the request said Connection: close
    bool finished = false;   // response complete, callback scheduled (deferred delivery)
};

struct Pool
{
    bool tls = false;
    QString host;
    quint16 port = 0;
    QString origin;                              // "https://host:port"
    QByteArray hostHeader;                       // "host[:port]"
    std::vector<PooledConnection *> connections; // every connection: connecting, busy, idle
    std::vector<PooledConnection *> idle;        // most recently used last
    std::deque<Exchange *> queue;
};

} // namespace

struct HttpClient::Private
{
    explicit Private(HttpClient *q)
        : q(q)
    {
        clock.start();
    }

    HttpClient *q;
    std::unordered_map<quint64, std::unique_ptr<Exchange>> exchanges;
    QHash<int, quint64> timers; // request deadline timer id -> exchange id
    std::vector<std::unique_ptr<Pool>> pools;
    QElapsedTimer clock;
    QList<QSslCertificate> extraCas;
    std::optional<QSslConfiguration> sslConfiguration; // built on first use
    quint64 nextId = 1;
    quint64 connectionsMade = 0;
    int sweepTimerId = 0;
    int maxPerOrigin = kDefaultMaxConnectionsPerOrigin;
    int idleTimeoutMs = kDefaultIdleTimeoutMs;
    int deferDepth = 0; // > 0: finished exchanges are delivered from the event loop

    struct DeferScope
    {
        explicit DeferScope(Private *d)
            : d(d)
        {
            ++d->deferDepth;
        }
        ~DeferScope() { --d->deferDepth; }
        Q_DISABLE_COPY_MOVE(DeferScope)
        Private *d;
    };

    Pool *poolFor(const QUrl &url);
    void dispatch(Exchange *x);
    void pump(Pool *pool);
    PooledConnection *takeIdle(Pool *pool);
    static bool isAlive(PooledConnection *c);
    void openConnection(Pool *pool, Exchange *x);
    void startExchange(PooledConnection *c, Exchange *x);
    void makeIdle(PooledConnection *c);
    void closeConnection(PooledConnection *c);
    void detach(Exchange *x);

    void onReady(PooledConnection *c);
    void onReadyRead(PooledConnection *c);
    void onClosed(PooledConnection *c);
    void process(PooledConnection *c);
    static void takeParsed(PooledConnection *c, Exchange *x);
    void complete(PooledConnection *c, Exchange *x);
    void settle(Exchange *x);
    void fail(Exchange *x, Error kind, const QString &message);
    void finish(Exchange *x);
    void deliver(quint64 id);
    void onTimeout(quint64 id);
    void sweep();
    void scheduleSweep(qint64 delayMs);
    QSslConfiguration tlsConfiguration();
};

Pool *HttpClient::Private::poolFor(const QUrl &url)
{
    const bool tls = url.scheme() == QLatin1String("https");
    const quint16 port = quint16(url.port(tls ? 443 : 80));
    const QString host = url.host(QUrl::FullyEncoded);
    for (const auto &p : pools)
        if (p->port == port && p->tls == tls && p->host == host)
            return p.get();
    auto pool = std::make_unique<Pool>();
    pool->tls = tls;
    pool->host = host;
    pool->port = port;
    const QString hostPart = host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
    pool->origin = (tls ? QStringLiteral("https://") : QStringLiteral("http://")) + hostPart + QLatin1Char(':') +
                   QString::number(port);
    pool->hostHeader = hostPart.toLatin1();
    if (port != (tls ? 443 : 80))
        pool->hostHeader += ':' + QByteArray::number(port);
    pools.push_back(std::move(pool));
    return pools.back().get();
}

void HttpClient::Private::dispatch(Exchange *x)
{
    const QUrl &url = x->request.url;
    QUrl::FormattingOptions format = QUrl::RemoveScheme | QUrl::RemoveAuthority | QUrl::RemoveFragment;
    if (url.path().isEmpty()) {
        QUrl copy = url;
        copy.setPath(QStringLiteral("/"));
        x->target = copy.toEncoded(format);
    } else {
        x->target = url.toEncoded(format | QUrl::NormalizePathSegments);
    }
    x->pool = poolFor(url);
    x->queued = true;
    x->pool->queue.push_back(x);
    pump(x->pool);
}

void HttpClient::Private::pump(Pool *pool)
{
    const DeferScope defer(this);
    while (!pool->queue.empty()) {
        Exchange *x = pool->queue.front();
        if (!x->needsFresh) {
            if (PooledConnection *c = takeIdle(pool)) {
                pool->queue.pop_front();
                x->queued = false;
                startExchange(c, x);
                continue;
            }
        }
        if (int(pool->connections.size()) < maxPerOrigin) {
            pool->queue.pop_front();
            x->queued = false;
            openConnection(pool, x);
            continue;
        }
        if (x->needsFresh && !pool->idle.empty()) {
            closeConnection(pool->idle.front()); // the oldest idle one makes room for a fresh one
            continue;
        }
        break;
    }
}

PooledConnection *HttpClient::Private::takeIdle(Pool *pool)
{
    while (!pool->idle.empty()) {
        PooledConnection *c = pool->idle.back();
        pool->idle.pop_back();
        if (isAlive(c))
            return c;
        closeConnection(c);
    }
    return nullptr;
}

// An idle connection may have been closed by the server without the event loop having seen it
// yet. For plain TCP one non-blocking peek tells: EOF or any byte (an idle HTTP/1.1 connection
// never legitimately receives one) means it is unusable. TLS records (session tickets) can
// arrive on an idle TLS connection, so there only the socket's own state counts.
bool HttpClient::Private::isAlive(PooledConnection *c)
{
    if (c->socket->state() != QAbstractSocket::ConnectedState || c->socket->bytesAvailable() > 0)
        return false;
#ifdef Q_OS_UNIX
    if (!c->tls) {
        const qintptr fd = c->socket->socketDescriptor();
        if (fd >= 0) {
            char byte;
            const ssize_t n = ::recv(int(fd), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
            if (n >= 0)
                return false;
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                return false;
        }
    }
#endif
    return true;
}

QSslConfiguration HttpClient::Private::tlsConfiguration()
{
    if (!sslConfiguration) {
        QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
        if (!extraCas.isEmpty())
            conf.addCaCertificates(extraCas);
        conf.setPeerVerifyMode(QSslSocket::VerifyPeer);
        sslConfiguration = conf;
    }
    return *sslConfiguration;
}

void HttpClient::Private::openConnection(Pool *pool, Exchange *x)
{
    QTcpSocket *socket = pool->tls ? new QSslSocket : new QTcpSocket;
    auto *c = new PooledConnection(pool, socket, pool->tls);
    pool->connections.push_back(c);
    ++connectionsMade;
    c->exchange = x;
    x->connection = c;

    QObject::connect(socket, &QAbstractSocket::connected, c, [this, c] {
        const HandlerScope scope;
        c->socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        if (!c->tls)
            onReady(c);
    });
    QObject::connect(socket, &QIODevice::readyRead, c, [this, c] {
        const HandlerScope scope;
        onReadyRead(c);
    });
    QObject::connect(socket, &QAbstractSocket::errorOccurred, c, [this, c] {
        const HandlerScope scope;
        onClosed(c);
    });
    QObject::connect(socket, &QAbstractSocket::disconnected, c, [this, c] {
        const HandlerScope scope;
        onClosed(c);
    });
    if (pool->tls) {
        auto *ssl = static_cast<QSslSocket *>(socket);
        QObject::connect(ssl, &QSslSocket::encrypted, c, [this, c] {
            const HandlerScope scope;
            onReady(c);
        });
        QObject::connect(ssl, &QSslSocket::sslErrors, c, [c](const QList<QSslError> &errors) {
            for (const QSslError &e : errors)
                c->sslErrors << e.errorString();
            // Never ignored: the handshake fails and errorOccurred() follows.
        });
        ssl->setSslConfiguration(tlsConfiguration());
        ssl->connectToHostEncrypted(pool->host, pool->port);
    } else {
        socket->connectToHost(pool->host, pool->port);
    }
}

void HttpClient::Private::startExchange(PooledConnection *c, Exchange *x)
{
    c->exchange = x;
    x->connection = c;
    x->response = HttpClientResponse();
    c->parser.setLimits(kMaxResponseHeaderBytes, x->request.maxResponseBytes);
    c->parser.reset(x->request.method == "HEAD");

    const HttpClientRequest &r = x->request;
    QByteArray &out = c->out;
    out.resize(0); // keeps the capacity
    out.append(r.method).append(' ').append(x->target).append(" HTTP/1.1\r\nHost: ").append(x->pool->hostHeader);
    out.append("\r\n");
    for (const auto &h : r.headers) {
        if (equalsIgnoreCase(h.first, "host") || equalsIgnoreCase(h.first, "content-length") ||
            equalsIgnoreCase(h.first, "transfer-encoding"))
            continue;
        out.append(h.first).append(": ").append(h.second).append("\r\n");
    }
    if (r.body) {
        char digits[24];
        char *end = digits + sizeof(digits);
        char *p = end;
        qsizetype n = r.body->size();
        do {
            *--p = char('0' + n % 10);
            n /= 10;
        } while (n > 0);
        out.append("Content-Length: ").append(p, end - p).append("\r\n\r\n");
        out.append(*r.body);
    } else if (expectsBody(r.method)) {
        out.append("Content-Length: 0\r\n\r\n");
    } else {
        out.append("\r\n");
    }
    c->wrote = true;
    // Last: a write error is reported synchronously (onClosed() runs from inside flush()).
    c->socket->write(out);
    c->socket->flush();
}

void HttpClient::Private::makeIdle(PooledConnection *c)
{
    c->idleSince = clock.elapsed();
    c->pool->idle.push_back(c);
    if (sweepTimerId == 0)
        scheduleSweep(idleTimeoutMs);
}

void HttpClient::Private::closeConnection(PooledConnection *c)
{
    if (c->closed)
        return;
    c->closed = true;
    Pool *pool = c->pool;
    pool->connections.erase(std::remove(pool->connections.begin(), pool->connections.end(), c),
                            pool->connections.end());
    pool->idle.erase(std::remove(pool->idle.begin(), pool->idle.end(), c), pool->idle.end());
    if (c->exchange) {
        c->exchange->connection = nullptr;
        c->exchange = nullptr;
    }
    c->socket->disconnect(c);
    c->socket->abort();
    c->deleteLater();
}

// Takes an exchange off its queue or connection. A connection that carried any of its bytes
// cannot be reused; one still connecting stays in the pool and becomes idle when ready.
void HttpClient::Private::detach(Exchange *x)
{
    if (x->queued) {
        auto &queue = x->pool->queue;
        queue.erase(std::remove(queue.begin(), queue.end(), x), queue.end());
        x->queued = false;
    }
    if (PooledConnection *c = x->connection) {
        c->exchange = nullptr;
        x->connection = nullptr;
        if (c->ready)
            closeConnection(c);
    }
}

void HttpClient::Private::onReady(PooledConnection *c)
{
    if (c->closed)
        return;
    c->ready = true;
    Pool *pool = c->pool;
    const QPointer<HttpClient> alive(q);
    Q_EMIT q->connectionOpened(pool->origin);
    if (!alive || c->closed)
        return;
    if (Exchange *x = c->exchange) {
        const DeferScope defer(this);
        startExchange(c, x);
    } else {
        makeIdle(c); // its request went away while it was connecting
        pump(pool);
    }
}

void HttpClient::Private::onReadyRead(PooledConnection *c)
{
    if (c->closed)
        return;
    const qint64 available = c->socket->bytesAvailable();
    if (available <= 0)
        return;
    const qsizetype old = c->in.size();
    c->in.resize(old + qsizetype(available));
    const qint64 got = c->socket->read(c->in.data() + old, available);
    c->in.resize(old + qsizetype(std::max<qint64>(got, 0)));
    if (!c->exchange) {
        // Bytes on an idle connection: a server that is not speaking HTTP/1.1 with us. Drop it.
        Pool *pool = c->pool;
        closeConnection(c);
        pump(pool);
        return;
    }
    process(c);
}

void HttpClient::Private::process(PooledConnection *c)
{
    Exchange *x = c->exchange;
    qsizetype consumed = 0;
    const http::HttpResponseParser::Result result = c->parser.feed(c->in.constData(), c->in.size(), &consumed);
    if (consumed >= c->in.size())
        c->in.resize(0);
    else if (consumed > 0)
        c->in.remove(0, consumed);

    switch (result) {
    case http::HttpResponseParser::Result::NeedMore:
        return;
    case http::HttpResponseParser::Result::Complete:
        takeParsed(c, x);
        complete(c, x);
        return;
    case http::HttpResponseParser::Result::TooLarge:
    case http::HttpResponseParser::Result::Error: {
        takeParsed(c, x); // as far as it got, as the caller always saw it
        const QString message = c->parser.error();
        Pool *pool = c->pool;
        detach(x);
        closeConnection(c);
        pump(pool);
        fail(x, result == http::HttpResponseParser::Result::TooLarge ? Error::TooLarge : Error::Protocol, message);
        return;
    }
    }
}

// The parser's message (complete or not) becomes the exchange's response.
void HttpClient::Private::takeParsed(PooledConnection *c, Exchange *x)
{
    http::HttpResponseMessage message = c->parser.takeMessage();
    x->response.status = message.status;
    x->response.reason = std::move(message.reason);
    x->response.headers = std::move(message.headers);
    x->response.body = std::move(message.body);
}

void HttpClient::Private::complete(PooledConnection *c, Exchange *x)
{
    ++c->served;
    Pool *pool = c->pool;
    const bool reusable = c->parser.keepAlive() && !x->closeAfter && c->in.isEmpty() &&
                          c->socket->state() == QAbstractSocket::ConnectedState;
    c->exchange = nullptr;
    x->connection = nullptr;
    if (reusable)
        makeIdle(c);
    else
        closeConnection(c);
    pump(pool);
    settle(x);
}

// A complete response: follow a redirect or hand it to the caller.
void HttpClient::Private::settle(Exchange *x)
{
    HttpClientResponse &response = x->response;
    response.url = x->request.url;
    const QByteArray location = response.header("location");
    if (!isRedirectStatus(response.status) || location.isEmpty()) {
        finish(x);
        return;
    }
    const QByteArray &method = x->request.method;
    const bool getOrHead = method == "GET" || method == "HEAD";
    if (!getOrHead && response.status != 307 && response.status != 308) {
        finish(x); // the caller sees the 3xx
        return;
    }
    const QUrl &from = x->request.url;
    const QUrl to = from.resolved(QUrl::fromEncoded(location, QUrl::TolerantMode));
    auto refuse = [&](const QString &why) {
        response.errorKind = Error::Redirect;
        response.error = why;
        finish(x);
    };
    if (!to.isValid() || (to.scheme() != QLatin1String("http") && to.scheme() != QLatin1String("https")) ||
        to.host().isEmpty()) {
        refuse(QStringLiteral("Invalid redirect target \"%1\"").arg(printable(location)));
        return;
    }
    if (x->redirects >= x->request.maxRedirects) {
        refuse(QStringLiteral("Too many redirects (more than %1)").arg(x->request.maxRedirects));
        return;
    }
    const bool fromTls = from.scheme() == QLatin1String("https");
    const bool toTls = to.scheme() == QLatin1String("https");
    if (fromTls && !toTls) {
        refuse(QStringLiteral("Refused to follow a redirect from https to http (%1)").arg(to.toDisplayString()));
        return;
    }
    const bool sameHost = from.host() == to.host();
    const bool sameOrigin = sameHost && fromTls == toTls && from.port(fromTls ? 443 : 80) == to.port(toTls ? 443 : 80);
    const bool upgrade = sameHost && !fromTls && toTls;
    if (!sameOrigin && !upgrade) {
        refuse(QStringLiteral("Refused to follow a redirect to another origin (%1)").arg(to.toDisplayString()));
        return;
    }
    ++x->redirects;
    x->request.url = to.adjusted(QUrl::RemoveFragment);
    x->response = HttpClientResponse();
    x->retried = false;
    x->needsFresh = false;
    dispatch(x);
}

void HttpClient::Private::onClosed(PooledConnection *c)
{
    if (c->closed)
        return;
    // Bytes that arrived together with the close are parsed first (a response they complete is
    // delivered from the event loop: this handler goes on afterwards).
    if (c->exchange && c->socket->bytesAvailable() > 0) {
        const DeferScope defer(this);
        onReadyRead(c);
        if (c->closed)
            return;
    }
    Pool *pool = c->pool;
    Exchange *x = c->exchange;
    if (!x) {
        closeConnection(c);
        pump(pool);
        return;
    }
    if (c->ready && c->parser.hasStarted() && c->parser.finishAtEof() == http::HttpResponseParser::Result::Complete) {
        c->in.resize(0);
        takeParsed(c, x);
        complete(c, x); // a close-delimited body
        return;
    }
    // A reused connection the server closed before answering: once more on a fresh one, if that
    // cannot do harm.
    if (c->served > 0 && !c->parser.hasStarted() && !x->retried && (isIdempotent(x->request.method) || !c->wrote)) {
        x->retried = true;
        x->needsFresh = true;
        c->exchange = nullptr;
        x->connection = nullptr;
        closeConnection(c);
        x->queued = true;
        pool->queue.push_front(x);
        pump(pool);
        return;
    }
    Error kind = Error::Network;
    QString message;
    const QAbstractSocket::SocketError socketError = c->socket->error();
    if (!c->sslErrors.isEmpty()) {
        kind = Error::Tls;
        message = QStringLiteral("TLS handshake with %1 failed: %2")
                      .arg(pool->origin, c->sslErrors.join(QStringLiteral("; ")));
    } else if (socketError == QAbstractSocket::SslHandshakeFailedError ||
               socketError == QAbstractSocket::SslInternalError ||
               socketError == QAbstractSocket::SslInvalidUserDataError) {
        kind = Error::Tls;
        message = QStringLiteral("TLS handshake with %1 failed: %2").arg(pool->origin, c->socket->errorString());
    } else if (c->ready && (socketError == QAbstractSocket::RemoteHostClosedError ||
                            socketError == QAbstractSocket::UnknownSocketError)) {
        c->parser.finishAtEof();
        message = c->parser.error(); // closed without a response, or in the middle of one
    } else {
        message = c->socket->errorString();
    }
    if (c->ready)
        takeParsed(c, x);
    detach(x);
    closeConnection(c);
    pump(pool);
    fail(x, kind, message);
}

void HttpClient::Private::fail(Exchange *x, Error kind, const QString &message)
{
    x->response.errorKind = kind;
    x->response.error = message;
    x->response.url = x->request.url;
    finish(x);
}

void HttpClient::Private::finish(Exchange *x)
{
    x->response.redirects = x->redirects;
    if (x->timerId) {
        q->killTimer(x->timerId);
        timers.remove(x->timerId);
        x->timerId = 0;
    }
    if (deferDepth > 0) {
        x->finished = true;
        const quint64 id = x->id;
        QTimer::singleShot(0, q, [this, id] { deliver(id); });
        return;
    }
    deliver(x->id);
}

void HttpClient::Private::deliver(quint64 id)
{
    const auto it = exchanges.find(id);
    if (it == exchanges.end())
        return;
    const std::unique_ptr<Exchange> x = std::move(it->second);
    exchanges.erase(it);
    if (x->done)
        x->done(x->response); // last: the callback may destroy the client
}

void HttpClient::Private::onTimeout(quint64 id)
{
    const auto it = exchanges.find(id);
    if (it == exchanges.end())
        return;
    Exchange *x = it->second.get();
    timers.remove(x->timerId);
    q->killTimer(x->timerId);
    x->timerId = 0;
    Pool *pool = x->pool;
    PooledConnection *c = x->connection;
    if (c && c->ready)
        takeParsed(c, x);
    detach(x);
    if (c)
        closeConnection(c); // also one still connecting: the connect itself may be what hangs
    if (pool)
        pump(pool);
    fail(x, Error::Timeout, QStringLiteral("No response within %1 ms").arg(x->request.timeoutMs));
}

void HttpClient::Private::scheduleSweep(qint64 delayMs)
{
    if (sweepTimerId)
        q->killTimer(sweepTimerId);
    sweepTimerId = q->startTimer(std::chrono::milliseconds(std::max<qint64>(delayMs, 10)), Qt::CoarseTimer);
}

void HttpClient::Private::sweep()
{
    q->killTimer(sweepTimerId);
    sweepTimerId = 0;
    const qint64 now = clock.elapsed();
    qint64 next = std::numeric_limits<qint64>::max();
    for (const auto &pool : pools) {
        const std::vector<PooledConnection *> idle = pool->idle;
        for (PooledConnection *c : idle) {
            if (now - c->idleSince >= idleTimeoutMs)
                closeConnection(c);
            else
                next = std::min(next, c->idleSince + idleTimeoutMs);
        }
    }
    pools.erase(
        std::remove_if(pools.begin(), pools.end(),
                       [](const std::unique_ptr<Pool> &p) { return p->connections.empty() && p->queue.empty(); }),
        pools.end());
    if (next != std::numeric_limits<qint64>::max())
        scheduleSweep(next - now);
}

// ---------------------------------------------------------------------------------------------

HttpClient::HttpClient(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this))
{}

HttpClient::~HttpClient()
{
    for (const auto &pool : d->pools) {
        for (PooledConnection *c : pool->connections) {
            c->closed = true;
            c->socket->disconnect(c);
            c->socket->abort();
            if (t_handlerDepth > 0)
                c->deleteLater(); // a socket signal may be on the stack
            else
                delete c;
        }
    }
}

quint64 HttpClient::send(Request request, Callback done)
{
    const Private::DeferScope defer(d.get());
    auto x = std::make_unique<Exchange>();
    x->id = d->nextId++;
    x->request = std::move(request);
    x->done = std::move(done);
    Exchange *raw = x.get();
    const quint64 id = raw->id;
    d->exchanges.emplace(id, std::move(x));

    const HttpClientRequest &r = raw->request;
    const QString scheme = r.url.scheme();
    QString invalid;
    if (!r.url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
        invalid = QStringLiteral("Unsupported URL \"%1\" (http or https expected)").arg(r.url.toDisplayString());
    else if (r.url.host().isEmpty())
        invalid = QStringLiteral("The URL \"%1\" has no host").arg(r.url.toDisplayString());
    else if (!isToken(r.method))
        invalid = QStringLiteral("Invalid HTTP method \"%1\"").arg(printable(r.method));
    else if (scheme == QLatin1String("https") && !QSslSocket::supportsSsl())
        invalid = QStringLiteral("TLS is not available (no TLS backend)");
    for (const auto &h : r.headers) {
        if (!invalid.isEmpty())
            break;
        if (!isToken(h.first) || hasBadValueChar(h.second))
            invalid = QStringLiteral("Invalid request header \"%1\"").arg(printable(h.first));
        else if (equalsIgnoreCase(h.first, "connection"))
            forEachListElement(h.second, [raw](QByteArrayView element) {
                if (equalsIgnoreCase(element, "close"))
                    raw->closeAfter = true;
                return true;
            });
    }
    if (!invalid.isEmpty()) {
        raw->response.errorKind = Error::Invalid;
        raw->response.error = invalid;
        raw->response.url = r.url;
        d->finish(raw); // deferred: never from inside send()
        return id;
    }
    if (r.timeoutMs > 0) {
        raw->timerId = startTimer(std::chrono::milliseconds(r.timeoutMs), Qt::PreciseTimer);
        d->timers.insert(raw->timerId, id);
    }
    d->dispatch(raw);
    return id;
}

void HttpClient::abort(quint64 id)
{
    const Private::DeferScope defer(d.get());
    const auto it = d->exchanges.find(id);
    if (it == d->exchanges.end())
        return;
    const std::unique_ptr<Exchange> x = std::move(it->second);
    d->exchanges.erase(it);
    if (x->timerId) {
        killTimer(x->timerId);
        d->timers.remove(x->timerId);
    }
    if (x->finished)
        return;
    Pool *pool = x->pool;
    d->detach(x.get());
    if (pool)
        d->pump(pool);
}

void HttpClient::setMaxConnectionsPerOrigin(int count)
{
    d->maxPerOrigin = std::max(1, count);
}

int HttpClient::maxConnectionsPerOrigin() const
{
    return d->maxPerOrigin;
}

void HttpClient::setIdleTimeout(int ms)
{
    d->idleTimeoutMs = std::max(1, ms);
    if (d->sweepTimerId)
        d->scheduleSweep(0);
}

int HttpClient::idleTimeout() const
{
    return d->idleTimeoutMs;
}

void HttpClient::addCaCertificates(const QList<QSslCertificate> &certificates)
{
    d->extraCas += certificates;
    d->sslConfiguration.reset();
}

int HttpClient::openConnections() const
{
    int n = 0;
    for (const auto &pool : d->pools)
        n += int(pool->connections.size());
    return n;
}

int HttpClient::idleConnections() const
{
    int n = 0;
    for (const auto &pool : d->pools)
        n += int(pool->idle.size());
    return n;
}

int HttpClient::pendingRequests() const
{
    return int(d->exchanges.size());
}

quint64 HttpClient::connectionsMade() const
{
    return d->connectionsMade;
}

void HttpClient::timerEvent(QTimerEvent *event)
{
    const int timerId = event->timerId();
    if (timerId == d->sweepTimerId) {
        d->sweep();
        return;
    }
    const auto it = d->timers.constFind(timerId);
    if (it == d->timers.constEnd()) {
        QObject::timerEvent(event);
        return;
    }
    const HandlerScope scope;
    d->onTimeout(it.value()); // last: may run the callback
}

} // namespace metamcp::rest
