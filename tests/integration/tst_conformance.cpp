// The official MCP conformance suite against the gateway, each time compared with the same
// server reached directly:
//  - conformance 0.1.16 (2025-11-25 server scenarios) against server-everything directly
//    (streamableHttp) and through metamcpd (server-everything over stdio);
//  - the same against fixtures/conformance-everything.mjs, the suite's "everything server"
//    written on SDK v1, directly (its own Streamable HTTP mode) and through metamcpd (stdio),
//    where nearly every scenario means something;
//  - conformance 0.2.0-alpha.12 with --requirements 2025-11-25 (sessions) and 2026-07-28 (the
//    stateless revision; mcp-proxy in front of the fixture is the reference dual-era server).
// Every scenario that passes directly must pass through the gateway. The result tables are
// printed with qInfo so that CI logs show them.

#include "gatewayprocess.h"
#include "rawhttp.h"

#include "services/store.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>

#include <array>

using namespace metamcp;
using namespace metamcp::test;
using namespace Qt::StringLiterals;

namespace {

struct ScenarioResult
{
    int passed = 0;
    int failed = 0;
    int warnings = 0;
    QStringList failures;          // "check-id: message"
    QMap<QString, QString> checks; // id -> worst status (FAILURE over WARNING over SUCCESS); INFO left out

    bool passes() const { return failed == 0; }
    QString counts() const
    {
        return u"%1/%2"_s.arg(passed).arg(failed) + (warnings ? u" w%1"_s.arg(warnings) : QString());
    }
};

using Results = QMap<QString, ScenarioResult>;

// server-everything has none of the fixture tools; SDK v1 answers a call to a missing tool
// with an isError result, which these two scenarios accept (PROTOCOL-NOTES §3.3).
const QStringList kFalsePassesOnServerEverything{u"tools-call-simple-text"_s, u"tools-call-error"_s};

// Scenarios every check of which the gateway must pass on 2026-07-28, whatever the reference does.
// http-custom-header-server-validation runs against the fixture's test_header_params.
// The input-required-result ones run the fixture's tools, which send 2025-style server->client
// requests; the gateway turns them into InputRequiredResult rounds. Left out:
// input-required-result-basic-elicitation, which wants the input key "user_name" (a bridge
// chooses its own keys), and the scenarios whose fixture tools are missing (PROTOCOL-NOTES §3.5).
const QStringList kModernRequiredScenarios{
    u"server-stateless"_s, u"http-header-validation"_s, u"caching"_s, u"dns-rebinding-protection"_s,
    u"input-required-result-basic-sampling"_s, u"input-required-result-basic-list-roots"_s,
    u"input-required-result-capability-check"_s, u"input-required-result-multi-round"_s,
    u"input-required-result-multiple-input-requests"_s, u"input-required-result-non-tool-request"_s,
    u"input-required-result-request-state"_s, u"input-required-result-result-type"_s,
    u"input-required-result-tampered-state"_s, u"http-custom-header-server-validation"_s,
    // The tasks extension (SEP-2663): the fixture implements it,
    // the gateway routes tasks/* to the instance that created
    // each task, for its caller (PROTOCOL-NOTES §3.8). tasks-status-notifications has no checks in alpha.12.
    u"tasks-capability-negotiation"_s, u"tasks-dispatch-and-envelope"_s, u"tasks-lifecycle"_s,
    u"tasks-mrtr-composition"_s, u"tasks-mrtr-input"_s, u"tasks-request-headers"_s, u"tasks-request-state-removal"_s,
    u"tasks-required-task-error"_s, u"tasks-wire-fields"_s};

// "server-<scenario>-2026-11-25T15-49-04-688Z" -> scenario
QString scenarioOf(const QString &dirName)
{
    static const QRegularExpression re(u"^server-(.+)-\\d{4}-\\d{2}-\\d{2}T[\\d-]+Z$"_s);
    const QRegularExpressionMatch m = re.match(dirName);
    return m.hasMatch() ? m.captured(1) : QString();
}

Results readResults(const QString &outDir)
{
    Results results;
    QDirIterator it(outDir, {u"checks.json"_s}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString scenario = scenarioOf(QFileInfo(path).dir().dirName());
        QFile file(path);
        if (scenario.isEmpty() || !file.open(QIODevice::ReadOnly))
            continue;
        ScenarioResult &r = results[scenario];
        const QJsonArray checks = QJsonDocument::fromJson(file.readAll()).array();
        for (const QJsonValue &v : checks) {
            const QJsonObject check = v.toObject();
            const QString status = check.value(u"status"_s).toString();
            const QString id = check.value(u"id"_s).toString();
            if (status == u"FAILURE" || (status == u"WARNING" && r.checks.value(id) != u"FAILURE") ||
                (status == u"SUCCESS" && !r.checks.contains(id)))
                r.checks.insert(id, status);
            if (status == u"SUCCESS")
                ++r.passed;
            else if (status == u"WARNING")
                ++r.warnings;
            else if (status == u"FAILURE") {
                ++r.failed;
                r.failures << check.value(u"id"_s).toString() + u": "_s + check.value(u"errorMessage"_s).toString();
            }
        }
    }
    return results;
}

QString failuresOf(const Results &results, const QString &scenario)
{
    if (!results.contains(scenario))
        return u"scenario %1 did not run"_s.arg(scenario);
    return scenario + u" failed: "_s + results.value(scenario).failures.join(u"; "_s);
}

void printTable(const QString &title, const QStringList &columns, const QList<const Results *> &runs)
{
    QStringList scenarios;
    for (const Results *r : runs)
        for (auto it = r->cbegin(); it != r->cend(); ++it)
            if (!scenarios.contains(it.key()))
                scenarios << it.key();
    qInfo().noquote() << "";
    qInfo().noquote() << "==" << title << "(checks passed/failed, wN = warnings)";
    QString header = u"%1"_s.arg(u"scenario"_s, -48);
    for (const QString &c : columns)
        header += u"%1"_s.arg(c, -14);
    qInfo().noquote() << header;
    std::array<int, 8> passedScenarios{};
    for (const QString &s : std::as_const(scenarios)) {
        QString line = u"%1"_s.arg(s, -48);
        for (qsizetype i = 0; i < runs.size(); ++i) {
            const auto it = runs[i]->constFind(s);
            line += u"%1"_s.arg(it == runs[i]->cend() ? u"-"_s : (it->passes() ? u"ok "_s : u"FAIL "_s) + it->counts(),
                                -14);
            if (it != runs[i]->cend() && it->passes() && i < qsizetype(passedScenarios.size()))
                ++passedScenarios[i];
        }
        qInfo().noquote() << line;
    }
    QString total = u"%1"_s.arg(u"scenarios passing"_s, -48);
    for (qsizetype i = 0; i < runs.size(); ++i)
        total += u"%1"_s.arg(u"%1 of %2"_s.arg(passedScenarios[i]).arg(runs[i]->size()), -14);
    qInfo().noquote() << total;
}

} // namespace

class TestConformance final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void serverEverything_data();
    void serverEverything();
    void fixture_data();
    void fixture();
    void dnsRebindingProtection();
    void ssePollingMirrored();
    void alphaLegacyLeg_data();
    void alphaLegacyLeg();
    void alphaSessionLifecycle();
    void alphaModernLeg_data();
    void alphaModernLeg();
    void multiRoundEdges();
    void customHeaderEdges_data();
    void customHeaderEdges();

private:
    Results run(const QString &package, const QUrl &url, const QStringList &extra, const QString &name);
    QString writeGatewayConfig(const QString &dataDir, const UpstreamConfig &server);
    void addRows(const Results &direct, const QStringList &skip = {});

    QTemporaryDir m_dir;
    ProcessFixture m_everything;      // server-everything streamableHttp
    ProcessFixture m_fixtureHttp;     // conformance-everything.mjs --http
    ProcessFixture m_proxyFixture;    // mcp-proxy in front of conformance-everything.mjs (stdio)
    ProcessFixture m_fixtureSessions; // conformance-everything.mjs --http --sessions-only
    GatewayProcess m_gatewayEverything;
    GatewayProcess m_gatewayFixture;
    GatewayProcess m_gatewayFixtureHttp; // in front of m_fixtureSessions over Streamable HTTP
    QUrl m_everythingUrl, m_fixtureUrl, m_proxyFixtureUrl;
    Results m_pollingDirect, m_pollingGateway;

    Results m_everythingDirect, m_everythingGateway;
    Results m_fixtureDirect, m_fixtureGateway;
    Results m_alphaLegacyDirect, m_alphaLegacyGateway;
    Results m_alphaModernReference, m_alphaModernDirect, m_alphaModernGateway;
};

Results TestConformance::run(const QString &package, const QUrl &url, const QStringList &extra, const QString &name)
{
    const QString outDir = m_dir.filePath(u"results/"_s + name);
    const NodeRun node = runNode(
        QStringList{npmPath(package + u"/dist/index.js"_s), u"server"_s, u"--url"_s, url.toString(), u"-o"_s, outDir} +
            extra,
        180000, QProcessEnvironment::systemEnvironment(), m_dir.path());
    const Results results = readResults(outDir);
    if (!node.finished || results.isEmpty())
        qWarning().noquote() << "conformance run" << name << "produced no results:" << node.describe();
    return results;
}

// `server` as the only server of the default namespace, which exposes tool and prompt names
// without the server prefix, so that the suite finds them through the gateway.
QString TestConformance::writeGatewayConfig(const QString &dataDir, const UpstreamConfig &server)
{
    Store store;
    QString error;
    if (!store.open(dataDir, &error))
        return error;
    if (!store.upsertServer(server))
        return store.lastError();
    NamespaceConfig ns;
    ns.name = kDefaultNamespace;
    ns.servers = {server.name};
    ns.prefixNames = false;
    if (!store.upsertNamespace(ns))
        return store.lastError();
    store.close();
    return {};
}

// The fixture over stdio.
static UpstreamConfig stdioFixtureUpstream()
{
    UpstreamConfig server;
    server.name = u"conformance"_s;
    server.kind = UpstreamKind::Stdio;
    server.command = node22Program();
    server.args = {integrationFixture(u"conformance-everything.mjs"_s)};
    server.env.insert(u"METAMCP_NPM_DIR"_s, npmDir());
    // Its tools ask the client for sampling, elicitation and roots: over stdio only a process of
    // its own per session (per stateless call) lets the gateway tell whose request each is.
    // Flows the suite abandons keep theirs until they expire, hence the generous bound. The suite
    // gives some calls 600 ms for their first frame while it fires calls back to back: several
    // processes kept ready spare each of them a node cold start.
    server.isolation = UpstreamIsolation::PerSession;
    server.maxInstances = 200;
    server.warmInstances = 4;
    return server;
}

// The fixture over Streamable HTTP, 2025-11-25 sessions only: its test_reconnection closes the
// call's POST stream (SEP-1699), which a stdio server cannot do.
static UpstreamConfig httpFixtureUpstream(const QUrl &url)
{
    UpstreamConfig server;
    server.name = u"conformance"_s;
    server.kind = UpstreamKind::StreamableHttp;
    server.url = url;
    return server;
}

void TestConformance::initTestCase()
{
    QVERIFY2(peersInstalled(), qPrintable(u"npm peers missing in %1 (run npm ci there)"_s.arg(npmDir())));
    QVERIFY(m_dir.isValid());
    if (qEnvironmentVariableIsSet("METAMCP_KEEP_CONFORMANCE_RESULTS")) {
        m_dir.setAutoRemove(false);
        qInfo().noquote() << "conformance results stay in" << m_dir.filePath(u"results"_s);
    }

    // Direct peers.
    const QString everything = startServerEverything(m_everything, u"streamableHttp"_s);
    QVERIFY2(!everything.isEmpty(), m_everything.output().constData());
    m_everythingUrl = QUrl(everything + u"/mcp"_s);

    // The fixture listens on port 0 and prints the port it got.
    const QRegularExpression serving(u"conformance-everything: serving http://127\\.0\\.0\\.1:(\\d+)/mcp"_s);
    QVERIFY(m_fixtureHttp.start(node22Program(),
                                {integrationFixture(u"conformance-everything.mjs"_s), u"--http"_s, u"0"_s}));
    const quint16 fixturePort = m_fixtureHttp.waitForPort(serving);
    QVERIFY2(fixturePort != 0, m_fixtureHttp.output().constData());
    m_fixtureUrl = QUrl(u"http://127.0.0.1:%1/mcp"_s.arg(fixturePort));

    const quint16 proxyPort = m_proxyFixture.reservePort(); // mcp-proxy takes a port number
    QVERIFY(m_proxyFixture.start(node22Program(),
                                 {npmPath(u"mcp-proxy/dist/bin/mcp-proxy.mjs"_s), u"--host"_s, u"127.0.0.1"_s,
                                  u"--port"_s, QString::number(proxyPort), u"--server"_s, u"stream"_s, u"--"_s,
                                  node22Program(), integrationFixture(u"conformance-everything.mjs"_s)}));
    QVERIFY2(waitForTcpPort(proxyPort), m_proxyFixture.output().constData());
    m_proxyFixtureUrl = QUrl(u"http://127.0.0.1:%1/mcp"_s.arg(proxyPort));

    QVERIFY(m_fixtureSessions.start(node22Program(), {integrationFixture(u"conformance-everything.mjs"_s), u"--http"_s,
                                                      u"0"_s, u"--sessions-only"_s}));
    const quint16 sessionsPort = m_fixtureSessions.waitForPort(serving);
    QVERIFY2(sessionsPort != 0, m_fixtureSessions.output().constData());
    const QUrl sessionsUrl(u"http://127.0.0.1:%1/mcp"_s.arg(sessionsPort));

    // The gateways.
    const QString import = writeImportFile(m_dir, QJsonObject{{u"everything"_s, serverEverythingStdioEntry()}});
    QString error = m_gatewayEverything.start(import);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    error = writeGatewayConfig(m_gatewayFixture.dataDir(), stdioFixtureUpstream());
    QVERIFY2(error.isEmpty(), qPrintable(error));
    error = m_gatewayFixture.start(QString());
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(m_gatewayEverything.waitForTool(u"everything__echo"_s), qPrintable(m_gatewayEverything.output()));
    QVERIFY2(m_gatewayFixture.waitForTool(u"test_simple_text"_s), qPrintable(m_gatewayFixture.output()));
    error = writeGatewayConfig(m_gatewayFixtureHttp.dataDir(), httpFixtureUpstream(sessionsUrl));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    error = m_gatewayFixtureHttp.start(QString());
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(m_gatewayFixtureHttp.waitForTool(u"test_reconnection"_s), qPrintable(m_gatewayFixtureHttp.output()));

    const QString stable = u"@modelcontextprotocol/conformance"_s;
    const QString alpha = u"conformance-alpha"_s;
    const QStringList legacy{u"--requirements"_s, u"2025-11-25"_s};
    const QStringList modern{u"--requirements"_s, u"2026-07-28"_s};
    m_everythingDirect = run(stable, m_everythingUrl, {}, u"everything-direct"_s);
    m_everythingGateway = run(stable, m_gatewayEverything.url(), {}, u"everything-gateway"_s);
    m_fixtureDirect = run(stable, m_fixtureUrl, {}, u"fixture-direct"_s);
    m_fixtureGateway = run(stable, m_gatewayFixture.url(), {}, u"fixture-gateway"_s);
    m_alphaLegacyDirect = run(alpha, m_fixtureUrl, legacy, u"alpha-2025-direct"_s);
    m_alphaLegacyGateway = run(alpha, m_gatewayFixture.url(), legacy, u"alpha-2025-gateway"_s);
    m_alphaModernReference = run(alpha, m_proxyFixtureUrl, modern, u"alpha-2026-mcp-proxy"_s);
    m_alphaModernDirect = run(alpha, m_fixtureUrl, modern, u"alpha-2026-direct"_s);
    m_alphaModernGateway = run(alpha, m_gatewayFixture.url(), modern, u"alpha-2026-gateway"_s);
    // The direct reference is alpha's 2025-11-25 run on the HTTP fixture (0.1.16's scenario
    // announces 2025-03-26 in its POSTs, to which the SDK server sends no priming event).
    for (const QString &scenario : {u"server-sse-polling"_s, u"server-sse-multiple-streams"_s}) {
        m_pollingDirect.insert(scenario, m_alphaLegacyDirect.value(scenario));
        m_pollingGateway.insert(
            run(stable, m_gatewayFixtureHttp.url(), {u"--scenario"_s, scenario}, u"polling-gateway-"_s + scenario));
    }

    printTable(u"conformance 0.1.16, server-everything"_s, {u"direct"_s, u"gateway"_s},
               {&m_everythingDirect, &m_everythingGateway});
    printTable(u"conformance 0.1.16, conformance-everything fixture"_s, {u"direct"_s, u"gateway"_s},
               {&m_fixtureDirect, &m_fixtureGateway});
    printTable(u"conformance 0.2.0-alpha.12 --requirements 2025-11-25, fixture"_s, {u"direct"_s, u"gateway"_s},
               {&m_alphaLegacyDirect, &m_alphaLegacyGateway});
    printTable(u"conformance 0.2.0-alpha.12 --requirements 2026-07-28, fixture"_s,
               {u"mcp-proxy"_s, u"direct"_s, u"gateway"_s},
               {&m_alphaModernReference, &m_alphaModernDirect, &m_alphaModernGateway});
    printTable(
        u"SEP-1699: alpha.12 2025-11-25 direct on the HTTP fixture; 0.1.16 through a gateway with it as HTTP upstream"_s,
        {u"direct"_s, u"gateway"_s}, {&m_pollingDirect, &m_pollingGateway});
    QVERIFY(!m_everythingDirect.isEmpty() && !m_fixtureDirect.isEmpty() && !m_alphaLegacyDirect.isEmpty());
    if (!m_dir.autoRemove()) {
        for (auto [name, gateway] : {std::pair{"gateway-everything.log", &m_gatewayEverything},
                                     std::pair{"gateway-fixture.log", &m_gatewayFixture}}) {
            QFile log(m_dir.filePath(u"results/"_s + QLatin1StringView(name)));
            if (log.open(QIODevice::WriteOnly))
                log.write(gateway->output().toUtf8());
        }
    }
}

void TestConformance::addRows(const Results &direct, const QStringList &skip)
{
    QTest::addColumn<QString>("scenario");
    for (auto it = direct.cbegin(); it != direct.cend(); ++it)
        if (it->passes() && !skip.contains(it.key()))
            QTest::newRow(qPrintable(it.key())) << it.key();
}

void TestConformance::serverEverything_data()
{
    addRows(m_everythingDirect, kFalsePassesOnServerEverything);
}

void TestConformance::serverEverything()
{
    QFETCH(QString, scenario);
    const auto it = m_everythingGateway.constFind(scenario);
    QVERIFY2(it != m_everythingGateway.cend() && it->passes(), qPrintable(failuresOf(m_everythingGateway, scenario)));
}

void TestConformance::fixture_data()
{
    addRows(m_fixtureDirect);
}

void TestConformance::fixture()
{
    QFETCH(QString, scenario);
    const auto it = m_fixtureGateway.constFind(scenario);
    QVERIFY2(it != m_fixtureGateway.cend() && it->passes(), qPrintable(failuresOf(m_fixtureGateway, scenario)));
    // As many checks as directly: a check that only counts for an SSE answer
    // (server-sse-multiple-streams) counts through the gateway too. server-sse-polling needs an
    // upstream that closes its stream, which a stdio one cannot: ssePollingMirrored.
    if (scenario != u"server-sse-polling")
        QVERIFY2(
            it->passed == m_fixtureDirect.value(scenario).passed,
            qPrintable(u"%1 checks passed, %2 directly"_s.arg(it->passed).arg(m_fixtureDirect.value(scenario).passed)));
}

// SEP-1699 through the gateway: the upstream closes the stream of a call before it answers; the
// gateway resumes it upstream and tells its client the same (priming event with the upstream's
// retry, connection ended), and the client's GET with Last-Event-ID gets the answer. Every check
// that passes directly passes through the gateway, and as many of them.
void TestConformance::ssePollingMirrored()
{
    for (const QString &scenario : {u"server-sse-polling"_s, u"server-sse-multiple-streams"_s}) {
        const ScenarioResult direct = m_pollingDirect.value(scenario);
        const ScenarioResult gateway = m_pollingGateway.value(scenario);
        QVERIFY2(direct.passed >= 2 && direct.failed == 0, qPrintable(failuresOf(m_pollingDirect, scenario)));
        for (auto c = direct.checks.cbegin(); c != direct.checks.cend(); ++c)
            if (*c == u"SUCCESS")
                QVERIFY2(gateway.checks.value(c.key()) == u"SUCCESS",
                         qPrintable(u"%1 %2: %3; %4"_s.arg(scenario, c.key(), gateway.checks.value(c.key()),
                                                           failuresOf(m_pollingGateway, scenario))));
        QCOMPARE(gateway.passed, direct.passed);
        QCOMPARE(gateway.failed, 0);
    }
}

void TestConformance::dnsRebindingProtection()
{
    const QString scenario = u"dns-rebinding-protection"_s;
    QVERIFY2(m_everythingGateway.value(scenario).passed == 2, qPrintable(failuresOf(m_everythingGateway, scenario)));
    QVERIFY2(m_fixtureGateway.value(scenario).passed == 2, qPrintable(failuresOf(m_fixtureGateway, scenario)));
}

void TestConformance::alphaLegacyLeg_data()
{
    addRows(m_alphaLegacyDirect);
}

void TestConformance::alphaLegacyLeg()
{
    QFETCH(QString, scenario);
    const auto it = m_alphaLegacyGateway.constFind(scenario);
    QVERIFY2(it != m_alphaLegacyGateway.cend() && it->passes(), qPrintable(failuresOf(m_alphaLegacyGateway, scenario)));
}

void TestConformance::alphaSessionLifecycle()
{
    const QString scenario = u"server-session-lifecycle"_s;
    const ScenarioResult r = m_alphaLegacyGateway.value(scenario);
    QVERIFY2(r.passed > 0 && r.passes(), qPrintable(failuresOf(m_alphaLegacyGateway, scenario)));
}

// Check by check: what passes on mcp-proxy (SDK v2) in front of the fixture passes through the
// gateway in front of the same fixture, and so does every check of the scenarios the gateway
// implements itself (statelessness, headers, caching, DNS rebinding).
void TestConformance::alphaModernLeg_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QString>("check");
    QStringList rows;
    auto add = [&](const QString &scenario, const QString &check) {
        const QString row = scenario + u'/' + check;
        if (rows.contains(row))
            return;
        rows << row;
        QTest::newRow(qPrintable(row)) << scenario << check;
    };
    for (auto it = m_alphaModernReference.cbegin(); it != m_alphaModernReference.cend(); ++it)
        for (auto c = it->checks.cbegin(); c != it->checks.cend(); ++c)
            if (*c == u"SUCCESS")
                add(it.key(), c.key());
    for (const QString &scenario : kModernRequiredScenarios) {
        const ScenarioResult r = m_alphaModernGateway.value(scenario);
        if (r.checks.isEmpty())
            add(scenario, u"(any)"_s);
        for (auto c = r.checks.cbegin(); c != r.checks.cend(); ++c)
            add(scenario, c.key());
    }
}

void TestConformance::alphaModernLeg()
{
    QFETCH(QString, scenario);
    QFETCH(QString, check);
    const ScenarioResult r = m_alphaModernGateway.value(scenario);
    const QString status = r.checks.value(check);
    QVERIFY2(status == u"SUCCESS",
             qPrintable(u"%1 %2: %3; %4"_s.arg(scenario, check, status.isEmpty() ? u"not run"_s : status,
                                               failuresOf(m_alphaModernGateway, scenario))));
}

// What the suite does not check about multi round-trip requests through the gateway, on the
// same fixture: a flow the client abandoned does not take the requests of another call; each
// round has its own requestState and an earlier round's is refused; a capability missing in a
// later round fails the call with -32021 as in the first.
void TestConformance::multiRoundEdges()
{
    const quint16 port = quint16(m_gatewayFixture.url().port());
    const QJsonObject allCaps{
        {u"sampling"_s, QJsonObject{}}, {u"elicitation"_s, QJsonObject{}}, {u"roots"_s, QJsonObject{}}};
    auto call = [&](int id, const QString &tool, const QJsonObject &caps, const QJsonObject &more = {}) {
        QJsonObject params{{u"name"_s, tool}, {u"arguments"_s, QJsonObject{}}, {u"_meta"_s, modernEnvelope(caps)}};
        for (auto it = more.begin(); it != more.end(); ++it)
            params.insert(it.key(), it.value());
        return postJson(port, "/mcp", rpc(id, u"tools/call"_s, params), modernHeaders("tools/call", tool.toUtf8()));
    };
    auto resultOf = [](const RawResponse &r) { return r.json().value(u"result"_s).toObject(); };
    auto elicited = [](const QJsonObject &content) {
        return QJsonObject{{u"action"_s, u"accept"_s}, {u"content"_s, content}};
    };

    // Abandoned after its first round: it keeps waiting until it expires.
    const RawResponse abandoned = call(1, u"test_input_required_result_elicitation"_s, allCaps);
    QCOMPARE(resultOf(abandoned).value(u"resultType"_s).toString(), u"input_required"_s);

    // Three requests at once from one tool: one round asks for all of them.
    const RawResponse several = call(2, u"test_input_required_result_multiple_inputs"_s, allCaps);
    const QJsonObject inputs = resultOf(several).value(u"inputRequests"_s).toObject();
    QStringList methods;
    for (const QJsonValue &v : inputs)
        methods << v.toObject().value(u"method"_s).toString();
    methods.sort();
    QCOMPARE(methods, (QStringList{u"elicitation/create"_s, u"roots/list"_s, u"sampling/createMessage"_s}));

    // Two rounds, two states; the first round's state is refused once the second is out.
    const RawResponse r1 = call(3, u"test_input_required_result_multi_round"_s, allCaps);
    const QString state1 = resultOf(r1).value(u"requestState"_s).toString();
    const QString key1 = resultOf(r1).value(u"inputRequests"_s).toObject().keys().value(0);
    QVERIFY2(!state1.isEmpty() && !key1.isEmpty(), r1.body.constData());
    const RawResponse r2 = call(
        4, u"test_input_required_result_multi_round"_s, allCaps,
        {{u"requestState"_s, state1}, {u"inputResponses"_s, QJsonObject{{key1, elicited({{u"name"_s, u"Alice"_s}})}}}});
    const QString state2 = resultOf(r2).value(u"requestState"_s).toString();
    const QString key2 = resultOf(r2).value(u"inputRequests"_s).toObject().keys().value(0);
    QVERIFY2(!state2.isEmpty() && state2 != state1 && !key2.isEmpty(), r2.body.constData());
    const RawResponse stale = call(
        5, u"test_input_required_result_multi_round"_s, allCaps,
        {{u"requestState"_s, state1}, {u"inputResponses"_s, QJsonObject{{key2, elicited({{u"color"_s, u"red"_s}})}}}});
    QCOMPARE(stale.json().value(u"error"_s).toObject().value(u"code"_s).toInt(), -32602);
    const RawResponse r3 = call(
        6, u"test_input_required_result_multi_round"_s, allCaps,
        {{u"requestState"_s, state2}, {u"inputResponses"_s, QJsonObject{{key2, elicited({{u"color"_s, u"blue"_s}})}}}});
    QCOMPARE(resultOf(r3).value(u"resultType"_s).toString(), u"complete"_s);
    QVERIFY2(r3.body.contains("Alice likes blue"), r3.body.constData());

    // Sampling only: the second round's elicitation needs a capability the client lacks.
    const QJsonObject samplingOnly{{u"sampling"_s, QJsonObject{}}};
    const RawResponse c1 = call(7, u"test_input_required_result_capabilities"_s, samplingOnly);
    const QJsonObject asked = resultOf(c1).value(u"inputRequests"_s).toObject();
    QCOMPARE(asked.size(), 1);
    QCOMPARE(asked.begin()->toObject().value(u"method"_s).toString(), u"sampling/createMessage"_s);
    const QJsonObject sampled{{u"role"_s, u"assistant"_s},
                              {u"content"_s, QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u"hi"_s}}},
                              {u"model"_s, u"m"_s}};
    const RawResponse c2 = call(8, u"test_input_required_result_capabilities"_s, samplingOnly,
                                {{u"requestState"_s, resultOf(c1).value(u"requestState"_s)},
                                 {u"inputResponses"_s, QJsonObject{{asked.begin().key(), sampled}}}});
    QCOMPARE(c2.status, 400);
    const QJsonObject error = c2.json().value(u"error"_s).toObject();
    QCOMPARE(error.value(u"code"_s).toInt(), -32021);
    QVERIFY2(error.value(u"data"_s).toObject().value(u"requiredCapabilities"_s).toObject().contains(u"elicitation"_s),
             c2.body.constData());
}

// Mcp-Param headers (SEP-2243) beyond what the suite sends: numbers, a header without its
// argument, a wrong value, the header name in another case. test_header_params mirrors "region"
// (string, required) into Mcp-Param-Region and "count" (integer) into Mcp-Param-Count.
void TestConformance::customHeaderEdges_data()
{
    QTest::addColumn<QJsonObject>("arguments");
    QTest::addColumn<RawHeaders>("params");
    QTest::addColumn<int>("status");
    QTest::newRow("string and integer agree")
        << QJsonObject{{u"region"_s, u"eu"_s}, {u"count"_s, 3}}
        << RawHeaders{{"Mcp-Param-Region", "eu"}, {"Mcp-Param-Count", "3"}} << 200;
    QTest::newRow("Base64 and lower-case header name")
        << QJsonObject{{u"region"_s, u"Zürich"_s}}
        << RawHeaders{{"mcp-param-region", "=?base64?" + QByteArray("Zürich").toBase64() + "?="}} << 200;
    QTest::newRow("integer written another way")
        << QJsonObject{{u"region"_s, u"eu"_s}, {u"count"_s, 3}}
        << RawHeaders{{"Mcp-Param-Region", "eu"}, {"Mcp-Param-Count", "3.0"}} << 200;
    QTest::newRow("integer differs") << QJsonObject{{u"region"_s, u"eu"_s}, {u"count"_s, 3}}
                                     << RawHeaders{{"Mcp-Param-Region", "eu"}, {"Mcp-Param-Count", "4"}} << 400;
    QTest::newRow("string differs") << QJsonObject{{u"region"_s, u"eu"_s}} << RawHeaders{{"Mcp-Param-Region", "us"}}
                                    << 400;
    QTest::newRow("header without argument") << QJsonObject{{u"region"_s, u"eu"_s}}
                                             << RawHeaders{{"Mcp-Param-Region", "eu"}, {"Mcp-Param-Count", "3"}} << 400;
    QTest::newRow("argument without header")
        << QJsonObject{{u"region"_s, u"eu"_s}, {u"count"_s, 3}} << RawHeaders{{"Mcp-Param-Region", "eu"}} << 400;
}

void TestConformance::customHeaderEdges()
{
    QFETCH(QJsonObject, arguments);
    QFETCH(RawHeaders, params);
    QFETCH(int, status);
    const quint16 port = quint16(m_gatewayFixture.url().port());
    RawHeaders headers = modernHeaders("tools/call", "test_header_params");
    headers += params;
    const QJsonObject call{
        {u"name"_s, u"test_header_params"_s}, {u"arguments"_s, arguments}, {u"_meta"_s, modernEnvelope()}};
    const RawResponse r = postJson(port, "/mcp", rpc(1, u"tools/call"_s, call), headers);
    QVERIFY2(r.status == status, r.body.constData());
    if (status == 400) {
        QCOMPARE(r.json().value(u"error"_s).toObject().value(u"code"_s).toInt(), -32020);
    } else {
        QVERIFY2(r.body.contains(QByteArray("region=" + arguments.value(u"region"_s).toString().toUtf8())),
                 r.body.constData());
        QVERIFY(!r.json().contains(u"error"_s));
    }
}

QTEST_GUILESS_MAIN(TestConformance)
#include "tst_conformance.moc"
