// Extensions (capabilities.extensions) through the gateway, against real upstream processes
// (fixtures/extensions-upstream.mjs over stdio, which declares io.modelcontextprotocol/skills and
// io.modelcontextprotocol/tasks):
//  - the gateway declares what its upstreams declare and forwards an extension method
//    (skills/list) to the upstream that declared it; what no upstream declares is -32601;
//  - two upstreams of one namespace declaring the same extension: the client names one in
//    params._meta["io.metamcp/server"], else -32602 naming both (ROUTING RULE, ARCHITECTURE.md);
//  - tasks are bound to the caller that created them: another session or a stateless caller
//    gets "unknown task" (-32602) for it, a client that did not declare tasks gets -32021 and
//    never a task notification; task ids are the gateway's, so equal upstream ids never collide.

#include "gatewayfixture.h"
#include "rawhttp.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QUuid>

using namespace metamcp;
using namespace metamcp::test;
using namespace Qt::StringLiterals;

namespace {

const QString kTasks = u"io.modelcontextprotocol/tasks"_s;
const QString kSkills = u"io.modelcontextprotocol/skills"_s;
const QJsonObject kWithTasks{{u"extensions"_s, QJsonObject{{kTasks, QJsonObject{}}}}};

UpstreamConfig extensionsUpstream(const QString &name)
{
    UpstreamConfig c;
    c.name = name;
    c.kind = UpstreamKind::Stdio;
    c.command = nodeProgram();
    c.args = {sourceDir() + u"/tests/integration/fixtures/extensions-upstream.mjs"_s, u"--label"_s, name};
    return c;
}

QJsonObject resultOf(const RawResponse &r)
{
    return r.json().value(u"result"_s).toObject();
}

int errorCodeOf(const RawResponse &r)
{
    return r.json().value(u"error"_s).toObject().value(u"code"_s).toInt();
}

QString firstTextOf(const QJsonObject &result)
{
    return result.value(u"content"_s).toArray().first().toObject().value(u"text"_s).toString();
}

// A stateless (2026-07-28) request with the headers it needs; `meta` joins the envelope.
RawResponse stateless(quint16 port, const QByteArray &path, const QString &method, QJsonObject params,
                      const QJsonObject &caps = {}, const QJsonObject &meta = {})
{
    QJsonObject m = modernEnvelope(caps);
    for (auto it = meta.begin(); it != meta.end(); ++it)
        m.insert(it.key(), it.value());
    params.insert(u"_meta"_s, m);
    const QString name =
        method == u"tools/call" ? params.value(u"name"_s).toString() : params.value(u"taskId"_s).toString();
    return postJson(port, path, rpc(1, method, params), modernHeaders(method.toUtf8(), name.toUtf8()));
}

// A 2025-11-25 session with its GET stream.
class Session
{
public:
    Session(quint16 port, const QByteArray &path = "/mcp")
        : m_port(port)
        , m_path(path)
    {}
    QJsonObject initialize(const QJsonObject &caps)
    {
        const RawResponse r = initializeSession(m_port, m_path, caps);
        m_sid = r.header("mcp-session-id");
        postJson(m_port, m_path, QJsonObject{{u"jsonrpc"_s, u"2.0"_s}, {u"method"_s, u"notifications/initialized"_s}},
                 headers());
        return resultOf(r);
    }
    RawHeaders headers() const { return mcpHeaders(m_sid, "2025-11-25"); }
    RawResponse request(const QString &method, const QJsonObject &params)
    {
        const RawResponse r = postJson(m_port, m_path, rpc(m_nextId++, method, params), headers());
        if (r.header("content-type").startsWith("text/event-stream")) {
            // The answer is the stream's last event.
            RawResponse last = r;
            const QList<SseEvent> events = r.events();
            for (const SseEvent &e : events)
                if (e.json().contains(u"id"_s))
                    last.body = e.data;
            return last;
        }
        return r;
    }
    bool openGetStream()
    {
        RawHeaders h = headers();
        h.append(std::pair<QByteArray, QByteArray>("Accept", "text/event-stream"));
        return m_stream.open(m_port, buildRequest(m_port, "GET", m_path, h, {})) && m_stream.status() == 200;
    }
    // Messages on the GET stream until list_changed (the barrier a configuration change sends).
    QList<QJsonObject> drainUntilListChanged()
    {
        QList<QJsonObject> seen;
        SseEvent e;
        while (m_stream.nextEvent(&e, 20000)) {
            if (e.data.trimmed().isEmpty())
                continue;
            const QJsonObject m = e.json();
            if (m.value(u"method"_s).toString() == u"notifications/tools/list_changed")
                return seen;
            seen.append(m);
        }
        seen.append(QJsonObject{{u"error"_s, u"no list_changed arrived"_s}});
        return seen;
    }
    // The next notifications/tasks on the GET stream (empty on timeout).
    QJsonObject nextTaskNotification()
    {
        SseEvent e;
        while (m_stream.nextEvent(&e, 20000)) {
            const QJsonObject m = e.json();
            if (m.value(u"method"_s).toString() == u"notifications/tasks")
                return m;
        }
        return {};
    }

private:
    quint16 m_port;
    QByteArray m_path;
    QByteArray m_sid;
    int m_nextId = 2;
    StreamClient m_stream;
};

int taskNotifications(const QList<QJsonObject> &messages)
{
    int n = 0;
    for (const QJsonObject &m : messages)
        if (m.value(u"method"_s).toString() == u"notifications/tasks")
            ++n;
    return n;
}

} // namespace

class TestExtensions final : public QObject
{
    Q_OBJECT

    GatewayFixture m_fixture;
    quint16 m_port = 0;

    void touchConfig()
    {
        NamespaceConfig ns = *m_fixture.gateway()->config().ns(kDefaultNamespace);
        ns.description = QUuid::createUuid().toString();
        QCOMPARE(m_fixture.setNamespace(ns), QString());
    }

    // Polls tasks/get (stateless, declaring tasks) until the task ends.
    QJsonObject settledTask(const QByteArray &path, const QString &taskId)
    {
        QJsonObject task;
        (void)QTest::qWaitFor(
            [&] {
                task = resultOf(stateless(m_port, path, u"tasks/get"_s, {{u"taskId"_s, taskId}}, kWithTasks));
                return task.value(u"status"_s).toString() == u"completed";
            },
            15000);
        return task;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(peersInstalled(), "npm peers missing: run scripts/bootstrap.sh deps");
        QString error;
        QVERIFY2(m_fixture.start(&error), qPrintable(error));
        m_port = m_fixture.port();
        QCOMPARE(m_fixture.addServer(extensionsUpstream(u"alpha"_s)), QString());
        QCOMPARE(m_fixture.addServer(extensionsUpstream(u"beta"_s), QStringList()), QString());
        NamespaceConfig both;
        both.name = u"both"_s;
        both.servers = {u"alpha"_s, u"beta"_s};
        QCOMPARE(m_fixture.setNamespace(both), QString());
        NamespaceConfig empty;
        empty.name = u"empty"_s;
        QCOMPARE(m_fixture.setNamespace(empty), QString());
        QVERIFY(m_fixture.waitForTool(kDefaultNamespace, u"alpha__work"_s));
        QVERIFY(m_fixture.waitForTool(u"both"_s, u"beta__work"_s));
        QVERIFY(m_fixture.waitForTool(u"both"_s, u"alpha__work"_s));
    }

    // Both upstreams number their tasks task-1, task-2, ...: the client sees the gateway's ids,
    // and each goes back to the upstream that made it.
    void equalUpstreamIdsDoNotCollide()
    {
        const QJsonObject a = resultOf(
            stateless(m_port, "/mcp/both", u"tools/call"_s,
                      {{u"name"_s, u"alpha__work"_s}, {u"arguments"_s, QJsonObject{{u"ms"_s, 0}, {u"text"_s, u"a"_s}}}},
                      kWithTasks));
        const QJsonObject b = resultOf(
            stateless(m_port, "/mcp/both", u"tools/call"_s,
                      {{u"name"_s, u"beta__work"_s}, {u"arguments"_s, QJsonObject{{u"ms"_s, 0}, {u"text"_s, u"b"_s}}}},
                      kWithTasks));
        QCOMPARE(a.value(u"resultType"_s).toString(), u"task"_s);
        QCOMPARE(b.value(u"resultType"_s).toString(), u"task"_s);
        const QString idA = a.value(u"taskId"_s).toString();
        const QString idB = b.value(u"taskId"_s).toString();
        QVERIFY2(!idA.isEmpty() && idA != idB && !idA.startsWith(u"task-"_s), qPrintable(idA + u' ' + idB));
        QCOMPARE(firstTextOf(settledTask("/mcp/both", idA).value(u"result"_s).toObject()), u"alpha: a"_s);
        QCOMPARE(firstTextOf(settledTask("/mcp/both", idB).value(u"result"_s).toObject()), u"beta: b"_s);
        // A task is its namespace's: through another one it is unknown.
        QCOMPARE(errorCodeOf(stateless(m_port, "/mcp", u"tasks/get"_s, {{u"taskId"_s, idA}}, kWithTasks)), -32602);
    }

    void capabilitiesDeclared()
    {
        Session s(m_port);
        const QJsonObject extensions =
            s.initialize({}).value(u"capabilities"_s).toObject().value(u"extensions"_s).toObject();
        QVERIFY2(extensions.contains(kTasks) && extensions.contains(kSkills),
                 QJsonDocument(extensions).toJson().constData());
        const QJsonObject discovered = resultOf(stateless(m_port, "/mcp", u"server/discover"_s, {}));
        QVERIFY(discovered.value(u"capabilities"_s).toObject().value(u"extensions"_s).toObject().contains(kSkills));
        const QJsonObject none = resultOf(stateless(m_port, "/mcp/empty", u"server/discover"_s, {}));
        QVERIFY(!none.value(u"capabilities"_s).toObject().contains(u"extensions"_s));
    }

    void extensionMethodForwarded()
    {
        const RawResponse r = stateless(m_port, "/mcp", u"skills/list"_s, {});
        QCOMPARE(resultOf(r).value(u"skills"_s).toArray().first().toObject().value(u"name"_s).toString(),
                 u"alpha-skill"_s);
        Session s(m_port);
        s.initialize({});
        const RawResponse viaSession = s.request(u"skills/list"_s, {});
        QVERIFY2(viaSession.body.contains("alpha-skill"), viaSession.body.constData());
    }

    void undeclaredMethodNotFound_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QString>("method");
        QTest::newRow("no such extension") << QByteArray("/mcp") << u"widgets/list"_s;
        QTest::newRow("no family") << QByteArray("/mcp") << u"frobnicate"_s;
        QTest::newRow("tasks/list is gone") << QByteArray("/mcp") << u"tasks/list"_s;
        QTest::newRow("tasks/result is gone") << QByteArray("/mcp") << u"tasks/result"_s;
        QTest::newRow("skills without upstream") << QByteArray("/mcp/empty") << u"skills/list"_s;
        QTest::newRow("tasks without upstream") << QByteArray("/mcp/empty") << u"tasks/get"_s;
    }

    void undeclaredMethodNotFound()
    {
        QFETCH(QByteArray, path);
        QFETCH(QString, method);
        const RawResponse r = stateless(m_port, path, method, {{u"taskId"_s, u"x"_s}}, kWithTasks);
        QCOMPARE(errorCodeOf(r), -32601);
        QCOMPARE(r.status, 404);
    }

    // ROUTING RULE: one upstream declaring the extension takes its methods; several need the
    // client to name one; an upstream outside the namespace cannot be named.
    void sameExtensionTwice()
    {
        const RawResponse ambiguous = stateless(m_port, "/mcp/both", u"skills/list"_s, {});
        QCOMPARE(errorCodeOf(ambiguous), -32602);
        const QJsonArray servers =
            ambiguous.json().value(u"error"_s).toObject().value(u"data"_s).toObject().value(u"servers"_s).toArray();
        QCOMPARE(servers, (QJsonArray{u"alpha"_s, u"beta"_s}));
        const RawResponse chosen =
            stateless(m_port, "/mcp/both", u"skills/list"_s, {}, {}, {{u"io.metamcp/server"_s, u"beta"_s}});
        QVERIFY2(chosen.body.contains("beta-skill") && !chosen.body.contains("alpha-skill"), chosen.body.constData());
        // beta is not in the default namespace: naming it there is refused.
        const RawResponse outside =
            stateless(m_port, "/mcp", u"skills/list"_s, {}, {}, {{u"io.metamcp/server"_s, u"beta"_s}});
        QCOMPARE(errorCodeOf(outside), -32602);
        QVERIFY(!outside.body.contains("beta-skill"));
    }

    // Session A's task: B (also declaring tasks) and stateless callers cannot see, get or cancel
    // it; C (no tasks) gets -32021 and a plain result; only A hears notifications/tasks.
    void tasksBoundToCaller()
    {
        Session a(m_port), b(m_port), c(m_port);
        a.initialize(kWithTasks);
        b.initialize(kWithTasks);
        c.initialize({});
        QVERIFY(a.openGetStream());
        QVERIFY(b.openGetStream());
        QVERIFY(c.openGetStream());

        const RawResponse created =
            a.request(u"tools/call"_s, {{u"name"_s, u"alpha__work"_s},
                                        {u"arguments"_s, QJsonObject{{u"ms"_s, 300}, {u"text"_s, u"mine"_s}}}});
        QCOMPARE(resultOf(created).value(u"resultType"_s).toString(), u"task"_s);
        const QString taskId = resultOf(created).value(u"taskId"_s).toString();
        QVERIFY2(taskId.startsWith(u't') && !taskId.startsWith(u"task-"_s), created.body.constData());

        QCOMPARE(resultOf(a.request(u"tasks/get"_s, {{u"taskId"_s, taskId}})).value(u"taskId"_s).toString(), taskId);
        for (const QString &method : {u"tasks/get"_s, u"tasks/cancel"_s, u"tasks/update"_s}) {
            const QJsonObject params{{u"taskId"_s, taskId}, {u"inputResponses"_s, QJsonObject{}}};
            const RawResponse other = b.request(method, params);
            QVERIFY2(errorCodeOf(other) == -32602, qPrintable(method + u": "_s + QString::fromUtf8(other.body)));
            QCOMPARE(errorCodeOf(stateless(m_port, "/mcp", method, params, kWithTasks)), -32602);
            QCOMPARE(errorCodeOf(c.request(method, params)), -32021);
        }
        const RawResponse plain =
            c.request(u"tools/call"_s, {{u"name"_s, u"alpha__work"_s},
                                        {u"arguments"_s, QJsonObject{{u"ms"_s, 0}, {u"text"_s, u"sync"_s}}}});
        QVERIFY2(!resultOf(plain).contains(u"taskId"_s), plain.body.constData());
        QCOMPARE(firstTextOf(resultOf(plain)), u"alpha: sync"_s);

        // A hears its task end, by the gateway's id; B and C hear nothing of it.
        const QJsonObject done = a.nextTaskNotification();
        QCOMPARE(done.value(u"params"_s).toObject().value(u"taskId"_s).toString(), taskId);
        QCOMPARE(done.value(u"params"_s).toObject().value(u"status"_s).toString(), u"completed"_s);
        touchConfig();
        QCOMPARE(taskNotifications(b.drainUntilListChanged()), 0);
        QCOMPARE(taskNotifications(c.drainUntilListChanged()), 0);

        const QJsonObject finished = resultOf(a.request(u"tasks/get"_s, {{u"taskId"_s, taskId}}));
        QCOMPARE(finished.value(u"status"_s).toString(), u"completed"_s);
        QCOMPARE(firstTextOf(finished.value(u"result"_s).toObject()), u"alpha: mine"_s);
        QCOMPARE(resultOf(a.request(u"tasks/cancel"_s, {{u"taskId"_s, taskId}})).value(u"resultType"_s).toString(),
                 u"complete"_s);
    }

    // A stateless caller's task is its principal's: a session cannot reach it.
    void statelessTaskNotVisibleToSessions()
    {
        const QJsonObject created = resultOf(
            stateless(m_port, "/mcp", u"tools/call"_s,
                      {{u"name"_s, u"alpha__work"_s}, {u"arguments"_s, QJsonObject{{u"ms"_s, 0}}}}, kWithTasks));
        const QString taskId = created.value(u"taskId"_s).toString();
        QVERIFY(!taskId.isEmpty());
        Session s(m_port);
        s.initialize(kWithTasks);
        QCOMPARE(errorCodeOf(s.request(u"tasks/get"_s, {{u"taskId"_s, taskId}})), -32602);
        QCOMPARE(settledTask("/mcp", taskId).value(u"status"_s).toString(), u"completed"_s);
    }
};

QTEST_GUILESS_MAIN(TestExtensions)
#include "tst_extensions.moc"
