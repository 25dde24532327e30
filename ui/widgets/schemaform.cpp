#include "widgets/schemaform.h"

#include "common/uiutil.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace metamcp::ui {

namespace {

const QString kType = QStringLiteral("type");
const QString kDefault = QStringLiteral("default");
const QString kEnum = QStringLiteral("enum");

// First non-null type name of a schema ("string", ["string","null"] -> "string").
QString typeOf(const QJsonObject &schema)
{
    const QJsonValue type = schema.value(kType);
    if (type.isString())
        return type.toString();
    if (type.isArray()) {
        const QJsonArray types = type.toArray();
        for (const QJsonValue &t : types)
            if (t.toString() != u"null")
                return t.toString();
    }
    if (schema.contains(QLatin1String("properties")))
        return QStringLiteral("object");
    if (schema.contains(QLatin1String("items")))
        return QStringLiteral("array");
    return {};
}

QString displayOf(const QJsonValue &value)
{
    return value.isString() ? value.toString() : compactJson(value);
}

// Resolves "#/..." JSON pointers against the root schema.
QJsonObject resolveRef(const QJsonObject &schema, const QJsonObject &root)
{
    const QString ref = schema.value(QLatin1String("$ref")).toString();
    if (!ref.startsWith(QLatin1String("#/")))
        return schema;
    QJsonValue node = root;
    const QStringList parts = ref.mid(2).split(QLatin1Char('/'));
    for (QString part : parts) {
        part.replace(QLatin1String("~1"), QLatin1String("/")).replace(QLatin1String("~0"), QLatin1String("~"));
        node = node.toObject().value(part);
    }
    if (!node.isObject())
        return schema;
    QJsonObject resolved = node.toObject();
    // Sibling keywords (description, default) win over the referenced ones.
    for (auto it = schema.begin(); it != schema.end(); ++it)
        if (it.key() != u"$ref")
            resolved.insert(it.key(), it.value());
    return resolved;
}

QString joinPath(const QString &base, const QString &name)
{
    return base.isEmpty() ? name : base + QLatin1Char('.') + name;
}

// ---------------------------------------------------------------------------------------------

class StringField final : public SchemaField
{
    Q_DECLARE_TR_FUNCTIONS(metamcp::ui::SchemaField)

public:
    StringField(const QJsonObject &schema, const QString &path, bool required, QWidget *parent)
        : SchemaField(schema, path, required, parent)
        , m_edit(new QLineEdit(this))
    {
        m_edit->setObjectName(editorName(QStringLiteral("LineEdit")));
        m_edit->setAccessibleName(path);
        const QString format = schema.value(QLatin1String("format")).toString();
        if (!format.isEmpty())
            m_edit->setPlaceholderText(format);
        if (schema.value(QLatin1String("writeOnly")).toBool() || format == u"password")
            m_edit->setEchoMode(QLineEdit::Password);
        contentLayout()->addWidget(m_edit);
        if (schema.contains(kDefault))
            setValue(schema.value(kDefault));
        connect(m_edit, &QLineEdit::textChanged, this, &SchemaField::changed);
    }
    QJsonValue value() const override
    {
        if (m_edit->text().isEmpty() && !isRequired())
            return QJsonValue::Undefined;
        return m_edit->text();
    }
    void setValue(const QJsonValue &value) override { m_edit->setText(displayOf(value)); }
    QStringList validate() override
    {
        const QString text = m_edit->text();
        if (text.isEmpty())
            return setError(isRequired() ? tr("This field is required.") : QString());
        const qsizetype minLength = schema().value(QLatin1String("minLength")).toInteger(-1);
        const qsizetype maxLength = schema().value(QLatin1String("maxLength")).toInteger(-1);
        if (minLength >= 0 && text.size() < minLength)
            return setError(tr("Enter at least %n character(s).", nullptr, int(minLength)));
        if (maxLength >= 0 && text.size() > maxLength)
            return setError(tr("Enter at most %n character(s).", nullptr, int(maxLength)));
        const QString pattern = schema().value(QLatin1String("pattern")).toString();
        if (!pattern.isEmpty()) {
            const QRegularExpression re(pattern);
            if (re.isValid() && !re.match(text).hasMatch())
                return setError(tr("The text must match the pattern %1.").arg(pattern));
        }
        return setError({});
    }

private:
    QLineEdit *m_edit;
};

class NumberField final : public SchemaField
{
    Q_DECLARE_TR_FUNCTIONS(metamcp::ui::SchemaField)

public:
    NumberField(const QJsonObject &schema, const QString &path, bool required, bool integer, QWidget *parent)
        : SchemaField(schema, path, required, parent)
        , m_integer(integer)
        , m_edit(new QLineEdit(this))
    {
        m_edit->setObjectName(editorName(QStringLiteral("LineEdit")));
        m_edit->setAccessibleName(path);
        m_edit->setPlaceholderText(integer ? tr("integer") : tr("number"));
        contentLayout()->addWidget(m_edit);
        if (schema.contains(kDefault))
            setValue(schema.value(kDefault));
        connect(m_edit, &QLineEdit::textChanged, this, &SchemaField::changed);
    }
    QJsonValue value() const override
    {
        bool ok = false;
        const double v = parse(&ok);
        if (!ok)
            return QJsonValue::Undefined;
        if (m_integer && std::abs(v) < 9.0e15)
            return qint64(v);
        return v;
    }
    void setValue(const QJsonValue &value) override
    {
        m_edit->setText(value.isDouble() ? compactJson(value) : displayOf(value));
    }
    QStringList validate() override
    {
        if (m_edit->text().trimmed().isEmpty())
            return setError(isRequired() ? tr("This field is required.") : QString());
        bool ok = false;
        const double v = parse(&ok);
        if (!ok)
            return setError(tr("Enter a number, e.g. 42 or 3.5."));
        if (m_integer && v != std::floor(v))
            return setError(tr("Enter a whole number."));
        const QJsonValue min = schema().value(QLatin1String("minimum"));
        const QJsonValue max = schema().value(QLatin1String("maximum"));
        const QJsonValue xmin = schema().value(QLatin1String("exclusiveMinimum"));
        const QJsonValue xmax = schema().value(QLatin1String("exclusiveMaximum"));
        if (min.isDouble() && v < min.toDouble())
            return setError(tr("The value must be at least %1.").arg(compactJson(min)));
        if (max.isDouble() && v > max.toDouble())
            return setError(tr("The value must be at most %1.").arg(compactJson(max)));
        if (xmin.isDouble() && v <= xmin.toDouble())
            return setError(tr("The value must be greater than %1.").arg(compactJson(xmin)));
        if (xmax.isDouble() && v >= xmax.toDouble())
            return setError(tr("The value must be less than %1.").arg(compactJson(xmax)));
        return setError({});
    }

private:
    double parse(bool *ok) const
    {
        const QString text = m_edit->text().trimmed();
        double v = QLocale::c().toDouble(text, ok);
        if (!*ok)
            v = QLocale().toDouble(text, ok); // "3,5" in a German locale
        return v;
    }
    bool m_integer;
    QLineEdit *m_edit;
};

// Required booleans and booleans with a default: a check box. Optional ones: not set/true/false.
class BoolField final : public SchemaField
{
    Q_DECLARE_TR_FUNCTIONS(metamcp::ui::SchemaField)

public:
    BoolField(const QJsonObject &schema, const QString &path, bool required, QWidget *parent)
        : SchemaField(schema, path, required, parent)
    {
        if (required || schema.contains(kDefault)) {
            m_check = new QCheckBox(this);
            m_check->setObjectName(editorName(QStringLiteral("CheckBox")));
            m_check->setAccessibleName(path);
            m_check->setChecked(schema.value(kDefault).toBool());
            contentLayout()->addWidget(m_check);
            connect(m_check, &QCheckBox::toggled, this, &SchemaField::changed);
        } else {
            m_combo = new QComboBox(this);
            m_combo->setObjectName(editorName(QStringLiteral("ComboBox")));
            m_combo->setAccessibleName(path);
            m_combo->addItem(tr("(not set)"));
            m_combo->addItem(QStringLiteral("true"), true);
            m_combo->addItem(QStringLiteral("false"), false);
            contentLayout()->addWidget(m_combo);
            connect(m_combo, &QComboBox::currentIndexChanged, this, &SchemaField::changed);
        }
    }
    QJsonValue value() const override
    {
        if (m_check)
            return m_check->isChecked();
        return m_combo->currentIndex() == 0 ? QJsonValue(QJsonValue::Undefined)
                                            : QJsonValue(m_combo->currentData().toBool());
    }
    void setValue(const QJsonValue &value) override
    {
        if (m_check)
            m_check->setChecked(value.toBool());
        else
            m_combo->setCurrentIndex(value.isBool() ? (value.toBool() ? 1 : 2) : 0);
    }

private:
    QCheckBox *m_check = nullptr;
    QComboBox *m_combo = nullptr;
};

class EnumField final : public SchemaField
{
    Q_DECLARE_TR_FUNCTIONS(metamcp::ui::SchemaField)

public:
    EnumField(const QJsonObject &schema, const QJsonArray &values, const QString &path, bool required, QWidget *parent)
        : SchemaField(schema, path, required, parent)
        , m_values(values)
        , m_combo(new QComboBox(this))
    {
        m_combo->setObjectName(editorName(QStringLiteral("ComboBox")));
        m_combo->setAccessibleName(path);
        m_optional = !required && !schema.contains(kDefault);
        if (m_optional)
            m_combo->addItem(tr("(not set)"));
        for (const QJsonValue &v : values)
            m_combo->addItem(displayOf(v));
        contentLayout()->addWidget(m_combo);
        if (schema.contains(kDefault))
            setValue(schema.value(kDefault));
        connect(m_combo, &QComboBox::currentIndexChanged, this, &SchemaField::changed);
    }
    QJsonValue value() const override
    {
        const int i = m_combo->currentIndex() - (m_optional ? 1 : 0);
        if (i < 0 || i >= m_values.size())
            return QJsonValue::Undefined;
        return m_values.at(i);
    }
    void setValue(const QJsonValue &value) override
    {
        const qsizetype i = m_values.toVariantList().indexOf(value.toVariant());
        m_combo->setCurrentIndex(i < 0 ? 0 : int(i) + (m_optional ? 1 : 0));
    }

private:
    QJsonArray m_values;
    QComboBox *m_combo;
    bool m_optional = false;
};

// Anything else: JSON typed by hand.
class JsonField final : public SchemaField
{
    Q_DECLARE_TR_FUNCTIONS(metamcp::ui::SchemaField)

public:
    JsonField(const QJsonObject &schema, const QString &path, bool required, QWidget *parent)
        : SchemaField(schema, path, required, parent)
        , m_edit(new QPlainTextEdit(this))
    {
        m_edit->setObjectName(editorName(QStringLiteral("PlainTextEdit")));
        m_edit->setAccessibleName(path);
        m_edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        m_edit->setPlaceholderText(tr("JSON value"));
        m_edit->setTabChangesFocus(true);
        m_edit->setFixedHeight(m_edit->fontMetrics().lineSpacing() * 4 + 12);
        contentLayout()->addWidget(m_edit);
        if (schema.contains(kDefault))
            setValue(schema.value(kDefault));
        connect(m_edit, &QPlainTextEdit::textChanged, this, &SchemaField::changed);
    }
    QJsonValue value() const override
    {
        bool ok = false;
        const QJsonValue v = parse(&ok);
        return ok ? v : QJsonValue(QJsonValue::Undefined);
    }
    void setValue(const QJsonValue &value) override { m_edit->setPlainText(prettyJson(value)); }
    QStringList validate() override
    {
        if (m_edit->toPlainText().trimmed().isEmpty())
            return setError(isRequired() ? tr("This field is required.") : QString());
        bool ok = false;
        const QJsonValue v = parse(&ok);
        if (!ok)
            return setError(tr("This is not valid JSON."));
        const QString type = typeOf(schema());
        if ((type == u"object" && !v.isObject()) || (type == u"array" && !v.isArray()))
            return setError(tr("Enter a JSON %1.").arg(type));
        return setError({});
    }

private:
    QJsonValue parse(bool *ok) const
    {
        const QString text = m_edit->toPlainText().trimmed();
        if (text.isEmpty()) {
            *ok = false;
            return {};
        }
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray('[' + text.toUtf8() + ']'), &error);
        *ok = error.error == QJsonParseError::NoError && doc.array().size() == 1;
        return *ok ? doc.array().at(0) : QJsonValue();
    }
    QPlainTextEdit *m_edit;
};

class ArrayField final : public SchemaField
{
    Q_DECLARE_TR_FUNCTIONS(metamcp::ui::SchemaField)

public:
    ArrayField(const QJsonObject &schema, const QJsonObject &root, const QString &path, bool required, int depth,
               QWidget *parent)
        : SchemaField(schema, path, required, parent)
        , m_root(root)
        , m_depth(depth)
        , m_items(new QVBoxLayout)
    {
        m_itemSchema = resolveRef(schema.value(QLatin1String("items")).toObject(), root);
        m_items->setContentsMargins(0, 0, 0, 0);
        contentLayout()->addLayout(m_items);
        auto *add = new QPushButton(tr("Add item"), this);
        add->setObjectName(editorName(QStringLiteral("AddPushButton")));
        add->setAccessibleName(tr("Add an item to %1").arg(path));
        auto *row = new QHBoxLayout;
        row->addWidget(add);
        row->addStretch();
        contentLayout()->addLayout(row);
        connect(add, &QPushButton::clicked, this, [this] {
            addItem();
            Q_EMIT changed();
        });
        if (schema.value(kDefault).isArray())
            setValue(schema.value(kDefault));
    }
    QJsonValue value() const override
    {
        QJsonArray array;
        for (const Item &item : m_fields) {
            const QJsonValue v = item.field->value();
            if (!v.isUndefined())
                array.append(v);
        }
        if (array.isEmpty() && !isRequired())
            return QJsonValue::Undefined;
        return array;
    }
    void setValue(const QJsonValue &value) override
    {
        while (!m_fields.isEmpty())
            removeItem(m_fields.last().container);
        const QJsonArray array = value.toArray();
        for (const QJsonValue &v : array)
            addItem()->setValue(v);
    }
    QStringList validate() override
    {
        QStringList errors;
        for (const Item &item : std::as_const(m_fields))
            errors += item.field->validate();
        const qsizetype minItems = schema().value(QLatin1String("minItems")).toInteger(-1);
        const qsizetype maxItems = schema().value(QLatin1String("maxItems")).toInteger(-1);
        QString own;
        if (isRequired() && m_fields.isEmpty() && minItems < 1)
            own = tr("This field is required.");
        else if (minItems >= 0 && m_fields.size() < minItems && (isRequired() || !m_fields.isEmpty()))
            own = tr("Add at least %n item(s).", nullptr, int(minItems));
        else if (maxItems >= 0 && m_fields.size() > maxItems)
            own = tr("Add at most %n item(s).", nullptr, int(maxItems));
        return setError(own) + errors;
    }

private:
    struct Item
    {
        QWidget *container;
        SchemaField *field;
    };
    SchemaField *addItem()
    {
        auto *container = new QWidget(this);
        auto *layout = new QHBoxLayout(container);
        layout->setContentsMargins(0, 0, 0, 0);
        const QString itemPath = path() + QStringLiteral("[%1]").arg(m_fields.size());
        SchemaField *field = SchemaField::create(m_itemSchema, m_root, itemPath, true, container, m_depth + 1);
        layout->addWidget(field, 1);
        auto *remove = new QToolButton(container);
        remove->setText(QStringLiteral("−"));
        remove->setToolTip(tr("Remove this item"));
        remove->setAccessibleName(tr("Remove item %1").arg(itemPath));
        remove->setObjectName(itemPath + QStringLiteral("RemoveToolButton"));
        layout->addWidget(remove, 0, Qt::AlignTop);
        connect(remove, &QToolButton::clicked, this, [this, container] {
            removeItem(container);
            Q_EMIT changed();
        });
        connect(field, &SchemaField::changed, this, &SchemaField::changed);
        m_items->addWidget(container);
        container->show();
        m_fields.append({container, field});
        field->setFocus();
        return field;
    }
    void removeItem(QWidget *container)
    {
        for (qsizetype i = 0; i < m_fields.size(); ++i) {
            if (m_fields.at(i).container == container) {
                m_fields.removeAt(i);
                container->deleteLater();
                container->hide();
                return;
            }
        }
    }

    QJsonObject m_root;
    QJsonObject m_itemSchema;
    int m_depth;
    QVBoxLayout *m_items;
    QList<Item> m_fields;
};

class ObjectField final : public SchemaField
{
    Q_DECLARE_TR_FUNCTIONS(metamcp::ui::SchemaField)

public:
    ObjectField(const QJsonObject &schema, const QJsonObject &root, const QString &path, bool required, int depth,
                QWidget *parent)
        : SchemaField(schema, path, required, parent)
    {
        QFormLayout *form = nullptr;
        if (path.isEmpty()) {
            form = new QFormLayout;
            contentLayout()->addLayout(form);
        } else {
            auto *group = new QGroupBox(this);
            group->setObjectName(editorName(QStringLiteral("GroupBox")));
            group->setAccessibleName(path);
            form = new QFormLayout(group);
            contentLayout()->addWidget(group);
        }
        form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
        const QJsonObject properties = schema.value(QLatin1String("properties")).toObject();
        const QJsonArray requiredList = schema.value(QLatin1String("required")).toArray();
        // Required properties first, then the rest; alphabetical within each (QJsonObject does not
        // keep the document's order).
        QStringList names = properties.keys();
        std::stable_sort(names.begin(), names.end(), [&requiredList](const QString &a, const QString &b) {
            return requiredList.contains(a) && !requiredList.contains(b);
        });
        for (const QString &name : std::as_const(names)) {
            const QJsonObject propSchema = resolveRef(properties.value(name).toObject(), root);
            const bool propRequired = requiredList.contains(name);
            SchemaField *field =
                SchemaField::create(propSchema, root, joinPath(path, name), propRequired, this, depth + 1);
            QString title = propSchema.value(QLatin1String("title")).toString();
            if (title.isEmpty())
                title = name;
            auto *label = new QLabel(propRequired ? title + QStringLiteral(" *") : title, this);
            label->setToolTip(propRequired ? tr("%1 (required)").arg(name) : name);
            label->setBuddy(field->focusProxy() ? field->focusProxy() : field);
            form->addRow(label, field);
            connect(field, &SchemaField::changed, this, &SchemaField::changed);
            m_fields.append({name, field});
        }
        if (m_fields.isEmpty() && path.isEmpty()) {
            auto *none = new QLabel(tr("This tool takes no arguments."), this);
            none->setObjectName(QStringLiteral("noArgumentsLabel"));
            form->addRow(none);
        }
        if (schema.value(kDefault).isObject())
            setValue(schema.value(kDefault));
    }
    QJsonValue value() const override
    {
        QJsonObject object;
        for (const auto &[name, field] : m_fields) {
            const QJsonValue v = field->value();
            if (!v.isUndefined())
                object.insert(name, v);
        }
        if (object.isEmpty() && !isRequired() && !path().isEmpty())
            return QJsonValue::Undefined;
        return object;
    }
    void setValue(const QJsonValue &value) override
    {
        const QJsonObject object = value.toObject();
        for (const auto &[name, field] : std::as_const(m_fields))
            if (object.contains(name))
                field->setValue(object.value(name));
    }
    QStringList validate() override
    {
        QStringList errors;
        // An optional object left empty is not validated further.
        if (!isRequired() && !path().isEmpty() && value().isUndefined()) {
            for (const auto &[name, field] : std::as_const(m_fields))
                field->validate();
            return setError({});
        }
        for (const auto &[name, field] : std::as_const(m_fields))
            errors += field->validate();
        return setError({}) + errors;
    }

private:
    QList<std::pair<QString, SchemaField *>> m_fields;
};

} // namespace

// ---------------------------------------------------------------------------------------------

SchemaField::SchemaField(const QJsonObject &schema, const QString &path, bool required, QWidget *parent)
    : QWidget(parent)
    , m_schema(schema)
    , m_path(path)
    , m_required(required)
    , m_content(new QVBoxLayout)
    , m_errorLabel(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    m_content->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(m_content);
    const QString description = schema.value(QLatin1String("description")).toString();
    if (!description.isEmpty()) {
        auto *hint = new QLabel(description, this);
        hint->setWordWrap(true);
        hint->setTextInteractionFlags(Qt::TextSelectableByMouse);
        QPalette p = hint->palette();
        p.setColor(QPalette::WindowText, p.color(QPalette::Disabled, QPalette::WindowText));
        hint->setPalette(p);
        QFont f = hint->font();
        f.setPointSizeF(f.pointSizeF() * 0.9);
        hint->setFont(f);
        layout->addWidget(hint);
        setToolTip(description);
    }
    m_errorLabel->setObjectName(editorName(QStringLiteral("ErrorLabel")));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->hide();
    layout->addWidget(m_errorLabel);
}

QStringList SchemaField::validate()
{
    return setError({});
}

QStringList SchemaField::setError(const QString &message)
{
    if (message.isEmpty()) {
        m_errorLabel->hide();
        m_errorLabel->clear();
        return {};
    }
    QPalette p = m_errorLabel->palette();
    p.setColor(QPalette::WindowText, errorColor(palette()));
    m_errorLabel->setPalette(p);
    m_errorLabel->setText(message);
    m_errorLabel->show();
    return {m_path.isEmpty() ? message : QStringLiteral("%1: %2").arg(m_path, message)};
}

QString SchemaField::editorName(const QString &widgetClass) const
{
    return m_path + widgetClass;
}

SchemaField *SchemaField::create(const QJsonObject &schemaIn, const QJsonObject &root, const QString &path,
                                 bool required, QWidget *parent, int depth)
{
    const QJsonObject schema = resolveRef(schemaIn, root);
    if (depth > 8) // recursive schemas
        return new JsonField(schema, path, required, parent);
    if (schema.value(kEnum).isArray())
        return new EnumField(schema, schema.value(kEnum).toArray(), path, required, parent);
    if (schema.contains(QLatin1String("const")))
        return new EnumField(schema, QJsonArray{schema.value(QLatin1String("const"))}, path, required, parent);
    // anyOf/oneOf of constants (a common enum-with-descriptions pattern).
    for (const QString &key : {QStringLiteral("anyOf"), QStringLiteral("oneOf")}) {
        const QJsonArray options = schema.value(key).toArray();
        if (options.isEmpty())
            continue;
        QJsonArray constants;
        for (const QJsonValue &o : options)
            if (o.toObject().contains(QLatin1String("const")))
                constants.append(o.toObject().value(QLatin1String("const")));
        if (constants.size() == options.size())
            return new EnumField(schema, constants, path, required, parent);
        return new JsonField(schema, path, required, parent);
    }
    const QString type = typeOf(schema);
    if (type == u"string")
        return new StringField(schema, path, required, parent);
    if (type == u"number" || type == u"integer")
        return new NumberField(schema, path, required, type == u"integer", parent);
    if (type == u"boolean")
        return new BoolField(schema, path, required, parent);
    if (type == u"array" && schema.value(QLatin1String("items")).isObject())
        return new ArrayField(schema, root, path, required, depth, parent);
    if (type == u"object" && (schema.contains(QLatin1String("properties")) || path.isEmpty()))
        return new ObjectField(schema, root, path, required, depth, parent);
    return new JsonField(schema, path, required, parent);
}

// ---------------------------------------------------------------------------------------------

SchemaForm::SchemaForm(QWidget *parent)
    : QWidget(parent)
    , m_layout(new QVBoxLayout(this))
{
    m_layout->setContentsMargins(0, 0, 0, 0);
    setSchema(QJsonObject{{kType, QStringLiteral("object")}});
}

void SchemaForm::setSchema(const QJsonObject &schema)
{
    m_schema = schema;
    delete m_root; // at once: a stale form must not be found by name
    m_root = nullptr;
    QJsonObject rootSchema = schema;
    if (!rootSchema.contains(kType))
        rootSchema.insert(kType, QStringLiteral("object"));
    m_root = SchemaField::create(rootSchema, schema, QString(), true, this);
    connect(m_root, &SchemaField::changed, this, &SchemaForm::changed);
    m_layout->addWidget(m_root);
    m_root->show(); // layouts show new children only on the next event loop pass
}

QJsonObject SchemaForm::arguments() const
{
    const QJsonValue v = m_root->value();
    return v.isObject() ? v.toObject() : QJsonObject();
}

void SchemaForm::setArguments(const QJsonObject &arguments)
{
    m_root->setValue(arguments);
}

QStringList SchemaForm::validate()
{
    return m_root->validate();
}

} // namespace metamcp::ui
