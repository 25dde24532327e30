// Every model of the console under QAbstractItemModelTester, with QSignalSpy checks of the
// exact insert/remove ranges, including the wrap-around of the ring buffers.

#include "models/metrichistorymodel.h"
#include "models/namespacemodel.h"
#include "models/servermodel.h"
#include "models/toolmodel.h"
#include "models/trafficfiltermodel.h"
#include "models/trafficmodel.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace metamcp;
using namespace metamcp::ui;

namespace {

quint64 g_seq = 0;

CallEvent callEvent(const QString &method, int status = 0, const QString &ns = QStringLiteral("default"),
                    const QString &tool = {})
{
    CallEvent e;
    e.seq = ++g_seq;
    e.time = QDateTime::currentDateTimeUtc();
    e.method = method;
    e.status = status;
    e.statusText = status ? QStringLiteral("failed") : QStringLiteral("ok");
    e.ns = ns;
    e.tool = tool;
    e.client = QStringLiteral("client");
    e.latencyUs = 1500;
    e.request = QJsonObject{{QStringLiteral("method"), method}};
    e.response = QJsonObject{{QStringLiteral("result"), QJsonObject{}}};
    return e;
}

QList<CallEvent> events(int n, const QString &method = QStringLiteral("tools/list"))
{
    QList<CallEvent> list;
    for (int i = 0; i < n; ++i)
        list.append(callEvent(method));
    return list;
}

QList<quint64> seqs(const TrafficModel &model)
{
    QList<quint64> list;
    for (int row = 0; row < model.rowCount(); ++row)
        list.append(model.index(row, 0).data(TrafficModel::SeqRole).toULongLong());
    return list;
}

UpstreamConfig server(const QString &name, UpstreamKind kind = UpstreamKind::Stdio)
{
    UpstreamConfig c;
    c.name = name;
    c.kind = kind;
    c.command = QStringLiteral("node");
    return c;
}

ToolInfo tool(const QString &server, const QString &name, const QString &description = {})
{
    ToolInfo t;
    t.ns = QStringLiteral("default");
    t.server = server;
    t.upstreamName = name;
    t.exposedName = server + QStringLiteral("__") + name;
    t.description = description;
    t.tool = QJsonObject{{QStringLiteral("name"), t.exposedName}};
    return t;
}

MetricSample sample(qint64 secs, const QHash<QString, double> &values)
{
    MetricSample s;
    s.time = QDateTime::fromSecsSinceEpoch(1'700'000'000 + secs);
    s.values = values;
    return s;
}

} // namespace

class TestModels final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void trafficInsertsInOneBatch();
    void trafficWraps_data();
    void trafficWraps();
    void trafficPauseKeepsEvents();
    void trafficCapacityShrinks();
    void trafficJsonl();
    void trafficFilter();
    void trafficFilterWhileWrapping();
    void serverModelDiffs();
    void toolModel();
    void namespaceModel();
    void metricHistoryWraps();
    void metricHistoryNewSeries();
    void metricHistoryPoints();
};

void TestModels::trafficInsertsInOneBatch()
{
    TrafficModel model(100);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.append(events(10));
    model.append(events(5));
    QCOMPARE(model.rowCount(), 0); // batched until the flush timer
    QTRY_COMPARE(model.rowCount(), 15);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 14);
    QCOMPARE(model.columnCount(), int(TrafficModel::ColumnCount));
    QCOMPARE(model.index(0, TrafficModel::MethodColumn).data().toString(), QStringLiteral("tools/list"));
    QCOMPARE(model.methods(), QStringList{QStringLiteral("tools/list")});
}

void TestModels::trafficWraps_data()
{
    QTest::addColumn<int>("capacity");
    QTest::addColumn<QList<int>>("batches");
    QTest::newRow("fills exactly") << 5 << QList<int>{5};
    QTest::newRow("wraps by two") << 5 << QList<int>{3, 4};
    QTest::newRow("wraps many times") << 4 << QList<int>{3, 3, 3, 3, 3};
    QTest::newRow("batch larger than ring") << 5 << QList<int>{2, 12};
    QTest::newRow("one by one") << 3 << QList<int>{1, 1, 1, 1, 1, 1, 1};
    QTest::newRow("capacity one") << 1 << QList<int>{2, 1, 3};
}

void TestModels::trafficWraps()
{
    QFETCH(int, capacity);
    QFETCH(QList<int>, batches);
    TrafficModel model(capacity);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<quint64> all;
    for (int n : batches) {
        const QList<CallEvent> batch = events(n);
        for (const CallEvent &e : batch)
            all.append(e.seq);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        const int before = model.rowCount();
        model.append(batch);
        model.flush();
        const int kept = std::min(n, capacity);
        const int overflow = std::max(0, before + kept - capacity);
        QCOMPARE(removed.size(), overflow ? 1 : 0);
        if (overflow) {
            QCOMPARE(removed.at(0).at(1).toInt(), 0);
            QCOMPARE(removed.at(0).at(2).toInt(), overflow - 1);
        }
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), before - overflow);
        QCOMPARE(inserted.at(0).at(2).toInt(), before - overflow + kept - 1);
        QCOMPARE(model.rowCount(), std::min<int>(capacity, int(all.size())));
        QCOMPARE(seqs(model), all.mid(all.size() - model.rowCount()));
    }
    const quint64 newest = all.last();
    QCOMPARE(model.rowOfSeq(newest), model.rowCount() - 1);
    QCOMPARE(model.rowOfSeq(all.first()), all.size() > capacity ? -1 : 0);
}

void TestModels::trafficPauseKeepsEvents()
{
    TrafficModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setPaused(true);
    model.append(events(4));
    // Rows come only from the flush timer: while paused it is not even started.
    const QList<QTimer *> timers = model.findChildren<QTimer *>();
    QCOMPARE(timers.size(), 1);
    QCOMPARE(timers.first()->interval(), TrafficModel::kFlushIntervalMs);
    QVERIFY(!timers.first()->isActive());
    QVERIFY(test::processPostedEvents());
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.pendingCount(), 4);
    model.append(events(20)); // bounded by the capacity while paused
    QCOMPARE(model.pendingCount(), 10);
    model.setPaused(false);
    QTRY_COMPARE(model.rowCount(), 10);
    QCOMPARE(model.pendingCount(), 0);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestModels::trafficCapacityShrinks()
{
    TrafficModel model(6);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<CallEvent> batch = events(9);
    model.append(batch);
    model.flush();
    QCOMPARE(model.rowCount(), 6);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.setCapacity(4);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.at(0).at(2).toInt(), 1);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(seqs(model).last(), batch.last().seq);
    QCOMPARE(seqs(model).first(), batch.at(5).seq);
    model.append(events(3)); // still wraps correctly after the re-layout
    model.flush();
    QCOMPARE(model.rowCount(), 4);
    model.setCapacity(8);
    model.append(events(5));
    model.flush();
    QCOMPARE(model.rowCount(), 8);
}

void TestModels::trafficJsonl()
{
    TrafficModel model(10);
    CallEvent e = callEvent(QStringLiteral("tools/call"), 0, QStringLiteral("default"), QStringLiteral("srv__echo"));
    e.notifications = QJsonArray{QJsonObject{{QStringLiteral("method"), QStringLiteral("notifications/progress")}}};
    model.append({callEvent(QStringLiteral("tools/list")), e});
    model.flush();
    const QList<QByteArray> lines = model.toJsonl({1, 0}).trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    const QJsonObject first = QJsonDocument::fromJson(lines.at(0)).object();
    QCOMPARE(first.value(QStringLiteral("tool")).toString(), QStringLiteral("srv__echo"));
    QCOMPARE(first.value(QStringLiteral("notifications")).toArray().size(), 1);
    QVERIFY(first.contains(QStringLiteral("request")));
    QCOMPARE(QJsonDocument::fromJson(lines.at(1)).object().value(QStringLiteral("method")).toString(),
             QStringLiteral("tools/list"));
}

void TestModels::trafficFilter()
{
    TrafficModel model(100);
    TrafficFilterModel filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(
        {callEvent(QStringLiteral("tools/call"), 0, QStringLiteral("default"), QStringLiteral("github__create")),
         callEvent(QStringLiteral("tools/call"), -32001, QStringLiteral("dev"), QStringLiteral("slow__wait")),
         callEvent(QStringLiteral("tools/call"), 1, QStringLiteral("dev"), QStringLiteral("github__fail")),
         callEvent(QStringLiteral("tools/list")), callEvent(QStringLiteral("initialize"), 0, QStringLiteral("dev"))});
    model.flush();
    QCOMPARE(filter.rowCount(), 5);
    filter.setText(QStringLiteral("GITHUB"));
    QCOMPARE(filter.rowCount(), 2);
    filter.setText(QStringLiteral("github fail"));
    QCOMPARE(filter.rowCount(), 1);
    filter.setText({});
    filter.setMethod(QStringLiteral("tools/call"));
    QCOMPARE(filter.rowCount(), 3);
    filter.setStatusFilter(TrafficFilterModel::StatusFilter::Errors);
    QCOMPARE(filter.rowCount(), 2);
    filter.setStatusFilter(TrafficFilterModel::StatusFilter::ToolErrors);
    QCOMPARE(filter.rowCount(), 1);
    filter.setStatusFilter(TrafficFilterModel::StatusFilter::Ok);
    QCOMPARE(filter.rowCount(), 1);
    filter.setStatusFilter(TrafficFilterModel::StatusFilter::All);
    filter.setMethod({});
    filter.setNamespace(QStringLiteral("dev"));
    QCOMPARE(filter.rowCount(), 3);
}

void TestModels::trafficFilterWhileWrapping()
{
    TrafficModel model(7);
    TrafficFilterModel filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    filter.setMethod(QStringLiteral("tools/call"));
    for (int round = 0; round < 10; ++round) {
        model.append({callEvent(QStringLiteral("tools/call")), callEvent(QStringLiteral("ping")),
                      callEvent(QStringLiteral("tools/call"))});
        model.flush();
    }
    QCOMPARE(model.rowCount(), 7);
    int calls = 0;
    for (int row = 0; row < model.rowCount(); ++row)
        calls += model.index(row, TrafficModel::MethodColumn).data().toString() == u"tools/call";
    QCOMPARE(filter.rowCount(), calls);
}

void TestModels::serverModelDiffs()
{
    ServerModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setServers({server(QStringLiteral("a")), server(QStringLiteral("b")), server(QStringLiteral("c"))});
    QCOMPARE(model.rowCount(), 3);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    UpstreamConfig c2 = server(QStringLiteral("c"));
    c2.args = {QStringLiteral("--verbose")};
    model.setServers({server(QStringLiteral("a")), c2, server(QStringLiteral("d"), UpstreamKind::Sse)});
    QCOMPARE(removed.size(), 1); // b
    QCOMPARE(removed.at(0).at(1).toInt(), 1);
    QCOMPARE(inserted.size(), 1); // d
    QCOMPARE(changed.size(), 1);  // c
    QCOMPARE(model.names(), (QStringList{QStringLiteral("a"), QStringLiteral("c"), QStringLiteral("d")}));

    changed.clear();
    UpstreamStatus s;
    s.name = QStringLiteral("c");
    s.state = UpstreamState::Failing;
    s.reason = QStringLiteral("exited with code 1");
    model.setStatuses({s});
    QCOMPARE(changed.size(), 1);
    const auto roles = changed.at(0).at(2).value<QList<int>>();
    QVERIFY(roles.contains(ServerModel::StateRole));
    QVERIFY(!roles.contains(ServerModel::KindRole));
    const QModelIndex state = model.index(model.rowOf(QStringLiteral("c")), ServerModel::StateColumn);
    QCOMPARE(state.data(ServerModel::StateRole).toInt(), int(UpstreamState::Failing));
    QCOMPARE(state.data(Qt::ToolTipRole).toString(), s.reason);
    changed.clear();
    model.setStatuses({s}); // unchanged: no signal
    QCOMPARE(changed.size(), 0);
    model.setState(QStringLiteral("c"), UpstreamState::Ready, {});
    QCOMPARE(changed.size(), 1);
    model.setState(QStringLiteral("unknown"), UpstreamState::Ready, {});
    model.setServers({});
    QCOMPARE(model.rowCount(), 0);
}

void TestModels::toolModel()
{
    ToolModel model;
    ToolFilterModel filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester filterTester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setTools(QStringLiteral("default"),
                   {tool(QStringLiteral("gh"), QStringLiteral("create_issue"), QStringLiteral("Create an issue")),
                    tool(QStringLiteral("gh"), QStringLiteral("list_prs")),
                    tool(QStringLiteral("fs"), QStringLiteral("read_file"), QStringLiteral("Read a file"))});
    QCOMPARE(model.rowCount(), 3);
    filter.setSearchText(QStringLiteral("ISSUE"));
    QCOMPARE(filter.rowCount(), 1);
    filter.setSearchText(QStringLiteral("gh"));
    QCOMPARE(filter.rowCount(), 2);
    filter.setSearchText({});

    // Rename keeps the row (matched by server + upstream name), a removal removes one row.
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    ToolInfo renamed = tool(QStringLiteral("gh"), QStringLiteral("create_issue"));
    renamed.exposedName = QStringLiteral("new_issue");
    model.setTools(QStringLiteral("default"),
                   {renamed, tool(QStringLiteral("fs"), QStringLiteral("read_file"), QStringLiteral("Read a file"))});
    QCOMPARE(removed.size(), 1);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(model.rowOfExposedName(QStringLiteral("new_issue")), 0);

    // Unchecking a tool asks for an override.
    QSignalSpy requested(&model, &ToolModel::enabledChangeRequested);
    QVERIFY(model.flags(model.index(0, ToolModel::NameColumn)) & Qt::ItemIsUserCheckable);
    QVERIFY(model.setData(model.index(0, ToolModel::NameColumn), Qt::Unchecked, Qt::CheckStateRole));
    QCOMPARE(requested.size(), 1);
    QCOMPARE(requested.at(0).at(1).toBool(), false);
    QCOMPARE(model.index(0, 0).data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Unchecked);
    filter.setShowDisabled(false);
    QCOMPARE(filter.rowCount(), 1);

    // Another namespace: a reset.
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.setTools(QStringLiteral("other"), {});
    QCOMPARE(reset.size(), 1);
    QCOMPARE(model.rowCount(), 0);
}

void TestModels::namespaceModel()
{
    NamespaceModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    NamespaceConfig dev;
    dev.name = QStringLiteral("dev");
    NamespaceConfig def;
    def.name = kDefaultNamespace;
    model.setNamespaces({dev, def});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0).data().toString(), kDefaultNamespace);
    dev.servers = {QStringLiteral("a")};
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setNamespaces({def, dev});
    QCOMPARE(changed.size(), 1);
    QCOMPARE(model.index(model.rowOf(QStringLiteral("dev"))).data(NamespaceModel::ServersRole).toStringList(),
             dev.servers);
    model.setNamespaces({def});
    QCOMPARE(model.rowCount(), 1);
}

void TestModels::metricHistoryWraps()
{
    MetricHistoryModel model(3);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    for (int i = 0; i < 5; ++i)
        model.addSample(sample(i, {{QStringLiteral("requests_per_s"), double(i * 10)}}));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(removed.size(), 2);
    QCOMPARE(model.index(0, 1).data(Qt::EditRole).toDouble(), 20.0);
    QCOMPARE(model.index(2, 1).data(Qt::EditRole).toDouble(), 40.0);
    QCOMPARE(model.latest(QStringLiteral("requests_per_s")), 40.0);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestModels::metricHistoryNewSeries()
{
    MetricHistoryModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.addSample(sample(0, {{QStringLiteral("requests_per_s"), 1.0}}));
    QSignalSpy columns(&model, &QAbstractItemModel::columnsInserted);
    QSignalSpy added(&model, &MetricHistoryModel::seriesAdded);
    // A later gateway version adds a series: it becomes a column, older rows read 0.
    model.addSample(sample(1, {{QStringLiteral("requests_per_s"), 2.0}, {QStringLiteral("cache_hit_rate"), 0.5}}));
    QCOMPARE(columns.size(), 1);
    QCOMPARE(added.at(0).at(0).toString(), QStringLiteral("cache_hit_rate"));
    QCOMPARE(model.columnCount(), 3);
    const int column = model.columnOf(QStringLiteral("cache_hit_rate"));
    QCOMPARE(model.index(0, column).data(Qt::EditRole).toDouble(), 0.0);
    QCOMPARE(model.index(1, column).data(Qt::EditRole).toDouble(), 0.5);
    QCOMPARE(model.headerData(column, Qt::Horizontal).toString(), QStringLiteral("cache_hit_rate"));
}

void TestModels::metricHistoryPoints()
{
    MetricHistoryModel model(100);
    for (int i = 0; i < 60; ++i)
        model.addSample(sample(i, {{QStringLiteral("latency_p99_ms"), i == 37 ? 500.0 : 1.0}}));
    const QDateTime since = QDateTime::fromSecsSinceEpoch(1'700'000'000 + 30);
    QCOMPARE(model.points(QStringLiteral("latency_p99_ms"), since).size(), 30);
    // Decimated to 10 points: the peak survives.
    const QList<QPointF> points = model.points(QStringLiteral("latency_p99_ms"), since, 10);
    QCOMPARE(points.size(), 10);
    QVERIFY(std::any_of(points.cbegin(), points.cend(), [](const QPointF &p) { return p.y() == 500.0; }));
    QVERIFY(model.points(QStringLiteral("unknown"), since).isEmpty());
}

QTEST_MAIN(TestModels)
#include "tst_models.moc"
