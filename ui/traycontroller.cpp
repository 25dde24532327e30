#include "traycontroller.h"

#include "common/uiutil.h"
#include "consolesettings.h"
#include "gateway.h"

#include <QAction>
#include <QGuiApplication>
#include <QMenu>
#include <QPalette>
#include <QSystemTrayIcon>

namespace metamcp::ui {

TrayController::TrayController(Gateway *gateway, ConsoleSettings *settings, QObject *parent)
    : QObject(parent)
    , m_gateway(gateway)
    , m_settings(settings)
    , m_tray(new QSystemTrayIcon(this))
    , m_menu(new QMenu)
{
    m_menu->setObjectName(QStringLiteral("trayMenu"));
    auto *open = m_menu->addAction(tr("&Open console"));
    open->setObjectName(QStringLiteral("trayOpenAction"));
    m_pause = m_menu->addAction(tr("&Pause gateway"));
    m_pause->setObjectName(QStringLiteral("trayPauseAction"));
    m_pause->setCheckable(true);
    m_menu->addSeparator();
    auto *quit = m_menu->addAction(tr("&Quit"));
    quit->setObjectName(QStringLiteral("trayQuitAction"));
    m_tray->setContextMenu(m_menu);

    connect(open, &QAction::triggered, this, &TrayController::openRequested);
    connect(quit, &QAction::triggered, this, &TrayController::quitRequested);
    connect(m_pause, &QAction::triggered, this, [this](bool paused) { m_gateway->setPaused(paused); });
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            Q_EMIT openRequested();
    });
    connect(m_gateway, &Gateway::started, this, &TrayController::update);
    connect(m_gateway, &Gateway::stopped, this, &TrayController::update);
    connect(m_gateway, &Gateway::startFailed, this, &TrayController::update);
    connect(m_gateway, &Gateway::pausedChanged, this, &TrayController::update);
    connect(m_gateway, &Gateway::configChanged, this, &TrayController::update);
    connect(m_gateway, &Gateway::upstreamStateChanged, this, &TrayController::onUpstreamState);
    update();
    if (isAvailable())
        m_tray->show();
}

TrayController::~TrayController()
{
    delete m_menu;
}

bool TrayController::isAvailable() const
{
    return QSystemTrayIcon::isSystemTrayAvailable();
}

bool TrayController::isVisible() const
{
    return m_tray->isVisible();
}

QString TrayController::toolTip() const
{
    return m_tray->toolTip();
}

void TrayController::showMessage(const QString &title, const QString &text)
{
    if (m_tray->isVisible())
        m_tray->showMessage(title, text, QSystemTrayIcon::Information, 5000);
}

void TrayController::onUpstreamState(const QString &name, UpstreamState state, const QString &reason)
{
    const UpstreamState previous = m_states.value(name, UpstreamState::Stopped);
    m_states.insert(name, state);
    if (state == UpstreamState::Failing && previous != UpstreamState::Failing && m_settings->notifyUpstreamFailures()) {
        const QDateTime last = m_lastNotified.value(name);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        if (!last.isValid() || last.secsTo(now) >= 60) {
            m_lastNotified.insert(name, now);
            ++m_notifications;
            if (m_tray->isVisible())
                m_tray->showMessage(tr("%1 is failing").arg(name), reason, QSystemTrayIcon::Warning, 10'000);
        }
    }
    update();
}

void TrayController::update()
{
    const QPalette palette = QGuiApplication::palette();
    int ready = 0;
    int failing = 0;
    int total = 0;
    const QList<UpstreamConfig> servers = m_gateway->config().servers;
    for (const UpstreamConfig &s : servers) {
        if (!s.enabled)
            continue;
        ++total;
        const UpstreamState state = m_states.value(s.name, UpstreamState::Starting);
        ready += state == UpstreamState::Ready;
        failing += state == UpstreamState::Failing;
    }
    QColor color;
    QString summary;
    if (!m_gateway->isRunning()) {
        color = stateColor(UpstreamState::Stopped, palette);
        summary = tr("The gateway is stopped");
    } else if (m_gateway->isPaused()) {
        color = warningColor(palette);
        summary = tr("The gateway is paused");
    } else if (failing > 0) {
        color = errorColor(palette);
        summary = tr("%1 of %n server(s) failing", nullptr, total).arg(failing);
    } else if (ready < total) {
        color = warningColor(palette);
        summary = tr("%1 of %n server(s) ready", nullptr, total).arg(ready);
    } else {
        color = okColor(palette);
        summary = total ? tr("All %n server(s) ready", nullptr, total) : tr("No servers configured");
    }
    m_tray->setIcon(dotIcon(color, m_gateway->isPaused()));
    QString tip = tr("MetaMCP Console") + QLatin1Char('\n') + summary;
    if (m_gateway->isRunning())
        tip += QLatin1Char('\n') + m_gateway->endpointUrl();
    m_tray->setToolTip(tip);
    m_pause->setChecked(m_gateway->isPaused());
    m_pause->setText(m_gateway->isPaused() ? tr("&Resume gateway") : tr("&Pause gateway"));
    m_pause->setEnabled(m_gateway->isRunning());
}

} // namespace metamcp::ui
