#include "configimportdialog.h"

#include "common/uiutil.h"
#include "gateway.h"
#include "services/configdocument.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace metamcp::ui {

ConfigImportDialog::ConfigImportDialog(Gateway *gateway, const QString &path, QWidget *parent)
    : QDialog(parent)
    , m_gateway(gateway)
    , m_path(path)
    , m_fileName(QFileInfo(path).fileName())
    , m_summary(new QLabel(this))
    , m_changeTree(new QTreeWidget(this))
    , m_errorText(new QPlainTextEdit(this))
{
    setObjectName(QStringLiteral("configImportDialog"));
    setWindowTitle(tr("Import configuration"));
    m_summary->setObjectName(QStringLiteral("configImportSummaryLabel"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_changeTree->setObjectName(QStringLiteral("configChangesTreeWidget"));
    m_changeTree->setAccessibleName(tr("Changes"));
    m_changeTree->setHeaderHidden(true);
    m_changeTree->setColumnCount(1);
    m_changeTree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_changeTree->hide();
    m_errorText->setObjectName(QStringLiteral("configErrorsPlainTextEdit"));
    m_errorText->setAccessibleName(tr("Problems"));
    m_errorText->setReadOnly(true);
    m_errorText->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_errorText->hide();

    auto *buttons = new QDialogButtonBox(this);
    m_apply = buttons->addButton(tr("&Apply"), QDialogButtonBox::AcceptRole);
    m_apply->setObjectName(QStringLiteral("applyConfigPushButton"));
    m_apply->setEnabled(false);
    m_cancel = buttons->addButton(QDialogButtonBox::Cancel);
    m_cancel->setObjectName(QStringLiteral("cancelConfigPushButton"));
    connect(m_apply, &QPushButton::clicked, this, &ConfigImportDialog::apply);
    connect(m_cancel, &QPushButton::clicked, this, &ConfigImportDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_changeTree, 1);
    layout->addWidget(m_errorText, 1);
    layout->addWidget(buttons);
    resize(640, 420);

    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        showErrors({file.errorString()});
        setState(State::Invalid, tr("Cannot read %1. Nothing was changed.").arg(QDir::toNativeSeparators(path)));
        return;
    }
    m_document = file.readAll();
    setState(State::Checking, tr("Checking %1…").arg(m_fileName));
    m_gateway->applyConfiguration(m_document, configdoc::formatForPath(path), true,
                                  [self = QPointer(this)](const QString &error, const QList<ConfigChange> &changes) {
                                      if (self)
                                          self->finishDryRun(error, changes);
                                  });
}

void ConfigImportDialog::finishDryRun(const QString &error, const QList<ConfigChange> &changes)
{
    if (!error.isEmpty()) {
        showErrors(error.split(QLatin1Char('\n'), Qt::SkipEmptyParts));
        setState(State::Invalid, tr("%1 cannot be imported. Nothing was changed:").arg(m_fileName));
        return;
    }
    showChanges(changes);
    if (changes.isEmpty()) {
        setState(State::NoChanges, tr("No changes: the configuration already is what %1 says.").arg(m_fileName));
        return;
    }
    setState(
        State::Preview,
        tr("Importing %1 makes %n change(s). Nothing has changed yet.", nullptr, int(changes.size())).arg(m_fileName));
}

void ConfigImportDialog::apply()
{
    if (m_state != State::Preview)
        return;
    setState(State::Applying, tr("Applying %1…").arg(m_fileName));
    m_gateway->applyConfiguration(m_document, configdoc::formatForPath(m_path), false,
                                  [self = QPointer(this)](const QString &error, const QList<ConfigChange> &changes) {
                                      if (self)
                                          self->finishApply(error, changes);
                                  });
}

void ConfigImportDialog::finishApply(const QString &error, const QList<ConfigChange> &changes)
{
    if (!error.isEmpty()) {
        showChanges({});
        showErrors(error.split(QLatin1Char('\n'), Qt::SkipEmptyParts));
        setState(State::Failed, tr("Applying %1 failed. Nothing was changed:").arg(m_fileName));
        return;
    }
    // What was done, which may differ from the preview when the configuration changed meanwhile.
    showChanges(changes);
    setState(State::Applied, changes.isEmpty()
                                 ? tr("Applied %1: no changes were needed.").arg(m_fileName)
                                 : tr("Applied %1: %n change(s) made.", nullptr, int(changes.size())).arg(m_fileName));
    Q_EMIT applied(changes);
}

void ConfigImportDialog::reject()
{
    if (m_state == State::Applying)
        return;
    QDialog::reject();
}

void ConfigImportDialog::showChanges(const QList<ConfigChange> &changes)
{
    m_changes = changes;
    m_changeTree->clear();
    const QPalette p = palette();
    const struct
    {
        ConfigChange::Type type;
        QString title;
        QColor color;
    } groups[] = {
        {ConfigChange::Type::Added, tr("Added (%1)"), okColor(p)},
        {ConfigChange::Type::Changed, tr("Changed (%1)"), warningColor(p)},
        {ConfigChange::Type::Removed, tr("Removed (%1)"), errorColor(p)},
    };
    for (const auto &group : groups) {
        QStringList lines;
        for (const ConfigChange &change : changes)
            if (change.type == group.type)
                lines.append(configdoc::describeChange(change));
        if (lines.isEmpty())
            continue;
        auto *top = new QTreeWidgetItem(m_changeTree, {group.title.arg(lines.size())});
        top->setIcon(0, dotIcon(group.color));
        top->setData(0, Qt::UserRole, int(group.type));
        top->setFlags(Qt::ItemIsEnabled);
        for (const QString &line : lines)
            new QTreeWidgetItem(top, {line});
    }
    m_changeTree->expandAll();
    m_changeTree->setVisible(!changes.isEmpty());
    m_errors.clear();
    m_errorText->clear();
    m_errorText->hide();
}

void ConfigImportDialog::showErrors(const QStringList &errors)
{
    m_errors = errors;
    m_errorText->setPlainText(errors.join(QLatin1Char('\n')));
    m_errorText->setVisible(!errors.isEmpty());
}

void ConfigImportDialog::setState(State state, const QString &summary)
{
    m_state = state;
    m_summary->setText(summary);
    m_apply->setEnabled(state == State::Preview);
    m_apply->setVisible(state == State::Checking || state == State::Preview || state == State::Applying);
    m_cancel->setEnabled(state != State::Applying);
    const bool finished = state != State::Checking && state != State::Preview && state != State::Applying;
    m_cancel->setText(finished ? tr("&Close") : tr("&Cancel"));
    if (state == State::Preview)
        m_apply->setFocus();
    else if (finished)
        m_cancel->setFocus();
    Q_EMIT stateChanged(state);
}

} // namespace metamcp::ui
