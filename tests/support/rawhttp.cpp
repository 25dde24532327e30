#include "rawhttp.h"

#include <QDeadlineTimer>
#include <QHostAddress>
#include <QJsonDocument>

namespace metamcp::test {

QJsonObject SseEvent::json() const
{
    return QJsonDocument::fromJson(data).object();
}

QByteArray RawResponse::header(const QByteArray &lowerName) const
{
    for (const auto &h : headers)
        if (h.first == lowerName)
            return h.second;
    return {};
}

QJsonObject RawResponse::json() const
{
    return QJsonDocument::fromJson(body).object();
}

QList<SseEvent> RawResponse::events() const
{
    return parseSse(body);
}

QList<SseEvent> parseSse(const QByteArray &stream)
{
    QList<SseEvent> events;
    SseEvent current;
    bool any = false;
    QByteArray normalized = stream;
    normalized.replace("\r\n", "\n");
    const QList<QByteArray> lines = normalized.split('\n');
    for (const QByteArray &line : lines) {
        if (line.isEmpty()) {
            if (any)
                events.append(current);
            current = SseEvent();
            any = false;
            continue;
        }
        if (line.startsWith(':'))
            continue;
        const qsizetype colon = line.indexOf(':');
        const QByteArray field = colon < 0 ? line : line.left(colon);
        QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
        if (value.startsWith(' '))
            value.remove(0, 1);
        if (field == "event") {
            current.event = value;
            any = true;
        } else if (field == "id") {
            current.id = value;
            any = true;
        } else if (field == "data") {
            if (!current.data.isEmpty())
                current.data.append('\n');
            current.data.append(value);
            any = true;
        } else if (field == "retry") {
            any = true;
        }
    }
    return events;
}

QByteArray buildRequest(quint16 port, const QByteArray &method, const QByteArray &path, const RawHeaders &headers,
                        const QByteArray &body)
{
    QByteArray out = method + ' ' + path + " HTTP/1.1\r\n";
    bool host = false, length = false;
    for (const auto &h : headers) {
        const QByteArray lower = h.first.toLower();
        host |= lower == "host";
        length |= lower == "content-length" || lower == "transfer-encoding";
        out += h.first + ": " + h.second + "\r\n";
    }
    if (!host)
        out += "Host: 127.0.0.1:" + QByteArray::number(port) + "\r\n";
    if (!length && (!body.isEmpty() || method == "POST"))
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += "\r\n" + body;
    return out;
}

static bool parseHead(const QByteArray &raw, int *status, RawHeaders *headers, qsizetype *headEnd)
{
    const qsizetype end = raw.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QList<QByteArray> lines = raw.left(end).split('\n');
    const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
    *status = statusLine.value(1).toInt();
    headers->clear();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            headers->append(std::pair<QByteArray, QByteArray>(lines[i].left(colon).trimmed().toLower(),
                                                              lines[i].mid(colon + 1).trimmed()));
    }
    *headEnd = end + 4;
    return true;
}

// Decodes as much chunked data as is complete; returns false when the final chunk was seen.
static bool dechunk(QByteArray *raw, QByteArray *body)
{
    for (;;) {
        const qsizetype lineEnd = raw->indexOf("\r\n");
        if (lineEnd < 0)
            return true;
        bool ok = false;
        const qint64 size = raw->left(lineEnd).split(';').value(0).trimmed().toLongLong(&ok, 16);
        if (!ok)
            return false;
        if (size == 0) {
            raw->clear();
            return false;
        }
        if (raw->size() < lineEnd + 2 + size + 2)
            return true;
        body->append(raw->mid(lineEnd + 2, size));
        raw->remove(0, lineEnd + 2 + size + 2);
    }
}

static RawResponse readResponse(QTcpSocket &socket, int timeoutMs)
{
    RawResponse response;
    QByteArray raw;
    QDeadlineTimer deadline(timeoutMs);
    int status = 0;
    RawHeaders headers;
    qsizetype headEnd = -1;
    while (!deadline.hasExpired()) {
        if (socket.bytesAvailable() == 0 &&
            !socket.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())))) {
            if (socket.state() != QAbstractSocket::ConnectedState)
                break;
            continue;
        }
        raw += socket.readAll();
        if (headEnd < 0 && !parseHead(raw, &status, &headers, &headEnd))
            continue;
        QByteArray te;
        qint64 length = -1;
        for (const auto &h : headers) {
            if (h.first == "transfer-encoding")
                te = h.second.toLower();
            if (h.first == "content-length")
                length = h.second.toLongLong();
        }
        if (te.contains("chunked")) {
            QByteArray rest = raw.mid(headEnd), body;
            if (!dechunk(&rest, &body)) {
                response.status = status;
                response.headers = headers;
                response.body = body;
                return response;
            }
        } else if (length >= 0 && raw.size() - headEnd >= length) {
            response.status = status;
            response.headers = headers;
            response.body = raw.mid(headEnd, length);
            return response;
        }
    }
    if (headEnd >= 0) {
        // Closed without a complete framed body (Connection: close bodies).
        response.status = status;
        response.headers = headers;
        response.body = raw.mid(headEnd);
    }
    return response;
}

RawResponse rawRequest(quint16 port, const QByteArray &method, const QByteArray &path, const RawHeaders &headers,
                       const QByteArray &body, int timeoutMs)
{
    RawHeaders withClose = headers;
    withClose.append(std::pair<QByteArray, QByteArray>("Connection", "close"));
    return rawExchange(port, buildRequest(port, method, path, withClose, body), timeoutMs);
}

RawResponse rawExchange(quint16 port, const QByteArray &bytes, int timeoutMs)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(bytes);
    socket.waitForBytesWritten(5000);
    return readResponse(socket, timeoutMs);
}

QJsonObject rpc(const QJsonValue &id, const QString &method, const QJsonObject &params)
{
    QJsonObject m{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                  {QStringLiteral("id"), id},
                  {QStringLiteral("method"), method}};
    if (!params.isEmpty())
        m.insert(QStringLiteral("params"), params);
    return m;
}

RawHeaders mcpHeaders(const QByteArray &sessionId, const QByteArray &protocolVersion)
{
    RawHeaders h{{"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"}};
    if (!sessionId.isEmpty())
        h.append(std::pair<QByteArray, QByteArray>("Mcp-Session-Id", sessionId));
    if (!protocolVersion.isEmpty())
        h.append(std::pair<QByteArray, QByteArray>("MCP-Protocol-Version", protocolVersion));
    return h;
}

QJsonObject modernEnvelope(const QJsonObject &capabilities)
{
    return {{QStringLiteral("io.modelcontextprotocol/protocolVersion"), QStringLiteral("2026-07-28")},
            {QStringLiteral("io.modelcontextprotocol/clientCapabilities"), capabilities},
            {QStringLiteral("io.modelcontextprotocol/clientInfo"),
             QJsonObject{{QStringLiteral("name"), QStringLiteral("tst")},
                         {QStringLiteral("version"), QStringLiteral("1")}}}};
}

RawHeaders modernHeaders(const QByteArray &method, const QByteArray &name)
{
    RawHeaders h = mcpHeaders({}, "2026-07-28");
    h.append(std::pair<QByteArray, QByteArray>("Mcp-Method", method));
    if (!name.isEmpty())
        h.append(std::pair<QByteArray, QByteArray>("Mcp-Name", name));
    return h;
}

RawResponse postJson(quint16 port, const QByteArray &path, const QJsonObject &message, const RawHeaders &headers)
{
    return rawRequest(port, "POST", path, headers, QJsonDocument(message).toJson(QJsonDocument::Compact));
}

RawResponse initializeSession(quint16 port, const QByteArray &path, const QJsonObject &capabilities,
                              const QString &protocolVersion)
{
    const QJsonObject params{
        {QStringLiteral("protocolVersion"), protocolVersion},
        {QStringLiteral("capabilities"), capabilities},
        {QStringLiteral("clientInfo"), QJsonObject{{QStringLiteral("name"), QStringLiteral("tst")},
                                                   {QStringLiteral("version"), QStringLiteral("1")}}}};
    return postJson(port, path, rpc(1, QStringLiteral("initialize"), params), mcpHeaders());
}

bool StreamClient::open(quint16 port, const QByteArray &requestBytes, int timeoutMs)
{
    m_socket = std::make_unique<QTcpSocket>();
    m_socket->connectToHost(QHostAddress::LocalHost, port);
    if (!m_socket->waitForConnected(5000))
        return false;
    m_socket->write(requestBytes);
    m_socket->waitForBytesWritten(5000);
    QDeadlineTimer deadline(timeoutMs);
    qsizetype headEnd = -1;
    while (!deadline.hasExpired()) {
        if (!m_socket->waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime()))))
            continue;
        m_raw += m_socket->readAll();
        if (parseHead(m_raw, &m_status, &m_headers, &headEnd)) {
            m_raw.remove(0, headEnd);
            m_chunked = header("transfer-encoding").toLower().contains("chunked");
            if (!m_chunked) {
                m_body += m_raw;
                m_raw.clear();
            } else {
                dechunk(&m_raw, &m_body);
            }
            return true;
        }
    }
    return false;
}

QByteArray StreamClient::header(const QByteArray &lowerName) const
{
    for (const auto &h : m_headers)
        if (h.first == lowerName)
            return h.second;
    return {};
}

bool StreamClient::fill(int timeoutMs)
{
    if (!m_socket || !m_socket->waitForReadyRead(timeoutMs))
        return false;
    m_raw += m_socket->readAll();
    if (m_chunked)
        dechunk(&m_raw, &m_body);
    else {
        m_body += m_raw;
        m_raw.clear();
    }
    return true;
}

bool StreamClient::nextEvent(SseEvent *event, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        QByteArray normalized = m_body;
        normalized.replace("\r\n", "\n");
        qsizetype end;
        // Skip comment-only blocks (keep-alives).
        while ((end = normalized.indexOf("\n\n")) >= 0) {
            const QByteArray block = normalized.left(end + 2);
            normalized.remove(0, end + 2);
            m_body = normalized;
            const QList<SseEvent> events = parseSse(block);
            if (!events.isEmpty()) {
                *event = events.first();
                return true;
            }
        }
        if (deadline.hasExpired() || !fill(int(std::max<qint64>(1, deadline.remainingTime()))))
            return false;
    }
}

void StreamClient::close()
{
    if (m_socket)
        m_socket->abort();
    m_socket.reset();
}

} // namespace metamcp::test
