#include "panels/namespacespanel.h"

#include "common/uiutil.h"
#include "gateway.h"
#include "models/namespacemodel.h"
#include "models/toolmodel.h"
#include "widgets/tryitwidget.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace metamcp::ui {

namespace {
QToolButton *copyButton(QLineEdit *source, const QString &objectName, const QString &what, QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setObjectName(objectName);
    button->setText(NamespacesPanel::tr("Copy"));
    button->setToolTip(NamespacesPanel::tr("Copy the %1 to the clipboard").arg(what));
    button->setAccessibleName(NamespacesPanel::tr("Copy the %1").arg(what));
    QObject::connect(button, &QToolButton::clicked, source, [source] { copyToClipboard(source->text()); });
    return button;
}
} // namespace

NamespacesPanel::NamespacesPanel(Gateway *gateway, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_namespaces(new NamespaceModel(this))
    , m_tools(new ToolModel(this))
    , m_toolFilter(new ToolFilterModel(this))
    , m_namespaceList(new QListView(this))
    , m_newNamespace(new QLineEdit(this))
    , m_removeNamespace(new QPushButton(tr("Remove"), this))
    , m_endpoint(new QLineEdit(this))
    , m_sseEndpoint(new QLineEdit(this))
    , m_nsDescription(new QLabel(this))
    , m_servers(new QListWidget(this))
    , m_prefixNames(new QCheckBox(tr("&Prefix tool names with the server name"), this))
    , m_search(new QLineEdit(this))
    , m_showDisabled(new QCheckBox(tr("Show &disabled"), this))
    , m_toolCount(new QLabel(this))
    , m_toolTable(new QTableView(this))
    , m_toolTabs(new QTabWidget(this))
    , m_toolTitle(new QLabel(this))
    , m_toolEnabled(new QCheckBox(tr("&Enabled in this namespace"), this))
    , m_rename(new QLineEdit(this))
    , m_description(new QPlainTextEdit(this))
    , m_applyOverride(new QPushButton(tr("&Apply"), this))
    , m_overrideMessage(new QLabel(this))
    , m_inputSchema(createJsonView(QStringLiteral("inputSchemaPlainTextEdit"), this))
    , m_outputSchema(createJsonView(QStringLiteral("outputSchemaPlainTextEdit"), this))
    , m_tryIt(new TryItWidget(gateway, this))
    , m_reloadTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("namespacesPanel"));

    // Namespaces column
    m_namespaceList->setObjectName(QStringLiteral("namespaceListView"));
    m_namespaceList->setAccessibleName(tr("Namespaces"));
    m_namespaceList->setModel(m_namespaces);
    m_namespaceList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_newNamespace->setObjectName(QStringLiteral("newNamespaceLineEdit"));
    m_newNamespace->setPlaceholderText(tr("New namespace"));
    m_newNamespace->setAccessibleName(tr("New namespace name"));
    m_newNamespace->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[A-Za-z0-9_-]{0,64}")), m_newNamespace));
    auto *addNs = new QPushButton(tr("Add"), this);
    addNs->setObjectName(QStringLiteral("addNamespacePushButton"));
    m_removeNamespace->setObjectName(QStringLiteral("removeNamespacePushButton"));
    auto *nsColumn = new QWidget(this);
    auto *nsLayout = new QVBoxLayout(nsColumn);
    nsLayout->setContentsMargins(0, 0, 0, 0);
    auto *nsLabel = new QLabel(tr("&Namespaces"), this);
    nsLabel->setBuddy(m_namespaceList);
    nsLayout->addWidget(nsLabel);
    nsLayout->addWidget(m_namespaceList, 1);
    auto *addRow = new QHBoxLayout;
    addRow->addWidget(m_newNamespace, 1);
    addRow->addWidget(addNs);
    nsLayout->addLayout(addRow);
    nsLayout->addWidget(m_removeNamespace);

    // Endpoint + servers
    m_endpoint->setObjectName(QStringLiteral("endpointUrlLineEdit"));
    m_endpoint->setReadOnly(true);
    m_endpoint->setAccessibleName(tr("Streamable HTTP endpoint URL"));
    m_sseEndpoint->setObjectName(QStringLiteral("sseEndpointUrlLineEdit"));
    m_sseEndpoint->setReadOnly(true);
    m_sseEndpoint->setAccessibleName(tr("SSE endpoint URL"));
    m_nsDescription->setObjectName(QStringLiteral("namespaceDescriptionLabel"));
    m_nsDescription->setWordWrap(true);
    auto *endpointGroup = new QGroupBox(tr("Endpoint"), this);
    auto *endpointForm = new QFormLayout(endpointGroup);
    auto *httpRow = new QHBoxLayout;
    httpRow->addWidget(m_endpoint, 1);
    httpRow->addWidget(copyButton(m_endpoint, QStringLiteral("copyEndpointToolButton"), tr("endpoint URL"), this));
    auto *sseRow = new QHBoxLayout;
    sseRow->addWidget(m_sseEndpoint, 1);
    sseRow->addWidget(copyButton(m_sseEndpoint, QStringLiteral("copySseEndpointToolButton"), tr("SSE URL"), this));
    endpointForm->addRow(tr("Streamable HTTP:"), httpRow);
    endpointForm->addRow(tr("SSE (legacy):"), sseRow);
    endpointForm->addRow(m_nsDescription);
    m_servers->setObjectName(QStringLiteral("namespaceServersListWidget"));
    m_servers->setAccessibleName(tr("Servers in this namespace"));
    m_servers->setFlow(QListView::LeftToRight);
    m_servers->setWrapping(true);
    m_servers->setMaximumHeight(m_servers->fontMetrics().lineSpacing() * 3 + 12);
    auto *serversGroup = new QGroupBox(tr("Servers in this namespace"), this);
    auto *serversLayout = new QVBoxLayout(serversGroup);
    serversLayout->addWidget(m_servers);
    m_prefixNames->setObjectName(QStringLiteral("prefixNamesCheckBox"));
    m_prefixNames->setToolTip(tr("Off: tools keep their upstream names, as if the client talked to the server "
                                 "itself (the first server wins a name clash)."));
    serversLayout->addWidget(m_prefixNames);

    // Tool registry
    m_search->setObjectName(QStringLiteral("toolSearchLineEdit"));
    m_search->setPlaceholderText(tr("Search tools (name, server, description)"));
    m_search->setAccessibleName(tr("Search tools"));
    m_search->setClearButtonEnabled(true);
    m_showDisabled->setObjectName(QStringLiteral("showDisabledToolsCheckBox"));
    m_showDisabled->setChecked(true);
    m_toolCount->setObjectName(QStringLiteral("toolCountLabel"));
    m_toolFilter->setSourceModel(m_tools);
    m_toolFilter->setSortCaseSensitivity(Qt::CaseInsensitive);
    m_toolTable->setObjectName(QStringLiteral("toolTableView"));
    m_toolTable->setAccessibleName(tr("Tools"));
    m_toolTable->setModel(m_toolFilter);
    m_toolTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_toolTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_toolTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_toolTable->setSortingEnabled(true);
    m_toolTable->sortByColumn(ToolModel::NameColumn, Qt::AscendingOrder);
    setCompactRows(m_toolTable);
    m_toolTable->horizontalHeader()->setStretchLastSection(true);
    m_toolTable->setColumnWidth(ToolModel::NameColumn, 240);
    m_toolTable->setWordWrap(false);
    auto *searchRow = new QHBoxLayout;
    searchRow->addWidget(m_search, 1);
    searchRow->addWidget(m_showDisabled);
    searchRow->addWidget(m_toolCount);

    auto *upper = new QWidget(this);
    auto *upperLayout = new QVBoxLayout(upper);
    upperLayout->setContentsMargins(0, 0, 0, 0);
    auto *groups = new QHBoxLayout;
    groups->addWidget(endpointGroup, 3);
    groups->addWidget(serversGroup, 2);
    upperLayout->addLayout(groups);
    upperLayout->addLayout(searchRow);
    upperLayout->addWidget(m_toolTable, 1);

    // Tool details
    m_toolTitle->setObjectName(QStringLiteral("toolTitleLabel"));
    m_toolTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_toolEnabled->setObjectName(QStringLiteral("toolEnabledCheckBox"));
    m_rename->setObjectName(QStringLiteral("toolRenameLineEdit"));
    m_rename->setToolTip(tr("The name clients see instead of the prefixed one; empty: the default."));
    m_description->setObjectName(QStringLiteral("toolDescriptionPlainTextEdit"));
    m_description->setPlaceholderText(tr("Empty: the server's own description"));
    m_description->setTabChangesFocus(true);
    m_applyOverride->setObjectName(QStringLiteral("applyToolOverridePushButton"));
    auto *resetOverride = new QPushButton(tr("Re&set to defaults"), this);
    resetOverride->setObjectName(QStringLiteral("resetToolOverridePushButton"));
    m_overrideMessage->setObjectName(QStringLiteral("toolOverrideMessageLabel"));
    m_overrideMessage->setWordWrap(true);
    auto *detailsPage = new QWidget(this);
    auto *detailsForm = new QFormLayout(detailsPage);
    detailsForm->addRow(m_toolTitle);
    detailsForm->addRow(QString(), m_toolEnabled);
    detailsForm->addRow(tr("&Rename to:"), m_rename);
    detailsForm->addRow(tr("&Description:"), m_description);
    auto *overrideButtons = new QHBoxLayout;
    overrideButtons->addWidget(m_applyOverride);
    overrideButtons->addWidget(resetOverride);
    overrideButtons->addStretch();
    detailsForm->addRow(overrideButtons);
    detailsForm->addRow(m_overrideMessage);
    auto *schemaPage = new QSplitter(Qt::Horizontal, this);
    schemaPage->setObjectName(QStringLiteral("schemaSplitter"));
    auto wrap = [this](const QString &title, QWidget *w) {
        auto *box = new QGroupBox(title, this);
        auto *l = new QVBoxLayout(box);
        l->addWidget(w);
        return box;
    };
    schemaPage->addWidget(wrap(tr("Input schema"), m_inputSchema));
    schemaPage->addWidget(wrap(tr("Output schema"), m_outputSchema));
    m_tryIt->setObjectName(QStringLiteral("tryItWidget"));
    m_toolTabs->setObjectName(QStringLiteral("toolTabWidget"));
    m_toolTabs->addTab(m_tryIt, tr("&Try it"));
    m_toolTabs->addTab(detailsPage, tr("Det&ails"));
    m_toolTabs->addTab(schemaPage, tr("Sc&hema"));

    auto *right = new QSplitter(Qt::Vertical, this);
    right->setObjectName(QStringLiteral("toolsSplitter"));
    right->addWidget(upper);
    right->addWidget(m_toolTabs);
    right->setStretchFactor(0, 1);
    right->setStretchFactor(1, 1);
    auto *main = new QSplitter(Qt::Horizontal, this);
    main->setObjectName(QStringLiteral("namespacesSplitter"));
    main->addWidget(nsColumn);
    main->addWidget(right);
    main->setStretchFactor(0, 0);
    main->setStretchFactor(1, 1);
    main->setSizes({150, 1000});
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(main);

    m_reloadTimer->setSingleShot(true);
    m_reloadTimer->setInterval(150);
    connect(m_reloadTimer, &QTimer::timeout, this, &NamespacesPanel::reloadTools);
    connect(m_gateway, &Gateway::configChanged, this, &NamespacesPanel::applyConfig);
    connect(m_gateway, &Gateway::started, this, &NamespacesPanel::updateEndpoint);
    connect(m_gateway, &Gateway::toolsChanged, this, [this](const QString &ns) {
        if (ns == currentNamespace())
            refreshTools();
    });
    connect(m_gateway, &Gateway::upstreamStateChanged, this, &NamespacesPanel::refreshTools);
    connect(m_namespaceList->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] {
        updateEndpoint();
        applyConfig();
        refreshTools();
    });
    connect(m_search, &QLineEdit::textChanged, m_toolFilter, &ToolFilterModel::setSearchText);
    connect(m_showDisabled, &QCheckBox::toggled, m_toolFilter, &ToolFilterModel::setShowDisabled);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_toolFilter, signal, this, [this] {
            m_toolCount->setText(tr("%1 of %n tool(s)", nullptr, m_tools->rowCount()).arg(m_toolFilter->rowCount()));
        });
    connect(m_toolFilter, &QAbstractItemModel::modelReset, this, [this] {
        m_toolCount->setText(tr("%1 of %n tool(s)", nullptr, m_tools->rowCount()).arg(m_toolFilter->rowCount()));
    });
    connect(m_toolTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &NamespacesPanel::updateToolDetails);
    connect(m_tools, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &tl, const QModelIndex &br) {
        const QModelIndex current = m_toolFilter->mapToSource(m_toolTable->currentIndex());
        if (current.isValid() && current.row() >= tl.row() && current.row() <= br.row())
            updateToolDetails();
    });
    connect(m_tools, &ToolModel::enabledChangeRequested, this, [this](const ToolInfo &tool, bool enabled) {
        ToolOverride o;
        o.server = tool.server;
        o.tool = tool.upstreamName;
        if (const NamespaceConfig *ns = m_gateway->config().ns(currentNamespace()))
            for (const ToolOverride &existing : ns->toolOverrides)
                if (existing.server == o.server && existing.tool == o.tool)
                    o = existing;
        o.enabled = enabled;
        m_gateway->setToolOverride(currentNamespace(), o, [self = QPointer(this)](const QString &error) {
            if (!self)
                return;
            if (!error.isEmpty())
                self->m_overrideMessage->setText(error);
            self->refreshTools();
        });
    });
    connect(m_applyOverride, &QPushButton::clicked, this, &NamespacesPanel::applyOverride);
    connect(resetOverride, &QPushButton::clicked, this, &NamespacesPanel::resetOverride);
    connect(addNs, &QPushButton::clicked, this, &NamespacesPanel::addNamespace);
    connect(m_newNamespace, &QLineEdit::returnPressed, this, &NamespacesPanel::addNamespace);
    connect(m_removeNamespace, &QPushButton::clicked, this, &NamespacesPanel::removeNamespace);
    connect(m_prefixNames, &QCheckBox::toggled, this, [this](bool prefix) {
        const NamespaceConfig *existing = m_gateway->config().ns(currentNamespace());
        if (m_updatingServers || !existing || existing->prefixNames == prefix)
            return;
        NamespaceConfig ns = *existing;
        ns.prefixNames = prefix;
        m_gateway->upsertNamespace(ns);
    });
    connect(m_servers, &QListWidget::itemChanged, this, [this](QListWidgetItem *item) {
        if (!m_updatingServers)
            setServerMembership(item->text(), item->checkState() == Qt::Checked);
    });

    applyConfig();
    updateEndpoint();
    updateToolDetails();
}

QString NamespacesPanel::currentNamespace() const
{
    const QModelIndex current = m_namespaceList->currentIndex();
    return current.isValid() ? current.data(NamespaceModel::NameRole).toString() : kDefaultNamespace;
}

void NamespacesPanel::selectNamespace(const QString &ns)
{
    const int row = m_namespaces->rowOf(ns);
    if (row >= 0)
        m_namespaceList->setCurrentIndex(m_namespaces->index(row));
}

bool NamespacesPanel::selectTool(const QString &exposedName)
{
    const int row = m_tools->rowOfExposedName(exposedName);
    if (row < 0)
        return false;
    QModelIndex proxy = m_toolFilter->mapFromSource(m_tools->index(row, 0));
    if (!proxy.isValid()) {
        m_search->clear();
        m_showDisabled->setChecked(true);
        proxy = m_toolFilter->mapFromSource(m_tools->index(row, 0));
    }
    m_toolTable->setCurrentIndex(proxy);
    m_toolTable->scrollTo(proxy);
    return true;
}

void NamespacesPanel::refreshTools()
{
    m_reloadTimer->start();
}

void NamespacesPanel::reloadTools()
{
    const QString ns = currentNamespace();
    QPointer<NamespacesPanel> self(this);
    m_gateway->listTools(ns, [self, ns](const QList<ToolInfo> &tools) {
        if (!self || self->currentNamespace() != ns)
            return;
        self->m_tools->setTools(ns, tools);
        self->m_toolCount->setText(
            tr("%1 of %n tool(s)", nullptr, self->m_tools->rowCount()).arg(self->m_toolFilter->rowCount()));
        self->updateToolDetails();
    });
}

void NamespacesPanel::applyConfig()
{
    const GatewayConfig config = m_gateway->config();
    const QString before = currentNamespace();
    m_namespaces->setNamespaces(config.namespaces);
    if (!m_namespaceList->currentIndex().isValid() && m_namespaces->rowCount() > 0) {
        const int row = std::max(0, m_namespaces->rowOf(before));
        m_namespaceList->setCurrentIndex(m_namespaces->index(row));
    }
    const QString nsName = currentNamespace();
    const NamespaceConfig *ns = config.ns(nsName);
    m_removeNamespace->setEnabled(ns && nsName != kDefaultNamespace);
    m_nsDescription->setText(ns ? ns->description : QString());
    m_nsDescription->setVisible(ns && !ns->description.isEmpty());
    m_updatingServers = true;
    m_servers->clear();
    for (const UpstreamConfig &server : config.servers) {
        auto *item = new QListWidgetItem(server.name, m_servers);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(ns && ns->servers.contains(server.name) ? Qt::Checked : Qt::Unchecked);
    }
    m_prefixNames->setChecked(!ns || ns->prefixNames);
    m_prefixNames->setEnabled(ns != nullptr);
    m_updatingServers = false;
    updateToolDetails();
    refreshTools();
}

void NamespacesPanel::updateEndpoint()
{
    const QString ns = currentNamespace();
    if (!m_gateway->isRunning()) {
        m_endpoint->setText(tr("(the gateway is not running)"));
        m_sseEndpoint->clear();
        return;
    }
    m_endpoint->setText(m_gateway->endpointUrl(ns));
    m_sseEndpoint->setText(m_gateway->endpointUrl(ns, true));
}

ToolInfo NamespacesPanel::selectedTool() const
{
    const QModelIndex source = m_toolFilter->mapToSource(m_toolTable->currentIndex());
    if (!source.isValid())
        return {};
    return m_tools->tool(source.row());
}

void NamespacesPanel::updateToolDetails()
{
    const ToolInfo tool = selectedTool();
    const bool has = !tool.exposedName.isEmpty();
    m_toolTabs->setEnabled(has);
    m_tryIt->setTool(currentNamespace(), tool);
    if (!has) {
        m_toolTitle->setText(tr("Select a tool"));
        m_inputSchema->clear();
        m_outputSchema->clear();
        return;
    }
    m_toolTitle->setText(
        tr("<b>%1</b> from %2 (upstream name %3)")
            .arg(tool.exposedName.toHtmlEscaped(), tool.server.toHtmlEscaped(), tool.upstreamName.toHtmlEscaped()));
    ToolOverride current;
    if (const NamespaceConfig *ns = m_gateway->config().ns(currentNamespace()))
        for (const ToolOverride &o : ns->toolOverrides)
            if (o.server == tool.server && o.tool == tool.upstreamName)
                current = o;
    m_toolEnabled->setChecked(tool.enabled);
    m_rename->setText(current.rename);
    m_rename->setPlaceholderText(current.rename.isEmpty() ? tool.exposedName : QString());
    m_description->setPlainText(current.description);
    m_inputSchema->setPlainText(prettyJson(tool.tool.value(QLatin1String("inputSchema"))));
    const QJsonValue output = tool.tool.value(QLatin1String("outputSchema"));
    m_outputSchema->setPlainText(output.isUndefined() ? tr("(none: the tool returns unstructured content)")
                                                      : prettyJson(output));
}

void NamespacesPanel::applyOverride()
{
    const ToolInfo tool = selectedTool();
    if (tool.exposedName.isEmpty())
        return;
    ToolOverride o;
    o.server = tool.server;
    o.tool = tool.upstreamName;
    o.enabled = m_toolEnabled->isChecked();
    o.rename = m_rename->text().trimmed();
    o.description = m_description->toPlainText().trimmed();
    m_overrideMessage->setText(tr("Saving…"));
    QPointer<NamespacesPanel> self(this);
    m_gateway->setToolOverride(currentNamespace(), o, [self](const QString &error) {
        if (!self)
            return;
        self->m_overrideMessage->setText(error.isEmpty() ? tr("Saved.") : tr("Not saved: %1").arg(error));
        self->refreshTools();
    });
}

void NamespacesPanel::resetOverride()
{
    m_toolEnabled->setChecked(true);
    m_rename->clear();
    m_description->clear();
    applyOverride();
}

void NamespacesPanel::addNamespace()
{
    const QString name = m_newNamespace->text().trimmed();
    if (name.isEmpty())
        return;
    if (m_gateway->config().ns(name)) {
        selectNamespace(name);
        return;
    }
    NamespaceConfig ns;
    ns.name = name;
    QPointer<NamespacesPanel> self(this);
    m_gateway->upsertNamespace(ns, [self, name](const QString &error) {
        if (!self)
            return;
        if (!error.isEmpty()) {
            self->m_overrideMessage->setText(error);
            return;
        }
        self->m_newNamespace->clear();
        self->applyConfig();
        self->selectNamespace(name);
    });
}

void NamespacesPanel::removeNamespace()
{
    const QString name = currentNamespace();
    if (name == kDefaultNamespace)
        return;
    m_gateway->removeNamespace(name);
    m_namespaceList->setCurrentIndex(m_namespaces->index(0));
}

void NamespacesPanel::setServerMembership(const QString &server, bool member)
{
    const NamespaceConfig *existing = m_gateway->config().ns(currentNamespace());
    if (!existing)
        return;
    NamespaceConfig ns = *existing;
    if (member && !ns.servers.contains(server))
        ns.servers.append(server);
    else if (!member)
        ns.servers.removeAll(server);
    m_gateway->upsertNamespace(ns);
}

void NamespacesPanel::saveState(QSettings &settings) const
{
    for (auto *splitter : findChildren<QSplitter *>())
        if (!splitter->objectName().isEmpty())
            settings.setValue(QStringLiteral("namespaces/") + splitter->objectName(), splitter->saveState());
    settings.setValue(QStringLiteral("namespaces/toolHeader"), m_toolTable->horizontalHeader()->saveState());
}

void NamespacesPanel::restoreState(const QSettings &settings)
{
    for (auto *splitter : findChildren<QSplitter *>())
        if (!splitter->objectName().isEmpty())
            splitter->restoreState(
                settings.value(QStringLiteral("namespaces/") + splitter->objectName()).toByteArray());
    m_toolTable->horizontalHeader()->restoreState(
        settings.value(QStringLiteral("namespaces/toolHeader")).toByteArray());
}

} // namespace metamcp::ui
