#pragma once

// A small HTTP/1.1 client for RestUpstream that runs entirely on the thread owning it (the
// gateway thread): no worker thread, no queued calls, one read() per arrival of bytes.
//
// Connections
//   A keep-alive pool per origin (scheme, host, port): QTcpSocket for http, QSslSocket for https
//   (system CAs plus addCaCertificates(); certificate errors fail the request, they are never
//   ignored). At most maxConnectionsPerOrigin() connections per origin; further requests wait in a
//   FIFO queue. The most recently used idle connection is reused first; connections idle for
//   idleTimeout() are closed. A response with "Connection: close", an HTTP/1.0 response without
//   keep-alive, a close-delimited body or any trailing junk closes the connection.
//   Before an idle plain-TCP connection is reused it is checked (one non-blocking peek) for a
//   close the event loop has not seen yet. When a reused connection still turns out to be closed
//   by the server before any byte of the response, the request is sent once more on a fresh
//   connection if its method is idempotent (GET, HEAD, PUT, DELETE, OPTIONS, TRACE); other methods
//   are retried only when none of their bytes had been handed to the socket.
//
// Requests and responses
//   Parsed by http::HttpResponseParser (httpresponseparser.h; every line ends in CRLF):
//   Content-Length or chunked (trailers are appended to the headers) or close-delimited bodies;
//   1xx interim responses are skipped; HEAD, 204 and 304 have no body. The client adds Host,
//   Content-Length (whenever a body is given, and 0 for POST/PUT/PATCH without one) and never
//   asks for compression. Redirects (301, 302, 303, 307, 308) are followed up to maxRedirects for
//   GET and HEAD, 307/308 for every method (303 turns the request into a GET), only to the same
//   origin or to https on the same host; never from https to http. A redirect that is not followed
//   for policy reasons ends the request with Error::Redirect (the 3xx is kept in the response).
//   timeoutMs is a total deadline covering connecting, redirects and the retry.
//
// Threading and callbacks
//   Create, use and destroy on one thread. `done` runs exactly once per send() unless the request
//   is abort()ed, always from the event loop, never from inside send() or abort(). A callback may
//   send(), abort() or even destroy the client.

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>
#include <utility>

namespace metamcp::rest {

using HttpHeaderList = QList<std::pair<QByteArray, QByteArray>>;

inline constexpr qint64 kDefaultMaxResponseBytes = 16 * 1024 * 1024;
inline constexpr int kDefaultMaxRedirects = 5;
inline constexpr int kDefaultMaxConnectionsPerOrigin = 32;
inline constexpr int kDefaultIdleTimeoutMs = 30'000;
inline constexpr qsizetype kMaxResponseHeaderBytes = 64 * 1024; // status line + headers (and trailers)

struct HttpClientRequest
{
    QByteArray method = QByteArrayLiteral("GET"); // a token, sent as given
    QUrl url;                                     // http or https, absolute
    HttpHeaderList headers; // sent as given; Host, Content-Length and Transfer-Encoding are the client's
    std::optional<QByteArray> body;
    int timeoutMs = 0; // total deadline; 0: none
    qint64 maxResponseBytes = kDefaultMaxResponseBytes;
    int maxRedirects = kDefaultMaxRedirects;
};

struct HttpClientResponse
{
    enum class Error {
        None,
        Network,  // connection refused/reset/closed, host not found
        Tls,      // handshake or certificate verification failed
        Timeout,  // timeoutMs elapsed
        TooLarge, // the body exceeds maxResponseBytes
        Protocol, // the server's bytes are not HTTP/1.x
        Redirect, // too many redirects, or one the policy does not follow
        Invalid,  // the request itself (URL, method, header) cannot be sent
    };

    int status = 0;         // 0 when no (complete) response arrived
    QByteArray reason;      // reason phrase as sent
    HttpHeaderList headers; // names lower-cased, values trimmed, in arrival order
    QByteArray body;        // de-chunked
    Error errorKind = Error::None;
    QString error; // empty when OK
    QUrl url;      // the URL that answered (after redirects)
    int redirects = 0;

    bool ok() const { return errorKind == Error::None; }
    bool isTimeout() const { return errorKind == Error::Timeout; }
    bool isNetworkError() const { return errorKind == Error::Network || errorKind == Error::Tls; }
    // First value of a header (lower-case name), empty if absent.
    QByteArray header(QByteArrayView lowerName) const
    {
        for (const auto &h : headers)
            if (h.first == lowerName)
                return h.second;
        return {};
    }
};

class HttpClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpClient)
public:
    using Request = HttpClientRequest;
    using Response = HttpClientResponse;
    using Callback = std::function<void(const Response &response)>;

    explicit HttpClient(QObject *parent = nullptr);
    ~HttpClient() override; // closes every connection; pending callbacks never run

    // Starts a request; returns its id (never 0).
    quint64 send(Request request, Callback done);
    // Forgets a request: its callback never runs. A connection that had carried any of its bytes
    // is closed; one still connecting stays in the pool. Unknown ids are ignored.
    void abort(quint64 id);

    void setMaxConnectionsPerOrigin(int count);
    int maxConnectionsPerOrigin() const;
    void setIdleTimeout(int ms);
    int idleTimeout() const;
    // CAs trusted for https besides the system's (e.g. a self-signed development server).
    // Applies to connections opened afterwards.
    void addCaCertificates(const QList<QSslCertificate> &certificates);

    // Introspection (tests, diagnostics).
    int openConnections() const;     // connecting, busy and idle, all origins
    int idleConnections() const;     // idle, all origins
    int pendingRequests() const;     // sent but not finished, queued included
    quint64 connectionsMade() const; // connections opened since construction

Q_SIGNALS:
    // A new connection is established (TCP connected; for https, the handshake is done).
    void connectionOpened(const QString &origin);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace metamcp::rest
