// Aggregation of several real upstreams in one namespace: pagination across servers, stable
// prefixed names, overrides (rename, disable, description) with annotations kept, prompts,
// resources and templates routed to their server, completions, logging, list_changed on the
// GET stream, and cancellation from the client. Upstreams: server-everything and
// server-filesystem, both over stdio.

#include "gatewayfixture.h"
#include "rawhttp.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace metamcp;
using namespace metamcp::test;

namespace {

QJsonObject resultOf(const RawResponse &r)
{
    return r.json().value(QLatin1String("result")).toObject();
}

} // namespace

class TestAggregation final : public QObject
{
    Q_OBJECT

private:
    GatewayFixture m_fixture;
    QTemporaryDir m_root;
    quint16 m_port = 0;
    QByteArray m_sid;

    RawResponse call(const QString &method, const QJsonObject &params = {}, int id = 1)
    {
        return postJson(m_port, "/mcp", rpc(id, method, params), mcpHeaders(m_sid, "2025-11-25"));
    }

    QStringList allToolNames(int *pages = nullptr)
    {
        QStringList names;
        QString cursor;
        int n = 0;
        do {
            QJsonObject params;
            if (!cursor.isEmpty())
                params.insert(QStringLiteral("cursor"), cursor);
            const QJsonObject result = resultOf(call(QStringLiteral("tools/list"), params));
            for (const QJsonValue &t : result.value(QLatin1String("tools")).toArray())
                names.append(t.toObject().value(QLatin1String("name")).toString());
            cursor = result.value(QLatin1String("nextCursor")).toString();
            ++n;
        } while (!cursor.isEmpty() && n < 100);
        if (pages)
            *pages = n;
        return names;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(peersInstalled());
        QFile hello(m_root.filePath(QStringLiteral("hello.txt")));
        QVERIFY(hello.open(QIODevice::WriteOnly));
        hello.write("hello from the filesystem upstream\n");
        hello.close();
        QString error;
        QVERIFY2(m_fixture.start(&error, true, 5), qPrintable(error));
        m_port = m_fixture.port();
        QCOMPARE(m_fixture.addServer(GatewayFixture::everythingStdio()), QString());
        UpstreamConfig files;
        files.name = QStringLiteral("files");
        files.command = nodeProgram();
        files.args = {npmPath(QStringLiteral("@modelcontextprotocol/server-filesystem/dist/index.js")), m_root.path()};
        QCOMPARE(m_fixture.addServer(files), QString());
        QVERIFY(m_fixture.waitForTool(kDefaultNamespace, QStringLiteral("everything__echo")));
        QVERIFY(m_fixture.waitForTool(kDefaultNamespace, QStringLiteral("files__read_text_file")));
        const RawResponse init = initializeSession(m_port);
        m_sid = init.header("mcp-session-id");
        QVERIFY(!m_sid.isEmpty());
    }

    void paginationAcrossServers()
    {
        int pages = 0;
        const QStringList names = allToolNames(&pages);
        QVERIFY2(pages > 2, "page size 5 splits the aggregated list");
        QVERIFY(names.contains(QStringLiteral("everything__echo")));
        QVERIFY(names.contains(QStringLiteral("files__read_text_file")));
        QCOMPARE(QSet<QString>(names.cbegin(), names.cend()).size(), names.size()); // no duplicates across pages
        for (const QString &n : names)
            QVERIFY2(n.startsWith(QLatin1String("everything__")) || n.startsWith(QLatin1String("files__")),
                     qPrintable(n));
        const RawResponse bad =
            call(QStringLiteral("tools/list"), {{QStringLiteral("cursor"), QStringLiteral("not-a-cursor")}});
        QCOMPARE(bad.json().value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(), -32602);
    }

    void callsReachTheRightServer()
    {
        const RawResponse read =
            call(QStringLiteral("tools/call"),
                 {{QStringLiteral("name"), QStringLiteral("files__read_text_file")},
                  {QStringLiteral("arguments"),
                   QJsonObject{{QStringLiteral("path"), m_root.filePath(QStringLiteral("hello.txt"))}}}});
        QVERIFY2(read.body.contains("hello from the filesystem upstream"), read.body.constData());
        const RawResponse sum =
            call(QStringLiteral("tools/call"),
                 {{QStringLiteral("name"), QStringLiteral("everything__get-sum")},
                  {QStringLiteral("arguments"), QJsonObject{{QStringLiteral("a"), 20}, {QStringLiteral("b"), 22}}}});
        QVERIFY2(sum.body.contains("42"), sum.body.constData());
    }

    void overridesRenameDisableDescribe()
    {
        NamespaceConfig ns = *m_fixture.gateway()->config().ns(kDefaultNamespace);
        ns.toolOverrides = {ToolOverride{QStringLiteral("everything"), QStringLiteral("echo"), true,
                                         QStringLiteral("say"), QStringLiteral("Repeats what you say.")},
                            ToolOverride{QStringLiteral("everything"), QStringLiteral("get-env"), false, {}, {}}};
        QCOMPARE(m_fixture.setNamespace(ns), QString());
        QJsonObject say;
        QVERIFY(QTest::qWaitFor(
            [&] {
                QString cursor;
                say = {};
                do {
                    const QJsonObject result = resultOf(
                        call(QStringLiteral("tools/list"),
                             cursor.isEmpty() ? QJsonObject{} : QJsonObject{{QStringLiteral("cursor"), cursor}}));
                    for (const QJsonValue &t : result.value(QLatin1String("tools")).toArray())
                        if (t.toObject().value(QLatin1String("name")).toString() == u"say")
                            say = t.toObject();
                    cursor = result.value(QLatin1String("nextCursor")).toString();
                } while (!cursor.isEmpty());
                return !say.isEmpty();
            },
            10000));
        QCOMPARE(say.value(QLatin1String("description")).toString(), QStringLiteral("Repeats what you say."));
        QVERIFY2(say.value(QLatin1String("annotations")).toObject().value(QLatin1String("readOnlyHint")).toBool(),
                 "annotations preserved");
        const QStringList names = allToolNames();
        QVERIFY(!names.contains(QStringLiteral("everything__echo")));
        QVERIFY(!names.contains(QStringLiteral("everything__get-env")));
        const RawResponse said =
            call(QStringLiteral("tools/call"),
                 {{QStringLiteral("name"), QStringLiteral("say")},
                  {QStringLiteral("arguments"), QJsonObject{{QStringLiteral("message"), QStringLiteral("renamed")}}}});
        QVERIFY2(said.body.contains("Echo: renamed"), said.body.constData());
        const RawResponse disabled =
            call(QStringLiteral("tools/call"), {{QStringLiteral("name"), QStringLiteral("everything__get-env")}});
        QCOMPARE(disabled.json().value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(), -32602);
        ns.toolOverrides.clear();
        QCOMPARE(m_fixture.setNamespace(ns), QString());
        QVERIFY(m_fixture.waitForTool(kDefaultNamespace, QStringLiteral("everything__echo")));
    }

    void unprefixedNamespace()
    {
        NamespaceConfig plain;
        plain.name = QStringLiteral("plain");
        plain.servers = {QStringLiteral("everything")};
        plain.prefixNames = false;
        QCOMPARE(m_fixture.setNamespace(plain), QString());
        QVERIFY(m_fixture.waitForTool(QStringLiteral("plain"), QStringLiteral("echo")));
        const QJsonObject echo = m_fixture.request(
            QStringLiteral("plain"), QStringLiteral("tools/call"),
            {{QStringLiteral("name"), QStringLiteral("echo")},
             {QStringLiteral("arguments"), QJsonObject{{QStringLiteral("message"), QStringLiteral("plain")}}}});
        QVERIFY2(QJsonDocument(echo).toJson().contains("Echo: plain"), QJsonDocument(echo).toJson().constData());
        const QJsonObject prompts = m_fixture.request(QStringLiteral("plain"), QStringLiteral("prompts/get"),
                                                      {{QStringLiteral("name"), QStringLiteral("simple-prompt")}});
        QVERIFY(prompts.contains(QLatin1String("result")));
    }

    void promptsAndCompletions()
    {
        const QJsonArray prompts =
            resultOf(call(QStringLiteral("prompts/list"))).value(QLatin1String("prompts")).toArray();
        QStringList names;
        for (const QJsonValue &p : prompts)
            names.append(p.toObject().value(QLatin1String("name")).toString());
        QVERIFY2(names.contains(QStringLiteral("everything__simple-prompt")), qPrintable(names.join(u',')));
        const RawResponse got = call(QStringLiteral("prompts/get"),
                                     {{QStringLiteral("name"), QStringLiteral("everything__simple-prompt")}});
        QVERIFY2(!resultOf(got).value(QLatin1String("messages")).toArray().isEmpty(), got.body.constData());
        const RawResponse completion =
            call(QStringLiteral("completion/complete"),
                 {{QStringLiteral("ref"),
                   QJsonObject{{QStringLiteral("type"), QStringLiteral("ref/prompt")},
                               {QStringLiteral("name"), QStringLiteral("everything__completable-prompt")}}},
                  {QStringLiteral("argument"), QJsonObject{{QStringLiteral("name"), QStringLiteral("department")},
                                                           {QStringLiteral("value"), QStringLiteral("Eng")}}}});
        const QJsonArray values =
            resultOf(completion).value(QLatin1String("completion")).toObject().value(QLatin1String("values")).toArray();
        QVERIFY2(values.contains(QStringLiteral("Engineering")), completion.body.constData());
    }

    void resourcesAndTemplates()
    {
        const QJsonArray resources =
            resultOf(call(QStringLiteral("resources/list"))).value(QLatin1String("resources")).toArray();
        QString staticUri;
        for (const QJsonValue &r : resources)
            if (r.toObject()
                    .value(QLatin1String("uri"))
                    .toString()
                    .startsWith(QLatin1String("demo://resource/static/")))
                staticUri = r.toObject().value(QLatin1String("uri")).toString();
        QVERIFY2(!staticUri.isEmpty(), "server-everything's static resources are listed");
        const RawResponse read = call(QStringLiteral("resources/read"), {{QStringLiteral("uri"), staticUri}});
        QVERIFY2(!resultOf(read).value(QLatin1String("contents")).toArray().isEmpty(), read.body.constData());
        const QJsonArray templates = resultOf(call(QStringLiteral("resources/templates/list")))
                                         .value(QLatin1String("resourceTemplates"))
                                         .toArray();
        QVERIFY(!templates.isEmpty());
        // A URI matching a template is routed to the server owning the template.
        const RawResponse dynamic = call(QStringLiteral("resources/read"),
                                         {{QStringLiteral("uri"), QStringLiteral("demo://resource/dynamic/text/7")}});
        QVERIFY2(!resultOf(dynamic).value(QLatin1String("contents")).toArray().isEmpty(), dynamic.body.constData());
        const RawResponse missing =
            call(QStringLiteral("resources/read"), {{QStringLiteral("uri"), QStringLiteral("nothing://here")}});
        QVERIFY(missing.json().contains(QLatin1String("error")));
    }

    void listChangedAndLoggingReachTheStream()
    {
        StreamClient stream;
        QVERIFY(stream.open(m_port, buildRequest(m_port, "GET", "/mcp",
                                                 {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", m_sid}}, {})));
        QCOMPARE(stream.status(), 200);
        SseEvent e;
        QVERIFY(stream.nextEvent(&e)); // priming
        QCOMPARE(
            resultOf(call(QStringLiteral("logging/setLevel"), {{QStringLiteral("level"), QStringLiteral("debug")}}))
                .size(),
            0);
        NamespaceConfig ns = *m_fixture.gateway()->config().ns(kDefaultNamespace);
        ns.description = QStringLiteral("changed");
        ns.toolOverrides = {ToolOverride{QStringLiteral("files"), QStringLiteral("write_file"), false, {}, {}}};
        QCOMPARE(m_fixture.setNamespace(ns), QString());
        bool listChanged = false;
        while (!listChanged && stream.nextEvent(&e, 10000))
            listChanged = e.json().value(QLatin1String("method")).toString() == u"notifications/tools/list_changed";
        QVERIFY(listChanged);
        // server-everything logs on request; messages at or above the level reach the session.
        call(QStringLiteral("tools/call"),
             {{QStringLiteral("name"), QStringLiteral("everything__toggle-simulated-logging")}});
        bool logged = false;
        while (!logged && stream.nextEvent(&e, 15000))
            logged = e.json().value(QLatin1String("method")).toString() == u"notifications/message";
        QVERIFY2(logged, "log messages reach the session's GET stream");
        call(QStringLiteral("tools/call"),
             {{QStringLiteral("name"), QStringLiteral("everything__toggle-simulated-logging")}});
        stream.close();
    }

    void clientCancellation()
    {
        const QJsonObject longCall =
            rpc(77, QStringLiteral("tools/call"),
                {{QStringLiteral("name"), QStringLiteral("everything__trigger-long-running-operation")},
                 {QStringLiteral("arguments"),
                  QJsonObject{{QStringLiteral("duration"), 20}, {QStringLiteral("steps"), 20}}},
                 {QStringLiteral("_meta"), QJsonObject{{QStringLiteral("progressToken"), 77}}}});
        StreamClient stream;
        QVERIFY(stream.open(m_port, buildRequest(m_port, "POST", "/mcp", mcpHeaders(m_sid, "2025-11-25"),
                                                 QJsonDocument(longCall).toJson(QJsonDocument::Compact))));
        SseEvent e;
        QVERIFY(stream.nextEvent(&e)); // priming
        QVERIFY(stream.nextEvent(&e)); // progress: running
        QElapsedTimer timer;
        timer.start();
        const RawResponse cancelled = postJson(
            m_port, "/mcp",
            QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                        {QStringLiteral("method"), QStringLiteral("notifications/cancelled")},
                        {QStringLiteral("params"), QJsonObject{{QStringLiteral("requestId"), 77},
                                                               {QStringLiteral("reason"), QStringLiteral("user")}}}},
            mcpHeaders(m_sid, "2025-11-25"));
        QCOMPARE(cancelled.status, 202);
        // The stream ends without a response for the cancelled request, well before 20 s.
        bool gotResult = false;
        while (stream.nextEvent(&e, 5000))
            gotResult |= e.json().contains(QLatin1String("result")) || e.json().contains(QLatin1String("error"));
        QVERIFY(!gotResult);
        QVERIFY(timer.elapsed() < 10000);
        const RawResponse after = call(
            QStringLiteral("tools/call"),
            {{QStringLiteral("name"), QStringLiteral("everything__echo")},
             {QStringLiteral("arguments"), QJsonObject{{QStringLiteral("message"), QStringLiteral("after cancel")}}}});
        QVERIFY2(after.body.contains("Echo: after cancel"), after.body.constData());
    }
};

QTEST_GUILESS_MAIN(TestAggregation)
#include "tst_aggregation.moc"
