#include "panels/serverspanel.h"

#include "common/uiutil.h"
#include "services/clientconfig.h"
#include "gateway.h"
#include "models/servermodel.h"
#include "panels/servereditdialog.h"

#include <QFileDialog>
#include <QFontDatabase>
#include <QGroupBox>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace metamcp::ui {

ServersPanel::ServersPanel(Gateway *gateway, ServerModel *model, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_model(model)
    , m_table(new QTableView(this))
    , m_editButton(new QPushButton(tr("&Edit…"), this))
    , m_removeButton(new QPushButton(tr("Re&move"), this))
    , m_restartButton(new QPushButton(tr("Res&tart"), this))
    , m_testButton(new QPushButton(tr("Test &connection"), this))
    , m_message(new QLabel(this))
    , m_title(new QLabel(this))
    , m_state(new QLabel(this))
    , m_info(new QLabel(this))
    , m_log(new QPlainTextEdit(this))
{
    setObjectName(QStringLiteral("serversPanel"));
    auto *addButton = new QPushButton(tr("&Add…"), this);
    addButton->setObjectName(QStringLiteral("addServerPushButton"));
    addButton->setToolTip(tr("Add a stdio, Streamable HTTP, SSE or REST server"));
    m_editButton->setObjectName(QStringLiteral("editServerPushButton"));
    m_removeButton->setObjectName(QStringLiteral("removeServerPushButton"));
    m_restartButton->setObjectName(QStringLiteral("restartServerPushButton"));
    m_testButton->setObjectName(QStringLiteral("testServerPushButton"));
    auto *importButton = new QPushButton(tr("&Import client config…"), this);
    importButton->setObjectName(QStringLiteral("importClientConfigPushButton"));
    importButton->setToolTip(tr("Import the mcpServers of Claude Desktop, Cursor or VS Code"));
    auto *openApiButton = new QPushButton(tr("Import &OpenAPI…"), this);
    openApiButton->setObjectName(QStringLiteral("importOpenApiPushButton"));
    openApiButton->setToolTip(tr("Expose the operations of a REST API as tools"));

    m_message->setObjectName(QStringLiteral("serversMessageLabel"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();

    m_table->setObjectName(QStringLiteral("serverTableView"));
    m_table->setAccessibleName(tr("Servers"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    setCompactRows(m_table);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->setColumnWidth(ServerModel::NameColumn, 160);
    m_table->setColumnWidth(ServerModel::StateColumn, 120);
    m_table->setWordWrap(false);

    m_title->setObjectName(QStringLiteral("serverTitleLabel"));
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    m_title->setFont(titleFont);
    m_state->setObjectName(QStringLiteral("serverStateLabel"));
    m_state->setWordWrap(true);
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_info->setObjectName(QStringLiteral("serverInfoLabel"));
    m_info->setWordWrap(true);
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_log->setObjectName(QStringLiteral("serverLogPlainTextEdit"));
    m_log->setAccessibleName(tr("Server log"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(2000);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setPlaceholderText(tr("What the server writes to stderr (stdio) or transport events appear here."));

    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {addButton, m_editButton, m_removeButton, m_restartButton, m_testButton})
        buttons->addWidget(b);
    buttons->addStretch();
    buttons->addWidget(importButton);
    buttons->addWidget(openApiButton);

    auto *details = new QWidget(this);
    auto *detailsLayout = new QVBoxLayout(details);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    detailsLayout->addWidget(m_title);
    detailsLayout->addWidget(m_state);
    detailsLayout->addWidget(m_info);
    auto *logLabel = new QLabel(tr("&Log:"), this);
    logLabel->setBuddy(m_log);
    detailsLayout->addWidget(logLabel);
    detailsLayout->addWidget(m_log, 1);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("serversSplitter"));
    splitter->addWidget(m_table);
    splitter->addWidget(details);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_message);
    layout->addWidget(splitter, 1);

    connect(addButton, &QPushButton::clicked, this, &ServersPanel::addServer);
    connect(m_editButton, &QPushButton::clicked, this, [this] { editServer(selectedServer()); });
    connect(m_removeButton, &QPushButton::clicked, this, [this] { removeServer(selectedServer()); });
    connect(m_restartButton, &QPushButton::clicked, this, [this] { restartServer(selectedServer()); });
    connect(m_testButton, &QPushButton::clicked, this, [this] { testServer(selectedServer()); });
    connect(importButton, &QPushButton::clicked, this, &ServersPanel::chooseClientConfigToImport);
    connect(openApiButton, &QPushButton::clicked, this, &ServersPanel::chooseOpenApiToImport);
    connect(m_table, &QTableView::doubleClicked, this, [this] { editServer(selectedServer()); });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ServersPanel::updateDetails);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &tl, const QModelIndex &br) {
        const int row = m_model->rowOf(selectedServer());
        if (row >= tl.row() && row <= br.row())
            updateDetails();
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &, int first) {
        if (selectedServer().isEmpty())
            m_table->selectRow(first);
    });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &ServersPanel::updateDetails);
    connect(m_gateway, &Gateway::serverLogLine, this, [this](const QString &server, const QString &line) {
        if (server == m_logServer)
            m_log->appendPlainText(line);
    });
    updateDetails();
}

QString ServersPanel::selectedServer() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(ServerModel::NameRole).toString();
}

void ServersPanel::selectServer(const QString &name)
{
    const int row = m_model->rowOf(name);
    if (row >= 0)
        m_table->selectRow(row);
}

QStringList ServersPanel::namespacesOf(const QString &server) const
{
    QStringList list;
    const GatewayConfig config = m_gateway->config();
    for (const NamespaceConfig &ns : config.namespaces)
        if (ns.servers.contains(server))
            list.append(ns.name);
    return list;
}

static QStringList namespaceNames(const GatewayConfig &config)
{
    QStringList names;
    for (const NamespaceConfig &ns : config.namespaces)
        names.append(ns.name);
    if (!names.contains(kDefaultNamespace))
        names.prepend(kDefaultNamespace);
    return names;
}

ServerEditDialog *ServersPanel::addServer()
{
    auto *dialog =
        new ServerEditDialog(m_gateway, std::nullopt, namespaceNames(m_gateway->config()), {}, m_model->names(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ServerEditDialog::saved, this, [this](const QString &name) {
        selectServer(name);
        showMessage(tr("Added %1.").arg(name));
    });
    dialog->open();
    return dialog;
}

ServerEditDialog *ServersPanel::editServer(const QString &name)
{
    const int row = m_model->rowOf(name);
    if (row < 0)
        return nullptr;
    auto *dialog = new ServerEditDialog(m_gateway, m_model->config(row), namespaceNames(m_gateway->config()),
                                        namespacesOf(name), m_model->names(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ServerEditDialog::saved, this, [this](const QString &saved) {
        showMessage(tr("Saved %1; it restarts with the new settings.").arg(saved));
    });
    dialog->open();
    return dialog;
}

void ServersPanel::removeServer(const QString &name, bool confirm)
{
    if (name.isEmpty())
        return;
    auto remove = [this, name] {
        m_gateway->removeServer(name, [self = QPointer(this), name](const QString &error) {
            if (!self)
                return;
            if (error.isEmpty())
                self->showMessage(tr("Removed %1.").arg(name));
            else
                self->showMessage(tr("Could not remove %1: %2").arg(name, error), true);
        });
    };
    if (!confirm) {
        remove();
        return;
    }
    auto *box = new QMessageBox(QMessageBox::Question, tr("Remove server"),
                                tr("Remove %1? Its tools disappear from every namespace.").arg(name),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("removeServerMessageBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [remove](int result) {
        if (result == QMessageBox::Yes)
            remove();
    });
    box->open();
}

void ServersPanel::restartServer(const QString &name)
{
    if (name.isEmpty())
        return;
    m_gateway->restartServer(name);
    showMessage(tr("Restarting %1…").arg(name));
}

void ServersPanel::testServer(const QString &name)
{
    const int row = m_model->rowOf(name);
    if (row < 0)
        return;
    showMessage(tr("Testing %1…").arg(name));
    m_testButton->setEnabled(false);
    QPointer<ServersPanel> self(this);
    m_gateway->testConnection(
        m_model->config(row), [self, name](bool ok, const QString &message, const QJsonArray &tools) {
            if (!self)
                return;
            self->m_testButton->setEnabled(!self->selectedServer().isEmpty());
            if (ok)
                self->showMessage(tr("%1: %2 — %n tool(s).", nullptr, int(tools.size())).arg(name, message));
            else
                self->showMessage(tr("%1: the test failed: %2").arg(name, message), true);
        });
}

void ServersPanel::chooseClientConfigToImport()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import a client configuration"),
                                                      defaultClientConfigPath(ClientKind::ClaudeDesktop),
                                                      tr("JSON files (*.json);;All files (*)"));
    if (!path.isEmpty())
        importClientConfig(path);
}

void ServersPanel::importClientConfig(const QString &path)
{
    const ImportResult preview = importMcpServersFile(path);
    if (!preview.ok()) {
        showMessage(tr("Cannot import %1: %2").arg(path, preview.error), true);
        return;
    }
    if (preview.servers.isEmpty()) {
        showMessage(tr("%1 lists no servers.").arg(path), true);
        return;
    }
    const QStringList warnings = preview.warnings;
    m_gateway->importMcpServersFile(
        path, kDefaultNamespace, [self = QPointer(this), warnings](const QString &error, const QStringList &added) {
            if (!self)
                return;
            if (!error.isEmpty()) {
                self->showMessage(tr("The import failed: %1").arg(error), true);
                return;
            }
            QString text =
                tr("Imported %n server(s): %1", nullptr, int(added.size())).arg(QLocale().createSeparatedList(added));
            if (!warnings.isEmpty())
                text += QLatin1Char('\n') + tr("Skipped: %1").arg(warnings.join(QStringLiteral("; ")));
            self->showMessage(text, false);
        });
}

void ServersPanel::chooseOpenApiToImport()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import an OpenAPI document"), QString(),
                                                      tr("OpenAPI documents (*.json);;All files (*)"));
    if (!path.isEmpty())
        importOpenApi(path);
}

ServerEditDialog *ServersPanel::importOpenApi(const QString &path)
{
    ServerEditDialog *dialog = addServer();
    if (const QString error = dialog->loadOpenApiFile(path); !error.isEmpty()) {
        dialog->close();
        showMessage(error, true);
        return nullptr;
    }
    UpstreamConfig c = dialog->config();
    if (c.name.isEmpty()) {
        c.name = QFileInfo(path).completeBaseName().replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_-]")),
                                                            QStringLiteral("-"));
        dialog->setConfig(c);
    }
    return dialog;
}

void ServersPanel::showMessage(const QString &text, bool error)
{
    QPalette p = palette();
    if (error)
        p.setColor(QPalette::WindowText, errorColor(p));
    m_message->setPalette(p);
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
}

void ServersPanel::updateDetails()
{
    const QString name = selectedServer();
    const int row = m_model->rowOf(name);
    for (QPushButton *b : {m_editButton, m_removeButton, m_restartButton, m_testButton})
        b->setEnabled(row >= 0);
    if (row < 0) {
        m_title->setText(m_model->rowCount() ? tr("Select a server")
                                             : tr("No servers yet: add one or import a client config."));
        m_state->clear();
        m_info->clear();
        m_log->clear();
        m_logServer.clear();
        return;
    }
    const UpstreamConfig c = m_model->config(row);
    const UpstreamStatus s = m_model->status(row);
    m_title->setText(QStringLiteral("%1 (%2)").arg(c.name, kindDisplayName(c.kind)));
    QString state = c.enabled ? stateDisplayName(s.state) : tr("Disabled");
    if (!s.reason.isEmpty())
        state += QStringLiteral(": ") + s.reason;
    if (!s.warning.isEmpty())
        state += QLatin1Char('\n') + tr("Warning: %1").arg(s.warning);
    QPalette p = palette();
    p.setColor(QPalette::WindowText, stateColor(s.state, p));
    m_state->setPalette(p);
    m_state->setText(state);
    QStringList info;
    const QString who = QStringLiteral("%1 %2")
                            .arg(s.serverInfo.value(QLatin1String("name")).toString(),
                                 s.serverInfo.value(QLatin1String("version")).toString())
                            .trimmed();
    if (!who.isEmpty())
        info.append(tr("Server: %1").arg(who));
    info.append(tr("%n tool(s)", nullptr, s.toolCount));
    if (c.kind != UpstreamKind::Rest)
        info.append(c.isolation == UpstreamIsolation::Shared
                        ? tr("Isolation: one process shared by all clients")
                        : tr("Isolation: one process per %1, %n running", nullptr, s.instances)
                              .arg(c.isolation == UpstreamIsolation::PerSession ? tr("client session") : tr("caller")));
    info.append(c.kind == UpstreamKind::Stdio ? joinCommandLine(c.command, c.args) : c.url.toString());
    const QStringList ns = namespacesOf(c.name);
    info.append(ns.isEmpty() ? tr("Not in any namespace") : tr("Namespaces: %1").arg(ns.join(QStringLiteral(", "))));
    m_info->setText(info.join(QLatin1Char('\n')));
    if (m_logServer != name) {
        m_logServer = name;
        m_log->clear();
        QPointer<ServersPanel> self(this);
        m_gateway->serverLog(name, [self, name](const QStringList &lines) {
            if (!self || self->m_logServer != name)
                return;
            // Lines that arrived through serverLogLine meanwhile are in `lines` too.
            self->m_log->setPlainText(lines.join(QLatin1Char('\n')));
            self->m_log->moveCursor(QTextCursor::End);
        });
    }
}

void ServersPanel::saveState(QSettings &settings) const
{
    settings.setValue(QStringLiteral("servers/header"), m_table->horizontalHeader()->saveState());
    if (auto *splitter = findChild<QSplitter *>(QStringLiteral("serversSplitter")))
        settings.setValue(QStringLiteral("servers/splitter"), splitter->saveState());
}

void ServersPanel::restoreState(const QSettings &settings)
{
    m_table->horizontalHeader()->restoreState(settings.value(QStringLiteral("servers/header")).toByteArray());
    if (auto *splitter = findChild<QSplitter *>(QStringLiteral("serversSplitter")))
        splitter->restoreState(settings.value(QStringLiteral("servers/splitter")).toByteArray());
}

} // namespace metamcp::ui
