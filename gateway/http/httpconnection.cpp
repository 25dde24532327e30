#include "http/httpconnection.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QMetaObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <new>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace metamcp::http {

namespace {

Q_LOGGING_CATEGORY(lcHttp, "metamcp.http", QtInfoMsg)

constexpr qint64 kSocketReadBufferSize = 128 * 1024; // bounds what one read takes in; TCP does the rest
constexpr qsizetype kInlineBodyLimit = 16 * 1024;    // smaller bodies are copied behind the head
constexpr qsizetype kKeepInputCapacity = 256 * 1024; // larger input buffers are freed when empty
constexpr qint64 kMaxWriteBacklog = 1024 * 1024;     // unread answers before pipelined requests wait

bool equalsIgnoreCase(QByteArrayView a, QByteArrayView lower)
{
    if (a.size() != lower.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = char(c + ('a' - 'A'));
        if (c != lower[i])
            return false;
    }
    return true;
}

bool containsCloseToken(QByteArrayView value)
{
    qsizetype start = 0;
    while (start <= value.size()) {
        qsizetype comma = value.indexOf(',', start);
        if (comma < 0)
            comma = value.size();
        QByteArrayView token = value.sliced(start, comma - start).trimmed();
        if (equalsIgnoreCase(token, "close"))
            return true;
        start = comma + 1;
    }
    return false;
}

// Handler headers must not be able to split the response.
bool isSafeHeader(const QByteArray &name, const QByteArray &value)
{
    if (name.isEmpty())
        return false;
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7F || c == ':')
            return false;
    }
    for (const char c : value)
        if (c == '\r' || c == '\n' || c == '\0')
            return false;
    return true;
}

QByteArray jsonEscaped(const QByteArray &text)
{
    QByteArray out;
    out.reserve(text.size() + 8);
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out.append('\\').append(c);
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buffer[8];
            std::snprintf(buffer, sizeof(buffer), "\\u%04x", unsigned(static_cast<unsigned char>(c)));
            out.append(buffer);
        } else {
            out.append(c);
        }
    }
    return out;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// ServerContext

const QByteArray &ServerContext::dateHeader()
{
    const qint64 second = QDateTime::currentSecsSinceEpoch();
    if (second != m_dateSecond) {
        static constexpr const char *kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
        static constexpr const char *kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        const QDateTime utc = QDateTime::fromSecsSinceEpoch(second, Qt::UTC);
        const QDate date = utc.date();
        const QTime time = utc.time();
        char buffer[64];
        const int length = std::snprintf(buffer, sizeof(buffer), "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n",
                                         kDays[date.dayOfWeek() - 1], date.day(), kMonths[date.month() - 1],
                                         date.year(), time.hour(), time.minute(), time.second());
        m_dateHeader = QByteArray(buffer, length);
        m_dateSecond = second;
    }
    return m_dateHeader;
}

void ServerContext::addConnection(HttpConnection *connection)
{
    connection->m_index = connections.size();
    connections.push_back(connection);
    if (connection->isRejecting())
        ++rejectingCount;
    else
        ++activeCount;
    if (tickTimer && !tickTimer->isActive())
        tickTimer->start();
}

void ServerContext::removeConnection(HttpConnection *connection)
{
    const size_t index = connection->m_index;
    if (index < connections.size() && connections[index] == connection) {
        HttpConnection *last = connections.back();
        connections[index] = last;
        last->m_index = index;
        connections.pop_back();
    }
    if (connection->isRejecting())
        --rejectingCount;
    else
        --activeCount;
}

// ---------------------------------------------------------------------------------------------
// HttpConnection

HttpConnection::HttpConnection(ServerContext *context, QTcpSocket *socket, bool secure, bool reject, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_socket(socket)
    , m_secure(secure)
    , m_rejecting(reject)
{
    socket->setParent(this);
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    socket->setReadBufferSize(kSocketReadBufferSize);
    m_peerAddress = socket->peerAddress();
    m_peerPort = socket->peerPort();
    m_localPort = socket->localPort();
    context->addConnection(this);

    connect(socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, &HttpConnection::terminate);

    if (socket->state() != QAbstractSocket::ConnectedState) {
        terminate();
        return;
    }
    if (reject) {
        sendError(503, "Too many connections");
        return;
    }
    m_deadline = m_context->now() + m_context->limits.headerTimeoutMs;
    if (socket->bytesAvailable() > 0) // TLS: data may have come with the handshake
        QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection()
{
    m_socket->disconnect(this);
    // Responders have no QObject parent (that saves two events per request); the live one and
    // an orphan left by terminate() are ours to delete.
    if (m_responder) {
        m_responder->m_connection = nullptr;
        delete m_responder;
    }
    delete m_orphan.data();
    delete m_retired.data();
    m_context->removeConnection(this);
}

void HttpConnection::onReadyRead()
{
    switch (m_state) {
    case State::Idle:
    case State::Headers:
    case State::Body:
        if (!m_waitingForDrain)
            processInput();
        break;
    case State::Closing:
        m_socket->skip(m_socket->bytesAvailable()); // lingering close: drain and drop
        break;
    case State::Dispatched: // read once the current response is done (keeps pipelining in order)
    case State::Dead:
        break;
    }
}

void HttpConnection::onBytesWritten()
{
    if (m_state == State::Closing) {
        if (m_socket->bytesToWrite() == 0)
            halfClose();
    } else if (m_waitingForDrain && m_socket->bytesToWrite() <= writeBacklogLimit() / 2) {
        // Queued: inside this signal QAbstractSocket suppresses further bytesWritten(), so a
        // flush from here that drains everything would never be reported.
        m_waitingForDrain = false;
        QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
    }
}

qint64 HttpConnection::writeBacklogLimit() const
{
    return qMin(m_context->limits.maxPendingWriteBytes, kMaxWriteBacklog);
}

bool HttpConnection::readFromSocket()
{
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0)
        return false;
    if (m_inPos > 0 && m_inPos == m_in.size()) {
        m_in.resize(0);
        m_inPos = 0;
    }
    const qsizetype old = m_in.size();
    m_in.resize(old + available);
    const qint64 got = m_socket->read(m_in.data() + old, available);
    m_in.resize(old + qMax<qint64>(got, 0));
    if (got > 0 && m_state == State::Body)
        m_deadline = m_context->now() + m_context->limits.bodyIdleTimeoutMs;
    return got > 0;
}

void HttpConnection::processInput()
{
    if (m_processing || (m_state != State::Idle && m_state != State::Headers && m_state != State::Body))
        return;
    m_processing = true;
    try {
        while (m_state == State::Idle || m_state == State::Headers || m_state == State::Body) {
            if (m_state == State::Idle && m_socket->bytesToWrite() > writeBacklogLimit()) {
                // A pipelining client that does not read its answers: stop reading its requests
                // (TCP pushes back) until it caught up, instead of buffering answers without end.
                m_waitingForDrain = true;
                connect(m_socket, &QTcpSocket::bytesWritten, this, &HttpConnection::onBytesWritten,
                        Qt::UniqueConnection);
                m_needFlush = true;
                break;
            }
            readFromSocket();
            const qsizetype available = m_in.size() - m_inPos;
            if (available == 0)
                break;
            if (m_state == State::Idle) {
                // Reset only now: the handler of the previous request may have read the request
                // after answering it synchronously.
                m_parser.reset();
                m_parser.setLimits(m_context->limits.maxHeaderBytes, m_context->limits.maxBodyBytes);
                m_state = State::Headers;
                m_deadline = m_context->now() + m_context->limits.headerTimeoutMs;
            }
            qsizetype consumed = 0;
            const auto result = m_parser.feed(m_in.constData() + m_inPos, available, &consumed);
            m_inPos += consumed;
            if (result == HttpRequestParser::Result::NeedMore)
                break;
            if (result == HttpRequestParser::Result::Error) {
                sendError(m_parser.errorStatus(), m_parser.errorMessage());
                break;
            }
            if (result == HttpRequestParser::Result::HeaderComplete) {
                m_state = State::Body;
                m_deadline = m_context->now() + m_context->limits.bodyIdleTimeoutMs;
                if (m_parser.expectContinue() && m_inPos == m_in.size() && m_socket->bytesAvailable() == 0) {
                    m_socket->write("HTTP/1.1 100 Continue\r\n\r\n", 25);
                    m_needFlush = true;
                }
                continue;
            }
            dispatch(); // MessageComplete; a synchronous answer brings us back to Idle
        }
    } catch (const std::bad_alloc &) {
        qCWarning(lcHttp) << "Out of memory, dropping the connection from" << m_peerAddress.toString();
        m_processing = false;
        m_dispatching = false;
        terminate();
        return;
    }
    m_processing = false;
    if (m_state == State::Dead)
        return;
    if (m_needFlush) {
        m_needFlush = false;
        m_socket->flush(); // may find the peer gone and terminate()
    }
    if (m_state != State::Dead)
        compactInput();
}

void HttpConnection::compactInput()
{
    if (m_inPos == m_in.size()) {
        if (m_in.capacity() > kKeepInputCapacity)
            m_in = QByteArray();
        else
            m_in.resize(0);
        m_inPos = 0;
    } else if (m_inPos > 0) {
        m_in.remove(0, m_inPos);
        m_inPos = 0;
    }
}

void HttpConnection::dispatch()
{
    HttpRequest &request = m_parser.request();
    request.peerAddress = m_peerAddress;
    request.peerPort = m_peerPort;
    request.localPort = m_localPort;
    request.secure = m_secure;
    m_keepAlive = m_parser.keepAlive() && !m_closeAfterResponse;
    m_http11 = m_parser.isHttp11();
    m_head = m_parser.isHead();
    m_state = State::Dispatched;
    m_deadline = 0;
    auto *responder = new HttpResponderImpl(this);
    m_responder = responder;
    m_dispatching = true;
    m_finishedInDispatch = false;
    if (m_context->handler)
        m_context->handler->handleRequest(request, responder);
    else
        responder->respond(503, {}, {});
    m_dispatching = false;
    // Answered synchronously: nobody can still be inside one of its methods, delete it now
    // instead of posting a DeferredDelete event per request.
    if (m_finishedInDispatch)
        delete responder;
}

void HttpConnection::finishExchange(bool close)
{
    if (HttpResponderImpl *responder = m_responder) {
        m_responder = nullptr;
        responder->m_finished = true;
        responder->m_connection = nullptr;
        if (m_dispatching) {
            m_finishedInDispatch = true; // dispatch() deletes it when the handler returns
        } else {
            // Answered later, from inside one of the responder's own methods: it cannot go now.
            // It is kept until the next one retires (by then its call has long returned) or the
            // connection goes, which saves a posted DeferredDelete event (a wake-up) per request.
            delete m_retired.data();
            m_retired = responder;
        }
    }
    if (close || m_closeAfterResponse) {
        closeAfterWrite();
        return;
    }
    m_state = State::Idle;
    m_deadline = m_context->now() + m_context->limits.keepAliveIdleMs;
    if (m_processing)
        return; // processInput() goes on with the next pipelined request and flushes
    m_socket->flush();
    if (m_state != State::Idle)
        return;
    if (m_inPos < m_in.size() || m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
}

void HttpConnection::flushSoon()
{
    if (m_processing)
        m_needFlush = true;
    else
        m_socket->flush();
}

void HttpConnection::sendError(int status, const QByteArray &message)
{
    Q_ASSERT(!m_responder);
    const QByteArray body =
        R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":")" + jsonEscaped(message) + R"("}})";
    HttpHeaders headers{{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")}};
    if (status == 503)
        headers.append({QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1")});
    writeHead(status, headers, Framing::ContentLength, body.size(), true, body);
    m_socket->write(m_out.constData(), m_out.size());
    qCDebug(lcHttp) << "Rejected request from" << m_peerAddress.toString() << status << message;
    const QHostAddress peer = m_peerAddress;
    HttpServer *server = m_context->server;
    closeAfterWrite();
    Q_EMIT server->protocolError(peer, status, QString::fromLatin1(message));
}

void HttpConnection::closeAfterWrite()
{
    m_state = State::Closing;
    m_deadline = m_context->now() + kLingerMs;
    m_in = QByteArray();
    m_inPos = 0;
    m_needFlush = false;
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HttpConnection::onBytesWritten, Qt::UniqueConnection);
    m_socket->flush();
    if (m_state == State::Closing && m_socket->bytesToWrite() == 0)
        halfClose();
}

// Closing right away with unread input makes the kernel send RST, which can destroy the answer
// (a 413 while the client is still uploading) before the client reads it. So: send FIN, drop
// whatever still arrives, and wait for the peer's FIN or the linger deadline.
void HttpConnection::halfClose()
{
    if (m_halfClosed)
        return;
    m_halfClosed = true;
#ifdef Q_OS_UNIX
    if (!m_secure) {
        const qintptr fd = m_socket->socketDescriptor();
        if (fd >= 0 && ::shutdown(int(fd), SHUT_WR) == 0) {
            m_socket->skip(m_socket->bytesAvailable());
            return;
        }
    }
#endif
    m_socket->disconnectFromHost();
}

void HttpConnection::terminate()
{
    if (m_state == State::Dead)
        return;
    m_state = State::Dead;
    m_deadline = 0;
    m_in = QByteArray();
    m_inPos = 0;
    m_socket->disconnect(this);
    if (m_socket->state() != QAbstractSocket::UnconnectedState)
        m_socket->abort();
    if (m_responder) {
        m_responder->m_connection = nullptr;
        m_orphan = m_responder;
        m_responder = nullptr;
    }
    // Not from inside the caller's stack (a writeChunk() or a socket signal): the handler learns
    // about it from the event loop, then connection and responder go away.
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (m_orphan && !m_orphan->isFinished())
                Q_EMIT m_orphan->closed();
            deleteLater();
        },
        Qt::QueuedConnection);
}

void HttpConnection::checkTimeout(qint64 now)
{
    if (m_deadline == 0 || now < m_deadline)
        return;
    m_deadline = 0;
    switch (m_state) {
    case State::Idle: {
        // A slow reader still draining a response counts as activity.
        const qint64 pending = m_socket->bytesToWrite();
        if (pending > 0 && pending != m_pendingAtLastCheck) {
            m_pendingAtLastCheck = pending;
            m_deadline = now + m_context->limits.keepAliveIdleMs;
            break;
        }
        terminate(); // keep-alive expired, or a new connection never sent a byte
        break;
    }
    case State::Headers:
        if (m_parser.hasStarted())
            sendError(408, "Request header not complete within " +
                               QByteArray::number(m_context->limits.headerTimeoutMs) + " ms");
        else
            terminate();
        break;
    case State::Body:
        sendError(408, "Request body stalled for " + QByteArray::number(m_context->limits.bodyIdleTimeoutMs) + " ms");
        break;
    case State::Closing:
        terminate();
        break;
    case State::Dispatched:
    case State::Dead:
        break;
    }
}

void HttpConnection::closeWhenIdle()
{
    m_closeAfterResponse = true;
    const bool idle = m_state == State::Idle || (m_state == State::Headers && !m_parser.hasStarted());
    if (!idle)
        return;
    if (m_socket->bytesToWrite() > 0)
        closeAfterWrite();
    else
        terminate();
}

qint64 HttpConnection::pendingBytes() const
{
    return m_state == State::Dead ? 0 : m_socket->bytesToWrite();
}

namespace {

inline char *put(char *out, const char *data, qsizetype length)
{
    std::memcpy(out, data, size_t(length));
    return out + length;
}

inline char *put(char *out, const QByteArray &data)
{
    return put(out, data.constData(), data.size());
}

template<size_t N> inline char *put(char *out, const char (&literal)[N])
{
    return put(out, literal, qsizetype(N - 1));
}

inline char *putNumber(char *out, qint64 value, int base = 10)
{
    return std::to_chars(out, out + 20, value, base).ptr;
}

// Headers the server writes itself: the handler's versions are dropped (Connection is read).
enum class OwnedHeader { None, Date, Connection, ContentLength, TransferEncoding };

OwnedHeader ownedHeader(const QByteArray &name)
{
    switch (name.size()) {
    case 4:
        return equalsIgnoreCase(name, "date") ? OwnedHeader::Date : OwnedHeader::None;
    case 10:
        return equalsIgnoreCase(name, "connection") ? OwnedHeader::Connection : OwnedHeader::None;
    case 14:
        return equalsIgnoreCase(name, "content-length") ? OwnedHeader::ContentLength : OwnedHeader::None;
    case 17:
        return equalsIgnoreCase(name, "transfer-encoding") ? OwnedHeader::TransferEncoding : OwnedHeader::None;
    default:
        return OwnedHeader::None;
    }
}

} // namespace

// One size computation, one resize (capacity reused across responses), then plain memcpy.
bool HttpConnection::writeHead(int status, const HttpHeaders &headers, Framing framing, qint64 contentLength,
                               bool close, const QByteArray &inlineBody)
{
    const QByteArray reason = reasonPhrase(status);
    const QByteArray &date = m_context->dateHeader();
    qsizetype bound = 9 + 20 + 1 + reason.size() + 2 + date.size() + 48 + 28 + inlineBody.size();
    for (const auto &[name, value] : headers)
        bound += name.size() + value.size() + 4;
    m_out.resize(bound);
    char *const begin = m_out.data();
    char *p = begin;
    p = put(p, "HTTP/1.1 ");
    p = putNumber(p, status);
    *p++ = ' ';
    p = put(p, reason);
    p = put(p, "\r\n");
    for (const auto &[name, value] : headers) {
        if (!isSafeHeader(name, value)) {
            qCWarning(lcHttp) << "Dropping invalid response header" << name;
            continue;
        }
        const OwnedHeader owned = ownedHeader(name);
        if (owned == OwnedHeader::Connection)
            close = close || containsCloseToken(value);
        if (owned != OwnedHeader::None)
            continue;
        p = put(p, name);
        p = put(p, ": ");
        p = put(p, value);
        p = put(p, "\r\n");
    }
    p = put(p, date);
    if (framing == Framing::ContentLength) {
        p = put(p, "Content-Length: ");
        p = putNumber(p, contentLength);
        p = put(p, "\r\n");
    } else if (framing == Framing::Chunked) {
        p = put(p, "Transfer-Encoding: chunked\r\n");
    }
    p = close ? put(p, "Connection: close\r\n\r\n") : put(p, "Connection: keep-alive\r\n\r\n");
    if (!inlineBody.isEmpty())
        p = put(p, inlineBody);
    Q_ASSERT(p - begin <= bound);
    m_out.resize(p - begin);
    return close;
}

static int checkedStatus(int status)
{
    if (status >= 200 && status <= 599)
        return status;
    qCWarning(lcHttp) << "Invalid final status" << status << "replaced by 500";
    return 500;
}

void HttpConnection::respond(HttpResponderImpl *responder, int status, const HttpHeaders &headers,
                             const QByteArray &body)
{
    if (responder != m_responder || m_state != State::Dispatched || responder->m_streaming)
        return;
    try {
        status = checkedStatus(status);
        const bool bodyless = status == 204 || status == 304;
        const bool sendBody = !bodyless && !m_head && !body.isEmpty();
        const bool inlineBody = sendBody && body.size() <= kInlineBodyLimit;
        const bool close = writeHead(status, headers, bodyless ? Framing::None : Framing::ContentLength, body.size(),
                                     !m_keepAlive || m_closeAfterResponse, inlineBody ? body : QByteArray());
        m_socket->write(m_out.constData(), m_out.size());
        if (sendBody && !inlineBody)
            m_socket->write(body);
        finishExchange(close);
    } catch (const std::bad_alloc &) {
        qCWarning(lcHttp) << "Out of memory while answering" << m_peerAddress.toString();
        terminate();
    }
}

void HttpConnection::beginStream(HttpResponderImpl *responder, int status, const HttpHeaders &headers)
{
    if (responder != m_responder || m_state != State::Dispatched || responder->m_streaming)
        return;
    try {
        status = checkedStatus(status);
        // HTTP/1.0 has no chunked coding: the end of the stream is the end of the connection.
        m_streamChunked = m_http11;
        m_streamClose = writeHead(status, headers, m_streamChunked ? Framing::Chunked : Framing::None, 0,
                                  !m_keepAlive || m_closeAfterResponse || !m_http11, QByteArray());
        responder->m_streaming = true;
        m_socket->write(m_out.constData(), m_out.size());
        flushSoon();
    } catch (const std::bad_alloc &) {
        terminate();
    }
}

void HttpConnection::writeChunk(HttpResponderImpl *responder, const QByteArray &data)
{
    if (responder != m_responder || m_state != State::Dispatched || !responder->m_streaming)
        return;
    if (data.isEmpty() || m_head) // an empty chunk would end the stream
        return;
    try {
        if (m_streamChunked) {
            const bool inlineData = data.size() <= kInlineBodyLimit;
            m_out.resize(20 + 2 + (inlineData ? data.size() + 2 : 0));
            char *const begin = m_out.data();
            char *p = putNumber(begin, data.size(), 16);
            p = put(p, "\r\n");
            if (inlineData) {
                p = put(p, data);
                p = put(p, "\r\n");
            }
            m_out.resize(p - begin);
            m_socket->write(m_out.constData(), m_out.size());
            if (!inlineData) {
                m_socket->write(data);
                m_socket->write("\r\n", 2);
            }
        } else {
            m_socket->write(data);
        }
        flushSoon();
    } catch (const std::bad_alloc &) {
        terminate();
        return;
    }
    if (m_state == State::Dispatched && m_socket->bytesToWrite() > m_context->limits.maxPendingWriteBytes) {
        qCWarning(lcHttp) << "Stream reader" << m_peerAddress.toString() << "stalled with" << m_socket->bytesToWrite()
                          << "bytes pending, closing";
        terminate();
    }
}

void HttpConnection::endStream(HttpResponderImpl *responder)
{
    if (responder != m_responder || m_state != State::Dispatched || !responder->m_streaming)
        return;
    if (m_streamChunked && !m_head)
        m_socket->write("0\r\n\r\n", 5);
    finishExchange(m_streamClose);
}

void HttpConnection::responderDestroyed(HttpResponderImpl *responder)
{
    if (responder != m_responder)
        return;
    qCWarning(lcHttp) << "A responder was deleted before it answered; closing the connection";
    m_responder = nullptr;
    terminate();
}

// ---------------------------------------------------------------------------------------------
// HttpResponderImpl

HttpResponderImpl::HttpResponderImpl(HttpConnection *connection)
    : HttpResponder(nullptr)
    , m_connection(connection)
{}

HttpResponderImpl::~HttpResponderImpl()
{
    if (m_connection) // only when someone deleted us behind the connection's back
        m_connection->responderDestroyed(this);
}

void HttpResponderImpl::respond(int status, const HttpHeaders &headers, const QByteArray &body)
{
    if (m_connection && !m_finished)
        m_connection->respond(this, status, headers, body);
}

void HttpResponderImpl::beginStream(int status, const HttpHeaders &headers)
{
    if (m_connection && !m_finished)
        m_connection->beginStream(this, status, headers);
}

void HttpResponderImpl::writeChunk(const QByteArray &data)
{
    if (m_connection && !m_finished)
        m_connection->writeChunk(this, data);
}

void HttpResponderImpl::endStream()
{
    if (m_connection && !m_finished)
        m_connection->endStream(this);
}

qint64 HttpResponderImpl::pendingBytes() const
{
    return m_connection ? m_connection->pendingBytes() : 0;
}

} // namespace metamcp::http
