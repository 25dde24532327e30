#include "http/httpparser.h"

#include "http/httptext.h"

#include <QByteArrayView>

#include <array>
#include <cstring>
#include <limits>

namespace metamcp::http {

namespace {

using namespace text;

constexpr qsizetype kMaxChunkSizeLine = 4096; // "1a2b;name=value\r\n"
constexpr int kMaxChunkSizeDigits = 15;       // keeps the value well inside qint64

// Header names that nearly every request carries come from static literals, so lower-casing
// them costs no allocation. The first entries are the ones the parser interprets.
enum KnownHeader { ContentLength, TransferEncoding, Connection, Expect, Host, OtherKnown, Unknown };

const std::array<QByteArray, 24> &knownHeaderNames()
{
    static const std::array<QByteArray, 24> names = {
        QByteArrayLiteral("content-length"),
        QByteArrayLiteral("transfer-encoding"),
        QByteArrayLiteral("connection"),
        QByteArrayLiteral("expect"),
        QByteArrayLiteral("host"),
        QByteArrayLiteral("content-type"),
        QByteArrayLiteral("accept"),
        QByteArrayLiteral("user-agent"),
        QByteArrayLiteral("accept-encoding"),
        QByteArrayLiteral("accept-language"),
        QByteArrayLiteral("authorization"),
        QByteArrayLiteral("origin"),
        QByteArrayLiteral("referer"),
        QByteArrayLiteral("cookie"),
        QByteArrayLiteral("cache-control"),
        QByteArrayLiteral("pragma"),
        QByteArrayLiteral("keep-alive"),
        QByteArrayLiteral("upgrade"),
        QByteArrayLiteral("te"),
        QByteArrayLiteral("last-event-id"),
        QByteArrayLiteral("mcp-session-id"),
        QByteArrayLiteral("mcp-protocol-version"),
        QByteArrayLiteral("x-forwarded-for"),
        QByteArrayLiteral("x-request-id"),
    };
    return names;
}

QByteArray lowerHeaderName(const char *begin, qsizetype length, KnownHeader *kind)
{
    *kind = Unknown;
    constexpr qsizetype kMaxKnownLength = 32;
    if (length > kMaxKnownLength) {
        QByteArray lower(length, Qt::Uninitialized);
        char *out = lower.data();
        for (qsizetype i = 0; i < length; ++i)
            out[i] = toLowerAscii(begin[i]);
        return lower;
    }
    char lower[kMaxKnownLength];
    for (qsizetype i = 0; i < length; ++i)
        lower[i] = toLowerAscii(begin[i]);
    const auto &names = knownHeaderNames();
    for (size_t i = 0; i < names.size(); ++i) {
        const QByteArray &name = names[i];
        if (name.size() == length && std::memcmp(name.constData(), lower, size_t(length)) == 0) {
            *kind = i < OtherKnown ? KnownHeader(i) : OtherKnown;
            return name;
        }
    }
    return QByteArray(lower, length);
}

// RFC 3986 reg-name characters besides pct-encoded: unreserved and sub-delims.
constexpr std::array<bool, 256> makeRegNameTable()
{
    std::array<bool, 256> table{};
    for (int c = '0'; c <= '9'; ++c)
        table[c] = true;
    for (int c = 'a'; c <= 'z'; ++c)
        table[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c)
        table[c] = true;
    for (const char c : {'-', '.', '_', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '='})
        table[static_cast<unsigned char>(c)] = true;
    return table;
}
constexpr std::array<bool, 256> kRegName = makeRegNameTable();

// Host = uri-host [ ":" port ] (RFC 9110 7.2): an IP literal in brackets or a reg-name (which
// covers IPv4 addresses), then an optional port of digits. Empty is allowed: the target has no
// authority. What the endpoint accepts as a host is its own business (DNS rebinding); this only
// keeps values out that no client could have meant as one ("a b", "user@a", "a/b").
bool isValidHost(QByteArrayView value)
{
    qsizetype i = 0;
    if (!value.isEmpty() && value[0] == '[') {
        const qsizetype close = value.indexOf(']');
        if (close < 2)
            return false;
        for (i = 1; i < close; ++i)
            if (!kRegName[static_cast<unsigned char>(value[i])] && value[i] != ':')
                return false;
        i = close + 1;
    } else {
        for (; i < value.size() && value[i] != ':'; ++i) {
            if (value[i] == '%') {
                if (i + 2 >= value.size() || hexValue(value[i + 1]) < 0 || hexValue(value[i + 2]) < 0)
                    return false;
                i += 2;
            } else if (!kRegName[static_cast<unsigned char>(value[i])]) {
                return false;
            }
        }
    }
    if (i == value.size())
        return true;
    if (value[i] != ':')
        return false;
    for (++i; i < value.size(); ++i)
        if (value[i] < '0' || value[i] > '9')
            return false;
    return true;
}

QByteArray methodName(const char *begin, qsizetype length)
{
    static const std::array<QByteArray, 7> methods = {
        QByteArrayLiteral("GET"),    QByteArrayLiteral("POST"),    QByteArrayLiteral("PUT"),
        QByteArrayLiteral("DELETE"), QByteArrayLiteral("OPTIONS"), QByteArrayLiteral("HEAD"),
        QByteArrayLiteral("PATCH"),
    };
    const QByteArrayView name(begin, length);
    for (const QByteArray &m : methods)
        if (name == m)
            return m;
    return QByteArray(begin, length);
}

} // namespace

HttpRequestParser::HttpRequestParser()
{
    reset();
}

void HttpRequestParser::setLimits(qint64 maxHeaderBytes, qint64 maxBodyBytes)
{
    m_maxHeaderBytes = qMax<qint64>(maxHeaderBytes, 64);
    m_maxBodyBytes = qMax<qint64>(maxBodyBytes, 0);
}

void HttpRequestParser::reset()
{
    m_state = State::RequestLine;
    m_headerBytes = 0;
    m_lineScanned = 0;
    m_contentLength = -1;
    m_chunkRemaining = 0;
    m_errorStatus = 0;
    m_errorMessage.clear();
    m_started = false;
    m_methodDone = false;
    m_versionUnsupported = false;
    m_contentLengthInvalid = false;
    m_transferEncodingInvalid = false;
    m_transferEncodingUnsupported = false;
    m_hostSeen = false;
    m_hostDuplicate = false;
    m_hostInvalid = false;
    m_http11 = true;
    m_keepAlive = true;
    m_connectionClose = false;
    m_connectionKeepAlive = false;
    m_chunked = false;
    m_expectContinue = false;
    m_expectOther = false;
    m_head = false;

    m_request.method = QByteArray();
    m_request.target = QByteArray();
    m_request.path = QByteArray();
    m_request.query.clear();
    m_request.version = QByteArray();
    m_request.headers.clear(); // keeps its capacity unless the handler kept a copy
    constexpr qsizetype kKeepBodyCapacity = 64 * 1024;
    if (m_request.body.isDetached() && m_request.body.capacity() <= kKeepBodyCapacity)
        m_request.body.resize(0);
    else
        m_request.body = QByteArray();
}

HttpRequestParser::Result HttpRequestParser::fail(int status, const char *message)
{
    return fail(status, QByteArray(message));
}

HttpRequestParser::Result HttpRequestParser::fail(int status, QByteArray message)
{
    m_state = State::Failed;
    m_errorStatus = status;
    m_errorMessage = std::move(message);
    return Result::Error;
}

HttpRequestParser::LineResult HttpRequestParser::takeLine(const char *data, qsizetype size, qsizetype *pos,
                                                          qsizetype maxLength, const char **begin, const char **end)
{
    const qsizetype available = size - *pos;
    if (available <= 0)
        return LineResult::NeedMore;
    const char *start = data + *pos;
    const qsizetype from = m_lineScanned;
    const auto *newline = static_cast<const char *>(std::memchr(start + from, '\n', size_t(available - from)));
    const qsizetype checkedEnd = newline ? newline - start : available;
    // The bytes of a line are judged in order as they arrive, and only its first maxLength: the
    // first bad byte decides (NUL; in the request line any junk, refused before its end comes),
    // and a line too long is too long, whatever the split across reads.
    const qsizetype scanEnd = qMin(checkedEnd, maxLength);
    if (scanEnd > from) {
        const char *bad = m_state == State::RequestLine
                              ? firstBadRequestLineByte(start, start + from, start + scanEnd)
                              : static_cast<const char *>(std::memchr(start + from, '\0', size_t(scanEnd - from)));
        if (bad) {
            fail(400, *bad == '\0' ? "NUL byte in request" : "Malformed request line");
            return LineResult::Error;
        }
    }
    if (!newline) {
        if (available > maxLength)
            return LineResult::TooLong;
        // A CR at the end may be the start of CRLF: judged again with what follows.
        m_lineScanned = start[available - 1] == '\r' ? available - 1 : available;
        return LineResult::NeedMore;
    }
    const qsizetype lineLength = newline - start + 1;
    if (lineLength > maxLength)
        return LineResult::TooLong;
    // Every line ends in CRLF. RFC 9112 2.2 lets a recipient take a bare LF in the head, but
    // parsers that disagree on it (llhttp strict refuses it, in the head and in chunked framing)
    // are how requests are smuggled past a proxy, so it is refused everywhere, from whole lines:
    // how the bytes were split across reads cannot matter.
    if (newline == start || newline[-1] != '\r') {
        fail(400, "Bare LF line ending (CRLF required)");
        return LineResult::Error;
    }
    m_lineScanned = 0;
    *begin = start;
    *end = newline - 1;
    *pos += lineLength;
    return LineResult::Line;
}

// The first byte of the request line in [from, to) that no request line may hold (NUL, a
// non-token character in the method, a control character after it), or nullptr; `line` is
// where the line begins. Junk is refused early instead of waiting for a line end that may never
// come. A CR is allowed only as the last byte (it may be the CR of CRLF); m_methodDone carries
// over from the bytes judged before.
const char *HttpRequestParser::firstBadRequestLineByte(const char *line, const char *from, const char *to)
{
    for (const char *p = from; p < to; ++p) {
        const char c = *p;
        if (c == '\r' && p + 1 == to)
            return nullptr;
        if (!m_methodDone) {
            if (c == ' ') {
                if (p == line)
                    return p;
                m_methodDone = true;
            } else if (!isTchar(c)) {
                return p;
            }
        } else if (isBadValueChar(c) || c == '\t') {
            return p;
        }
    }
    return nullptr;
}

bool HttpRequestParser::parseRequestLine(const char *begin, const char *end)
{
    const qsizetype length = end - begin;
    const auto *sp1 = static_cast<const char *>(std::memchr(begin, ' ', size_t(length)));
    if (!sp1 || sp1 == begin)
        return false;
    for (const char *p = begin; p < sp1; ++p)
        if (!isTchar(*p))
            return false;
    const char *targetBegin = sp1 + 1;
    const auto *sp2 = static_cast<const char *>(std::memchr(targetBegin, ' ', size_t(end - targetBegin)));
    if (!sp2 || sp2 == targetBegin)
        return false;
    for (const char *p = targetBegin; p < sp2; ++p) {
        const auto u = static_cast<unsigned char>(*p);
        if (u <= 0x20 || u == 0x7F)
            return false;
    }
    const char *v = sp2 + 1;
    if (end - v != 8 || std::memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' || v[5] < '0' || v[5] > '9' || v[7] < '0' ||
        v[7] > '9')
        return false;

    m_request.method = methodName(begin, sp1 - begin);
    m_head = m_request.method == "HEAD";
    if (v[5] != '1') {
        m_versionUnsupported = true;
        return true;
    }
    m_http11 = v[7] != '0';
    m_request.version = m_http11 ? QByteArrayLiteral("HTTP/1.1") : QByteArrayLiteral("HTTP/1.0");
    return parseTarget(targetBegin, sp2);
}

bool HttpRequestParser::parseTarget(const char *begin, const char *end)
{
    m_request.target = QByteArray(begin, end - begin);
    const char *pathBegin = begin;
    if (*begin != '/') {
        const QByteArrayView target(begin, end - begin);
        if (target == "*") {
            m_request.path = m_request.target;
            return true;
        }
        const qsizetype schemeEnd = target.indexOf("://");
        if (schemeEnd > 0) { // absolute-form, as sent to proxies: keep only path and query
            const qsizetype authority = schemeEnd + 3;
            qsizetype pathStart = authority;
            while (pathStart < target.size() && target[pathStart] != '/' && target[pathStart] != '?')
                ++pathStart;
            if (pathStart == target.size() || target[pathStart] == '?') {
                m_request.path = QByteArrayLiteral("/");
                if (pathStart + 1 < target.size())
                    m_request.query.setQuery(QString::fromUtf8(target.sliced(pathStart + 1)));
                return true;
            }
            pathBegin = begin + pathStart;
        } else if (m_request.method == "CONNECT") { // authority-form: handed on, the handler refuses it
            return true;
        } else {
            return false;
        }
    }

    const auto *question = static_cast<const char *>(std::memchr(pathBegin, '?', size_t(end - pathBegin)));
    const char *pathEnd = question ? question : end;
    const qsizetype pathLength = pathEnd - pathBegin;
    if (!std::memchr(pathBegin, '%', size_t(pathLength))) {
        if (pathBegin == begin && pathEnd == end)
            m_request.path = m_request.target; // shared, no copy
        else
            m_request.path = QByteArray(pathBegin, pathLength);
    } else {
        m_request.path = QByteArray::fromPercentEncoding(QByteArray::fromRawData(pathBegin, pathLength));
        if (m_request.path.contains('\0'))
            return false;
    }
    if (question && question + 1 < end)
        m_request.query.setQuery(QString::fromUtf8(question + 1, end - question - 1));
    return true;
}

bool HttpRequestParser::parseHeaderLine(const char *begin, const char *end, bool store)
{
    if (begin == end || isOws(*begin))
        return false; // obsolete line folding is rejected (RFC 9112 5.2)
    const auto *colon = static_cast<const char *>(std::memchr(begin, ':', size_t(end - begin)));
    if (!colon || colon == begin)
        return false;
    for (const char *p = begin; p < colon; ++p)
        if (!isTchar(*p))
            return false; // includes whitespace between name and colon
    const char *valueBegin = colon + 1;
    const char *valueEnd = end;
    while (valueBegin < valueEnd && isOws(*valueBegin))
        ++valueBegin;
    while (valueEnd > valueBegin && isOws(valueEnd[-1]))
        --valueEnd;
    for (const char *p = valueBegin; p < valueEnd; ++p)
        if (isBadValueChar(*p))
            return false;
    if (!store)
        return true;

    KnownHeader kind = Unknown;
    QByteArray name = lowerHeaderName(begin, colon - begin, &kind);
    QByteArray value(valueBegin, valueEnd - valueBegin);
    switch (kind) {
    case ContentLength:
        if (!parseContentLength(value))
            return false;
        break;
    case TransferEncoding:
        if (!parseTransferEncoding(value))
            return false;
        break;
    case Connection:
        parseConnection(value);
        break;
    case Expect:
        if (equalsIgnoreCase(value, "100-continue"))
            m_expectContinue = true;
        else
            m_expectOther = true;
        break;
    case Host: // RFC 9112 3.2: exactly one, with a valid value; which one would a second override?
        m_hostDuplicate = m_hostSeen;
        m_hostSeen = true;
        m_hostInvalid = !isValidHost(value);
        if (m_hostDuplicate || m_hostInvalid)
            return false;
        break;
    default:
        break;
    }
    m_request.headers.emplace_back(std::move(name), std::move(value));
    return true;
}

bool HttpRequestParser::parseContentLength(const QByteArray &value)
{
    // "Content-Length: 5, 5" is tolerated (RFC 9110 8.6), differing values are not.
    bool empty = true;
    const bool ok = forEachListElement(value, [this, &empty](QByteArrayView element) {
        empty = false;
        qint64 length = 0;
        for (const char c : element) {
            if (c < '0' || c > '9') {
                m_contentLengthInvalid = true;
                return false;
            }
            if (length > (std::numeric_limits<qint64>::max() - 9) / 10)
                length = std::numeric_limits<qint64>::max(); // saturate: certainly too large
            else
                length = length * 10 + (c - '0');
        }
        if (m_contentLength >= 0 && m_contentLength != length) {
            m_contentLengthInvalid = true;
            return false;
        }
        m_contentLength = length;
        return true;
    });
    if (empty)
        m_contentLengthInvalid = true;
    return ok && !empty;
}

bool HttpRequestParser::parseTransferEncoding(const QByteArray &value)
{
    return forEachListElement(value, [this](QByteArrayView coding) {
        if (m_chunked) { // nothing may follow "chunked", and it may not appear twice
            m_transferEncodingInvalid = true;
            return false;
        }
        if (equalsIgnoreCase(coding, "chunked")) {
            m_chunked = true;
            return true;
        }
        m_transferEncodingUnsupported = true;
        return false;
    });
}

void HttpRequestParser::parseConnection(const QByteArray &value)
{
    forEachListElement(value, [this](QByteArrayView option) {
        if (equalsIgnoreCase(option, "close"))
            m_connectionClose = true;
        else if (equalsIgnoreCase(option, "keep-alive"))
            m_connectionKeepAlive = true;
        return true;
    });
}

HttpRequestParser::Result HttpRequestParser::finishHeaders()
{
    if (m_chunked && m_contentLength >= 0)
        return fail(400, "Both Content-Length and Transfer-Encoding present");
    if (m_expectOther)
        return fail(417, "Unsupported Expect header");
    m_keepAlive = m_http11 ? !m_connectionClose : (m_connectionKeepAlive && !m_connectionClose);
    if (m_chunked && !m_http11)
        m_keepAlive = false; // RFC 9112 6.1: chunked from a 1.0 client, close afterwards
    if (m_contentLength > m_maxBodyBytes)
        return fail(413, "Request body exceeds " + QByteArray::number(m_maxBodyBytes) + " bytes");
    if (m_http11 && !m_hostSeen)
        return fail(400, "Missing Host header (required in HTTP/1.1)");
    m_expectContinue = m_expectContinue && m_http11 && (m_chunked || m_contentLength > 0);
    m_headerBytes = 0; // from now on: the budget of the trailers
    if (m_chunked) {
        m_state = State::ChunkSize;
        return Result::HeaderComplete;
    }
    if (m_contentLength > 0) {
        m_request.body.reserve(m_contentLength);
        m_state = State::FixedBody;
        return Result::HeaderComplete;
    }
    m_state = State::Done;
    return Result::MessageComplete;
}

bool HttpRequestParser::parseChunkSize(const char *begin, const char *end)
{
    const char *p = begin;
    qint64 size = 0;
    int digits = 0;
    for (; p < end; ++p) {
        const int h = hexValue(*p);
        if (h < 0)
            break;
        if (++digits > kMaxChunkSizeDigits)
            return false;
        size = size * 16 + h;
    }
    if (digits == 0)
        return false;
    while (p < end && isOws(*p))
        ++p;
    if (p < end && *p != ';')
        return false;
    for (; p < end; ++p) // chunk extensions are ignored, but must be clean
        if (isBadValueChar(*p))
            return false;
    m_chunkRemaining = size;
    return true;
}

HttpRequestParser::Result HttpRequestParser::feed(const char *data, qsizetype size, qsizetype *consumed)
{
    qsizetype pos = 0;
    Result result = Result::NeedMore;
    bool more = true;
    while (more) {
        switch (m_state) {
        case State::RequestLine:
        case State::Headers:
        case State::Trailers: {
            const char *begin = nullptr;
            const char *end = nullptr;
            const LineResult line = takeLine(data, size, &pos, m_maxHeaderBytes - m_headerBytes, &begin, &end);
            if (line == LineResult::Error) {
                result = Result::Error;
                more = false;
                break;
            }
            if (line == LineResult::TooLong) {
                result = m_state == State::Trailers
                             ? fail(431, "Request trailers exceed " + QByteArray::number(m_maxHeaderBytes) + " bytes")
                             : fail(431, "Request header exceeds " + QByteArray::number(m_maxHeaderBytes) + " bytes");
                more = false;
                break;
            }
            if (line == LineResult::NeedMore) {
                if (m_state == State::RequestLine && pos < size && !(size - pos == 1 && data[pos] == '\r'))
                    m_started = true;
                more = false;
                break;
            }
            m_headerBytes += (data + pos) - begin;
            if (m_state == State::RequestLine) {
                if (begin == end) // empty lines before a request are ignored (RFC 9112 2.2)
                    break;
                m_started = true;
                if (!parseRequestLine(begin, end)) {
                    result = fail(400, "Malformed request line");
                    more = false;
                } else if (m_versionUnsupported) {
                    result = fail(505, "HTTP version not supported");
                    more = false;
                } else {
                    m_state = State::Headers;
                }
            } else if (m_state == State::Headers) {
                if (begin == end) {
                    result = finishHeaders();
                    more = false;
                } else if (!parseHeaderLine(begin, end, true)) {
                    if (m_transferEncodingUnsupported)
                        result = fail(501, "Unsupported Transfer-Encoding");
                    else if (m_contentLengthInvalid)
                        result = fail(400, "Invalid or conflicting Content-Length");
                    else if (m_transferEncodingInvalid)
                        result = fail(400, "Invalid Transfer-Encoding");
                    else if (m_hostDuplicate)
                        result = fail(400, "More than one Host header");
                    else if (m_hostInvalid)
                        result = fail(400, "Invalid Host header");
                    else
                        result = fail(400, "Malformed header field");
                    more = false;
                }
            } else { // trailers: validated and dropped
                if (begin == end) {
                    m_state = State::Done;
                    result = Result::MessageComplete;
                    more = false;
                } else if (!parseHeaderLine(begin, end, false)) {
                    result = fail(400, "Malformed trailer field");
                    more = false;
                }
            }
            break;
        }
        case State::FixedBody: {
            const qint64 wanted = m_contentLength - m_request.body.size();
            const qint64 take = qMin<qint64>(wanted, size - pos);
            if (take > 0) {
                m_request.body.append(data + pos, take);
                pos += take;
            }
            if (m_request.body.size() == m_contentLength) {
                m_state = State::Done;
                result = Result::MessageComplete;
            }
            more = false;
            break;
        }
        case State::ChunkSize: {
            const char *begin = nullptr;
            const char *end = nullptr;
            const LineResult line = takeLine(data, size, &pos, kMaxChunkSizeLine, &begin, &end);
            if (line == LineResult::Error) {
                result = Result::Error;
                more = false;
            } else if (line == LineResult::TooLong) {
                result = fail(400, "Chunk size line too long");
                more = false;
            } else if (line == LineResult::NeedMore) {
                more = false;
            } else if (!parseChunkSize(begin, end)) {
                result = fail(400, "Invalid chunk size");
                more = false;
            } else if (m_chunkRemaining == 0) {
                m_state = State::Trailers;
            } else if (m_chunkRemaining > m_maxBodyBytes - m_request.body.size()) {
                result = fail(413, "Request body exceeds " + QByteArray::number(m_maxBodyBytes) + " bytes");
                more = false;
            } else {
                m_state = State::ChunkData;
            }
            break;
        }
        case State::ChunkData: {
            const qint64 take = qMin<qint64>(m_chunkRemaining, size - pos);
            if (take > 0) {
                m_request.body.append(data + pos, take);
                pos += take;
                m_chunkRemaining -= take;
            }
            if (m_chunkRemaining == 0)
                m_state = State::ChunkDataEnd;
            else
                more = false;
            break;
        }
        case State::ChunkDataEnd: {
            if (pos >= size) {
                more = false;
            } else if (data[pos] != '\r') {
                result = fail(400, "Missing CRLF after chunk data");
                more = false;
            } else if (pos + 1 >= size) {
                more = false; // keep the CR, wait for the LF
            } else if (data[pos + 1] != '\n') {
                result = fail(400, "Missing CRLF after chunk data");
                more = false;
            } else {
                pos += 2;
                m_state = State::ChunkSize;
            }
            break;
        }
        case State::Done:
            result = Result::MessageComplete;
            more = false;
            break;
        case State::Failed:
            result = Result::Error;
            more = false;
            break;
        }
    }
    *consumed = pos;
    return result;
}

} // namespace metamcp::http
