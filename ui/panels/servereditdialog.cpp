#include "panels/servereditdialog.h"

#include "common/uiutil.h"
#include "gateway.h"
#include "services/openapiimporter.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace metamcp::ui {

namespace {
enum Page { StdioPage, UrlPage };

QRegularExpression nameRegex()
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_-]{1,64}$"));
    return re;
}
} // namespace

QMap<QString, QString> parseKeyValueLines(const QString &text, QChar separator, int *badLine)
{
    QMap<QString, QString> map;
    *badLine = 0;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        const QString line = lines.at(i).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const qsizetype sep = line.indexOf(separator);
        if (sep <= 0) {
            if (!*badLine)
                *badLine = i + 1;
            continue;
        }
        map.insert(line.left(sep).trimmed(), line.mid(sep + 1).trimmed());
    }
    return map;
}

QString formatKeyValueLines(const QMap<QString, QString> &map, const QString &separator)
{
    QStringList lines;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        lines.append(it.key() + separator + it.value());
    return lines.join(QLatin1Char('\n'));
}

ServerEditDialog::ServerEditDialog(Gateway *gateway, const std::optional<UpstreamConfig> &existing,
                                   const QStringList &namespaces, const QStringList &memberOf,
                                   const QStringList &takenNames, QWidget *parent)
    : QDialog(parent)
    , m_gateway(gateway)
    , m_adding(!existing)
    , m_takenNames(takenNames)
    , m_originalNamespaces(memberOf)
    , m_name(new QLineEdit(this))
    , m_kind(new QComboBox(this))
    , m_enabled(new QCheckBox(tr("&Enabled"), this))
    , m_pages(new QStackedWidget(this))
    , m_command(new QLineEdit(this))
    , m_arguments(new QLineEdit(this))
    , m_environment(new QPlainTextEdit(this))
    , m_workingDir(new QLineEdit(this))
    , m_url(new QLineEdit(this))
    , m_headers(new QPlainTextEdit(this))
    , m_restToolsLabel(new QLabel(this))
    , m_requestTimeout(new QSpinBox(this))
    , m_startupTimeout(new QSpinBox(this))
    , m_maxConcurrency(new QSpinBox(this))
    , m_isolation(new QComboBox(this))
    , m_maxInstances(new QSpinBox(this))
    , m_warmInstances(new QSpinBox(this))
    , m_instanceIdle(new QSpinBox(this))
    , m_namespaces(new QListWidget(this))
    , m_validation(new QLabel(this))
    , m_testResult(new QLabel(this))
    , m_testButton(new QPushButton(tr("&Test connection"), this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("serverEditDialog"));
    setWindowTitle(m_adding ? tr("Add server") : tr("Edit server %1").arg(existing->name));
    m_saveButton = m_buttons->button(QDialogButtonBox::Save);
    m_saveButton->setObjectName(QStringLiteral("saveServerPushButton"));

    m_name->setObjectName(QStringLiteral("serverNameLineEdit"));
    m_name->setPlaceholderText(tr("e.g. github"));
    m_name->setToolTip(tr("Unique name; it prefixes the server's tools (github__create_issue)."));
    m_name->setReadOnly(!m_adding);
    m_kind->setObjectName(QStringLiteral("serverKindComboBox"));
    for (UpstreamKind kind : {UpstreamKind::Stdio, UpstreamKind::StreamableHttp, UpstreamKind::Sse, UpstreamKind::Rest})
        m_kind->addItem(kindDisplayName(kind), int(kind));
    m_enabled->setObjectName(QStringLiteral("serverEnabledCheckBox"));
    m_enabled->setChecked(true);

    // stdio page
    m_command->setObjectName(QStringLiteral("serverCommandLineEdit"));
    m_command->setPlaceholderText(tr("e.g. npx, uvx, python, /usr/local/bin/my-server"));
    auto *browse = new QToolButton(this);
    browse->setObjectName(QStringLiteral("browseCommandToolButton"));
    browse->setText(tr("…"));
    browse->setToolTip(tr("Choose the program"));
    browse->setAccessibleName(tr("Choose the program"));
    auto *commandRow = new QHBoxLayout;
    commandRow->addWidget(m_command);
    commandRow->addWidget(browse);
    m_arguments->setObjectName(QStringLiteral("serverArgumentsLineEdit"));
    m_arguments->setPlaceholderText(tr("e.g. -y @modelcontextprotocol/server-everything"));
    m_arguments->setToolTip(tr("Separated by spaces; put arguments with spaces in double quotes."));
    m_environment->setObjectName(QStringLiteral("serverEnvironmentPlainTextEdit"));
    m_environment->setPlaceholderText(tr("NAME=value, one per line"));
    m_environment->setTabChangesFocus(true);
    m_environment->setMaximumHeight(m_environment->fontMetrics().lineSpacing() * 5 + 12);
    m_workingDir->setObjectName(QStringLiteral("serverWorkingDirLineEdit"));
    m_workingDir->setPlaceholderText(tr("(inherit)"));
    auto *stdioPage = new QWidget(this);
    auto *stdioForm = new QFormLayout(stdioPage);
    stdioForm->setContentsMargins(0, 0, 0, 0);
    stdioForm->addRow(tr("C&ommand:"), commandRow);
    static_cast<QLabel *>(stdioForm->labelForField(commandRow))->setBuddy(m_command);
    stdioForm->addRow(tr("&Arguments:"), m_arguments);
    stdioForm->addRow(tr("En&vironment:"), m_environment);
    stdioForm->addRow(tr("&Working folder:"), m_workingDir);

    // URL page (HTTP, SSE, REST)
    m_url->setObjectName(QStringLiteral("serverUrlLineEdit"));
    m_headers->setObjectName(QStringLiteral("serverHeadersPlainTextEdit"));
    m_headers->setPlaceholderText(tr("Name: value, one per line"));
    m_headers->setTabChangesFocus(true);
    m_headers->setMaximumHeight(m_headers->fontMetrics().lineSpacing() * 4 + 12);
    m_restToolsLabel->setObjectName(QStringLiteral("restToolsLabel"));
    m_restToolsLabel->setWordWrap(true);
    auto *loadOpenApi = new QPushButton(tr("&Load OpenAPI document…"), this);
    loadOpenApi->setObjectName(QStringLiteral("loadOpenApiPushButton"));
    auto *restRow = new QWidget(this);
    auto *restLayout = new QHBoxLayout(restRow);
    restLayout->setContentsMargins(0, 0, 0, 0);
    restLayout->addWidget(m_restToolsLabel, 1);
    restLayout->addWidget(loadOpenApi);
    auto *urlPage = new QWidget(this);
    auto *urlForm = new QFormLayout(urlPage);
    urlForm->setContentsMargins(0, 0, 0, 0);
    urlForm->addRow(tr("&URL:"), m_url);
    urlForm->addRow(tr("&Headers:"), m_headers);
    urlForm->addRow(tr("REST tools:"), restRow);
    m_pages->addWidget(stdioPage);
    m_pages->addWidget(urlPage);

    // Limits
    m_requestTimeout->setObjectName(QStringLiteral("requestTimeoutSpinBox"));
    m_requestTimeout->setRange(1, 3600);
    m_requestTimeout->setSuffix(tr(" s"));
    m_requestTimeout->setValue(60);
    m_startupTimeout->setObjectName(QStringLiteral("startupTimeoutSpinBox"));
    m_startupTimeout->setRange(1, 600);
    m_startupTimeout->setSuffix(tr(" s"));
    m_startupTimeout->setValue(30);
    m_maxConcurrency->setObjectName(QStringLiteral("maxConcurrencySpinBox"));
    m_maxConcurrency->setRange(1, 10'000);
    m_maxConcurrency->setValue(32);
    auto *limits = new QGroupBox(tr("Limits"), this);
    auto *limitsForm = new QFormLayout(limits);
    limitsForm->addRow(tr("Re&quest timeout:"), m_requestTimeout);
    limitsForm->addRow(tr("&Startup timeout:"), m_startupTimeout);
    limitsForm->addRow(tr("&Concurrent requests:"), m_maxConcurrency);

    // Isolation: who shares a process (an upstream session) of the server.
    m_isolation->setObjectName(QStringLiteral("isolationComboBox"));
    m_isolation->addItem(tr("Shared by all clients"), int(UpstreamIsolation::Shared));
    m_isolation->addItem(tr("One per client session"), int(UpstreamIsolation::PerSession));
    m_isolation->addItem(tr("One per caller (API key)"), int(UpstreamIsolation::PerPrincipal));
    m_isolation->setToolTip(
        tr("Servers whose tools ask the client for sampling, elicitation or roots, and servers that keep "
           "per-user state, need their own process per session or per caller: on a shared process the "
           "gateway cannot tell which client such a request is for, and refuses it while several calls run."));
    m_maxInstances->setObjectName(QStringLiteral("maxInstancesSpinBox"));
    m_maxInstances->setRange(1, 1000);
    m_maxInstances->setValue(16);
    m_warmInstances->setObjectName(QStringLiteral("warmInstancesSpinBox"));
    m_warmInstances->setRange(0, 64);
    m_warmInstances->setValue(1);
    m_warmInstances->setToolTip(tr("Processes started ahead, so that a new session or stateless call does not "
                                   "wait for the server to start. One is started again whenever one is taken; "
                                   "an unclaimed one stops after the idle time."));
    m_instanceIdle->setObjectName(QStringLiteral("instanceIdleSpinBox"));
    m_instanceIdle->setRange(1, 24 * 3600);
    m_instanceIdle->setSuffix(tr(" s"));
    m_instanceIdle->setValue(300);
    limitsForm->addRow(tr("&Isolation:"), m_isolation);
    limitsForm->addRow(tr("Isolated &processes at most:"), m_maxInstances);
    limitsForm->addRow(tr("Keep &ready in advance:"), m_warmInstances);
    limitsForm->addRow(tr("Stop an idle process &after:"), m_instanceIdle);
    connect(m_isolation, &QComboBox::currentIndexChanged, this, &ServerEditDialog::updateKind);

    m_namespaces->setObjectName(QStringLiteral("serverNamespacesListWidget"));
    m_namespaces->setAccessibleName(tr("Namespaces"));
    m_namespaces->setMaximumHeight(m_namespaces->fontMetrics().lineSpacing() * 4 + 12);
    for (const QString &ns : namespaces) {
        auto *item = new QListWidgetItem(ns, m_namespaces);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        const bool checked = memberOf.contains(ns) || (m_adding && ns == kDefaultNamespace);
        item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
    }

    m_validation->setObjectName(QStringLiteral("serverValidationLabel"));
    m_validation->setWordWrap(true);
    m_testResult->setObjectName(QStringLiteral("testConnectionResultLabel"));
    m_testResult->setWordWrap(true);
    m_testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_testButton->setObjectName(QStringLiteral("testConnectionPushButton"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Type:"), m_kind);
    form->addRow(QString(), m_enabled);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_pages);
    layout->addWidget(limits);
    auto *nsLabel = new QLabel(tr("Serve in &namespaces:"), this);
    nsLabel->setBuddy(m_namespaces);
    layout->addWidget(nsLabel);
    layout->addWidget(m_namespaces);
    layout->addWidget(m_validation);
    auto *testRow = new QHBoxLayout;
    testRow->addWidget(m_testButton);
    testRow->addWidget(m_testResult, 1);
    layout->addLayout(testRow);
    layout->addWidget(m_buttons);

    connect(m_kind, &QComboBox::currentIndexChanged, this, &ServerEditDialog::updateKind);
    for (QLineEdit *edit : {m_name, m_command, m_arguments, m_url, m_workingDir})
        connect(edit, &QLineEdit::textChanged, this, &ServerEditDialog::revalidate);
    for (QPlainTextEdit *edit : {m_environment, m_headers})
        connect(edit, &QPlainTextEdit::textChanged, this, &ServerEditDialog::revalidate);
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Choose the server program"));
        if (!file.isEmpty())
            m_command->setText(file);
    });
    connect(loadOpenApi, &QPushButton::clicked, this, &ServerEditDialog::loadOpenApi);
    connect(m_testButton, &QPushButton::clicked, this, &ServerEditDialog::testConnection);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ServerEditDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ServerEditDialog::reject);

    if (existing)
        setConfig(*existing);
    updateKind();
    resize(sizeHint().expandedTo(QSize(560, 0)));
}

void ServerEditDialog::setConfig(const UpstreamConfig &c)
{
    m_name->setText(c.name);
    m_kind->setCurrentIndex(m_kind->findData(int(c.kind)));
    m_enabled->setChecked(c.enabled);
    m_command->setText(c.command);
    QStringList args;
    for (const QString &arg : c.args)
        args.append(quoteArgument(arg));
    m_arguments->setText(args.join(QLatin1Char(' ')));
    m_environment->setPlainText(formatKeyValueLines(c.env, QStringLiteral("=")));
    m_workingDir->setText(c.cwd);
    m_url->setText(c.url.toString());
    m_headers->setPlainText(formatKeyValueLines(c.headers, QStringLiteral(": ")));
    m_restTools = c.restTools;
    m_requestTimeout->setValue(std::max(1, c.requestTimeoutMs / 1000));
    m_startupTimeout->setValue(std::max(1, c.startupTimeoutMs / 1000));
    m_maxConcurrency->setValue(c.maxConcurrency);
    m_isolation->setCurrentIndex(std::max(0, m_isolation->findData(int(c.isolation))));
    m_maxInstances->setValue(c.maxInstances);
    m_warmInstances->setValue(c.warmInstances);
    m_instanceIdle->setValue(std::max(1, c.instanceIdleMs / 1000));
    updateKind();
}

UpstreamConfig ServerEditDialog::config() const
{
    UpstreamConfig c;
    c.name = m_name->text().trimmed();
    c.kind = UpstreamKind(m_kind->currentData().toInt());
    c.enabled = m_enabled->isChecked();
    int bad = 0;
    if (c.kind == UpstreamKind::Stdio) {
        c.command = m_command->text().trimmed();
        c.args = QProcess::splitCommand(m_arguments->text());
        c.env = parseKeyValueLines(m_environment->toPlainText(), QLatin1Char('='), &bad);
        c.cwd = m_workingDir->text().trimmed();
    } else {
        c.url = QUrl(m_url->text().trimmed(), QUrl::StrictMode);
        c.headers = parseKeyValueLines(m_headers->toPlainText(), QLatin1Char(':'), &bad);
        if (c.kind == UpstreamKind::Rest)
            c.restTools = m_restTools;
    }
    c.requestTimeoutMs = m_requestTimeout->value() * 1000;
    c.startupTimeoutMs = m_startupTimeout->value() * 1000;
    c.maxConcurrency = m_maxConcurrency->value();
    if (c.kind != UpstreamKind::Rest) {
        c.isolation = UpstreamIsolation(m_isolation->currentData().toInt());
        c.maxInstances = m_maxInstances->value();
        c.warmInstances = std::min(m_warmInstances->value(), c.maxInstances);
        c.instanceIdleMs = m_instanceIdle->value() * 1000;
    }
    return c;
}

QStringList ServerEditDialog::checkedNamespaces() const
{
    QStringList list;
    for (int i = 0; i < m_namespaces->count(); ++i)
        if (m_namespaces->item(i)->checkState() == Qt::Checked)
            list.append(m_namespaces->item(i)->text());
    return list;
}

QString ServerEditDialog::problem() const
{
    const UpstreamConfig c = config();
    if (c.name.isEmpty())
        return tr("Give the server a name.");
    if (!nameRegex().match(c.name).hasMatch())
        return tr("The name may only contain letters, digits, '-' and '_' (at most 64 characters).");
    if (m_adding && m_takenNames.contains(c.name))
        return tr("There is already a server named %1.").arg(c.name);
    int bad = 0;
    if (c.kind == UpstreamKind::Stdio) {
        if (c.command.isEmpty())
            return tr("Enter the command that starts the server, e.g. npx or python.");
        parseKeyValueLines(m_environment->toPlainText(), QLatin1Char('='), &bad);
        if (bad)
            return tr("Line %1 of the environment is not NAME=value.").arg(bad);
    } else {
        const QString text = m_url->text().trimmed();
        if (text.isEmpty() && c.kind != UpstreamKind::Rest)
            return tr("Enter the server's URL, e.g. https://example.com/mcp.");
        if (!text.isEmpty()) {
            if (!c.url.isValid() || c.url.isRelative() || c.url.host().isEmpty())
                return tr("\"%1\" is not a valid URL; it should look like https://example.com/mcp.").arg(text);
            if (c.url.scheme() != u"http" && c.url.scheme() != u"https")
                return tr("The URL must start with http:// or https://.");
        }
        parseKeyValueLines(m_headers->toPlainText(), QLatin1Char(':'), &bad);
        if (bad)
            return tr("Line %1 of the headers is not Name: value.").arg(bad);
        if (c.kind == UpstreamKind::Rest && m_restTools.isEmpty())
            return tr("A REST server needs tools: load an OpenAPI document.");
    }
    // Anything else the gateway checks (its message is English).
    return c.validate();
}

void ServerEditDialog::updateKind()
{
    const auto kind = UpstreamKind(m_kind->currentData().toInt());
    m_pages->setCurrentIndex(kind == UpstreamKind::Stdio ? StdioPage : UrlPage);
    const bool rest = kind == UpstreamKind::Rest;
    if (auto *form = qobject_cast<QFormLayout *>(m_restToolsLabel->parentWidget()->parentWidget()->layout()))
        form->setRowVisible(m_restToolsLabel->parentWidget(), rest);
    if (auto *limitsForm = qobject_cast<QFormLayout *>(m_isolation->parentWidget()->layout())) {
        const bool isolated = !rest && m_isolation->currentData().toInt() != int(UpstreamIsolation::Shared);
        limitsForm->setRowVisible(m_isolation, !rest);
        limitsForm->setRowVisible(m_maxInstances, isolated);
        limitsForm->setRowVisible(m_warmInstances, isolated);
        limitsForm->setRowVisible(m_instanceIdle, isolated);
    }
    m_url->setPlaceholderText(
        rest ? tr("Base URL, e.g. https://api.example.com/v1")
             : (kind == UpstreamKind::Sse ? tr("e.g. http://localhost:3001/sse") : tr("e.g. https://example.com/mcp")));
    QStringList names;
    for (const RestToolConfig &t : std::as_const(m_restTools))
        names.append(t.name);
    m_restToolsLabel->setText(m_restTools.isEmpty() ? tr("No tools yet.")
                                                    : tr("%n tool(s): %1", nullptr, int(m_restTools.size()))
                                                          .arg(QLocale().createSeparatedList(names.mid(0, 8)) +
                                                               (names.size() > 8 ? QStringLiteral(", …") : QString())));
    revalidate();
}

void ServerEditDialog::revalidate()
{
    const QString p = problem();
    m_validation->setVisible(!p.isEmpty());
    if (!p.isEmpty()) {
        QPalette pal = m_validation->palette();
        pal.setColor(QPalette::WindowText, errorColor(palette()));
        m_validation->setPalette(pal);
    }
    m_validation->setText(p);
    m_saveButton->setEnabled(p.isEmpty());
    m_testButton->setEnabled(p.isEmpty());
}

void ServerEditDialog::testConnection()
{
    if (!problem().isEmpty())
        return;
    m_testButton->setEnabled(false);
    m_testResult->setText(tr("Connecting…"));
    QPointer<ServerEditDialog> self(this);
    m_gateway->testConnection(config(), [self](bool ok, const QString &message, const QJsonArray &tools) {
        if (!self)
            return;
        self->m_testButton->setEnabled(self->problem().isEmpty());
        QPalette pal = self->m_testResult->palette();
        pal.setColor(QPalette::WindowText, ok ? okColor(self->palette()) : errorColor(self->palette()));
        self->m_testResult->setPalette(pal);
        self->m_testResult->setText(ok ? tr("%1 — %n tool(s).", nullptr, int(tools.size())).arg(message)
                                       : tr("Failed: %1").arg(message));
    });
}

QString ServerEditDialog::loadOpenApiFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return tr("Cannot read %1: %2").arg(path, file.errorString());
    const OpenApiImport imported = importOpenApi(file.readAll(), QUrl::fromLocalFile(path));
    if (!imported.ok())
        return tr("This is not an OpenAPI 3 document: %1").arg(imported.error);
    if (imported.tools.isEmpty())
        return tr("The document has no operations that can become tools.");
    m_restTools = imported.tools;
    m_kind->setCurrentIndex(m_kind->findData(int(UpstreamKind::Rest)));
    if (m_url->text().trimmed().isEmpty() && imported.baseUrl.isValid() && !imported.baseUrl.isLocalFile())
        m_url->setText(imported.baseUrl.toString());
    updateKind();
    if (!imported.warnings.isEmpty())
        m_testResult->setText(tr("Skipped: %1").arg(imported.warnings.join(QStringLiteral("; "))));
    return {};
}

void ServerEditDialog::loadOpenApi()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Load an OpenAPI document"), QString(),
                                                      tr("OpenAPI documents (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    const QString error = loadOpenApiFile(path);
    if (!error.isEmpty())
        m_testResult->setText(error);
}

void ServerEditDialog::accept()
{
    if (const QString p = problem(); !p.isEmpty()) {
        revalidate();
        return;
    }
    const UpstreamConfig c = config();
    const QStringList checked = checkedNamespaces();
    QStringList removedFrom;
    for (const QString &ns : std::as_const(m_originalNamespaces))
        if (!checked.contains(ns))
            removedFrom.append(ns);
    m_saveButton->setEnabled(false);
    m_validation->setText(tr("Saving…"));
    m_validation->show();
    QPointer<ServerEditDialog> self(this);
    Gateway *gateway = m_gateway;
    m_gateway->upsertServer(c, checked, [self, gateway, c, removedFrom](const QString &error) {
        if (!error.isEmpty()) {
            if (self) {
                self->m_validation->setText(tr("The gateway refused the server: %1").arg(error));
                self->m_saveButton->setEnabled(true);
            }
            return;
        }
        // Leave namespaces that were unchecked.
        for (const QString &nsName : removedFrom) {
            if (const NamespaceConfig *ns = gateway->config().ns(nsName)) {
                NamespaceConfig updated = *ns;
                updated.servers.removeAll(c.name);
                gateway->upsertNamespace(updated);
            }
        }
        if (self) {
            Q_EMIT self->saved(c.name);
            self->QDialog::accept();
        }
    });
}

} // namespace metamcp::ui
