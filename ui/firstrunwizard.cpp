#include "firstrunwizard.h"

#include "gateway.h"

#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QSpinBox>
#include <QTcpServer>
#include <QVBoxLayout>
#include <QWizardPage>

namespace metamcp::ui {

namespace {
bool portFree(quint16 port)
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, port);
}
} // namespace

quint16 FirstRunWizard::suggestPort(quint16 preferred)
{
    if (preferred != 0 && portFree(preferred))
        return preferred;
    for (quint16 p = preferred + 1; p != 0 && p < preferred + 20; ++p)
        if (portFree(p))
            return p;
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

FirstRunWizard::FirstRunWizard(Gateway *gateway, const QMap<ClientKind, QString> &configPaths, QWidget *parent)
    : QWizard(parent)
    , m_gateway(gateway)
    , m_files(new QListWidget)
    , m_port(new QSpinBox)
    , m_portNote(new QLabel)
{
    setObjectName(QStringLiteral("firstRunWizard"));
    setWindowTitle(tr("Welcome to MetaMCP Console"));
    setOption(QWizard::NoBackButtonOnStartPage);

    auto *importPage = new QWizardPage;
    importPage->setTitle(tr("Bring your MCP servers along"));
    importPage->setSubTitle(tr("MetaMCP serves many MCP servers through one endpoint. These clients already have "
                               "servers configured; check the ones to import into the default namespace."));
    m_files->setObjectName(QStringLiteral("importClientsListWidget"));
    m_files->setAccessibleName(tr("Client configurations to import"));
    for (ClientKind kind : {ClientKind::ClaudeDesktop, ClientKind::Cursor, ClientKind::VsCode}) {
        const QString path = configPaths.value(kind, defaultClientConfigPath(kind));
        if (!QFileInfo::exists(path))
            continue;
        const ImportResult result = importMcpServersFile(path);
        if (!result.ok() || result.servers.isEmpty())
            continue;
        QStringList names;
        for (const UpstreamConfig &s : result.servers)
            names.append(s.name);
        auto *item = new QListWidgetItem(tr("%1: %n server(s) (%2)", nullptr, int(names.size()))
                                             .arg(clientDisplayName(kind), names.join(QStringLiteral(", "))),
                                         m_files);
        item->setData(Qt::UserRole, path);
        item->setToolTip(path);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Checked);
    }
    auto *importLayout = new QVBoxLayout(importPage);
    if (m_files->count() == 0) {
        auto *none = new QLabel(tr("No Claude Desktop, Cursor or VS Code configuration with MCP servers was found. "
                                   "You can add servers later in the Servers panel."));
        none->setObjectName(QStringLiteral("noClientConfigsLabel"));
        none->setWordWrap(true);
        importLayout->addWidget(none);
        m_files->hide();
    }
    importLayout->addWidget(m_files);

    auto *portPage = new QWizardPage;
    portPage->setTitle(tr("Choose the gateway's port"));
    portPage->setSubTitle(tr("Clients connect to http://127.0.0.1:<port>/mcp. The port must not be used by "
                             "another program."));
    m_port->setObjectName(QStringLiteral("wizardPortSpinBox"));
    m_port->setRange(1024, 65535);
    const quint16 current = m_gateway->config().listen.port ? m_gateway->config().listen.port : 8787;
    const bool ours = m_gateway->isRunning() && m_gateway->port() == current;
    const quint16 suggested = ours ? current : suggestPort(current);
    m_port->setValue(suggested);
    m_portNote->setObjectName(QStringLiteral("wizardPortNoteLabel"));
    m_portNote->setWordWrap(true);
    m_portNote->setText(suggested == current
                            ? tr("Port %1 is free.").arg(suggested)
                            : tr("Port %1 is taken by another program; %2 is free.").arg(current).arg(suggested));
    auto *portLayout = new QVBoxLayout(portPage);
    auto *portLabel = new QLabel(tr("&Port:"));
    portLabel->setBuddy(m_port);
    portLayout->addWidget(portLabel);
    portLayout->addWidget(m_port);
    portLayout->addWidget(m_portNote);
    portLayout->addStretch();

    auto *donePage = new QWizardPage;
    donePage->setTitle(tr("Ready"));
    auto *doneLabel = new QLabel(tr("Finish imports the checked servers and starts serving on the chosen port. "
                                    "The Client setup panel then points Claude Desktop, Cursor or VS Code at the "
                                    "gateway."));
    doneLabel->setWordWrap(true);
    auto *doneLayout = new QVBoxLayout(donePage);
    doneLayout->addWidget(doneLabel);

    addPage(importPage);
    addPage(portPage);
    addPage(donePage);
}

QStringList FirstRunWizard::foundFiles() const
{
    QStringList list;
    for (int i = 0; i < m_files->count(); ++i)
        list.append(m_files->item(i)->data(Qt::UserRole).toString());
    return list;
}

QStringList FirstRunWizard::checkedFiles() const
{
    QStringList list;
    for (int i = 0; i < m_files->count(); ++i)
        if (m_files->item(i)->checkState() == Qt::Checked)
            list.append(m_files->item(i)->data(Qt::UserRole).toString());
    return list;
}

quint16 FirstRunWizard::chosenPort() const
{
    return quint16(m_port->value());
}

void FirstRunWizard::apply()
{
    auto messages = std::make_shared<QStringList>();
    const QStringList files = checkedFiles();
    auto remaining = std::make_shared<int>(int(files.size()) + 1);
    QPointer<FirstRunWizard> self(this);
    auto done = [self, messages, remaining] {
        if (--*remaining == 0 && self)
            Q_EMIT self->applied(*messages);
    };
    for (const QString &file : files) {
        m_gateway->importMcpServersFile(
            file, kDefaultNamespace, [messages, done, file](const QString &error, const QStringList &added) {
                messages->append(error.isEmpty()
                                     ? tr("Imported %1 from %2.").arg(added.join(QStringLiteral(", ")), file)
                                     : tr("%1: %2").arg(file, error));
                done();
            });
    }
    ListenConfig listen = m_gateway->config().listen;
    const bool wasRunning = m_gateway->isRunning();
    if (listen.port == chosenPort() && wasRunning) {
        done();
        return;
    }
    listen.port = chosenPort();
    Gateway *gateway = m_gateway;
    m_gateway->applyListenConfig(listen, [gateway, wasRunning, messages, done](const QString &error) {
        if (!error.isEmpty())
            messages->append(error);
        else if (!wasRunning)
            gateway->start();
        done();
    });
}

void FirstRunWizard::accept()
{
    apply();
    QWizard::accept();
}

} // namespace metamcp::ui
