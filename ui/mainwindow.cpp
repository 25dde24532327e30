#include "mainwindow.h"

#include "common/uiutil.h"
#include "configtransfer.h"
#include "consolesettings.h"
#include "gateway.h"
#include "models/metrichistorymodel.h"
#include "models/servermodel.h"
#include "models/trafficmodel.h"
#include "panels/clientsetuppanel.h"
#include "panels/dashboardpanel.h"
#include "panels/inspectorpanel.h"
#include "panels/namespacespanel.h"
#include "panels/serverspanel.h"
#include "panels/settingspanel.h"
#include "traycontroller.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QSystemTrayIcon>

namespace metamcp::ui {

MainWindow::MainWindow(Gateway *gateway, ConsoleSettings *settings, bool withTray, QWidget *parent)
    : QMainWindow(parent)
    , m_gateway(gateway)
    , m_settings(settings ? settings : new ConsoleSettings(this))
    , m_traffic(new TrafficModel(m_settings->inspectorCapacity(), this))
    , m_serverModel(new ServerModel(this))
    , m_metrics(new MetricHistoryModel(MetricHistoryModel::kDefaultCapacity, this))
    , m_navigation(new QListWidget(this))
    , m_stack(new QStackedWidget(this))
    , m_banner(new QLabel(this))
    , m_stateIcon(new QLabel(this))
    , m_stateLabel(new QLabel(this))
    , m_sessionsLabel(new QLabel(this))
    , m_upstreamsLabel(new QLabel(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("MetaMCP Console"));
    setWindowIcon(dotIcon(okColor(palette())));

    m_dashboard = new DashboardPanel(m_gateway, m_metrics, m_serverModel, this);
    m_servers = new ServersPanel(m_gateway, m_serverModel, this);
    m_namespaces = new NamespacesPanel(m_gateway, this);
    m_inspector = new InspectorPanel(m_gateway, m_traffic, this);
    m_clientSetup = new ClientSetupPanel(m_gateway, this);
    m_settingsPanel = new SettingsPanel(m_gateway, m_settings, this);
    m_configTransfer = new ConfigTransfer(m_gateway, this);
    connect(m_configTransfer, &ConfigTransfer::message, this,
            [this](const QString &text) { statusBar()->showMessage(text, 10000); });

    m_navigation->setObjectName(QStringLiteral("navigationListWidget"));
    m_navigation->setAccessibleName(tr("Panels"));
    m_navigation->setIconSize(QSize(24, 24));
    m_navigation->setUniformItemSizes(true);
    m_navigation->setSpacing(2);
    m_stack->setObjectName(QStringLiteral("panelStackedWidget"));
    const std::pair<QString, QStyle::StandardPixmap> icons[] = {
        {QStringLiteral("utilities-system-monitor"), QStyle::SP_ComputerIcon},
        {QStringLiteral("network-server"), QStyle::SP_DriveNetIcon},
        {QStringLiteral("folder"), QStyle::SP_DirIcon},
        {QStringLiteral("edit-find"), QStyle::SP_FileDialogContentsView},
        {QStringLiteral("preferences-desktop"), QStyle::SP_DesktopIcon},
        {QStringLiteral("preferences-system"), QStyle::SP_FileDialogDetailedView},
    };
    for (int p = 0; p < PanelCount; ++p) {
        auto *item = new QListWidgetItem(QIcon::fromTheme(icons[p].first, style()->standardIcon(icons[p].second)),
                                         panelTitle(Panel(p)), m_navigation);
        item->setToolTip(tr("%1 (Ctrl+%2)").arg(panelTitle(Panel(p))).arg(p + 1));
        m_stack->addWidget(panel(Panel(p)));
    }
    m_navigation->setFixedWidth(m_navigation->sizeHintForColumn(0) + 24);

    m_banner->setObjectName(QStringLiteral("gatewayErrorLabel"));
    m_banner->setWordWrap(true);
    m_banner->setMargin(8);
    m_banner->setAutoFillBackground(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse);
    m_banner->hide();
    connect(m_banner, &QLabel::linkActivated, this, [this] { showPanel(Settings); });

    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->setSpacing(0);
    rightLayout->addWidget(m_banner);
    rightLayout->addWidget(m_stack, 1);
    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_navigation);
    layout->addWidget(right, 1);
    setCentralWidget(central);

    m_stateIcon->setObjectName(QStringLiteral("gatewayStateIconLabel"));
    m_stateLabel->setObjectName(QStringLiteral("gatewayStatusLabel"));
    m_stateLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_sessionsLabel->setObjectName(QStringLiteral("sessionsStatusLabel"));
    m_upstreamsLabel->setObjectName(QStringLiteral("upstreamsStatusLabel"));
    statusBar()->addWidget(m_stateIcon);
    statusBar()->addWidget(m_stateLabel, 1);
    statusBar()->addPermanentWidget(m_upstreamsLabel);
    statusBar()->addPermanentWidget(m_sessionsLabel);

    connect(m_navigation, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
    m_navigation->setCurrentRow(Dashboard);

    // Feed the shared live models (all queued signals from the gateway thread).
    auto applyConfig = [this] { m_serverModel->setServers(m_gateway->config().servers); };
    connect(m_gateway, &Gateway::configChanged, this, applyConfig);
    connect(m_gateway, &Gateway::upstreamStateChanged, m_serverModel, &ServerModel::setState);
    connect(m_gateway, &Gateway::metricSample, this, [this](const MetricSample &sample) {
        m_serverModel->setStatuses(sample.upstreams);
        m_metrics->addSample(sample);
        updateStatus();
    });
    connect(m_gateway, &Gateway::callEvents, m_traffic, &TrafficModel::append);
    connect(m_gateway, &Gateway::started, this, [this] {
        m_startError.clear();
        m_serverModel->setStatuses(m_gateway->upstreamStatuses());
        updateStatus();
    });
    connect(m_gateway, &Gateway::startFailed, this, [this](const QString &reason) {
        m_startError = reason;
        updateStatus();
    });
    connect(m_gateway, &Gateway::stopped, this, &MainWindow::updateStatus);
    connect(m_gateway, &Gateway::pausedChanged, this, &MainWindow::updateStatus);
    connect(m_gateway, &Gateway::upstreamStateChanged, this, &MainWindow::updateStatus);
    connect(m_gateway, &Gateway::sessionCountChanged, this, [this](int sessions) {
        m_sessions = sessions;
        updateStatus();
    });
    connect(m_settings, &ConsoleSettings::changed, this, &MainWindow::configure);
    applyConfig();
    m_serverModel->setStatuses(m_gateway->upstreamStatuses());

    if (withTray && QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new TrayController(m_gateway, m_settings, this);
        connect(m_tray, &TrayController::openRequested, this, &MainWindow::raiseWindow);
        connect(m_tray, &TrayController::quitRequested, this, &MainWindow::quitRequested);
    }

    createMenus();
    resize(1240, 800);
    restoreSettings();
    updateStatus();
}

MainWindow::~MainWindow() = default;

QString MainWindow::panelTitle(Panel panel)
{
    switch (panel) {
    case Dashboard:
        return tr("Dashboard");
    case Servers:
        return tr("Servers");
    case Namespaces:
        return tr("Namespaces and tools");
    case Inspector:
        return tr("Traffic inspector");
    case ClientSetup:
        return tr("Client setup");
    case Settings:
        return tr("Settings");
    case PanelCount:
        break;
    }
    return {};
}

QWidget *MainWindow::panel(Panel panel) const
{
    switch (panel) {
    case Dashboard:
        return m_dashboard;
    case Servers:
        return m_servers;
    case Namespaces:
        return m_namespaces;
    case Inspector:
        return m_inspector;
    case ClientSetup:
        return m_clientSetup;
    case Settings:
        return m_settingsPanel;
    case PanelCount:
        break;
    }
    return nullptr;
}

void MainWindow::showPanel(Panel panel)
{
    m_navigation->setCurrentRow(panel);
}

MainWindow::Panel MainWindow::currentPanel() const
{
    return Panel(m_stack->currentIndex());
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *importConfig =
        file->addAction(tr("Import co&nfiguration…"), m_configTransfer, &ConfigTransfer::chooseImportFile);
    importConfig->setObjectName(QStringLiteral("importConfigurationAction"));
    importConfig->setToolTip(tr("Preview and apply a configuration document (JSON or YAML)"));
    QAction *exportConfig =
        file->addAction(tr("Export confi&guration…"), m_configTransfer, &ConfigTransfer::chooseExportFile);
    exportConfig->setObjectName(QStringLiteral("exportConfigurationAction"));
    exportConfig->setToolTip(tr("Write the configuration as a document (JSON or YAML); secrets stay in the keychain"));
    file->addSeparator();
    QAction *importClient =
        file->addAction(tr("&Import client config…"), m_servers, &ServersPanel::chooseClientConfigToImport);
    importClient->setObjectName(QStringLiteral("importClientConfigAction"));
    importClient->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    QAction *importOpenApi = file->addAction(tr("Import &OpenAPI…"), m_servers, &ServersPanel::chooseOpenApiToImport);
    importOpenApi->setObjectName(QStringLiteral("importOpenApiAction"));
    QAction *exportTraffic = file->addAction(tr("&Export traffic…"), m_inspector, &InspectorPanel::chooseExportFile);
    exportTraffic->setObjectName(QStringLiteral("exportTrafficAction"));
    exportTraffic->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    file->addSeparator();
    QAction *close = file->addAction(tr("&Close window"), this, &QWidget::close);
    close->setShortcut(QKeySequence::Close);
    QAction *quit = file->addAction(tr("&Quit"), this, &MainWindow::quitRequested);
    quit->setObjectName(QStringLiteral("quitAction"));
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);

    QMenu *gateway = menuBar()->addMenu(tr("&Gateway"));
    QAction *add = gateway->addAction(tr("&Add server…"), this, [this] {
        showPanel(Servers);
        m_servers->addServer();
    });
    add->setObjectName(QStringLiteral("addServerAction"));
    add->setShortcut(QKeySequence::New);
    m_pauseAction = gateway->addAction(tr("&Pause gateway"));
    m_pauseAction->setObjectName(QStringLiteral("pauseGatewayAction"));
    m_pauseAction->setCheckable(true);
    m_pauseAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    m_pauseAction->setToolTip(tr("Answer clients with 503 while the upstreams keep running"));
    connect(m_pauseAction, &QAction::triggered, this, [this](bool paused) { m_gateway->setPaused(paused); });
    QAction *copy =
        gateway->addAction(tr("&Copy endpoint URL"), this, [this] { copyToClipboard(m_gateway->endpointUrl()); });
    copy->setObjectName(QStringLiteral("copyEndpointAction"));
    copy->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int p = 0; p < PanelCount; ++p) {
        QAction *a = view->addAction(panelTitle(Panel(p)), this, [this, p] { showPanel(Panel(p)); });
        a->setObjectName(QStringLiteral("showPanel%1Action").arg(p));
        a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + p)));
    }
    view->addSeparator();
    QAction *find = view->addAction(tr("&Find in traffic"), this, [this] {
        showPanel(Inspector);
        m_inspector->focusFilter();
    });
    find->setShortcut(QKeySequence::Find);
    QAction *pauseTraffic = view->addAction(tr("Pause &traffic view"));
    pauseTraffic->setCheckable(true);
    pauseTraffic->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    connect(pauseTraffic, &QAction::triggered, m_inspector, &InspectorPanel::setPaused);
    QAction *fullScreen =
        view->addAction(tr("F&ull screen"), this, [this] { setWindowState(windowState() ^ Qt::WindowFullScreen); });
    fullScreen->setShortcut(QKeySequence::FullScreen);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About MetaMCP Console"), this, [this] {
        QMessageBox::about(this, tr("About MetaMCP Console"),
                           tr("<h3>MetaMCP Console %1</h3><p>A desktop console around an embedded MCP gateway: one "
                              "endpoint in front of many MCP servers and REST APIs.</p>")
                               .arg(QStringLiteral(METAMCP_VERSION)));
    });
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::updateStatus()
{
    const QPalette p = palette();
    QColor color;
    QString text;
    if (!m_startError.isEmpty()) {
        color = errorColor(p);
        text = tr("The gateway could not start: %1").arg(m_startError);
        m_banner->setText(tr("The gateway could not start: %1 <a href=\"settings\">Change the settings</a>")
                              .arg(m_startError.toHtmlEscaped()));
        QPalette bp = m_banner->palette();
        bp.setColor(QPalette::Window, errorColor(p).lighter(isDark(p) ? 60 : 185));
        bp.setColor(QPalette::WindowText, isDark(p) ? QColor(Qt::white) : QColor(Qt::black));
        m_banner->setPalette(bp);
        m_banner->show();
    } else {
        m_banner->hide();
        if (!m_gateway->isRunning()) {
            color = stateColor(UpstreamState::Stopped, p);
            text = tr("Gateway stopped");
        } else if (m_gateway->isPaused()) {
            color = warningColor(p);
            text = tr("Gateway paused (clients get 503) at %1").arg(m_gateway->endpointUrl());
        } else {
            color = okColor(p);
            text = tr("Gateway serving at %1").arg(m_gateway->endpointUrl());
        }
    }
    m_stateIcon->setPixmap(dotIcon(color, m_gateway->isPaused()).pixmap(QSize(16, 16), devicePixelRatioF()));
    m_stateLabel->setText(text);
    int ready = 0;
    int failing = 0;
    for (int row = 0; row < m_serverModel->rowCount(); ++row) {
        const auto state = UpstreamState(m_serverModel->index(row, 0).data(ServerModel::StateRole).toInt());
        ready += state == UpstreamState::Ready;
        failing += state == UpstreamState::Failing;
    }
    m_upstreamsLabel->setText(
        failing ? tr("%1 of %2 servers ready, %3 failing").arg(ready).arg(m_serverModel->rowCount()).arg(failing)
                : tr("%1 of %2 servers ready").arg(ready).arg(m_serverModel->rowCount()));
    m_sessionsLabel->setText(tr("%n session(s)", nullptr, m_sessions));
    if (m_pauseAction) {
        m_pauseAction->setChecked(m_gateway->isPaused());
        m_pauseAction->setEnabled(m_gateway->isRunning());
    }
}

void MainWindow::configure()
{
    m_traffic->setCapacity(m_settings->inspectorCapacity());
}

void MainWindow::raiseWindow()
{
    show();
    setWindowState((windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    raise();
    activateWindow();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    if (m_tray && m_tray->isVisible() && m_settings->keepRunningInTray()) {
        hide();
        event->ignore();
        if (!m_trayHintShown) {
            m_trayHintShown = true;
            m_tray->showMessage(tr("MetaMCP keeps running"),
                                tr("The gateway keeps serving in the background. Use the tray icon to open the "
                                   "console or quit."));
        }
        return;
    }
    event->accept();
    Q_EMIT quitRequested();
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/panel"), int(currentPanel()));
    m_dashboard->saveState(settings);
    m_servers->saveState(settings);
    m_namespaces->saveState(settings);
    m_inspector->saveState(settings);
}

void MainWindow::restoreSettings()
{
    const QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    const int panel = settings.value(QStringLiteral("window/panel"), int(Dashboard)).toInt();
    showPanel(Panel(std::clamp(panel, 0, int(PanelCount) - 1)));
    m_dashboard->restoreState(settings);
    m_servers->restoreState(settings);
    m_namespaces->restoreState(settings);
    m_inspector->restoreState(settings);
}

} // namespace metamcp::ui
