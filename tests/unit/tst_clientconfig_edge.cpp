// Client config import/export corners the main test leaves out: env and header values that are
// booleans, fractions, arrays or objects, maps and args of the wrong JSON type, ${input:...}
// variables, envFile, entries whose names clash after sanitising, JSONC escapes and comments
// before a trailing comma, VS Code entries merged without a "type", and the product names.

#include "services/clientconfig.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace metamcp;
using namespace Qt::StringLiterals;

namespace {

const UpstreamConfig *find(const ImportResult &r, const QString &name)
{
    for (const UpstreamConfig &s : r.servers)
        if (s.name == name)
            return &s;
    return nullptr;
}

QByteArray warningsText(const ImportResult &r)
{
    return r.warnings.join(u" | "_s).toUtf8();
}

} // namespace

class TestClientConfigEdge final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void scalarValues();
    void wrongShapes();
    void inputVariablesWarn_data();
    void inputVariablesWarn();
    void clashingNames();
    void jsoncEscapesAndComments();
    void mergeVsCodeCommandEntry();
    void displayNames();
};

void TestClientConfigEdge::scalarValues()
{
    const ImportResult r = importMcpServers(R"({"mcpServers": {
        "s": {"command": "run", "args": ["--port", 8080, 0.25, true, null, {"x": 1}],
              "env": {"FLAG": true, "OFF": false, "RATIO": 1.5, "TINY": 1e-7, "COUNT": 3, "LIST": [1], "OBJ": {}}},
        "h": {"url": "https://example.com/mcp", "headers": {"X-Num": 42, "X-Bool": false, "X-Null": null}}
    }})");
    QVERIFY2(r.ok(), qPrintable(r.error));
    const UpstreamConfig *s = find(r, u"s"_s);
    QVERIFY(s);
    QCOMPARE(s->args, (QStringList{u"--port"_s, u"8080"_s, u"0.25"_s, u"true"_s}));
    QCOMPARE(s->env.value(u"FLAG"_s), u"true"_s);
    QCOMPARE(s->env.value(u"OFF"_s), u"false"_s);
    QCOMPARE(s->env.value(u"RATIO"_s), u"1.5"_s);
    QCOMPARE(s->env.value(u"TINY"_s).toDouble(), 1e-7);
    QCOMPARE(s->env.value(u"COUNT"_s), u"3"_s);
    QVERIFY(!s->env.contains(u"LIST"_s));
    QVERIFY(!s->env.contains(u"OBJ"_s));
    QCOMPARE(r.warnings.filter(u"\"s\": non-string argument ignored"_s).size(), 2);
    QVERIFY2(r.warnings.contains(u"\"s\": env \"LIST\" is not a string; ignored"_s), warningsText(r));
    QVERIFY2(r.warnings.contains(u"\"s\": env \"OBJ\" is not a string; ignored"_s), warningsText(r));

    const UpstreamConfig *h = find(r, u"h"_s);
    QVERIFY(h);
    QCOMPARE(h->headers.value(u"X-Num"_s), u"42"_s);
    QCOMPARE(h->headers.value(u"X-Bool"_s), u"false"_s);
    QVERIFY(!h->headers.contains(u"X-Null"_s));
    QVERIFY2(r.warnings.contains(u"\"h\": header \"X-Null\" is not a string; ignored"_s), warningsText(r));
}

void TestClientConfigEdge::wrongShapes()
{
    const ImportResult r = importMcpServers(R"({"mcpServers": {
        "a": {"command": "run", "args": "--verbose", "env": ["A=1"], "envFile": ".env"},
        "b": {"url": "https://example.com/mcp", "headers": "Authorization: x"},
        "": {"command": "nameless"}
    }})");
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.servers.size(), 2);
    const UpstreamConfig *a = find(r, u"a"_s);
    QVERIFY(a);
    QVERIFY(a->args.isEmpty());
    QVERIFY(a->env.isEmpty());
    QVERIFY2(r.warnings.contains(u"\"a\": \"args\" is not an array; ignored"_s), warningsText(r));
    QVERIFY2(r.warnings.contains(u"\"a\": \"env\" is not an object; ignored"_s), warningsText(r));
    QVERIFY2(r.warnings.contains(u"\"a\": \"envFile\" is not supported; set the variables in env"_s), warningsText(r));
    const UpstreamConfig *b = find(r, u"b"_s);
    QVERIFY(b);
    QVERIFY(b->headers.isEmpty());
    QVERIFY2(r.warnings.contains(u"\"b\": \"header\" is not an object; ignored"_s), warningsText(r));
    QVERIFY2(r.warnings.contains(u"\"\": empty server name; skipped"_s), warningsText(r));
}

void TestClientConfigEdge::inputVariablesWarn_data()
{
    QTest::addColumn<QByteArray>("entry");
    QTest::addColumn<bool>("warns");
    QTest::newRow("env") << QByteArray(R"({"command": "run", "env": {"TOKEN": "${input:token}"}})") << true;
    QTest::newRow("arg") << QByteArray(R"({"command": "run", "args": ["--key=${input:key}"]})") << true;
    QTest::newRow("command") << QByteArray(R"({"command": "${input:program}"})") << true;
    QTest::newRow("header") << QByteArray(R"({"url": "https://x.example/mcp", "headers": {"X-Key": "${input:k}"}})")
                            << true;
    QTest::newRow("env variable is fine")
        << QByteArray(R"({"command": "run", "env": {"HOME": "${env:HOME}"}})") << false;
    QTest::newRow("plain") << QByteArray(R"({"command": "run", "args": ["input:x", "${inputs}"]})") << false;
}

void TestClientConfigEdge::inputVariablesWarn()
{
    QFETCH(QByteArray, entry);
    QFETCH(bool, warns);
    const ImportResult r = importMcpServers(R"({"servers": {"v": )" + entry + "}}");
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.servers.size(), 1); // imported either way, values as written
    QCOMPARE(r.warnings.filter(u"${input:...}"_s).size(), warns ? 1 : 0);
}

void TestClientConfigEdge::clashingNames()
{
    // Keys are visited in order: "a b", "a-b", "a?b" all become "a-b".
    const ImportResult r = importMcpServers(R"({"mcpServers": {
        "a?b": {"command": "three"}, "a-b": {"command": "two"}, "a b": {"command": "one"}
    }})");
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.servers.size(), 3);
    QCOMPARE(find(r, u"a-b"_s)->command, u"one"_s);
    QCOMPARE(find(r, u"a-b-2"_s)->command, u"two"_s);
    QCOMPARE(find(r, u"a-b-3"_s)->command, u"three"_s);
    QVERIFY2(r.warnings.contains(u"\"a-b\": name already used; renamed to \"a-b-2\""_s), warningsText(r));
    QVERIFY2(r.warnings.contains(u"\"a?b\": name already used; renamed to \"a-b-3\""_s), warningsText(r));
}

void TestClientConfigEdge::jsoncEscapesAndComments()
{
    // An escaped quote and comment-like text inside strings, and comments between a trailing
    // comma and the closing bracket.
    const QByteArray jsonc = R"({
        // VS Code mcp.json
        "servers": {
            "q": {
                "command": "say",
                "args": ["a \"quoted // not a comment\" word", "/* kept */", "back\\slash",],
                "env": {"K": "v", /* block comment */ },
            }, // line comment after a trailing comma
        },
    })";
    const ImportResult r = importMcpServers(jsonc);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.servers.size(), 1);
    const UpstreamConfig &q = r.servers.first();
    QCOMPARE(q.args, (QStringList{u"a \"quoted // not a comment\" word"_s, u"/* kept */"_s, u"back\\slash"_s}));
    QCOMPARE(q.env.value(u"K"_s), u"v"_s);
    QVERIFY2(r.warnings.isEmpty(), warningsText(r));

    // JSONC that is broken anyway reports the strict parser's error.
    const ImportResult broken = importMcpServers("{\"servers\": {\"q\": } // oops\n}");
    QVERIFY(!broken.ok());
    QVERIFY2(broken.error.startsWith(u"Not valid JSON"_s), qPrintable(broken.error));
}

void TestClientConfigEdge::mergeVsCodeCommandEntry()
{
    const QJsonObject entry{{u"command"_s, u"metamcpd"_s}, {u"args"_s, QJsonArray{u"--stdio"_s}}};
    QJsonObject doc = mergeGatewayEntry(QJsonObject{}, ClientKind::VsCode, u"metamcp"_s, entry);
    const QJsonObject written = doc.value(u"servers"_s).toObject().value(u"metamcp"_s).toObject();
    QCOMPARE(written.value(u"type"_s).toString(), u"stdio"_s);
    QCOMPARE(written.value(u"command"_s).toString(), u"metamcpd"_s);
    // An explicit type is kept; neither url nor command: no type is invented.
    doc = mergeGatewayEntry(QJsonObject{}, ClientKind::VsCode, u"x"_s, QJsonObject{{u"type"_s, u"sse"_s}});
    QCOMPARE(doc.value(u"servers"_s).toObject().value(u"x"_s).toObject().value(u"type"_s).toString(), u"sse"_s);
    doc = mergeGatewayEntry(QJsonObject{}, ClientKind::VsCode, u"y"_s, QJsonObject{{u"note"_s, 1}});
    QVERIFY(!doc.value(u"servers"_s).toObject().value(u"y"_s).toObject().contains(u"type"_s));
    // Round trip: the merged stdio entry imports as the same server.
    const ImportResult back =
        importMcpServers(QJsonDocument(mergeGatewayEntry({}, ClientKind::VsCode, u"metamcp"_s, entry)).toJson());
    QVERIFY2(back.ok(), qPrintable(back.error));
    QCOMPARE(back.servers.size(), 1);
    QCOMPARE(back.servers.first().kind, UpstreamKind::Stdio);
    QCOMPARE(back.servers.first().args, QStringList{u"--stdio"_s});
}

void TestClientConfigEdge::displayNames()
{
    QCOMPARE(clientDisplayName(ClientKind::ClaudeDesktop), u"Claude Desktop"_s);
    QCOMPARE(clientDisplayName(ClientKind::Cursor), u"Cursor"_s);
    QCOMPARE(clientDisplayName(ClientKind::VsCode), u"VS Code"_s);
    QCOMPARE(clientDisplayName(static_cast<ClientKind>(42)), QString());
}

QTEST_GUILESS_MAIN(TestClientConfigEdge)
#include "tst_clientconfig_edge.moc"
