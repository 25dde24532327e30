#pragma once

// Helpers shared by the tests of rest::HttpClient.

#include "http/httpclient.h"

#include <QString>
#include <QTest>

#include <optional>

namespace metamcp::test {

// Sends `request` and runs the event loop until its callback ran; a response with
// Error::Invalid "test: the callback did not run" if it did not within `waitMs`.
inline rest::HttpClientResponse runRequest(rest::HttpClient &client, rest::HttpClientRequest request,
                                           int waitMs = 20'000)
{
    std::optional<rest::HttpClientResponse> got;
    client.send(std::move(request), [&got](const rest::HttpClientResponse &response) { got = response; });
    if (!QTest::qWaitFor([&got] { return got.has_value(); }, waitMs)) {
        rest::HttpClientResponse none;
        none.errorKind = rest::HttpClientResponse::Error::Invalid;
        none.error = QStringLiteral("test: the callback did not run");
        return none;
    }
    return *got;
}

// One line for failure messages: status, error kind and text, the start of the body.
inline QByteArray describe(const rest::HttpClientResponse &r)
{
    return QStringLiteral("status %1, error %2 \"%3\", body \"%4\"")
        .arg(r.status)
        .arg(int(r.errorKind))
        .arg(r.error, QString::fromLatin1(r.body.left(200)))
        .toLocal8Bit();
}

} // namespace metamcp::test
