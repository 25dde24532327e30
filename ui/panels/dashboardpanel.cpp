#include "panels/dashboardpanel.h"

#include "common/uiutil.h"
#include "gateway.h"
#include "models/metrichistorymodel.h"
#include "models/servermodel.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QEvent>
#include <QGridLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QSettings>
#include <QTableView>
#include <QTimer>
#include <QValueAxis>

#include <cmath>

namespace metamcp::ui {

namespace {

struct SeriesSpec
{
    const char *key;   // MetricSample series name
    const char *label; // legend (translated through QT_TRANSLATE_NOOP)
};

struct ChartSpec
{
    const char *title;
    const char *axis;
    double scale; // multiply values (error rate -> percent)
    std::vector<SeriesSpec> series;
};

// The charts, in display order. Add a series or chart here when the gateway adds one.
const std::vector<ChartSpec> &chartSpecs()
{
    static const std::vector<ChartSpec> specs = {
        {QT_TRANSLATE_NOOP("metamcp::ui::DashboardPanel", "Requests per second"),
         QT_TRANSLATE_NOOP("metamcp::ui::DashboardPanel", "req/s"),
         1.0,
         {{"requests_per_s", QT_TRANSLATE_NOOP("metamcp::ui::DashboardPanel", "requests")},
          {"errors_per_s", QT_TRANSLATE_NOOP("metamcp::ui::DashboardPanel", "errors")}}},
        {QT_TRANSLATE_NOOP("metamcp::ui::DashboardPanel", "Latency"),
         QT_TRANSLATE_NOOP("metamcp::ui::DashboardPanel", "ms"),
         1.0,
         {{"latency_p50_ms", "p50"}, {"latency_p95_ms", "p95"}, {"latency_p99_ms", "p99"}}},
        {QT_TRANSLATE_NOOP("metamcp::ui::DashboardPanel", "Error rate"),
         QT_TRANSLATE_NOOP("metamcp::ui::DashboardPanel", "%"),
         100.0,
         {{"error_rate", QT_TRANSLATE_NOOP("metamcp::ui::DashboardPanel", "errors")}}},
        {QT_TRANSLATE_NOOP("metamcp::ui::DashboardPanel", "Active sessions"),
         QT_TRANSLATE_NOOP("metamcp::ui::DashboardPanel", "sessions"),
         1.0,
         {{"active_sessions", QT_TRANSLATE_NOOP("metamcp::ui::DashboardPanel", "sessions")},
          {"in_flight", QT_TRANSLATE_NOOP("metamcp::ui::DashboardPanel", "in flight")}}},
        {QT_TRANSLATE_NOOP("metamcp::ui::DashboardPanel", "Upstream states"),
         QT_TRANSLATE_NOOP("metamcp::ui::DashboardPanel", "servers"),
         1.0,
         {{"upstreams_ready", QT_TRANSLATE_NOOP("metamcp::ui::DashboardPanel", "ready")},
          {"upstreams_starting", QT_TRANSLATE_NOOP("metamcp::ui::DashboardPanel", "starting")},
          {"upstreams_failing", QT_TRANSLATE_NOOP("metamcp::ui::DashboardPanel", "failing")}}},
    };
    return specs;
}

double niceCeiling(double v)
{
    if (v <= 0)
        return 1.0;
    const double magnitude = std::pow(10.0, std::floor(std::log10(v)));
    for (double step : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (v <= step * magnitude)
            return step * magnitude;
    return 10.0 * magnitude;
}

} // namespace

struct DashboardPanel::Chart
{
    const ChartSpec *spec = nullptr;
    QChart *chart = nullptr;
    QChartView *view = nullptr;
    QDateTimeAxis *x = nullptr;
    QValueAxis *y = nullptr;
    QList<QLineSeries *> series;
};

DashboardPanel::DashboardPanel(Gateway *gateway, MetricHistoryModel *history, ServerModel *servers, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_history(history)
    , m_window(new QComboBox(this))
    , m_upstreams(new QTableView(this))
    , m_timer(new QTimer(this))
{
    setObjectName(QStringLiteral("dashboardPanel"));
    m_window->setObjectName(QStringLiteral("chartWindowComboBox"));
    m_window->setAccessibleName(tr("Chart window"));
    m_window->addItem(tr("Last 5 minutes"), 300);
    m_window->addItem(tr("Last hour"), 3600);
    auto *windowLabel = new QLabel(tr("&Show:"), this);
    windowLabel->setBuddy(m_window);

    // Current values.
    auto *kpiRow = new QHBoxLayout;
    const QStringList kpiNames = {QStringLiteral("requestsKpiLabel"), QStringLiteral("latencyKpiLabel"),
                                  QStringLiteral("errorRateKpiLabel"), QStringLiteral("sessionsKpiLabel"),
                                  QStringLiteral("upstreamsKpiLabel")};
    for (const QString &name : kpiNames) {
        auto *label = new QLabel(this);
        label->setObjectName(name);
        label->setFrameShape(QFrame::StyledPanel);
        label->setAlignment(Qt::AlignCenter);
        label->setMargin(6);
        label->setTextFormat(Qt::RichText);
        kpiRow->addWidget(label, 1);
        m_kpis.append(label);
    }
    kpiRow->addWidget(windowLabel);
    kpiRow->addWidget(m_window);

    auto *grid = new QGridLayout;
    int i = 0;
    for (const ChartSpec &spec : chartSpecs()) {
        auto c = std::make_unique<Chart>();
        c->spec = &spec;
        c->chart = new QChart;
        c->chart->setTitle(tr(spec.title));
        c->chart->setAnimationOptions(QChart::NoAnimation);
        c->chart->legend()->setAlignment(Qt::AlignBottom);
        c->chart->setMargins(QMargins(4, 4, 4, 4));
        c->x = new QDateTimeAxis;
        c->x->setFormat(QStringLiteral("HH:mm:ss"));
        c->x->setTickCount(6);
        c->y = new QValueAxis;
        c->y->setTitleText(tr(spec.axis));
        c->y->setLabelFormat(QStringLiteral("%.3g"));
        c->chart->addAxis(c->x, Qt::AlignBottom);
        c->chart->addAxis(c->y, Qt::AlignLeft);
        for (const SeriesSpec &s : spec.series) {
            auto *series = new QLineSeries;
            series->setName(tr(s.label));
            c->chart->addSeries(series);
            series->attachAxis(c->x);
            series->attachAxis(c->y);
            c->series.append(series);
        }
        c->view = new QChartView(c->chart, this);
        c->view->setObjectName(QStringLiteral("chart%1ChartView").arg(i));
        c->view->setAccessibleName(tr(spec.title));
        c->view->setRenderHint(QPainter::Antialiasing);
        c->view->setMinimumHeight(200);
        grid->addWidget(c->view, i / 2, i % 2);
        m_charts.push_back(std::move(c));
        ++i;
    }

    m_upstreams->setObjectName(QStringLiteral("upstreamStateTableView"));
    m_upstreams->setAccessibleName(tr("Upstream state"));
    m_upstreams->setModel(servers);
    m_upstreams->setSelectionMode(QAbstractItemView::NoSelection);
    m_upstreams->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_upstreams->setFocusPolicy(Qt::TabFocus);
    setCompactRows(m_upstreams);
    m_upstreams->horizontalHeader()->setStretchLastSection(false);
    m_upstreams->horizontalHeader()->setSectionResizeMode(ServerModel::NameColumn, QHeaderView::Stretch);
    m_upstreams->setColumnHidden(ServerModel::TargetColumn, true);
    m_upstreams->setColumnWidth(ServerModel::NameColumn, 160);
    m_upstreams->setColumnWidth(ServerModel::StateColumn, 120);
    m_upstreams->setMaximumHeight(180);
    auto *upstreamGroup = new QGroupBox(tr("Upstreams"), this);
    auto *upstreamLayout = new QVBoxLayout(upstreamGroup);
    upstreamLayout->addWidget(m_upstreams);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(kpiRow);
    layout->addLayout(grid, 1);
    layout->addWidget(upstreamGroup);

    connect(m_window, &QComboBox::currentIndexChanged, this,
            [this] { setWindowSeconds(m_window->currentData().toInt()); });
    connect(m_history, &MetricHistoryModel::sampleAdded, this, [this] { m_dirty = true; });
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, [this] {
        if (m_dirty && isVisible())
            redraw();
    });
    m_timer->start();
    applyTheme();
    redraw();
}

DashboardPanel::~DashboardPanel() = default;

void DashboardPanel::setWindowSeconds(int seconds)
{
    m_windowSeconds = seconds;
    const int index = m_window->findData(seconds);
    if (index >= 0 && index != m_window->currentIndex())
        m_window->setCurrentIndex(index);
    redraw();
}

void DashboardPanel::redraw()
{
    ++m_redraws;
    m_dirty = false;
    const QDateTime now = m_history->latestTime().isValid() ? m_history->latestTime() : QDateTime::currentDateTime();
    const QDateTime since = now.addSecs(-m_windowSeconds);
    for (const auto &c : m_charts) {
        double max = 0;
        for (qsizetype s = 0; s < c->series.size(); ++s) {
            QList<QPointF> points = m_history->points(QString::fromLatin1(c->spec->series[std::size_t(s)].key), since);
            for (QPointF &p : points) {
                p.setY(p.y() * c->spec->scale);
                max = std::max(max, p.y());
            }
            c->series[s]->replace(points);
        }
        c->x->setRange(since, now);
        c->y->setRange(0, niceCeiling(max * 1.1));
    }

    const QLocale locale;
    auto kpi = [](const QString &value, const QString &caption) {
        return QStringLiteral("<span style=\"font-size:large\"><b>%1</b></span><br>%2").arg(value, caption);
    };
    m_kpis[0]->setText(
        kpi(locale.toString(m_history->latest(QStringLiteral("requests_per_s")), 'f', 0), tr("requests/s")));
    m_kpis[1]->setText(
        kpi(tr("%1 ms").arg(locale.toString(m_history->latest(QStringLiteral("latency_p95_ms")), 'f', 1)),
            tr("latency p95")));
    m_kpis[2]->setText(kpi(
        QStringLiteral("%1 %").arg(locale.toString(100.0 * m_history->latest(QStringLiteral("error_rate")), 'f', 1)),
        tr("errors")));
    m_kpis[3]->setText(
        kpi(locale.toString(m_history->latest(QStringLiteral("active_sessions")), 'f', 0), tr("active sessions")));
    int ready = 0;
    int failing = 0;
    const QList<UpstreamStatus> statuses = m_gateway->upstreamStatuses();
    for (const UpstreamStatus &s : statuses) {
        ready += s.state == UpstreamState::Ready;
        failing += s.state == UpstreamState::Failing;
    }
    m_kpis[4]->setText(kpi(QStringLiteral("%1 / %2").arg(ready).arg(statuses.size()),
                           failing ? tr("upstreams ready, %n failing", nullptr, failing) : tr("upstreams ready")));
}

void DashboardPanel::applyTheme()
{
    const QPalette p = palette();
    const bool dark = isDark(p);
    for (const auto &c : m_charts) {
        c->chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
        c->chart->setBackgroundBrush(p.color(QPalette::Base));
        c->chart->setTitleBrush(p.color(QPalette::Text));
        c->chart->legend()->setLabelColor(p.color(QPalette::Text));
        c->chart->setAnimationOptions(QChart::NoAnimation);
        for (auto *axis : {static_cast<QAbstractAxis *>(c->x), static_cast<QAbstractAxis *>(c->y)}) {
            axis->setLabelsColor(p.color(QPalette::Text));
            axis->setTitleBrush(p.color(QPalette::Text));
        }
    }
}

void DashboardPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_dirty)
        redraw();
}

void DashboardPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
}

void DashboardPanel::saveState(QSettings &settings) const
{
    settings.setValue(QStringLiteral("dashboard/window"), m_windowSeconds);
}

void DashboardPanel::restoreState(const QSettings &settings)
{
    setWindowSeconds(settings.value(QStringLiteral("dashboard/window"), 300).toInt());
}

} // namespace metamcp::ui
