#include "mainwindow.h"

#include "gateway.h"

#include <QLabel>
#include <QStatusBar>
#include <QVBoxLayout>

namespace metamcp::ui {

MainWindow::MainWindow(Gateway *gateway, QWidget *parent)
    : QMainWindow(parent)
    , m_gateway(gateway)
    , m_statusLabel(new QLabel(this))
{
    setWindowTitle(tr("MetaMCP Console"));
    m_statusLabel->setObjectName(QStringLiteral("gatewayStatusLabel"));
    m_statusLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_statusLabel->setAlignment(Qt::AlignCenter);
    setCentralWidget(m_statusLabel);
    resize(1100, 720);
    connect(m_gateway, &Gateway::started, this, &MainWindow::updateStatus);
    connect(m_gateway, &Gateway::stopped, this, &MainWindow::updateStatus);
    connect(m_gateway, &Gateway::upstreamStateChanged, this, &MainWindow::updateStatus);
    connect(m_gateway, &Gateway::startFailed, this,
            [this](const QString &reason) { m_statusLabel->setText(tr("The gateway could not start: %1").arg(reason)); });
    updateStatus();
}

MainWindow::~MainWindow() = default;

void MainWindow::updateStatus()
{
    if (!m_gateway->isRunning()) {
        m_statusLabel->setText(tr("Gateway stopped"));
        return;
    }
    m_statusLabel->setText(tr("Gateway serving at %1").arg(m_gateway->endpointUrl()));
    statusBar()->showMessage(m_gateway->endpointUrl());
}

} // namespace metamcp::ui
