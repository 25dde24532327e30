// The transport-independent part of Upstream (handles, FIFO queue, deadlines, cancellation,
// progress and server-request routing, log, retry) with an in-memory fake transport.

#include "testsupport.h"
#include "upstream/upstream.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>

#include <optional>

using namespace metamcp;
using metamcp::test::processPostedEvents;

namespace {

QString key(const char *literal)
{
    return QString::fromLatin1(literal);
}

class FakeUpstream final : public Upstream
{
public:
    explicit FakeUpstream(const UpstreamConfig &config)
        : Upstream(config)
    {}

    void start() override { setState(UpstreamState::Ready); }
    void stop() override
    {
        cancelRetry();
        failAll(rpcerr::UpstreamUnavailable, QStringLiteral("stopped"));
        setState(UpstreamState::Stopped);
    }
    // What the "wire" saw.
    QList<QJsonObject> transmitted;
    QList<std::pair<quint64, QString>> abandoned;
    QList<QJsonObject> notifications;
    QList<QJsonObject> responses;
    bool upstreamHasAbandoned = true; // what abandonRequest() answers
    int retries = 0;
    bool finishInTransmit = false;
    QByteArray serializedInTransmit; // non-empty: transmitRequest finishes with this result text

    // The "server" answers.
    void answer(quint64 handle, const QJsonObject &result = {})
    {
        dispatchMessage(
            QJsonObject{{key("jsonrpc"), QStringLiteral("2.0")}, {key("id"), idFor(handle)}, {key("result"), result}});
    }
    // The "server" answers with result text (as the REST transport does).
    void answerSerialized(quint64 handle, const QByteArray &resultJson, bool toolError = false)
    {
        finishRequestSerialized(handle, resultJson, toolError, Delivery::Direct);
    }
    void incoming(const QJsonObject &message, bool guessSole) { dispatchMessage(message, 0, guessSole); }
    // A transport's text path: the serialized dispatch, else the parsed one.
    bool incomingText(const QByteArray &text)
    {
        if (dispatchSerializedResponse(text))
            return true;
        dispatchMessage(QJsonDocument::fromJson(text).object());
        return false;
    }
    void fail(int code, const QString &message) { failAll(code, message); }
    void log(const QString &line) { appendLog(line); }
    void retryLater(const QString &reason) { scheduleRetry(reason); }
    void info(const QJsonObject &result) { setServerInfo(result); }
    void handshake(int timeoutMs, std::function<void(const QString &)> finished)
    {
        initializeSession(timeoutMs, std::move(finished));
    }

protected:
    void transmitRequest(quint64 handle, const QJsonObject &request, const RequestHooks &) override
    {
        transmitted.append(request);
        if (finishInTransmit)
            finishRequest(handle, jsonrpc::error(idFor(handle), -1, QStringLiteral("at once")));
        if (!serializedInTransmit.isEmpty())
            finishRequestSerialized(handle, serializedInTransmit, false, Delivery::Direct);
    }
    void sendMessage(const QJsonObject &message) override
    {
        (message.contains(key("method")) ? notifications : responses).append(message);
    }
    bool abandonRequest(quint64 handle, const QString &reason) override
    {
        abandoned.append({handle, reason});
        return upstreamHasAbandoned;
    }
    void retryStart() override
    {
        ++retries;
        setState(UpstreamState::Ready);
    }
};

UpstreamConfig fakeConfig(int maxConcurrency = 32)
{
    UpstreamConfig config;
    config.name = QStringLiteral("fake");
    config.maxConcurrency = maxConcurrency;
    config.requestTimeoutMs = 60'000;
    return config;
}

struct Collected
{
    std::shared_ptr<QList<std::pair<int, QJsonObject>>> got = std::make_shared<QList<std::pair<int, QJsonObject>>>();
    Upstream::ResponseHandler operator()(int tag) const
    {
        return [list = got, tag](const QJsonObject &r) { list->append({tag, r}); };
    }
};

int code(const QJsonObject &response)
{
    return response.value(key("error")).toObject().value(key("code")).toInt();
}

} // namespace

class TestUpstream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void names();
    void handlesAreIdsAndDoneIsAsync();
    void doneMayDestroyTheUpstream();
    void serializedResults();
    void serializedDispatch();
    void stoppedFailsAtOnceButAsync();
    void fifoQueueRespectsConcurrency();
    void deadlines();
    void cancel();
    void cancellationNotice();
    void messagesGoThroughSendMessage();
    void progressByToken();
    void serverRequestRouting();
    void failAllIncludesQueued();
    void serverInfoAndLog();
    void retryBackoff();
};

void TestUpstream::names()
{
    QCOMPARE(upstreamStateName(UpstreamState::Stopped), QStringLiteral("stopped"));
    QCOMPARE(upstreamStateName(UpstreamState::Starting), QStringLiteral("starting"));
    QCOMPARE(upstreamStateName(UpstreamState::Ready), QStringLiteral("ready"));
    QCOMPARE(upstreamStateName(UpstreamState::Failing), QStringLiteral("failing"));
    QCOMPARE(gatewayClientInfo().value(key("name")).toString(), QStringLiteral("metamcp-gateway"));
    QCOMPARE(gatewayClientInfo().value(key("title")).toString(), QStringLiteral("MetaMCP Gateway"));
    QCOMPARE(gatewayClientInfo().value(key("version")).toString(), QStringLiteral(METAMCP_VERSION));
    const QJsonObject caps = gatewayClientCapabilities();
    QVERIFY(caps.value(key("sampling")).isObject());
    QVERIFY(caps.value(key("elicitation")).toObject().value(key("form")).isObject());
    QVERIFY(caps.value(key("elicitation")).toObject().value(key("url")).isObject());
    QVERIFY(caps.value(key("roots")).toObject().value(key("listChanged")).toBool());
}

void TestUpstream::handlesAreIdsAndDoneIsAsync()
{
    FakeUpstream upstream(fakeConfig());
    upstream.start();
    Collected done;
    const quint64 first = upstream.sendRequest(QStringLiteral("tools/list"), {}, done(1));
    const quint64 second =
        upstream.sendRequest(QStringLiteral("tools/call"), {{key("name"), QStringLiteral("x")}}, done(2));
    QVERIFY(second > first);
    QCOMPARE(upstream.transmitted.size(), 2);
    QCOMPARE(upstream.transmitted.at(0).value(key("id")).toInteger(), qint64(first));
    QCOMPARE(upstream.transmitted.at(0).value(key("method")).toString(), QStringLiteral("tools/list"));
    QVERIFY(!upstream.transmitted.at(0).contains(key("params")));
    QCOMPARE(upstream.transmitted.at(1).value(key("params")).toObject().value(key("name")).toString(),
             QStringLiteral("x"));
    upstream.answer(second, {{key("ok"), true}});
    // An answer from the transport's own event handler goes straight to `done` (no posted event).
    QCOMPARE(done.got->size(), 1);
    QCOMPARE(done.got->at(0).first, 2);
    QVERIFY(done.got->at(0).second.value(key("result")).toObject().value(key("ok")).toBool());
    upstream.answer(second);        // a second answer for the same id is ignored
    QVERIFY(processPostedEvents()); // also when delivered through a queued call
    QCOMPARE(done.got->size(), 1);

    upstream.finishInTransmit = true; // even a transport that finishes inside transmitRequest
    upstream.sendRequest(QStringLiteral("ping"), {}, done(3));
    QCOMPARE(done.got->size(), 1);
    QTRY_COMPARE(done.got->size(), 2);
}

void TestUpstream::doneMayDestroyTheUpstream()
{
    auto *upstream = new FakeUpstream(fakeConfig(1));
    upstream->start();
    QPointer<Upstream> alive(upstream);
    std::optional<QJsonObject> result;
    const quint64 first = upstream->sendRequest(QStringLiteral("a"), {}, [&](const QJsonObject &r) {
        result = r;
        delete upstream; // e.g. the last client went and took the upstream with it
    });
    Collected queued; // waits for the concurrency slot the first one holds
    upstream->sendRequest(QStringLiteral("b"), {}, queued(1));
    upstream->answer(first, {{key("n"), 1}});
    QVERIFY(result);
    QCOMPARE(result->value(key("result")).toObject().value(key("n")).toInt(), 1);
    QVERIFY(!alive); // finishRequest() noticed and did not touch the dead upstream
    QVERIFY(processPostedEvents());
    QVERIFY(queued.got->isEmpty()); // destroyed upstreams call nobody back
}

void TestUpstream::serializedResults()
{
    FakeUpstream upstream(fakeConfig(1));
    upstream.start();
    struct Got
    {
        QByteArray text;
        bool toolError = false;
        int calls = 0;
    };
    auto got = std::make_shared<Got>();
    RequestHooks hooks;
    hooks.onSerializedResult = [got](const QByteArray &text, bool toolError) {
        got->text = text;
        got->toolError = toolError;
        ++got->calls;
    };
    Collected done;

    // With the hook: the text, line breaks made spaces, delivered directly; `done` is not called.
    const quint64 a = upstream.sendRequest(QStringLiteral("tools/call"), {}, done(1), hooks);
    QCOMPARE(upstream.transmitted.size(), 1); // the default transmitCall() built the request
    QCOMPARE(upstream.transmitted.first().value(key("method")).toString(), QStringLiteral("tools/call"));
    upstream.answerSerialized(a, "{\n\"a\":\r\n1}", true);
    QCOMPARE(got->calls, 1);
    QCOMPARE(got->text, QByteArray("{ \"a\":  1}"));
    QVERIFY(got->toolError);
    QCOMPARE(upstream.inFlight(), 0);
    upstream.answerSerialized(a, "{}"); // answered already: ignored
    QCOMPARE(got->calls, 1);

    // Without the hook `done` gets the parsed response; text that is no JSON object is an error.
    const quint64 b = upstream.sendRequest(QStringLiteral("tools/call"), {}, done(2));
    upstream.answerSerialized(b, R"({"content":[],"n":2})");
    const quint64 c = upstream.sendRequest(QStringLiteral("tools/call"), {}, done(3));
    upstream.answerSerialized(c, "[1]");
    QTRY_COMPARE(done.got->size(), 2);
    QCOMPARE(done.got->at(0).first, 2);
    QCOMPARE(done.got->at(0).second.value(key("id")).toInteger(), qint64(b));
    QCOMPARE(done.got->at(0).second.value(key("result")).toObject().value(key("n")).toInt(), 2);
    QCOMPARE(done.got->at(1).first, 3);
    QCOMPARE(code(done.got->at(1).second), rpcerr::InternalError);
    QVERIFY(done.got->at(1)
                .second.value(key("error"))
                .toObject()
                .value(key("message"))
                .toString()
                .contains(QStringLiteral("fake")));

    // A transport answering inside transmitRequest (so inside sendRequest): still asynchronous.
    upstream.serializedInTransmit = R"({"at":"once"})";
    upstream.sendRequest(QStringLiteral("tools/call"), {}, done(4), hooks);
    QCOMPARE(got->calls, 1);
    QTRY_COMPARE(got->calls, 2);
    QCOMPARE(got->text, QByteArray(R"({"at":"once"})"));
    QVERIFY(!got->toolError);
    upstream.serializedInTransmit.clear();

    // The hook may destroy the upstream; a queued request then gets no callback.
    auto *doomed = new FakeUpstream(fakeConfig(1));
    doomed->start();
    QPointer<Upstream> alive(doomed);
    RequestHooks destroying;
    destroying.onSerializedResult = [doomed](const QByteArray &, bool) { delete doomed; };
    const quint64 first = doomed->sendRequest(QStringLiteral("a"), {}, done(5), destroying);
    doomed->sendRequest(QStringLiteral("b"), {}, done(6));
    doomed->answerSerialized(first, "{}");
    QVERIFY(!alive);
    QVERIFY(processPostedEvents());
    QCOMPARE(done.got->size(), 2);
}

void TestUpstream::serializedDispatch()
{
    FakeUpstream upstream(fakeConfig(4));
    upstream.start();
    auto texts = std::make_shared<QList<std::pair<QByteArray, bool>>>();
    RequestHooks hooks;
    hooks.onSerializedResult = [texts](const QByteArray &text, bool toolError) { texts->append({text, toolError}); };
    Collected done;
    auto response = [](quint64 handle, const QByteArray &result) -> QByteArray {
        return QByteArray(R"({"jsonrpc":"2.0","id":)") + QByteArray::number(handle) + R"(,"result":)" + result + "}";
    };

    // No request takes text: the transport parses as before.
    const quint64 plain = upstream.sendRequest(QStringLiteral("tools/list"), {}, done(1));
    QVERIFY(!upstream.incomingText(response(plain, R"({"tools":[]})")));
    QTRY_COMPARE(done.got->size(), 1);

    const quint64 a = upstream.sendRequest(QStringLiteral("tools/call"), {}, done(2), hooks);
    const quint64 b = upstream.sendRequest(QStringLiteral("tools/list"), {}, done(3)); // no hook
    // A notification, an error and an unknown id with a request waiting for text: parsed path.
    QVERIFY(!upstream.incomingText(R"({"jsonrpc":"2.0","method":"notifications/message","params":{}})"));
    QVERIFY(!upstream.incomingText(response(999, "{}")));
    // The answer to the request without the hook goes to its `done`, parsed.
    QVERIFY(!upstream.incomingText(response(b, R"({"tools":[{"name":"t"}]})")));
    QTRY_COMPARE(done.got->size(), 2);
    QCOMPARE(done.got->at(1).first, 3);
    // The tool call's answer: its result text, as it came (isError seen).
    QVERIFY(upstream.incomingText(response(a, R"({"content":[] ,"isError":true})")));
    QCOMPARE(texts->size(), 1);
    QCOMPARE(texts->at(0).first, QByteArray(R"({"content":[] ,"isError":true})"));
    QVERIFY(texts->at(0).second);
    // Answered already: a second answer is no longer anyone's.
    QVERIFY(!upstream.incomingText(response(a, "{}")));
    QCOMPARE(texts->size(), 1);
    // An error answer to a hooked request goes to `done` (parsed).
    const quint64 c = upstream.sendRequest(QStringLiteral("tools/call"), {}, done(4), hooks);
    QVERIFY(!upstream.incomingText(QByteArray(R"({"jsonrpc":"2.0","id":)") + QByteArray::number(c) +
                                   R"(,"error":{"code":-32602,"message":"bad"}})"));
    QTRY_COMPARE(done.got->size(), 3);
    QCOMPARE(code(done.got->at(2).second), -32602);
    // A queued request (concurrency 1 here) cannot have an answer yet.
    FakeUpstream one(fakeConfig(1));
    one.start();
    one.sendRequest(QStringLiteral("tools/call"), {}, done(5), hooks);
    const quint64 queued = one.sendRequest(QStringLiteral("tools/call"), {}, done(6), hooks);
    QVERIFY(!one.incomingText(response(queued, "{}")));
    QCOMPARE(texts->size(), 1);
}

void TestUpstream::stoppedFailsAtOnceButAsync()
{
    FakeUpstream upstream(fakeConfig());
    std::optional<QJsonObject> result;
    upstream.sendRequest(QStringLiteral("tools/list"), {}, [&result](const QJsonObject &r) { result = r; });
    QVERIFY(!result);
    QVERIFY(upstream.transmitted.isEmpty());
    QTRY_VERIFY(result.has_value());
    QCOMPARE(code(*result), rpcerr::UpstreamUnavailable);
}

void TestUpstream::fifoQueueRespectsConcurrency()
{
    FakeUpstream upstream(fakeConfig(2));
    upstream.start();
    Collected done;
    QList<quint64> handles;
    for (int i = 0; i < 5; ++i)
        handles.append(upstream.sendRequest(QStringLiteral("m%1").arg(i), {}, done(i)));
    QCOMPARE(upstream.inFlight(), 2);
    QCOMPARE(upstream.queued(), 3);
    QCOMPARE(upstream.transmitted.size(), 2);
    upstream.answer(handles.at(1));
    QCOMPARE(upstream.transmitted.size(), 3);
    QCOMPARE(upstream.transmitted.last().value(key("method")).toString(), QStringLiteral("m2")); // FIFO
    QCOMPARE(upstream.inFlight(), 2);
    QCOMPARE(upstream.queued(), 2);
    upstream.answer(handles.at(4)); // a queued request cannot have an answer: ignored
    QCOMPARE(upstream.queued(), 2);
    upstream.answer(handles.at(0));
    upstream.answer(handles.at(2));
    QCOMPARE(upstream.transmitted.size(), 5);
    upstream.answer(handles.at(3));
    upstream.answer(handles.at(4));
    QCOMPARE(upstream.inFlight(), 0);
    QCOMPARE(upstream.queued(), 0);
    QTRY_COMPARE(done.got->size(), 5);
}

void TestUpstream::deadlines()
{
    FakeUpstream upstream(fakeConfig(1));
    upstream.start();
    Collected done;
    const quint64 running = upstream.sendRequest(QStringLiteral("slow"), {}, done(1), {}, 100);
    const quint64 waiting = upstream.sendRequest(QStringLiteral("queued"), {}, done(2), {}, 50);
    // "later" must not expire during the test, however slowly a loaded machine runs it.
    upstream.sendRequest(QStringLiteral("later"), {}, done(3), {}, 600'000);
    QElapsedTimer clock;
    clock.start();
    // The order is the point; both may have expired by the time the loop looks (a busy machine).
    QTRY_VERIFY(done.got->size() >= 1);
    QCOMPARE(done.got->at(0).first, 2); // the queued one timed out first, never transmitted
    QCOMPARE(code(done.got->at(0).second), rpcerr::Timeout);
    QCOMPARE(done.got->at(0).second.value(key("error")).toObject().value(key("message")).toString(),
             QStringLiteral("Upstream fake did not answer queued within 50 ms"));
    QTRY_COMPARE(done.got->size(), 2);
    QVERIFY(clock.elapsed() >= 95);
    QCOMPARE(done.got->at(1).first, 1);
    QCOMPARE(code(done.got->at(1).second), rpcerr::Timeout);
    QCOMPARE(upstream.abandoned.size(), 1);
    QCOMPARE(upstream.abandoned.at(0).first, running);
    QCOMPARE(upstream.transmitted.last().value(key("method")).toString(), QStringLiteral("later"));
    QCOMPARE(upstream.inFlight(), 1);
    Q_UNUSED(waiting)
}

void TestUpstream::cancel()
{
    FakeUpstream upstream(fakeConfig(1));
    upstream.start();
    Collected done;
    const quint64 sent = upstream.sendRequest(QStringLiteral("a"), {}, done(1));
    const quint64 queued = upstream.sendRequest(QStringLiteral("b"), {}, done(2));
    upstream.cancelRequest(queued, QStringLiteral("not needed"));
    QVERIFY(upstream.abandoned.isEmpty()); // never reached the upstream
    QVERIFY(done.got->isEmpty());          // cancelling never calls back synchronously
    upstream.cancelRequest(sent, QStringLiteral("user"));
    QVERIFY(done.got->isEmpty());
    QCOMPARE(upstream.abandoned.size(), 1);
    QCOMPARE(upstream.abandoned.at(0), (std::pair<quint64, QString>(sent, QStringLiteral("user"))));
    upstream.cancelRequest(sent, QStringLiteral("twice")); // no-op
    upstream.cancelRequest(12345, QString());              // unknown: no-op
    QTRY_COMPARE(done.got->size(), 2);
    for (const auto &[tag, response] : std::as_const(*done.got))
        QCOMPARE(code(response), rpcerr::Cancelled);
    upstream.answer(sent); // late answer: ignored
    QVERIFY(processPostedEvents());
    QCOMPARE(done.got->size(), 2);
    QCOMPARE(upstream.inFlight(), 0);
}

// notifications/cancelled is the base class's, the same for every transport (each only says,
// through abandonRequest(), whether the upstream has the request).
void TestUpstream::cancellationNotice()
{
    FakeUpstream upstream(fakeConfig(1));
    upstream.start();
    Collected done;
    const quint64 sent = upstream.sendRequest(QStringLiteral("tools/call"), {}, done(1));
    const quint64 queued = upstream.sendRequest(QStringLiteral("tools/call"), {}, done(2));
    upstream.cancelRequest(queued, QStringLiteral("not needed"));
    QVERIFY(upstream.notifications.isEmpty()); // never sent: nothing to tell
    upstream.cancelRequest(sent, QStringLiteral("user"));
    QCOMPARE(upstream.notifications.size(), 1);
    QCOMPARE(upstream.notifications.at(0),
             jsonrpc::notification(QStringLiteral("notifications/cancelled"),
                                   {{key("requestId"), qint64(sent)}, {key("reason"), QStringLiteral("user")}}));

    // Without a reason, none is sent.
    const quint64 quiet = upstream.sendRequest(QStringLiteral("tools/call"), {}, done(3));
    QTRY_VERIFY(upstream.transmitted.last().value(key("id")).toInteger() == qint64(quiet));
    upstream.cancelRequest(quiet, QString());
    QCOMPARE(upstream.notifications.size(), 2);
    QCOMPARE(upstream.notifications.at(1),
             jsonrpc::notification(QStringLiteral("notifications/cancelled"), {{key("requestId"), qint64(quiet)}}));

    // A deadline sends it too, with the timeout as the reason.
    const quint64 slow = upstream.sendRequest(QStringLiteral("tools/call"), {}, done(4), {}, 20);
    QTRY_COMPARE(upstream.notifications.size(), 3);
    QCOMPARE(upstream.notifications.at(2),
             jsonrpc::notification(
                 QStringLiteral("notifications/cancelled"),
                 {{key("requestId"), qint64(slow)}, {key("reason"), QStringLiteral("Request timed out after 20 ms")}}));

    // A transport whose upstream never had the request (not sent yet, or no MCP peer) says so.
    upstream.upstreamHasAbandoned = false;
    const quint64 unsent = upstream.sendRequest(QStringLiteral("tools/call"), {}, done(5));
    QTRY_VERIFY(upstream.transmitted.last().value(key("id")).toInteger() == qint64(unsent));
    upstream.cancelRequest(unsent, QStringLiteral("user"));
    QCOMPARE(upstream.abandoned.last().first, unsent);
    QCOMPARE(upstream.notifications.size(), 3);
    QTRY_COMPARE(done.got->size(), 5);
    for (const auto &[tag, response] : std::as_const(*done.got))
        QCOMPARE(code(response), tag == 4 ? rpcerr::Timeout : rpcerr::Cancelled);

    // The handshake is never cancelled.
    upstream.upstreamHasAbandoned = true;
    std::optional<QString> failed;
    upstream.handshake(20, [&failed](const QString &error) { failed = error; });
    QCOMPARE(upstream.transmitted.last().value(key("method")).toString(), QStringLiteral("initialize"));
    QTRY_VERIFY(failed.has_value());
    QCOMPARE(upstream.abandoned.last().first, quint64(upstream.transmitted.last().value(key("id")).toInteger()));
    QCOMPARE(upstream.notifications.size(), 3);
}

// Notifications and responses to the upstream are framed by the base class and handed to the
// transport's one sendMessage().
void TestUpstream::messagesGoThroughSendMessage()
{
    FakeUpstream upstream(fakeConfig());
    upstream.start();
    upstream.sendNotification(QStringLiteral("notifications/initialized"));
    upstream.sendNotification(QStringLiteral("notifications/roots/list_changed"), {{key("x"), 1}});
    upstream.sendResponse({{key("id"), QStringLiteral("srv-9")}, {key("result"), QJsonObject{}}});
    QCOMPARE(upstream.notifications,
             (QList<QJsonObject>{QJsonObject{{key("jsonrpc"), QStringLiteral("2.0")},
                                             {key("method"), QStringLiteral("notifications/initialized")}},
                                 QJsonObject{{key("jsonrpc"), QStringLiteral("2.0")},
                                             {key("method"), QStringLiteral("notifications/roots/list_changed")},
                                             {key("params"), QJsonObject{{key("x"), 1}}}}}));
    QCOMPARE(upstream.responses, (QList<QJsonObject>{QJsonObject{{key("jsonrpc"), QStringLiteral("2.0")},
                                                                 {key("id"), QStringLiteral("srv-9")},
                                                                 {key("result"), QJsonObject{}}}}));
}

void TestUpstream::progressByToken()
{
    FakeUpstream upstream(fakeConfig());
    upstream.start();
    QSignalSpy unrelated(&upstream, &Upstream::notificationReceived);
    auto a = std::make_shared<QList<QJsonObject>>();
    auto b = std::make_shared<QList<QJsonObject>>();
    RequestHooks hooksA;
    hooksA.onNotification = [a](const QJsonObject &n) { a->append(n); };
    RequestHooks hooksB;
    hooksB.onNotification = [b](const QJsonObject &n) { b->append(n); };
    Collected done;
    upstream.sendRequest(QStringLiteral("tools/call"),
                         {{key("_meta"), QJsonObject{{key("progressToken"), QStringLiteral("t")}}}}, done(1), hooksA);
    upstream.sendRequest(QStringLiteral("tools/call"), {{key("_meta"), QJsonObject{{key("progressToken"), 42}}}},
                         done(2), hooksB);
    auto progress = [](const QJsonValue &token) {
        return QJsonObject{{key("jsonrpc"), QStringLiteral("2.0")},
                           {key("method"), QStringLiteral("notifications/progress")},
                           {key("params"), QJsonObject{{key("progressToken"), token}, {key("progress"), 1}}}};
    };
    upstream.incoming(progress(42), false);
    upstream.incoming(progress(QStringLiteral("t")), false);
    upstream.incoming(progress(QStringLiteral("nobody")), false);
    upstream.incoming(
        {{key("jsonrpc"), QStringLiteral("2.0")}, {key("method"), QStringLiteral("notifications/tools/list_changed")}},
        false);
    QCOMPARE(a->size(), 1);
    QCOMPARE(b->size(), 1);
    QCOMPARE(unrelated.size(), 2);
}

void TestUpstream::serverRequestRouting()
{
    FakeUpstream upstream(fakeConfig());
    upstream.start();
    QSignalSpy unrelated(&upstream, &Upstream::serverRequestReceived);
    auto seen = std::make_shared<int>(0);
    RequestHooks hooks;
    hooks.onServerRequest = [seen](const QJsonObject &, std::function<void(const QJsonObject &)> reply) {
        ++*seen;
        reply({{key("id"), QStringLiteral("whatever")}, {key("result"), QJsonObject{{key("answer"), 1}}}});
        reply({{key("result"), QJsonObject{}}}); // a second reply is dropped
    };
    const QJsonObject request{{key("jsonrpc"), QStringLiteral("2.0")},
                              {key("id"), QStringLiteral("srv-1")},
                              {key("method"), QStringLiteral("sampling/createMessage")}};
    Collected done;
    const quint64 only = upstream.sendRequest(QStringLiteral("tools/call"), {}, done(1), hooks);
    upstream.incoming(request, false); // without guessing: unrelated
    QCOMPARE(unrelated.size(), 1);
    upstream.incoming(request, true); // exactly one in flight: its hooks
    QCOMPARE(*seen, 1);
    QCOMPARE(upstream.responses.size(), 1);
    QCOMPARE(upstream.responses.at(0).value(key("id")).toString(), QStringLiteral("srv-1"));
    QCOMPARE(upstream.responses.at(0).value(key("jsonrpc")).toString(), QStringLiteral("2.0"));
    upstream.sendRequest(QStringLiteral("tools/call"), {}, done(2), hooks);
    upstream.incoming(request, true); // two in flight: ambiguous
    QCOMPARE(*seen, 1);
    QCOMPARE(unrelated.size(), 2);
    upstream.answer(only);
    upstream.incoming(request, true); // the remaining one has a hook
    QCOMPARE(*seen, 2);
}

void TestUpstream::failAllIncludesQueued()
{
    FakeUpstream upstream(fakeConfig(1));
    upstream.start();
    Collected done;
    for (int i = 0; i < 3; ++i)
        upstream.sendRequest(QStringLiteral("m"), {}, done(i));
    upstream.fail(rpcerr::UpstreamUnavailable, QStringLiteral("Upstream fake crashed"));
    QCOMPARE(upstream.inFlight(), 0);
    QCOMPARE(upstream.queued(), 0);
    QCOMPARE(upstream.transmitted.size(), 1); // the queued ones were not sent meanwhile
    QTRY_COMPARE(done.got->size(), 3);
    for (const auto &[tag, response] : std::as_const(*done.got))
        QCOMPARE(response.value(key("error")).toObject().value(key("message")).toString(),
                 QStringLiteral("Upstream fake crashed"));
}

void TestUpstream::serverInfoAndLog()
{
    FakeUpstream upstream(fakeConfig());
    upstream.info({{key("protocolVersion"), QStringLiteral("2025-06-18")},
                   {key("capabilities"), QJsonObject{{key("tools"), QJsonObject{}}}},
                   {key("serverInfo"), QJsonObject{{key("name"), QStringLiteral("s")}}},
                   {key("instructions"), QStringLiteral("use wisely")}});
    QCOMPARE(upstream.protocolVersion(), QStringLiteral("2025-06-18"));
    QVERIFY(upstream.serverCapabilities().contains(key("tools")));
    QCOMPARE(upstream.serverInfo().value(key("name")).toString(), QStringLiteral("s"));
    QCOMPARE(upstream.instructions(), QStringLiteral("use wisely"));

    QSignalSpy lines(&upstream, &Upstream::logLine);
    for (int i = 0; i < 520; ++i)
        upstream.log(QStringLiteral("line %1").arg(i));
    QCOMPARE(lines.size(), 520);
    QCOMPARE(upstream.recentLog().size(), 500);
    QCOMPARE(upstream.recentLog().first(), QStringLiteral("line 20"));
    QCOMPARE(upstream.recentLog().last(), QStringLiteral("line 519"));
}

void TestUpstream::retryBackoff()
{
    FakeUpstream upstream(fakeConfig());
    QSignalSpy states(&upstream, &Upstream::stateChanged);
    QElapsedTimer clock;
    clock.start();
    upstream.retryLater(QStringLiteral("broken pipe"));
    QCOMPARE(upstream.state(), UpstreamState::Failing);
    QCOMPARE(upstream.stateReason(), QStringLiteral("broken pipe"));
    QTRY_COMPARE_WITH_TIMEOUT(upstream.retries, 1, 3000);
    QVERIFY(clock.elapsed() >= 950);
    QCOMPARE(upstream.state(), UpstreamState::Ready);
    clock.restart();
    upstream.retryLater(QStringLiteral("again")); // second failure without 30 s of Ready: 2 s
    // Polled from the start: seen at 2 only once it happened, so no retry came before 1.9 s.
    QTRY_COMPARE_WITH_TIMEOUT(upstream.retries, 2, 4000);
    // The retry timer is a coarse one: it may fire up to 5 % early.
    QVERIFY2(clock.elapsed() >= 1900, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(upstream.retries, 2);
    upstream.stop(); // resets the backoff: the next retry is due after 1 s, not 4 s
    upstream.retryLater(QStringLiteral("stop me"));
    upstream.stop(); // cancels that retry
    QCOMPARE(upstream.state(), UpstreamState::Stopped);
    // Negative check: a cancelled timer leaves no trace to wait for, so wait past the 1 s (+5 %
    // coarse timer slack) at which the retry was due and see that it did not come.
    QTest::qWait(1200);
    QCOMPARE(upstream.retries, 2);
    QCOMPARE(upstream.state(), UpstreamState::Stopped);
    QCOMPARE(states.last().at(0).value<UpstreamState>(), UpstreamState::Stopped);
    // And the backoff was reset: the next failure is retried after 1 s again.
    clock.restart();
    upstream.retryLater(QStringLiteral("after stop"));
    QTRY_COMPARE_WITH_TIMEOUT(upstream.retries, 3, 3000);
    QVERIFY2(clock.elapsed() >= 950, qPrintable(QString::number(clock.elapsed())));
}

QTEST_GUILESS_MAIN(TestUpstream)
#include "tst_upstream.moc"
