// core/namespaceindex.h without upstreams: exposed names, overrides, clashes, tools left out,
// servers that are not ready, resources and templates.

#include "core/namespaceindex.h"

#include <QJsonArray>
#include <QTest>

using namespace metamcp;
using namespace Qt::StringLiterals;

namespace {

QJsonObject tool(const QString &name, const QString &description = {}, const QJsonObject &schema = {})
{
    QJsonObject t{{u"name"_s, name},
                  {u"inputSchema"_s, schema.isEmpty() ? QJsonObject{{u"type"_s, u"object"_s}} : schema}};
    if (!description.isEmpty())
        t.insert(u"description"_s, description);
    return t;
}

ServerListing ready(const QString &server, const QJsonArray &tools, quint64 generation = 1)
{
    ServerListing l;
    l.server = server;
    l.running = true;
    l.state = UpstreamState::Ready;
    l.loaded = true;
    l.generation = generation;
    l.tools = tools;
    return l;
}

NamespaceConfig ns(bool prefix = true)
{
    NamespaceConfig n;
    n.name = u"team"_s;
    n.prefixNames = prefix;
    n.separator = u"__"_s;
    return n;
}

} // namespace

class TestNamespaceIndex final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void prefixesAndKeepsOrder()
    {
        const NamespaceIndex idx = NamespaceIndex::build(
            ns(), {ready(u"a"_s, {tool(u"x"_s), tool(u"y"_s)}), ready(u"b"_s, {tool(u"x"_s)})}, 7);
        QCOMPARE(idx.generation, 7u);
        QCOMPARE(idx.toolList.size(), 3);
        QCOMPARE(idx.toolList[0].toObject().value(u"name"_s).toString(), u"a__x"_s);
        QCOMPARE(idx.toolList[1].toObject().value(u"name"_s).toString(), u"a__y"_s);
        QCOMPARE(idx.toolList[2].toObject().value(u"name"_s).toString(), u"b__x"_s);
        const ToolRef *ref = idx.enabledTool(u"b__x"_s);
        QVERIFY(ref);
        QCOMPARE(ref->server, u"b"_s);
        QCOMPARE(ref->upstreamName, u"x"_s);
        QVERIFY(!idx.enabledTool(u"x"_s));
        QVERIFY(idx.unavailable.isEmpty());
    }

    void withoutPrefixTheFirstServerWins()
    {
        const NamespaceIndex idx = NamespaceIndex::build(
            ns(false), {ready(u"a"_s, {tool(u"x"_s, u"from a"_s)}), ready(u"b"_s, {tool(u"x"_s, u"from b"_s)})}, 1);
        QCOMPARE(idx.toolList.size(), 1);
        QCOMPARE(idx.enabledTool(u"x"_s)->server, u"a"_s);
        QCOMPARE(idx.toolInfos.size(), 1);
    }

    void overridesRenameDescribeAndDisable()
    {
        NamespaceConfig n = ns();
        ToolOverride rename;
        rename.server = u"a"_s;
        rename.tool = u"x"_s;
        rename.rename = u"search"_s;
        rename.description = u"Search the wiki"_s;
        ToolOverride off;
        off.server = u"a"_s;
        off.tool = u"y"_s;
        off.enabled = false;
        ToolOverride otherServer; // names a tool of another server: no effect on a's
        otherServer.server = u"b"_s;
        otherServer.tool = u"x"_s;
        otherServer.rename = u"elsewhere"_s;
        n.toolOverrides = {rename, off, otherServer};
        const NamespaceIndex idx =
            NamespaceIndex::build(n, {ready(u"a"_s, {tool(u"x"_s, u"orig"_s), tool(u"y"_s)})}, 1);
        QCOMPARE(idx.toolList.size(), 1);
        const QJsonObject exposed = idx.toolList[0].toObject();
        QCOMPARE(exposed.value(u"name"_s).toString(), u"search"_s);
        QCOMPARE(exposed.value(u"description"_s).toString(), u"Search the wiki"_s);
        QCOMPARE(idx.enabledTool(u"search"_s)->upstreamName, u"x"_s);
        // The disabled tool is known (the console lists it) but not callable.
        QVERIFY(idx.tools.contains(u"a__y"_s));
        QVERIFY(!idx.enabledTool(u"a__y"_s));
        QCOMPARE(idx.toolInfos.size(), 2);
        QVERIFY(!idx.toolInfos[1].enabled);
        QVERIFY(!idx.tools.contains(u"elsewhere"_s));
    }

    void leavesOutNamelessAndUnsendableTools()
    {
        // A header annotation (SEP-2243) on a property that is not a string cannot be sent.
        const QJsonObject badHeaders{
            {u"type"_s, u"object"_s},
            {u"properties"_s,
             QJsonObject{{u"n"_s, QJsonObject{{u"type"_s, u"object"_s}, {u"x-mcp-header"_s, u"X-N"_s}}}}}};
        const NamespaceIndex idx = NamespaceIndex::build(
            ns(), {ready(u"a"_s, {tool(QString()), tool(u"bad"_s, {}, badHeaders), tool(u"ok"_s)})}, 1);
        QCOMPARE(idx.toolList.size(), 1);
        QCOMPARE(idx.toolList[0].toObject().value(u"name"_s).toString(), u"a__ok"_s);
    }

    void validatorKeyFollowsTheListing()
    {
        const NamespaceIndex one = NamespaceIndex::build(ns(), {ready(u"a"_s, {tool(u"x"_s)}, 1)}, 1);
        const NamespaceIndex two = NamespaceIndex::build(ns(), {ready(u"a"_s, {tool(u"x"_s)}, 2)}, 2);
        QVERIFY(!one.enabledTool(u"a__x"_s)->validatorKey.isEmpty());
        QVERIFY(one.enabledTool(u"a__x"_s)->validatorKey != two.enabledTool(u"a__x"_s)->validatorKey);
    }

    void serversNotReadyAreUnavailable()
    {
        ServerListing stopped;
        stopped.server = u"off"_s;
        stopped.enabled = false;
        ServerListing starting;
        starting.server = u"boot"_s;
        starting.running = true;
        starting.state = UpstreamState::Starting;
        starting.stateReason = u"spawning"_s;
        ServerListing late = ready(u"late"_s, {tool(u"x"_s)});
        late.loaded = false;
        const NamespaceIndex idx =
            NamespaceIndex::build(ns(), {stopped, starting, late, ready(u"fine"_s, {tool(u"x"_s)})}, 1);
        QCOMPARE(idx.toolList.size(), 1);
        QCOMPARE(idx.unavailable.size(), 3);
        auto entry = [&](int i, const QString &key) { return idx.unavailable[i].toObject().value(key).toString(); };
        QCOMPARE(entry(0, u"server"_s), u"off"_s);
        QCOMPARE(entry(0, u"state"_s), u"stopped"_s);
        QCOMPARE(entry(0, u"reason"_s), u"disabled"_s);
        QCOMPARE(entry(1, u"state"_s), u"starting"_s);
        QCOMPARE(entry(1, u"reason"_s), u"spawning"_s);
        QCOMPARE(entry(2, u"state"_s), u"ready"_s);
        QCOMPARE(entry(2, u"reason"_s), u"did not list its tools in time"_s);
    }

    void promptsResourcesAndTemplates()
    {
        ServerListing a = ready(u"a"_s, {});
        a.prompts = {QJsonObject{{u"name"_s, u"greet"_s}}};
        a.resources = {QJsonObject{{u"uri"_s, u"file:///a.txt"_s}}};
        a.resourceTemplates = {QJsonObject{{u"uriTemplate"_s, u"wiki://{space}/{page}"_s}},
                               QJsonObject{{u"uriTemplate"_s, u"broken://{open"_s}}};
        ServerListing b = ready(u"b"_s, {});
        b.resources = {QJsonObject{{u"uri"_s, u"file:///a.txt"_s}}, QJsonObject{{u"uri"_s, u"file:///b.txt"_s}}};
        const NamespaceIndex idx = NamespaceIndex::build(ns(), {a, b}, 1);
        QCOMPARE(idx.promptList.size(), 1);
        QCOMPARE(idx.promptList[0].toObject().value(u"name"_s).toString(), u"a__greet"_s);
        QCOMPARE(idx.prompts.value(u"a__greet"_s).upstreamName, u"greet"_s);
        QCOMPARE(idx.resourceList.size(), 2); // a.txt once (a's), b.txt
        QCOMPARE(idx.serverForUri(u"file:///a.txt"_s), u"a"_s);
        QCOMPARE(idx.serverForUri(u"file:///b.txt"_s), u"b"_s);
        QCOMPARE(idx.serverForUri(u"wiki://eng/Home"_s), u"a"_s);
        QCOMPARE(idx.serverForUri(u"wiki:/eng"_s), QString());
        // An unclosed template matches nothing (not everything).
        QCOMPARE(idx.serverForUri(u"anything://else"_s), QString());
        QCOMPARE(idx.serverForUri(u"broken://{open"_s), QString());
    }

    void templateRegexIsAnchoredAndEscaped()
    {
        const QRegularExpression re = NamespaceIndex::templateRegex(u"a.b://{x}?q={y}"_s);
        QVERIFY(re.isValid());
        QVERIFY(re.match(u"a.b://one?q=two"_s).hasMatch());
        QVERIFY(!re.match(u"aXb://one?q=two"_s).hasMatch()); // '.' is literal
        QVERIFY(!re.match(u"pre-a.b://one?q=two"_s).hasMatch());
        QVERIFY(!NamespaceIndex::templateRegex(u"x://{y"_s).isValid());
    }
};

QTEST_GUILESS_MAIN(TestNamespaceIndex)
#include "tst_namespaceindex.moc"
