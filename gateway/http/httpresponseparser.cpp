#include "http/httpresponseparser.h"

#include "http/httptext.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

namespace metamcp::http {

namespace {

using namespace text;

constexpr qsizetype kMaxChunkSizeLine = 4096;   // "1a2b;name=value\r\n"
constexpr int kMaxChunkSizeDigits = 15;         // keeps the value well inside qint64
constexpr qint64 kMaxBodyReserve = 1024 * 1024; // reserved up front from Content-Length

// Header names nearly every response carries come from static literals: lower-casing them costs
// no allocation. The first three are the ones the parser interprets.
enum KnownHeader { ContentLength, TransferEncoding, Connection, OtherKnown, Unknown };

const std::array<QByteArray, 28> &knownHeaderNames()
{
    static const std::array<QByteArray, 28> names = {
        QByteArrayLiteral("content-length"),
        QByteArrayLiteral("transfer-encoding"),
        QByteArrayLiteral("connection"),
        QByteArrayLiteral("content-type"),
        QByteArrayLiteral("date"),
        QByteArrayLiteral("server"),
        QByteArrayLiteral("keep-alive"),
        QByteArrayLiteral("location"),
        QByteArrayLiteral("etag"),
        QByteArrayLiteral("last-modified"),
        QByteArrayLiteral("cache-control"),
        QByteArrayLiteral("accept-ranges"),
        QByteArrayLiteral("vary"),
        QByteArrayLiteral("expires"),
        QByteArrayLiteral("set-cookie"),
        QByteArrayLiteral("content-encoding"),
        QByteArrayLiteral("retry-after"),
        QByteArrayLiteral("www-authenticate"),
        QByteArrayLiteral("pragma"),
        QByteArrayLiteral("age"),
        QByteArrayLiteral("x-request-id"),
        QByteArrayLiteral("x-frame-options"),
        QByteArrayLiteral("x-content-type-options"),
        QByteArrayLiteral("strict-transport-security"),
        QByteArrayLiteral("content-security-policy"),
        QByteArrayLiteral("referrer-policy"),
        QByteArrayLiteral("access-control-allow-origin"),
        QByteArrayLiteral("link"),
    };
    return names;
}

KnownHeader lowerHeaderName(QByteArrayView name, QByteArray *lower)
{
    const auto &known = knownHeaderNames();
    for (size_t i = 0; i < known.size(); ++i) {
        if (equalsIgnoreCase(name, known[i])) {
            *lower = known[i];
            return i < OtherKnown ? KnownHeader(i) : OtherKnown;
        }
    }
    lower->resize(name.size());
    for (qsizetype i = 0; i < name.size(); ++i)
        (*lower)[i] = toLowerAscii(name[i]);
    return Unknown;
}

} // namespace

HttpResponseParser::HttpResponseParser()
{
    reset();
}

void HttpResponseParser::setLimits(qint64 maxHeaderBytes, qint64 maxBodyBytes)
{
    m_maxHeaderBytes = std::max<qint64>(maxHeaderBytes, 64);
    m_maxBody = std::max<qint64>(maxBodyBytes, 0);
}

void HttpResponseParser::reset(bool headRequest)
{
    m_message = HttpResponseMessage();
    m_head = headRequest;
    m_state = State::StatusLine;
    m_error.clear();
    m_started = false;
    m_interim = 0;
    resetMessage();
}

HttpResponseMessage HttpResponseParser::takeMessage()
{
    return std::exchange(m_message, HttpResponseMessage());
}

void HttpResponseParser::resetMessage()
{
    m_headerBytes = 0;
    m_contentLength = -1;
    m_chunkRemaining = 0;
    m_http11 = true;
    m_keepAlive = true;
    m_connectionClose = false;
    m_connectionKeepAlive = false;
    m_chunked = false;
    m_lastHeaderFraming = false;
}

HttpResponseParser::Result HttpResponseParser::fail(const QString &message)
{
    m_state = State::Failed;
    m_error = message;
    return Result::Error;
}

HttpResponseParser::Result HttpResponseParser::tooLarge()
{
    m_state = State::Failed;
    m_error = QStringLiteral("The response exceeds %1 bytes").arg(m_maxBody);
    return Result::TooLarge;
}

bool HttpResponseParser::appendBody(const char *data, qsizetype size)
{
    if (m_message.body.size() + size > m_maxBody)
        return false;
    m_message.body.append(data, size);
    return true;
}

HttpResponseParser::Result HttpResponseParser::feed(const char *data, qsizetype size, qsizetype *consumed)
{
    qsizetype pos = 0;
    auto done = [&](Result r) {
        *consumed = pos;
        return r;
    };
    if (size > 0)
        m_started = true;
    for (;;) {
        switch (m_state) {
        case State::StatusLine:
        case State::Headers:
        case State::ChunkSize:
        case State::Trailers: {
            const bool headerPhase = m_state != State::ChunkSize;
            const qint64 limit = headerPhase ? m_maxHeaderBytes - m_headerBytes : kMaxChunkSizeLine;
            auto tooLong = [&] {
                return headerPhase ? fail(QStringLiteral("The response header section is too large"))
                                   : fail(QStringLiteral("Malformed chunked response body"));
            };
            if (pos >= size)
                return done(Result::NeedMore);
            const char *begin = data + pos;
            const auto *nl = static_cast<const char *>(std::memchr(begin, '\n', size_t(size - pos)));
            if (!nl) {
                if (size - pos > limit)
                    return done(tooLong());
                return done(Result::NeedMore);
            }
            const qsizetype lineBytes = nl - begin + 1;
            if (lineBytes > limit)
                return done(tooLong());
            // Every line ends in CRLF, decided on whole lines: how the bytes were split cannot
            // matter (the request parser refuses a bare LF the same way).
            if (nl == begin || nl[-1] != '\r')
                return done(headerPhase
                                ? fail(QStringLiteral("Malformed HTTP response (bare LF line ending, CRLF required)"))
                                : fail(QStringLiteral("Malformed chunked response body (bare LF line ending)")));
            pos += lineBytes;
            const QByteArrayView line(begin, nl - begin - 1);
            if (headerPhase)
                m_headerBytes += lineBytes;

            if (m_state == State::StatusLine) {
                if (line.isEmpty())
                    continue; // stray empty lines before the status line
                if (!parseStatusLine(line))
                    return done(
                        fail(QStringLiteral("Malformed HTTP response (status line \"%1\")").arg(printable(line))));
                m_state = State::Headers;
            } else if (m_state == State::Headers) {
                if (line.isEmpty()) {
                    const Result r = finishHeaders();
                    if (r != Result::NeedMore)
                        return done(r);
                } else if (!parseHeaderLine(line, false)) {
                    return done(
                        fail(QStringLiteral("Malformed HTTP response (header line \"%1\")").arg(printable(line))));
                }
            } else if (m_state == State::ChunkSize) {
                if (!parseChunkSize(line))
                    return done(fail(
                        QStringLiteral("Malformed chunked response body (chunk size \"%1\")").arg(printable(line))));
                if (m_chunkRemaining == 0) {
                    m_state = State::Trailers;
                    m_headerBytes = 0;
                } else if (m_message.body.size() + m_chunkRemaining > m_maxBody) {
                    return done(tooLarge());
                } else {
                    m_state = State::ChunkData;
                }
            } else { // Trailers
                if (line.isEmpty()) {
                    m_state = State::Done;
                } else if (!parseHeaderLine(line, true)) {
                    return done(
                        fail(QStringLiteral("Malformed HTTP response (trailer line \"%1\")").arg(printable(line))));
                }
            }
            break;
        }
        case State::ChunkDataEnd:
            // Exactly CRLF; each byte is decided as it arrives.
            if (pos >= size)
                return done(Result::NeedMore);
            if (data[pos] != '\r' || (pos + 1 < size && data[pos + 1] != '\n'))
                return done(fail(QStringLiteral("Malformed chunked response body (no CRLF after a chunk)")));
            if (pos + 1 >= size)
                return done(Result::NeedMore); // the CR is passed again with the LF
            pos += 2;
            m_state = State::ChunkSize;
            break;
        case State::FixedBody:
        case State::ChunkData: {
            const qsizetype n = qsizetype(std::min<qint64>(m_chunkRemaining, size - pos));
            if (n == 0)
                return done(Result::NeedMore);
            if (!appendBody(data + pos, n))
                return done(tooLarge());
            pos += n;
            m_chunkRemaining -= n;
            if (m_chunkRemaining == 0)
                m_state = m_state == State::FixedBody ? State::Done : State::ChunkDataEnd;
            break;
        }
        case State::UntilClose: {
            // What fits is taken before failing: the same bytes whatever the split.
            const qsizetype room = qsizetype(std::min<qint64>(m_maxBody - m_message.body.size(), size - pos));
            m_message.body.append(data + pos, room);
            pos += room;
            if (pos < size)
                return done(tooLarge());
            return done(Result::NeedMore);
        }
        case State::Done:
            return done(Result::Complete);
        case State::Failed:
            return done(Result::Error);
        }
    }
}

HttpResponseParser::Result HttpResponseParser::finishAtEof()
{
    switch (m_state) {
    case State::UntilClose:
        m_state = State::Done;
        return Result::Complete;
    case State::Done:
        return Result::Complete;
    case State::Failed:
        return Result::Error;
    default:
        return fail(m_started ? QStringLiteral("The server closed the connection before the response was complete")
                              : QStringLiteral("The server closed the connection without a response"));
    }
}

bool HttpResponseParser::parseStatusLine(QByteArrayView line)
{
    // HTTP/1.x SP 3DIGIT [SP reason-phrase]
    if (line.size() < 12 || !line.startsWith("HTTP/1.") || line[7] < '0' || line[7] > '9' || line[8] != ' ')
        return false;
    int status = 0;
    for (int i = 9; i < 12; ++i) {
        if (line[i] < '0' || line[i] > '9')
            return false;
        status = status * 10 + (line[i] - '0');
    }
    if (status < 100)
        return false;
    QByteArrayView reason;
    if (line.size() > 12) {
        if (line[12] != ' ')
            return false;
        reason = line.sliced(13);
        if (hasBadValueChar(reason))
            return false;
    }
    m_http11 = line[7] != '0';
    m_message.status = status;
    static const QByteArray ok = QByteArrayLiteral("OK");
    m_message.reason = reason == "OK" ? ok : reason.toByteArray(); // the usual one costs no allocation
    return true;
}

bool HttpResponseParser::parseHeaderLine(QByteArrayView line, bool trailer)
{
    if (isOws(line[0])) {
        // obs-fold (RFC 9112 5.2): a user agent replaces it with a space. Never for framing headers.
        if (m_message.headers.isEmpty() || m_lastHeaderFraming)
            return false;
        const QByteArrayView more = trimmedOws(line);
        if (hasBadValueChar(more))
            return false;
        QByteArray &value = m_message.headers.last().second;
        if (!more.isEmpty()) {
            if (!value.isEmpty())
                value += ' ';
            value += more;
        }
        return true;
    }
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0)
        return false;
    const QByteArrayView name = line.first(colon);
    const QByteArrayView value = trimmedOws(line.sliced(colon + 1));
    if (!isToken(name) || hasBadValueChar(value))
        return false;
    QByteArray lower;
    const KnownHeader kind = lowerHeaderName(name, &lower);
    m_lastHeaderFraming = false;
    if (!trailer) {
        switch (kind) {
        case ContentLength: {
            m_lastHeaderFraming = true;
            // A list of identical values is tolerated (RFC 9110 8.6); anything else is an error.
            const bool ok = forEachListElement(value, [this](QByteArrayView element) {
                if (element.size() > 18)
                    return false;
                qint64 length = 0;
                for (const char c : element) {
                    if (c < '0' || c > '9')
                        return false;
                    length = length * 10 + (c - '0');
                }
                if (m_contentLength >= 0 && m_contentLength != length)
                    return false;
                m_contentLength = length;
                return true;
            });
            if (!ok || value.isEmpty())
                return false;
            break;
        }
        case TransferEncoding: {
            m_lastHeaderFraming = true;
            bool ok = true;
            forEachListElement(value, [this, &ok](QByteArrayView element) {
                if (!equalsIgnoreCase(element, "chunked") || m_chunked)
                    ok = false; // only "chunked", once: we never ask for other codings
                m_chunked = true;
                return ok;
            });
            if (!ok || !m_chunked)
                return false;
            break;
        }
        case Connection:
            forEachListElement(value, [this](QByteArrayView element) {
                if (equalsIgnoreCase(element, "close"))
                    m_connectionClose = true;
                else if (equalsIgnoreCase(element, "keep-alive"))
                    m_connectionKeepAlive = true;
                return true;
            });
            break;
        default:
            break;
        }
    }
    m_message.headers.append({std::move(lower), value.toByteArray()});
    return true;
}

HttpResponseParser::Result HttpResponseParser::finishHeaders()
{
    const int status = m_message.status;
    if (status < 200) {
        if (status == 101)
            return fail(QStringLiteral("Unexpected 101 Switching Protocols"));
        if (++m_interim > kMaxInterimResponses)
            return fail(QStringLiteral("Too many interim (1xx) responses"));
        // An interim response (100 Continue, 103 Early Hints): forget it, the real one follows.
        m_message.status = 0;
        m_message.reason.clear();
        m_message.headers.clear();
        resetMessage();
        m_state = State::StatusLine;
        return Result::NeedMore;
    }
    m_keepAlive = m_http11 ? !m_connectionClose : (m_connectionKeepAlive && !m_connectionClose);
    if (m_head || status == 204 || status == 304) {
        m_state = State::Done;
        return Result::NeedMore;
    }
    if (m_chunked) {
        if (m_contentLength >= 0)
            m_keepAlive = false; // both framings: Transfer-Encoding wins, the connection is not reused
        m_state = State::ChunkSize;
        return Result::NeedMore;
    }
    if (m_contentLength >= 0) {
        if (m_contentLength > m_maxBody)
            return tooLarge();
        m_message.body.reserve(qsizetype(std::min(m_contentLength, kMaxBodyReserve)));
        m_chunkRemaining = m_contentLength;
        m_state = m_contentLength > 0 ? State::FixedBody : State::Done;
        return Result::NeedMore;
    }
    m_keepAlive = false;
    m_state = State::UntilClose;
    return Result::NeedMore;
}

bool HttpResponseParser::parseChunkSize(QByteArrayView line)
{
    // chunk-size [ OWS ; chunk-ext ]; extensions are ignored, but must be clean
    qsizetype i = 0;
    qint64 size = 0;
    while (i < line.size() && hexValue(line[i]) >= 0) {
        if (i >= kMaxChunkSizeDigits)
            return false;
        size = size * 16 + hexValue(line[i]);
        ++i;
    }
    if (i == 0)
        return false;
    while (i < line.size() && isOws(line[i]))
        ++i;
    if (i < line.size() && line[i] != ';')
        return false;
    if (hasBadValueChar(line.sliced(i)))
        return false;
    m_chunkRemaining = size;
    return true;
}

} // namespace metamcp::http
