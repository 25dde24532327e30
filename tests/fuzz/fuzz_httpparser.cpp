// libFuzzer target: the HTTP request parser (http/httpparser.h) on arbitrary bytes, pipelined
// requests included. Byte 0 picks the pieces the rest is fed in; the outcome (every request,
// the error, what was left unconsumed) must be the same as when it is fed whole.

#include "fuzzsupport.h"
#include "http/httpparser.h"

#include <QByteArray>
#include <QList>

#include <cstdint>

using metamcp::http::HttpRequestParser;

namespace {

QList<QByteArray> parseAll(const QByteArray &input, const std::vector<qsizetype> &cuts)
{
    HttpRequestParser parser;
    parser.setLimits(1024, 4096); // small, so that the limits are reached too
    QList<QByteArray> outcome;
    QByteArray buffer;
    qsizetype pos = 0;
    size_t piece = 0;
    qsizetype fed = 0;
    for (int messages = 0; messages < 16;) {
        qsizetype consumed = 0;
        const HttpRequestParser::Result result = parser.feed(buffer.constData() + pos, buffer.size() - pos, &consumed);
        FUZZ_CHECK(consumed >= 0 && consumed <= buffer.size() - pos);
        pos += consumed;
        if (result == HttpRequestParser::Result::HeaderComplete)
            continue;
        if (result == HttpRequestParser::Result::Error) {
            FUZZ_CHECK(parser.errorStatus() >= 400 && parser.errorStatus() < 600);
            FUZZ_CHECK(!parser.errorMessage().isEmpty());
            outcome << "error " + QByteArray::number(parser.errorStatus()) + ' ' + parser.errorMessage();
            break;
        }
        if (result == HttpRequestParser::Result::MessageComplete) {
            const auto &r = parser.request();
            FUZZ_CHECK(r.body.size() <= 4096);
            QByteArray m = r.method + ' ' + r.target + ' ' + r.path + ' ' + r.query.query().toUtf8() + ' ' + r.version +
                           (parser.keepAlive() ? " keep-alive" : " close") + (parser.expectContinue() ? " expect" : "");
            for (const auto &h : r.headers)
                m += '\n' + h.first + ": " + h.second;
            outcome << m << r.body;
            parser.reset();
            ++messages;
            continue;
        }
        if (fed >= input.size())
            break;
        const qsizetype end = piece < cuts.size() ? cuts[piece++] : input.size();
        buffer.append(input.mid(fed, end - fed));
        fed = end;
    }
    // hasStarted() is what a timeout decides by, so it only counts while the parser waits.
    const bool waiting = outcome.isEmpty() || !outcome.back().startsWith("error");
    outcome << "left " + QByteArray::number(buffer.size() - pos + input.size() - fed) +
                   (waiting && parser.hasStarted() ? " started" : "");
    return outcome;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const QByteArray input(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    const QList<QByteArray> whole = parseAll(input, {});
    const QList<QByteArray> split = parseAll(input, metamcp::fuzz::cutsFrom(data[0], input.size()));
    FUZZ_CHECK(metamcp::fuzz::sameOutcome(whole, split));
    return 0;
}
