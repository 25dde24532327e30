#include "panels/inspectorpanel.h"

#include "common/uiutil.h"
#include "gateway.h"
#include "model/protocol.h"
#include "models/trafficfiltermodel.h"
#include "models/trafficmodel.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QTabWidget>
#include <QVBoxLayout>

namespace metamcp::ui {

namespace {
constexpr qsizetype kMaxDetailChars = 1'000'000;

QString limited(const QString &text)
{
    if (text.size() <= kMaxDetailChars)
        return text;
    return text.left(kMaxDetailChars) + QLatin1Char('\n') +
           InspectorPanel::tr("… (%1 more characters not shown)").arg(text.size() - kMaxDetailChars);
}
} // namespace

InspectorPanel::InspectorPanel(Gateway *gateway, TrafficModel *model, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_model(model)
    , m_filter(new TrafficFilterModel(this))
    , m_text(new QLineEdit(this))
    , m_method(new QComboBox(this))
    , m_status(new QComboBox(this))
    , m_namespace(new QComboBox(this))
    , m_pause(new QPushButton(tr("&Pause"), this))
    , m_replay(new QPushButton(tr("&Replay"), this))
    , m_count(new QLabel(this))
    , m_table(new QTableView(this))
    , m_details(new QTabWidget(this))
    , m_request(createJsonView(QStringLiteral("requestPlainTextEdit"), this))
    , m_response(createJsonView(QStringLiteral("responsePlainTextEdit"), this))
    , m_notifications(createJsonView(QStringLiteral("notificationsPlainTextEdit"), this))
    , m_replayStatus(new QLabel(this))
    , m_replayOriginal(createJsonView(QStringLiteral("replayOriginalPlainTextEdit"), this))
    , m_replayResult(createJsonView(QStringLiteral("replayResultPlainTextEdit"), this))
{
    setObjectName(QStringLiteral("inspectorPanel"));
    m_filter->setSourceModel(m_model);

    m_text->setObjectName(QStringLiteral("trafficFilterLineEdit"));
    m_text->setPlaceholderText(tr("Filter (method, tool, upstream, client, session, error)"));
    m_text->setAccessibleName(tr("Filter traffic"));
    m_text->setClearButtonEnabled(true);
    m_method->setObjectName(QStringLiteral("methodFilterComboBox"));
    m_method->setAccessibleName(tr("Method filter"));
    m_method->addItem(tr("All methods"), QString());
    m_method->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_status->setObjectName(QStringLiteral("statusFilterComboBox"));
    m_status->setAccessibleName(tr("Status filter"));
    m_status->addItem(tr("Any status"), int(TrafficFilterModel::StatusFilter::All));
    m_status->addItem(tr("OK"), int(TrafficFilterModel::StatusFilter::Ok));
    m_status->addItem(tr("Errors"), int(TrafficFilterModel::StatusFilter::Errors));
    m_status->addItem(tr("Tool errors"), int(TrafficFilterModel::StatusFilter::ToolErrors));
    m_namespace->setObjectName(QStringLiteral("namespaceFilterComboBox"));
    m_namespace->setAccessibleName(tr("Namespace filter"));
    m_namespace->addItem(tr("All namespaces"), QString());
    m_namespace->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_pause->setObjectName(QStringLiteral("pauseTrafficPushButton"));
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Stop updating the table; messages are kept and shown on resume"));
    auto *clear = new QPushButton(tr("C&lear"), this);
    clear->setObjectName(QStringLiteral("clearTrafficPushButton"));
    auto *exportButton = new QPushButton(tr("E&xport…"), this);
    exportButton->setObjectName(QStringLiteral("exportTrafficPushButton"));
    exportButton->setToolTip(tr("Save the selected messages (or all shown) as JSON Lines"));
    m_replay->setObjectName(QStringLiteral("replayPushButton"));
    m_replay->setToolTip(tr("Send the selected request again into the same namespace"));
    m_replay->setEnabled(false);
    m_count->setObjectName(QStringLiteral("trafficCountLabel"));

    m_table->setObjectName(QStringLiteral("trafficTableView"));
    m_table->setAccessibleName(tr("Traffic"));
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    setCompactRows(m_table);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setHighlightSections(false);
    const int charWidth = m_table->fontMetrics().averageCharWidth();
    const std::pair<int, int> widths[] = {
        {TrafficModel::TimeColumn, 13},      {TrafficModel::SessionColumn, 9}, {TrafficModel::ClientColumn, 16},
        {TrafficModel::NamespaceColumn, 11}, {TrafficModel::MethodColumn, 18}, {TrafficModel::ToolColumn, 22},
        {TrafficModel::UpstreamColumn, 12},  {TrafficModel::StatusColumn, 12}, {TrafficModel::LatencyColumn, 10}};
    for (const auto &[column, chars] : widths)
        m_table->setColumnWidth(column, charWidth * chars + 12);

    m_details->setObjectName(QStringLiteral("trafficDetailTabWidget"));
    m_details->addTab(m_request, tr("Re&quest"));
    m_details->addTab(m_response, tr("Re&sponse"));
    m_details->addTab(m_notifications, tr("&Notifications"));
    auto *replayPage = new QWidget(this);
    auto *replayLayout = new QVBoxLayout(replayPage);
    m_replayStatus->setObjectName(QStringLiteral("replayStatusLabel"));
    m_replayStatus->setWordWrap(true);
    m_replayStatus->setText(tr("Select a request and press Replay to send it again."));
    auto *sideBySide = new QSplitter(Qt::Horizontal, replayPage);
    sideBySide->setObjectName(QStringLiteral("replaySplitter"));
    auto column = [replayPage](const QString &title, QWidget *view) {
        auto *w = new QWidget(replayPage);
        auto *l = new QVBoxLayout(w);
        l->setContentsMargins(0, 0, 0, 0);
        l->addWidget(new QLabel(title, w));
        l->addWidget(view, 1);
        return w;
    };
    sideBySide->addWidget(column(tr("Original response"), m_replayOriginal));
    sideBySide->addWidget(column(tr("Replayed response"), m_replayResult));
    replayLayout->addWidget(m_replayStatus);
    replayLayout->addWidget(sideBySide, 1);
    m_details->addTab(replayPage, tr("Re&play"));

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_text, 1);
    filters->addWidget(m_method);
    filters->addWidget(m_status);
    filters->addWidget(m_namespace);
    filters->addWidget(m_pause);
    filters->addWidget(clear);
    filters->addWidget(exportButton);
    filters->addWidget(m_replay);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("inspectorSplitter"));
    splitter->addWidget(m_table);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_count);

    connect(m_text, &QLineEdit::textChanged, m_filter, &TrafficFilterModel::setText);
    connect(m_method, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setMethod(m_method->currentData().toString()); });
    connect(m_status, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setStatusFilter(TrafficFilterModel::StatusFilter(m_status->currentData().toInt())); });
    connect(m_namespace, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setNamespace(m_namespace->currentData().toString()); });
    connect(m_model, &TrafficModel::methodSeen, this, [this](const QString &method) {
        if (m_method->findData(method) < 0)
            m_method->addItem(method, method);
    });
    connect(m_model, &TrafficModel::namespaceSeen, this, [this](const QString &ns) {
        if (m_namespace->findData(ns) < 0)
            m_namespace->addItem(ns, ns);
    });
    for (const QString &method : m_model->methods())
        m_method->addItem(method, method);
    for (const QString &ns : m_model->namespaces())
        m_namespace->addItem(ns, ns);
    connect(m_pause, &QPushButton::toggled, this, &InspectorPanel::setPaused);
    connect(clear, &QPushButton::clicked, this, [this] {
        m_model->clear();
        displayEvent({});
    });
    connect(exportButton, &QPushButton::clicked, this, &InspectorPanel::chooseExportFile);
    connect(m_replay, &QPushButton::clicked, this, &InspectorPanel::replaySelected);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                const QModelIndex source = m_filter->mapToSource(current);
                displayEvent(source.isValid() ? m_model->event(source.row()) : CallEvent{});
            });
    // Follow the newest rows while the view is scrolled to the bottom.
    connect(m_table->verticalScrollBar(), &QScrollBar::valueChanged, this,
            [this](int value) { m_follow = value >= m_table->verticalScrollBar()->maximum(); });
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_follow)
            m_table->scrollToBottom();
        updateCount();
    });
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &InspectorPanel::updateCount);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &InspectorPanel::updateCount);
    connect(m_model, &TrafficModel::pendingChanged, this, &InspectorPanel::updateCount);
    updateCount();
}

void InspectorPanel::setPaused(bool paused)
{
    m_model->setPaused(paused);
    if (m_pause->isChecked() != paused)
        m_pause->setChecked(paused);
    m_pause->setText(paused ? tr("Res&ume") : tr("&Pause"));
    updateCount();
}

void InspectorPanel::focusFilter()
{
    m_text->setFocus(Qt::ShortcutFocusReason);
    m_text->selectAll();
}

void InspectorPanel::updateCount()
{
    QString text = tr("%1 of %2 messages shown (keeps the newest %3)")
                       .arg(m_filter->rowCount())
                       .arg(m_model->rowCount())
                       .arg(m_model->capacity());
    if (m_model->isPaused())
        text += QStringLiteral(" · ") + tr("paused, %n message(s) waiting", nullptr, int(m_model->pendingCount()));
    m_count->setText(text);
}

void InspectorPanel::displayEvent(const CallEvent &event)
{
    m_current = event;
    m_replay->setEnabled(event.seq != 0 && !event.request.isEmpty() && event.latencyUs >= 0);
    if (event.seq == 0 && event.method.isEmpty()) {
        m_request->clear();
        m_response->clear();
        m_notifications->clear();
        return;
    }
    const QString notCaptured = tr("(not captured)");
    m_request->setPlainText(event.request.isEmpty() ? notCaptured : limited(prettyJson(event.request)));
    m_response->setPlainText(event.response.isEmpty()
                                 ? (event.latencyUs < 0 ? tr("(a notification has no response)") : notCaptured)
                                 : limited(prettyJson(event.response)));
    if (event.notifications.isEmpty()) {
        m_notifications->setPlainText(tr("(no notifications during this call)"));
    } else {
        QStringList parts;
        for (const QJsonValue &n : event.notifications)
            parts.append(prettyJson(n));
        m_notifications->setPlainText(limited(parts.join(QStringLiteral("\n\n"))));
    }
    m_details->setTabText(2, event.notifications.isEmpty() ? tr("&Notifications")
                                                           : tr("&Notifications (%1)").arg(event.notifications.size()));
}

QList<int> InspectorPanel::selectedSourceRows() const
{
    QList<int> rows;
    const QModelIndexList selected = m_table->selectionModel()->selectedRows();
    if (selected.isEmpty()) {
        for (int r = 0; r < m_filter->rowCount(); ++r)
            rows.append(m_filter->mapToSource(m_filter->index(r, 0)).row());
        return rows;
    }
    for (const QModelIndex &index : selected)
        rows.append(m_filter->mapToSource(index).row());
    std::sort(rows.begin(), rows.end());
    return rows;
}

QString InspectorPanel::exportSelection(const QString &path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return tr("Cannot write %1: %2").arg(path, file.errorString());
    file.write(m_model->toJsonl(selectedSourceRows()));
    if (!file.commit())
        return tr("Cannot write %1: %2").arg(path, file.errorString());
    return {};
}

void InspectorPanel::chooseExportFile()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export messages"), QStringLiteral("traffic.jsonl"),
                                                      tr("JSON Lines (*.jsonl);;All files (*)"));
    if (path.isEmpty())
        return;
    const QString error = exportSelection(path);
    m_count->setText(error.isEmpty() ? tr("Exported to %1.").arg(path) : error);
}

void InspectorPanel::replaySelected()
{
    const CallEvent original = m_current;
    if (original.request.isEmpty())
        return;
    const QString method = original.request.value(QLatin1String("method")).toString();
    const QJsonObject params = original.request.value(QLatin1String("params")).toObject();
    m_details->setCurrentIndex(3);
    m_replayOriginal->setPlainText(limited(prettyJson(original.response)));
    m_replayResult->clear();
    m_replayStatus->setText(tr("Replaying %1 into namespace %2…").arg(method, original.ns));
    m_replay->setEnabled(false);
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    QPointer<InspectorPanel> self(this);
    m_gateway->request(original.ns, method, params, [self, original, clock](const QJsonObject &response) {
        if (!self)
            return;
        const qint64 us = clock->nsecsElapsed() / 1000;
        self->m_replayResult->setPlainText(limited(prettyJson(response)));
        // Compare what matters: the result or error, not the id.
        const auto payload = [](const QJsonObject &r) {
            return r.contains(QLatin1String("error")) ? r.value(QLatin1String("error"))
                                                      : r.value(QLatin1String("result"));
        };
        const bool same = payload(response) == payload(original.response);
        self->m_replayStatus->setText(tr("Replayed in %1 (originally %2): %3")
                                          .arg(formatLatencyUs(us), formatLatencyUs(original.latencyUs),
                                               same ? tr("the same result") : tr("a different result")));
        self->m_replay->setEnabled(self->m_current.seq != 0 && !self->m_current.request.isEmpty());
    });
}

void InspectorPanel::saveState(QSettings &settings) const
{
    settings.setValue(QStringLiteral("inspector/header"), m_table->horizontalHeader()->saveState());
    if (auto *splitter = findChild<QSplitter *>(QStringLiteral("inspectorSplitter")))
        settings.setValue(QStringLiteral("inspector/splitter"), splitter->saveState());
}

void InspectorPanel::restoreState(const QSettings &settings)
{
    m_table->horizontalHeader()->restoreState(settings.value(QStringLiteral("inspector/header")).toByteArray());
    if (auto *splitter = findChild<QSplitter *>(QStringLiteral("inspectorSplitter")))
        splitter->restoreState(settings.value(QStringLiteral("inspector/splitter")).toByteArray());
}

} // namespace metamcp::ui
