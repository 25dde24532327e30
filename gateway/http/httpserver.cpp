#include "http/httpserver.h"

#include "http/httpconnection.h"

#include <QLoggingCategory>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <new>
#include <optional>

namespace metamcp::http {

namespace {

Q_LOGGING_CATEGORY(lcHttpServer, "metamcp.http.server", QtInfoMsg)

constexpr int kAcceptRetryMs = 250; // after EMFILE & co. QTcpServer pauses; try again later

// Deadlines are checked by one coarse timer: a timeout fires up to one tick late.
int tickInterval(const HttpServerLimits &limits)
{
    const int shortest =
        std::min({limits.headerTimeoutMs, limits.bodyIdleTimeoutMs, limits.keepAliveIdleMs, kLingerMs});
    return std::clamp(shortest / 8, 10, 500);
}

HttpServerLimits sanitized(HttpServerLimits limits)
{
    limits.maxHeaderBytes = std::max<qint64>(limits.maxHeaderBytes, 256);
    limits.maxBodyBytes = std::max<qint64>(limits.maxBodyBytes, 0);
    limits.headerTimeoutMs = std::max(limits.headerTimeoutMs, 1);
    limits.bodyIdleTimeoutMs = std::max(limits.bodyIdleTimeoutMs, 1);
    limits.keepAliveIdleMs = std::max(limits.keepAliveIdleMs, 1);
    limits.maxConnections = std::max(limits.maxConnections, 1);
    limits.maxPendingWriteBytes = std::max<qint64>(limits.maxPendingWriteBytes, 1);
    return limits;
}

} // namespace

struct HttpServer::Private
{
    ServerContext context;
    // Optional: a default-constructed QSslConfiguration already loads and initializes OpenSSL.
    std::optional<QSslConfiguration> tlsConfiguration;
    QTcpServer *listener = nullptr; // child of the HttpServer
    bool secure = false;
    QString errorString;
};

HttpServer::HttpServer(IRequestHandler *handler, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->context.server = this;
    d->context.handler = handler;
    d->context.clock.start();
    d->context.tickTimer = new QTimer(this);
    d->context.tickTimer->setInterval(tickInterval(d->context.limits));
    connect(d->context.tickTimer, &QTimer::timeout, this, [this] {
        const qint64 now = d->context.now();
        // checkTimeout() never deletes synchronously, so indices stay valid.
        for (size_t i = 0; i < d->context.connections.size(); ++i)
            d->context.connections[i]->checkTimeout(now);
        if (d->context.connections.empty())
            d->context.tickTimer->stop();
    });
}

HttpServer::~HttpServer()
{
    if (d->listener) {
        d->listener->close();
        delete d->listener;
        d->listener = nullptr;
    }
    // Before d goes away: connections unregister from the context in their destructor.
    while (!d->context.connections.empty())
        delete d->context.connections.back();
}

void HttpServer::setLimits(const HttpServerLimits &limits)
{
    d->context.limits = sanitized(limits);
    d->context.tickTimer->setInterval(tickInterval(d->context.limits));
}

const HttpServerLimits &HttpServer::limits() const
{
    return d->context.limits;
}

void HttpServer::setTlsConfiguration(const QSslConfiguration &configuration)
{
    if (configuration.isNull())
        d->tlsConfiguration.reset();
    else
        d->tlsConfiguration = configuration;
}

bool HttpServer::listen(const QHostAddress &address, quint16 port)
{
    if (d->listener) {
        d->listener->close();
        d->listener->deleteLater();
        d->listener = nullptr;
    }
    d->errorString.clear();

    const bool secure = d->tlsConfiguration.has_value();
    QTcpServer *listener = nullptr;
    if (secure) {
        if (!QSslSocket::supportsSsl()) {
            d->errorString = tr("TLS is not available (no TLS backend)");
            return false;
        }
        auto *sslServer = new QSslServer(this);
        sslServer->setSslConfiguration(*d->tlsConfiguration);
        connect(
            sslServer, &QSslServer::errorOccurred, this, [](QSslSocket *socket, QAbstractSocket::SocketError error) {
                qCDebug(lcHttpServer) << "TLS handshake with" << socket->peerAddress().toString() << "failed" << error;
            });
        listener = sslServer;
    } else {
        listener = new QTcpServer(this);
    }

    // Emitted for plain sockets at once, for TLS sockets after the handshake.
    connect(listener, &QTcpServer::pendingConnectionAvailable, this, [this, listener] {
        while (listener->hasPendingConnections()) {
            QTcpSocket *socket = listener->nextPendingConnection();
            if (!socket)
                break;
            const bool reject = d->context.activeCount >= d->context.limits.maxConnections;
            if (reject && d->context.rejectingCount >= kMaxRejectingConnections) {
                socket->abort();
                socket->deleteLater();
                continue;
            }
            try {
                new HttpConnection(&d->context, socket, d->secure, reject, this);
            } catch (const std::bad_alloc &) {
                qCWarning(lcHttpServer) << "Out of memory, refusing a connection";
                socket->abort();
                socket->deleteLater();
            }
        }
    });
    connect(listener, &QTcpServer::acceptError, this, [listener](QAbstractSocket::SocketError error) {
        qCWarning(lcHttpServer) << "Accepting a connection failed:" << error << listener->errorString();
        QTimer::singleShot(kAcceptRetryMs, listener, [listener] { listener->resumeAccepting(); });
    });

    if (!listener->listen(address, port)) {
        d->errorString = listener->errorString();
        delete listener;
        return false;
    }
    d->listener = listener;
    d->secure = secure;
    return true;
}

void HttpServer::close()
{
    if (d->listener) {
        d->listener->close();
        d->listener->deleteLater();
        d->listener = nullptr;
    }
    // Idle connections go now, busy ones after their current response.
    const std::vector<HttpConnection *> connections = d->context.connections;
    for (HttpConnection *connection : connections)
        connection->closeWhenIdle();
}

bool HttpServer::isListening() const
{
    return d->listener && d->listener->isListening();
}

QHostAddress HttpServer::serverAddress() const
{
    return d->listener ? d->listener->serverAddress() : QHostAddress();
}

quint16 HttpServer::serverPort() const
{
    return d->listener ? d->listener->serverPort() : quint16(0);
}

QString HttpServer::errorString() const
{
    return d->errorString;
}

int HttpServer::connectionCount() const
{
    return d->context.activeCount;
}

} // namespace metamcp::http
