#include "panels/settingspanel.h"

#include "common/uiutil.h"
#include "consolesettings.h"
#include "gateway.h"

#include <QCheckBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTcpServer>
#include <QToolButton>
#include <QVBoxLayout>

namespace metamcp::ui {

namespace {
QStringList lines(const QPlainTextEdit *edit)
{
    QStringList list;
    const QStringList raw = edit->toPlainText().split(QLatin1Char('\n'));
    for (const QString &line : raw)
        if (!line.trimmed().isEmpty())
            list.append(line.trimmed());
    return list;
}

// Whether something else listens on address:port (the classic "port taken").
bool portTaken(const QHostAddress &address, quint16 port)
{
    QTcpServer probe;
    if (probe.listen(address, port))
        return false;
    return probe.serverError() == QAbstractSocket::AddressInUseError;
}

QHBoxLayout *withBrowse(QLineEdit *edit, const QString &objectName, const std::function<void()> &browse,
                        QWidget *parent)
{
    auto *row = new QHBoxLayout;
    row->addWidget(edit, 1);
    auto *button = new QToolButton(parent);
    button->setObjectName(objectName);
    button->setText(SettingsPanel::tr("…"));
    button->setToolTip(SettingsPanel::tr("Browse"));
    button->setAccessibleName(SettingsPanel::tr("Browse"));
    QObject::connect(button, &QToolButton::clicked, parent, browse);
    row->addWidget(button);
    return row;
}
} // namespace

SettingsPanel::SettingsPanel(Gateway *gateway, ConsoleSettings *settings, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_settings(settings)
    , m_address(new QLineEdit(this))
    , m_port(new QSpinBox(this))
    , m_origins(new QPlainTextEdit(this))
    , m_hosts(new QPlainTextEdit(this))
    , m_cert(new QLineEdit(this))
    , m_key(new QLineEdit(this))
    , m_apply(new QPushButton(tr("&Apply"), this))
    , m_revert(new QPushButton(tr("Re&vert"), this))
    , m_result(new QLabel(this))
    , m_dataDir(new QLineEdit(this))
    , m_keepInTray(new QCheckBox(tr("&Keep the gateway running in the system tray when the window is closed"), this))
    , m_notify(new QCheckBox(tr("Show a desktop &notification when an upstream fails"), this))
    , m_capacity(new QSpinBox(this))
{
    setObjectName(QStringLiteral("settingsPanel"));

    m_address->setObjectName(QStringLiteral("listenAddressLineEdit"));
    m_address->setToolTip(tr("127.0.0.1 serves this computer only; 0.0.0.0 serves the network."));
    m_port->setObjectName(QStringLiteral("listenPortSpinBox"));
    m_port->setRange(0, 65535);
    m_port->setSpecialValueText(tr("any free port"));
    m_origins->setObjectName(QStringLiteral("allowedOriginsPlainTextEdit"));
    m_origins->setPlaceholderText(
        tr("One origin per line, e.g. http://localhost:6274 (loopback origins are always allowed)"));
    m_origins->setTabChangesFocus(true);
    m_origins->setMaximumHeight(m_origins->fontMetrics().lineSpacing() * 4 + 12);
    m_hosts->setObjectName(QStringLiteral("allowedHostsPlainTextEdit"));
    m_hosts->setPlaceholderText(tr("Extra Host header values, one per line (loopback names are always allowed)"));
    m_hosts->setTabChangesFocus(true);
    m_hosts->setMaximumHeight(m_hosts->fontMetrics().lineSpacing() * 3 + 12);
    m_cert->setObjectName(QStringLiteral("tlsCertificateLineEdit"));
    m_cert->setPlaceholderText(tr("PEM file; empty: plain HTTP"));
    m_key->setObjectName(QStringLiteral("tlsKeyLineEdit"));
    m_key->setPlaceholderText(tr("PEM file"));
    m_apply->setObjectName(QStringLiteral("applyListenPushButton"));
    m_revert->setObjectName(QStringLiteral("revertListenPushButton"));
    m_result->setObjectName(QStringLiteral("listenResultLabel"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *listenGroup = new QGroupBox(tr("Gateway listener"), this);
    auto *listenForm = new QFormLayout(listenGroup);
    listenForm->addRow(tr("&Address:"), m_address);
    listenForm->addRow(tr("&Port:"), m_port);
    listenForm->addRow(tr("Allowed &origins:"), m_origins);
    listenForm->addRow(tr("Allowed &hosts:"), m_hosts);
    auto *certRow = withBrowse(
        m_cert, QStringLiteral("browseCertificateToolButton"),
        [this] {
            const QString f = QFileDialog::getOpenFileName(this, tr("TLS certificate"), QString(),
                                                           tr("PEM files (*.pem *.crt);;All files (*)"));
            if (!f.isEmpty())
                m_cert->setText(f);
        },
        this);
    listenForm->addRow(tr("TLS &certificate:"), certRow);
    static_cast<QLabel *>(listenForm->labelForField(certRow))->setBuddy(m_cert);
    auto *keyRow = withBrowse(
        m_key, QStringLiteral("browseKeyToolButton"),
        [this] {
            const QString f = QFileDialog::getOpenFileName(this, tr("TLS private key"), QString(),
                                                           tr("PEM files (*.pem *.key);;All files (*)"));
            if (!f.isEmpty())
                m_key->setText(f);
        },
        this);
    listenForm->addRow(tr("TLS &key:"), keyRow);
    static_cast<QLabel *>(listenForm->labelForField(keyRow))->setBuddy(m_key);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_apply);
    buttons->addWidget(m_revert);
    buttons->addStretch();
    listenForm->addRow(buttons);
    listenForm->addRow(m_result);

    m_dataDir->setObjectName(QStringLiteral("dataDirLineEdit"));
    m_dataDir->setPlaceholderText(ConsoleSettings::defaultDataDir());
    m_dataDir->setText(m_settings->dataDir());
    auto *dataGroup = new QGroupBox(tr("Data"), this);
    auto *dataForm = new QFormLayout(dataGroup);
    auto *dataRow = withBrowse(
        m_dataDir, QStringLiteral("browseDataDirToolButton"),
        [this] {
            const QString d = QFileDialog::getExistingDirectory(this, tr("Data folder"), m_dataDir->text());
            if (!d.isEmpty()) {
                m_dataDir->setText(d);
                m_settings->setDataDir(d);
            }
        },
        this);
    dataForm->addRow(tr("&Data folder:"), dataRow);
    static_cast<QLabel *>(dataForm->labelForField(dataRow))->setBuddy(m_dataDir);
    auto *dataNote = new QLabel(tr("Holds metamcp.db. A new folder is used from the next start."), this);
    dataNote->setWordWrap(true);
    dataForm->addRow(dataNote);

    m_keepInTray->setObjectName(QStringLiteral("keepInTrayCheckBox"));
    m_keepInTray->setChecked(m_settings->keepRunningInTray());
    m_notify->setObjectName(QStringLiteral("notifyFailuresCheckBox"));
    m_notify->setChecked(m_settings->notifyUpstreamFailures());
    m_capacity->setObjectName(QStringLiteral("inspectorCapacitySpinBox"));
    m_capacity->setRange(100, 1'000'000);
    m_capacity->setSingleStep(1000);
    m_capacity->setGroupSeparatorShown(true);
    m_capacity->setSuffix(tr(" messages"));
    m_capacity->setValue(m_settings->inspectorCapacity());
    auto *desktopGroup = new QGroupBox(tr("Desktop"), this);
    auto *desktopForm = new QFormLayout(desktopGroup);
    desktopForm->addRow(m_keepInTray);
    desktopForm->addRow(m_notify);
    desktopForm->addRow(tr("Traffic inspector &keeps:"), m_capacity);

    auto *content = new QWidget(this);
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->addWidget(listenGroup);
    contentLayout->addWidget(dataGroup);
    contentLayout->addWidget(desktopGroup);
    contentLayout->addStretch();
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll);

    for (QLineEdit *edit : {m_address, m_cert, m_key})
        connect(edit, &QLineEdit::textChanged, this, &SettingsPanel::revalidate);
    for (QPlainTextEdit *edit : {m_origins, m_hosts})
        connect(edit, &QPlainTextEdit::textChanged, this, &SettingsPanel::revalidate);
    connect(m_port, &QSpinBox::valueChanged, this, &SettingsPanel::revalidate);
    connect(m_apply, &QPushButton::clicked, this, &SettingsPanel::applyListen);
    connect(m_revert, &QPushButton::clicked, this, &SettingsPanel::load);
    connect(m_dataDir, &QLineEdit::editingFinished, this,
            [this] { m_settings->setDataDir(m_dataDir->text().trimmed()); });
    connect(m_keepInTray, &QCheckBox::toggled, m_settings, &ConsoleSettings::setKeepRunningInTray);
    connect(m_notify, &QCheckBox::toggled, m_settings, &ConsoleSettings::setNotifyUpstreamFailures);
    connect(m_capacity, &QSpinBox::editingFinished, this,
            [this] { m_settings->setInspectorCapacity(m_capacity->value()); });
    connect(m_gateway, &Gateway::configChanged, this, [this] {
        if (!m_dirty)
            load();
    });
    connect(m_gateway, &Gateway::started, this, [this] {
        if (!m_dirty)
            load();
    });
    load();
}

void SettingsPanel::load()
{
    const ListenConfig listen = m_gateway->config().listen;
    m_address->setText(listen.address.toString());
    // Show the port actually in use when the configuration says "any free port".
    m_port->setValue(listen.port == 0 && m_gateway->isRunning() ? m_gateway->port() : listen.port);
    m_origins->setPlainText(listen.allowedOrigins.join(QLatin1Char('\n')));
    m_hosts->setPlainText(listen.allowedHosts.join(QLatin1Char('\n')));
    m_cert->setText(listen.tlsCertificateFile);
    m_key->setText(listen.tlsKeyFile);
    m_dirty = false;
    revalidate();
    m_dirty = false;
}

ListenConfig SettingsPanel::listenConfig() const
{
    ListenConfig listen = m_gateway->config().listen;
    const QString address = m_address->text().trimmed();
    listen.address = address == u"localhost" ? QHostAddress(QHostAddress::LocalHost) : QHostAddress(address);
    listen.port = quint16(m_port->value());
    listen.allowedOrigins = lines(m_origins);
    listen.allowedHosts = lines(m_hosts);
    listen.tlsCertificateFile = m_cert->text().trimmed();
    listen.tlsKeyFile = m_key->text().trimmed();
    return listen;
}

QString SettingsPanel::problem() const
{
    const ListenConfig listen = listenConfig();
    if (listen.address.isNull())
        return tr("\"%1\" is not an IP address; use e.g. 127.0.0.1, ::1 or 0.0.0.0.").arg(m_address->text().trimmed());
    for (const QString &origin : listen.allowedOrigins) {
        const QUrl url(origin, QUrl::StrictMode);
        if (!url.isValid() || url.scheme().isEmpty() || url.host().isEmpty() || !url.path().isEmpty())
            return tr("\"%1\" is not an origin; write scheme, host and port only, e.g. http://localhost:6274.")
                .arg(origin);
    }
    if (listen.tlsCertificateFile.isEmpty() != listen.tlsKeyFile.isEmpty())
        return tr("TLS needs both a certificate and a key (or neither).");
    if (!listen.tlsCertificateFile.isEmpty() && !QFile::exists(listen.tlsCertificateFile))
        return tr("The certificate file %1 does not exist.").arg(listen.tlsCertificateFile);
    if (!listen.tlsKeyFile.isEmpty() && !QFile::exists(listen.tlsKeyFile))
        return tr("The key file %1 does not exist.").arg(listen.tlsKeyFile);
    return {};
}

void SettingsPanel::revalidate()
{
    m_dirty = true;
    const QString p = problem();
    m_apply->setEnabled(p.isEmpty());
    if (!p.isEmpty())
        showResult(p, true);
    else
        showResult({}, false);
}

void SettingsPanel::showResult(const QString &text, bool error)
{
    QPalette pal = palette();
    if (error)
        pal.setColor(QPalette::WindowText, errorColor(pal));
    m_result->setPalette(pal);
    m_result->setText(text);
}

void SettingsPanel::applyListen()
{
    if (const QString p = problem(); !p.isEmpty()) {
        showResult(p, true);
        return;
    }
    const ListenConfig listen = listenConfig();
    m_apply->setEnabled(false);
    showResult(tr("Applying…"), false);
    QPointer<SettingsPanel> self(this);
    const bool wasRunning = m_gateway->isRunning();
    auto explain = [listen](const QString &error) {
        if (listen.port != 0 && portTaken(listen.address, listen.port))
            return tr("Port %1 is already in use on %2. Choose another port, or stop the program that uses it.")
                .arg(listen.port)
                .arg(listen.address.toString());
        return tr("The gateway cannot listen there: %1").arg(error);
    };
    m_gateway->applyListenConfig(listen, [self, wasRunning, explain](const QString &error) {
        if (!self)
            return;
        self->m_apply->setEnabled(true);
        if (!error.isEmpty()) {
            self->showResult(explain(error), true);
            Q_EMIT self->listenApplied(error);
            return;
        }
        self->m_dirty = false;
        if (!wasRunning) {
            // The gateway had not started (e.g. its port was taken): start it now.
            connect(
                self->m_gateway, &Gateway::startFailed, self,
                [self, explain](const QString &reason) {
                    self->showResult(explain(reason), true);
                    Q_EMIT self->listenApplied(reason);
                },
                Qt::SingleShotConnection);
            self->m_gateway->start();
        }
        self->showResult(tr("Applied. The gateway serves at %1.").arg(self->m_gateway->endpointUrl()), false);
        Q_EMIT self->listenApplied({});
    });
}

} // namespace metamcp::ui
